# The upgrade path: a database on version 0.1 keeps its schedules and run history through
# ALTER EXTENSION matview_scheduler UPDATE, its scheduler runs before, during and after, and the
# updated catalog is the same as the one a fresh CREATE EXTENSION makes.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('upgrade');

is( $node->safe_psql(
		'postgres',
		q{SELECT default_version FROM pg_available_extensions WHERE name = 'matview_scheduler'}),
	'0.5',
	'the default version is 0.5');
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(source || '->' || target, ',' ORDER BY source, target)
  FROM pg_extension_update_paths('matview_scheduler') WHERE path IS NOT NULL}),
	'0.1->0.2,0.1->0.3,0.1->0.4,0.1->0.5,0.2->0.3,0.2->0.4,0.2->0.5,0.3->0.4,0.3->0.5,0.4->0.5',
	'every version updates to each later one');

# Version 0.1, with a schedule that succeeds, one that fails, and a paused one.
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler VERSION '0.1';
CREATE TABLE flag (broken boolean NOT NULL);
INSERT INTO flag VALUES (true);
CREATE MATERIALIZED VIEW fragile AS
    SELECT 1 / (CASE WHEN broken THEN 0 ELSE 1 END) AS x FROM flag WITH NO DATA;
SELECT schedule_refresh('fragile', '1 second', max_retries => 0);
CREATE MATERIALIZED VIEW resting AS SELECT 1 AS x;
SELECT schedule_refresh('resting', 'daily', timezone => 'Europe/Berlin');
SELECT pause_refresh('resting');
});
clock_view($node);
is($node->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'matview_scheduler'}),
	'0.1', 'installed as 0.1');
ok(wait_clock($node, 2), 'the scheduler runs the schedules of a 0.1 catalog');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) >= 1 FROM matview_scheduler.runs
 WHERE view = 'fragile'::regclass AND status = 'failed' AND sqlstate = '22012'}),
	'a failure is recorded under 0.1');

# The runs settled before the update are compared again by id after it.
my $schedules_before = kept_schedules($node);
my $settled = settled_runs($node);
my $runs_before = kept_runs($node, $settled);
my $scheduler_pid = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'matview_scheduler scheduler'});

$node->safe_psql('postgres', 'ALTER EXTENSION matview_scheduler UPDATE');
is($node->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'matview_scheduler'}),
	'0.5', 'updated to 0.5');
is(kept_schedules($node), $schedules_before, 'every schedule is kept as it was');
is(kept_runs($node, $settled), $runs_before, 'every recorded run is kept as it was');
ok(wait_clock($node, 2), 'the scheduler runs the schedules after the update');
is( $node->safe_psql(
		'postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'matview_scheduler scheduler'}),
	$scheduler_pid,
	'the same scheduler process carried on through the update');
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(view::text || ':' || paused || ':' || waiting || ':' || notify, ','
                  ORDER BY view::text)
  FROM matview_scheduler.status}),
	'clock:false:false:false,fragile:false:false:false,resting:true:false:false',
	'the status view has the new waiting and notify columns');

# A fresh CREATE EXTENSION makes the same catalog as the update did.
my $catalog_sql = q{
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'matview_scheduler'::regnamespace
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'matview_scheduler'::regnamespace
UNION ALL
SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index
 WHERE indrelid::regclass::text LIKE 'matview_scheduler.%'
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger
 WHERE tgrelid = 'matview_scheduler.schedules'::regclass AND NOT tgisinternal
UNION ALL
SELECT 'function ' || oid::regprocedure::text || ' ' || pg_get_function_result(oid)
  FROM pg_proc WHERE pronamespace IN ('matview_scheduler'::regnamespace, 'public'::regnamespace)
UNION ALL
SELECT 'view ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid)
       || ' ' || coalesce(array_to_string(c.reloptions, ','), '')
  FROM pg_class c WHERE c.relnamespace = 'matview_scheduler'::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT 'acl ' || c.oid::regclass || ' ' || c.relrowsecurity || ' '
       || coalesce(array_to_string(c.relacl, ','), '')
  FROM pg_class c WHERE c.relnamespace = 'matview_scheduler'::regnamespace
UNION ALL
SELECT 'policy ' || polname FROM pg_policy
 WHERE polrelid::regclass::text LIKE 'matview_scheduler.%'
UNION ALL
SELECT 'event trigger ' || evtname || ' ' || evtevent || ' ' || coalesce(evttags::text, 'all')
  FROM pg_event_trigger
UNION ALL
SELECT 'dumped ' || unnest(extconfig)::regclass || ' ' || unnest(extcondition)
  FROM pg_extension WHERE extname = 'matview_scheduler'
ORDER BY 1};
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION matview_scheduler');
my $updated = $node->safe_psql('postgres', $catalog_sql);
like($updated, qr/^trigger CREATE TRIGGER wake_scheduler AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE/m,
	'the update added the trigger');
like($updated, qr/^view matview_scheduler\.dependencies /m, 'the update added the dependencies view');
like($updated, qr/^column schedules\.only_if_changed boolean not null default false$/m,
	'the update added only_if_changed');
like($updated, qr/^column schedules\.min_interval interval$/m, 'the update added min_interval');
like($updated, qr/^function schedule_refresh\(.*,boolean,boolean,interval\) bigint$/m,
	'schedule_refresh takes only_if_changed and min_interval');
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(view || ':' || source || ':' || tracked, ',' ORDER BY view::text)
  FROM matview_scheduler.dependencies}),
	'fragile:flag:true',
	'the dependencies view reads the catalog after the update');
is($node->safe_psql('fresh', $catalog_sql), $updated,
	'a fresh installation has the same catalog as an updated one');

$node->stop;
done_testing();
