-- The schedule language, checked through next_runs(): the very arithmetic the scheduler uses.
-- Every call names its `after`, so the output does not depend on when the test runs.
SET TimeZone = 'UTC';

-- Intervals: a fixed grid from the moment the schedule is created (here: `after`).
SELECT matview_scheduler.next_runs('30 seconds', 3, '2026-01-01 00:00:00+00');
SELECT matview_scheduler.next_runs('every 90 minutes', 3, '2026-01-01 00:00:00+00');
SELECT matview_scheduler.next_runs('1 day 2 hours', 3, '2026-01-01 00:00:00+00');
-- A monthly grid from the 31st uses the last day of shorter months, and goes back to the 31st.
SELECT matview_scheduler.next_runs('1 month', 5, '2026-01-31 10:00:00+00');
SELECT matview_scheduler.next_runs('2 weeks', 2, '2026-01-01 00:00:00+00');

-- Words are aligned to the calendar.
SELECT matview_scheduler.next_runs('minutely', 2, '2026-01-01 10:20:30+00');
SELECT matview_scheduler.next_runs('hourly', 3, '2026-01-01 10:20:00+00');
SELECT matview_scheduler.next_runs('daily', 2, '2026-01-01 10:20:00+00');
SELECT matview_scheduler.next_runs('weekly', 2, '2026-01-01 10:20:00+00');  -- a Thursday
SELECT matview_scheduler.next_runs('monthly', 3, '2026-01-15 10:20:00+00');
SELECT matview_scheduler.next_runs('quarterly', 3, '2026-02-15 10:20:00+00');
SELECT matview_scheduler.next_runs('yearly', 2, '2026-02-15 10:20:00+00');
SELECT matview_scheduler.next_runs('annually', 1, '2026-02-15 10:20:00+00');

-- With start_at, words repeat from it instead, as Django-Q does; start_at is the first run.
SELECT matview_scheduler.next_runs('daily', 3, '2026-01-01 00:00:00+00', start_at => '2026-01-10 05:34:00+00');
SELECT matview_scheduler.next_runs('hourly', 3, '2026-01-01 00:00:00+00', start_at => '2026-01-10 05:34:00+00');
-- A start_at in the past anchors the grid; the first run is the next grid point.
SELECT matview_scheduler.next_runs('every 10 minutes', 2, '2026-01-01 12:07:00+00', start_at => '2026-01-01 00:00:00+00');

-- once: a single run, at start_at or (without it) at once.
SELECT matview_scheduler.next_runs('once', 5, '2026-01-01 00:00:00+00', start_at => '2026-02-01 12:00:00+00');
SELECT matview_scheduler.next_runs('once', 5, '2026-01-01 00:00:00+00');

-- Cron: 5 fields, 6 fields (seconds first), lists, ranges, steps, names, 7 = Sunday, L and $.
SELECT matview_scheduler.next_runs('*/15 * * * *', 3, '2026-01-01 10:20:00+00');
SELECT matview_scheduler.next_runs('0 9 * * mon-fri', 3, '2026-01-02 10:00:00+00');  -- Fri
SELECT matview_scheduler.next_runs('0 9 * * 7', 2, '2026-01-01 00:00:00+00');        -- Sundays
SELECT matview_scheduler.next_runs('30 8,12,18 * * *', 4, '2026-01-01 10:00:00+00');
SELECT matview_scheduler.next_runs('0 0 L * *', 3, '2024-01-15 00:00:00+00');        -- leap February
SELECT matview_scheduler.next_runs('0 0 $ feb *', 3, '2099-01-01 00:00:00+00');      -- 2100 is no leap year
SELECT matview_scheduler.next_runs('0 0 29 2 *', 2, '2026-01-01 00:00:00+00');       -- leap days only
SELECT matview_scheduler.next_runs('*/20 * * * * *', 4, '2026-01-01 10:20:05+00');   -- seconds
SELECT matview_scheduler.next_runs('0 30 9 * * *', 2, '2026-01-01 10:00:00+00');
SELECT matview_scheduler.next_runs('0 0 1 jan,jul *', 3, '2026-03-01 00:00:00+00');
-- Day-of-month and day-of-week both restricted: either matches (Vixie cron).
SELECT to_char(t, 'YYYY-MM-DD Dy') FROM matview_scheduler.next_runs('0 0 13 * fri', 6, '2026-04-01 00:00:00+00') t;
-- One of them '*'-led: both must match.
SELECT to_char(t, 'YYYY-MM-DD Dy') FROM matview_scheduler.next_runs('0 0 */10 * fri', 3, '2026-01-01 00:00:00+00') t;
SELECT matview_scheduler.next_runs('@hourly', 2, '2026-01-01 10:20:00+00');
SELECT matview_scheduler.next_runs('@daily', 2, '2026-01-01 10:20:00+00');
SELECT matview_scheduler.next_runs('@midnight', 1, '2026-01-01 10:20:00+00');
SELECT to_char(t, 'YYYY-MM-DD Dy HH24:MI') FROM matview_scheduler.next_runs('@weekly', 2, '2026-01-01 10:20:00+00') t;
SELECT matview_scheduler.next_runs('@monthly', 2, '2026-01-01 10:20:00+00');
SELECT matview_scheduler.next_runs('@yearly', 2, '2026-01-01 10:20:00+00');
SELECT matview_scheduler.next_runs('@annually', 1, '2026-01-01 10:20:00+00');

-- Time zones and daylight saving. Berlin springs forward on 2026-03-29 (02:00 -> 03:00) and
-- falls back on 2026-10-25 (03:00 -> 02:00).
SET TimeZone = 'Europe/Berlin';
-- Daily keeps local midnight across both changes.
SELECT matview_scheduler.next_runs('daily', 3, '2026-03-28 12:00:00+01', 'Europe/Berlin');
SELECT matview_scheduler.next_runs('daily', 3, '2026-10-24 12:00:00+02', 'Europe/Berlin');
-- Daily from 05:34 stays at 05:34 local.
SELECT matview_scheduler.next_runs('daily', 3, '2026-03-27 00:00:00+01', 'Europe/Berlin', '2026-03-28 05:34:00+01');
-- 02:30 does not exist on 2026-03-29: it runs at the first instant after the gap, 03:00.
SELECT matview_scheduler.next_runs('30 2 * * *', 3, '2026-03-28 12:00:00+01', 'Europe/Berlin');
-- 02:30 happens twice on 2026-10-25: it runs once, at the first.
SELECT matview_scheduler.next_runs('30 2 * * *', 3, '2026-10-24 12:00:00+02', 'Europe/Berlin');
-- Hourly is elapsed time: one run per real hour, through the repeated hour too.
SELECT matview_scheduler.next_runs('hourly', 4, '2026-10-25 00:30:00+02', 'Europe/Berlin');
-- A short interval ignores the change altogether.
SELECT matview_scheduler.next_runs('every 45 minutes', 4, '2026-03-29 01:00:00+01', 'Europe/Berlin');
-- A day-long interval keeps the wall-clock time.
SELECT matview_scheduler.next_runs('1 day', 3, '2026-03-28 09:15:00+01', 'Europe/Berlin');

-- New York falls back on 2026-11-01 (02:00 -> 01:00).
SET TimeZone = 'America/New_York';
SELECT matview_scheduler.next_runs('30 1 * * *', 2, '2026-10-31 12:00:00-04', 'America/New_York');
SELECT matview_scheduler.next_runs('0 0 * * *', 2, '2026-10-31 12:00:00-04', 'America/New_York');

-- Lord Howe moves its clocks by 30 minutes: back on 2026-04-05 (02:00 -> 01:30).
SET TimeZone = 'Australia/Lord_Howe';
SELECT matview_scheduler.next_runs('daily', 3, '2026-04-04 12:00:00+11', 'Australia/Lord_Howe');
SELECT matview_scheduler.next_runs('hourly', 4, '2026-04-05 00:30:00+11', 'Australia/Lord_Howe');
SELECT matview_scheduler.next_runs('45 1 * * *', 2, '2026-04-04 12:00:00+11', 'Australia/Lord_Howe');

-- The session's zone is the default.
SET TimeZone = 'Asia/Kolkata';
SELECT matview_scheduler.next_runs('daily', 1, '2026-01-01 12:00:00+05:30');
SET TimeZone = 'UTC';

-- n = 0 gives nothing; the default gives five due times after now.
SELECT count(*) FROM matview_scheduler.next_runs('hourly', 0);
SELECT count(*), bool_and(t > now()) FROM matview_scheduler.next_runs('every 5 minutes') t;

-- Due times end before the year 10000 (UTC), as arguments do: a series stops there and never
-- wraps to another date. Each call returns at once (each due time takes a bounded number of
-- steps, and the loop answers cancels); the timeout only turns a regression into a failure.
SET statement_timeout = '10s';
SELECT count(*), min(t), max(t) FROM matview_scheduler.next_runs('1000 years', 1000, '2026-01-01 00:00:00+00') t;
SELECT count(*), max(t) FROM matview_scheduler.next_runs('1000 years', 300, '2026-01-01 00:00:00+00') t;
SELECT count(*), max(t) FROM matview_scheduler.next_runs('999 years 11 months 30 days', 100000, '0001-01-01 00:00:00+00', start_at => '0001-01-01 00:00:00+00') t;
SELECT count(*), min(t), max(t) FROM matview_scheduler.next_runs('yearly', 100000, '0001-01-01 00:00:00+00') t;
SELECT count(*), max(t) FROM matview_scheduler.next_runs('1 month', 100000, '1000-01-31 12:00:00+00', start_at => '1000-01-31 12:00:00+00') t;
SELECT count(*), max(t) FROM matview_scheduler.next_runs('1 second', 100000, '9999-12-31 23:58:30+00') t;
SELECT matview_scheduler.next_runs('0 0 1 1 *', 3, '9998-06-01 00:00:00+00');
-- Midnight of 10000-01-01 in Kiritimati (+14) is still in the year 9999 in UTC; in Pago Pago
-- (-11) it is not.
SELECT matview_scheduler.next_runs('daily', 5, '9999-12-29 12:00:00+00', 'Pacific/Kiritimati');
SELECT matview_scheduler.next_runs('daily', 5, '9999-12-29 12:00:00+00', 'Pacific/Pago_Pago');
RESET statement_timeout;
