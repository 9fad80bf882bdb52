-- One row per campaign, plan axis ('all' for the whole plan) and year: the tCO2e
-- per year that live actions avoid by then, against the territory's emissions
-- target for that year. Carbon is each action's estimate from activity data,
-- or its declared tCO2e when it gave none (core.carbon_lines). The target
-- trajectory is linear between the baseline and the milestones. The share of
-- the target covered is given against the whole reduction the plan asks by that
-- year (baseline - target) and against the gap that remains from the latest
-- observed inventory (observed - target). Confidential actions count only in the
-- pooled 'confidentiel' row (core.impact_cells).
SELECT
    c.campaign_id,
    c.plan_axis,
    axis.label_fr AS plan_axis_label,
    c.year,
    c.gross AS avoided_tco2e_per_year_gross,
    c.deduplicated AS avoided_tco2e_per_year_deduplicated,
    t.plan,
    t.baseline_year,
    t.baseline_value AS baseline_emissions_tco2e,
    t.target_value AS target_emissions_tco2e,
    t.baseline_value - t.target_value AS required_reduction_tco2e,
    CASE
        WHEN t.baseline_value - t.target_value > 0
            THEN c.deduplicated / (t.baseline_value - t.target_value)
    END AS share_of_required_reduction_covered,
    o.observed_year AS observed_inventory_year,
    o.observed_value AS observed_emissions_tco2e,
    o.observed_value - t.target_value AS remaining_gap_tco2e,
    CASE
        WHEN o.observed_value - t.target_value > 0
            THEN c.deduplicated / (o.observed_value - t.target_value)
    END AS share_of_remaining_gap_covered,
    c.partner_count,
    c.withholds_confidential AS total_withholds_confidential_cells,
    c.suppressed_reason
FROM {{ ref("impact_cells") }} AS c
LEFT JOIN {{ ref("target_trajectories") }} AS t
    ON
        t.indicator = 'territorial_ghg_emissions'
        AND c.year = t.year
        AND t.plan_axis = {{ reference_axis("c.plan_axis") }}
LEFT JOIN {{ ref("latest_observations") }} AS o
    ON
        o.indicator = 'territorial_ghg_emissions'
        AND c.year = o.year
        AND o.plan_axis = {{ reference_axis("c.plan_axis") }}
LEFT JOIN {{ ref("labels") }} AS axis
    ON axis.list_name = 'plan_axis' AND c.plan_axis = axis.code
WHERE c.indicator = 'ges_evites'
ORDER BY c.campaign_id, c.plan_axis, c.year
