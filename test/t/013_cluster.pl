# Cluster-level changes under running schedules: DROP DATABASE and ALTER DATABASE ... RENAME are
# not blocked by our processes, and a schedule whose owner loses its rights or is dropped fails
# cleanly while other schedules carry on.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

# Several databases, each with a scheduler and its warm refresh workers: room for them all.
my $node = new_node('cluster', 'max_worker_processes = 32');

# A database with the extension and a clock view refreshed every second.
sub database_with_clock
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION matview_scheduler');
	clock_view($node, $db);
}

# A query: whether $n schedulers are connected to $db.
sub schedulers_in
{
	my ($db, $n) = @_;
	return qq{
SELECT count(*) = $n FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler scheduler' AND datname = '$db'};
}

# Runs a statement and returns how long it took, in seconds; fails the test if it fails.
sub timed
{
	my ($db, $sql) = @_;
	my $t0 = time();
	my ($ret, $stdout, $stderr) = $node->psql($db, $sql);
	is($ret, 0, "$sql: succeeds") or diag($stderr);
	return time() - $t0;
}

# ---------------------------------------------------------------------------------------------
# DROP DATABASE (without FORCE) and ALTER DATABASE ... RENAME, with a schedule running.
database_with_clock('doomed');
ok(wait_clock($node, 2, 'doomed'), 'the database to drop has its clock refreshed');
ok( $node->poll_query_until('postgres', schedulers_in('doomed', 1)),
	'and a scheduler connected to it');
my $took = timed('postgres', 'DROP DATABASE doomed');
cmp_ok($took, '<', 4, 'DROP DATABASE is not held up by the scheduler or its workers');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'doomed'}),
	'0', 'the database is gone');

database_with_clock('oldname');
ok(wait_clock($node, 2, 'oldname'), 'the database to rename has its clock refreshed');
$took = timed('postgres', 'ALTER DATABASE oldname RENAME TO newname');
cmp_ok($took, '<', 4, 'ALTER DATABASE ... RENAME is not held up by the scheduler or its workers');
ok( $node->poll_query_until('postgres', schedulers_in('newname', 1)),
	'the renamed database has a scheduler again');
ok(wait_clock($node, 2, 'newname'), 'its schedule keeps running under the new name');

# ---------------------------------------------------------------------------------------------
# Owners losing their rights, or dropped.
$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
clock_view($node);
$node->safe_psql(
	'postgres', q{
CREATE TABLE base (x int);
INSERT INTO base VALUES (1);
CREATE ROLE alice;
CREATE ROLE bob;
CREATE ROLE dave;
CREATE ROLE carol;
GRANT CREATE ON SCHEMA public TO alice, dave, carol;
GRANT SELECT ON base TO alice, dave, carol;
SET ROLE alice;
CREATE MATERIALIZED VIEW av AS SELECT x FROM base;
SELECT schedule_refresh('av', '1 second', retry_delay => '1 second');
SET ROLE dave;
CREATE MATERIALIZED VIEW dv AS SELECT x FROM base;
SELECT schedule_refresh('dv', '1 second', retry_delay => '1 second');
SET ROLE carol;
CREATE MATERIALIZED VIEW cv AS SELECT x FROM base;
SELECT schedule_refresh('cv', '1 second', retry_delay => '1 second');
RESET ROLE;
});

# Waits until $view's last run has the given status (and SQLSTATE), and returns its error.
sub wait_last_status
{
	my ($view, $status, $sqlstate) = @_;
	my $cond = defined $sqlstate ? " AND last_sqlstate = '$sqlstate'" : '';
	wait_status($node, $view, "last_status = '$status'$cond") or return undef;
	return status_of($node, $view, q{coalesce(last_error, '')});
}

ok(defined wait_last_status('av', 'succeeded'), 'alice\'s view is refreshed');
ok(defined wait_last_status('dv', 'succeeded'), 'dave\'s view is refreshed');
ok(defined wait_last_status('cv', 'succeeded'), 'carol\'s view is refreshed');

$node->safe_psql('postgres', 'REVOKE SELECT ON base FROM alice');
like(wait_last_status('av', 'failed', '42501'), qr/permission denied for table base/,
	'after REVOKE, alice\'s refreshes fail with the permission error');
ok(wait_clock($node, 2), 'the clock keeps running');
$node->safe_psql('postgres', 'GRANT SELECT ON base TO alice');
ok(defined wait_last_status('av', 'succeeded'), 'after GRANT, alice\'s view is refreshed again');

$node->safe_psql('postgres', 'ALTER MATERIALIZED VIEW av OWNER TO bob');
my $denied = refresh_denied($node, 'av');
like(wait_last_status('av', 'failed', '42501'), qr/\Q$denied\E/,
	'once alice no longer owns the view, her schedule fails: she may not refresh it');
ok(wait_clock($node, 2), 'the clock keeps running');

# DROP OWNED takes dave's view, and its schedule with it; then dave can be dropped.
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'DROP OWNED BY dave; DROP ROLE dave');
is($ret, 0, 'DROP OWNED BY and DROP ROLE succeed') or diag($stderr);
like($stderr, qr/the refresh schedule of public\.dv was removed with it/,
	'DROP OWNED says the schedule went with the view');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM matview_scheduler.schedules WHERE owner::text NOT IN (SELECT rolname FROM pg_roles)}),
	'0', 'no schedule is left with a dropped owner');
ok(wait_clock($node, 2), 'the clock keeps running');
ok(defined wait_last_status('clock', 'succeeded'), 'and succeeds');

# REASSIGN OWNED hands carol's view and her schedule to bob; carol can then be dropped, and the
# schedule runs as bob.
$node->safe_psql('postgres', 'GRANT SELECT ON base TO bob');
($ret, $stdout, $stderr) = $node->psql('postgres',
	'REASSIGN OWNED BY carol TO bob; DROP OWNED BY carol; DROP ROLE carol');
is($ret, 0, 'REASSIGN OWNED, DROP OWNED and DROP ROLE succeed') or diag($stderr);
like($stderr, qr/1 refresh schedule\(s\) now run as bob/, 'REASSIGN OWNED says the schedule moved');
is(status_of($node, 'cv', q{owner}),
	'bob', 'the schedule now belongs to bob');
my $last_cv = $node->safe_psql('postgres',
	q{SELECT max(run_id) FROM matview_scheduler.runs WHERE view = 'cv'::regclass});
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 2 AND bool_and(status = 'succeeded') FROM matview_scheduler.runs
 WHERE view = 'cv'::regclass AND run_id > $last_cv AND status <> 'running'}),
	'and its runs, now as bob, succeed');

# A role that owns no object can be dropped while it has a schedule: each run then fails with a
# message that says why, and the others carry on.
$node->safe_psql(
	'postgres', q{
CREATE ROLE erin;
GRANT bob TO erin;
SET ROLE erin;
SELECT schedule_refresh('cv', '1 second');
RESET ROLE;
DROP ROLE erin;
});
$last_cv = $node->safe_psql('postgres',
	q{SELECT max(run_id) FROM matview_scheduler.runs WHERE view = 'cv'::regclass});
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 2 FROM matview_scheduler.runs
 WHERE view = 'cv'::regclass AND run_id > $last_cv AND status <> 'running'}),
	'the schedule of a dropped role still runs');
is( $node->safe_psql(
		'postgres', qq{
SELECT string_agg(DISTINCT status || ' ' || sqlstate, ',') FROM matview_scheduler.runs
 WHERE view = 'cv'::regclass AND run_id > $last_cv AND status <> 'running'}),
	'failed 42704',
	'and each of its runs fails, recorded');
like( status_of($node, 'cv', q{last_error}),
	qr/role that scheduled the refresh of public\.cv .* no longer exists/,
	'saying that the role that scheduled it is gone');
is( status_of($node, 'cv', q{last_status}),
	'failed', 'status shows it failed');
ok(wait_clock($node, 2), 'the clock keeps running');
ok(defined wait_last_status('clock', 'succeeded'), 'and succeeds');

# ---------------------------------------------------------------------------------------------
# Databases that refuse connections, and templates, lose their scheduler at once; and a database
# with a scheduler can be the template of CREATE DATABASE.
database_with_clock('closing');
ok($node->poll_query_until('postgres', schedulers_in('closing', 1)), 'a scheduler in closing');
$node->safe_psql('postgres', 'ALTER DATABASE closing ALLOW_CONNECTIONS false');
$took = time();
ok($node->poll_query_until('postgres', schedulers_in('closing', 0)),
	'no scheduler once it refuses connections');
cmp_ok(time() - $took, '<', 10, 'at once, not at the next periodic look');

database_with_clock('source');
ok($node->poll_query_until('postgres', schedulers_in('source', 1)), 'a scheduler in source');
$took = timed('postgres', 'CREATE DATABASE copied TEMPLATE source');
cmp_ok($took, '<', 8, 'CREATE DATABASE ... TEMPLATE is not held up by the scheduler');
ok($node->poll_query_until('postgres', schedulers_in('source', 1)),
	'the source database has its scheduler back');
ok($node->poll_query_until('postgres', schedulers_in('copied', 1)),
	'and the copy, which has the extension, gets one');

$node->safe_psql('postgres', 'ALTER DATABASE source IS_TEMPLATE true');
ok($node->poll_query_until('postgres', schedulers_in('source', 0)),
	'no scheduler once it is a template');

$node->stop;
done_testing();
