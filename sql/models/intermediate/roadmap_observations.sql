-- One row per roadmap indicator (the contract's optional roadmap part) and year it
-- is observed, with the campaign it is observed in where it is one's:
--   contracts_signed: the partners whose contract_signed_on is on or before the
--     year's end (and the build's day), each year from the roadmap's start;
--   actions, investment_eur, tco2e_per_year: in each campaign with actions, the
--     live actions of the lever's plan axes (ref.roadmap_lever_axes), each shared
--     project once as the other marts count it, as of the campaign's year: how
--     many are declared, the money of the years up to it (before tax), and the
--     carbon avoided per year by those in full effect by then. Confidential
--     actions are left out: a lever is a few axes, and a figure of its own would
--     tell what the pool of confidential actions hides;
--   entered: the values of the steward's workbook (ref.roadmap_values).
WITH indicators AS (
    SELECT * FROM {{ source("ref", "roadmap_indicators") }}
),

-- Campaigns with actions, in a year of the contract (the years its figures are
-- published for: a campaign opened past them has no lever figure).
campaign_years AS (
    SELECT
        c.campaign_id,
        y.year
    FROM {{ source("ref", "campaigns") }} AS c
    INNER JOIN {{ ref("trajectory_years") }} AS y
        ON CAST(EXTRACT(YEAR FROM c.opens_on) AS INTEGER) = y.year
    WHERE c.campaign_id IN (SELECT campaign_id FROM {{ ref("action_facts") }})
),

levers AS (
    SELECT
        f.campaign_id,
        f.partner_id,
        f.action_ref,
        f.investment_counted,
        f.impacts_counted,
        axes.lever,
        c.year
    FROM {{ ref("action_facts") }} AS f
    INNER JOIN {{ source("ref", "roadmap_lever_axes") }} AS axes ON f.plan_axis = axes.plan_axis
    INNER JOIN campaign_years AS c ON f.campaign_id = c.campaign_id
    WHERE f.is_live AND NOT f.confidential
),

lever_money AS (
    SELECT
        l.campaign_id,
        l.lever,
        SUM(i.amount_eur) AS investment_eur
    FROM levers AS l
    INNER JOIN {{ ref("investment_lines") }} AS i
        ON
            l.campaign_id = i.campaign_id
            AND l.partner_id = i.partner_id
            AND l.action_ref = i.action_ref
            AND i.year <= l.year
    WHERE l.investment_counted
    GROUP BY l.campaign_id, l.lever
),

lever_carbon AS (
    SELECT
        l.campaign_id,
        l.lever,
        SUM(c.quantity) AS tco2e_per_year
    FROM levers AS l
    INNER JOIN {{ ref("impact_lines") }} AS c
        ON
            l.campaign_id = c.campaign_id
            AND l.partner_id = c.partner_id
            AND l.action_ref = c.action_ref
            AND c.indicator = 'ges_evites'
            AND c.first_full_year <= l.year
    WHERE l.impacts_counted
    GROUP BY l.campaign_id, l.lever
),

lever_actions AS (
    SELECT
        campaign_id,
        lever,
        COUNT(*) FILTER (WHERE impacts_counted) AS actions
    FROM levers
    GROUP BY campaign_id, lever
),

computed AS (
    SELECT
        i.indicator,
        c.campaign_id,
        c.year,
        CASE i.measure
            WHEN 'actions' THEN COALESCE(a.actions, 0)
            WHEN 'investment_eur' THEN COALESCE(m.investment_eur, 0)
            ELSE COALESCE(t.tco2e_per_year, 0)
        END AS value
    FROM indicators AS i
    CROSS JOIN campaign_years AS c
    LEFT JOIN lever_actions AS a ON c.campaign_id = a.campaign_id AND i.lever = a.lever
    LEFT JOIN lever_money AS m ON c.campaign_id = m.campaign_id AND i.lever = m.lever
    LEFT JOIN lever_carbon AS t ON c.campaign_id = t.campaign_id AND i.lever = t.lever
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
