-- Per campaign: core's live investment (gross and counted once) minus what
-- marts.commitments_by_axis_sector_year publishes plus what the disclosure plan
-- withholds in pooled confidential cells. Both differences must be zero.
WITH lines AS (
    SELECT
        l.campaign_id,
        l.amount_eur,
        CASE WHEN l.investment_counted THEN l.amount_eur ELSE 0 END AS counted_eur,
        l.confidential AND w.gross_reason IS NOT NULL AS gross_withheld,
        l.confidential AND w.deduplicated_reason IS NOT NULL AS deduplicated_withheld
    FROM {{ ref("investment_lines") }} AS l
    LEFT JOIN {{ source("disclosure", "withheld_cells") }} AS w
        ON
            l.campaign_id = w.campaign_id
            AND w.measure = 'investment_eur'
            AND l.year IS NOT DISTINCT FROM w.year
    WHERE l.is_live
),

core_totals AS (
    SELECT
        campaign_id,
        SUM(amount_eur) AS gross,
        SUM(counted_eur) AS deduplicated,
        SUM(CASE WHEN gross_withheld THEN amount_eur ELSE 0 END) AS gross_withheld,
        SUM(CASE WHEN deduplicated_withheld THEN counted_eur ELSE 0 END) AS deduplicated_withheld
    FROM lines
    GROUP BY campaign_id
),

published AS (
    SELECT
        campaign_id,
        SUM(investment_eur_gross) AS gross,
        SUM(investment_eur_deduplicated) AS deduplicated
    FROM {{ ref("commitments_by_axis_sector_year") }}
    GROUP BY campaign_id
)

SELECT
    c.campaign_id,
    c.gross - COALESCE(p.gross, 0) - c.gross_withheld AS gross_difference_eur,
    c.deduplicated - COALESCE(p.deduplicated, 0) - c.deduplicated_withheld
        AS deduplicated_difference_eur
FROM core_totals AS c
LEFT JOIN published AS p ON c.campaign_id = p.campaign_id
