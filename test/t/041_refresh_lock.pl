# The lock that keeps two refreshes of a view apart cannot be released by the view's own query:
# pg_advisory_unlock_all() in a function the view calls leaves it held, so a run due meanwhile
# is skipped, never started beside the running one.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('refresh_lock');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE gate (open boolean NOT NULL);
INSERT INTO gate VALUES (false);
-- Releases every advisory lock of its session, then takes 3 seconds.
CREATE FUNCTION unlock_and_sleep() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT open FROM public.gate) THEN
        PERFORM pg_advisory_unlock_all();
        PERFORM pg_sleep(3);
    END IF;
    RETURN 1;
END $$;
CREATE MATERIALIZED VIEW greedy AS SELECT unlock_and_sleep() AS x;
SELECT schedule_refresh('greedy', '1 second');
});
$node->poll_query_until(
	'postgres', q{
SELECT count(*) >= 1 FROM matview_scheduler.runs
 WHERE view = 'greedy'::regclass AND status = 'succeeded'})
  or die 'not refreshed';
$node->safe_psql('postgres', 'UPDATE gate SET open = true');
my $pid = wait_refreshing($node, 'greedy');
ok(defined $pid, 'the refresh runs and has called pg_advisory_unlock_all()');
is( $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM pg_locks
 WHERE pid = $pid AND locktype = 'object' AND classid = 1836479331 AND objsubid = 3
   AND objid = 'greedy'::regclass AND granted}),
	'1',
	'its refresh lock is still held');

# A refresh_now() meanwhile waits for the running refresh to end; and due times pass.
my $manual = $node->safe_psql('postgres', q{SELECT refresh_now('greedy')});
my $mark = status_of($node, 'greedy', q{skipped_total});
wait_status($node, 'greedy', qq{skipped_total >= $mark + 2})
  or die 'no due time skipped';
$node->poll_query_until('postgres',
	qq{SELECT status <> 'running' FROM matview_scheduler.runs WHERE run_id = $manual})
  or die 'the refresh_now() run never ends';
$node->safe_psql('postgres', 'UPDATE gate SET open = false');
$node->poll_query_until(
	'postgres', q{
SELECT count(*) = 0 FROM matview_scheduler.runs WHERE view = 'greedy'::regclass AND status = 'running'})
  or die 'runs never settle';
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs a JOIN matview_scheduler.runs b
    ON a.view = b.view AND a.run_id < b.run_id AND b.started < a.finished
 WHERE a.view = 'greedy'::regclass}),
	'0',
	'no two runs of the view overlapped, refresh_now() included');

$node->stop;
done_testing();
