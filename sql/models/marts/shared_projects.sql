-- One row per declaration of a shared project (same shared_project_key in a
-- campaign): who declared it, in which role, with what money and carbon, and
-- whether deduplication counts that declaration's money and impacts.
-- Confidential declarations are left out.
SELECT
    a.campaign_id,
    a.shared_project_key,
    a.partner_id,
    p.name AS partner_name,
    a.role,
    a.action_ref,
    a.title,
    a.status,
    a.project_lead_count,
    a.investment_eur,
    a.retained_tco2e_per_year,
    a.investment_counted,
    a.impacts_counted
FROM {{ ref("action_figures") }} AS a
INNER JOIN {{ source("ref", "partners") }} AS p ON a.partner_id = p.partner_id
WHERE a.shared_project_key IS NOT NULL AND NOT a.confidential
ORDER BY a.campaign_id, a.shared_project_key, a.role DESC, a.partner_id
