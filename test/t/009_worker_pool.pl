# Refresh workers are kept warm: one process takes run after run, the pool never grows past
# matview_scheduler.max_workers, and the workers leave with their scheduler.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('pool', 'matview_scheduler.max_workers = 2',
	'matview_scheduler.max_workers_per_role = 2');

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW a AS SELECT pg_catalog.now() AS t;
CREATE MATERIALIZED VIEW b AS SELECT pg_catalog.now() AS t;
CREATE MATERIALIZED VIEW c AS SELECT pg_catalog.now() AS t;
SELECT schedule_refresh('a', '1 second');
});

# The refresh workers' pids.
sub workers
{
	return pids_of($node, 'matview_scheduler refresh', q{AND datname = 'postgres'});
}

ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) >= 2 FROM matview_scheduler.runs WHERE status = 'succeeded'}),
	'the view is refreshed');
my $first = workers();
isnt($first, '', 'a refresh worker stays up between runs');
my $mark = $node->safe_psql('postgres', 'SELECT max(run_id) FROM matview_scheduler.runs');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) >= 3 FROM matview_scheduler.runs WHERE status = 'succeeded' AND run_id > $mark"
	),
	'three more runs');
is(workers(), $first, 'and the same process took them');

# Three views every second with room for two workers: never more than two.
$node->safe_psql('postgres',
	q{SELECT schedule_refresh('b', '1 second'), schedule_refresh('c', '1 second')});
$mark = $node->safe_psql('postgres', 'SELECT max(run_id) FROM matview_scheduler.runs');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(DISTINCT view) = 3 FROM matview_scheduler.runs
 WHERE status = 'succeeded' AND run_id > $mark}),
	'all three views are refreshed');
cmp_ok(
	$node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'matview_scheduler refresh'}),
	'<=', 2,
	'by at most max_workers processes');

# refresh_now() shares the max_workers places with the schedules: while two slow scheduled
# refreshes hold both, a refresh_now() run waits, and starts once one of them has ended.
$node->safe_psql('postgres',
	q{SELECT unschedule_refresh('a'), unschedule_refresh('b'), unschedule_refresh('c')});
nap_table($node);
slow_view($node, 's1', 3);
slow_view($node, 's2', 3);
$node->safe_psql('postgres', q{
SELECT schedule_refresh('s1', 'once', start_at => now()), schedule_refresh('s2', 'once', start_at => now())});
ok(defined wait_refreshing($node, 's1') && defined wait_refreshing($node, 's2'),
	'two slow refreshes hold both places');
my $manual = $node->safe_psql('postgres', q{SELECT refresh_now('a')});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler refresh' AND query LIKE 'waiting for a free refresh worker%'}),
	'the refresh_now() run waits for a place');
ok( $node->poll_query_until(
		'postgres',
		qq{SELECT status = 'succeeded' FROM matview_scheduler.runs WHERE run_id = $manual}),
	'and then runs');
is( $node->safe_psql(
		'postgres', qq{
SELECT started >= (SELECT min(finished) FROM matview_scheduler.runs WHERE view IN ('s1'::regclass, 's2'::regclass))
  FROM matview_scheduler.runs WHERE run_id = $manual}),
	't',
	'after a slow refresh had ended');

# More runs of one role due at once than there are places: a run is queued behind each worker's,
# the rest wait for a place, and only the workers' finished runs tell the scheduler when a pass is
# due (a place frees, or no worker has a run queued any more). A finished run that failed to wake
# it would leave the rest waiting for good.
foreach my $i (1 .. 12)
{
	slow_view($node, "q$i", 0.2);
}
$node->safe_psql(
	'postgres', q{
SELECT count(schedule_refresh(format('q%s', i)::regclass, 'once',
                              start_at => date_trunc('second', now()) + interval '2 seconds'))
  FROM generate_series(1, 12) i;
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 12 FROM matview_scheduler.runs
 WHERE view::text LIKE 'q%' AND status = 'succeeded'}),
	'twelve runs due at once with two places all succeed');
is( $node->safe_psql(
		'postgres', q{
SELECT max(finished) - min(scheduled_for) < interval '30 seconds'
  FROM matview_scheduler.runs WHERE view::text LIKE 'q%'}),
	't',
	'one after the other, without waiting for anything but a place');
cmp_ok(
	$node->safe_psql(
		'postgres', q{
SELECT max(n) FROM (
  SELECT count(*) AS n FROM matview_scheduler.runs a JOIN matview_scheduler.runs b
      ON b.started <= a.started AND b.finished > a.started
   WHERE a.view::text LIKE 'q%' AND b.view::text LIKE 'q%' GROUP BY a.run_id) o}),
	'<=', 2,
	'never more than two at once');

# DROP EXTENSION stops the scheduler, and its workers leave with it.
$node->safe_psql('postgres', 'DROP EXTENSION matview_scheduler');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 0 FROM pg_stat_activity
 WHERE backend_type IN ('matview_scheduler refresh', 'matview_scheduler scheduler')}),
	'the scheduler and its workers are gone after DROP EXTENSION');

$node->stop;
done_testing();
