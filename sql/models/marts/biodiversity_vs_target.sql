-- One row per campaign, biodiversity indicator, plan axis ('all' for the whole
-- plan) and year: the cumulated result live actions deliver by then (hectares
-- de-sealed or restored, trees, km of hedgerow), against the plan target for
-- that year (linear between baseline and milestones). Confidential actions
-- count only in the pooled 'confidentiel' row (core.impact_cells).
SELECT
    c.campaign_id,
    c.indicator,
    indicator.label_fr AS indicator_label,
    c.plan_axis,
    axis.label_fr AS plan_axis_label,
    c.year,
    base_unit.code AS unit,
    c.gross AS delivered_gross,
    c.deduplicated AS delivered_deduplicated,
    t.plan,
    t.target_value,
    CASE
        WHEN t.target_value > 0 THEN c.deduplicated / t.target_value
    END AS share_of_target,
    c.partner_count,
    c.withholds_confidential AS total_withholds_confidential_cells,
    c.suppressed_reason
FROM {{ ref("impact_cells") }} AS c
INNER JOIN {{ source("ref", "code_values") }} AS indicator
    ON indicator.list_name = 'indicator' AND c.indicator = indicator.code
INNER JOIN {{ source("ref", "code_values") }} AS base_unit
    ON
        base_unit.list_name = 'unit'
        AND indicator.dimension = base_unit.dimension
        AND base_unit.scale = 1
LEFT JOIN {{ ref("target_trajectories") }} AS t
    ON
        c.indicator = t.indicator
        AND c.year = t.year
        AND t.plan_axis = {{ reference_axis("c.plan_axis") }}
LEFT JOIN {{ ref("labels") }} AS axis
    ON axis.list_name = 'plan_axis' AND c.plan_axis = axis.code
WHERE c.indicator <> 'ges_evites'
ORDER BY c.campaign_id, c.indicator, c.plan_axis, c.year
