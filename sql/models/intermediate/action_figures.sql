-- One row per declared action: its money (before tax, investment_lines) and its
-- carbon, before deduplication: declared by the partner (ges_evites rows),
-- estimated from its activity data, and retained (carbon_lines: the estimate
-- when there is one, else the declaration).
WITH money AS (
    SELECT
        campaign_id,
        partner_id,
        action_ref,
        SUM(amount_eur) AS investment_eur
    FROM {{ ref("investment_lines") }}
    GROUP BY campaign_id, partner_id, action_ref
),

declared AS (
    SELECT
        campaign_id,
        partner_id,
        action_ref,
        SUM(quantity) AS tco2e_per_year
    FROM {{ ref("stg_impacts") }}
    WHERE indicator = 'ges_evites'
    GROUP BY campaign_id, partner_id, action_ref
),

estimated AS (
    SELECT
        campaign_id,
        partner_id,
        action_ref,
        SUM(tco2e_avoided_per_year) AS tco2e_per_year
    FROM {{ source("core", "estimated_emissions") }}
    GROUP BY campaign_id, partner_id, action_ref
),

retained AS (
    SELECT
        campaign_id,
        partner_id,
        action_ref,
        SUM(tco2e_per_year) AS tco2e_per_year
    FROM {{ ref("carbon_lines") }}
    GROUP BY campaign_id, partner_id, action_ref
)

SELECT
    f.*,
    COALESCE(money.investment_eur, 0) AS investment_eur,
    declared.tco2e_per_year AS declared_tco2e_per_year,
    estimated.tco2e_per_year AS estimated_tco2e_per_year,
    COALESCE(retained.tco2e_per_year, 0) AS retained_tco2e_per_year
FROM {{ ref("action_facts") }} AS f
LEFT JOIN money
    ON
        f.campaign_id = money.campaign_id
        AND f.partner_id = money.partner_id
        AND f.action_ref = money.action_ref
LEFT JOIN declared
    ON
        f.campaign_id = declared.campaign_id
        AND f.partner_id = declared.partner_id
        AND f.action_ref = declared.action_ref
LEFT JOIN estimated
    ON
        f.campaign_id = estimated.campaign_id
        AND f.partner_id = estimated.partner_id
        AND f.action_ref = estimated.action_ref
LEFT JOIN retained
    ON
        f.campaign_id = retained.campaign_id
        AND f.partner_id = retained.partner_id
        AND f.action_ref = retained.action_ref
