-- One row per investment, before tax (staging.stg_investments), with what the
-- marts group and count it by: the action's plan axis, sector and status,
-- whether it is live (not abandoned), its partner, whether it is confidential
-- and whether deduplication counts its money (action_facts), its nature and
-- funding source ('non_renseigne' when the partner gave none, var "not_given"). The disclosure
-- audit reads these lines as the contributions behind every published amount.
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
    i.funder,
    i.nature,
    COALESCE(i.funding_source, '{{ var("not_given") }}') AS funding_source,
    f.confidential,
    f.investment_counted,
    i.tax_basis,
    i.declared_amount_eur,
    i.amount_eur
FROM {{ ref("stg_investments") }} AS i
INNER JOIN {{ ref("action_facts") }} AS f
    ON
        i.campaign_id = f.campaign_id
        AND i.partner_id = f.partner_id
        AND i.action_ref = f.action_ref
