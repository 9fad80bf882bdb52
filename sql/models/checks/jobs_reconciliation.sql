-- Per campaign, for the confidential pool and for the rest apart: the jobs
-- figures of core's live actions, counted once per shared project, minus what
-- marts.jobs_by_territory publishes plus what the disclosure plan withholds in its
-- pooled row. Every difference must be zero. Read from core, not from
-- job_lines: a fault there, or a confidential action counted in its axis, shows.
WITH actions AS (
    SELECT
        a.campaign_id,
        a.confidential AS pooled,
        COALESCE(a.jobs_created, 0) AS jobs_created,
        COALESCE(a.jobs_consolidated, 0) AS jobs_consolidated,
        CASE WHEN a.activity_created THEN 1 ELSE 0 END AS activities_created
    FROM {{ source("core", "actions") }} AS a
    INNER JOIN {{ ref("action_facts") }} AS f
        ON a.submission_id = f.submission_id AND a.action_ref = f.action_ref
    WHERE f.is_live AND f.impacts_counted
),

withheld AS (
    SELECT
        campaign_id,
        COUNT(*) FILTER (WHERE measure = 'jobs_created') > 0 AS jobs_created,
        COUNT(*) FILTER (WHERE measure = 'jobs_consolidated') > 0 AS jobs_consolidated,
        COUNT(*) FILTER (WHERE measure = 'activities_created') > 0 AS activities_created
    FROM {{ source("disclosure", "withheld_cells") }}
    WHERE deduplicated_reason IS NOT NULL
    GROUP BY campaign_id
),

core_totals AS (
    SELECT
        a.campaign_id,
        a.pooled,
        SUM(a.jobs_created) AS jobs_created,
        SUM(a.jobs_consolidated) AS jobs_consolidated,
        SUM(a.activities_created) AS activities_created,
        BOOL_OR(a.pooled AND COALESCE(w.jobs_created, FALSE)) AS jobs_created_withheld,
        BOOL_OR(a.pooled AND COALESCE(w.jobs_consolidated, FALSE)) AS jobs_consolidated_withheld,
        BOOL_OR(a.pooled AND COALESCE(w.activities_created, FALSE))
            AS activities_created_withheld
    FROM actions AS a
    LEFT JOIN withheld AS w ON a.campaign_id = w.campaign_id
    GROUP BY a.campaign_id, a.pooled
),

published AS (
    SELECT
        campaign_id,
        plan_axis = '{{ var("confidential_pool") }}' AS pooled,
        SUM(jobs_created) AS jobs_created,
        SUM(jobs_consolidated) AS jobs_consolidated,
        SUM(activities_created) AS activities_created
    FROM {{ ref("jobs_by_territory") }}
    GROUP BY campaign_id, plan_axis = '{{ var("confidential_pool") }}'
)

SELECT
    COALESCE(c.campaign_id, p.campaign_id) AS campaign_id,
    COALESCE(c.pooled, p.pooled) AS pooled,
    CASE WHEN c.jobs_created_withheld THEN 0 ELSE
        COALESCE(c.jobs_created, 0) - COALESCE(p.jobs_created, 0)
    END AS jobs_created_difference,
    CASE WHEN c.jobs_consolidated_withheld THEN 0 ELSE
        COALESCE(c.jobs_consolidated, 0) - COALESCE(p.jobs_consolidated, 0)
    END AS jobs_consolidated_difference,
    CASE WHEN c.activities_created_withheld THEN 0 ELSE
        COALESCE(c.activities_created, 0) - COALESCE(p.activities_created, 0)
    END AS activities_created_difference
FROM core_totals AS c
FULL OUTER JOIN published AS p ON c.campaign_id = p.campaign_id AND c.pooled = p.pooled
