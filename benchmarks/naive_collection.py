"""What a steward would write in an afternoon instead of the pipeline: pandas reads
each workbook (openpyxl), a few checks in pandas, ``DataFrame.to_sql`` into DuckDB,
one summary table. No isolation, no partner answer, no history, no disclosure rules.

    .venv/bin/python benchmarks/naive_collection.py INBOX WAREHOUSE.duckdb
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

SHEETS = {"Actions": "actions", "Investissements": "investments", "Impacts": "impacts"}
REQUIRED = {
    "actions": ["Référence de l'action", "Intitulé", "Axe du plan", "Statut"],
    "investments": ["Référence de l'action", "Année", "Montant (€)", "Base (HT/TTC)"],
    "impacts": ["Référence de l'action", "Indicateur", "Valeur", "Unité"],
}
CODED = {
    "actions": {"Axe du plan": "plan_axis", "Statut": "status", "Secteur PCAET": "sector"},
    "investments": {"Base (HT/TTC)": "tax_basis", "Nature": "nature"},
    "impacts": {"Indicateur": "indicator", "Unité": "unit"},
}


def check(frames: dict[str, pd.DataFrame], lists: pd.DataFrame) -> list[str]:
    problems = []
    for sheet, frame in frames.items():
        for column in REQUIRED[sheet]:
            problems += [
                f"{sheet} row {i + 2}: {column} missing" for i in frame.index[frame[column].isna()]
            ]
        for column, list_name in CODED[sheet].items():
            allowed = set(lists[list_name].dropna())
            bad = frame[column].notna() & ~frame[column].isin(allowed)
            problems += [f"{sheet} row {i + 2}: {column} not allowed" for i in frame.index[bad]]
    declared = set(frames["actions"]["Référence de l'action"])
    for sheet in ("investments", "impacts"):
        unknown = ~frames[sheet]["Référence de l'action"].isin(declared)
        problems += [f"{sheet} row {i + 2}: unknown action" for i in frames[sheet].index[unknown]]
    amounts = pd.to_numeric(frames["investments"]["Montant (€)"], errors="coerce")
    problems += [f"investments row {i + 2}: bad amount" for i in amounts.index[~(amounts >= 0)]]
    return problems


def main() -> None:
    inbox, database = Path(sys.argv[1]), sys.argv[2]
    engine = sa.create_engine(f"duckdb:///{database}")
    accepted = rejected = 0
    for path in sorted(inbox.rglob("*.xlsx")):
        # pandas' default reader today; pandas 4 makes calamine the default, and a
        # script written then would read as fast as the floor's reader.
        workbook = pd.read_excel(path, sheet_name=[*SHEETS, "Listes"], engine="openpyxl")
        frames = {SHEETS[title]: workbook[title] for title in SHEETS}
        if check(frames, workbook["Listes"]):
            rejected += 1
            continue
        accepted += 1
        for name, frame in frames.items():
            frame.assign(partner=path.parent.name).to_sql(
                name, engine, if_exists="append", index=False
            )
    with engine.connect() as connection:
        summary = pd.read_sql(
            'SELECT a."Axe du plan" AS axis, i."Année" AS year, sum(i."Montant (€)") AS eur '
            "FROM investments i JOIN actions a ON a.partner = i.partner "
            'AND a."Référence de l\'action" = i."Référence de l\'action" GROUP BY ALL',
            connection,
        )
    print(f"{accepted} accepted, {rejected} rejected, {len(summary)} summary rows")


if __name__ == "__main__":
    main()
