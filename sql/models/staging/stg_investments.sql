-- Every investment row as loaded, counted before tax: an amount declared TTC is
-- divided by 1 + the VAT rate of its tax basis (ref.code_values); HT and TTC are
-- never added as declared. The declared amount and basis stay beside it.
SELECT
    i.campaign_id,
    i.partner_id,
    i.action_ref,
    i.submission_id,
    i.source_sheet,
    i.source_row,
    i.year,
    i.funder,
    i.tax_basis,
    i.nature,
    i.funding_source,
    i.amount_eur AS declared_amount_eur,
    i.amount_eur / (1 + COALESCE(basis.vat_rate, 0)) AS amount_eur
FROM {{ source("core", "investments") }} AS i
LEFT JOIN {{ source("ref", "code_values") }} AS basis
    ON basis.list_name = 'tax_basis' AND i.tax_basis = basis.code
