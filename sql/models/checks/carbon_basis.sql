-- Per action with carbon, how many bases its carbon lines use: an action's
-- estimate from activity data replaces its declared tCO2e, never adds to it.
SELECT
    campaign_id,
    partner_id,
    action_ref,
    COUNT(DISTINCT basis) AS basis_count
FROM {{ ref("carbon_lines") }}
GROUP BY campaign_id, partner_id, action_ref
