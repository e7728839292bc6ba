# A scheduled run that finishes wakes the scheduler only when something waits for a place or for
# its sources. A refresh_now() run that finds the places still counted as the pool's (its runs
# finished while the scheduler slept) wakes the scheduler itself, which gives them back, and
# starts: here nothing else would wake the scheduler, as no schedule is left.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# One place: the last scheduled run's place, still counted as the pool's, is the only one, however
# the passes handed the runs over.
my $node = new_node('places_back', 'matview_scheduler.max_workers = 1');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW a AS SELECT 1 AS x WITH NO DATA;
CREATE MATERIALIZED VIEW b AS SELECT 2 AS x WITH NO DATA;
CREATE MATERIALIZED VIEW c AS SELECT 3 AS x WITH NO DATA;
-- Due at the same instant: b waits for a's place, then takes it.
WITH t AS (SELECT now() + interval '2 seconds' AS at)
SELECT schedule_refresh('a', 'once', start_at => t.at), schedule_refresh('b', 'once', start_at => t.at)
  FROM t;
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 2 FROM matview_scheduler.runs WHERE status = 'succeeded'}),
	'both scheduled runs finished');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.schedules WHERE next_run IS NOT NULL AND NOT paused}),
	'0',
	'no schedule is due any more');

# A refresh_now() left to wait for the scheduler's next wake-up would wait until the idle workers
# exit (after a minute): the statement times out well before.
is( $node->safe_psql(
		'postgres', q{
SET statement_timeout = '30s';
SELECT refresh_now('c', wait => true) > 0}),
	't',
	'refresh_now() gets a place the finished runs gave back');
is($node->safe_psql('postgres', 'SELECT x FROM c'), '3', 'and the view is refreshed');

done_testing();
