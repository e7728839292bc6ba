# One scheduler per database that has the extension: a database created while the server runs is
# served without a restart, and databases without the extension keep no scheduler.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('databases');

# The databases that have a scheduler process, as a sorted list.
my $schedulers_query = q{
SELECT coalesce(string_agg(datname, ',' ORDER BY datname), '')
  FROM pg_stat_activity WHERE backend_type = 'matview_scheduler scheduler'};

my $launcher_pid = pids_of($node, 'matview_scheduler launcher');
like($launcher_pid, qr/^\d+$/, 'the launcher runs');

# No database has the extension yet.
ok($node->poll_query_until('postgres', $schedulers_query, ''),
	'no scheduler runs while no database has the extension');

# A database created after the server started.
$node->safe_psql('postgres', 'CREATE DATABASE db2');
$node->safe_psql(
	'db2', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE t (x int);
CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM t;
INSERT INTO t SELECT generate_series(1, 4);
SELECT schedule_refresh('v', '1 second');
});
ok($node->poll_query_until('db2', 'SELECT n = 4 FROM v'),
	'a view in a database created after startup is refreshed');
ok( wait_status($node, 'v', q{last_status = 'succeeded'}, 'db2'),
	'its status shows success');

# A database without the extension, created while db2 is served.
$node->safe_psql('postgres', 'CREATE DATABASE db3');
$node->safe_psql('db3',
	'CREATE TABLE t (x int); CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM t');

# Creating db3 made the launcher look at every database again; db2 is still served.
$node->safe_psql('db2', 'INSERT INTO t VALUES (5)');
ok($node->poll_query_until('db2', 'SELECT n = 5 FROM v'),
	'db2 keeps being refreshed after another database was created');
ok($node->poll_query_until('postgres', $schedulers_query, 'db2'),
	'only the database with the extension has a scheduler');

# The extension in a second database: both are served at once.
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE t (x int);
CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM t;
INSERT INTO t SELECT generate_series(1, 2);
SELECT schedule_refresh('v', '1 second');
});
ok($node->poll_query_until('postgres', 'SELECT n = 2 FROM v'),
	'a view in a second database is refreshed');
ok($node->poll_query_until('postgres', $schedulers_query, 'db2,postgres'),
	'each database with the extension has one scheduler');
$node->safe_psql('db2', 'INSERT INTO t VALUES (6)');
ok($node->poll_query_until('db2', 'SELECT n = 6 FROM v'),
	'the first database is still refreshed');
is($node->safe_psql('db3', 'SELECT n FROM v'),
	'0', 'the view in the database without the extension was never refreshed');

# Dropping the extension stops that database's scheduler, and leaves the other one alone.
$node->safe_psql('db2', 'DROP EXTENSION matview_scheduler');
ok($node->poll_query_until('postgres', $schedulers_query, 'postgres'),
	'dropping the extension stops the database\'s scheduler');
$node->safe_psql('postgres', 'INSERT INTO t VALUES (3)');
ok($node->poll_query_until('postgres', 'SELECT n = 3 FROM v'),
	'the other database is still refreshed');

# And creating it again brings the scheduler back, without a restart.
$node->safe_psql(
	'db2', q{
CREATE EXTENSION matview_scheduler;
INSERT INTO t VALUES (7);
SELECT schedule_refresh('v', '1 second');
});
ok($node->poll_query_until('db2', 'SELECT n = 7 FROM v'),
	'a database where the extension is created again is refreshed again');
ok($node->poll_query_until('postgres', $schedulers_query, 'db2,postgres'),
	'and has its scheduler again');

# A database with a running scheduler can still be dropped, as any other database can.
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'DROP DATABASE db2');
is($stderr, '', 'DROP DATABASE of a database whose scheduler is running succeeds');
is( $node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'db2'}),
	'0', 'the database is gone');
ok($ret == 0 && $node->poll_query_until('postgres', $schedulers_query, 'postgres'),
	'the dropped database has no scheduler left');
$node->safe_psql('postgres', 'INSERT INTO t VALUES (4)');
ok($node->poll_query_until('postgres', 'SELECT n = 4 FROM v'),
	'the remaining database is still refreshed');

is(pids_of($node, 'matview_scheduler launcher'),
	$launcher_pid, 'the launcher kept running throughout');

$node->stop;
done_testing();
