-- Bad input: each call fails with a SQLSTATE, a message and, where it helps, a hint, and changes
-- nothing.
SET TimeZone = 'UTC';
CREATE TABLE plain_table (id int PRIMARY KEY);
CREATE VIEW plain_view AS SELECT 1 AS one;
CREATE INDEX plain_index ON plain_table (id);
CREATE SEQUENCE plain_sequence;
CREATE TEMP TABLE temp_table (id int);
CREATE MATERIALIZED VIEW good_view AS SELECT 1 AS one;
SELECT schedule_refresh('good_view', 'daily') > 0 AS scheduled;

-- Reports SQLSTATE, message and hint of whatever the statement raises.
CREATE FUNCTION error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    hint text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    -- Times in messages depend on when the test runs.
    message := regexp_replace(message, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d', '<time>', 'g');
    RETURN state || ': ' || message || CASE WHEN hint <> '' THEN E'\nHINT: ' || hint ELSE '' END;
END $$;

-- The relation
SELECT error_of($$SELECT schedule_refresh('no_such_view', 'hourly')$$);
SELECT error_of($$SELECT schedule_refresh(4000000000::oid::regclass, 'hourly')$$);
SELECT error_of($$SELECT schedule_refresh('plain_table', 'hourly')$$);
SELECT error_of($$SELECT schedule_refresh('plain_view', 'hourly')$$);
SELECT error_of($$SELECT schedule_refresh('plain_index', 'hourly')$$);
SELECT error_of($$SELECT schedule_refresh('plain_sequence', 'hourly')$$);
SELECT error_of($$SELECT schedule_refresh('temp_table', 'hourly')$$);
-- PostgreSQL has no temporary materialized views: a view over a temporary table is refused
-- before it exists, so there is nothing to schedule.
SELECT error_of($$CREATE MATERIALIZED VIEW temp_view AS SELECT * FROM temp_table$$);
SELECT error_of($$CREATE TEMP MATERIALIZED VIEW temp_view AS SELECT 1$$);
SELECT error_of($$SELECT unschedule_refresh('plain_table')$$);

-- NULL arguments
SELECT error_of($$SELECT schedule_refresh(NULL, 'hourly')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', NULL)$$);
SELECT error_of($$SELECT unschedule_refresh(NULL)$$);

-- Schedule text that is not understood
SELECT error_of($$SELECT schedule_refresh('good_view', 'sometimes')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '   ')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'every')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'every fortnight')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'hourly please')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '5 parsecs')$$);

-- Intervals of zero or less, or under a second
SELECT error_of($$SELECT schedule_refresh('good_view', '0 seconds')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'every 0 minutes')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '-5 minutes')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '5 minutes ago')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '1 day -1 hour')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0.5 seconds')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '1001 years')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'every 2562047788 hours')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', start_at => 'infinity')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', until => 'infinity')$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('daily', 3, '-infinity')$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('daily', 3, '20000-01-01')$$);
-- A schedule whose first due time would be in the year 10000 is refused, not stored.
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 1 1 *', start_at => '9999-12-31 12:00:00+00')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 * * *', start_at => '9999-12-31 12:00:00+00', timezone => 'Pacific/Pago_Pago')$$);

-- Cron lines: a field out of range (named, with the value), too many or too few fields, a line
-- that can never fire, an unknown macro
SELECT error_of($$SELECT schedule_refresh('good_view', '0 24 * * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '60 * * * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 32 * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 0 * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 * 13 *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 * * 8')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 * * funday')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '*/0 * * * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 17-9 * * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '61 0 0 * * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 * * * * *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 30 2 *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '0 0 31 apr,jun,sep,nov *')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', '@reboot')$$);

-- Time zone, start_at, until, repeats
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', timezone => 'Mars/Olympus_Mons')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', start_at => '2031-01-02 00:00+00', until => '2031-01-01 00:00+00')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', start_at => '2031-01-01 00:00+00', until => '2031-01-01 00:00+00')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', until => '2001-01-01 00:00+00')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'yearly', until => date_trunc('year', now()) + interval '1 year' - interval '1 second')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', repeats => 0)$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', repeats => -3)$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'once', start_at => '2001-01-01 00:00+00')$$);

-- How refreshes run
CREATE MATERIALIZED VIEW no_index_view AS SELECT 1 AS one;
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', concurrently => 'sometimes')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', concurrently => NULL)$$);
SELECT error_of($$SELECT schedule_refresh('no_index_view', 'daily', concurrently => 'always')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', timeout => '0 seconds')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', timeout => '-1 minute')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', timeout => '30 days')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', lock_timeout => '0 seconds')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', retry_delay => '0 seconds')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', retry_delay => NULL)$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', max_retries => -1)$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', max_retries => NULL)$$);
-- The retry backoff's bounds
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', max_retries => 101)$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', max_retries => 1000)$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', retry_delay => '1000000 years')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', retry_delay => '7 days 1 second')$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', notify => NULL)$$);
SELECT error_of($$SELECT schedule_refresh('good_view', 'daily', max_retries => 100, retry_delay => '7 days')$$);
SELECT max_retries, retry_delay FROM matview_scheduler.status WHERE view = 'good_view'::regclass;
SELECT schedule_refresh('good_view', 'daily') > 0 AS scheduled_again;
SELECT error_of($$SELECT pause_refresh('no_index_view')$$);
SELECT error_of($$SELECT resume_refresh('no_index_view')$$);
SELECT error_of($$SELECT pause_refresh(NULL)$$);
SELECT error_of($$SELECT refresh_now(NULL)$$);
SELECT error_of($$SELECT refresh_now('good_view', NULL)$$);
SELECT error_of($$SELECT refresh_now('plain_table')$$);
SELECT error_of($$SELECT pause_refresh('plain_view')$$);

-- next_runs
SELECT error_of($$SELECT matview_scheduler.next_runs(NULL)$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('hourly', -1)$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('hourly', NULL)$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('hourly', 1, NULL)$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('every fortnight')$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('0 0 30 2 *')$$);
SELECT error_of($$SELECT matview_scheduler.next_runs('hourly', 3, timezone => 'Nowhere/Special')$$);

-- A caller who does not own the view
CREATE ROLE regress_mvs_stranger;
GRANT SELECT ON good_view TO regress_mvs_stranger;
SET ROLE regress_mvs_stranger;
SELECT error_of($$SELECT schedule_refresh('good_view', 'hourly')$$);
SELECT error_of($$SELECT unschedule_refresh('good_view')$$);
SELECT error_of($$SELECT refresh_now('good_view')$$);
SELECT error_of($$SELECT pause_refresh('good_view')$$);
SELECT error_of($$SELECT resume_refresh('good_view')$$);
RESET ROLE;

-- A member of the owning role may schedule it.
CREATE ROLE regress_mvs_team;
CREATE ROLE regress_mvs_member IN ROLE regress_mvs_team;
CREATE MATERIALIZED VIEW team_view AS SELECT 1 AS one;
ALTER MATERIALIZED VIEW team_view OWNER TO regress_mvs_team;
SET ROLE regress_mvs_member;
SELECT schedule_refresh('team_view', 'hourly') > 0 AS scheduled;
SELECT unschedule_refresh('team_view');
RESET ROLE;

-- Nothing above changed the catalog: the one good schedule is as it was.
SELECT view, schedule, concurrency, timeout, max_retries, paused FROM matview_scheduler.status;
SELECT count(*) AS runs FROM matview_scheduler.runs WHERE view = 'no_index_view'::regclass;

DROP MATERIALIZED VIEW team_view;
REVOKE ALL ON good_view FROM regress_mvs_stranger;
DROP ROLE regress_mvs_stranger, regress_mvs_member, regress_mvs_team;
