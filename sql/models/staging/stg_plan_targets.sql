-- The plan targets (reference/plan_targets.csv) with their baseline and
-- milestone values in the base unit of their dimension.
SELECT
    t.plan,
    t.plan_axis,
    t.indicator,
    t.baseline_year,
    t.baseline_value * u.scale AS baseline_value,
    t.milestone_year,
    t.milestone_value * u.scale AS milestone_value
FROM {{ source("ref", "plan_targets") }} AS t
INNER JOIN {{ ref("stg_units") }} AS u ON t.unit = u.unit
