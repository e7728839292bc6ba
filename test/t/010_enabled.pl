# matview_scheduler.enabled (reload) turns running off and on without losing schedules; due
# times missed while off are coalesced into one run.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('enabled');

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW v AS SELECT pg_catalog.now() AS t;
SELECT schedule_refresh('v', '1 second');
});
ok( $node->poll_query_until(
		'postgres', q{SELECT count(*) >= 2 FROM matview_scheduler.runs WHERE status = 'succeeded'}),
	'the view is refreshed');

$node->append_conf('postgresql.conf', 'matview_scheduler.enabled = off');
$node->reload;
ok($node->poll_query_until('postgres', 'SHOW matview_scheduler.enabled', 'off'), 'turned off');
# A run handed out just before the reload may still finish.
ok( $node->poll_query_until(
		'postgres', q{SELECT count(*) = 0 FROM matview_scheduler.runs WHERE status = 'running'}),
	'nothing left running');
my $runs = $node->safe_psql('postgres', 'SELECT count(*) FROM matview_scheduler.runs');
my $since = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
ok( $node->poll_query_until(
		'postgres', qq{SELECT clock_timestamp() > '$since'::timestamptz + interval '3 seconds'}),
	'three seconds pass');
is($node->safe_psql('postgres', 'SELECT count(*) FROM matview_scheduler.runs'),
	$runs, 'no run while off');
is($node->safe_psql('postgres', 'SELECT count(*) FROM matview_scheduler.status'),
	'1', 'the schedule is kept');

my $on = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
$node->append_conf('postgresql.conf', 'matview_scheduler.enabled = on');
$node->reload;
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 3 FROM matview_scheduler.runs
 WHERE status = 'succeeded' AND started > '$on'::timestamptz}),
	'runs again once on');
# One catch-up run for all the due times missed, then back on the grid: the run after it may come
# sooner than a second later, but only at a grid time.
is( $node->safe_psql(
		'postgres', qq{
WITH after_on AS (
    SELECT r.started, r.scheduled_for, s.anchor,
           row_number() OVER (ORDER BY r.run_id) AS n
      FROM matview_scheduler.runs r JOIN matview_scheduler.schedules s ON s.id = r.schedule_id
     WHERE r.started > '$on'::timestamptz)
SELECT format('%s %s',
    (SELECT count(*) FROM after_on
      WHERE started < (SELECT min(started) FROM after_on) + interval '900 ms') <= 2,
    bool_and(extract(epoch FROM scheduled_for - anchor)
             = round(extract(epoch FROM scheduled_for - anchor))))
  FROM after_on WHERE n > 1}),
	't t',
	'one run for all the missed due times, then back on the grid: no burst');
cmp_ok($node->safe_psql('postgres', 'SELECT skipped_total FROM matview_scheduler.status'),
	'>=', 2, 'the missed due times are counted as skipped');

$node->stop;
done_testing();
