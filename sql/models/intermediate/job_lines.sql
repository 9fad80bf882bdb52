-- One row per action and jobs figure it declares (the contract's optional jobs
-- part): jobs created, jobs consolidated (FTE) and, for an action that creates
-- an activity, one activity. With what the marts group and count it by, as
-- action_facts says: counted once per shared project as impacts are (the
-- lead's), and the commune the action names ('non_identifiee' where the
-- reference's communes do not tell which). The disclosure audit reads these
-- lines as the contributions behind every published jobs figure.
WITH facts AS (
    SELECT * FROM {{ ref("action_facts") }}
),

figures AS (
    SELECT
        *,
        'jobs_created' AS measure,
        jobs_created AS value
    FROM facts
    WHERE jobs_created IS NOT NULL
    UNION ALL
    SELECT
        *,
        'jobs_consolidated' AS measure,
        jobs_consolidated AS value
    FROM facts
    WHERE jobs_consolidated IS NOT NULL
    UNION ALL
    SELECT
        *,
        'activities_created' AS measure,
        CAST(1 AS NUMERIC(20, 6)) AS value
    FROM facts
    WHERE activity_created
)

SELECT
    campaign_id,
    partner_id,
    action_ref,
    submission_id,
    source_sheet,
    source_row,
    plan_axis,
    COALESCE(commune_code, '{{ var("unknown_commune") }}') AS commune_code,
    status,
    is_live,
    confidential,
    impacts_counted AS counted,
    measure,
    value
FROM figures
