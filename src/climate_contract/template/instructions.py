"""The Instructions sheet: whose workbook it is and for which campaign (lines the
parser reads back), how to fill it in, whom to ask, and a glossary of every column
of every sheet drawn from the contract and the reference data."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from climate_contract.contract import (
    ACTIONS,
    EXAMPLE_SHEET,
    IMPACTS,
    INVESTMENTS,
    SELF_ASSESSMENT,
    Column,
    campaign_line,
    partner_line,
    sheets_for,
)
from climate_contract.reference import Campaign, ReferenceData
from climate_contract.template.presentation import (
    NEED_LABELS,
    choice_labels,
    column_named,
    entry_rule,
    fitting_choices,
    narrowed_columns,
    write_header_row,
)
from climate_contract.wording import Language, Wording

GLOSSARY_TITLE = Wording(
    "Glossaire : chaque colonne des feuilles à remplir",
    "Glossary: every column of the sheets to fill in",
)
GLOSSARY_HEADERS = (
    Wording("Feuille", "Sheet"),
    Wording("Colonne", "Column"),
    Wording("Ce qu'elle contient", "What it holds"),
    Wording("Obligatoire ?", "Required?"),
    Wording("Valeurs possibles ou format", "Allowed values or format"),
)
GLOSSARY_WIDTHS = (18, 30, 55, 14, 70)
FREE_TEXT = Wording("Texte libre.", "Free text.")
INDICATOR_KINDS = {
    "result": Wording("Résultat direct", "Direct result"),
    "activity": Wording(
        "Donnée d'activité, convertie en tCO2e avec les facteurs d'émission",
        "Activity data, converted into tCO2e with the emission factors",
    ),
}
LIST_SEPARATOR = " ; "


def instruction_lines(
    reference: ReferenceData, partner_id: str, campaign_id: str, sample: bool
) -> list[Wording]:
    """The lines at the top of the sheet; the partner's and the campaign's stay
    among the first rows, where the parser reads them back."""
    partner = reference.partner(partner_id)
    campaign = reference.campaign(campaign_id)
    actions, investments, impacts = ACTIONS.title, INVESTMENTS.title, IMPACTS.title
    lines = [
        Wording(
            "Contrat Climat et Biodiversité : déclaration des actions des partenaires",
            "Climate and Biodiversity Contract: declaration of the partners' actions",
        ),
        partner_line(partner.name, partner.id),
        campaign_line(campaign.id, campaign.deadline),
    ]
    if campaign.contact:
        lines.append(
            Wording(
                f"Une question ? Votre contact : {campaign.contact}",
                f"A question? Your contact: {campaign.contact}",
            )
        )
    lines += [
        Wording("", ""),
        Wording(
            f"1. Feuille {actions.fr} : une ligne par action, avec votre propre référence unique.",
            f"1. {actions.en} sheet: one row per action, with your own unique reference.",
        ),
        Wording(
            f"2. Feuille {investments.fr} : une ligne par action et par année de dépense, en "
            f"euros ; la référence se choisit parmi celles de la feuille {actions.fr}.",
            f"2. {investments.en} sheet: one row per action and year of spending, in euros; "
            f"the reference is picked among those of the {actions.en} sheet.",
        ),
        Wording(
            f"3. Feuille {impacts.fr} : une ligne par action et par indicateur (valeur annuelle "
            "attendue) ; choisissez l'indicateur d'abord : la liste des unités ne propose "
            "que les siennes.",
            f"3. {impacts.en} sheet: one row per action and indicator (expected yearly value); "
            "pick the indicator first: the unit list offers only its units.",
        ),
    ]
    if SELF_ASSESSMENT.part in campaign.parts:
        assessment = SELF_ASSESSMENT.title
        lines.append(
            Wording(
                f"4. Feuille {assessment.fr} (facultative) : pour chaque thème, votre niveau "
                "de maturité sur l'échelle de la liste déroulante, et ce qui le fonde ; "
                "laissez vide un thème que vous n'évaluez pas. Vos réponses ne sont publiées "
                "que regroupées.",
                f"4. {assessment.en} sheet (optional): for each theme, your maturity level on "
                "the drop-down list's scale, and what it rests on; leave empty a theme you do "
                "not assess. Your answers are only published grouped.",
            )
        )
    lines += [
        Wording(
            "Choisissez les valeurs codées dans les listes déroulantes ; une aide s'affiche "
            "quand vous sélectionnez une cellule.",
            "Pick coded values from the drop-down lists; a help text shows when you select a cell.",
        ),
        Wording(
            f"La feuille {EXAMPLE_SHEET.fr} montre une ligne remplie de chaque feuille ; elle "
            "n'est jamais lue : vous pouvez la garder.",
            f"The {EXAMPLE_SHEET.en} sheet shows one filled-in row of each sheet; it is never "
            "read: you may keep it.",
        ),
        Wording(
            "Déposez le fichier complété dans votre dossier partagé : vous recevrez un rapport.",
            "Drop the completed file in your shared folder: you will receive a report.",
        ),
    ]
    if sample:
        lines.insert(
            0,
            Wording(
                "DONNÉES D'EXEMPLE : organisation et chiffres inventés.",
                "SAMPLE DATA: invented organisation and figures.",
            ),
        )
    return lines


def allowed_values(column: Column, reference: ReferenceData, language: Language) -> str:
    """What the glossary says a column takes: its list's labels, else its entry rule."""
    rule = entry_rule(column, language)
    if column.narrowed_by is not None:
        return f"{rule} {_see_table(column).in_language(language)}"
    if column.code_list is not None and column.listed_on is None:
        return LIST_SEPARATOR.join(choice_labels(column, reference, language))
    return rule or FREE_TEXT.in_language(language)


def _fitting_table_title(column: Column) -> Wording:
    narrowing = column_named(column.narrowed_by or "")
    return Wording(
        f"« {column.header.fr} » selon « {narrowing.header.fr} »",
        f'"{column.header.en}" by "{narrowing.header.en}"',
    )


def _see_table(column: Column) -> Wording:
    title = _fitting_table_title(column)
    return Wording(f"Voir le tableau {title.fr} ci-dessous.", f"See the {title.en} table below.")


def glossary_rows(
    reference: ReferenceData, campaign: Campaign, language: Language
) -> list[list[str]]:
    return [
        [
            sheet.title.in_language(language),
            column.header.in_language(language),
            column.hint.in_language(language),
            NEED_LABELS[column.required].in_language(language),
            allowed_values(column, reference, language),
        ]
        for sheet in sheets_for(campaign.parts)
        for column in sheet.columns
    ]


def _write_table(
    worksheet: Worksheet, title: str, headers: list[str], rows: list[list[str]]
) -> None:
    worksheet.append([])
    worksheet.append([title])
    worksheet.cell(row=worksheet.max_row, column=1).font = Font(bold=True, size=12)
    header_row = worksheet.max_row + 1
    write_header_row(worksheet, header_row, headers, GLOSSARY_WIDTHS[: len(headers)])
    for values in rows:
        worksheet.append(values)
        for cell in worksheet[worksheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_instructions(
    worksheet: Worksheet,
    reference: ReferenceData,
    partner_id: str,
    campaign: Campaign,
    sample: bool,
    language: Language,
) -> None:
    for line in instruction_lines(reference, partner_id, campaign.id, sample):
        worksheet.append([line.in_language(language)])
    worksheet["A1"].font = Font(bold=True, size=14)
    _write_table(
        worksheet,
        GLOSSARY_TITLE.in_language(language),
        [header.in_language(language) for header in GLOSSARY_HEADERS],
        glossary_rows(reference, campaign, language),
    )
    for column in narrowed_columns():
        narrowing = column_named(column.narrowed_by or "")
        rows = [
            [
                value.label.in_language(language),
                INDICATOR_KINDS[value.kind].in_language(language) if value.kind else "",
                LIST_SEPARATOR.join(fit.label.in_language(language) for fit in fitting),
            ]
            for value, fitting in fitting_choices(column, reference)
        ]
        _write_table(
            worksheet,
            _fitting_table_title(column).in_language(language),
            [
                narrowing.header.in_language(language),
                Wording("Nature", "Kind").in_language(language),
                Wording(
                    f"{column.header.fr} : valeurs possibles",
                    f"{column.header.en}: possible values",
                ).in_language(language),
            ],
            rows,
        )
    for letter, width in zip("ABCDE", GLOSSARY_WIDTHS, strict=True):
        worksheet.column_dimensions[letter].width = width
