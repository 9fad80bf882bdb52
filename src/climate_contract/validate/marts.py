"""Great Expectations checks of the rebuilt marts, before they are published.

Each model of ``sql/models/checks/`` (a view in the build's ``checks`` schema)
selects a frame that confronts the built marts with ``core`` (reconciliation);
``expectations/marts/<name>.json`` says what must hold on it.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from climate_contract.settings import SQL_DIR
from climate_contract.validate.suites import RESULT_FORMAT, batch_definition, load_suite
from climate_contract.warehouse import ModelSchemas

CHECKS_DIR = SQL_DIR / "models" / "checks"


class MartChecksFailed(RuntimeError):
    """The rebuilt marts break a check: they must not be published."""

    def __init__(self, failures: list[str]) -> None:
        super().__init__("; ".join(failures))
        self.failures = failures


def check_marts(connection: Connection, schemas: ModelSchemas) -> list[str]:
    """Every failed check of the marts in ``schemas``, as a sentence for the
    steward; empty when all hold."""
    failures = []
    for path in sorted(CHECKS_DIR.glob("*.sql")):
        result = connection.execute(sa.text(f"SELECT * FROM {schemas.checks}.{path.stem}"))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        frame = frame.apply(
            lambda column: pd.to_numeric(column) if column.dtype == object else column
        )
        batch = batch_definition(f"check_{path.stem}").get_batch(
            batch_parameters={"dataframe": frame}
        )
        outcome = batch.validate(
            load_suite(f"marts/{path.stem}"),
            result_format=RESULT_FORMAT | {"unexpected_index_column_names": []},
        )
        failures.extend(
            f"{path.stem}: {result.expectation_config.meta['message']} "
            f"(unexpected: {result.result.get('partial_unexpected_list')})"
            for result in outcome.results
            if not result.success
        )
    return failures
