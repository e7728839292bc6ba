# Crashes and interruptions: a refresh worker killed with SIGKILL (the postmaster restarts every
# backend), the scheduler and the launcher terminated, a refresh cancelled, and a fast shutdown in
# the middle of a refresh. Afterwards no run is left 'running', the processes are back and the
# schedules carry on.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = new_node('crashes', 'restart_after_crash = on');

$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
# Refreshed every second throughout: its runs tell the time.
clock_view($node);
# How long each slow view's refresh sleeps; set to 0 to make it quick again.
nap_table($node);

ok(wait_clock($node, 1), 'the clock view is refreshed');

# ---------------------------------------------------------------------------------------------
# 1. A refresh worker killed with SIGKILL: the postmaster restarts all backends.
slow_view($node, 'killed', 60);
$node->safe_psql('postgres', q{SELECT schedule_refresh('killed', '1 second')});
my $victim = wait_refreshing($node, 'killed');
ok($victim, 'the slow view is being refreshed');
my $killed_run = $node->safe_psql('postgres',
	q{SELECT run_id FROM matview_scheduler.runs WHERE view = 'killed'::regclass AND status = 'running'});
like($killed_run, qr/^\d+$/, 'its run is recorded running');
my $scheduler_before = pids_of($node, 'matview_scheduler scheduler');
# Later refreshes of it are quick.
$node->safe_psql('postgres', q{UPDATE nap SET secs = 0 WHERE view = 'killed'});
my $log_offset = -s $node->logfile;
is(kill('KILL', $victim), 1, 'SIGKILL sent to the refresh worker');
ok( $node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset),
	'the postmaster restarts all backends');

ok( $node->poll_query_until(
		'postgres', qq{
SELECT status = 'interrupted' AND finished IS NOT NULL FROM matview_scheduler.runs
 WHERE run_id = $killed_run}),
	'the killed run is recorded interrupted');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'matview_scheduler scheduler'}),
	'a scheduler is back');
isnt(pids_of($node, 'matview_scheduler scheduler'), $scheduler_before, 'it is a new process');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 2 FROM matview_scheduler.runs
 WHERE view = 'killed'::regclass AND run_id > $killed_run AND status = 'succeeded'}),
	'the killed view\'s schedule runs again');
ok(wait_clock($node, 2), 'the clock view is refreshed again');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM matview_scheduler.runs WHERE status = 'running' AND finished IS NOT NULL}),
	'0', 'no finished run is left running');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('killed')});

# ---------------------------------------------------------------------------------------------
# 2. The scheduler, and then the launcher, terminated: each is back within seconds.
my $scheduler = pids_of($node, 'matview_scheduler scheduler');
like($scheduler, qr/^\d+$/, 'one scheduler');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($scheduler)");
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) = 1 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler scheduler' AND pid <> $scheduler}),
	'a new scheduler after pg_terminate_backend');
ok(wait_clock($node, 2), 'the schedule keeps running after the scheduler was terminated');

my $launcher = pids_of($node, 'matview_scheduler launcher');
like($launcher, qr/^\d+$/, 'one launcher');
$scheduler = pids_of($node, 'matview_scheduler scheduler');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($launcher)");
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) = 1 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler launcher' AND pid <> $launcher}),
	'a new launcher after pg_terminate_backend');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'matview_scheduler scheduler'}),
	'exactly one scheduler under the new launcher');
ok(wait_clock($node, 2), 'the schedule keeps running after the launcher was terminated');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'matview_scheduler scheduler'}),
	'1', 'still exactly one scheduler');

# ---------------------------------------------------------------------------------------------
# 3. A running refresh cancelled: recorded failed with 57014, then retried after retry_delay.
slow_view($node, 'cancelled', 60);
$node->safe_psql(
	'postgres', q{
SELECT schedule_refresh('cancelled', '1 hour', start_at => now() + interval '1 second',
                        retry_delay => '1 second', max_retries => 2)});
$victim = wait_refreshing($node, 'cancelled');
ok($victim, 'the view to cancel is being refreshed');
$node->safe_psql('postgres', q{UPDATE nap SET secs = 0 WHERE view = 'cancelled'});
is($node->safe_psql('postgres', "SELECT pg_cancel_backend($victim)"), 't', 'refresh cancelled');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 2 FROM matview_scheduler.runs
 WHERE view = 'cancelled'::regclass AND status <> 'running'}),
	'the cancelled view has two finished runs');
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(status || ' ' || coalesce(sqlstate, '-'), ',' ORDER BY run_id)
  FROM matview_scheduler.runs WHERE view = 'cancelled'::regclass}),
	'failed 57014,succeeded -',
	'the cancelled run failed with 57014, and its retry succeeded');
is( $node->safe_psql(
		'postgres', q{
SELECT r2.scheduled_for - r1.finished >= interval '0.9 seconds'
       AND r2.scheduled_for - r1.finished <= interval '1.1 seconds'
       AND r2.started >= r2.scheduled_for
  FROM matview_scheduler.runs r1, matview_scheduler.runs r2
 WHERE r1.view = 'cancelled'::regclass AND r2.view = r1.view AND r2.run_id > r1.run_id}),
	't',
	'the retry was due retry_delay after the failure');
is( status_of(
		$node, 'cancelled',
		q{format('%s %s %s', failures_total, consecutive_failures, last_status)}),
	'1 0 succeeded',
	'status counts the failure and the recovery');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('cancelled')});

# ---------------------------------------------------------------------------------------------
# 4. A fast shutdown in the middle of a refresh, then a start: the run is interrupted, and the
# clock's due times missed while down are coalesced into one run.
slow_view($node, 'shutdown', 60);
$node->safe_psql('postgres', q{SELECT schedule_refresh('shutdown', '1 hour', start_at => now())});
ok(wait_refreshing($node, 'shutdown'), 'the slow view is being refreshed');
$node->safe_psql('postgres', q{UPDATE nap SET secs = 0 WHERE view = 'shutdown'});
my $shutdown_run = $node->safe_psql('postgres',
	q{SELECT run_id FROM matview_scheduler.runs WHERE view = 'shutdown'::regclass AND status = 'running'});
like($shutdown_run, qr/^\d+$/, 'its run is recorded running');
my ($skipped_before, $last_clock_run) = split /\|/, $node->safe_psql(
	'postgres', q{
SELECT skipped_total, last_run_id FROM matview_scheduler.schedules WHERE view = 'clock'::regclass});
$node->stop('fast');
# The server stays down across several of the clock's due times: there is nothing to poll while
# it is down, so wait for the wall clock.
my $down_until = time() + 3;
select(undef, undef, undef, 0.1) while time() < $down_until;
$node->start;

ok( $node->poll_query_until(
		'postgres', qq{
SELECT status = 'interrupted' AND finished IS NOT NULL FROM matview_scheduler.runs
 WHERE run_id = $shutdown_run}),
	'the run cut short by the shutdown is recorded interrupted');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 3 FROM matview_scheduler.runs
 WHERE view = 'clock'::regclass AND run_id > $last_clock_run}),
	'the clock runs again after the restart');
is( $node->safe_psql(
		'postgres', qq{
SELECT skipped_total >= $skipped_before + 2 FROM matview_scheduler.schedules
 WHERE view = 'clock'::regclass}),
	't',
	'the due times missed while down were counted as skipped');
# No burst: the second run after the restart is a second after the first, or on the grid
# after it.
is( $node->safe_psql(
		'postgres', qq{
WITH r AS (SELECT started, scheduled_for, row_number() OVER (ORDER BY run_id) AS n
             FROM matview_scheduler.runs WHERE view = 'clock'::regclass AND run_id > $last_clock_run)
SELECT CASE WHEN r2.started - r1.started >= interval '0.9 seconds'
              OR (r2.scheduled_for > r1.started AND r2.started >= r2.scheduled_for) THEN 'ok'
            ELSE format('%s %s, %s %s', r1.scheduled_for, r1.started, r2.scheduled_for, r2.started)
       END
  FROM r r1, r r2 WHERE r1.n = 1 AND r2.n = 2}),
	'ok',
	'the missed due times were coalesced into one run, not run in a burst');
is( $node->safe_psql(
		'postgres', q{SELECT count(*) FROM matview_scheduler.runs WHERE view = 'shutdown'::regclass}),
	'1', 'the interrupted hourly view was not run again before its next due time');

$node->stop;
done_testing();
