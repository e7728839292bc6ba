# The scheduler plans only when its sleep ends or something that can bring a run forward happened:
# a worker or place that frees wakes it, but only a change is read again. Every change must wake
# it, also the ones its own refresh workers make. Each case is alone in its database, so no other
# schedule's due time wakes the scheduler and hides a lost wake-up.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('wakeups');

# A retry planned by the refresh worker: the only schedule of its database is hourly, so without a
# wake-up from the worker the retry would wait for the next hour.
$node->safe_psql('postgres', 'CREATE DATABASE retry');
$node->safe_psql(
	'retry', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE divisor (d int NOT NULL);
INSERT INTO divisor VALUES (0);
CREATE MATERIALIZED VIEW flaky AS SELECT 100 / d AS r FROM divisor WITH NO DATA;
SELECT schedule_refresh('flaky', '1 hour', start_at => now() + interval '1 second',
                        retry_delay => '1 second', max_retries => 2);
});
ok(wait_status($node, 'flaky', q{consecutive_failures = 3 AND NOT running}, 'retry'),
	'the first run and both retries ran within the deadline');
is( $node->safe_psql(
		'retry', q{
SELECT string_agg(format('%s %s', status, sqlstate), ',' ORDER BY run_id)
  FROM matview_scheduler.runs WHERE view = 'flaky'::regclass}),
	'failed 22012,failed 22012,failed 22012',
	'three failed runs: the scheduled one and two retries');
# Each retry is due 1 s, then 2 s after the failure before it, and starts at its due time; a lost
# wake-up would leave it an hour late. 10 s of slack for a busy machine.
is( $node->safe_psql(
		'retry', q{
SELECT count(*) FROM (
  SELECT started, scheduled_for,
         lag(finished) OVER (ORDER BY run_id) AS prev_finished
    FROM matview_scheduler.runs WHERE view = 'flaky'::regclass) r
 WHERE prev_finished IS NOT NULL
   AND scheduled_for > prev_finished
   AND started >= scheduled_for
   AND started < scheduled_for + interval '10 seconds'}),
	'2',
	'each retry started at its due time after the failure before it');

# A schedule added while the scheduler sleeps until woken (nothing else due in its database).
$node->safe_psql('postgres', 'CREATE DATABASE added');
$node->safe_psql(
	'added', q{
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW first AS SELECT 1 AS x;
SELECT schedule_refresh('first', 'yearly');
});
ok( $node->poll_query_until(
		'added', q{
SELECT wait_event IS NOT NULL FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler scheduler' AND datname = 'added'}),
	'the scheduler of the database sleeps');
$node->safe_psql(
	'added', q{
CREATE MATERIALIZED VIEW later AS SELECT 1 AS x;
SELECT schedule_refresh('later', 'once', start_at => now() + interval '1 second');
});
ok(wait_status($node, 'later', q{last_status = 'succeeded'}, 'added'),
	'a schedule added during the sleep runs');
is( $node->safe_psql(
		'added', q{
SELECT started >= scheduled_for AND started < scheduled_for + interval '10 seconds'
  FROM matview_scheduler.runs WHERE view = 'later'::regclass}),
	't', 'at its due time');

done_testing();
