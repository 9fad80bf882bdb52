-- One row per investment, with what the marts group and count it by: the
-- action's plan axis, sector and status, whether it is live (not abandoned),
-- its partner, whether it is confidential and whether deduplication counts its
-- money (core.action_facts). The disclosure audit reads these lines as the
-- contributions behind every published amount.
-- Amounts are counted before tax: an amount declared TTC is divided by 1 + the
-- VAT rate of its tax basis (ref.code_values); HT and TTC are never added as
-- declared. The declared amount and basis stay beside it.
SELECT
    i.campaign_id,
    i.partner_id,
    i.action_ref,
    i.submission_id,
    i.source_sheet,
    i.source_row,
    f.plan_axis,
    f.sector,
    f.status,
    f.is_live,
    i.year,
    f.confidential,
    f.investment_counted,
    i.tax_basis,
    i.amount_eur AS declared_amount_eur,
    i.amount_eur / (1 + COALESCE(basis.vat_rate, 0)) AS amount_eur
FROM core.investments AS i
INNER JOIN core.action_facts AS f
    ON
        i.campaign_id = f.campaign_id
        AND i.partner_id = f.partner_id
        AND i.action_ref = f.action_ref
LEFT JOIN ref.code_values AS basis
    ON basis.list_name = 'tax_basis' AND i.tax_basis = basis.code
