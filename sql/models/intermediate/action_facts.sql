-- One row per declared action, with what deduplication needs.
-- A shared project (same shared_project_key in a campaign) is counted once:
--   money: the lead's ("porteur") amounts; co-funders' amounts fund the lead's
--     project and are not counted again. If no lead declared the project at
--     all, every co-funder's money counts (nobody else counts it).
--   impacts: the lead's; if no lead declared it, those of one live co-funder
--     only (the first by partner id), never the sum of several.
--   A project its lead abandoned is abandoned: no co-funder's claim takes over
--   (its declarations stay in gross figures, and the disagreements mart lists them).
WITH leads AS (
    SELECT
        campaign_id,
        shared_project_key,
        COUNT(*) FILTER (WHERE status <> 'abandonnee') AS lead_count,
        COUNT(*) AS declared_lead_count
    FROM {{ source("core", "actions") }}
    WHERE shared_project_key IS NOT NULL AND role = 'porteur'
    GROUP BY campaign_id, shared_project_key
),

first_cofunders AS (
    SELECT
        campaign_id,
        shared_project_key,
        MIN(partner_id) AS partner_id
    FROM {{ source("core", "actions") }}
    WHERE
        shared_project_key IS NOT NULL
        AND role = 'cofinanceur'
        AND status <> 'abandonnee'
    GROUP BY campaign_id, shared_project_key
)

SELECT
    a.campaign_id,
    a.partner_id,
    a.action_ref,
    a.submission_id,
    a.source_sheet,
    a.source_row,
    a.title,
    a.plan_axis,
    a.sector,
    a.status,
    a.start_year,
    a.end_year,
    a.role,
    a.shared_project_key,
    a.confidential,
    a.commune_code,
    a.jobs_created,
    a.jobs_consolidated,
    a.activity_created,
    a.status <> 'abandonnee' AS is_live,
    COALESCE(l.lead_count, 0) AS project_lead_count,
    (
        a.shared_project_key IS NULL
        OR a.role = 'porteur'
        OR COALESCE(l.declared_lead_count, 0) = 0
    ) AS investment_counted,
    (
        a.shared_project_key IS NULL
        OR a.role = 'porteur'
        OR (COALESCE(l.declared_lead_count, 0) = 0 AND fc.partner_id = a.partner_id)
    ) AS impacts_counted
FROM {{ source("core", "actions") }} AS a
LEFT JOIN leads AS l
    ON
        a.campaign_id = l.campaign_id
        AND a.shared_project_key = l.shared_project_key
LEFT JOIN first_cofunders AS fc
    ON
        a.campaign_id = fc.campaign_id
        AND a.shared_project_key = fc.shared_project_key
