-- One row per declared action: its money (before tax, core.investment_lines) and
-- its carbon, before deduplication.
-- Carbon: declared by the partner (ges_evites rows), estimated from its activity
-- data, and retained (the estimate when there is one, else the declaration).
WITH money AS (
    SELECT
        campaign_id,
        partner_id,
        action_ref,
        SUM(amount_eur) AS investment_eur
    FROM core.investment_lines
    GROUP BY campaign_id, partner_id, action_ref
),

declared AS (
    SELECT
        m.campaign_id,
        m.partner_id,
        m.action_ref,
        SUM(m.value * u.scale) AS tco2e_per_year
    FROM core.impacts AS m
    INNER JOIN ref.code_values AS u ON u.list_name = 'unit' AND m.unit = u.code
    WHERE m.indicator = 'ges_evites'
    GROUP BY m.campaign_id, m.partner_id, m.action_ref
),

estimated AS (
    SELECT
        campaign_id,
        partner_id,
        action_ref,
        SUM(tco2e_avoided_per_year) AS tco2e_per_year
    FROM core.estimated_emissions
    GROUP BY campaign_id, partner_id, action_ref
)

SELECT
    f.*,
    COALESCE(money.investment_eur, 0) AS investment_eur,
    declared.tco2e_per_year AS declared_tco2e_per_year,
    estimated.tco2e_per_year AS estimated_tco2e_per_year,
    COALESCE(estimated.tco2e_per_year, declared.tco2e_per_year, 0) AS retained_tco2e_per_year
FROM core.action_facts AS f
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
