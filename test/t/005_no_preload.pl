# Without shared_preload_libraries: CREATE EXTENSION warns that nothing will run, the functions
# still work, and no refresh ever happens.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('no_preload');
$node->init;
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'', 'the library is not preloaded');

my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'CREATE EXTENSION matview_scheduler');
is($ret, 0, 'CREATE EXTENSION succeeds without the library preloaded');
like(
	$stderr,
	qr/WARNING:.*matview_scheduler is not in shared_preload_libraries/,
	'CREATE EXTENSION warns that the library is not preloaded');
like($stderr, qr/HINT:.*shared_preload_libraries.*restart/,
	'the warning says how to fix it');

# Nothing below can work without the extension.
if ($ret != 0)
{
	diag "CREATE EXTENSION failed:\n$stderr";
	$node->stop('immediate');
	done_testing();
	exit;
}

$node->safe_psql(
	'postgres', q{
CREATE TABLE t (x int);
CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM t;
INSERT INTO t SELECT generate_series(1, 3);
});
my $id = $node->safe_psql('postgres', q{SELECT schedule_refresh('v', '1 second')});
like($id, qr/^\d+$/, 'schedule_refresh returns a schedule id');
is( $node->safe_psql(
		'postgres', q{
SELECT schedule_id, view, schedule, next_run IS NOT NULL, last_status IS NULL
  FROM matview_scheduler.status}),
	"$id|v|1 second|t|t",
	'status lists the schedule, never run');

# Wait, by the server's clock, until the first run is two seconds overdue.
ok( wait_status($node, 'v', q{pg_catalog.clock_timestamp() > next_run + interval '2 seconds'}),
	'the first due time has passed');
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'matview_scheduler%'}),
	'0',
	'no matview_scheduler process runs');
is($node->safe_psql('postgres', 'SELECT count(*) FROM matview_scheduler.runs'),
	'0', 'no run was recorded');
is($node->safe_psql('postgres', 'SELECT n FROM v'), '0', 'the view was not refreshed');

is($node->safe_psql('postgres', q{SELECT unschedule_refresh('v')}),
	't', 'unschedule_refresh works too');
is($node->safe_psql('postgres', 'SELECT count(*) FROM matview_scheduler.status'),
	'0', 'and removes the schedule');

$node->stop;
done_testing();
