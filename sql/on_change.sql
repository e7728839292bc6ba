-- 'on change' schedules: the arguments, what the status shows, and every bad input (each fails
-- with a SQLSTATE, a message and a hint where it helps, and changes nothing). Refreshing on a
-- change needs the scheduler and time: TAP test 062.
SET TimeZone = 'UTC';
CREATE TABLE orders (id int PRIMARY KEY, amount numeric NOT NULL);
CREATE MATERIALIZED VIEW order_totals AS SELECT count(*) AS n, sum(amount) AS total FROM orders;
CREATE MATERIALIZED VIEW lucky AS SELECT random() AS r;
CREATE MATERIALIZED VIEW today AS SELECT count(*) AS n FROM orders WHERE id > extract(doy FROM now());

CREATE FUNCTION failure_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    detail text;
    hint text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN state || ': ' || message || CASE WHEN detail <> '' THEN E'\nDETAIL: ' || detail ELSE '' END
           || CASE WHEN hint <> '' THEN E'\nHINT: ' || hint ELSE '' END;
END $$;

-- The default least interval is a minute; any elapsed time of a second or more is taken.
SELECT schedule_refresh('order_totals', 'on change') > 0 AS scheduled;
SELECT schedule, min_interval, only_if_changed, finished, waiting FROM matview_scheduler.status
 WHERE view = 'order_totals'::regclass;
SELECT schedule_refresh('order_totals', '  ON   Change ', min_interval => '1 day 30 seconds') > 0 AS scheduled;
SELECT schedule, min_interval FROM matview_scheduler.status WHERE view = 'order_totals'::regclass;
SELECT schedule_refresh('order_totals', 'on change', min_interval => '1 second') > 0 AS scheduled;
SELECT min_interval FROM matview_scheduler.status WHERE view = 'order_totals'::regclass;
-- NULL is the default.
SELECT schedule_refresh('order_totals', 'on change', min_interval => NULL) > 0 AS scheduled;
SELECT min_interval FROM matview_scheduler.status WHERE view = 'order_totals'::regclass;

-- Bad least intervals: zero, negative, under a second, in months, too long.
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', min_interval => '0')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', min_interval => '-5 seconds')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', min_interval => '-1 day 1 hour')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', min_interval => '0.5 seconds')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', min_interval => '1 month')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', min_interval => '2000 years')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', min_interval => '400000 days')$$);
-- min_interval belongs to 'on change' alone.
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'hourly', min_interval => '5 minutes')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'every 5 minutes', min_interval => '1 second')$$);
-- Views whose changes cannot be tracked are refused, with the reason.
SELECT failure_of($$SELECT schedule_refresh('lucky', 'on change')$$);
SELECT failure_of($$SELECT schedule_refresh('today', 'on change')$$);
-- The other NULLs.
SELECT failure_of($$SELECT schedule_refresh(NULL, 'on change')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', NULL, min_interval => '5 seconds')$$);
SELECT failure_of($$SELECT schedule_refresh('order_totals', 'on change', only_if_changed => NULL)$$);
-- It has no due times to preview.
SELECT failure_of($$SELECT * FROM matview_scheduler.next_runs('on change', 3)$$);
-- Nothing above changed the schedule, and nothing scheduled the refused views.
SELECT view, schedule, min_interval FROM matview_scheduler.status
 WHERE view IN ('order_totals'::regclass, 'lucky'::regclass, 'today'::regclass) ORDER BY view::text;

-- Pause and resume keep it waiting for a change.
SELECT pause_refresh('order_totals');
SELECT resume_refresh('order_totals');
SELECT paused, waiting, finished FROM matview_scheduler.status WHERE view = 'order_totals'::regclass;

-- On the clock again: no min_interval.
SELECT schedule_refresh('order_totals', 'every 5 minutes') > 0 AS scheduled;
SELECT schedule, min_interval FROM matview_scheduler.status WHERE view = 'order_totals'::regclass;

SELECT unschedule_refresh('order_totals');
DROP FUNCTION failure_of(text);
DROP MATERIALIZED VIEW order_totals, lucky, today;
DROP TABLE orders;
