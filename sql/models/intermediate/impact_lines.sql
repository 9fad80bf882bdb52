-- One row per impact an action delivers each year from its first year of full
-- effect, in the indicator's base unit: carbon from carbon_lines
-- (indicator 'ges_evites', tCO2e/yr), other direct results (hectares, trees,
-- km) in base units (staging.stg_impacts). With the action's axis, status,
-- liveness, confidentiality and deduplication flag, and the submission, sheet
-- and row it comes from; the disclosure audit reads these lines as the
-- contributions behind every published quantity.
SELECT
    c.campaign_id,
    c.partner_id,
    c.action_ref,
    m.submission_id,
    m.source_sheet,
    m.source_row,
    'ges_evites' AS indicator,
    f.plan_axis,
    f.status,
    f.is_live,
    f.confidential,
    f.impacts_counted,
    c.first_full_year,
    c.tco2e_per_year AS quantity
FROM {{ ref("carbon_lines") }} AS c
INNER JOIN {{ ref("stg_impacts") }} AS m
    ON
        c.campaign_id = m.campaign_id
        AND c.partner_id = m.partner_id
        AND c.source_row = m.source_row
INNER JOIN {{ ref("action_facts") }} AS f
    ON
        c.campaign_id = f.campaign_id
        AND c.partner_id = f.partner_id
        AND c.action_ref = f.action_ref
UNION ALL
SELECT
    m.campaign_id,
    m.partner_id,
    m.action_ref,
    m.submission_id,
    m.source_sheet,
    m.source_row,
    m.indicator,
    f.plan_axis,
    f.status,
    f.is_live,
    f.confidential,
    f.impacts_counted,
    m.first_full_year,
    m.quantity
FROM {{ ref("stg_impacts") }} AS m
INNER JOIN {{ ref("action_facts") }} AS f
    ON
        m.campaign_id = f.campaign_id
        AND m.partner_id = f.partner_id
        AND m.action_ref = f.action_ref
INNER JOIN {{ source("ref", "code_values") }} AS i ON i.list_name = 'indicator' AND m.indicator = i.code
WHERE i.indicator_kind = 'result' AND m.indicator <> 'ges_evites'
