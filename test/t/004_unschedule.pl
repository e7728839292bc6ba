# unschedule_refresh stops a view's refreshes; other schedules go on.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('unschedule');

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE items (x int);
CREATE MATERIALIZED VIEW item_count AS SELECT count(*) AS n FROM items;
INSERT INTO items VALUES (1);
SELECT schedule_refresh('item_count', '1 second');
});
# Refreshed every second throughout: its runs tell the time.
clock_view($node);

ok($node->poll_query_until('postgres', 'SELECT n = 1 FROM item_count'),
	'the scheduled view is refreshed');

is($node->safe_psql('postgres', q{SELECT unschedule_refresh('item_count')}),
	't', 'unschedule_refresh returns true when it removed a schedule');
is($node->safe_psql('postgres', q{SELECT unschedule_refresh('item_count')}),
	'f', 'and false when there was none');
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(view::text, ',') FROM matview_scheduler.status}),
	'clock',
	'status no longer lists the view');

# A refresh already under way when the schedule was removed may still end; wait for it.
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 0 FROM matview_scheduler.runs
 WHERE view = 'item_count'::regclass AND status = 'running'}),
	'no refresh of the unscheduled view is left running');

my $runs_before = $node->safe_psql('postgres',
	q{SELECT count(*) FROM matview_scheduler.runs WHERE view = 'item_count'::regclass});
$node->safe_psql('postgres', 'INSERT INTO items SELECT generate_series(2, 10)');

# Three more runs of the clock: three seconds in which the unscheduled view was due every second.
ok(wait_clock_succeeded($node, 3), 'the other schedule keeps running');
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM matview_scheduler.runs WHERE view = 'item_count'::regclass}),
	$runs_before,
	'no run of the unscheduled view was recorded');
is($node->safe_psql('postgres', 'SELECT n FROM item_count'),
	'1', 'the unscheduled view was not refreshed');

# Scheduling it again brings the refreshes back.
$node->safe_psql('postgres', q{SELECT schedule_refresh('item_count', '1 second')});
ok($node->poll_query_until('postgres', 'SELECT n = 10 FROM item_count'),
	'a view scheduled again is refreshed again');

$node->stop;
done_testing();
