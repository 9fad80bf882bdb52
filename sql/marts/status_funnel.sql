-- key: campaign_id, status
-- One row per campaign and action status (planned, committed, in progress, done,
-- abandoned): how many actions, by how many partners, with how much money and
-- carbon, counted once per shared project. Confidential actions are pooled in
-- the 'confidentiel' row, whatever their status; its figures are withheld where
-- publishing them would expose a partner (core.withheld_cells).
WITH cells AS (
    SELECT
        campaign_id,
        CASE WHEN confidential THEN 'confidentiel' ELSE status END AS status,
        COUNT(*) AS action_count,
        COUNT(DISTINCT partner_id) AS partner_count,
        COALESCE(SUM(investment_eur) FILTER (WHERE investment_counted), 0)
            AS investment_eur_deduplicated,
        COALESCE(SUM(retained_tco2e_per_year) FILTER (WHERE impacts_counted), 0)
            AS tco2e_per_year_deduplicated
    FROM core.action_figures
    GROUP BY campaign_id, CASE WHEN confidential THEN 'confidentiel' ELSE status END
)

SELECT
    c.campaign_id,
    c.status,
    label.label_fr AS status_label,
    c.action_count,
    c.partner_count,
    CASE WHEN money.deduplicated_reason IS NULL THEN c.investment_eur_deduplicated END
        AS investment_eur_deduplicated,
    CASE WHEN carbon.deduplicated_reason IS NULL THEN c.tco2e_per_year_deduplicated END
        AS tco2e_per_year_deduplicated,
    COALESCE(money.deduplicated_reason, carbon.deduplicated_reason) AS suppressed_reason
FROM cells AS c
LEFT JOIN core.withheld_cells AS money
    ON
        c.status = 'confidentiel'
        AND c.campaign_id = money.campaign_id
        AND money.measure = 'funnel_investment_eur'
LEFT JOIN core.withheld_cells AS carbon
    ON
        c.status = 'confidentiel'
        AND c.campaign_id = carbon.campaign_id
        AND carbon.measure = 'funnel_tco2e'
LEFT JOIN core.labels AS label ON label.list_name = 'status' AND c.status = label.code
ORDER BY c.campaign_id, c.status
