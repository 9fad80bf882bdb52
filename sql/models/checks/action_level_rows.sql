-- Every action that an action-level mart shows, with whether it is confidential.
SELECT
    'shared_projects' AS mart,
    a.confidential
FROM {{ ref("shared_projects") }} AS m
INNER JOIN {{ source("core", "actions") }} AS a
    ON
        m.campaign_id = a.campaign_id
        AND m.partner_id = a.partner_id
        AND m.action_ref = a.action_ref
UNION ALL
SELECT
    'shared_project_disagreements' AS mart,
    a.confidential
FROM {{ ref("shared_project_disagreements") }} AS m
INNER JOIN {{ source("core", "actions") }} AS a
    ON
        m.campaign_id = a.campaign_id
        AND a.partner_id IN (m.partner_id, m.lead_partner_id)
        AND a.shared_project_key = m.shared_project_key
        AND (a.action_ref = m.action_ref OR a.role = 'porteur')
UNION ALL
SELECT
    'year_over_year_changes' AS mart,
    a.confidential
FROM {{ ref("year_over_year_changes") }} AS m
INNER JOIN {{ source("core", "actions") }} AS a
    ON
        m.partner_id = a.partner_id
        AND m.action_ref = a.action_ref
        AND a.campaign_id IN (m.campaign_id, m.previous_campaign_id)
UNION ALL
SELECT
    'partner_summary' AS mart,
    m.action_count <> (
        SELECT COUNT(*)
        FROM {{ source("core", "actions") }} AS a
        WHERE
            a.campaign_id = m.campaign_id
            AND a.partner_id = m.partner_id
            AND NOT a.confidential
    ) AS confidential
FROM {{ ref("partner_summary") }} AS m
