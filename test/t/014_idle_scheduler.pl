# With nothing due, the scheduler sleeps: it does not wake on a tick, also when a paused schedule's
# due time has passed.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('idle');

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE MATERIALIZED VIEW v AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW later AS SELECT 1 AS one;
SELECT schedule_refresh('v', '1 second');
SELECT schedule_refresh('later', '1 hour');
});
ok( $node->poll_query_until(
		'postgres', q{SELECT count(*) >= 1 FROM matview_scheduler.runs WHERE status = 'succeeded'}),
	'the view is refreshed');
$node->safe_psql('postgres', q{SELECT pause_refresh('v')});
ok( wait_status($node, 'v', q{next_run < clock_timestamp() - interval '1 second'}),
	'the paused schedule\'s due time has passed');
ok( $node->poll_query_until(
		'postgres', q{SELECT count(*) = 0 FROM matview_scheduler.runs WHERE status = 'running'}),
	'nothing is running');

my $pid = pids_of($node, 'matview_scheduler scheduler');
sub wakeups
{
	open(my $fh, '<', "/proc/$pid/status") or die "no /proc/$pid/status: $!";
	my ($n) = map { /^voluntary_ctxt_switches:\s+(\d+)/ ? $1 : () } <$fh>;
	close $fh;
	return $n;
}
my $before = wakeups();
my $since = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
ok( $node->poll_query_until(
		'postgres', qq{SELECT clock_timestamp() > '$since'::timestamptz + interval '3 seconds'}),
	'three seconds pass');
cmp_ok(wakeups() - $before, '<=', 1, 'the scheduler slept through them');

$node->stop;
done_testing();
