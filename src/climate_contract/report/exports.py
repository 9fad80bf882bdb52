"""The marts for people without a BI tool: one CSV per mart as French Excel opens
it (``;``, decimal comma, UTF-8 with BOM) and one XLSX workbook with a sheet per
mart and a "lisez-moi" sheet; figures rounded for reading (the warehouse and the
Parquet files keep them exact)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from climate_contract.aggregate import MartDescription
    from climate_contract.report.officials import Publication

SHARE_DECIMALS = 4
"""Shares are fractions (0.1234 = 12.34 %)."""
FIGURE_DECIMALS = 2
WORKBOOK = "marts.xlsx"
README_SHEET = "lisez-moi"


def _decimals(column: str) -> int:
    return SHARE_DECIMALS if column.startswith("share_") else FIGURE_DECIMALS


def _rounded(column: str, value: Any) -> Any:
    """A figure as the exports show it: a share to 4 decimals, others to 2."""
    return round(value, _decimals(column)) if isinstance(value, float) else value


def _csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.{_decimals(column)}f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)  # dates and times in ISO 8601, times with a space


def mart_csv(table: pa.Table) -> bytes:
    """The mart as a CSV file French Excel opens as is."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(_csv_cell(column, value) for column, value in row.items())
    return text.getvalue().encode("utf-8-sig")


def marts_workbook(
    tables: Mapping[str, pa.Table],
    descriptions: Mapping[str, MartDescription],
    publication: Publication,
) -> bytes:
    """Every mart as a sheet, after a "lisez-moi" sheet saying what each holds."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    readme = workbook.create_sheet(README_SHEET)
    readme.append(
        [
            f"Contrat Climat et Biodiversité : tables publiées, données du "
            f"{publication.built_at:%d/%m/%Y}, publication {publication.mark[:12]}"
            + (f", instantané officiel {publication.snapshot}" if publication.snapshot else "")
        ]
    )
    readme.append(
        [
            "Chaque feuille est une table du contrat (un « mart ») ; chaque colonne est "
            "décrite ci-dessous. Montants en euros hors taxes, carbone en tCO2e par an, "
            "parts en fraction (0,1 = 10 %). Chiffres arrondis : l'entrepôt et les "
            "fichiers Parquet les gardent exacts. Descriptions en anglais (dictionnaire "
            "des données du projet)."
        ]
    )
    for name, table in tables.items():
        described = descriptions.get(name)
        readme.append([])
        readme.append([name, described.description if described else ""])
        for column in table.column_names:
            readme.append(["", column, described.columns.get(column, "") if described else ""])
        sheet = workbook.create_sheet(name)
        sheet.append(table.column_names)
        for row in table.to_pylist():
            sheet.append([_xlsx_cell(column, value) for column, value in row.items()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(column: str, value: Any) -> Any:
    value = _rounded(column, value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: times are UTC
    return value


def export_documents(
    tables: Mapping[str, pa.Table],
    descriptions: Mapping[str, MartDescription],
    publication: Publication,
) -> dict[str, bytes]:
    """The exports by path in a publication: ``exports/<mart>.csv`` and the workbook."""
    documents = {f"exports/{name}.csv": mart_csv(table) for name, table in tables.items()}
    documents[f"exports/{WORKBOOK}"] = marts_workbook(tables, descriptions, publication)
    return documents
