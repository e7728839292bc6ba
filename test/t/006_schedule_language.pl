# The schedule language at run time: repeats, until, once, cron with seconds, and coalescing of
# due times that come while the previous refresh is still running.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('language');

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE items (x int);
CREATE MATERIALIZED VIEW limited AS SELECT count(*) AS n FROM items;
CREATE MATERIALIZED VIEW bounded AS SELECT count(*) AS n FROM items;
CREATE MATERIALIZED VIEW one_shot AS SELECT count(*) AS n FROM items;
CREATE MATERIALIZED VIEW by_cron AS SELECT count(*) AS n FROM items;
});
# Refreshed every second throughout: its runs tell the time.
clock_view($node);

sub runs_of
{
	my ($view) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM matview_scheduler.runs WHERE view = '$view'::regclass");
}

# repeats: three runs, then finished and still listed.
$node->safe_psql('postgres', q{SELECT schedule_refresh('limited', '1 second', repeats => 3)});
ok( wait_status($node, 'limited', q{finished AND runs_total = 3 AND next_run IS NULL}),
	'a schedule with repeats => 3 finishes after three runs');
ok(wait_clock_succeeded($node, 3), 'time passes');
is(runs_of('limited'), '3', 'and runs no more');

# until: no run after it.
$node->safe_psql('postgres',
	q{SELECT schedule_refresh('bounded', '1 second', until => now() + interval '3 seconds')});
ok( wait_status($node, 'bounded', q{finished}),
	'a schedule with until finishes');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FILTER (WHERE r.scheduled_for > s.until OR r.started > s.until)
  FROM matview_scheduler.runs r JOIN matview_scheduler.schedules s ON s.id = r.schedule_id
 WHERE r.view = 'bounded'::regclass}),
	'0',
	'no run after until');
cmp_ok(runs_of('bounded'), '>=', 2, 'and it ran until then');

# once, without start_at: now, a single time.
$node->safe_psql('postgres', 'INSERT INTO items VALUES (1), (2)');
$node->safe_psql('postgres', q{SELECT schedule_refresh('one_shot', 'once')});
ok($node->poll_query_until('postgres', 'SELECT n = 2 FROM one_shot'), 'once runs at once');
ok( wait_status($node, 'one_shot', q{finished AND last_status = 'succeeded'}),
	'and is finished');
ok(wait_clock_succeeded($node, 2), 'time passes');
is(runs_of('one_shot'), '1', 'once means one run');

# once with start_at: at that time, not before.
$node->safe_psql('postgres',
	q{SELECT schedule_refresh('one_shot', 'once', start_at => now() + interval '2 seconds')});
is( status_of($node, 'one_shot', q{finished}),
	'f',
	'a later once is waiting');
ok( wait_status($node, 'one_shot', q{finished}),
	'and runs at its time');
is( $node->safe_psql(
		'postgres', q{
SELECT r.started >= s.start_at
  FROM matview_scheduler.runs r JOIN matview_scheduler.schedules s ON s.id = r.schedule_id
 WHERE r.view = 'one_shot'::regclass ORDER BY r.run_id DESC LIMIT 1}),
	't',
	'not before start_at');

# A 6-field cron line, every second.
$node->safe_psql('postgres', q{SELECT schedule_refresh('by_cron', '* * * * * *')});
ok($node->poll_query_until('postgres', 'SELECT n = 2 FROM by_cron'), 'a cron schedule refreshes');
$node->safe_psql('postgres', 'INSERT INTO items VALUES (3)');
ok($node->poll_query_until('postgres', 'SELECT n = 3 FROM by_cron'), 'and keeps refreshing');
is( $node->safe_psql(
		'postgres', q{
SELECT bool_and(scheduled_for = date_trunc('second', scheduled_for))
  FROM matview_scheduler.runs WHERE view = 'by_cron'::regclass}),
	't',
	'its due times fall on whole seconds');

# A refresh that takes longer than its interval: due times that come while it runs are skipped
# and counted, never queued, and runs never overlap.
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW slow AS SELECT pg_sleep(2.2) IS NULL AS slept WITH NO DATA;
SELECT schedule_refresh('slow', '1 second');
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) >= 3 FROM matview_scheduler.runs
 WHERE view = 'slow'::regclass AND status = 'succeeded'}),
	'a slow view is refreshed again and again');
cmp_ok(
	status_of($node, 'slow', q{skipped_total}),
	'>=', 2,
	'due times that came during its refreshes are counted as skipped');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs a JOIN matview_scheduler.runs b
    ON a.view = b.view AND a.run_id < b.run_id
 WHERE a.view = 'slow'::regclass AND b.started < a.finished}),
	'0',
	'its runs never overlap');

$node->stop;
done_testing();
