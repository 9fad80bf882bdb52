-- One row per campaign, plan axis and year: the money live actions commit that
-- year (gross and deduplicated, as in commitments_by_axis_sector_year) and the
-- tCO2e per year they avoid by then (as in carbon_trajectory_vs_target).
WITH cells AS (
    SELECT
        l.campaign_id,
        l.plan_axis,
        l.year,
        SUM(l.amount_eur) AS gross,
        COALESCE(SUM(l.amount_eur) FILTER (WHERE l.investment_counted), 0) AS deduplicated,
        COUNT(DISTINCT l.partner_id) AS partner_count,
        BOOL_OR(l.confidential) AND COUNT(DISTINCT l.partner_id) < MIN(r.confidentiality_min_partners)
            AS suppressed
    FROM core.investment_lines AS l
    CROSS JOIN ref.publication_rules AS r
    GROUP BY l.campaign_id, l.plan_axis, l.year
)

SELECT
    c.campaign_id,
    c.plan_axis,
    axis.label_fr AS plan_axis_label,
    c.year,
    CASE WHEN NOT c.suppressed THEN c.gross END AS investment_eur_gross,
    CASE WHEN NOT c.suppressed THEN c.deduplicated END AS investment_eur_deduplicated,
    c.partner_count AS investing_partners,
    CASE WHEN NOT COALESCE(carbon.suppressed, FALSE) THEN COALESCE(carbon.deduplicated, 0) END
        AS avoided_tco2e_per_year_deduplicated,
    CASE
        WHEN c.suppressed OR COALESCE(carbon.suppressed, FALSE) THEN 'confidential_below_partner_threshold'
    END AS suppressed_reason
FROM cells AS c
LEFT JOIN core.impact_cells AS carbon
    ON
        carbon.indicator = 'ges_evites'
        AND c.campaign_id = carbon.campaign_id
        AND c.plan_axis = carbon.plan_axis
        AND c.year = carbon.year
LEFT JOIN ref.code_values AS axis ON axis.list_name = 'plan_axis' AND c.plan_axis = axis.code
ORDER BY c.campaign_id, c.plan_axis, c.year
