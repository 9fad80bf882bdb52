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
    FROM {{ ref("action_figures") }}
    WHERE shared_project_key IS NOT NULL AND NOT confidential
),

single_leads AS (
    SELECT
        campaign_id,
        shared_project_key
    FROM {{ ref("action_facts") }}
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

compared AS (
    SELECT
        p.*,
        aspect.name AS aspect,
        CASE aspect.name
            WHEN 'status' THEN (p.lead_status = 'abandonnee') <> (p.status = 'abandonnee')
            WHEN 'years' THEN p.lead_years <> p.years
            WHEN 'amount' THEN p.investment_eur > p.lead_investment_eur
            ELSE
                p.tco2e_per_year <> 0
                AND ABS(p.tco2e_per_year - p.lead_tco2e_per_year)
                > 0.01 * ABS(p.lead_tco2e_per_year)
        END AS disagrees,
        CASE aspect.name
            WHEN 'status' THEN p.lead_status
            WHEN 'years' THEN p.lead_years
            WHEN 'amount' THEN CAST(ROUND(CAST(p.lead_investment_eur AS NUMERIC), 2) AS TEXT)
            ELSE CAST(ROUND(CAST(p.lead_tco2e_per_year AS NUMERIC), 2) AS TEXT)
        END AS lead_value,
        CASE aspect.name
            WHEN 'status' THEN p.status
            WHEN 'years' THEN p.years
            WHEN 'amount' THEN CAST(ROUND(CAST(p.investment_eur AS NUMERIC), 2) AS TEXT)
            ELSE CAST(ROUND(CAST(p.tco2e_per_year AS NUMERIC), 2) AS TEXT)
        END AS declared_value
    FROM pairs AS p
    CROSS JOIN (VALUES ('status'), ('years'), ('amount'), ('impacts')) AS aspect (name)
)

SELECT
    campaign_id,
    shared_project_key,
    partner_id,
    action_ref,
    lead_partner_id,
    aspect,
    lead_value,
    declared_value
FROM compared
WHERE disagrees
ORDER BY campaign_id, shared_project_key, partner_id, action_ref, aspect
