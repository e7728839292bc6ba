-- matview_scheduler.dependencies: what each materialized view reads, and whether its changes can
-- be tracked exactly; and who sees which views.
CREATE SCHEMA deps;
SET search_path = deps, public;
CREATE TABLE t (x int);
CREATE TABLE pt (x int) PARTITION BY RANGE (x);
CREATE TABLE pt_low PARTITION OF pt FOR VALUES FROM (0) TO (100);
CREATE FOREIGN DATA WRAPPER regress_mvs_fdw;
CREATE SERVER regress_mvs_server FOREIGN DATA WRAPPER regress_mvs_fdw;
CREATE FOREIGN TABLE ft (x int) SERVER regress_mvs_server;
CREATE SEQUENCE seq;
CREATE FUNCTION stable_fn() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
CREATE FUNCTION immutable_fn(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';

-- A chain through a plain view: base <- plain <- top.
CREATE MATERIALIZED VIEW base AS SELECT t.x FROM t JOIN pt USING (x);
CREATE VIEW plain AS SELECT x FROM base;
CREATE MATERIALIZED VIEW top AS SELECT x FROM plain;
-- Tracked: immutable functions, stable built-ins that do not read the clock.
CREATE MATERIALIZED VIEW pure AS
    SELECT immutable_fn(x), lower(x::text), to_char(x, '999') FROM t WHERE x + 1 > 0;
CREATE MATERIALIZED VIEW constant AS SELECT 1 AS one;
-- Untracked, each for its reason.
CREATE MATERIALIZED VIEW remote AS SELECT x FROM ft WITH NO DATA;
CREATE MATERIALIZED VIEW clock AS SELECT now() AS at, x FROM t;
CREATE MATERIALIZED VIEW today AS SELECT x FROM t WHERE current_date > '2000-01-01';
CREATE VIEW hidden_clock AS SELECT x, clock_timestamp() AS at FROM t;
CREATE MATERIALIZED VIEW via_view AS SELECT x FROM hidden_clock;
CREATE MATERIALIZED VIEW dice AS SELECT random() AS r;
CREATE MATERIALIZED VIEW user_fn AS SELECT stable_fn() + x AS y FROM t;
CREATE MATERIALIZED VIEW counter AS SELECT last_value FROM seq;
CREATE MATERIALIZED VIEW nexts AS SELECT nextval('seq') AS n;
-- Reading an untracked materialized view: tracked itself (its source changes only when refreshed).
CREATE MATERIALIZED VIEW over_remote AS SELECT x FROM remote WITH NO DATA;

SELECT view, source, source_kind, depth, tracked, untracked_reason
  FROM matview_scheduler.dependencies
 WHERE (SELECT relnamespace FROM pg_class WHERE oid = view) = 'deps'::regnamespace
 ORDER BY view::text, depth, source::text;

-- A cycle through a plain view replaced after the fact ends; so does a deep lattice of views that
-- share their sources (2^20 paths from its top, each relation counted once).
CREATE VIEW loop_v AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW loop_m AS SELECT x FROM loop_v;
CREATE OR REPLACE VIEW loop_v AS SELECT x FROM loop_m;
SELECT source, source_kind, depth FROM matview_scheduler.dependencies
 WHERE view = 'loop_m'::regclass ORDER BY depth;
DO $$
BEGIN
    EXECUTE 'CREATE VIEW lat_a0 AS SELECT x FROM t';
    EXECUTE 'CREATE VIEW lat_b0 AS SELECT x FROM t';
    FOR i IN 1..20 LOOP
        EXECUTE format('CREATE VIEW lat_a%s AS SELECT x FROM lat_a%s UNION ALL SELECT x FROM lat_b%s',
                       i, i - 1, i - 1);
        EXECUTE format('CREATE VIEW lat_b%s AS SELECT x FROM lat_a%s UNION ALL SELECT x FROM lat_b%s',
                       i, i - 1, i - 1);
    END LOOP;
END $$;
CREATE MATERIALIZED VIEW lattice AS SELECT x FROM lat_a20 WITH NO DATA;
SELECT count(*) AS rows, max(depth) AS deepest, bool_and(tracked) AS tracked
  FROM matview_scheduler.dependencies WHERE view = 'lattice'::regclass;
SET client_min_messages = warning;
DROP VIEW lat_a0, lat_b0 CASCADE;
RESET client_min_messages;
-- Plain views nested deeper than the walk follows: what the deepest reads is unknown, so the view
-- is untracked; 31 views are followed to the table.
DO $$
BEGIN
    EXECUTE 'CREATE VIEW deep1 AS SELECT x FROM t';
    FOR i IN 2..33 LOOP
        EXECUTE format('CREATE VIEW deep%s AS SELECT x FROM deep%s', i, i - 1);
    END LOOP;
END $$;
CREATE MATERIALIZED VIEW deep_ok AS SELECT x FROM deep31 WITH NO DATA;
CREATE MATERIALIZED VIEW too_deep AS SELECT x FROM deep33 WITH NO DATA;
SELECT view, max(depth) AS deepest, bool_or(source = 't'::regclass) AS reaches_t, tracked,
       untracked_reason
  FROM matview_scheduler.dependencies WHERE view IN ('deep_ok'::regclass, 'too_deep'::regclass)
 GROUP BY view, tracked, untracked_reason ORDER BY view::text;
SET client_min_messages = warning;
DROP VIEW deep1 CASCADE;
RESET client_min_messages;

-- The rows come from the catalog: a new source shows at once.
CREATE OR REPLACE VIEW plain AS SELECT x FROM base UNION ALL SELECT x FROM ft;
SELECT view, tracked, untracked_reason FROM matview_scheduler.dependencies
 WHERE view = 'top'::regclass GROUP BY 1, 2, 3;

-- A role sees only the views it could see in matview_scheduler.status.
CREATE ROLE regress_mvs_alice;
CREATE ROLE regress_mvs_bob;
GRANT USAGE ON SCHEMA deps TO regress_mvs_alice, regress_mvs_bob;
GRANT CREATE ON SCHEMA deps TO regress_mvs_alice;
SET ROLE regress_mvs_alice;
CREATE TABLE alice_secret (x int);
CREATE MATERIALIZED VIEW alice_view AS SELECT x FROM alice_secret;
SELECT schedule_refresh('alice_view', 'yearly') > 0 AS scheduled;
SELECT view, source FROM matview_scheduler.dependencies ORDER BY 1, 2;
SET ROLE regress_mvs_bob;
-- Nothing of alice's, through the view or the function behind it.
SELECT count(*) AS bob_sees FROM matview_scheduler.dependencies;
SELECT count(*) AS bob_sees FROM matview_scheduler.dependency_rows();
SELECT count(*) AS bob_sees FROM matview_scheduler.status;
RESET ROLE;
GRANT SELECT ON alice_view TO regress_mvs_bob;
SET ROLE regress_mvs_bob;
SELECT view, source FROM matview_scheduler.dependencies;
RESET ROLE;
-- The schedule's owner sees its view even without SELECT on it, as in status.
REVOKE SELECT ON alice_view FROM regress_mvs_alice;
SET ROLE regress_mvs_alice;
SELECT has_table_privilege('alice_view', 'SELECT') AS alice_may_select;
SELECT view, source FROM matview_scheduler.dependencies;
RESET ROLE;

DROP SCHEMA deps CASCADE;
DROP SERVER regress_mvs_server;
DROP FOREIGN DATA WRAPPER regress_mvs_fdw;
DROP ROLE regress_mvs_alice, regress_mvs_bob;
RESET search_path;
