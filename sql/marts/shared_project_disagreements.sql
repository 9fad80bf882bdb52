-- key: campaign_id, shared_project_key, partner_id, action_ref, aspect
-- One row per point on which a co-funder's declaration of a shared project
-- disagrees with its lead's, for the steward to raise with the partners:
--   status: one of them abandoned the project, the other did not (a project
--     its lead abandoned is abandoned: the co-funder's claim is not counted);
--   years: other start or end years;
--   amount: the co-funder declares more money than the lead's whole project;
--   impacts: the co-funder claims a carbon impact more than 1 % away from the lead's.
-- Projects with one lead only, and declarations that are not confidential.
WITH declarations AS (
    SELECT *
    FROM core.action_figures
    WHERE shared_project_key IS NOT NULL AND NOT confidential
),

single_leads AS (
    SELECT
        campaign_id,
        shared_project_key
    FROM core.action_facts
    WHERE shared_project_key IS NOT NULL AND role = 'porteur'
    GROUP BY campaign_id, shared_project_key
    HAVING COUNT(*) = 1 AND NOT BOOL_OR(confidential)
),

pairs AS (
    SELECT
        c.campaign_id,
        c.shared_project_key,
        c.partner_id,
        c.action_ref,
        l.partner_id AS lead_partner_id,
        l.status AS lead_status,
        c.status,
        COALESCE(CAST(l.start_year AS TEXT), '?') || '-' || COALESCE(CAST(l.end_year AS TEXT), '?')
            AS lead_years,
        COALESCE(CAST(c.start_year AS TEXT), '?') || '-' || COALESCE(CAST(c.end_year AS TEXT), '?')
            AS years,
        l.investment_eur AS lead_investment_eur,
        c.investment_eur,
        l.retained_tco2e_per_year AS lead_tco2e_per_year,
        c.retained_tco2e_per_year AS tco2e_per_year
    FROM declarations AS c
    INNER JOIN single_leads AS k
        ON c.campaign_id = k.campaign_id AND c.shared_project_key = k.shared_project_key
    INNER JOIN declarations AS l
        ON
            c.campaign_id = l.campaign_id
            AND c.shared_project_key = l.shared_project_key
            AND l.role = 'porteur'
    WHERE c.role = 'cofinanceur'
),

disagreements AS (
    SELECT
        campaign_id,
        shared_project_key,
        partner_id,
        action_ref,
        lead_partner_id,
        'status' AS aspect,
        lead_status AS lead_value,
        status AS declared_value
    FROM pairs
    WHERE (lead_status = 'abandonnee') <> (status = 'abandonnee')
    UNION ALL
    SELECT
        campaign_id,
        shared_project_key,
        partner_id,
        action_ref,
        lead_partner_id,
        'years' AS aspect,
        lead_years AS lead_value,
        years AS declared_value
    FROM pairs
    WHERE lead_years <> years
    UNION ALL
    SELECT
        campaign_id,
        shared_project_key,
        partner_id,
        action_ref,
        lead_partner_id,
        'amount' AS aspect,
        CAST(ROUND(CAST(lead_investment_eur AS NUMERIC), 2) AS TEXT) AS lead_value,
        CAST(ROUND(CAST(investment_eur AS NUMERIC), 2) AS TEXT) AS declared_value
    FROM pairs
    WHERE investment_eur > lead_investment_eur
    UNION ALL
    SELECT
        campaign_id,
        shared_project_key,
        partner_id,
        action_ref,
        lead_partner_id,
        'impacts' AS aspect,
        CAST(ROUND(CAST(lead_tco2e_per_year AS NUMERIC), 2) AS TEXT) AS lead_value,
        CAST(ROUND(CAST(tco2e_per_year AS NUMERIC), 2) AS TEXT) AS declared_value
    FROM pairs
    WHERE
        tco2e_per_year <> 0
        AND ABS(tco2e_per_year - lead_tco2e_per_year) > 0.01 * ABS(lead_tco2e_per_year)
)

SELECT *
FROM disagreements
ORDER BY campaign_id, shared_project_key, partner_id, action_ref, aspect
