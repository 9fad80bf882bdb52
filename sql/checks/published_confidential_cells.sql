-- Every published aggregate cell that includes a confidential action, with the
-- number of partners it rests on (the checks require the threshold).
WITH commitments AS (
    SELECT
        m.campaign_id,
        m.plan_axis,
        m.sector,
        m.year,
        m.partner_count
    FROM marts.commitments_by_axis_sector_year AS m
    WHERE
        m.suppressed_reason IS NULL
        AND EXISTS (
            SELECT 1
            FROM core.investment_lines AS l
            WHERE
                l.confidential
                AND l.campaign_id = m.campaign_id
                AND l.plan_axis = m.plan_axis
                AND l.sector = m.sector
                AND l.year = m.year
        )
)

SELECT
    'commitments_by_axis_sector_year' AS mart,
    partner_count
FROM commitments
UNION ALL
SELECT
    'carbon_trajectory_vs_target' AS mart,
    m.partner_count
FROM marts.carbon_trajectory_vs_target AS m
INNER JOIN core.impact_cells AS c
    ON
        c.indicator = 'ges_evites'
        AND m.campaign_id = c.campaign_id
        AND m.plan_axis = c.plan_axis
        AND m.year = c.year
WHERE m.suppressed_reason IS NULL AND m.plan_axis <> 'all' AND c.includes_confidential
