-- Every row of the roadmap mart against what it stands for, read apart from
-- roadmap_observations (a fault there shows): a lever's money and carbon from the
-- commitments mart (its axes' public rows: money of the years up to the campaign's,
-- carbon avoided in that year), its actions from action_facts (live, not
-- confidential, each shared project once), contracts from the partner registry
-- (signed by the observed year's end and the build's day), entered values from the
-- steward's; the observed year, the latest by the campaign's year; and the status,
-- which must follow from the figures beside it.
WITH indicators AS (
    SELECT * FROM {{ source("ref", "roadmap_indicators") }}
),

lever_axes AS (
    SELECT * FROM {{ source("ref", "roadmap_lever_axes") }}
),

lever_actions AS (
    SELECT
        f.campaign_id,
        axes.lever,
        COUNT(*) AS value
    FROM {{ ref("action_facts") }} AS f
    INNER JOIN lever_axes AS axes ON f.plan_axis = axes.plan_axis
    WHERE f.status <> 'abandonnee' AND NOT f.confidential AND f.impacts_counted
    GROUP BY f.campaign_id, axes.lever
),

axis_rows AS (
    SELECT
        m.campaign_id,
        axes.lever,
        m.year,
        m.investment_eur_deduplicated,
        m.avoided_tco2e_per_year_deduplicated
    FROM {{ ref("commitments_by_axis_year") }} AS m
    INNER JOIN lever_axes AS axes ON m.plan_axis = axes.plan_axis
),

campaigns AS (
    SELECT
        campaign_id,
        CAST(EXTRACT(YEAR FROM opens_on) AS INTEGER) AS campaign_year
    FROM {{ source("ref", "campaigns") }}
),

-- Campaigns with actions in a year the commitments mart publishes.
with_actions AS (
    SELECT DISTINCT a.campaign_id
    FROM {{ source("core", "actions") }} AS a
    INNER JOIN campaigns AS c ON a.campaign_id = c.campaign_id
    INNER JOIN {{ ref("trajectory_years") }} AS y ON c.campaign_year = y.year
),

recomputed AS (
    SELECT
        m.campaign_id,
        m.indicator,
        m.years_after_start,
        CASE i.measure
            WHEN 'contracts_signed'
                THEN (
                    SELECT COUNT(*) FROM {{ source("ref", "partners") }} AS p
                    WHERE
                        EXTRACT(YEAR FROM p.contract_signed_on) <= m.observed_year
                        AND p.contract_signed_on <= {{ as_of() }}
                )
            WHEN 'entered'
                THEN (
                    SELECT v.value FROM {{ source("ref", "roadmap_values") }} AS v
                    WHERE v.indicator = m.indicator AND v.year = m.observed_year
                )
            WHEN 'actions' THEN COALESCE(a.value, 0)
            WHEN 'investment_eur'
                THEN COALESCE((
                    SELECT SUM(r.investment_eur_deduplicated) FROM axis_rows AS r
                    WHERE
                        r.campaign_id = m.campaign_id
                        AND r.lever = i.lever
                        AND r.year <= c.campaign_year
                ), 0)
            ELSE COALESCE((
                SELECT SUM(r.avoided_tco2e_per_year_deduplicated) FROM axis_rows AS r
                WHERE
                    r.campaign_id = m.campaign_id
                    AND r.lever = i.lever
                    AND r.year = c.campaign_year
            ), 0)
        END AS value,
        CASE
            WHEN i.measure IN ('actions', 'investment_eur', 'tco2e_per_year')
                THEN
                    CASE WHEN w.campaign_id IS NOT NULL THEN c.campaign_year END
            WHEN i.measure = 'entered'
                THEN (
                    SELECT MAX(v.year) FROM {{ source("ref", "roadmap_values") }} AS v
                    WHERE v.indicator = m.indicator AND v.year <= c.campaign_year
                )
            WHEN i.start_year <= LEAST(c.campaign_year, EXTRACT(YEAR FROM {{ as_of() }}))
                THEN LEAST(c.campaign_year, CAST(EXTRACT(YEAR FROM {{ as_of() }}) AS INTEGER))
        END AS latest_year
    FROM {{ ref("roadmap_progress") }} AS m
    INNER JOIN indicators AS i ON m.indicator = i.indicator
    INNER JOIN campaigns AS c ON m.campaign_id = c.campaign_id
    LEFT JOIN with_actions AS w ON m.campaign_id = w.campaign_id
    LEFT JOIN lever_actions AS a ON m.campaign_id = a.campaign_id AND i.lever = a.lever
)

SELECT
    m.campaign_id,
    m.indicator,
    m.years_after_start,
    CASE
        WHEN m.observed_value IS NULL THEN 0
        ELSE m.observed_value - COALESCE(r.value, 0)
    END AS value_difference,
    CASE
        WHEN m.observed_year IS NULL AND r.latest_year IS NULL THEN 0
        WHEN m.observed_year = r.latest_year THEN 0
        ELSE 1
    END AS year_difference,
    CASE
        WHEN m.observed_value IS NULL THEN CASE WHEN m.status = 'non_mesure' THEN 0 ELSE 1 END
        WHEN m.status = 'non_mesure' THEN 1
        -- Reached: at or beyond the target, on the side the target lies from the baseline.
        WHEN (m.target_value >= m.baseline_value AND m.observed_value >= m.target_value)
            OR (m.target_value < m.baseline_value AND m.observed_value <= m.target_value)
            THEN CASE WHEN m.status = 'atteint' THEN 0 ELSE 1 END
        WHEN m.status = 'atteint' THEN 1
        WHEN m.milestone_year < m.campaign_year
            THEN CASE WHEN m.status = 'en_retard' THEN 0 ELSE 1 END
        WHEN (m.target_value >= m.baseline_value AND m.observed_value >= m.expected_value)
            OR (m.target_value < m.baseline_value AND m.observed_value <= m.expected_value)
            THEN CASE WHEN m.status = 'dans_les_temps' THEN 0 ELSE 1 END
        ELSE CASE WHEN m.status = 'en_retard' THEN 0 ELSE 1 END
    END AS status_difference
FROM {{ ref("roadmap_progress") }} AS m
INNER JOIN recomputed AS r
    ON
        m.campaign_id = r.campaign_id
        AND m.indicator = r.indicator
        AND m.years_after_start = r.years_after_start
