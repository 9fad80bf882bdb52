-- Per campaign: core's live investment (gross and counted once) minus what
-- marts.commitments_by_axis_sector_year publishes plus what it withholds in
-- suppressed cells. Both differences must be zero.
WITH lines AS (
    SELECT
        campaign_id,
        plan_axis,
        sector,
        year,
        amount_eur,
        CASE WHEN investment_counted THEN amount_eur ELSE 0 END AS counted_eur
    FROM core.investment_lines
),

core_totals AS (
    SELECT
        campaign_id,
        SUM(amount_eur) AS gross,
        SUM(counted_eur) AS deduplicated
    FROM lines
    GROUP BY campaign_id
),

withheld AS (
    SELECT
        l.campaign_id,
        SUM(l.amount_eur) AS gross,
        SUM(l.counted_eur) AS deduplicated
    FROM lines AS l
    INNER JOIN marts.commitments_by_axis_sector_year AS m
        ON
            l.campaign_id = m.campaign_id
            AND l.plan_axis = m.plan_axis
            AND l.sector = m.sector
            AND l.year = m.year
    WHERE m.suppressed_reason IS NOT NULL
    GROUP BY l.campaign_id
),

published AS (
    SELECT
        campaign_id,
        SUM(investment_eur_gross) AS gross,
        SUM(investment_eur_deduplicated) AS deduplicated
    FROM marts.commitments_by_axis_sector_year
    GROUP BY campaign_id
)

SELECT
    c.campaign_id,
    c.gross - COALESCE(p.gross, 0) - COALESCE(w.gross, 0) AS gross_difference_eur,
    c.deduplicated - COALESCE(p.deduplicated, 0) - COALESCE(w.deduplicated, 0)
        AS deduplicated_difference_eur
FROM core_totals AS c
LEFT JOIN published AS p ON c.campaign_id = p.campaign_id
LEFT JOIN withheld AS w ON c.campaign_id = w.campaign_id
