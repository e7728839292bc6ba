-- matview_scheduler 0.3 -> 0.4. A fresh CREATE EXTENSION runs 0.1 and every update after it, so
-- every installation, new or updated, has the same catalog.
\echo Use "ALTER EXTENSION matview_scheduler UPDATE TO '0.4'" to load this file. \quit

-- What each materialized view reads (through plain views and other materialized views, down to
-- tables) and whether its changes can be tracked exactly. The function shows a role only the
-- views it may see in matview_scheduler.status: those it may SELECT from, and those whose
-- schedule's owner it has the privileges of.
CREATE FUNCTION matview_scheduler.dependency_rows(OUT view pg_catalog.regclass,
                                                  OUT source pg_catalog.regclass,
                                                  OUT source_kind text,
                                                  OUT depth integer,
                                                  OUT tracked boolean,
                                                  OUT untracked_reason text)
    RETURNS SETOF record
    LANGUAGE C STABLE
    AS 'MODULE_PATHNAME', 'mvs_dependencies';

CREATE VIEW matview_scheduler.dependencies AS
SELECT d.view, d.source, d.source_kind, d.depth, d.tracked, d.untracked_reason
  FROM matview_scheduler.dependency_rows() d;
GRANT SELECT ON matview_scheduler.dependencies TO PUBLIC;

-- only_if_changed: a due time passes without a refresh when nothing the view reads has a committed
-- change since its last successful scheduled refresh. The counters of what it reads live in
-- shared memory; change_baseline is their reading taken before that refresh ({epoch, set hash,
-- sum}), change_pending the reading taken before the run under way.
ALTER TABLE matview_scheduler.schedules
    ADD COLUMN only_if_changed boolean NOT NULL DEFAULT false,
    ADD COLUMN unchanged_total bigint NOT NULL DEFAULT 0,   -- due times passed, nothing changed
    ADD COLUMN last_checked timestamptz,                    -- when that was last looked at
    ADD COLUMN change_baseline bigint[],
    ADD COLUMN change_pending bigint[];

-- The status view gains only_if_changed, unchanged_total and last_checked (at the end, as
-- CREATE OR REPLACE VIEW requires).
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
       s.notify,
       s.only_if_changed,
       s.unchanged_total,
       s.last_checked
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

GRANT SELECT ON matview_scheduler.status TO PUBLIC;

-- schedule_refresh gains `only_if_changed`.
DROP FUNCTION @extschema@.schedule_refresh(pg_catalog.regclass, text, timestamptz, timestamptz,
                                           integer, text, text, interval, interval, integer,
                                           interval, boolean);
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
                                             notify boolean DEFAULT false,
                                             only_if_changed boolean DEFAULT false)
    RETURNS bigint
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    AS 'MODULE_PATHNAME', 'mvs_schedule_refresh';
COMMENT ON FUNCTION @extschema@.schedule_refresh(pg_catalog.regclass, text, timestamptz, timestamptz, integer, text, text, interval, interval, integer, interval, boolean, boolean) IS
    'Refresh a materialized view on a schedule (replaces its schedule if it has one); returns the schedule id';
