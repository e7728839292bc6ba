# Errors in the scheduler's own bookkeeping fail that one schedule with a clear status and never
# take the scheduler down or hold up the other schedules: a stored schedule that cannot be read, a
# time zone the server does not know, a view dropped behind the scheduler's back, and a run that
# cannot be recorded at all.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('bookkeeping');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW garbled AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW lost_zone AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW vanished AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW victim AS SELECT 1 AS x;
SELECT schedule_refresh(v, 'daily')
  FROM unnest(ARRAY['garbled', 'lost_zone', 'vanished']::regclass[]) v;
});
clock_view($node);
ok(wait_clock($node, 1), 'the scheduler is running');
my $scheduler = pids_of($node, 'matview_scheduler scheduler');

# Rows changed behind the API's back, all due now.
$node->safe_psql(
	'postgres', q{
UPDATE matview_scheduler.schedules SET spec = 'no such thing', next_run = now()
 WHERE view = 'garbled'::regclass;
UPDATE matview_scheduler.schedules SET timezone = 'Mars/Olympus_Mons', next_run = now()
 WHERE view = 'lost_zone'::regclass;
ALTER EVENT TRIGGER matview_scheduler_forget_dropped_views DISABLE;
UPDATE matview_scheduler.schedules SET next_run = now() WHERE view = 'vanished'::regclass;
DROP MATERIALIZED VIEW vanished;
ALTER EVENT TRIGGER matview_scheduler_forget_dropped_views ENABLE;
});
ok( wait_status(
		$node, 'garbled',
		q{last_status = 'failed' AND last_error = 'the stored schedule could not be read'
       AND finished}),
	'an unreadable schedule fails with a clear status and stops');
ok( wait_status($node, 'lost_zone', q{last_status = 'failed'
       AND last_error = 'the schedule''s time zone is not known to this server'}),
	'an unknown time zone fails with a clear status');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM matview_scheduler.runs
 WHERE status = 'failed' AND sqlstate = '42P01' AND message LIKE '%does not exist%'
   AND schedule_id = (SELECT id FROM matview_scheduler.schedules
                       WHERE view::oid NOT IN (SELECT oid FROM pg_class))}),
	'a view dropped behind the scheduler\'s back fails its run with a clear message');

# A run that cannot be recorded as running (a trigger refuses it): recorded as failed with the
# error, and the schedule moves on.
$node->safe_psql(
	'postgres', q{
CREATE TABLE refusal (all_runs boolean NOT NULL);
INSERT INTO refusal VALUES (false);
-- (Qualified: the scheduler writes its catalog with search_path = pg_catalog, pg_temp.)
CREATE FUNCTION refuse_victim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.view = 'public.victim'::regclass
       AND (NEW.status = 'running' OR (SELECT all_runs FROM public.refusal)) THEN
        RAISE EXCEPTION 'no runs of victim today';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_victim BEFORE INSERT ON matview_scheduler.run_history
    FOR EACH ROW EXECUTE FUNCTION refuse_victim();
SELECT schedule_refresh('victim', '1 second');
});
ok( wait_status($node, 'victim', q{failures_total >= 2 AND last_sqlstate = 'P0001'
       AND last_error = 'the scheduler could not start the run: no runs of victim today'}),
	'a run that cannot start is recorded as failed with the error, again at each due time');
ok(wait_clock($node, 2), 'the other schedules carry on meanwhile');

# The runs due in one pass are recorded together; when one of them cannot be, the others still
# start: a view due at the same instant as the victim is refreshed, the victim fails alone.
my $at = $node->safe_psql(
	'postgres', q{
SELECT next_run + interval '2 seconds' FROM matview_scheduler.schedules
 WHERE view = 'victim'::regclass});
my $victim_failures = status_of($node, 'victim', q{failures_total});
$node->safe_psql(
	'postgres', qq{
CREATE MATERIALIZED VIEW companion AS SELECT 1 AS x;
SELECT schedule_refresh('companion', 'once', start_at => '$at');
});
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) = 1 FROM matview_scheduler.runs
 WHERE view = 'companion'::regclass AND status = 'succeeded' AND scheduled_for = '$at'}),
	'a view due with the victim in the same pass is refreshed');
ok( wait_status(
		$node, 'victim',
		qq{failures_total > $victim_failures AND last_started >= '$at'
       AND last_error = 'the scheduler could not start the run: no runs of victim today'}),
	'and the victim fails alone');

# Not even the failure can be recorded: the schedule is left alone for a while, with a warning,
# and the others carry on.
my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', q{UPDATE refusal SET all_runs = true});
ok( wait_for(
		sub {
			log_count($node, qr/could not record that failure either .*no runs of victim today/,
				$log_offset) >= 1;
		}),
	'when not even the failure can be recorded, a warning says so');
ok(wait_clock($node, 3), 'and the other schedules carry on');
my $victim_runs = status_of($node, 'victim', q{runs_total});
$node->safe_psql('postgres', q{DROP TRIGGER refuse_victim ON matview_scheduler.run_history});
ok( wait_status($node, 'victim', qq{runs_total > $victim_runs AND last_status = 'succeeded'}),
	'once the cause is gone, the schedule runs again');
cmp_ok(log_count($node, qr/could not record that failure either/, $log_offset),
	'<=', 3, 'a few warnings, not one per pass');

# A due time at the very end of timestamptz's range, written by hand, as the earliest: a pass
# looks at the runs due just after the earliest, and that window must not leave the range (an
# error in every pass, which would record nothing). A view due once shows the passes go on.
$log_offset = -s $node->logfile;
$node->safe_psql(
	'postgres', q{
UPDATE matview_scheduler.schedules SET paused = true WHERE NOT paused;
CREATE MATERIALIZED VIEW end_of_time AS SELECT 1 AS x;
SELECT schedule_refresh('end_of_time', 'yearly');
UPDATE matview_scheduler.schedules SET next_run = '294276-12-31 23:59:59.999999+00'
 WHERE view = 'end_of_time'::regclass;
CREATE MATERIALIZED VIEW marker AS SELECT 1 AS x WITH NO DATA;
SELECT schedule_refresh('marker', 'once', start_at => now() + interval '1 second');
});
ok(wait_status($node, 'marker', q{last_status = 'succeeded'}),
	'a due time at the end of time as the earliest stops no pass');
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(view::text, ',') FROM matview_scheduler.schedules WHERE NOT paused
   AND next_run IS NOT NULL}),
	'end_of_time',
	'(it is the earliest)');
is(log_count($node, qr/out of range/, $log_offset), 0, 'and makes no error');

is(pids_of($node, 'matview_scheduler scheduler'), $scheduler,
	'the same scheduler process went through all of it');
is( $node->safe_psql(
		'postgres', q{SELECT count(*) FROM matview_scheduler.runs WHERE status = 'running'
                       AND view <> 'clock'::regclass}),
	'0',
	'no run is left running');

$node->stop;
done_testing();
