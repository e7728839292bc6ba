# While a scheduled run waits for its due time, its worker does once what REFRESH does before the
# view's query runs (the warm-up): it builds the new heap and plans and starts the query, as the
# view's owner, security-restricted, and never for a role that may not refresh the view. Then it
# rolls everything back. Shortly before each due time after that, it plans and starts the query
# once more (the final warm-up), the same way but without the new heap: that one writes nothing.
# A lock a warm-up cannot have at once is left to the REFRESH, which waits for it as it always
# does.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('query_warmup', 'log_min_messages = log');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
GRANT CREATE ON SCHEMA public TO alice;
CREATE TABLE base (x int);
INSERT INTO base VALUES (1);
GRANT SELECT ON base TO alice, bob;
-- Folded to a constant while the query is planned: every planning of a view calling it counts on
-- the sequence (which no rollback undoes) and says in the log as whom it ran, whether it was
-- restricted as REFRESH restricts it (setting the role is refused then), and whether its
-- transaction had written anything (the new heap) before.
CREATE FUNCTION count_plan(seq regclass) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE restricted bool := false;
BEGIN
  PERFORM pg_catalog.nextval(seq);
  BEGIN
    PERFORM pg_catalog.set_config('role', 'none', true);
  EXCEPTION WHEN insufficient_privilege THEN
    restricted := true;
  END;
  RAISE LOG 'query of % planned as %, restricted %, writing %', seq, current_user, restricted,
    pg_catalog.txid_current_if_assigned() IS NOT NULL;
  RETURN 1;
END $$;
});

# Creates views ok_$i and denied_$i as alice and schedules both once, due together; then gives
# denied_$i to bob, so that alice may no longer refresh it. Returns when both runs have ended.
sub attempt
{
	my ($i) = @_;
	$node->safe_psql(
		'postgres', qq{
CREATE SEQUENCE planned_ok_$i;
CREATE SEQUENCE planned_denied_$i;
GRANT USAGE ON planned_ok_$i, planned_denied_$i TO alice, bob;
SET ROLE alice;
CREATE MATERIALIZED VIEW ok_$i AS
  SELECT count_plan('planned_ok_$i') AS n, (SELECT count(*) FROM public.base) AS rows WITH NO DATA;
CREATE MATERIALIZED VIEW denied_$i AS
  SELECT count_plan('planned_denied_$i') AS n, (SELECT count(*) FROM public.base) AS rows
  WITH NO DATA;
WITH t AS (SELECT pg_catalog.now() + interval '2 seconds' AS at)
SELECT schedule_refresh('ok_$i', 'once', start_at => t.at),
       schedule_refresh('denied_$i', 'once', start_at => t.at)
  FROM t;
RESET ROLE;
ALTER MATERIALIZED VIEW denied_$i OWNER TO bob;
});
	$node->poll_query_until(
		'postgres', qq{
SELECT count(*) = 2 FROM matview_scheduler.runs
 WHERE view IN ('ok_$i'::regclass, 'denied_$i'::regclass) AND status <> 'running'})
	  or return undef;
	return {
		ok_plans => $node->safe_psql(
			'postgres', "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM planned_ok_$i"),
		denied_plans => $node->safe_psql(
			'postgres',
			"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM planned_denied_$i"),
		ok_status => status_of($node, "ok_$i", 'last_status'),
		denied_status => status_of($node, "denied_$i", 'last_sqlstate'),
	};
}

# A warm-up needs its run handed over a few milliseconds before the due time, which a busy machine
# may not manage for a new worker: the pair is tried again, with new views, until one warm-up
# shows (the REFRESH plans the query once, its warm-up once more, the final warm-up a third time).
my $warmed = 0;
my $denied_planned = 0;
my $attempts = 0;
for my $i (1 .. 8)
{
	$attempts = $i;
	my $r = attempt($i);
	ok(defined $r, "attempt $i: both runs ended") or last;
	is($r->{ok_status}, 'succeeded', "attempt $i: the view alice owns is refreshed");
	is($r->{denied_status}, '42501',
		"attempt $i: the view given to bob fails with alice's rights");
	$denied_planned += $r->{denied_plans};
	if ($r->{ok_plans} >= 2)
	{
		$warmed = 1;
		last;
	}
	is($r->{ok_plans}, '1', "attempt $i: without a warm-up, the REFRESH planned it once");
}
ok($warmed, "a run waiting for its due time planned its view's query ahead ($attempts attempts)");
is($denied_planned, 0,
	'nothing of a view its scheduling role may no longer refresh ran, not even its planning');
# The warm-up plans with the safe search_path, so the sequence's name may come out qualified.
is( log_count($node, qr/query of (?:public\.)?planned_ok_\d+ planned as (?!alice, restricted t,)/),
	0, 'every planning ran as the view\'s owner, security-restricted');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
 WHERE a.backend_type = 'matview_scheduler refresh' AND l.locktype = 'relation'
   AND l.relation = 'base'::regclass}),
	'0', 'no worker keeps a lock on what a view reads after its warm-up');

# A view refreshed every second: before its runs in a worker that has warmed it up already, the
# final warm-up plans its query in a transaction that writes nothing (the first warm-up and the
# REFRESH have built a new heap by then), as the owner, restricted.
$node->safe_psql(
	'postgres', q{
CREATE SEQUENCE planned_steady;
GRANT USAGE ON planned_steady TO alice;
SET ROLE alice;
CREATE MATERIALIZED VIEW steady AS SELECT count_plan('planned_steady') AS n WITH NO DATA;
SELECT schedule_refresh('steady', 'every 1 second');
});
ok( wait_for(
		sub {
			log_count($node,
				qr/query of (?:public\.)?planned_steady planned as alice, restricted t, writing f\n/)
			  >= 1;
		}),
	'the query of a view refreshed every second is planned once more before a run');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('steady')});
is( log_count($node, qr/query of (?:public\.)?planned_steady planned as (?!alice, restricted t,)/),
	0, 'every planning of it ran as the view\'s owner, security-restricted');

# Like REFRESH, the warm-up builds the heap the query would fill (named pg_temp_<the view's OID>
# in the view's schema); its rollback removes it.
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_class
 WHERE relnamespace = 'public'::regnamespace AND relname LIKE 'pg\_temp\_%'}),
	'0', 'nothing the warm-up built is left');

# A lock on what the view reads: the warm-up gives up at once, and the REFRESH waits for it.
$node->safe_psql(
	'postgres', q{
SET ROLE alice;
CREATE MATERIALIZED VIEW locked AS SELECT count(*) AS rows FROM public.base WITH NO DATA;
});
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN; LOCK TABLE base IN ACCESS EXCLUSIVE MODE');
$node->safe_psql('postgres',
	q{SELECT schedule_refresh('locked', 'once', start_at => pg_catalog.now() + interval '1 second')});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler refresh' AND wait_event_type = 'Lock'
   AND query = 'REFRESH MATERIALIZED VIEW public.locked'}),
	'with what it reads locked, the REFRESH itself waits for the lock');
$holder->query_safe('COMMIT');
$holder->quit;
ok(wait_status($node, 'locked', q{last_status = 'succeeded'}), 'and succeeds once it is free');
is($node->safe_psql('postgres', 'SELECT rows FROM locked'), '1', 'the view is populated');
ok(no_crash($node), 'no server process crashed');

done_testing();
