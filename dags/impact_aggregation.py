"""Rebuild, check and publish the analyst marts whenever loads or reference data change."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from climate_contract.orchestration import (
    CORE_DATA,
    DEFAULT_ARGS,
    MARTS,
    REFERENCE_DATA,
    START_DATE,
    TAGS,
)

DOC = """
### Impact aggregation · Agrégation des impacts

Runs when **partner_collection** has loaded files or **reference_refresh** has
loaded new reference data (Airflow Assets), and every half hour in case a run
stopped half-way; a burst of loads queued while it runs makes one more run, not
one per file.

1. *rebuild_marts*: when the marts are older than the last load or reference
   change (skipped otherwise), builds the dbt project of `sql/` (dbt's
   programmatic runner) into the `build_*` schemas, then runs dbt's tests, the
   mart checks (`sql/models/checks/`, `expectations/marts/`) and the disclosure
   audit on the build; only if all hold are its tables swapped in, in one
   transaction. Otherwise nothing is published, the previous marts stay, and the
   task fails without retrying (a retry would fail the same way).
2. *publish_marts*: when the published files are behind the marts, writes them
   as Parquet, with the dbt docs site and each campaign's report for elected
   officials (HTML and PDF), into a new folder under
   `<data_dir>/published/builds/`, then makes it `published/current` at once.

**En français.** S'exécute quand **partner_collection** a chargé des fichiers
ou **reference_refresh** de nouvelles données de référence, et toutes les
demi-heures. *rebuild_marts* reconstruit les tables d'analyse (projet dbt de
`sql/`) à part, les contrôle (tests dbt, contrôles des tables, règles de
confidentialité) et ne les publie que si tout tient ; sinon les précédentes
restent et la tâche échoue sans nouvel essai. *publish_marts* écrit les
fichiers Parquet et le rapport de chaque campagne pour les élus (HTML et PDF)
sous `<data_dir>/published/current`.
"""


@dag(
    dag_id="impact_aggregation",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("*/30 * * * *", timezone="UTC"),
        assets=CORE_DATA | REFERENCE_DATA,
    ),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=1),
    tags=[*TAGS, "marts"],
    doc_md=DOC,
    default_args=DEFAULT_ARGS,
)
def impact_aggregation() -> None:
    @task(outlets=[MARTS])
    def rebuild_marts() -> list[str]:
        from climate_contract import pipeline
        from climate_contract.settings import Settings
        from climate_contract.validate import MartChecksFailed

        settings = Settings()
        if not pipeline.marts_are_stale(settings):
            raise AirflowSkipException("the marts are up to date")
        try:
            return pipeline.rebuild_marts(settings)
        except MartChecksFailed as failed:
            raise AirflowFailException(str(failed)) from failed

    @task(trigger_rule="none_failed")
    def publish_marts() -> list[str]:
        from climate_contract import pipeline
        from climate_contract.settings import Settings

        return [str(path) for path in pipeline.publish_marts(Settings())]

    rebuild_marts() >> publish_marts()


impact_aggregation()
