-- One row per campaign, roadmap indicator and milestone (the contract's optional
-- roadmap part): the milestone's target, the indicator's latest value observed by
-- the campaign's year (intermediate.roadmap_observations), what the trajectory
-- from the start's baseline through the milestones expects by then, and where the
-- indicator stands: reached, on track, late, or not measured.
WITH campaigns AS (
    SELECT
        campaign_id,
        CAST(EXTRACT(YEAR FROM opens_on) AS INTEGER) AS campaign_year
    FROM {{ source("ref", "campaigns") }}
),

points AS (
    SELECT
        indicator,
        start_year AS year,
        baseline_value AS value
    FROM {{ source("ref", "roadmap_indicators") }}
    UNION ALL
    SELECT
        indicator,
        milestone_year AS year,
        target_value AS value
    FROM {{ source("ref", "roadmap_milestones") }}
),

segments AS (
    SELECT
        indicator,
        year AS from_year,
        value AS from_value,
        LEAD(year) OVER points_in_order AS to_year,
        LEAD(value) OVER points_in_order AS to_value
    FROM points
    WINDOW points_in_order AS (PARTITION BY indicator ORDER BY year)
),

observed AS (
    SELECT
        c.campaign_id,
        o.indicator,
        o.year,
        o.value,
        ROW_NUMBER() OVER (
            PARTITION BY c.campaign_id, o.indicator ORDER BY o.year DESC
        ) AS recency
    FROM campaigns AS c
    INNER JOIN {{ ref("roadmap_observations") }} AS o
        ON
            o.year <= c.campaign_year
            AND (o.campaign_id IS NULL OR o.campaign_id = c.campaign_id)
),

latest AS (
    SELECT
        o.campaign_id,
        o.indicator,
        o.year,
        o.value,
        {{ trajectory_value("s", "o.year") }} AS expected_value
    FROM observed AS o
    LEFT JOIN segments AS s
        ON
            o.indicator = s.indicator
            AND s.from_year <= o.year
            AND (o.year < s.to_year OR s.to_year IS NULL)
    WHERE o.recency = 1
),

rows AS (
    SELECT
        c.campaign_id,
        c.campaign_year,
        i.lever,
        lever.label_fr AS lever_label,
        lever.horizon_year AS lever_horizon_year,
        i.indicator,
        i.label_fr AS indicator_label,
        i.measure,
        i.unit_fr AS unit,
        i.start_year,
        i.baseline_value,
        m.years_after_start,
        m.milestone_year,
        m.target_value,
        l.year AS observed_year,
        l.value AS observed_value,
        COALESCE(l.expected_value, i.baseline_value) AS expected_value,
        -- A target below the baseline is a fall to reach: compared the other way.
        CASE WHEN m.target_value < i.baseline_value THEN -1 ELSE 1 END AS direction
    FROM campaigns AS c
    CROSS JOIN {{ source("ref", "roadmap_indicators") }} AS i
    INNER JOIN {{ source("ref", "roadmap_milestones") }} AS m ON i.indicator = m.indicator
    LEFT JOIN {{ source("ref", "roadmap_levers") }} AS lever ON i.lever = lever.lever
    LEFT JOIN latest AS l ON c.campaign_id = l.campaign_id AND i.indicator = l.indicator
)

SELECT
    campaign_id,
    campaign_year,
    lever,
    lever_label,
    lever_horizon_year,
    indicator,
    indicator_label,
    measure,
    unit,
    start_year,
    baseline_value,
    years_after_start,
    milestone_year,
    target_value,
    observed_year,
    observed_value,
    expected_value,
    -- How far from the baseline to the target: a fall to reach (a target below the
    -- baseline) is covered as the value falls, and a target of 0 is one too.
    CASE
        WHEN target_value <> baseline_value
            THEN
                CAST(observed_value - baseline_value AS DOUBLE PRECISION)
                / (target_value - baseline_value)
    END AS share_of_target,
    CASE
        WHEN observed_value IS NULL THEN 'non_mesure'
        WHEN direction * observed_value >= direction * target_value THEN 'atteint'
        WHEN milestone_year < campaign_year THEN 'en_retard'
        WHEN direction * observed_value >= direction * expected_value THEN 'dans_les_temps'
        ELSE 'en_retard'
    END AS status
FROM rows
ORDER BY campaign_id, lever, indicator, years_after_start
