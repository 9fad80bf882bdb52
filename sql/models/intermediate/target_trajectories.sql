-- Each plan target as a yearly trajectory, in the base unit of its dimension
-- (tCO2e, ha, trees, km): the baseline and the milestones joined by straight
-- lines (macro trajectory_value).
WITH points AS (
    SELECT DISTINCT
        t.plan,
        t.plan_axis,
        t.indicator,
        t.baseline_year AS year,
        t.baseline_value AS target_value
    FROM {{ ref("stg_plan_targets") }} AS t
    UNION
    SELECT
        t.plan,
        t.plan_axis,
        t.indicator,
        t.milestone_year AS year,
        t.milestone_value AS target_value
    FROM {{ ref("stg_plan_targets") }} AS t
),

segments AS (
    SELECT
        plan,
        plan_axis,
        indicator,
        year AS from_year,
        target_value AS from_value,
        LEAD(year) OVER points_in_order AS to_year,
        LEAD(target_value) OVER points_in_order AS to_value,
        FIRST_VALUE(target_value) OVER points_in_order AS baseline_value,
        FIRST_VALUE(year) OVER points_in_order AS baseline_year
    FROM points
    WINDOW points_in_order AS (PARTITION BY plan, plan_axis, indicator ORDER BY year)
)

SELECT
    s.plan,
    s.plan_axis,
    s.indicator,
    y.year,
    s.baseline_year,
    s.baseline_value,
    {{ trajectory_value("s", "y.year") }} AS target_value
FROM segments AS s
INNER JOIN {{ source("ref", "years") }} AS y ON s.from_year <= y.year AND y.year < s.to_year
UNION ALL
SELECT
    plan,
    plan_axis,
    indicator,
    from_year AS year,
    baseline_year,
    baseline_value,
    from_value AS target_value
FROM segments
WHERE to_year IS NULL
