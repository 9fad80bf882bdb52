"""Collect partner workbooks: find new settled inbox files and process them in batches."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from climate_contract.orchestration import (
    CORE_DATA,
    DEFAULT_ARGS,
    START_DATE,
    TAGS,
    has_connection,
    send_mails,
)
from climate_contract.settings import Settings

DOC = """
### Partner collection · Collecte des fichiers des partenaires

Looks into every partner's `inbox/<partner>/` folder for workbooks that are
complete (unmodified for `settle_seconds`) and not processed yet, then, in
batches of `files_per_task` files (one mapped task per batch, named after its
partners): parses each file, checks it with the Great Expectations suites,
archives the original (or quarantines it) and loads it into the warehouse in
one transaction. When anything was processed, it updates the asset that
triggers **impact_aggregation**.

*Re-running is safe*: a file whose content was already processed is skipped,
and what a stopped run left half-way is finished. A partner's bad file is not an
error here: it is read in a child process with memory and time limits, and
rejected with a report. Tasks retry with back-off only when the warehouse or the
shared folder was unreachable. Reference data is loaded by **reference_refresh**
only, the one task that announces it to **impact_aggregation**.

*Seeing rejections*: each rejected file is one line of the mapped task
*rejected_file*, in the **skipped** state and named
`partner: file rejected, N errors, M warnings`; its log lists the first errors
and the command that shows them all. The run itself stays green: a partner's
mistake is not a failure of the collection. *mail_answers* e-mails each partner
its answer (accepted or to correct, in its language, the report attached)
through the SMTP connection `climate_contract_smtp`, once per file (recorded in
`landing.answer_mails` before it is sent); skipped without that connection.

**En français.** Cherche dans le dossier `inbox/<partenaire>/` de chaque
partenaire les classeurs complets (inchangés depuis `settle_seconds`) et pas
encore traités, puis, par lots de `files_per_task` fichiers (une tâche par lot,
nommée d'après ses partenaires) : lit chaque fichier, le contrôle avec les
suites Great Expectations, archive l'original (ou le met en quarantaine) et le
charge dans l'entrepôt en une transaction. Chaque fichier refusé apparaît dans
la tâche *rejected_file*, à l'état **skipped**, sous le nom
`partenaire: fichier rejected, N errors…` ; son journal donne les premières
erreurs et la commande qui les montre toutes. *mail_answers* envoie à chaque
partenaire sa réponse par courriel (connexion SMTP `climate_contract_smtp`),
une seule fois par fichier. Relancer est sans risque : un fichier déjà traité
n'est pas repris.
"""

settings = Settings()


@dag(
    dag_id="partner_collection",
    schedule=settings.collection_schedule,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    tags=[*TAGS, "collection"],
    doc_md=DOC,
    default_args=DEFAULT_ARGS,
)
def partner_collection() -> None:
    @task
    def discover_new_files() -> list[list[dict[str, Any]]]:
        from climate_contract import pipeline

        current = Settings()
        found = pipeline.discover(current)
        return [
            [incoming.as_dict() for incoming in batch]
            for batch in pipeline.batches(found, current.files_per_task)
        ]

    @task(map_index_template="{{ batch_label }}")
    def process_files(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from climate_contract import pipeline
        from climate_contract.intake import IncomingFile

        files = [IncomingFile.from_dict(incoming) for incoming in batch]
        get_current_context()["batch_label"] = pipeline.batch_label(files)
        try:
            return [o.as_dict() for o in pipeline.process_batch(files, Settings())]
        except pipeline.TRANSIENT_ERRORS:
            raise
        except Exception as error:
            raise AirflowFailException(f"not retried: {error!r}") from error

    @task(outlets=[CORE_DATA])
    def record_loads(outcomes: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
        processed = [outcome for batch in outcomes for outcome in batch]
        if not processed:
            raise AirflowSkipException("nothing new was processed")
        return processed

    @task
    def rejections(processed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from airflow.sdk.configuration import conf

        from climate_contract import pipeline

        outcomes = [pipeline.SubmissionOutcome(**outcome) for outcome in processed]
        room = conf.getint("core", "max_map_length")
        return [shown.as_dict() for shown in pipeline.rejections_to_show(outcomes, room)]

    @task
    def mail_answers(processed: list[dict[str, Any]]) -> int:
        from climate_contract import pipeline

        current = Settings()
        if not has_connection(current.smtp_conn_id):
            raise AirflowSkipException(f"no connection {current.smtp_conn_id}: no e-mail")
        mails = [
            pipeline.answer_mail(current, pipeline.SubmissionOutcome(**outcome))
            for outcome in processed
        ]
        return send_mails(
            current.smtp_conn_id, mails, partial(pipeline.record_answer_mail, current)
        )

    @task(map_index_template="{{ rejection }}", retries=0)
    def rejected_file(outcome: dict[str, Any]) -> None:
        from climate_contract import pipeline

        rejected = pipeline.SubmissionOutcome(**outcome)
        get_current_context()["rejection"] = rejected.label
        raise AirflowSkipException(pipeline.rejection_notice(Settings(), rejected))

    loads = record_loads(process_files.expand(batch=discover_new_files()))
    mail_answers(loads)
    rejected_file.expand(outcome=rejections(loads))


partner_collection()
