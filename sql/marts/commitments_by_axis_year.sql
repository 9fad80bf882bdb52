-- key: campaign_id, plan_axis, year
-- One row per campaign, plan axis and year: the money live actions commit that
-- year (gross and deduplicated, as in commitments_by_axis_sector_year) and the
-- tCO2e per year they avoid by then (as in carbon_trajectory_vs_target).
-- Confidential actions count only in the pooled 'confidentiel' rows.
WITH cells AS (
    SELECT
        campaign_id,
        plan_axis,
        year,
        SUM(amount_eur) AS gross,
        COALESCE(SUM(amount_eur) FILTER (WHERE investment_counted), 0) AS deduplicated,
        COUNT(DISTINCT partner_id) AS partner_count,
        MIN(gross_reason) AS gross_reason,
        MIN(deduplicated_reason) AS deduplicated_reason
    FROM core.pooled_investment_lines
    GROUP BY campaign_id, plan_axis, year
)

SELECT
    c.campaign_id,
    c.plan_axis,
    axis.label_fr AS plan_axis_label,
    c.year,
    CASE WHEN c.gross_reason IS NULL THEN c.gross END AS investment_eur_gross,
    CASE WHEN c.deduplicated_reason IS NULL THEN c.deduplicated END
        AS investment_eur_deduplicated,
    c.partner_count AS investing_partners,
    CASE WHEN carbon.year IS NULL THEN 0 ELSE carbon.deduplicated END
        AS avoided_tco2e_per_year_deduplicated,
    COALESCE(c.deduplicated_reason, c.gross_reason, carbon.suppressed_reason) AS suppressed_reason
FROM cells AS c
LEFT JOIN core.impact_cells AS carbon
    ON
        carbon.indicator = 'ges_evites'
        AND c.campaign_id = carbon.campaign_id
        AND c.plan_axis = carbon.plan_axis
        AND c.year = carbon.year
LEFT JOIN core.labels AS axis ON axis.list_name = 'plan_axis' AND c.plan_axis = axis.code
ORDER BY c.campaign_id, c.plan_axis, c.year
