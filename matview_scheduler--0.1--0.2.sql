-- matview_scheduler 0.1 -> 0.2. A fresh CREATE EXTENSION runs 0.1 and then this script, so every
-- installation, new or updated, has the same catalog.
\echo Use "ALTER EXTENSION matview_scheduler UPDATE TO '0.2'" to load this file. \quit

-- A run recorded while no background worker slot was free waits ('waiting') until one frees.
ALTER TABLE matview_scheduler.runs DROP CONSTRAINT runs_status_check;
ALTER TABLE matview_scheduler.runs ADD CONSTRAINT runs_status_check
    CHECK (status OPERATOR(pg_catalog.=) ANY
           (ARRAY['waiting', 'running', 'succeeded', 'failed', 'interrupted']));

-- Run history comes along in a dump, except runs not finished at the time: in the copy they never
-- will be. Its sequence too, so restored schedules never point at another view's run.
SELECT pg_catalog.pg_extension_config_dump('matview_scheduler.runs',
                                           'WHERE status NOT IN (''waiting'', ''running'')');
SELECT pg_catalog.pg_extension_config_dump('matview_scheduler.runs_run_id_seq', '');

-- Rows written other than through the API functions (a restore's COPY, a DBA's UPDATE) wake the
-- scheduler at commit. ALWAYS: also with session_replication_role = replica, as in
-- pg_restore --disable-triggers.
CREATE FUNCTION matview_scheduler.wake_scheduler()
    RETURNS trigger
    LANGUAGE C
    AS 'MODULE_PATHNAME', 'mvs_wake_scheduler';
REVOKE ALL ON FUNCTION matview_scheduler.wake_scheduler() FROM PUBLIC;
CREATE TRIGGER wake_scheduler
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON matview_scheduler.schedules
    FOR EACH STATEMENT EXECUTE FUNCTION matview_scheduler.wake_scheduler();
ALTER TABLE matview_scheduler.schedules ENABLE ALWAYS TRIGGER wake_scheduler;

-- The status view gains `waiting` and `waiting_since`: a schedule that is due and has not started.
CREATE OR REPLACE VIEW matview_scheduler.status WITH (security_invoker = true) AS
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
       CASE WHEN r.status OPERATOR(pg_catalog.<>) 'succeeded' THEN r.message END AS last_error,
       CASE WHEN r.status OPERATOR(pg_catalog.<>) 'succeeded' THEN r.sqlstate END AS last_sqlstate,
       r.finished OPERATOR(pg_catalog.-) r.started AS last_duration,
       s.created,
       -- due and not started: its run waits for a background worker slot, or for a free worker
       COALESCE(r.status OPERATOR(pg_catalog.=) 'waiting', false)
           OR (NOT s.paused AND s.next_run OPERATOR(pg_catalog.<) pg_catalog.now()
               AND r.status IS DISTINCT FROM 'running') AS waiting,
       CASE WHEN r.status OPERATOR(pg_catalog.=) 'waiting' THEN r.started
            WHEN NOT s.paused AND s.next_run OPERATOR(pg_catalog.<) pg_catalog.now()
                 AND r.status IS DISTINCT FROM 'running' THEN s.next_run END AS waiting_since
  FROM matview_scheduler.schedules s
  LEFT JOIN matview_scheduler.runs r ON r.run_id OPERATOR(pg_catalog.=) s.last_run_id;
