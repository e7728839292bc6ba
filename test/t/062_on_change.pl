# 'on change' schedules: a view is refreshed when what it reads has a committed change, at most once
# per min_interval, never while its previous refresh runs; a change during a refresh brings one more
# refresh after it; a view over an 'on change' view follows it; writes elsewhere refresh nothing;
# a restart counts as a change once; a failed refresh is retried without a new change.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = new_node('on_change', 'matview_scheduler.max_workers = 4',
	'matview_scheduler.max_workers_per_role = 4');
$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
$node->safe_psql(
	'postgres', q{
CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO t VALUES (1, 1);
CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n, coalesce(sum(v), 0) AS s FROM t;
CREATE VIEW mv_plain AS SELECT n, s FROM mv;
CREATE MATERIALIZED VIEW over_mv AS SELECT n, s FROM mv_plain;
CREATE TABLE elsewhere (x int);
CREATE MATERIALIZED VIEW mv_elsewhere AS SELECT count(*) AS n FROM elsewhere;
SELECT schedule_refresh('mv', 'on change', min_interval => '3 seconds');
SELECT schedule_refresh('over_mv', 'on change', min_interval => '1 second');
SELECT schedule_refresh('mv_elsewhere', 'on change', min_interval => '1 second');
});

sub runs { my ($view) = @_; return status_of($node, $view, 'runs_total'); }

# Waits until the next_run of each of @views has passed (its min_interval since its last refresh
# is over), then commits a write elsewhere and waits until mv_elsewhere was refreshed for it: the
# scheduler has looked at every 'on change' view due since (they are looked at together), so one
# of @views not refreshed by then was found unchanged.
sub settle
{
	my (@views) = @_;
	for my $view (@views)
	{
		wait_status($node, $view, 'next_run <= now()') or return 0;
	}
	my $before = runs('mv_elsewhere');
	$node->safe_psql('postgres', 'INSERT INTO elsewhere VALUES (1)');
	return wait_status($node, 'mv_elsewhere', "runs_total > $before AND NOT running");
}

# The first look has no reading to compare with: each view is refreshed once.
ok( wait_status(
		$node, 'mv',
		"runs_total = 1 AND last_status = 'succeeded' AND min_interval = '3 seconds'"),
	'an on change view is refreshed once when scheduled');
ok(wait_status($node, 'over_mv', "runs_total >= 1 AND last_status = 'succeeded'"),
	'the view over it too');
ok(settle('mv'), 'a write elsewhere refreshes the view that reads it');
is( status_of(
		$node, 'mv', q{concat_ws(':', runs_total, finished, waiting, only_if_changed, schedule)}),
	'1:f:f:t:on change',
	'with nothing changed it waits: not refreshed, not shown as waiting or finished');
my $over_runs = runs('over_mv');
ok( wait_status($node, 'mv', 'unchanged_total >= 1 AND last_checked IS NOT NULL'),
	'it was looked at and found unchanged');

# A committed write: refreshed promptly, with the new rows; the view over it follows.
$node->safe_psql('postgres', 'INSERT INTO t VALUES (2, 10)');
ok(wait_status($node, 'mv', "runs_total = 2 AND last_status = 'succeeded'"),
	'a committed write refreshes it');
is($node->safe_psql('postgres', q{SELECT n || ':' || s FROM mv}), '2:11', 'with the new rows');
ok( wait_status(
		$node, 'over_mv', "runs_total > $over_runs AND last_status = 'succeeded'"),
	'the view over it follows its refresh');
ok( $node->poll_query_until('postgres', q{SELECT (SELECT n || ':' || s FROM over_mv) = '2:11'}),
	'and holds what it holds');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs o, matview_scheduler.runs m
 WHERE o.view = 'over_mv'::regclass AND m.view = 'mv'::regclass
   AND o.started < m.finished AND o.finished > m.started}),
	'0',
	'the view over it never refreshed while mv did');

# A rolled-back write changes nothing.
$node->safe_psql('postgres', 'BEGIN; INSERT INTO t VALUES (3, 100); ROLLBACK;');
ok(settle('mv'), 'writes elsewhere are looked at');
is(runs('mv'), '2', 'a rolled-back write does not refresh it');

# Debounce: a stream of writes refreshes it at most once per min_interval.
for my $i (1 .. 12)
{
	$node->safe_psql('postgres', "INSERT INTO t VALUES (100 + $i, 1)");
	usleep(500_000);    # the writes are spread, not what is tested
}
ok( $node->poll_query_until(
		'postgres', q{SELECT (SELECT n FROM mv) = 14 AND NOT running
  FROM matview_scheduler.status WHERE view = 'mv'::regclass}),
	'the stream of writes is all in the view in the end');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FILTER (WHERE gap < interval '3 seconds') || ':' || (count(*) >= 2)
  FROM (SELECT started - lag(started) OVER (ORDER BY started) AS gap
          FROM matview_scheduler.runs WHERE view = 'mv'::regclass) g
 WHERE gap IS NOT NULL}),
	'0:true',
	'its refreshes started at least min_interval apart');
cmp_ok(runs('mv'), '<', 2 + 12, 'twelve writes made fewer refreshes');

# A change during a refresh: one more refresh after it, none while it runs. A session that read
# the view in a transaction still open keeps its refresh waiting for the lock while the test writes.
$node->safe_psql(
	'postgres', q{
CREATE TABLE feed (x int);
CREATE MATERIALIZED VIEW slow AS SELECT count(*) AS n FROM feed;
SELECT schedule_refresh('slow', 'on change', min_interval => '1 second');
});
ok(wait_status($node, 'slow', "runs_total = 1 AND last_status = 'succeeded'"),
	'the slow view is refreshed once when scheduled');
my $gate = $node->background_psql('postgres');
$gate->query_safe('BEGIN');
$gate->query_safe('SELECT count(*) FROM slow');    # its lock is held until COMMIT
$node->safe_psql('postgres', 'INSERT INTO feed VALUES (1)');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE a.backend_type = 'matview_scheduler refresh' AND l.relation = 'slow'::regclass
   AND NOT l.granted}),
	'a write starts its refresh');
$node->safe_psql('postgres', 'INSERT INTO feed VALUES (2)');
$gate->query_safe('COMMIT');
$gate->quit;
ok( $node->poll_query_until(
		'postgres', q{SELECT (SELECT n FROM slow) = 2 AND NOT running AND last_status = 'succeeded'
  FROM matview_scheduler.status WHERE view = 'slow'::regclass}),
	'the write during the refresh is in the view in the end');
ok(settle('slow'), 'writes elsewhere are looked at');
is(runs('slow'), '3', 'one refresh for the write before, one more for the write during it');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM (SELECT started, lag(finished) OVER (ORDER BY started) AS prev
                        FROM matview_scheduler.runs WHERE view = 'slow'::regclass) r
 WHERE started < prev}),
	'0',
	'no refresh of it started before the previous one had finished');

# Paused, a change waits; resumed, it is refreshed.
$node->safe_psql('postgres', q{SELECT pause_refresh('mv'); INSERT INTO t VALUES (200, 1)});
my $paused_runs = runs('mv');
ok(settle('mv'), 'writes elsewhere are looked at');
is(runs('mv'), $paused_runs, 'a paused view is not refreshed on change');
$node->safe_psql('postgres', q{SELECT resume_refresh('mv')});
ok(wait_status($node, 'mv', "runs_total > $paused_runs AND (SELECT n FROM mv) = 15"),
	'resumed, it is refreshed for the change it missed');

# A failed refresh is retried without another change; then it waits for the next change.
$node->safe_psql(
	'postgres', q{
CREATE TABLE flag (broken boolean NOT NULL);
INSERT INTO flag VALUES (false);
CREATE MATERIALIZED VIEW fragile AS
    SELECT 1 / (CASE WHEN broken THEN 0 ELSE 1 END) AS x FROM flag;
SELECT schedule_refresh('fragile', 'on change', min_interval => '1 second', max_retries => 2,
                        retry_delay => '1 second');
});
ok(wait_status($node, 'fragile', "runs_total = 1 AND last_status = 'succeeded'"),
	'the fragile view is refreshed once when scheduled');
$node->safe_psql('postgres', 'UPDATE flag SET broken = true');
ok( wait_status(
		$node, 'fragile',
		'failures_total = 3 AND consecutive_failures = 3 AND runs_total = 4 AND NOT running'),
	'a failed refresh is retried max_retries times without another change');
ok(settle('fragile'), 'writes elsewhere are looked at');
is(status_of($node, 'fragile', q{concat_ws(':', runs_total, waiting)}), '4:f',
	'then it waits for the next change');
$node->safe_psql('postgres', 'UPDATE flag SET broken = false');
ok(wait_status($node, 'fragile', "last_status = 'succeeded' AND consecutive_failures = 0"),
	'the next change refreshes it');

ok(no_crash($node), 'no server process crashed');

# A restart counts as a change once; then they wait again.
my %before = map { $_ => runs($_) } qw(mv over_mv slow);
$node->restart;
ok( wait_status($node, $_, "runs_total > $before{$_} AND last_status = 'succeeded'"),
	"after a restart $_ is refreshed once")
  for qw(mv over_mv slow);
ok($node->poll_query_until('postgres', q{
SELECT bool_and(NOT running) FROM matview_scheduler.status}), 'the refreshes after the restart end');
my %after = map { $_ => runs($_) } qw(mv slow);
ok(settle(qw(mv slow)), 'writes elsewhere are looked at');
is(runs($_), $after{$_}, "then $_ waits for a change") for qw(mv slow);

# Replaced by a schedule on the clock, it no longer follows changes.
$node->safe_psql('postgres', q{SELECT schedule_refresh('mv', 'daily')});
is(status_of($node, 'mv', q{concat_ws(':', coalesce(min_interval::text, 'none'), waiting)}),
	'none:f', 'a schedule on the clock has no min_interval');

$node->stop;
done_testing();
