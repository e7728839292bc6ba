# Helpers the TAP tests share: a node with the library preloaded, the every-second "clock" view
# whose runs tell the time, views whose refresh sleeps, and our processes in pg_stat_activity.
# Every wait polls with a deadline (PostgreSQL::Test::Utils's timeout) and returns false on timeout.
package MvsTest;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Time::HiRes qw(usleep);

our @EXPORT = qw(new_node clock_view clock_runs wait_clock nap_table slow_view pids_of
  wait_refreshing wait_for log_count wait_clock_succeeded refresh_denied kept_schedules
  settled_runs kept_runs status_of wait_status
  no_crash clock_node);

# A started node preloading matview_scheduler; more postgresql.conf lines may follow. A hash
# reference before them holds options for init (e.g. { allows_streaming => 1 }).
sub new_node
{
	my ($name, @conf) = @_;
	my %init = ref $conf[0] eq 'HASH' ? %{ shift @conf } : ();
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%init);
	$node->append_conf('postgresql.conf',
		join("\n", "shared_preload_libraries = 'matview_scheduler'", @conf));
	$node->start;
	return $node;
}

# A view refreshed every second in $db: its run count tells that the scheduler is going.
sub clock_view
{
	my ($node, $db) = @_;
	$node->safe_psql(
		$db // 'postgres', q{
CREATE MATERIALIZED VIEW clock AS SELECT pg_catalog.now() AS t;
SELECT schedule_refresh('clock', '1 second');
});
}

# The query of $columns (any select list) from matview_scheduler.status for $view.
sub status_query
{
	my ($view, $columns) = @_;
	return "SELECT $columns FROM matview_scheduler.status WHERE view = '$view'::regclass";
}

# $columns of $view's row in matview_scheduler.status, in $db; '' when it has no schedule.
sub status_of
{
	my ($node, $view, $columns, $db) = @_;
	return $node->safe_psql($db // 'postgres', status_query($view, $columns));
}

# Waits until $condition (an expression over the status columns) holds for $view in $db.
sub wait_status
{
	my ($node, $view, $condition, $db) = @_;
	return $node->poll_query_until($db // 'postgres', status_query($view, $condition));
}

# A node (see new_node) with the extension created in postgres and the clock view scheduled there.
sub clock_node
{
	my ($name, @conf) = @_;
	my $node = new_node($name, @conf);
	$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
	clock_view($node);
	return $node;
}

sub clock_runs
{
	my ($node, $db) = @_;
	return status_of($node, 'clock', 'runs_total', $db);
}

# Waits until the clock view has had $n more runs in $db.
sub wait_clock
{
	my ($node, $n, $db) = @_;
	$db //= 'postgres';
	my $mark = clock_runs($node, $db);
	return wait_status($node, 'clock', "runs_total >= $mark + $n", $db);
}

# What REFRESH says to a role that may not refresh $view: from 17 it checks the MAINTAIN privilege,
# before that ownership.
sub refresh_denied
{
	my ($node, $view) = @_;
	return ($node->pg_version >= 17
		? 'permission denied for materialized view '
		: 'must be owner of materialized view ') . $view;
}

# The table that says how long each slow view's refresh sleeps (0: quick again).
sub nap_table
{
	my ($node, $db) = @_;
	$node->safe_psql(
		$db // 'postgres', q{
CREATE TABLE nap (view text PRIMARY KEY, secs float8 NOT NULL);
CREATE FUNCTION nap_for(v text) RETURNS int LANGUAGE sql
    AS $$ SELECT 1 FROM pg_sleep((SELECT secs FROM public.nap WHERE view = v)) $$;
});
}

# A view whose refresh sleeps $secs (see nap_table).
sub slow_view
{
	my ($node, $name, $secs, $db) = @_;
	$node->safe_psql(
		$db // 'postgres', qq{
INSERT INTO nap VALUES ('$name', $secs);
CREATE MATERIALIZED VIEW $name AS SELECT nap_for('$name') AS x WITH NO DATA;
});
}

# The pids of our processes of one kind, comma-separated, in pid order.
sub pids_of
{
	my ($node, $type, $extra) = @_;
	$extra //= '';
	return $node->safe_psql(
		'postgres', qq{
SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity
 WHERE backend_type = '$type' $extra});
}

# Waits until a refresh worker sleeps in the refresh of $view (in schema public); returns its pid.
sub wait_refreshing
{
	my ($node, $view) = @_;
	my $cond = qq{AND application_name = 'matview_scheduler refresh public.$view'
                      AND wait_event = 'PgSleep'};
	$node->poll_query_until(
		'postgres', qq{
SELECT count(*) = 1 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler refresh' $cond})
	  or return undef;
	return pids_of($node, 'matview_scheduler refresh', $cond);
}

# Polls a Perl condition until it holds; false at the deadline.
sub wait_for
{
	my ($condition) = @_;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while (time() < $deadline)
	{
		return 1 if $condition->();
		usleep(100_000);
	}
	return 0;
}

# No server process has crashed or exited with an error code so far.
sub no_crash
{
	my ($node) = @_;
	return !$node->log_contains(qr/terminated by signal|exited with exit code [1-9]/);
}

# How many lines of the server log from byte $offset on match $regex.
sub log_count
{
	my ($node, $regex, $offset) = @_;
	my $log = slurp_file($node->logfile, $offset // 0);
	my @matches = ($log =~ /$regex/gm);
	return scalar @matches;
}

# Waits until the clock view has had $n more successful runs in $db, started after the call: unlike
# wait_clock, which counts runs started, only runs that have ended and succeeded count.
sub wait_clock_succeeded
{
	my ($node, $n, $db) = @_;
	$db //= 'postgres';
	my $mark = $node->safe_psql($db,
		q{SELECT coalesce(max(run_id), 0) FROM matview_scheduler.runs WHERE view = 'clock'::regclass});
	return $node->poll_query_until(
		$db, qq{
SELECT count(*) >= $n FROM matview_scheduler.runs
 WHERE view = 'clock'::regclass AND status = 'succeeded' AND run_id > $mark});
}

# What an upgrade must keep, as text to compare before and after it: every schedule, and the runs
# that had ended (a run that ends does not change any more), by the ids settled_runs returns.
sub kept_schedules
{
	my ($node) = @_;
	return $node->safe_psql(
		'postgres', q{
SELECT id, view, owner, schedule, spec, anchor, timezone, paused, concurrency, max_retries,
       retry_delay, created
  FROM matview_scheduler.schedules ORDER BY id});
}

sub settled_runs
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		q{SELECT string_agg(run_id::text, ',') FROM matview_scheduler.runs WHERE status <> 'running'});
}

sub kept_runs
{
	my ($node, $ids) = @_;
	return $node->safe_psql(
		'postgres', qq{
SELECT run_id, schedule_id, view, scheduled_for, started, finished, status, sqlstate, message, mode
  FROM matview_scheduler.runs WHERE run_id = ANY ('{$ids}') ORDER BY run_id});
}

1;
