-- One row per campaign, commune and plan axis whose live actions declare jobs or
-- activities (the contract's optional jobs part, for the campaigns that turn it
-- on): jobs created and consolidated (FTE) and activities created, counted once
-- per shared project (the lead's, as impacts), with the commune's
-- intercommunality. An action whose commune the reference does not know is in
-- the 'non_identifiee' commune. Confidential actions are pooled in one
-- 'confidentiel' row per campaign, whatever their commune and axis; its figures
-- are withheld where publishing them would expose a partner
-- (intermediate.withheld_cells).
WITH cells AS (
    SELECT
        campaign_id,
        {{ pooled("commune_code") }} AS commune_code,
        {{ pooled("plan_axis") }} AS plan_axis,
        COUNT(DISTINCT submission_id || '/' || action_ref) AS action_count,
        COUNT(DISTINCT partner_id) AS partner_count,
        COALESCE(SUM(value) FILTER (WHERE measure = 'jobs_created'), 0) AS jobs_created,
        COALESCE(SUM(value) FILTER (WHERE measure = 'jobs_consolidated'), 0)
            AS jobs_consolidated,
        COALESCE(SUM(value) FILTER (WHERE measure = 'activities_created'), 0)
            AS activities_created
    FROM {{ ref("job_lines") }}
    WHERE is_live AND counted
    GROUP BY campaign_id, {{ pooled("commune_code") }}, {{ pooled("plan_axis") }}
),

withheld AS (
    SELECT
        campaign_id,
        MIN(deduplicated_reason) FILTER (WHERE measure = 'jobs_created') AS jobs_created,
        MIN(deduplicated_reason) FILTER (WHERE measure = 'jobs_consolidated')
            AS jobs_consolidated,
        MIN(deduplicated_reason) FILTER (WHERE measure = 'activities_created')
            AS activities_created
    FROM {{ source("disclosure", "withheld_cells") }}
    GROUP BY campaign_id
)

SELECT
    c.campaign_id,
    c.commune_code,
    commune.name AS commune_name,
    commune.epci_code,
    commune.epci_name,
    c.plan_axis,
    axis.label_fr AS plan_axis_label,
    -- How many confidential actions declare jobs would tell what the pool's
    -- withheld figures hide (an activity each, say): never published.
    CASE WHEN c.plan_axis <> '{{ var("confidential_pool") }}' THEN c.action_count END
        AS action_count,
    CASE WHEN c.plan_axis <> '{{ var("confidential_pool") }}' THEN c.partner_count END
        AS partner_count,
    {{ published("c.jobs_created", "w.jobs_created") }} AS jobs_created,
    {{ published("c.jobs_consolidated", "w.jobs_consolidated") }} AS jobs_consolidated,
    {{ published("c.activities_created", "w.activities_created") }} AS activities_created,
    COALESCE(w.jobs_created, w.jobs_consolidated, w.activities_created) AS suppressed_reason
FROM cells AS c
LEFT JOIN {{ source("ref", "communes") }} AS commune ON c.commune_code = commune.commune_code
LEFT JOIN withheld AS w
    ON c.plan_axis = '{{ var("confidential_pool") }}' AND c.campaign_id = w.campaign_id
LEFT JOIN {{ ref("labels") }} AS axis
    ON axis.list_name = 'plan_axis' AND c.plan_axis = axis.code
ORDER BY c.campaign_id, c.commune_code, c.plan_axis
