-- Per campaign and year: the 'all axes' tCO2e of marts.carbon_trajectory_vs_target
-- minus its published axis rows and minus the non-confidential part (computed
-- from core lines) of its suppressed axis rows. Zero means a total adds nothing
-- confidential of a suppressed cell, so no subtraction can reveal one.
WITH public_lines AS (
    SELECT
        c.campaign_id,
        f.plan_axis,
        c.first_full_year,
        c.tco2e_per_year
    FROM core.carbon_lines AS c
    INNER JOIN core.action_facts AS f
        ON
            c.campaign_id = f.campaign_id
            AND c.partner_id = f.partner_id
            AND c.action_ref = f.action_ref
    WHERE f.is_live AND f.impacts_counted AND NOT f.confidential
),

axis_rows AS (
    SELECT
        m.campaign_id,
        m.year,
        SUM(m.avoided_tco2e_per_year_deduplicated) AS published,
        SUM(
            CASE
                WHEN m.suppressed_reason IS NOT NULL
                    THEN (
                        SELECT COALESCE(SUM(l.tco2e_per_year), 0)
                        FROM public_lines AS l
                        WHERE
                            l.campaign_id = m.campaign_id
                            AND l.plan_axis = m.plan_axis
                            AND l.first_full_year <= m.year
                    )
                ELSE 0
            END
        ) AS withheld_public_part
    FROM marts.carbon_trajectory_vs_target AS m
    WHERE m.plan_axis <> 'all'
    GROUP BY m.campaign_id, m.year
)

SELECT
    t.campaign_id,
    t.year,
    t.avoided_tco2e_per_year_deduplicated
    - COALESCE(a.published, 0)
    - COALESCE(a.withheld_public_part, 0) AS difference_tco2e
FROM marts.carbon_trajectory_vs_target AS t
INNER JOIN axis_rows AS a ON t.campaign_id = a.campaign_id AND t.year = a.year
WHERE t.plan_axis = 'all'
