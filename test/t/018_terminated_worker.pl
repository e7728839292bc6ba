# A refresh worker terminated with pg_terminate_backend records its run as interrupted on its
# way out, at once, without a restart of anything: a refresh_now() run (whose caller may be gone)
# and a scheduled run alike. A caller waiting with refresh_now(wait => true) gets the error.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('terminated');
$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
clock_view($node);
nap_table($node);
slow_view($node, 'by_hand', 60);
slow_view($node, 'scheduled', 60);
ok(wait_clock($node, 1), 'the scheduler is running');
my $scheduler = pids_of($node, 'matview_scheduler scheduler');

# refresh_now() without waiting: nobody is there to tell.
my $run = $node->safe_psql('postgres', q{SELECT refresh_now('by_hand')});
my $pid = wait_refreshing($node, 'by_hand');
ok(defined $pid, 'refresh_now() runs in a worker');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres', qq{
SELECT status = 'interrupted' AND message LIKE '%terminated%' AND finished IS NOT NULL
  FROM matview_scheduler.runs WHERE run_id = $run}),
	'its run is recorded as interrupted');

# A scheduled run.
$node->safe_psql('postgres', q{SELECT schedule_refresh('scheduled', 'once', start_at => now())});
$pid = wait_refreshing($node, 'scheduled');
ok(defined $pid, 'the scheduled refresh runs in a pool worker');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( wait_status(
		$node, 'scheduled',
		q{last_status = 'interrupted' AND last_error LIKE '%terminated%' AND NOT running}),
	'the scheduled run is recorded as interrupted');

# refresh_now(wait => true): the caller gets the worker's end as an error.
my $caller = $node->background_psql('postgres', on_error_stop => 0);
$caller->query_until(qr/started/, q{
\echo started
SELECT refresh_now('by_hand', wait => true);
});
$pid = wait_refreshing($node, 'by_hand');
ok(defined $pid, 'a waited-for refresh_now() runs');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
$caller->query('SELECT 1');
like($caller->{stderr}, qr/terminated during the run/, 'the waiting caller gets the error');
$caller->quit;

is(pids_of($node, 'matview_scheduler scheduler'), $scheduler, 'the scheduler was not restarted');
is( $node->safe_psql(
		'postgres', q{SELECT count(*) FROM matview_scheduler.runs WHERE status = 'running'
                       AND view <> 'clock'::regclass}),
	'0',
	'no run is left running');
ok(wait_clock($node, 2), 'the schedules carry on');

$node->stop;
done_testing();
