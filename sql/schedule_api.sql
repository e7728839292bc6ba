-- The SQL API: schedule, replace, inspect and remove schedules.
-- Only schedules that cannot come due during the test are used, so the output never depends on
-- the scheduler's timing.
CREATE EXTENSION matview_scheduler;
SET TimeZone = 'Europe/Berlin';

CREATE TABLE polls_user (id serial PRIMARY KEY, name text, age int);
INSERT INTO polls_user (name, age) VALUES ('ann', 31), ('bob', 19), ('cyd', 25);
CREATE MATERIALIZED VIEW polls_user_matt_view AS SELECT * FROM polls_user WHERE age >= 25;

-- The API functions live in the extension's schema; the catalog in its own.
SELECT p.proname, n.nspname
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proname IN ('schedule_refresh', 'unschedule_refresh') ORDER BY 1;

SELECT schedule_refresh('polls_user_matt_view', 'yearly') AS schedule_id;

-- One row per schedule, nothing run yet.
SELECT view, schedule, timezone, owner, last_started, last_finished, last_status, last_error,
       last_sqlstate, next_run = date_trunc('year', now()) + interval '1 year' AS next_run_is_new_year
  FROM matview_scheduler.status;

-- Calling it again replaces the view's schedule and keeps its id.
SELECT schedule_refresh('polls_user_matt_view', 'every 5 minutes') AS schedule_id;
SELECT count(*) AS schedules, min(schedule) AS schedule, min(spec) AS spec
  FROM matview_scheduler.schedules;

-- Each accepted form: the stored canonical form, and the first due time as PostgreSQL's own
-- date arithmetic in the session's time zone computes it. The first run is the first due time
-- after the schedule is created, never at once. One transaction, so now() is the same instant
-- throughout.
BEGIN;
CREATE TEMP TABLE forms (schedule text, expected_next timestamptz);
INSERT INTO forms VALUES
    ('30 seconds',          now() + interval '30 seconds'),
    ('5 minutes',           now() + interval '5 minutes'),
    ('1 hour',              now() + interval '1 hour'),
    ('every 5 minutes',     now() + interval '5 minutes'),
    ('EVERY   90 minutes ', now() + interval '90 minutes'),
    ('1 day 2 hours',       now() + interval '1 day 2 hours'),
    ('2 weeks',             now() + interval '2 weeks'),
    ('1 month',             now() + interval '1 month'),
    ('01:30:00',            now() + interval '90 minutes'),
    ('minutely',            date_trunc('minute', now()) + interval '1 minute'),
    ('hourly',              date_trunc('hour', now()) + interval '1 hour'),
    ('every hour',          date_trunc('hour', now()) + interval '1 hour'),
    ('daily',               date_trunc('day', now()) + interval '1 day'),
    ('Daily',               date_trunc('day', now()) + interval '1 day'),
    ('weekly',              date_trunc('week', now()) + interval '1 week'),
    ('monthly',             date_trunc('month', now()) + interval '1 month'),
    ('quarterly',           date_trunc('quarter', now()) + interval '3 months'),
    ('yearly',              date_trunc('year', now()) + interval '1 year'),
    ('annually',            date_trunc('year', now()) + interval '1 year');

CREATE FUNCTION check_form(form text, expected timestamptz) RETURNS TABLE (spec text, as_expected boolean)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM schedule_refresh('polls_user_matt_view', form);
    RETURN QUERY SELECT s.spec, s.next_run = expected FROM matview_scheduler.schedules s;
END $$;

SELECT f.schedule, c.spec, c.as_expected
  FROM forms f, LATERAL check_form(f.schedule, f.expected_next) c;
COMMIT;

-- Daily and longer schedules follow the session's wall clock, whatever its zone.
SET TimeZone = 'America/New_York';
SELECT schedule_refresh('polls_user_matt_view', 'daily') AS schedule_id;
SELECT timezone, next_run = date_trunc('day', now()) + interval '1 day' AS at_local_midnight,
       to_char(next_run, 'HH24:MI') AS local_time
  FROM matview_scheduler.schedules;
SET TimeZone = 'Europe/Berlin';

-- start_at, until, repeats and timezone are kept, and shown in the status view.
SELECT schedule_refresh('polls_user_matt_view', 'daily', start_at => '2031-01-01 05:34+01',
                        until => '2031-06-30 00:00+02', repeats => 10,
                        timezone => 'Europe/Paris') AS schedule_id;
SELECT schedule, timezone, next_run, start_at, until, repeats, runs_total, skipped_total, finished
  FROM matview_scheduler.status;
-- once, at start_at
SELECT schedule_refresh('polls_user_matt_view', 'once', start_at => '2031-01-01 12:00+00') AS schedule_id;
SELECT schedule, next_run, finished FROM matview_scheduler.status;
-- a cron line, in a given zone: the first run is its first due time
SELECT schedule_refresh('polls_user_matt_view', '0 9 * * mon-fri', timezone => 'America/New_York') AS schedule_id;
SELECT schedule, timezone, spec, next_run > now() AS in_future,
       to_char(next_run AT TIME ZONE 'America/New_York', 'HH24:MI Dy') IN
           ('09:00 Mon', '09:00 Tue', '09:00 Wed', '09:00 Thu', '09:00 Fri') AS weekday_at_nine
  FROM matview_scheduler.schedules;

-- A second view gets its own schedule.
CREATE MATERIALIZED VIEW young_users AS SELECT * FROM polls_user WHERE age < 25;
SELECT schedule_refresh('young_users', 'weekly') AS schedule_id;
SELECT view, schedule FROM matview_scheduler.status ORDER BY schedule_id;

-- Schedules follow their view through a rename.
ALTER MATERIALIZED VIEW young_users RENAME TO junior_users;
SELECT view, schedule FROM matview_scheduler.status ORDER BY schedule_id;

-- Removing: true when a schedule was removed, false when there was none.
SELECT unschedule_refresh('junior_users');
SELECT unschedule_refresh('junior_users');
SELECT view FROM matview_scheduler.status;

-- Schedules and finished runs are kept by pg_dump (test/t/016 restores them).
SELECT c.relname
  FROM pg_extension e, unnest(e.extconfig) AS cfg(oid) JOIN pg_class c ON c.oid = cfg.oid
 WHERE e.extname = 'matview_scheduler' ORDER BY 1;

-- Users see and write the catalog only through the API.
CREATE ROLE regress_mvs_reader;
SET ROLE regress_mvs_reader;
SELECT count(*) AS visible FROM matview_scheduler.status;
INSERT INTO matview_scheduler.schedules (view, owner, schedule, spec, anchor, timezone)
VALUES ('polls_user_matt_view', 'regress_mvs_reader', 'hourly', 'calendar hour', now(), 'UTC');
RESET ROLE;
GRANT SELECT ON polls_user_matt_view TO regress_mvs_reader;
SET ROLE regress_mvs_reader;
SELECT view, schedule FROM matview_scheduler.status;
RESET ROLE;

-- A non-superuser who owns a view schedules it; the schedule runs as that role.
CREATE ROLE regress_mvs_owner;
GRANT CREATE ON SCHEMA public TO regress_mvs_owner;
SET ROLE regress_mvs_owner;
CREATE TABLE owned_source (x int);
CREATE MATERIALIZED VIEW owned_view AS SELECT * FROM owned_source;
SELECT schedule_refresh('owned_view', 'daily') > 0 AS scheduled;
SELECT view, owner FROM matview_scheduler.status;
SELECT unschedule_refresh('owned_view');
RESET ROLE;

SELECT unschedule_refresh('polls_user_matt_view');
SELECT count(*) AS schedules_left FROM matview_scheduler.schedules;

-- Dropping a view removes its schedule, and says so; other schedules stay.
CREATE MATERIALIZED VIEW doomed AS SELECT 1 AS one;
CREATE SCHEMA doomed_schema;
CREATE MATERIALIZED VIEW doomed_schema.inner_view AS SELECT 1 AS one;
SELECT schedule_refresh('doomed', 'daily') > 0, schedule_refresh('polls_user_matt_view', 'daily') > 0,
       schedule_refresh('doomed_schema.inner_view', 'daily') > 0;
SELECT refresh_now('doomed', wait => true) > 0 AS refreshed;
DROP MATERIALIZED VIEW doomed;
DROP SCHEMA doomed_schema CASCADE;
SELECT view FROM matview_scheduler.status;
SELECT count(*) AS runs_of_dropped FROM matview_scheduler.runs
 WHERE view::oid NOT IN (SELECT oid FROM pg_class);
SELECT unschedule_refresh('polls_user_matt_view');

-- A schedule belongs to the role that made it: REASSIGN OWNED hands it over with the role's
-- objects, DROP OWNED removes it, also where the view itself stays (owned by another role).
CREATE ROLE regress_mvs_heir;
CREATE ROLE regress_mvs_group;
GRANT regress_mvs_group TO regress_mvs_heir;
SET ROLE regress_mvs_owner;
SELECT schedule_refresh('owned_view', 'daily') > 0 AS scheduled;
RESET ROLE;
REASSIGN OWNED BY regress_mvs_owner TO regress_mvs_heir;
SELECT view, owner, pg_get_userbyid(c.relowner) AS view_owner
  FROM matview_scheduler.status JOIN pg_class c ON c.oid = view;
CREATE MATERIALIZED VIEW group_view AS SELECT 1 AS one;
ALTER MATERIALIZED VIEW group_view OWNER TO regress_mvs_group;
SET ROLE regress_mvs_heir;
SELECT schedule_refresh('group_view', 'daily') > 0 AS scheduled;
RESET ROLE;
DROP OWNED BY regress_mvs_heir;
SELECT count(*) AS schedules_left FROM matview_scheduler.schedules;
SELECT relname FROM pg_class WHERE relname IN ('owned_view', 'group_view');
DROP MATERIALIZED VIEW group_view;
DROP ROLE regress_mvs_heir, regress_mvs_group;

DROP OWNED BY regress_mvs_owner;
REVOKE ALL ON polls_user_matt_view FROM regress_mvs_reader;
REVOKE CREATE ON SCHEMA public FROM regress_mvs_owner;
DROP ROLE regress_mvs_reader, regress_mvs_owner;

-- Nothing the scheduler shows reveals what a role could not read itself. A role that may read a
-- view sees its schedule and runs, but not their errors: those can carry data of tables the
-- role cannot read. The schedule's owner, members of the view owner's role and superusers see
-- them. The tables themselves are internal.
CREATE ROLE regress_mvs_author;
CREATE ROLE regress_mvs_viewer;
CREATE ROLE regress_mvs_stranger;
CREATE ROLE regress_mvs_colleague IN ROLE regress_mvs_author;
GRANT CREATE ON SCHEMA public TO regress_mvs_author;
SET ROLE regress_mvs_author;
CREATE TABLE secrets (v text);
INSERT INTO secrets VALUES ('the secret');
CREATE MATERIALIZED VIEW leaky AS SELECT v::int AS n FROM secrets WITH NO DATA;
GRANT SELECT ON leaky TO regress_mvs_viewer;
SELECT schedule_refresh('leaky', 'daily') > 0 AS scheduled;
DO $$
BEGIN
    PERFORM refresh_now('leaky', wait => true);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'the refresh failed: %', SQLERRM;
END $$;
SELECT view, last_status, last_sqlstate, last_error, notify FROM matview_scheduler.status;
SELECT view, status, sqlstate, message FROM matview_scheduler.runs WHERE view = 'leaky'::regclass;
SET ROLE regress_mvs_colleague;
SELECT view, last_status, last_sqlstate, last_error FROM matview_scheduler.status;
SELECT view, status, sqlstate, message FROM matview_scheduler.runs WHERE view = 'leaky'::regclass;
SET ROLE regress_mvs_viewer;
SELECT view, last_status, last_sqlstate, last_error FROM matview_scheduler.status;
SELECT view, status, sqlstate, message FROM matview_scheduler.runs WHERE view = 'leaky'::regclass;
SELECT count(*) FROM matview_scheduler.schedules;
SELECT count(*) FROM matview_scheduler.run_history;
SET ROLE regress_mvs_stranger;
SELECT count(*) AS visible FROM matview_scheduler.status;
SELECT count(*) AS visible FROM matview_scheduler.runs;
RESET ROLE;
SELECT view, last_status, last_sqlstate, last_error FROM matview_scheduler.status;
SELECT view, status, sqlstate, message FROM matview_scheduler.runs WHERE view = 'leaky'::regclass;
DROP OWNED BY regress_mvs_author;
REVOKE CREATE ON SCHEMA public FROM regress_mvs_author;
DROP ROLE regress_mvs_colleague, regress_mvs_author, regress_mvs_viewer, regress_mvs_stranger;

-- Every way a materialized view can be dropped takes its schedule and its runs with it.
CREATE TABLE drop_base (id int, extra int);
CREATE FUNCTION drop_fn() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE TYPE drop_type AS (a int);
CREATE DOMAIN drop_domain AS int;
CREATE MATERIALIZED VIEW by_table AS SELECT id FROM drop_base;
CREATE MATERIALIZED VIEW by_function AS SELECT drop_fn() AS x;
CREATE MATERIALIZED VIEW by_column AS SELECT extra FROM drop_base;
CREATE MATERIALIZED VIEW by_type AS SELECT ROW(1)::drop_type AS t;
CREATE MATERIALIZED VIEW by_domain AS SELECT 1::drop_domain AS d;
CREATE VIEW plain_over_base AS SELECT id FROM drop_base;
CREATE MATERIALIZED VIEW by_view AS SELECT id FROM plain_over_base;
CREATE MATERIALIZED VIEW by_matview AS SELECT id FROM by_view;
SELECT count(schedule_refresh(v, 'daily')) AS scheduled
  FROM unnest(ARRAY['by_table', 'by_function', 'by_column', 'by_type', 'by_domain', 'by_view',
                    'by_matview']::regclass[]) AS v;
SELECT refresh_now('by_table', wait => true) > 0 AS refreshed;
ALTER TABLE drop_base DROP COLUMN extra CASCADE;
SELECT view FROM matview_scheduler.status ORDER BY view::text;
DROP FUNCTION drop_fn() CASCADE;
DROP TYPE drop_type CASCADE;
DROP DOMAIN drop_domain CASCADE;
SELECT view FROM matview_scheduler.status ORDER BY view::text;
DROP VIEW plain_over_base CASCADE;
SELECT view FROM matview_scheduler.status ORDER BY view::text;
DROP TABLE drop_base CASCADE;
SELECT count(*) AS schedules_left FROM matview_scheduler.schedules;
SELECT count(*) AS runs_of_dropped FROM matview_scheduler.run_history
 WHERE view::oid NOT IN (SELECT oid FROM pg_class);

-- Another extension dropped with CASCADE takes the views built on its objects along.
CREATE EXTENSION citext;
CREATE MATERIALIZED VIEW by_extension AS SELECT 'a'::citext AS c;
SELECT schedule_refresh('by_extension', 'daily') > 0 AS scheduled;
DROP EXTENSION citext CASCADE;
SELECT count(*) AS schedules_left FROM matview_scheduler.schedules;

-- The extension itself can be dropped with schedules in place (its event trigger then finds
-- its own tables gone), and created again.
CREATE MATERIALIZED VIEW kept_view AS SELECT 1 AS one;
SELECT schedule_refresh('kept_view', 'daily') > 0 AS scheduled;
DROP EXTENSION matview_scheduler;
CREATE EXTENSION matview_scheduler;
SELECT count(*) AS schedules_after_recreate FROM matview_scheduler.schedules;
DROP MATERIALIZED VIEW kept_view;

-- A database with schedules can be dropped.
\set regress_db :DBNAME
CREATE DATABASE regress_mvs_dropped;
\c regress_mvs_dropped
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW doomed AS SELECT 1 AS one;
SELECT schedule_refresh('doomed', 'daily') > 0 AS scheduled;
\c :regress_db
DROP DATABASE regress_mvs_dropped;
SELECT count(*) AS gone FROM pg_database WHERE datname = 'regress_mvs_dropped';
