-- only_if_changed: the argument, what the status shows, bad input, and the views it has no effect
-- on. (Skipping unchanged due times needs the scheduler and time: TAP test 061.)
SET TimeZone = 'UTC';
CREATE TABLE sales (id int PRIMARY KEY, amount numeric NOT NULL);
CREATE MATERIALIZED VIEW sales_summary AS SELECT count(*) AS n, sum(amount) AS total FROM sales;
CREATE VIEW big_sales AS SELECT * FROM sales WHERE amount > 100;
CREATE MATERIALIZED VIEW big_summary AS SELECT count(*) AS n FROM big_sales;
CREATE MATERIALIZED VIEW lottery AS SELECT random() AS r;
CREATE MATERIALIZED VIEW tables_now AS SELECT count(*) AS n FROM pg_class;

-- Off by default; the status shows the setting and the counters.
SELECT schedule_refresh('sales_summary', 'every 5 minutes') > 0 AS scheduled;
SELECT only_if_changed, unchanged_total, last_checked FROM matview_scheduler.status
 WHERE view = 'sales_summary'::regclass;
-- On: a tracked view takes it silently, through a plain view too.
SELECT schedule_refresh('sales_summary', 'every 5 minutes', only_if_changed => true) > 0 AS scheduled;
SELECT schedule_refresh('big_summary', 'hourly', only_if_changed => true) > 0 AS scheduled;
SELECT view, only_if_changed, unchanged_total, last_checked FROM matview_scheduler.status
 ORDER BY view::text;

-- An untracked view accepts it, with a NOTICE saying it has no effect, and why.
SELECT schedule_refresh('lottery', 'hourly', only_if_changed => true) > 0 AS scheduled;
-- A system catalog is written without the executor: a view reading one is untracked.
SELECT schedule_refresh('tables_now', 'hourly', only_if_changed => true) > 0 AS scheduled;
SELECT view, tracked, untracked_reason FROM matview_scheduler.dependencies
 WHERE view IN ('lottery'::regclass, 'tables_now'::regclass) ORDER BY view::text;

-- NULL is refused and changes nothing: the schedule keeps its settings.
DO $$
BEGIN
    PERFORM schedule_refresh('sales_summary', 'daily', only_if_changed => NULL);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END $$;
SELECT schedule, only_if_changed FROM matview_scheduler.status
 WHERE view = 'sales_summary'::regclass;
-- Replacing the schedule replaces the setting.
SELECT schedule_refresh('sales_summary', 'every 5 minutes') > 0 AS scheduled;
SELECT only_if_changed FROM matview_scheduler.status WHERE view = 'sales_summary'::regclass;

-- The change counters' setting exists only with the library preloaded, fixed at server start.
SELECT name, setting, context, min_val, max_val FROM pg_settings
 WHERE name = 'matview_scheduler.max_tracked_relations';

SELECT unschedule_refresh(v) FROM unnest('{sales_summary,big_summary,lottery,tables_now}'::regclass[]) v;
DROP MATERIALIZED VIEW sales_summary, big_summary, lottery, tables_now;
DROP VIEW big_sales;
DROP TABLE sales;
