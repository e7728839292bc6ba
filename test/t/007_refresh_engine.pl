# How each refresh runs: in worker processes beside the scheduler (a long refresh delays no other
# view), one at a time per view, CONCURRENTLY when 'auto' can, without blocking readers. A running
# refresh is visible in pg_stat_activity. Timeouts: 023_refresh_timeouts.pl.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The clock view is refreshed every second throughout: its runs tell the time.
my $node = clock_node('refresh_engine');

ok(wait_clock($node, 1), 'the clock view is refreshed');

# ---------------------------------------------------------------------------------------------
# A long refresh runs in its own worker: the every-second clock keeps getting runs meanwhile, and
# the refresh shows in pg_stat_activity under the view's name.
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW long_view AS SELECT pg_sleep(6) IS NULL AS slept WITH NO DATA;
SELECT schedule_refresh('long_view', '1 hour', start_at => now() + interval '1 second');
});
# A run is recorded up to 150 ms before its due time (its worker prepares meanwhile): running
# shows from then, running_since is the due time.
ok( wait_status($node, 'long_view', q{running AND running_since <= now()}),
	'the long refresh starts');
is( status_of(
		$node, 'long_view',
		q{running_since = last_started AND running_since <= now() AND last_finished IS NULL
       AND last_status = 'running'}),
	't',
	'status shows since when it is running');
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler refresh'
   AND application_name = 'matview_scheduler refresh public.long_view'
   AND state = 'active' AND query LIKE 'REFRESH MATERIALIZED VIEW%long_view'
   AND datname = 'postgres'}),
	'the running refresh shows in pg_stat_activity with backend_type and application_name '
	  . 'naming the view');
ok( wait_status($node, 'long_view', q{last_status = 'succeeded'}),
	'the long refresh succeeds');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) >= 3
  FROM matview_scheduler.runs c, matview_scheduler.runs l
 WHERE c.view = 'clock'::regclass AND l.view = 'long_view'::regclass
   AND c.status = 'succeeded' AND l.status = 'succeeded'
   AND c.started > l.started AND c.finished < l.finished}),
	't',
	'the every-second view kept getting runs while the long refresh was running');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_stat_activity
 WHERE application_name = 'matview_scheduler refresh public.long_view'}),
	'0',
	'once it has finished, the refresh is gone from pg_stat_activity');
is( status_of(
		$node, 'long_view',
		q{NOT running AND running_since IS NULL AND last_duration >= interval '6 seconds'}),
	't',
	'status shows it no longer running, and how long it took');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('long_view')});

# ---------------------------------------------------------------------------------------------
# A view never refreshes twice at once: a due time that comes while its refresh is still running is
# skipped and counted, and a refresh_now() meanwhile waits for the running one.
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW overlap AS SELECT pg_sleep(1.5) IS NULL AS slept WITH NO DATA;
SELECT schedule_refresh('overlap', '1 second');
});
ok( wait_status($node, 'overlap', q{running AND runs_total >= 2}),
	'a view whose refresh takes longer than its interval is being refreshed');
# A refresh_now() while a scheduled refresh is running waits for it.
my $manual_overlap =
  $node->safe_psql('postgres', q{SELECT refresh_now('overlap')});
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 2 FROM matview_scheduler.runs
 WHERE view = 'overlap'::regclass AND NOT manual AND status = 'succeeded'
   AND run_id > $manual_overlap}),
	'it keeps being refreshed');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT status = 'succeeded' FROM matview_scheduler.runs WHERE run_id = $manual_overlap}),
	'a refresh_now() started during a scheduled refresh succeeds');
cmp_ok(
	status_of($node, 'overlap', q{skipped_total}),
	'>=', 2,
	'due times that came while it was running were skipped and counted');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('overlap')});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 0 FROM matview_scheduler.runs
 WHERE view = 'overlap'::regclass AND status = 'running'}),
	'its last run ends');
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(DISTINCT coalesce(sqlstate, '') || ' ' || coalesce(message, ''), '; ')
  FROM matview_scheduler.runs WHERE view = 'overlap'::regclass AND status = 'failed'}),
	'',
	'no run of the view failed, e.g. for finding another refresh of it running');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs a JOIN matview_scheduler.runs b
    ON a.view = b.view AND a.run_id < b.run_id
 WHERE a.view = 'overlap'::regclass AND NOT a.manual AND NOT b.manual
   AND b.started < a.finished}),
	'0',
	'its scheduled runs never overlap');
# The manual refresh took at least 1.5 s after it got its turn: no scheduled refresh of the view
# was still going during its last 1.5 s.
is( $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM matview_scheduler.runs a, matview_scheduler.runs m
 WHERE m.run_id = $manual_overlap AND a.view = m.view AND NOT a.manual
   AND a.started < m.finished AND a.finished > m.finished - interval '1.5 seconds'}),
	'0',
	'the refresh_now() refreshed only once the scheduled refresh had ended');

# ---------------------------------------------------------------------------------------------
# concurrently => 'auto': CONCURRENTLY for a populated view with a usable unique index, plain
# otherwise.
$node->safe_psql(
	'postgres', q{
CREATE TABLE items (id int PRIMARY KEY, v text);
INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 10) g;

CREATE MATERIALIZED VIEW with_key AS SELECT id, v FROM items;
CREATE UNIQUE INDEX ON with_key (id);

CREATE MATERIALIZED VIEW no_key AS SELECT id, v FROM items;
CREATE INDEX ON no_key (id);                       -- not unique

CREATE MATERIALIZED VIEW partial_key AS SELECT id, v FROM items;
CREATE UNIQUE INDEX ON partial_key (id) WHERE id > 0;   -- CONCURRENTLY cannot use it

CREATE MATERIALIZED VIEW unpopulated_key AS SELECT id, v FROM items WITH NO DATA;
CREATE UNIQUE INDEX ON unpopulated_key (id);

CREATE MATERIALIZED VIEW never_key AS SELECT id, v FROM items;
CREATE UNIQUE INDEX ON never_key (id);

SELECT schedule_refresh('with_key', '1 second');
SELECT schedule_refresh('no_key', '1 second');
SELECT schedule_refresh('partial_key', '1 second');
SELECT schedule_refresh('unpopulated_key', '1 second');
SELECT schedule_refresh('never_key', '1 second', concurrently => 'never');
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 5 FROM (
    SELECT view FROM matview_scheduler.runs
     WHERE view IN ('with_key'::regclass, 'no_key'::regclass, 'partial_key'::regclass,
                    'unpopulated_key'::regclass, 'never_key'::regclass)
       AND status = 'succeeded'
     GROUP BY view HAVING count(*) >= 2) v}),
	'each view of the mode tests has had at least two successful runs');
# Polled: either one's latest run may still be going.
ok( $node->poll_query_until(
		'postgres', q{
SELECT string_agg(view::text || '=' || last_mode, ',' ORDER BY view::text)
  FROM matview_scheduler.status
 WHERE view IN ('with_key'::regclass, 'no_key'::regclass) AND last_status = 'succeeded'},
		'no_key=plain,with_key=concurrent'),
	'status.last_mode shows the mode of the last run');
$node->safe_psql(
	'postgres', q{
SELECT unschedule_refresh(v) FROM unnest(ARRAY['with_key', 'no_key', 'partial_key',
                                               'unpopulated_key', 'never_key']::regclass[]) v;
});

sub modes_of
{
	my ($view) = @_;
	return $node->safe_psql(
		'postgres', qq{
SELECT string_agg(DISTINCT mode, ',') FROM matview_scheduler.runs
 WHERE view = '$view'::regclass AND status = 'succeeded'});
}
is(modes_of('with_key'), 'concurrent',
	"'auto' refreshes a populated view with a unique index CONCURRENTLY");
is(modes_of('no_key'), 'plain', "'auto' refreshes a view without a unique index plainly");
is(modes_of('partial_key'), 'plain',
	"'auto' refreshes a view whose only unique index is partial plainly");
is(modes_of('never_key'), 'plain', "'never' refreshes plainly even with a unique index");
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(mode, ',' ORDER BY run_id) FROM (
    SELECT run_id, mode FROM matview_scheduler.runs
     WHERE view = 'unpopulated_key'::regclass AND status = 'succeeded'
     ORDER BY run_id LIMIT 2) r}),
	'plain,concurrent',
	"'auto' refreshes an unpopulated view with a unique index plainly, and CONCURRENTLY once "
	  . 'it is populated');
is($node->safe_psql('postgres', 'SELECT count(*) FROM unpopulated_key'),
	'10', 'the unpopulated view was populated by its refresh');

# ---------------------------------------------------------------------------------------------
# Readers are not blocked by an 'auto' refresh of a view with a unique index. The view's query
# waits for an advisory lock that a "gate" session holds, so the refresh stays in progress until
# the test opens the gate; meanwhile a reader with statement_timeout = 1s must get its rows. The
# same reader against a plain refresh is blocked, which shows the check tells the two apart.
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW reader_view AS
    SELECT id, v FROM items WHERE (SELECT pg_advisory_xact_lock_shared(77) IS NOT NULL);
CREATE UNIQUE INDEX ON reader_view (id);
});
my $gate = $node->background_psql('postgres');

# Waits until a refresh worker holds $lockmode on reader_view and is inside the view's query,
# waiting at the gate.
sub wait_refresh_at_gate
{
	my ($lockmode) = @_;
	return $node->poll_query_until(
		'postgres', qq{
SELECT count(*) = 1
  FROM pg_stat_activity a
 WHERE a.backend_type = 'matview_scheduler refresh'
   AND EXISTS (SELECT 1 FROM pg_locks l
                WHERE l.pid = a.pid AND l.locktype = 'relation'
                  AND l.relation = 'reader_view'::regclass AND l.mode = '$lockmode' AND l.granted)
   AND EXISTS (SELECT 1 FROM pg_locks l
                WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.objid = 77
                  AND NOT l.granted)});
}

$gate->query_safe('SELECT pg_advisory_lock(77)');
$node->safe_psql('postgres',
	q{SELECT schedule_refresh('reader_view', '1 hour', start_at => now() + interval '1 second')});
ok(wait_refresh_at_gate('ExclusiveLock'),
	'the auto refresh holds the lock of REFRESH ... CONCURRENTLY on the view while it runs');
is( status_of($node, 'reader_view', q{running}),
	't',
	'status shows the refresh running');
my ($ret, $stdout, $stderr) = $node->psql(
	'postgres', q{
SET statement_timeout = '1s';
SELECT count(*), clock_timestamp() FROM reader_view;
});
is($ret, 0, 'a reader with statement_timeout = 1s is not blocked by the auto refresh')
  or diag("stderr: $stderr");
my ($reader_count, $reader_done) = split /\|/, $stdout;
$reader_done = 'infinity' unless defined $reader_done;
is($reader_count, '10', 'the reader gets the rows');
$gate->query_safe('SELECT pg_advisory_unlock(77)');
ok( wait_status($node, 'reader_view', q{last_status = 'succeeded'}),
	'the auto refresh succeeds once the gate opens');
is( status_of(
		$node, 'reader_view',
		qq{last_mode = 'concurrent' AND last_finished > '$reader_done'::timestamptz}),
	't',
	'it was a concurrent refresh, and it was still running when the reader got its rows');

# The control: a plain refresh of the same view blocks the same reader.
$gate->query_safe('SELECT pg_advisory_lock(77)');
$node->safe_psql(
	'postgres', q{
SELECT schedule_refresh('reader_view', '1 hour', start_at => now() + interval '1 second',
                        concurrently => 'never');
});
ok(wait_refresh_at_gate('AccessExclusiveLock'),
	'the plain refresh holds an ACCESS EXCLUSIVE lock on the view while it runs');
($ret, $stdout, $stderr) = $node->psql(
	'postgres', q{
SET statement_timeout = '1s';
SELECT count(*) FROM reader_view;
});
isnt($ret, 0, 'a plain refresh does block the reader');
like($stderr, qr/canceling statement due to statement timeout/,
	'the blocked reader hit its statement_timeout');
$gate->query_safe('SELECT pg_advisory_unlock(77)');
$gate->quit;
ok( wait_status($node, 'reader_view', q{last_status = 'succeeded' AND last_mode = 'plain'}),
	'the plain refresh succeeds once the gate opens');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('reader_view')});

# ---------------------------------------------------------------------------------------------
# Through all of it the scheduler kept going and nothing crashed.
ok(wait_clock($node, 2), 'the clock view is still refreshed');
ok(no_crash($node), 'no server process crashed');

$node->stop;
done_testing();
