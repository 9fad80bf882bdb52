-- Every action whose retained carbon (action_figures, from carbon_lines) is not,
-- recomputed from the loaded rows alone, its estimate when it has activity data,
-- else its declared tCO2e: the rule carbon_lines writes, checked from outside it.
WITH declared AS (
    SELECT
        m.campaign_id,
        m.partner_id,
        m.action_ref,
        SUM(m.value * u.scale) AS tco2e_per_year
    FROM {{ source("core", "impacts") }} AS m
    INNER JOIN {{ source("ref", "code_values") }} AS u
        ON u.list_name = 'unit' AND m.unit = u.code
    WHERE m.indicator = 'ges_evites'
    GROUP BY m.campaign_id, m.partner_id, m.action_ref
),

estimated AS (
    SELECT
        campaign_id,
        partner_id,
        action_ref,
        SUM(tco2e_avoided_per_year) AS tco2e_per_year
    FROM {{ source("core", "estimated_emissions") }}
    GROUP BY campaign_id, partner_id, action_ref
)

SELECT
    a.campaign_id,
    a.partner_id,
    a.action_ref,
    a.retained_tco2e_per_year,
    COALESCE(e.tco2e_per_year, d.tco2e_per_year, 0) AS expected_tco2e_per_year
FROM {{ ref("action_figures") }} AS a
LEFT JOIN estimated AS e
    ON
        a.campaign_id = e.campaign_id
        AND a.partner_id = e.partner_id
        AND a.action_ref = e.action_ref
LEFT JOIN declared AS d
    ON
        a.campaign_id = d.campaign_id
        AND a.partner_id = d.partner_id
        AND a.action_ref = d.action_ref
WHERE
    ABS(a.retained_tco2e_per_year - COALESCE(e.tco2e_per_year, d.tco2e_per_year, 0))
    > 1e-6 * (1 + ABS(COALESCE(e.tco2e_per_year, d.tco2e_per_year, 0)))
