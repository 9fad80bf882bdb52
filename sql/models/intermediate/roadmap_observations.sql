-- One row per roadmap indicator (the contract's optional roadmap part) and year it
-- is observed, with the campaign it is observed in where it is one's:
--   contracts_signed: the partners whose contract_signed_on is on or before the
--     year's end (and the build's day), each year from the roadmap's start;
--   actions, investment_eur, tco2e_per_year: in each campaign with actions, the
--     live actions of the lever's plan axes (ref.roadmap_lever_axes), each shared
--     project once as the other marts count it: their number, money before tax and
--     carbon avoided per year. Confidential actions are left out: a lever is a few
--     axes, and a figure of its own would tell what the pool of confidential
--     actions hides;
--   entered: the values of the steward's workbook (ref.roadmap_values).
WITH indicators AS (
    SELECT * FROM {{ source("ref", "roadmap_indicators") }}
),

campaign_years AS (
    SELECT
        campaign_id,
        CAST(EXTRACT(YEAR FROM opens_on) AS INTEGER) AS year
    FROM {{ source("ref", "campaigns") }}
    WHERE campaign_id IN (SELECT campaign_id FROM {{ ref("action_figures") }})
),

lever_figures AS (
    SELECT
        f.campaign_id,
        axes.lever,
        COUNT(*) FILTER (WHERE f.impacts_counted) AS actions,
        COALESCE(SUM(f.investment_eur) FILTER (WHERE f.investment_counted), 0)
            AS investment_eur,
        COALESCE(SUM(f.retained_tco2e_per_year) FILTER (WHERE f.impacts_counted), 0)
            AS tco2e_per_year
    FROM {{ ref("action_figures") }} AS f
    INNER JOIN {{ source("ref", "roadmap_lever_axes") }} AS axes ON f.plan_axis = axes.plan_axis
    WHERE f.is_live AND NOT f.confidential
    GROUP BY f.campaign_id, axes.lever
),

computed AS (
    SELECT
        i.indicator,
        c.campaign_id,
        c.year,
        CASE i.measure
            WHEN 'actions' THEN COALESCE(f.actions, 0)
            WHEN 'investment_eur' THEN COALESCE(f.investment_eur, 0)
            ELSE COALESCE(f.tco2e_per_year, 0)
        END AS value
    FROM indicators AS i
    CROSS JOIN campaign_years AS c
    LEFT JOIN lever_figures AS f ON c.campaign_id = f.campaign_id AND i.lever = f.lever
    WHERE i.measure IN ('actions', 'investment_eur', 'tco2e_per_year')
),

contracts AS (
    SELECT
        i.indicator,
        CAST(NULL AS TEXT) AS campaign_id,
        y.year,
        COUNT(p.partner_id) AS value
    FROM indicators AS i
    INNER JOIN {{ source("ref", "years") }} AS y
        ON y.year >= i.start_year AND y.year <= EXTRACT(YEAR FROM {{ as_of() }})
    LEFT JOIN {{ source("ref", "partners") }} AS p
        ON
            EXTRACT(YEAR FROM p.contract_signed_on) <= y.year
            AND p.contract_signed_on <= {{ as_of() }}
    WHERE i.measure = 'contracts_signed'
    GROUP BY i.indicator, y.year
),

entered AS (
    SELECT
        v.indicator,
        CAST(NULL AS TEXT) AS campaign_id,
        v.year,
        v.value
    FROM {{ source("ref", "roadmap_values") }} AS v
    INNER JOIN indicators AS i ON v.indicator = i.indicator AND i.measure = 'entered'
)

SELECT
    indicator,
    campaign_id,
    year,
    CAST(value AS NUMERIC(20, 6)) AS value
FROM computed
UNION ALL
SELECT
    indicator,
    campaign_id,
    year,
    CAST(value AS NUMERIC(20, 6)) AS value
FROM contracts
UNION ALL
SELECT
    indicator,
    campaign_id,
    year,
    CAST(value AS NUMERIC(20, 6)) AS value
FROM entered
