# pg_upgrade from an older major (OLD_PG_INSTALL, PostgreSQL 15 in scripts/test.sh) to the one under
# test: every schedule and every recorded run comes through as it was, neither server that
# pg_upgrade starts refreshes anything, and the scheduler carries on in the upgraded cluster, with
# a non-superuser's schedule still running as that role. scripts/test.sh runs it in the 18 root.
#   OLD_PG_INSTALL  the old installation (bin/ and lib/), with matview_scheduler installed
#   OLD_PG_LIBS     optional: a directory of libraries its binaries need that this system lacks
use strict;
use warnings;

use FindBin;
use lib "$FindBin::RealBin/../t";
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $old_install = $ENV{OLD_PG_INSTALL}
  or BAIL_OUT('OLD_PG_INSTALL must name the installation to upgrade from');
$ENV{LD_LIBRARY_PATH} = join(':', grep { defined && length } $ENV{OLD_PG_LIBS}, $ENV{LD_LIBRARY_PATH});

my $preload = "shared_preload_libraries = 'matview_scheduler'";

# The old cluster, its binaries' JIT off (its LLVM need not exist here).
my $old = PostgreSQL::Test::Cluster->new('old', install_path => $old_install);
$old->init(force_initdb => 1);
$old->append_conf('postgresql.conf', "$preload\njit = off");
$old->start;
my $old_major = $old->pg_version->major;

# ticker writes the wall-clock time of each of its refreshes into ticks; fragile fails (22012);
# resting is paused; the reporter role owns and schedules sales.
$old->safe_psql(
	'postgres', q{
CREATE ROLE reporter LOGIN;
GRANT CREATE ON SCHEMA public TO reporter;
CREATE EXTENSION matview_scheduler;
CREATE TABLE ticks (at timestamptz NOT NULL);
CREATE FUNCTION tick() RETURNS int LANGUAGE sql
    AS $$ INSERT INTO public.ticks VALUES (pg_catalog.clock_timestamp()) RETURNING 1 $$;
CREATE MATERIALIZED VIEW ticker AS SELECT public.tick() AS x WITH NO DATA;
SELECT schedule_refresh('ticker', '1 second');
CREATE TABLE flag (broken boolean NOT NULL);
INSERT INTO flag VALUES (true);
CREATE MATERIALIZED VIEW fragile AS
    SELECT 1 / (CASE WHEN broken THEN 0 ELSE 1 END) AS x FROM flag WITH NO DATA;
SELECT schedule_refresh('fragile', '1 second', max_retries => 0);
CREATE MATERIALIZED VIEW resting AS SELECT 1 AS x;
SELECT schedule_refresh('resting', '0 6 * * mon-fri', timezone => 'Europe/Berlin');
SELECT pause_refresh('resting');
SET ROLE reporter;
CREATE TABLE sales (amount int NOT NULL);
INSERT INTO sales VALUES (1), (2);
CREATE MATERIALIZED VIEW sales_total AS SELECT sum(amount) AS total FROM sales;
CREATE UNIQUE INDEX ON sales_total (total);
SELECT schedule_refresh('sales_total', '2 seconds', concurrently => 'always');
});

my $succeeded = q{
SELECT count(*) >= %d FROM matview_scheduler.runs WHERE view = '%s'::regclass AND status = 'succeeded'};
ok($old->poll_query_until('postgres', sprintf($succeeded, 3, 'ticker')),
	"the scheduler refreshes on $old_major");
ok($old->poll_query_until('postgres', sprintf($succeeded, 1, 'sales_total')),
	"the reporter's schedule runs on $old_major");
ok( $old->poll_query_until(
		'postgres', q{
SELECT count(*) >= 1 FROM matview_scheduler.runs
 WHERE view = 'fragile'::regclass AND status = 'failed' AND sqlstate = '22012'}),
	"a failure is recorded on $old_major");

# Runs that have ended do not change any more: compared one by one after the upgrade.
my $schedules_before = kept_schedules($old);
my $settled = settled_runs($old);
my $runs_before = kept_runs($old, $settled);
my $version_before = $old->safe_psql('postgres',
	q{SELECT extversion FROM pg_extension WHERE extname = 'matview_scheduler'});
$old->stop;
my $upgrade_began = Time::HiRes::time();

my $new = PostgreSQL::Test::Cluster->new('new');
my $new_major = $new->pg_version->major;
# initdb turns data checksums on from 18; the old cluster has none.
$new->init(force_initdb => 1, $new_major >= 18 ? (no_data_checksums => 1) : ());
$new->append_conf('postgresql.conf', $preload);

# pg_upgrade writes its reports where it runs.
chdir ${PostgreSQL::Test::Utils::tmp_check};
command_ok(
	[
		'pg_upgrade', '--no-sync',
		'--old-datadir' => $old->data_dir,
		'--new-datadir' => $new->data_dir,
		'--old-bindir' => "$old_install/bin",
		'--new-bindir' => $new->config_data('--bindir'),
		'--socketdir' => $new->host,
		'--old-port' => $old->port,
		'--new-port' => $new->port,
		'--copy'
	],
	"pg_upgrade from $old_major to $new_major");
my $upgrade_ended = Time::HiRes::time();
$new->start;

is($new->safe_psql('postgres', 'SHOW server_version_num') =~ /^$new_major/ ? 1 : 0,
	1, "the upgraded cluster runs $new_major");
is($new->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'matview_scheduler'}),
	$version_before, 'the extension keeps its version');
is(kept_schedules($new), $schedules_before, 'every schedule is kept as it was');
is(kept_runs($new, $settled), $runs_before, 'every recorded run is kept as it was');

# The servers pg_upgrade starts (the old one to check and dump it, the new one to restore into it)
# must not run the scheduler: a refresh there would race pg_upgrade's own work.
is( $new->safe_psql(
		'postgres', qq{
SELECT count(*) FROM ticks
 WHERE at > pg_catalog.to_timestamp($upgrade_began) AND at < pg_catalog.to_timestamp($upgrade_ended)}),
	'0',
	'nothing was refreshed while pg_upgrade ran');
is( $new->safe_psql(
		'postgres', qq{
SELECT count(*) FROM matview_scheduler.runs
 WHERE started > pg_catalog.to_timestamp($upgrade_began)
   AND started < pg_catalog.to_timestamp($upgrade_ended)}),
	'0',
	'no run was recorded while pg_upgrade ran');

my $last_run = $new->safe_psql('postgres', 'SELECT max(run_id) FROM matview_scheduler.runs');
my $succeeded_after = q{
SELECT count(*) >= %d FROM matview_scheduler.runs
 WHERE view = '%s'::regclass AND status = 'succeeded' AND run_id > } . $last_run;
ok($new->poll_query_until('postgres', sprintf($succeeded_after, 3, 'ticker')),
	"the scheduler refreshes on $new_major");
ok($new->poll_query_until('postgres', sprintf($succeeded_after, 1, 'sales_total')),
	"the reporter's schedule runs on $new_major");
is( $new->safe_psql(
		'postgres', qq{
SELECT DISTINCT mode FROM matview_scheduler.runs
 WHERE view = 'sales_total'::regclass AND status = 'succeeded' AND run_id > $last_run}),
	'concurrent',
	'and refreshes concurrently, as scheduled');
ok( $new->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 1 FROM matview_scheduler.runs
 WHERE view = 'fragile'::regclass AND status = 'failed' AND sqlstate = '22012' AND run_id > $last_run}),
	"failures are recorded on $new_major");
is( $new->safe_psql(
		'postgres', q{
SELECT paused || ':' || (SELECT count(*) FROM matview_scheduler.runs WHERE view = 'resting'::regclass)
  FROM matview_scheduler.status WHERE view = 'resting'::regclass}),
	'true:0',
	'the paused schedule is still paused');

# The upgraded catalog has what a fresh CREATE EXTENSION of the same version makes.
$new->safe_psql('postgres', 'CREATE DATABASE fresh');
$new->safe_psql('fresh', qq{CREATE EXTENSION matview_scheduler VERSION '$version_before'});
my $shape_sql = q{
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'matview_scheduler'
 ORDER BY c.relname, a.attnum};
is($new->safe_psql('postgres', $shape_sql), $new->safe_psql('fresh', $shape_sql),
	'the catalog has the shape of a fresh one');

$new->stop;
done_testing();
