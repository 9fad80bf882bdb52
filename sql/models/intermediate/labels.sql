-- The labels of what marts group by: plan axes, sectors, statuses, natures and
-- funding sources from the code lists, plus the rows no code list has: 'all' (a
-- total over plan axes), 'non_renseigne' (a funding source not given) and
-- 'confidentiel' (confidential actions, pooled: they are published only
-- together, never in the cell of their axis, sector or status).
SELECT
    list_name,
    code,
    label_fr
FROM {{ source("ref", "code_values") }}
WHERE list_name IN ('plan_axis', 'sector', 'status', 'nature', 'funding_source')
UNION ALL
SELECT
    pooled.list_name,
    '{{ var("confidential_pool") }}' AS code,
    'Actions confidentielles (regroupées)' AS label_fr
FROM
    (VALUES ('plan_axis'), ('sector'), ('status'), ('nature'), ('funding_source'))
        AS pooled (list_name)
UNION ALL
SELECT
    'plan_axis' AS list_name,
    '{{ var("all_axes") }}' AS code,
    'Tous les axes' AS label_fr
UNION ALL
SELECT
    'funding_source' AS list_name,
    '{{ var("not_given") }}' AS code,
    'Non renseignée' AS label_fr
