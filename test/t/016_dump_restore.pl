# pg_dump and pg_restore: the schedules and their finished runs come back pointing at the
# restored views, the restore raises no error, and no scheduled refresh runs before the restore
# has finished. Also: a change made to the schedules table outside the API functions (as a
# restore's COPY is) wakes the scheduler, and while a session named pg_restore is connected the
# refreshes of that database wait.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('dump');

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql(
	'src', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL);
INSERT INTO items SELECT g, g FROM generate_series(1, 100) g;
-- Every refresh of `totals` leaves a row here: by whom (application_name) and when.
CREATE TABLE refresh_log (app text NOT NULL, ts timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE FUNCTION note_refresh() RETURNS int LANGUAGE sql VOLATILE
    AS $$ INSERT INTO public.refresh_log (app)
          VALUES (pg_catalog.current_setting('application_name')) RETURNING 1 $$;
CREATE MATERIALIZED VIEW totals AS SELECT sum(n) AS total, note_refresh() AS noted FROM items;
CREATE UNIQUE INDEX ON totals (total);
SELECT schedule_refresh('totals', '1 second');
CREATE SCHEMA reports;
CREATE MATERIALIZED VIEW reports.daily AS SELECT count(*) AS n FROM items;
SELECT schedule_refresh('reports.daily', '0 6 * * *', timezone => 'Europe/Berlin',
                        concurrently => 'never', timeout => '5 minutes');
CREATE MATERIALIZED VIEW resting AS SELECT 1 AS x;
SELECT schedule_refresh('resting', 'every 15 minutes');
SELECT pause_refresh('resting');
-- An index that takes 2 s to build: pg_restore builds it after the schedules are in and
-- before it refreshes the views itself, which gives a due schedule time to run too early.
CREATE FUNCTION slow_key(k int) RETURNS int LANGUAGE plpgsql IMMUTABLE
    AS $$ BEGIN PERFORM pg_catalog.pg_sleep(0.5); RETURN k; END $$;
CREATE TABLE slow_rows (k int);
INSERT INTO slow_rows VALUES (1), (2), (3), (4);
CREATE INDEX ON slow_rows ((slow_key(k)));
});
ok( $node->poll_query_until(
		'src', q{
SELECT count(*) >= 3 FROM matview_scheduler.runs
 WHERE view = 'totals'::regclass AND status = 'succeeded'}),
	'totals is refreshed in the source database');

my $schedules_sql = q{
SELECT view, owner, schedule, spec, anchor, timezone, paused, concurrency, timeout, max_retries,
       retry_delay FROM matview_scheduler.schedules ORDER BY view::text};
my $runs_sql = q{
SELECT run_id, view, status FROM matview_scheduler.runs WHERE %s ORDER BY run_id};
my $dump = $node->basedir . '/src.dump';
my $dump_start = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ], 'pg_dump');
my $schedules_src = $node->safe_psql('src', $schedules_sql);

$node->safe_psql('postgres', 'CREATE DATABASE dst');
my $restore_start = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
my ($stdout, $stderr);
my $restored;
{
	# pg_restore names its sessions "pg_restore" unless PGAPPNAME says otherwise, as the test
	# harness's does.
	delete local $ENV{PGAPPNAME};
	$restored = IPC::Run::run([ 'pg_restore', '-d', $node->connstr('dst'), $dump ],
		'>', \$stdout, '2>', \$stderr);
}
ok($restored, 'pg_restore succeeds');
is($stderr, '', 'pg_restore reports no error or warning');

is($node->safe_psql('dst', $schedules_sql), $schedules_src, 'every schedule is restored');
is( $node->safe_psql(
		'dst', q{
SELECT count(*) FROM matview_scheduler.schedules s JOIN pg_class c ON c.oid = s.view
 WHERE c.relkind = 'm'}),
	'3',
	'the restored schedules point at the restored views');

# The runs restored: each one as it was in the source, every run finished before the dump among
# them, and none that was still running.
my %src_runs = map { $_ => 1 } split /\n/,
  $node->safe_psql('src', sprintf($runs_sql, q{status <> 'running'}));
my @finished_before_dump = split /\n/,
  $node->safe_psql('src', sprintf($runs_sql, qq{finished < '$dump_start'}));
my %dst_runs = map { $_ => 1 } split /\n/,
  $node->safe_psql('dst', sprintf($runs_sql, qq{started < '$restore_start'}));
ok(@finished_before_dump > 0 && !grep({ !$dst_runs{$_} } @finished_before_dump),
	'every run finished before the dump is restored');
ok(!grep({ !$src_runs{$_} } keys %dst_runs), 'each restored run is as it was in the source');
is( $node->safe_psql(
		'dst', qq{
SELECT count(*) FROM matview_scheduler.runs
 WHERE started < '$restore_start' AND status IN ('running', 'waiting')}),
	'0',
	'no run is restored as still running');

ok( $node->poll_query_until(
		'dst', qq{
SELECT count(*) >= 2 FROM refresh_log
 WHERE app LIKE 'matview_scheduler%' AND ts > '$restore_start'}),
	'the restored schedule runs in the restored database');
is( $node->safe_psql(
		'dst', qq{
SELECT min(ts) FILTER (WHERE app LIKE 'matview_scheduler%')
       > max(ts) FILTER (WHERE app = 'pg_restore')
  FROM refresh_log WHERE ts > '$restore_start'}),
	't',
	'no scheduled refresh ran before pg_restore had refreshed the view itself');
is( $node->safe_psql(
		'dst', qq{
SELECT min(run_id) FILTER (WHERE started >= '$restore_start')
       > max(run_id) FILTER (WHERE started < '$restore_start')
  FROM matview_scheduler.runs}),
	't',
	'new runs continue after the restored run ids');

# While a session named pg_restore is connected, the refreshes of its database wait; the status
# shows them waiting, and they run once it has gone. One log line each way.
my $log_offset = -s $node->logfile;
my $session;
{
	local $ENV{PGAPPNAME} = 'pg_restore';
	$session = $node->background_psql('dst');
}
$session->query_safe('SELECT 1');
ok( wait_status($node, 'totals', q{waiting}, 'dst'),
	'with pg_restore connected, the due refresh waits');
my $held_runs = status_of($node, 'totals', q{runs_total}, 'dst');
ok( wait_status($node, 'totals', q{waiting_since < now() - interval '2 seconds'}, 'dst'),
	'it keeps waiting');
is( status_of($node, 'totals', q{runs_total}, 'dst'),
	$held_runs,
	'and does not run meanwhile');
$session->quit;
ok( wait_status($node, 'totals', qq{runs_total > $held_runs AND NOT waiting}, 'dst'),
	'once pg_restore has gone, it runs');
is(log_count($node, qr/pg_restore \(PID \d+\) is connected to database "dst"/, $log_offset),
	1, 'one log line when the refreshes start waiting');
is(log_count($node, qr/no pg_restore is connected to database "dst" any more/, $log_offset),
	1, 'one log line when they run again');

# A change written straight into the schedules table wakes an idle scheduler: nothing else is
# due for hours, and the row's new next_run is now. Also under session_replication_role =
# replica, as pg_restore --disable-triggers sets it.
$node->safe_psql('dst', q{SELECT pause_refresh('totals')});
for my $role ('origin', 'replica')
{
	my $before = status_of($node, 'reports.daily', q{runs_total}, 'dst');
	$node->safe_psql(
		'dst', qq{
SET session_replication_role = $role;
UPDATE matview_scheduler.schedules SET next_run = now() WHERE view = 'reports.daily'::regclass});
	ok( wait_status($node, 'reports.daily', qq{runs_total > $before}, 'dst'),
		"an UPDATE of next_run wakes the scheduler (session_replication_role = $role)");
}

# A database's owner who is not a superuser dumps it with a plain pg_dump (no extra options):
# the catalog's tables and sequences are readable by the database owner, without row security.
# The dump restores the schedules and finished runs.
$node->safe_psql(
	'postgres', q{
CREATE ROLE app_owner LOGIN;
CREATE DATABASE app OWNER app_owner;
});
$node->safe_psql('app', 'CREATE EXTENSION matview_scheduler');
my $as_owner = $node->connstr('app') . ' user=app_owner';
$node->safe_psql(
	'app', q{
CREATE TABLE orders (id int PRIMARY KEY, amount int NOT NULL);
INSERT INTO orders SELECT g, g FROM generate_series(1, 10) g;
CREATE MATERIALIZED VIEW order_totals AS SELECT sum(amount) AS total FROM orders;
SELECT schedule_refresh('order_totals', 'daily', timezone => 'Europe/Berlin', notify => true);
SELECT refresh_now('order_totals', wait => true) > 0;
},
	connstr => $as_owner);
my $owner_dump = $node->basedir . '/app.sql';
$node->command_ok([ 'pg_dump', '-f', $owner_dump, '-d', $as_owner ],
	'a plain pg_dump by the database owner, not a superuser, succeeds');
$node->safe_psql('postgres', 'CREATE DATABASE app_copy OWNER app_owner');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $owner_dump, '-d', $node->connstr('app_copy') ],
	'the dump restores');
my $owner_sql = q{
SELECT view, owner, schedule, timezone, notify, runs_total FROM matview_scheduler.status;
SELECT view, status, manual FROM matview_scheduler.runs ORDER BY run_id;};
is($node->safe_psql('app_copy', $owner_sql), $node->safe_psql('app', $owner_sql),
	'with its schedules and runs');

# A dump of a database still on catalog 0.2 (before the run history became run_history behind the
# view matview_scheduler.runs) restores into the current version, runs included.
$node->safe_psql('postgres', 'CREATE DATABASE old_catalog');
$node->safe_psql(
	'old_catalog', q{
CREATE EXTENSION matview_scheduler VERSION '0.2';
CREATE MATERIALIZED VIEW kept AS SELECT 1 AS x;
SELECT schedule_refresh('kept', 'daily', timezone => 'UTC');
-- A finished run, written as a worker would.
INSERT INTO matview_scheduler.runs (schedule_id, view, scheduled_for, started, finished, status,
                                    mode, sqlstate, message)
SELECT id, view, now(), now(), now(), 'failed', 'plain', '22012', 'division by zero'
  FROM matview_scheduler.schedules;
});
my $old_dump = $node->basedir . '/old_catalog.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $old_dump, '-d', $node->connstr('old_catalog') ],
	'pg_dump of a 0.2 catalog');
$node->safe_psql('postgres', 'CREATE DATABASE new_catalog');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('new_catalog'), $old_dump ],
	'restores into the current version');
my $old_sql = q{
SELECT view, schedule, timezone, runs_total FROM matview_scheduler.status;
SELECT run_id, view, status, mode, sqlstate, message FROM matview_scheduler.runs ORDER BY run_id;};
is($node->safe_psql('new_catalog', $old_sql), $node->safe_psql('old_catalog', $old_sql),
	'with its schedules and runs');
is($node->safe_psql('new_catalog',
		q{SELECT extversion FROM pg_extension WHERE extname = 'matview_scheduler'}),
	'0.5', 'on catalog 0.5');

$node->stop;
done_testing();
