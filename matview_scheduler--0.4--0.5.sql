-- matview_scheduler 0.4 -> 0.5. A fresh CREATE EXTENSION runs 0.1 and every update after it, so
-- every installation, new or updated, has the same catalog.
\echo Use "ALTER EXTENSION matview_scheduler UPDATE TO '0.5'" to load this file. \quit

-- only_if_changed: a due time passes without a refresh when nothing the view reads has a committed
-- change since its last successful scheduled refresh. The counters of what it reads live in
-- shared memory; change_baseline is their reading taken before that refresh ({epoch, set hash,
-- sum}), change_pending the reading taken before the run under way.
ALTER TABLE matview_scheduler.schedules
    ADD COLUMN only_if_changed boolean NOT NULL DEFAULT false,
    ADD COLUMN unchanged_total bigint NOT NULL DEFAULT 0,   -- due times passed, nothing changed
    ADD COLUMN last_checked timestamptz,                    -- when that was last looked at
    ADD COLUMN change_baseline bigint[],
    ADD COLUMN change_pending bigint[],
    -- 'on change': the least time between the starts of two refreshes (NULL for a schedule on
    -- the clock), and which generation of watched writes its sources were last looked at in.
    ADD COLUMN min_interval interval
        CHECK (min_interval OPERATOR(pg_catalog.>=) interval '1 second'),
    ADD COLUMN change_seen bigint;

-- The status view gains only_if_changed, unchanged_total, last_checked and min_interval (at the
-- end, as CREATE OR REPLACE VIEW requires). An 'on change' schedule past its next_run waits for a
-- change, not for a place: it is not shown as waiting.
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
           OR (NOT s.paused AND s.min_interval IS NULL
               AND s.next_run OPERATOR(pg_catalog.<) pg_catalog.now()
               AND COALESCE(r.status OPERATOR(pg_catalog.<>) 'running', true)) AS waiting,
       CASE WHEN r.status OPERATOR(pg_catalog.=) 'waiting' THEN r.started
            WHEN NOT s.paused AND s.min_interval IS NULL
                 AND s.next_run OPERATOR(pg_catalog.<) pg_catalog.now()
                 AND COALESCE(r.status OPERATOR(pg_catalog.<>) 'running', true) THEN s.next_run
       END AS waiting_since,
       s.notify,
       s.only_if_changed,
       s.unchanged_total,
       s.last_checked,
       s.min_interval
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

-- schedule_refresh gains `only_if_changed` and `min_interval` (for 'on change'; NULL: 1 minute).
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
                                             only_if_changed boolean DEFAULT false,
                                             min_interval interval DEFAULT NULL)
    RETURNS bigint
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    AS 'MODULE_PATHNAME', 'mvs_schedule_refresh';
COMMENT ON FUNCTION @extschema@.schedule_refresh(pg_catalog.regclass, text, timestamptz, timestamptz, integer, text, text, interval, interval, integer, interval, boolean, boolean, interval) IS
    'Refresh a materialized view on a schedule (replaces its schedule if it has one); returns the schedule id';
