-- How refreshes run: concurrently, timeouts, retries, refresh_now, pause and resume.
SET TimeZone = 'UTC';
CREATE TABLE scores (id int PRIMARY KEY, points int);
INSERT INTO scores SELECT g, g * 10 FROM generate_series(1, 5) g;
CREATE MATERIALIZED VIEW top_scores AS SELECT * FROM scores WHERE points >= 30;
CREATE UNIQUE INDEX ON top_scores (id);
CREATE MATERIALIZED VIEW all_scores AS SELECT * FROM scores;
CREATE MATERIALIZED VIEW unfilled AS SELECT * FROM scores WITH NO DATA;
CREATE UNIQUE INDEX ON unfilled (id);

-- The settings are kept and shown.
SELECT schedule_refresh('top_scores', 'yearly', concurrently => 'always', timeout => '10 minutes',
                        lock_timeout => '5 seconds', max_retries => 5,
                        retry_delay => '1 minute') > 0 AS scheduled;
SELECT view, concurrency, timeout, lock_timeout, max_retries, retry_delay, paused, running,
       runs_total, failures_total, consecutive_failures
  FROM matview_scheduler.status;
SELECT schedule_refresh('all_scores', 'yearly', concurrently => 'NEVER') > 0 AS scheduled;
SELECT view, concurrency, timeout, max_retries, retry_delay FROM matview_scheduler.status
 ORDER BY schedule_id;

-- refresh_now with wait returns once the run is recorded; 'auto' picks CONCURRENTLY when the view
-- is populated and has a unique index, a plain refresh otherwise.
INSERT INTO scores VALUES (6, 60), (7, 70);
SELECT refresh_now('top_scores', wait => true) > 0 AS refreshed;
SELECT count(*) FROM top_scores;
SELECT refresh_now('unfilled', wait => true) > 0 AS refreshed;
SELECT refresh_now('unfilled', wait => true) > 0 AS refreshed;
SELECT view, status, mode, manual, sqlstate FROM matview_scheduler.runs ORDER BY run_id;
-- A manual run shows in the view's status too.
SELECT view, last_status, last_mode, runs_total FROM matview_scheduler.status
 WHERE view = 'top_scores'::regclass;

-- A failing refresh_now with wait raises the run's own error, and the run is recorded.
CREATE TABLE divisor (d int);
INSERT INTO divisor VALUES (1);
CREATE MATERIALIZED VIEW ratio AS SELECT 100 / d AS r FROM divisor;
UPDATE divisor SET d = 0;
\set VERBOSITY sqlstate
SELECT refresh_now('ratio', wait => true);
\set VERBOSITY default
SELECT status, sqlstate, message FROM matview_scheduler.runs WHERE view = 'ratio'::regclass;

-- Without wait, it returns the run id at once; the run goes on in its worker.
SELECT refresh_now('all_scores') > 0 AS started;

-- Waiting for a refresh of a view this transaction has read would wait for ever: refused.
BEGIN;
SELECT count(*) IN (5, 7) AS read FROM all_scores;  -- before or after that refresh
SELECT refresh_now('all_scores', wait => true);
ROLLBACK;

-- pause and resume keep the settings; a paused schedule is not due.
SELECT pause_refresh('top_scores');
SELECT pause_refresh('top_scores');  -- already paused: no change
SELECT view, paused, concurrency, max_retries FROM matview_scheduler.status
 WHERE view = 'top_scores'::regclass;
SELECT resume_refresh('top_scores');
SELECT view, paused, next_run = date_trunc('year', now()) + interval '1 year' AS on_its_grid
  FROM matview_scheduler.status WHERE view = 'top_scores'::regclass;

SELECT unschedule_refresh('top_scores'), unschedule_refresh('all_scores');
