# Places are shared fairly: a place that frees wakes the scheduler at once, a role with many busy
# schedules cannot starve another role's schedule, one role cannot hold every place, and
# refresh_now() runs of one role (which hold a background worker slot while they wait) are bounded.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('fair', 'matview_scheduler.max_workers = 2',
	'matview_scheduler.max_workers_per_role = 2', 'max_worker_processes = 24');
$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
nap_table($node);

# 1. Two refresh_now() runs hold both places; a view due meanwhile starts when they end, without
# any other event to wake the scheduler.
slow_view($node, 'm1', 3);
slow_view($node, 'm2', 3);
$node->safe_psql('postgres', q{
CREATE MATERIALIZED VIEW later AS SELECT 1 AS x;
SELECT refresh_now('m1'), refresh_now('m2');
});
ok(defined wait_refreshing($node, 'm1') && defined wait_refreshing($node, 'm2'),
	'two refresh_now() runs hold both places');
$node->safe_psql('postgres',
	q{SELECT schedule_refresh('later', 'once', start_at => now() + interval '1 second')});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM matview_scheduler.runs WHERE view = 'later'::regclass AND status = 'succeeded'}),
	'the scheduled run starts once a place is free');
is( $node->safe_psql(
		'postgres', q{
SELECT l.started >= min(m.finished)
  FROM matview_scheduler.runs l, matview_scheduler.runs m
 WHERE l.view = 'later'::regclass AND m.view IN ('m1'::regclass, 'm2'::regclass)
 GROUP BY l.started}),
	't',
	'after one of the refresh_now() runs had ended');

# 2. Starvation: a role with 40 views every second, each refresh taking half a second, against
# another role's view every 5 seconds. With 4 places, 3 at most for one role.
$node->append_conf('postgresql.conf',
	"matview_scheduler.max_workers = 4\nmatview_scheduler.max_workers_per_role = -1");
$node->reload;
$node->safe_psql(
	'postgres', q{
CREATE ROLE heavy;
CREATE ROLE victim;
GRANT SELECT ON nap TO heavy, victim;
DO $$
BEGIN
    FOR i IN 1..40 LOOP
        INSERT INTO nap VALUES ('h' || i, 0.5);
        EXECUTE format('CREATE MATERIALIZED VIEW h%s AS SELECT nap_for(''h%s'') AS x WITH NO DATA', i, i);
        EXECUTE format('ALTER MATERIALIZED VIEW h%s OWNER TO heavy', i);
    END LOOP;
END $$;
CREATE MATERIALIZED VIEW quick AS SELECT pg_catalog.now() AS t;
ALTER MATERIALIZED VIEW quick OWNER TO victim;
SET ROLE heavy;
SELECT count(schedule_refresh(c.oid::regclass, '1 second'))
  FROM pg_class c WHERE c.relkind = 'm' AND c.relname LIKE 'h%';
SET ROLE victim;
SELECT schedule_refresh('quick', '5 seconds');
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) >= 4 FROM matview_scheduler.runs WHERE view = 'quick'::regclass AND status = 'succeeded'}),
	"the other role's view is refreshed");
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FILTER (WHERE started - scheduled_for >= interval '5 seconds')
  FROM matview_scheduler.runs WHERE view = 'quick'::regclass}),
	'0',
	'each of its runs started within one period of its due time');
is(status_of($node, 'quick', q{skipped_total}),
	'0', 'none of its due times was skipped');
cmp_ok(
	$node->safe_psql(
		'postgres', q{
SELECT max(n) FROM (
  SELECT count(*) AS n FROM matview_scheduler.runs a JOIN matview_scheduler.runs b
      ON b.started <= a.started AND (b.finished IS NULL OR b.finished > a.started)
   WHERE a.view::text LIKE 'h%' AND b.view::text LIKE 'h%'
     -- A run queued behind another is 'waiting' (since `started`) until it starts.
     AND a.status <> 'waiting' AND b.status <> 'waiting' GROUP BY a.run_id) o}),
	'<=', 3,
	'the busy role never ran more than 3 refreshes at once');
$node->safe_psql(
	'postgres', q{
SELECT count(unschedule_refresh(c.oid::regclass)) FROM pg_class c
 WHERE c.relkind = 'm' AND c.relname LIKE 'h%';
});

# 3. refresh_now(): one role's runs, waiting ones too, are bounded (each holds a background worker
# slot); another role's still start.
$node->safe_psql('postgres', q{UPDATE nap SET secs = 3 WHERE view IN ('h1', 'h2', 'h3', 'h4')});
$node->safe_psql('postgres', q{SET ROLE heavy; SELECT refresh_now('h1'), refresh_now('h2'), refresh_now('h3')});
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', q{SET ROLE heavy; SELECT refresh_now('h4')});
like($stderr, qr/ERROR:  role "heavy" has 3 refresh_now\(\) refreshes running or waiting/,
	'a fourth refresh_now() of the role is refused');
($ret, $stdout, $stderr) = $node->psql('postgres',
	q{SET ROLE heavy; SELECT refresh_now('h4')}, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($stderr, qr/53400/, 'with SQLSTATE 53400');
is( $node->safe_psql(
		'postgres', q{SET ROLE victim; SELECT refresh_now('quick', wait => true) > 0}),
	't',
	"another role's refresh_now() runs meanwhile");
cmp_ok(
	$node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler refresh' AND application_name LIKE '%.h%'}),
	'<=', 3,
	'the role holds at most 3 refresh workers');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 0 FROM matview_scheduler.runs WHERE status IN ('running', 'waiting')}),
	'its runs end');
is($node->safe_psql('postgres', q{SET ROLE heavy; SELECT refresh_now('h4', wait => true) > 0}),
	't', 'and then it may start another');

# 4. A role at its limit waits, and the scheduler still wakes on time for another role's schedule:
# three long refreshes of the busy role hold its places and a fourth of its views is due.
$node->safe_psql(
	'postgres', q{
UPDATE nap SET secs = 60 WHERE view IN ('h5', 'h6', 'h7', 'h8');
CREATE MATERIALIZED VIEW quick2 AS SELECT pg_catalog.now() AS t;
ALTER MATERIALIZED VIEW quick2 OWNER TO victim;
SET ROLE heavy;
SELECT schedule_refresh(v, 'once', start_at => now())
  FROM unnest(ARRAY['h5', 'h6', 'h7', 'h8']::regclass[]) v;
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 3 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler refresh' AND wait_event = 'PgSleep'}),
	'the busy role holds its three places with long refreshes');
is( $node->safe_psql(
		'postgres', q{SELECT count(*) FROM matview_scheduler.status WHERE waiting}),
	'1', 'and its fourth due view waits');
$node->safe_psql('postgres',
	q{SET ROLE victim; SELECT schedule_refresh('quick2', 'once', start_at => now() + interval '2 seconds')});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM matview_scheduler.runs WHERE view = 'quick2'::regclass AND status = 'succeeded'}),
	"the other role's view due 2 seconds later is refreshed");
is( $node->safe_psql(
		'postgres', q{
SELECT started - scheduled_for < interval '10 seconds' FROM matview_scheduler.runs
 WHERE view = 'quick2'::regclass}),
	't',
	'on time, not when one of the long refreshes ends');

$node->stop;
done_testing();
