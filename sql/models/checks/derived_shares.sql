-- Every published share, with the gap between it and the quotient it stands
-- for: the deduplicated figure over the target it is compared with.
SELECT
    'carbon_trajectory_vs_target' AS mart,
    share_of_required_reduction_covered
    - avoided_tco2e_per_year_deduplicated / required_reduction_tco2e AS gap
FROM {{ ref("carbon_trajectory_vs_target") }}
WHERE share_of_required_reduction_covered IS NOT NULL
UNION ALL
SELECT
    'carbon_trajectory_vs_target' AS mart,
    share_of_remaining_gap_covered
    - avoided_tco2e_per_year_deduplicated / remaining_gap_tco2e AS gap
FROM {{ ref("carbon_trajectory_vs_target") }}
WHERE share_of_remaining_gap_covered IS NOT NULL
UNION ALL
SELECT
    'biodiversity_vs_target' AS mart,
    share_of_target - delivered_deduplicated / target_value AS gap
FROM {{ ref("biodiversity_vs_target") }}
WHERE share_of_target IS NOT NULL
UNION ALL
SELECT
    'roadmap_progress' AS mart,
    share_of_target
    - CAST(observed_value - baseline_value AS DOUBLE PRECISION)
    / (target_value - baseline_value) AS gap
FROM {{ ref("roadmap_progress") }}
WHERE share_of_target IS NOT NULL
