"""Follow an open campaign daily: who submitted, who is late, who must resubmit."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException

from climate_contract.orchestration import (
    DEFAULT_ARGS,
    START_DATE,
    TAGS,
    has_connection,
    logical_day,
    send_mails,
)

DOC = """
### Campaign monitoring · Suivi de campagne

Every day while a campaign is open (from its opening date until
`campaign_monitoring_days_after_deadline` days after its deadline), for each
such campaign, as it stood on the run's logical date (a re-run or a backfill of
a day gives that day's answer):

1. *follow_up*: each expected partner's state (up to date, expected, late,
   rejected without a new file), stored in `landing.campaign_follow_up` and
   written as `suivi-<campaign>-<date>.csv` under `<shared_root>/steward/<campaign>/`.
2. *send_reminders*: a reminder in each partner's language to each late or
   rejected partner, through the Airflow SMTP connection `climate_contract_smtp`
   (setting `smtp_conn_id`). Each is recorded in `landing.reminders` before it is
   sent, so a retried task or a second run of the day never sends it twice.
   Without that connection, no e-mail is sent.

The same list, any day and for any campaign: `climate-contract status`.

**En français.** Chaque jour pendant une campagne (de son ouverture à
`campaign_monitoring_days_after_deadline` jours après l'échéance) : *follow_up*
établit la situation de chaque partenaire attendu (à jour, attendu, en retard,
rejeté sans nouvel envoi), dans `landing.campaign_follow_up` et dans
`suivi-<campagne>-<date>.csv` ; *send_reminders* envoie une relance, dans sa
langue, à chaque partenaire en retard ou rejeté, une seule fois par jour, par
la connexion SMTP `climate_contract_smtp`.
"""


@dag(
    dag_id="campaign_monitoring",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=1),
    tags=[*TAGS, "campaign"],
    doc_md=DOC,
    default_args=DEFAULT_ARGS,
)
def campaign_monitoring() -> None:
    @task
    def watched_campaigns() -> list[str]:
        from climate_contract import pipeline
        from climate_contract.settings import Settings

        return pipeline.watched_campaigns(Settings(), logical_day())

    @task(map_index_template="{{ task.op_kwargs['campaign_id'] }}")
    def follow_up(campaign_id: str) -> list[dict[str, Any]]:
        from climate_contract import pipeline
        from climate_contract.settings import Settings

        follow_ups, _ = pipeline.follow_up_campaign(Settings(), campaign_id, logical_day())
        return [follow_up.as_dict() for follow_up in follow_ups]

    @task
    def send_reminders(followed: list[list[dict[str, Any]]]) -> int:
        from climate_contract import pipeline
        from climate_contract.report import FollowUp
        from climate_contract.settings import Settings

        settings = Settings()
        if not has_connection(settings.smtp_conn_id):
            raise AirflowSkipException(f"no connection {settings.smtp_conn_id}")
        follow_ups = [FollowUp.from_dict(item) for campaign in followed for item in campaign]
        reminders = pipeline.campaign_reminders(settings, follow_ups)
        return send_mails(
            settings.smtp_conn_id, reminders, partial(pipeline.record_reminder, settings)
        )

    send_reminders(follow_up.expand(campaign_id=watched_campaigns()))


campaign_monitoring()
