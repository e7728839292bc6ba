# pause_refresh and resume_refresh (no burst for the due times missed while paused), and the
# per-view cap on run history.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The clock view is refreshed every second throughout: its runs tell the time. wait_clock counts
# them by runs_total, not by rows of the run history, which is capped later on.
my $node = clock_node('pause_and_history');

ok(wait_clock($node, 1), 'the clock view is refreshed');

# ---------------------------------------------------------------------------------------------
# Pause and resume.
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW pausable AS SELECT pg_catalog.now() AS t;
SELECT schedule_refresh('pausable', '1 second');
});
ok( wait_status($node, 'pausable', q{runs_total >= 2}),
	'the view to pause is refreshed every second');
$node->safe_psql('postgres', q{SELECT pause_refresh('pausable')});
is( status_of($node, 'pausable', q{paused AND next_run IS NOT NULL}),
	't',
	'status shows it paused');
ok( wait_status($node, 'pausable', q{NOT running}),
	'a run started before the pause ends');
my $paused_runs = status_of($node, 'pausable', q{runs_total});
my $paused_mark = $node->safe_psql('postgres',
	q{SELECT max(run_id) FROM matview_scheduler.runs WHERE view = 'pausable'::regclass});
ok(wait_clock($node, 4), 'the clock view keeps getting runs meanwhile');
is( $node->safe_psql(
		'postgres', qq{
SELECT format('%s %s', runs_total,
              (SELECT count(*) FROM matview_scheduler.runs
                WHERE view = 'pausable'::regclass AND run_id > $paused_mark))
  FROM matview_scheduler.status WHERE view = 'pausable'::regclass}),
	"$paused_runs 0",
	'a paused schedule does not run');

# Read in the resuming transaction itself: once it commits, the scheduler may run the schedule
# and move next_run on at any moment.
my ($resumed_at, $next_ok) = split /\|/,
  $node->safe_psql(
	'postgres', q{
BEGIN;
SELECT resume_refresh('pausable') \gset
SELECT now(), NOT paused AND next_run > now() AND next_run <= now() + interval '1 second'
  FROM matview_scheduler.status WHERE view = 'pausable'::regclass;
COMMIT;
});
is($next_ok, 't', 'resuming puts the next run at the next grid time after now');
ok( wait_status($node, 'pausable', qq{runs_total >= $paused_runs + 1}),
	'a resumed schedule runs again');
ok( wait_status($node, 'pausable', qq{runs_total >= $paused_runs + 3}),
	'and it keeps running');
is( $node->safe_psql(
		'postgres', qq{
SELECT format('%s %s', bool_and(r.scheduled_for > '$resumed_at'),
              bool_and(extract(epoch FROM r.scheduled_for - s.anchor)
                       = round(extract(epoch FROM r.scheduled_for - s.anchor))))
  FROM matview_scheduler.runs r JOIN matview_scheduler.schedules s ON s.id = r.schedule_id
 WHERE r.view = 'pausable'::regclass AND r.run_id > $paused_mark}),
	't t',
	'after resuming it runs only for due times after the resume, on its grid: no burst for the missed ones');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('pausable')});

# ---------------------------------------------------------------------------------------------
# History is capped per view (matview_scheduler.history_per_view, reloaded on SIGHUP) as runs are
# recorded, keeping the newest.
# Sets matview_scheduler.history_per_view and waits until a new session sees it.
sub set_history_per_view
{
	my ($n) = @_;
	$node->append_conf('postgresql.conf', "matview_scheduler.history_per_view = $n");
	$node->reload;
	ok($node->poll_query_until('postgres', 'SHOW matview_scheduler.history_per_view', $n),
		"history_per_view = $n is in effect");
}

set_history_per_view(3);
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW historic AS SELECT pg_catalog.now() AS t;
SELECT schedule_refresh('historic', '1 second');
});
ok( wait_status($node, 'historic', q{runs_total >= 7}),
	'a view refreshed every second has run seven times');
# Stopped, so that no run is between being started and being recorded.
$node->safe_psql('postgres', q{SELECT pause_refresh('historic')});
ok( wait_status($node, 'historic', q{NOT running AND last_status = 'succeeded'}),
	'its last run has been recorded');
is( $node->safe_psql(
		'postgres', q{
SELECT format('%s %s', count(*) <= 3,
              max(r.run_id) = (SELECT last_run_id FROM matview_scheduler.schedules
                                WHERE view = 'historic'::regclass))
  FROM matview_scheduler.runs r WHERE r.view = 'historic'::regclass}),
	't t',
	'at most 3 runs of the view are kept, the newest among them');

# From 32 rows kept, a schedule's runs trim every (history_per_view / 16)-th run: every second
# one at 32. A view whose history holds 40 rows is trimmed back to 32 (33 if a run followed) by
# its first two runs.
set_history_per_view(32);
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW long_history AS SELECT 1 AS x;
SELECT schedule_refresh('long_history', '1 second', start_at => now() + interval '1 second');
INSERT INTO matview_scheduler.run_history (schedule_id, view, scheduled_for, started, finished,
                                           status)
SELECT id, view, now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour',
       'succeeded'
  FROM matview_scheduler.schedules, generate_series(1, 40)
 WHERE view = 'long_history'::regclass;
});
ok( wait_status($node, 'long_history', q{runs_total >= 2 AND NOT running}),
	'the view has run twice');
$node->safe_psql('postgres', q{SELECT pause_refresh('long_history')});
ok( wait_status($node, 'long_history', q{NOT running AND last_status = 'succeeded'}),
	'its last run has been recorded');
like(
	$node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM matview_scheduler.runs WHERE view = 'long_history'::regclass}),
	qr/^3[23]$/,
	'its history was trimmed to 32 rows at its second run');

ok(no_crash($node), 'no server process crashed');

$node->stop;
done_testing();
