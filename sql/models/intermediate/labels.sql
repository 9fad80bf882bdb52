-- The labels of what marts group by: plan axes, sectors and statuses from the
-- code lists, plus the rows no code list has: 'all' (a total over plan axes)
-- and 'confidentiel' (confidential actions, pooled: they are published only
-- together, never in the cell of their axis, sector or status).
SELECT
    list_name,
    code,
    label_fr
FROM {{ source("ref", "code_values") }}
WHERE list_name IN ('plan_axis', 'sector', 'status')
UNION ALL
SELECT
    pooled.list_name,
    '{{ var("confidential_pool") }}' AS code,
    'Actions confidentielles (regroupées)' AS label_fr
FROM (VALUES ('plan_axis'), ('sector'), ('status')) AS pooled (list_name)
UNION ALL
SELECT
    'plan_axis' AS list_name,
    '{{ var("all_axes") }}' AS code,
    'Tous les axes' AS label_fr
