# The retry backoff never overflows: whatever the schedule's counters and settings hold (written
# here by a superuser, as an older version or a restore could have left them), a failing refresh
# is recorded with its own error, not with "out of range" from the bookkeeping.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('retry_saturation');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE divisor (d int NOT NULL);
INSERT INTO divisor VALUES (0);
});

# Each case: a view failing every second, its schedule paused while the counters are set, then
# resumed.
my %cases = (
	deep_backoff => 'consecutive_failures = 99, max_retries = 100, retry_delay = \'7 days\'',
	saturated => 'consecutive_failures = 2147483647, max_retries = 100',
	huge_delay => 'consecutive_failures = 0, retry_delay = \'1000000 years\'',);
for my $view (sort keys %cases)
{
	$node->safe_psql(
		'postgres', qq{
BEGIN;
CREATE MATERIALIZED VIEW $view AS SELECT 100 / d AS r FROM divisor WITH NO DATA;
SELECT schedule_refresh('$view', '1 second');
SELECT pause_refresh('$view');
UPDATE matview_scheduler.schedules SET $cases{$view} WHERE view = '$view'::regclass;
COMMIT;
SELECT resume_refresh('$view');
});
}

for my $view (sort keys %cases)
{
	ok( $node->poll_query_until(
			'postgres', qq{
SELECT count(*) >= 2 FROM matview_scheduler.runs
 WHERE view = '$view'::regclass AND status = 'failed' AND sqlstate = '22012'}),
		"$view: the failures are recorded with the refresh's own error");
}
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs WHERE status = 'interrupted' OR message LIKE '%range%'}),
	'0',
	'no run was interrupted or failed with an overflow');
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(view::text || ':' || CASE WHEN view::text = 'saturated'
                                            THEN consecutive_failures::text
                                            ELSE (consecutive_failures > 99)::text END,
                  ',' ORDER BY view::text)
  FROM matview_scheduler.status WHERE view::text <> 'huge_delay'}),
	'deep_backoff:true,saturated:2147483647',
	'consecutive_failures counts on, and stops at its largest value');
# The retry never comes after the next due time: each schedule runs again within its grid.
is( $node->safe_psql(
		'postgres', q{
SELECT bool_and(next_run <= now() + interval '2 seconds') FROM matview_scheduler.status}),
	't',
	'the next runs stay on the one-second grid');

$node->stop;
done_testing();
