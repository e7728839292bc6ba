# A refresh is bounded by timeout and lock_timeout: past either it is cancelled, recorded as failed
# with PostgreSQL's SQLSTATE, and the view is left as it was.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The clock view is refreshed every second throughout: its runs tell the time.
my $node = clock_node('refresh_timeouts');

ok(wait_clock($node, 1), 'the clock view is refreshed');

# ---------------------------------------------------------------------------------------------
# timeout cancels the refresh: 57014, recorded as a failure, the view left as it was.
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW sleeper AS SELECT pg_sleep(5) IS NULL AS slept WITH NO DATA;
SELECT schedule_refresh('sleeper', '1 hour', start_at => now() + interval '1 second',
                        timeout => '1 second', max_retries => 0);
});
is( status_of(
		$node, 'sleeper',
		q{format('%s %s %s %s', concurrency, timeout, lock_timeout IS NULL, max_retries)}),
	'auto 00:00:01 t 0',
	'status shows the timeout and retry settings');
ok( wait_status($node, 'sleeper', q{last_status = 'failed'}),
	'a refresh that runs past its timeout fails');
is( status_of($node, 'sleeper', q{last_sqlstate || ' ' || last_error}),
	'57014 canceling statement due to statement timeout',
	'it is recorded with SQLSTATE 57014 and the cancel message');
is( status_of(
		$node, 'sleeper',
		q{last_duration >= interval '1 second' AND last_duration < interval '4.5 seconds'}),
	't',
	'it was cancelled after the timeout, before the view query could finish');
is( status_of($node, 'sleeper', q{last_mode}),
	'plain',
	'the cancelled run records the mode it refreshed in');
is( $node->safe_psql(
		'postgres', q{
SELECT relispopulated FROM pg_class WHERE oid = 'sleeper'::regclass}),
	'f',
	'the cancelled refresh left the view as it was');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_stat_activity
 WHERE application_name = 'matview_scheduler refresh public.sleeper'}),
	'0',
	'no refresh of it is left running');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('sleeper')});

# ---------------------------------------------------------------------------------------------
# lock_timeout: another session holds the view's lock; the refresh gives up with 55P03.
$node->safe_psql('postgres', q{CREATE MATERIALIZED VIEW locked_view AS SELECT 1 AS x});
# LOCK TABLE does not take materialized views; a REFRESH in an open transaction holds the same
# ACCESS EXCLUSIVE lock until the transaction ends.
my $holder = $node->background_psql('postgres');
$holder->query_safe(q{BEGIN; REFRESH MATERIALIZED VIEW locked_view;});
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_locks
 WHERE relation = 'locked_view'::regclass AND mode = 'AccessExclusiveLock' AND granted}),
	'1',
	'another session holds an ACCESS EXCLUSIVE lock on the view');
$node->safe_psql(
	'postgres', q{
SELECT schedule_refresh('locked_view', '1 hour', start_at => now() + interval '1 second',
                        lock_timeout => '1 second', max_retries => 0);
}, timeout => 60);
is( status_of($node, 'locked_view', q{format('%s %s', lock_timeout, timeout IS NULL)}),
	'00:00:01 t',
	'status shows the lock_timeout');
ok( wait_status($node, 'locked_view', q{last_status = 'failed'}),
	'a refresh of a view locked by another session fails');
is( status_of($node, 'locked_view', q{last_sqlstate || ' ' || last_error}),
	'55P03 canceling statement due to lock timeout',
	'it gave up waiting for the lock with SQLSTATE 55P03');
is( status_of($node, 'locked_view', q{last_duration >= interval '1 second'}),
	't',
	'after waiting lock_timeout for the lock');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_locks
 WHERE relation = 'locked_view'::regclass AND NOT granted}),
	'0',
	'nothing is left waiting for the lock');
$holder->query_safe('COMMIT');
$holder->quit;
my $after_lock = $node->safe_psql('postgres', q{SELECT refresh_now('locked_view', wait => true)});
is( $node->safe_psql(
		'postgres', qq{
SELECT status FROM matview_scheduler.runs WHERE run_id = $after_lock}),
	'succeeded',
	'once the lock is released the view refreshes');

# ---------------------------------------------------------------------------------------------
# Through all of it the scheduler kept going and nothing crashed.
ok(wait_clock($node, 2), 'the clock view is still refreshed');
ok(no_crash($node), 'no server process crashed');

$node->stop;
done_testing();
