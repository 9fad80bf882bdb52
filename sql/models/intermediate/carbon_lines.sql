-- One row per impact row that says how much CO2e an action avoids each year:
-- the rule "the estimate beats the declaration", written here only. Activity
-- data gives an estimate (core.estimated_emissions, factor recorded). A declared
-- tCO2e counts only for actions without activity data: where both exist the
-- estimate is retained and the declaration stays visible beside it
-- (action_figures, marts.partner_summary).
SELECT
    e.campaign_id,
    e.partner_id,
    e.action_ref,
    e.source_row,
    m.first_full_year,
    'estimate' AS basis,
    e.tco2e_avoided_per_year AS tco2e_per_year
FROM {{ source("core", "estimated_emissions") }} AS e
INNER JOIN {{ ref("stg_impacts") }} AS m
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
    m.quantity AS tco2e_per_year
FROM {{ ref("stg_impacts") }} AS m
WHERE
    m.indicator = 'ges_evites'
    AND NOT EXISTS (
        SELECT 1
        FROM {{ source("core", "estimated_emissions") }} AS e
        WHERE
            e.campaign_id = m.campaign_id
            AND e.partner_id = m.partner_id
            AND e.action_ref = m.action_ref
    )
