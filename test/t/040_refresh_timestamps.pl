# now(), statement_timestamp() and pg_stat_activity's xact_start/query_start inside a refresh are
# the refresh's own start: a warm worker's later runs, and a refresh_now() run that waited, do not
# see the time the worker process connected.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('timestamps', 'matview_scheduler.max_workers = 2',
	'matview_scheduler.max_workers_per_role = 2');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW stamps AS
    SELECT pg_catalog.now() AS t, pg_catalog.statement_timestamp() AS s;
SELECT schedule_refresh('stamps', '1 second');
});

# Wait until one worker has taken several runs in turn: its later runs are where a stale now()
# would show.
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) >= 4 FROM matview_scheduler.runs
 WHERE view = 'stamps'::regclass AND status = 'succeeded'}),
	'the view is refreshed every second');

# The view's content and the run that wrote it, in one snapshot (the run is recorded in the
# refresh's own transaction).
my $check = q{
SELECT v.t >= r.scheduled_for AND v.t <= r.finished AND v.s >= v.t AND v.s <= r.finished
  FROM stamps v, matview_scheduler.runs r
 WHERE r.run_id = (SELECT max(run_id) FROM matview_scheduler.runs
                    WHERE view = 'stamps'::regclass AND status = 'succeeded')};
for my $i (1 .. 3)
{
	my $mark = $node->safe_psql('postgres',
		q{SELECT max(run_id) FROM matview_scheduler.runs WHERE view = 'stamps'::regclass});
	$node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 1 FROM matview_scheduler.runs
 WHERE view = 'stamps'::regclass AND status = 'succeeded' AND run_id > $mark})
	  or die 'no further run';
	is($node->safe_psql('postgres', $check),
		't', "run $i: now() and statement_timestamp() lie between its due time and its end");
}

# pg_stat_activity of a running scheduled refresh: the transaction and the statement started at
# the run's due time or later, not when the process connected.
nap_table($node);
slow_view($node, 'slow', 0);
$node->safe_psql('postgres', q{SELECT schedule_refresh('slow', '1 second')});
$node->poll_query_until(
	'postgres', q{
SELECT count(*) >= 2 FROM matview_scheduler.runs
 WHERE view = 'slow'::regclass AND status = 'succeeded'})
  or die 'slow view not refreshed';
$node->safe_psql('postgres', q{UPDATE nap SET secs = 3 WHERE view = 'slow'});
my $pid = wait_refreshing($node, 'slow');
ok(defined $pid, 'a warm worker runs a slow refresh');
is( $node->safe_psql(
		'postgres', qq{
SELECT a.xact_start >= r.scheduled_for AND a.query_start >= a.xact_start
  FROM pg_stat_activity a, matview_scheduler.runs r
 WHERE a.pid = $pid AND r.view = 'slow'::regclass AND r.status = 'running'}),
	't',
	'pg_stat_activity: xact_start and query_start are at or after the due time');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('slow'), unschedule_refresh('stamps')});
$node->safe_psql('postgres', q{UPDATE nap SET secs = 0});

# A refresh_now() run that waits for a running refresh of the view: its now() is when its own
# refresh started, after the other one ended.
$node->safe_psql(
	'postgres', q{
INSERT INTO nap VALUES ('waited', 0);
CREATE MATERIALIZED VIEW waited AS SELECT pg_catalog.now() AS t, nap_for('waited') AS x;
UPDATE nap SET secs = 3 WHERE view = 'waited';
});
my $first = $node->safe_psql('postgres', q{SELECT refresh_now('waited')});
ok(defined wait_refreshing($node, 'waited'), 'a slow refresh_now() runs');
$node->safe_psql('postgres', q{UPDATE nap SET secs = 0 WHERE view = 'waited'});
my $second = $node->safe_psql('postgres', q{SELECT refresh_now('waited', wait => true)});
is( $node->safe_psql(
		'postgres', qq{
SELECT v.t >= f.finished AND v.t <= s.finished
  FROM waited v, matview_scheduler.runs f, matview_scheduler.runs s
 WHERE f.run_id = $first AND s.run_id = $second}),
	't',
	'a refresh_now() that waited sees now() after the refresh it waited for');

$node->stop;
done_testing();
