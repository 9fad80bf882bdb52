-- Every row of the roadmap mart against what it stands for, read apart from
-- roadmap_observations (a fault there shows): the value the campaign observes,
-- recomputed from the actions (action_facts, investment_lines, carbon_lines: live,
-- not confidential, each shared project once, in the lever's plan axes), the
-- partner registry (contracts signed by the observed year's end and the build's
-- day) or the steward's values; the observed year, the latest by the campaign's
-- year; and the status, which must follow from the figures beside it.
WITH indicators AS (
    SELECT * FROM {{ source("ref", "roadmap_indicators") }}
),

levers AS (
    SELECT
        f.campaign_id,
        f.partner_id,
        f.action_ref,
        f.investment_counted,
        f.impacts_counted,
        axes.lever
    FROM {{ ref("action_facts") }} AS f
    INNER JOIN {{ source("ref", "roadmap_lever_axes") }} AS axes ON f.plan_axis = axes.plan_axis
    WHERE f.status <> 'abandonnee' AND NOT f.confidential
),

lever_money AS (
    SELECT
        l.campaign_id,
        l.lever,
        SUM(i.amount_eur) AS value
    FROM levers AS l
    INNER JOIN {{ ref("investment_lines") }} AS i
        ON
            l.campaign_id = i.campaign_id
            AND l.partner_id = i.partner_id
            AND l.action_ref = i.action_ref
    WHERE l.investment_counted
    GROUP BY l.campaign_id, l.lever
),

lever_carbon AS (
    SELECT
        l.campaign_id,
        l.lever,
        SUM(c.tco2e_per_year) AS value
    FROM levers AS l
    INNER JOIN {{ ref("carbon_lines") }} AS c
        ON
            l.campaign_id = c.campaign_id
            AND l.partner_id = c.partner_id
            AND l.action_ref = c.action_ref
    WHERE l.impacts_counted
    GROUP BY l.campaign_id, l.lever
),

lever_actions AS (
    SELECT
        campaign_id,
        lever,
        COUNT(*) AS value
    FROM levers
    WHERE impacts_counted
    GROUP BY campaign_id, lever
),

campaigns AS (
    SELECT
        campaign_id,
        CAST(EXTRACT(YEAR FROM opens_on) AS INTEGER) AS campaign_year
    FROM {{ source("ref", "campaigns") }}
),

with_actions AS (
    SELECT DISTINCT campaign_id FROM {{ source("core", "actions") }}
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
            WHEN 'investment_eur' THEN COALESCE(money.value, 0)
            ELSE COALESCE(carbon.value, 0)
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
    LEFT JOIN lever_money AS money ON m.campaign_id = money.campaign_id AND i.lever = money.lever
    LEFT JOIN lever_carbon AS carbon ON m.campaign_id = carbon.campaign_id AND i.lever = carbon.lever
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
