-- What live actions deliver, cumulated by year: one row per campaign, indicator,
-- plan axis (and 'all' axes) and year from 2015 to 2050. An impact counts from
-- its first year of full effect onwards; carbon comes from core.carbon_lines
-- (indicator 'ges_evites', tCO2e/yr), other direct results in their base unit.
-- A cell that includes confidential data and rests on fewer partners than
-- ref.publication_rules requires is marked suppressed. The 'all' total adds
-- each suppressed cell's non-confidential part only, so that subtracting the
-- published cells from a total never reveals a confidential figure.
WITH lines AS (
    SELECT
        c.campaign_id,
        'ges_evites' AS indicator,
        f.plan_axis,
        c.partner_id,
        f.confidential,
        f.impacts_counted,
        c.first_full_year,
        c.tco2e_per_year AS quantity
    FROM core.carbon_lines AS c
    INNER JOIN core.action_facts AS f
        ON
            c.campaign_id = f.campaign_id
            AND c.partner_id = f.partner_id
            AND c.action_ref = f.action_ref
    WHERE f.is_live
    UNION ALL
    SELECT
        m.campaign_id,
        m.indicator,
        f.plan_axis,
        m.partner_id,
        f.confidential,
        f.impacts_counted,
        m.first_full_year,
        m.value * u.scale AS quantity
    FROM core.impacts AS m
    INNER JOIN core.action_facts AS f
        ON
            m.campaign_id = f.campaign_id
            AND m.partner_id = f.partner_id
            AND m.action_ref = f.action_ref
    INNER JOIN ref.code_values AS u ON u.list_name = 'unit' AND m.unit = u.code
    INNER JOIN ref.code_values AS i ON i.list_name = 'indicator' AND m.indicator = i.code
    WHERE f.is_live AND i.indicator_kind = 'result' AND m.indicator <> 'ges_evites'
),

years AS (
    SELECT year FROM ref.years WHERE year BETWEEN 2015 AND 2050
),

keys AS (
    SELECT DISTINCT campaign_id, indicator, plan_axis FROM lines
),

axis_cells AS (
    SELECT
        k.campaign_id,
        k.indicator,
        k.plan_axis,
        y.year,
        COALESCE(SUM(l.quantity), 0) AS gross,
        COALESCE(SUM(l.quantity) FILTER (WHERE l.impacts_counted), 0) AS deduplicated,
        COALESCE(SUM(l.quantity) FILTER (WHERE NOT l.confidential), 0) AS gross_public,
        COALESCE(
            SUM(l.quantity) FILTER (WHERE l.impacts_counted AND NOT l.confidential), 0
        ) AS deduplicated_public,
        COUNT(DISTINCT l.partner_id) AS partner_count,
        COALESCE(BOOL_OR(l.confidential), FALSE) AS includes_confidential
    FROM keys AS k
    CROSS JOIN years AS y
    LEFT JOIN lines AS l
        ON
            k.campaign_id = l.campaign_id
            AND k.indicator = l.indicator
            AND k.plan_axis = l.plan_axis
            AND l.first_full_year <= y.year
    GROUP BY k.campaign_id, k.indicator, k.plan_axis, y.year
),

flagged AS (
    SELECT
        c.*,
        c.includes_confidential
        AND c.partner_count < r.confidentiality_min_partners AS suppressed
    FROM axis_cells AS c
    CROSS JOIN ref.publication_rules AS r
),

partners_overall AS (
    SELECT
        k.campaign_id,
        k.indicator,
        y.year,
        COUNT(DISTINCT l.partner_id) AS partner_count
    FROM (SELECT DISTINCT campaign_id, indicator FROM lines) AS k
    CROSS JOIN years AS y
    LEFT JOIN lines AS l
        ON
            k.campaign_id = l.campaign_id
            AND k.indicator = l.indicator
            AND l.first_full_year <= y.year
    GROUP BY k.campaign_id, k.indicator, y.year
)

SELECT
    campaign_id,
    indicator,
    plan_axis,
    year,
    gross,
    deduplicated,
    gross_public,
    deduplicated_public,
    partner_count,
    includes_confidential,
    suppressed,
    FALSE AS withholds_confidential
FROM flagged
UNION ALL
SELECT
    f.campaign_id,
    f.indicator,
    'all' AS plan_axis,
    f.year,
    SUM(CASE WHEN f.suppressed THEN f.gross_public ELSE f.gross END) AS gross,
    SUM(CASE WHEN f.suppressed THEN f.deduplicated_public ELSE f.deduplicated END)
        AS deduplicated,
    SUM(f.gross_public) AS gross_public,
    SUM(f.deduplicated_public) AS deduplicated_public,
    MAX(p.partner_count) AS partner_count,
    BOOL_OR(f.includes_confidential) AS includes_confidential,
    FALSE AS suppressed,
    BOOL_OR(f.suppressed) AS withholds_confidential
FROM flagged AS f
INNER JOIN partners_overall AS p
    ON f.campaign_id = p.campaign_id AND f.indicator = p.indicator AND f.year = p.year
GROUP BY f.campaign_id, f.indicator, f.year
