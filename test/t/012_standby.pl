# Hot standby: nothing of ours runs on a standby, whose status view shows the replicated
# schedules. After promotion the new primary runs them, and a run the old primary left
# 'running' is marked interrupted there.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = new_node('primary', { allows_streaming => 1 });
$primary->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
clock_view($primary);
nap_table($primary);
slow_view($primary, 'slow', 60);
ok( wait_status($primary, 'clock', q{runs_total >= 2}),
	'the primary refreshes the clock view');

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

sub our_processes
{
	my ($node) = @_;
	return $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'matview_scheduler%'});
}

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
# The standby has replayed clock runs the primary recorded since the standby started: time for
# a launcher or scheduler to have shown up there, had one been started.
ok(wait_clock($standby, 2),
	'the standby replays the clock view\'s runs, and its status view can be read');
is(our_processes($standby), '0', 'no matview_scheduler process on the standby');
is( status_of($standby, 'clock', q{format('%s %s', schedule, finished)}),
	'1 second f',
	'the standby\'s status view shows the replicated schedule');
is(our_processes($primary) >= 2 ? 'yes' : 'no', 'yes', 'the primary has its launcher and scheduler');

# A slow refresh running on the primary when it stops hard.
$primary->safe_psql('postgres', q{SELECT schedule_refresh('slow', '1 hour', start_at => now())});
ok(defined wait_refreshing($primary, 'slow'), 'the slow view is being refreshed on the primary');
# Later refreshes of it are quick.
$primary->safe_psql('postgres', q{UPDATE nap SET secs = 0 WHERE view = 'slow'});
my $slow_run = $primary->safe_psql('postgres',
	q{SELECT run_id FROM matview_scheduler.runs WHERE view = 'slow'::regclass AND status = 'running'});
like($slow_run, qr/^\d+$/, 'its run is recorded running');
$primary->wait_for_catchup($standby);
is( $standby->safe_psql('postgres',
		"SELECT status FROM matview_scheduler.runs WHERE run_id = $slow_run"),
	'running', 'the standby sees the run as running');
my $last_clock_run = $standby->safe_psql('postgres',
	q{SELECT max(run_id) FROM matview_scheduler.runs WHERE view = 'clock'::regclass});
$primary->stop('immediate');

$standby->promote;
ok( $standby->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'matview_scheduler scheduler'}),
	'the promoted standby starts a scheduler');
ok( $standby->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 2 FROM matview_scheduler.runs
 WHERE view = 'clock'::regclass AND run_id > $last_clock_run AND status = 'succeeded'}),
	'the new primary runs the clock view\'s schedule');
ok( $standby->poll_query_until(
		'postgres', qq{
SELECT status = 'interrupted' AND finished IS NOT NULL FROM matview_scheduler.runs
 WHERE run_id = $slow_run}),
	'the run the old primary left running is marked interrupted');
is( $standby->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs WHERE status = 'running' AND view = 'slow'::regclass}),
	'0', 'no run of the slow view is left running');

$standby->stop;
done_testing();
