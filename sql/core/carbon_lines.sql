-- One row per impact row that says how much CO2e an action avoids each year.
-- Activity data gives an estimate (core.estimated_emissions, factor recorded).
-- A declared tCO2e counts only for actions without activity data: where both
-- exist the estimate is retained and the declaration stays visible beside it
-- (marts.partner_summary, core.estimated_emissions).
SELECT
    e.campaign_id,
    e.partner_id,
    e.action_ref,
    e.source_row,
    m.first_full_year,
    'estimate' AS basis,
    e.tco2e_avoided_per_year AS tco2e_per_year
FROM core.estimated_emissions AS e
INNER JOIN core.impacts AS m
    ON
        e.campaign_id = m.campaign_id
        AND e.partner_id = m.partner_id
        AND e.source_row = m.source_row
UNION ALL
SELECT
    m.campaign_id,
    m.partner_id,
    m.action_ref,
    m.source_row,
    m.first_full_year,
    'declared' AS basis,
    m.value * u.scale AS tco2e_per_year
FROM core.impacts AS m
INNER JOIN ref.code_values AS u
    ON u.list_name = 'unit' AND m.unit = u.code
WHERE
    m.indicator = 'ges_evites'
    AND NOT EXISTS (
        SELECT 1
        FROM core.estimated_emissions AS e
        WHERE
            e.campaign_id = m.campaign_id
            AND e.partner_id = m.partner_id
            AND e.action_ref = m.action_ref
    )
