-- What live actions deliver, cumulated by year: one row per campaign, indicator,
-- plan axis and year of trajectory_years. An impact counts from its first year
-- of full effect onwards (impact_lines).
-- Confidential actions are never counted in their axis: they are pooled in the
-- 'confidentiel' row, whose figures are withheld where the disclosure plan
-- (withheld_cells) says publishing them would expose a partner. The 'all'
-- row adds the axes and the pool where it is published, so that it is always
-- the sum of published rows and reveals nothing they do not.
WITH lines AS (
    SELECT
        campaign_id,
        indicator,
        {{ pooled("plan_axis") }} AS plan_axis,
        partner_id,
        impacts_counted,
        first_full_year,
        quantity
    FROM {{ ref("impact_lines") }}
    WHERE is_live
),

keys AS (
    SELECT DISTINCT campaign_id, indicator, plan_axis FROM lines
),

axis_cells AS (
    SELECT
        k.campaign_id,
        k.indicator,
        k.plan_axis,
        y.year,
        COALESCE(SUM(l.quantity), 0) AS gross,
        COALESCE(SUM(l.quantity) FILTER (WHERE l.impacts_counted), 0) AS deduplicated,
        COUNT(DISTINCT l.partner_id) AS partner_count
    FROM keys AS k
    CROSS JOIN {{ ref("trajectory_years") }} AS y
    LEFT JOIN lines AS l
        ON
            k.campaign_id = l.campaign_id
            AND k.indicator = l.indicator
            AND k.plan_axis = l.plan_axis
            AND l.first_full_year <= y.year
    GROUP BY k.campaign_id, k.indicator, k.plan_axis, y.year
),

published AS (
    SELECT
        c.campaign_id,
        c.indicator,
        c.plan_axis,
        c.year,
        {{ published("c.gross", "w.gross_reason") }} AS gross,
        {{ published("c.deduplicated", "w.deduplicated_reason") }} AS deduplicated,
        c.partner_count,
        COALESCE(w.deduplicated_reason, w.gross_reason) AS suppressed_reason
    FROM axis_cells AS c
    LEFT JOIN {{ source("disclosure", "withheld_cells") }} AS w
        ON
            c.plan_axis = '{{ var("confidential_pool") }}'
            AND c.campaign_id = w.campaign_id
            AND c.indicator = w.measure
            AND c.year = w.year
),

partners_overall AS (
    SELECT
        k.campaign_id,
        k.indicator,
        y.year,
        COUNT(DISTINCT l.partner_id) AS partner_count
    FROM (SELECT DISTINCT campaign_id, indicator FROM lines) AS k
    CROSS JOIN {{ ref("trajectory_years") }} AS y
    LEFT JOIN lines AS l
        ON
            k.campaign_id = l.campaign_id
            AND k.indicator = l.indicator
            AND l.first_full_year <= y.year
    GROUP BY k.campaign_id, k.indicator, y.year
)

SELECT
    campaign_id,
    indicator,
    plan_axis,
    year,
    gross,
    deduplicated,
    partner_count,
    suppressed_reason,
    FALSE AS withholds_confidential
FROM published
UNION ALL
SELECT
    p.campaign_id,
    p.indicator,
    '{{ var("all_axes") }}' AS plan_axis,
    p.year,
    COALESCE(SUM(p.gross), 0) AS gross,
    COALESCE(SUM(p.deduplicated), 0) AS deduplicated,
    MAX(o.partner_count) AS partner_count,
    NULL AS suppressed_reason,
    COALESCE(BOOL_OR(p.suppressed_reason IS NOT NULL), FALSE) AS withholds_confidential
FROM published AS p
INNER JOIN partners_overall AS o
    ON p.campaign_id = o.campaign_id AND p.indicator = o.indicator AND p.year = o.year
GROUP BY p.campaign_id, p.indicator, p.year
