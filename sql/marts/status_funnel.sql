-- One row per campaign and action status (planned, committed, in progress, done,
-- abandoned): how many actions, by how many partners, with how much money and
-- carbon, counted once per shared project. Cells resting on too few partners
-- with confidential data show no figures.
WITH cells AS (
    SELECT
        a.campaign_id,
        a.status,
        COUNT(*) AS action_count,
        COUNT(DISTINCT a.partner_id) AS partner_count,
        COALESCE(SUM(a.investment_eur) FILTER (WHERE a.investment_counted), 0)
            AS investment_eur_deduplicated,
        COALESCE(SUM(a.retained_tco2e_per_year) FILTER (WHERE a.impacts_counted), 0)
            AS tco2e_per_year_deduplicated,
        BOOL_OR(a.confidential) AND COUNT(DISTINCT a.partner_id) < MIN(r.confidentiality_min_partners)
            AS suppressed
    FROM core.action_figures AS a
    CROSS JOIN ref.publication_rules AS r
    GROUP BY a.campaign_id, a.status
)

SELECT
    c.campaign_id,
    c.status,
    label.label_fr AS status_label,
    CASE WHEN NOT c.suppressed THEN c.action_count END AS action_count,
    c.partner_count,
    CASE WHEN NOT c.suppressed THEN c.investment_eur_deduplicated END
        AS investment_eur_deduplicated,
    CASE WHEN NOT c.suppressed THEN c.tco2e_per_year_deduplicated END
        AS tco2e_per_year_deduplicated,
    CASE WHEN c.suppressed THEN 'confidential_below_partner_threshold' END AS suppressed_reason
FROM cells AS c
LEFT JOIN ref.code_values AS label ON label.list_name = 'status' AND c.status = label.code
ORDER BY c.campaign_id, c.status
