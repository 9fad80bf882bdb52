"""Load the steward's reference files into the warehouse when they change."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException

from climate_contract.orchestration import DEFAULT_ARGS, REFERENCE_DATA, START_DATE, TAGS

DOC = """
### Reference refresh · Mise à jour des référentiels

Every 10 minutes, compares the reference files (partners registry, campaigns,
plan targets, code lists, emission factors and the steward's extension) with
what was last loaded, by content hash. When they changed, loads them into the
`ref` schema and updates the asset that triggers **impact_aggregation**.
Emission factors of every referential version are kept, so past estimates stay
explained. Unchanged files cost one hash and one query.

**En français.** Toutes les 10 minutes, compare les fichiers de référence
(partenaires, campagnes, objectifs du plan, listes de codes, facteurs
d'émission) à ceux chargés en dernier, par empreinte de contenu ; s'ils ont
changé, les charge dans le schéma `ref` et déclenche **impact_aggregation**.
"""


@dag(
    dag_id="reference_refresh",
    schedule=timedelta(minutes=10),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    tags=[*TAGS, "reference"],
    doc_md=DOC,
    default_args=DEFAULT_ARGS,
)
def reference_refresh() -> None:
    @task(outlets=[REFERENCE_DATA])
    def load_reference_files() -> None:
        from climate_contract import pipeline
        from climate_contract.settings import Settings

        if not pipeline.refresh_reference(Settings()):
            raise AirflowSkipException("reference files unchanged")

    load_reference_files()


reference_refresh()
