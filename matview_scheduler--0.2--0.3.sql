-- matview_scheduler 0.2 -> 0.3. A fresh CREATE EXTENSION runs 0.1, 0.1--0.2 and then this script,
-- so every installation, new or updated, has the same catalog.
\echo Use "ALTER EXTENSION matview_scheduler UPDATE TO '0.3'" to load this file. \quit

-- The tables become internal: read through the views below, written through the API functions.
-- The database's owner may read them (pg_dump of their own database reads the tables and their
-- sequences, with row security off), nobody else.
DROP POLICY schedules_visible ON matview_scheduler.schedules;
DROP POLICY runs_visible ON matview_scheduler.runs;
ALTER TABLE matview_scheduler.schedules DISABLE ROW LEVEL SECURITY;
ALTER TABLE matview_scheduler.runs DISABLE ROW LEVEL SECURITY;
-- The history keeps its config-dump registration (by OID) through the rename.
ALTER TABLE matview_scheduler.runs RENAME TO run_history;
REVOKE ALL ON matview_scheduler.schedules, matview_scheduler.run_history FROM PUBLIC;
GRANT SELECT ON matview_scheduler.schedules, matview_scheduler.run_history,
                matview_scheduler.schedules_id_seq, matview_scheduler.runs_run_id_seq
    TO pg_database_owner;

-- A schedule can ask for a NOTIFY matview_scheduler after each of its runs.
ALTER TABLE matview_scheduler.schedules ADD COLUMN notify boolean NOT NULL DEFAULT false;

-- The views: owned by the extension, they read the tables with its rights and show a role only
-- what it could read itself. A role sees a schedule and its runs when it may read the view, or
-- has the privileges of the schedule's owner. Error text and SQLSTATE can carry data of the
-- tables the refresh read: only the schedule's owner, the view's owner (and members of their
-- roles, superusers among them) see them. security_barrier: no function of the caller's sees a
-- row before these filters.
-- (The options given replace security_invoker; views a user built on status stay.)
CREATE OR REPLACE VIEW matview_scheduler.status WITH (security_barrier) AS
SELECT s.id              AS schedule_id,
       s.view,
       s.schedule,
       s.timezone,
       s.owner,
       s.next_run,
       s.next_run IS NULL AS finished,
       s.paused,
       COALESCE(r.status OPERATOR(pg_catalog.=) 'running', false) AS running,
       CASE WHEN r.status OPERATOR(pg_catalog.=) 'running' THEN r.started END AS running_since,
       s.start_at,
       s.until,
       s.repeats,
       s.concurrency,
       s.timeout,
       s.lock_timeout,
       s.max_retries,
       s.retry_delay,
       s.runs_total,
       s.failures_total,
       s.consecutive_failures,
       s.skipped_total,
       r.mode            AS last_mode,
       r.started         AS last_started,
       r.finished        AS last_finished,
       r.status          AS last_status,
       CASE WHEN r.status OPERATOR(pg_catalog.<>) 'succeeded' AND errors_shown THEN r.message
       END AS last_error,
       CASE WHEN r.status OPERATOR(pg_catalog.<>) 'succeeded' AND errors_shown THEN r.sqlstate
       END AS last_sqlstate,
       r.finished OPERATOR(pg_catalog.-) r.started AS last_duration,
       s.created,
       -- due and not started: its run waits for a background worker slot, or for a free worker
       COALESCE(r.status OPERATOR(pg_catalog.=) 'waiting', false)
           OR (NOT s.paused AND s.next_run OPERATOR(pg_catalog.<) pg_catalog.now()
               AND COALESCE(r.status OPERATOR(pg_catalog.<>) 'running', true)) AS waiting,
       CASE WHEN r.status OPERATOR(pg_catalog.=) 'waiting' THEN r.started
            WHEN NOT s.paused AND s.next_run OPERATOR(pg_catalog.<) pg_catalog.now()
                 AND COALESCE(r.status OPERATOR(pg_catalog.<>) 'running', true) THEN s.next_run
       END AS waiting_since,
       s.notify
  FROM matview_scheduler.schedules s
  LEFT JOIN matview_scheduler.run_history r ON r.run_id OPERATOR(pg_catalog.=) s.last_run_id
  CROSS JOIN LATERAL (SELECT COALESCE(pg_catalog.pg_has_role(s.owner::pg_catalog.oid, 'USAGE'),
                                      false) AS owner_shown) o
  CROSS JOIN LATERAL (SELECT o.owner_shown OR COALESCE(
                          (SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE')
                             FROM pg_catalog.pg_class c
                            WHERE c.oid OPERATOR(pg_catalog.=) s.view::pg_catalog.oid),
                          false) AS errors_shown) e
 WHERE o.owner_shown
    OR COALESCE(pg_catalog.has_table_privilege(s.view::pg_catalog.oid, 'SELECT'), false);

CREATE VIEW matview_scheduler.runs WITH (security_barrier) AS
SELECT h.run_id,
       h.schedule_id,
       h.view,
       h.scheduled_for,
       h.started,
       h.finished,
       h.status,
       h.mode,
       h.manual,
       CASE WHEN e.errors_shown THEN h.sqlstate END AS sqlstate,
       CASE WHEN e.errors_shown THEN h.message END AS message
  FROM matview_scheduler.run_history h
  LEFT JOIN matview_scheduler.schedules s ON s.id OPERATOR(pg_catalog.=) h.schedule_id
  CROSS JOIN LATERAL (SELECT COALESCE(pg_catalog.pg_has_role(s.owner::pg_catalog.oid, 'USAGE'),
                                      false) AS owner_shown) o
  CROSS JOIN LATERAL (SELECT o.owner_shown OR COALESCE(
                          (SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE')
                             FROM pg_catalog.pg_class c
                            WHERE c.oid OPERATOR(pg_catalog.=) h.view::pg_catalog.oid),
                          false) AS errors_shown) e
 WHERE o.owner_shown
    OR COALESCE(pg_catalog.has_table_privilege(h.view::pg_catalog.oid, 'SELECT'), false);

GRANT SELECT ON matview_scheduler.status, matview_scheduler.runs TO PUBLIC;

-- schedule_refresh gains `notify`.
DROP FUNCTION @extschema@.schedule_refresh(pg_catalog.regclass, text, timestamptz, timestamptz,
                                           integer, text, text, interval, interval, integer,
                                           interval);
CREATE FUNCTION @extschema@.schedule_refresh(view pg_catalog.regclass, schedule text,
                                             start_at timestamptz DEFAULT NULL,
                                             until timestamptz DEFAULT NULL,
                                             repeats integer DEFAULT NULL,
                                             timezone text DEFAULT NULL,
                                             concurrently text DEFAULT 'auto',
                                             timeout interval DEFAULT NULL,
                                             lock_timeout interval DEFAULT NULL,
                                             max_retries integer DEFAULT 3,
                                             retry_delay interval DEFAULT '30 seconds',
                                             notify boolean DEFAULT false)
    RETURNS bigint
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    AS 'MODULE_PATHNAME', 'mvs_schedule_refresh';
COMMENT ON FUNCTION @extschema@.schedule_refresh(pg_catalog.regclass, text, timestamptz, timestamptz, integer, text, text, interval, interval, integer, interval, boolean) IS
    'Refresh a materialized view on a schedule (replaces its schedule if it has one); returns the schedule id';

-- Every drop that takes a materialized view with it (DROP TABLE ... CASCADE, DROP FUNCTION ...
-- CASCADE, ALTER TABLE ... DROP COLUMN ... CASCADE, DROP EXTENSION ... CASCADE, ...) takes its
-- schedule and run history too.
CREATE OR REPLACE FUNCTION matview_scheduler.forget_dropped_views()
    RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    dropped record;
BEGIN
    -- Dropped with the extension itself (its tables are gone by now): nothing to forget.
    IF pg_catalog.to_regclass('matview_scheduler.schedules') IS NULL
       OR pg_catalog.to_regclass('matview_scheduler.run_history') IS NULL THEN
        RETURN;
    END IF;
    FOR dropped IN
        SELECT d.objid, d.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() d
         WHERE d.object_type OPERATOR(pg_catalog.=) 'materialized view'
    LOOP
        DELETE FROM matview_scheduler.run_history
         WHERE view::pg_catalog.oid OPERATOR(pg_catalog.=) dropped.objid;
        DELETE FROM matview_scheduler.schedules
         WHERE view::pg_catalog.oid OPERATOR(pg_catalog.=) dropped.objid;
        IF FOUND THEN
            RAISE NOTICE 'the refresh schedule of % was removed with it', dropped.object_identity;
        END IF;
    END LOOP;
END
$$;
DROP EVENT TRIGGER matview_scheduler_forget_dropped_views;
CREATE EVENT TRIGGER matview_scheduler_forget_dropped_views ON sql_drop
    EXECUTE FUNCTION matview_scheduler.forget_dropped_views();

-- A dump taken before 0.3 restores its run history into matview_scheduler.runs, a view now: its
-- rows go through to run_history. With the restoring role's rights (INSERT on the view: only
-- superusers).
CREATE FUNCTION matview_scheduler.restore_run()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO matview_scheduler.run_history (run_id, schedule_id, view, scheduled_for, started,
                                               finished, status, mode, manual, sqlstate, message)
    VALUES (NEW.run_id, NEW.schedule_id, NEW.view, NEW.scheduled_for, NEW.started, NEW.finished,
            NEW.status, NEW.mode, NEW.manual, NEW.sqlstate, NEW.message);
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION matview_scheduler.restore_run() FROM PUBLIC;
CREATE TRIGGER restore_run INSTEAD OF INSERT ON matview_scheduler.runs
    FOR EACH ROW EXECUTE FUNCTION matview_scheduler.restore_run();
