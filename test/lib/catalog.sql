-- test/lib/catalog.sql: every object of the extension relintel with a digest of
-- its definition (functions, views, tables with their columns, indexes,
-- constraints and triggers, types, privileges and comments), one line each,
-- and the tables pg_dump backs up.  Two installs that print the same lines
-- are the same install (test/upgrade.sh: an upgraded one and a fresh one).
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '
SELECT e.extversion FROM pg_catalog.pg_extension AS e WHERE e.extname = 'relintel';

SELECT pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS object,
       md5(concat_ws(E'\n',
           CASE WHEN d.classid = 'pg_proc'::regclass THEN
                (SELECT CASE WHEN p.prokind = 'a'
                             THEN (SELECT format('%s %s %s %s %s %s %s', a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
                                                       a.aggserialfn, a.aggdeserialfn, a.aggtranstype::regtype,
                                                       a.agginitval)
                                     FROM pg_catalog.pg_aggregate AS a WHERE a.aggfnoid = p.oid)
                             ELSE pg_catalog.pg_get_functiondef(p.oid) END || coalesce(p.proacl::text, '')
                   FROM pg_catalog.pg_proc AS p WHERE p.oid = d.objid) END,
           CASE WHEN d.classid = 'pg_class'::regclass THEN
                (SELECT concat_ws(E'\n', c.relkind, c.relacl::text,
                        CASE WHEN c.relkind = 'v' THEN pg_catalog.pg_get_viewdef(c.oid) END,
                        (SELECT string_agg(format('%s %s %s %s %s', a.attnum, a.attname,
                                                  pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                                  a.attidentity::text || coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')),
                                           E'\n' ORDER BY a.attnum)
                           FROM pg_catalog.pg_attribute AS a
                           LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                        (SELECT string_agg(pg_catalog.pg_get_indexdef(i.indexrelid), E'\n' ORDER BY pg_catalog.pg_get_indexdef(i.indexrelid))
                           FROM pg_catalog.pg_index AS i WHERE i.indrelid = c.oid),
                        (SELECT string_agg(k.conname || ' ' || pg_catalog.pg_get_constraintdef(k.oid), E'\n' ORDER BY k.conname)
                           FROM pg_catalog.pg_constraint AS k WHERE k.conrelid = c.oid),
                        (SELECT string_agg(pg_catalog.pg_get_triggerdef(t.oid) || coalesce(pg_catalog.obj_description(t.oid, 'pg_trigger'), ''),
                                           E'\n' ORDER BY t.tgname)
                           FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal),
                        (SELECT string_agg(format('%s %s', s.objsubid, s.description), E'\n' ORDER BY s.objsubid)
                           FROM pg_catalog.pg_description AS s
                          WHERE s.classoid = 'pg_class'::regclass AND s.objoid = c.oid))
                   FROM pg_catalog.pg_class AS c WHERE c.oid = d.objid) END,
           CASE WHEN d.classid = 'pg_type'::regclass THEN
                (SELECT string_agg(l.enumlabel, ' ' ORDER BY l.enumsortorder)
                   FROM pg_catalog.pg_enum AS l WHERE l.enumtypid = d.objid) END,
           (SELECT s.description FROM pg_catalog.pg_description AS s
             WHERE s.classoid = d.classid AND s.objoid = d.objid AND s.objsubid = 0))) AS digest
  FROM pg_catalog.pg_depend AS d
  JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'relintel'
 ORDER BY 1;

SELECT 'backed up: ' || string_agg(x.oid::regclass::text, ' ' ORDER BY x.oid::regclass::text)
  FROM pg_catalog.pg_extension AS e CROSS JOIN LATERAL unnest(e.extconfig) AS x(oid)
 WHERE e.extname = 'relintel';
