-- One row per campaign and partner with accepted data: what the partner declares,
-- confidential actions left out entirely (they never show at partner level).
-- Gross figures are as declared; "counted" ones leave out what deduplication
-- attributes to another partner of a shared project.
SELECT
    a.campaign_id,
    a.partner_id,
    p.name AS partner_name,
    p.college,
    COUNT(*) AS action_count,
    COUNT(*) FILTER (WHERE a.is_live) AS live_action_count,
    COUNT(*) FILTER (WHERE a.shared_project_key IS NOT NULL) AS shared_project_action_count,
    COALESCE(SUM(a.investment_eur) FILTER (WHERE a.is_live), 0) AS investment_eur_gross,
    COALESCE(SUM(a.investment_eur) FILTER (WHERE a.is_live AND a.investment_counted), 0)
        AS investment_eur_counted,
    SUM(a.declared_tco2e_per_year) FILTER (WHERE a.is_live) AS declared_tco2e_per_year,
    SUM(a.estimated_tco2e_per_year) FILTER (WHERE a.is_live) AS estimated_tco2e_per_year,
    COALESCE(SUM(a.retained_tco2e_per_year) FILTER (WHERE a.is_live), 0)
        AS retained_tco2e_per_year_gross,
    COALESCE(SUM(a.retained_tco2e_per_year) FILTER (WHERE a.is_live AND a.impacts_counted), 0)
        AS retained_tco2e_per_year_counted
FROM {{ ref("action_figures") }} AS a
INNER JOIN {{ source("ref", "partners") }} AS p ON a.partner_id = p.partner_id
WHERE NOT a.confidential
GROUP BY a.campaign_id, a.partner_id, p.name, p.college
ORDER BY a.campaign_id, a.partner_id
