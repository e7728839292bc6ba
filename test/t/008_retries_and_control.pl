# Retries after a failure (doubling delay, at most max_retries, then back on the grid),
# refresh_now() with and without wait, and the NOTIFY after each run. Pause, resume and the cap on
# run history: 024_pause_and_history.pl.
use strict;
use warnings;

use JSON::PP;
use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The clock view is refreshed every second throughout: its runs tell the time.
my $node = clock_node('retries_and_control');

# A session that listens for the notification sent after each run. psql prints a notification
# after the next command it runs, so the listener runs short queries until the one wanted is in.
my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN matview_scheduler');
my %notified;    # run_id => decoded payload
my $notification_line = qr{^Asynchronous\ notification\ "matview_scheduler"\ with\ payload
	\ "(.*)"\ received\ from\ server\ process\ with\ PID\ \d+\.$}mx;

sub wait_notification
{
	my ($run_id) = @_;
	wait_for(
		sub {
			return 1 if exists $notified{$run_id};
			my $out = $listener->query_safe('SELECT 1');
			while ($out =~ /$notification_line/g)
			{
				my $payload = eval { decode_json($1) };
				if (!defined $payload)
				{
					diag("not JSON: $1");
					$notified{invalid} = $1;
					next;
				}
				$notified{ $payload->{run_id} } = $payload;
			}
			return exists $notified{$run_id};
		});
	return $notified{$run_id};
}

# What a payload says, as one comparable string.
sub describe_payload
{
	my ($p) = @_;
	return 'none' unless defined $p;
	return join(' ',
		map { "$_=" . (defined $p->{$_} ? $p->{$_} : 'NULL') }
		  qw(view run_id status manual));
}

ok(wait_clock($node, 1), 'the clock view is refreshed');

# ---------------------------------------------------------------------------------------------
# Retries: a failing view on an hourly grid whose first run is in a second, retried after 1 s and
# then 2 s (max_retries => 2): three failed runs in a row, then nothing until the grid's next
# time.
$node->safe_psql(
	'postgres', q{
CREATE TABLE divisor (d int NOT NULL);
INSERT INTO divisor VALUES (0);
CREATE MATERIALIZED VIEW flaky AS SELECT 100 / d AS r FROM divisor WITH NO DATA;
SELECT schedule_refresh('flaky', '1 hour', start_at => now() + interval '1 second',
                        retry_delay => '1 second', max_retries => 2, notify => true);
-- Fails too, on a grid that comes sooner than its retry delay.
CREATE MATERIALIZED VIEW gridfail AS SELECT 100 / d AS r FROM divisor WITH NO DATA;
SELECT schedule_refresh('gridfail', '2 seconds', retry_delay => '1 hour', max_retries => 5);
});
is( status_of(
		$node, 'flaky',
		q{format('%s %s %s %s', concurrency, max_retries, retry_delay, NOT paused)}),
	'auto 2 00:00:01 t',
	'status shows the retry settings');
ok( wait_status($node, 'flaky', q{consecutive_failures = 3 AND NOT running}),
	'the failing view fails three times in a row');

is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(status || ' ' || sqlstate || ' ' || manual, ',' ORDER BY run_id)
  FROM matview_scheduler.runs WHERE view = 'flaky'::regclass}),
	'failed 22012 false,failed 22012 false,failed 22012 false',
	'the first scheduled run and two retries, each failed with the view\'s error');
is( $node->safe_psql(
		'postgres', q{
SELECT r.scheduled_for = s.start_at AND r.started >= s.start_at
  FROM matview_scheduler.runs r JOIN matview_scheduler.schedules s ON s.id = r.schedule_id
 WHERE r.view = 'flaky'::regclass ORDER BY r.run_id LIMIT 1}),
	't',
	'the first run was due at start_at');
# Each failed run with the one before it.
my $flaky_pairs = q{
    SELECT row_number() OVER (ORDER BY run_id) AS n, scheduled_for, started,
           lag(finished) OVER (ORDER BY run_id) AS prev_finished,
           lag(started) OVER (ORDER BY run_id) AS prev_started
      FROM matview_scheduler.runs WHERE view = 'flaky'::regclass};
is( $node->safe_psql(
		'postgres', qq{
SELECT string_agg(format('%s %s %s', n, scheduled_for - prev_finished, started >= scheduled_for),
                  ',' ORDER BY n)
  FROM ($flaky_pairs) p}),
	'1  t,2 00:00:01 t,3 00:00:02 t',
	'the retries were due 1 s and then 2 s after the failure before them, and ran then');
is( $node->safe_psql(
		'postgres', qq{
SELECT string_agg(CASE WHEN prev_started IS NULL THEN '-'
                       WHEN started - prev_started >= interval '1 second' * 2 ^ (n - 2)
                        AND started - prev_started < interval '1 hour' THEN 'ok'
                       ELSE (started - prev_started)::text END, ',' ORDER BY n)
  FROM ($flaky_pairs) p}),
	'-,ok,ok',
	'the failed runs started at least 1 s and then 2 s apart, well before the next grid time');
is( status_of(
		$node, 'flaky',
		q{format('%s %s %s %s %s %s', runs_total, failures_total, consecutive_failures,
              skipped_total, last_sqlstate, next_run = start_at + interval '1 hour')}),
	'3 3 3 0 22012 t',
	'after max_retries the schedule is back on its grid: next run at start_at + 1 hour');
# Another retry would have been due 4 s after the last failure.
ok(wait_clock($node, 6), 'time passes');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs WHERE view = 'flaky'::regclass}),
	'3',
	'no further retry after max_retries');
is( status_of($node, 'flaky', q{next_run = start_at + interval '1 hour'}),
	't',
	'the next run is still the grid time');

# A retry is never later than the next grid time: the view failing every 2 seconds with a retry
# delay of an hour keeps being tried on its grid.
ok( wait_status(
		$node, 'gridfail',
		q{failures_total >= 3 AND NOT running AND next_run <= last_finished + interval '2 seconds'}),
	'a failing view whose grid comes before its retry delay is tried again at its next grid time');
is( $node->safe_psql(
		'postgres', q{
SELECT bool_and(extract(epoch FROM r.scheduled_for - s.anchor)::numeric % 2 = 0)
  FROM matview_scheduler.runs r JOIN matview_scheduler.schedules s ON s.id = r.schedule_id
 WHERE r.view = 'gridfail'::regclass}),
	't',
	'all its runs were due at its grid times');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('gridfail')});

# Each failed run was announced.
my @flaky_runs = split /\n/,
  $node->safe_psql('postgres',
	q{SELECT run_id FROM matview_scheduler.runs WHERE view = 'flaky'::regclass ORDER BY run_id});
for my $run_id (@flaky_runs)
{
	is( describe_payload(wait_notification($run_id)),
		"view=public.flaky run_id=$run_id status=failed manual=0",
		"NOTIFY matview_scheduler announced failed run $run_id");
}

# ---------------------------------------------------------------------------------------------
# refresh_now(wait => true) on a failing view raises the run's own error and SQLSTATE; a manual
# failure schedules no retry.
my ($ret, $stdout, $stderr) = $node->psql(
	'postgres', q{
\set VERBOSITY verbose
SELECT refresh_now('flaky', wait => true);
});
isnt($ret, 0, 'refresh_now(wait => true) of a failing view raises an error');
like(
	$stderr,
	qr/ERROR:  22012: .*division by zero/,
	'with the SQLSTATE and message of the failed refresh');
my ($failed_manual) = $stderr =~ /Run (\d+) in matview_scheduler\.runs/;
$failed_manual = 0 unless defined $failed_manual;
is( $node->safe_psql(
		'postgres', qq{
SELECT format('%s %s %s', status, sqlstate, manual) FROM matview_scheduler.runs
 WHERE run_id = $failed_manual}),
	'failed 22012 t',
	'the run its DETAIL names is recorded as a failed manual run');
is( status_of($node, 'flaky', q{next_run = start_at + interval '1 hour' AND NOT running}),
	't',
	'a failed manual run leaves the schedule on its grid');

# Once the cause is fixed, a manual run succeeds and resets the failure count.
$node->safe_psql('postgres', 'UPDATE divisor SET d = 4');
is( $node->safe_psql(
		'postgres', q{
SELECT refresh_now('flaky', wait => true) AS id \gset
SELECT format('%s %s %s', r.status, r.manual, (SELECT r FROM flaky))
  FROM matview_scheduler.runs r WHERE r.run_id = :id;
SELECT format('%s %s', consecutive_failures, next_run = start_at + interval '1 hour')
  FROM matview_scheduler.status WHERE view = 'flaky'::regclass;
}),
	"succeeded t 25\n0 t",
	'a successful manual run resets consecutive_failures and keeps the grid');
my $flaky_manual = $node->safe_psql('postgres',
	q{SELECT max(run_id) FROM matview_scheduler.runs WHERE view = 'flaky'::regclass});
is( describe_payload(wait_notification($flaky_manual)),
	"view=public.flaky run_id=$flaky_manual status=succeeded manual=1",
	'NOTIFY matview_scheduler announced the manual run of a schedule that asks for it');

# ---------------------------------------------------------------------------------------------
# refresh_now(wait => true) returns after the run: the view's query takes 1 s, and the data is
# fresh as soon as the call returns. The view has no schedule.
$node->safe_psql(
	'postgres', q{
CREATE TABLE nap (secs float8 NOT NULL);
INSERT INTO nap VALUES (0);
CREATE TABLE items (x int);
CREATE MATERIALIZED VIEW fresh AS
    SELECT count(*) AS n FROM items WHERE (SELECT pg_sleep(secs) IS NOT NULL FROM nap);
INSERT INTO items SELECT generate_series(1, 7);
UPDATE nap SET secs = 1;
});
is( $node->safe_psql(
		'postgres', q{
SELECT refresh_now('fresh', wait => true) AS id \gset
SELECT n FROM fresh;
SELECT format('%s %s %s %s %s', r.run_id = :id, r.status, r.manual, r.schedule_id IS NULL,
              r.finished <= clock_timestamp())
  FROM matview_scheduler.runs r WHERE r.run_id = :id;
}),
	"7\nt succeeded t t t",
	'refresh_now(wait => true) returns once the run has succeeded, with the data fresh');
my $fresh_manual = $node->safe_psql('postgres',
	q{SELECT max(run_id) FROM matview_scheduler.runs WHERE view = 'fresh'::regclass});

# Without wait it returns once the run has started. Another session holds the view's lock, so the
# refresh cannot finish before the call returns.
$node->safe_psql('postgres', 'UPDATE nap SET secs = 0');
my $holder = $node->background_psql('postgres');
$holder->query_safe(q{BEGIN; REFRESH MATERIALIZED VIEW fresh;});
$node->safe_psql('postgres', 'INSERT INTO items VALUES (8)');
my $no_wait = $node->safe_psql(
	'postgres', q{
SELECT refresh_now('fresh') AS id \gset
SELECT :id;
SELECT status FROM matview_scheduler.runs WHERE run_id = :id;
});
like($no_wait, qr/^\d+\nrunning$/, 'refresh_now() without wait returns while the run is going');
my ($no_wait_id) = $no_wait =~ /^(\d+)/;
$no_wait_id = 0 unless defined $no_wait_id;
$holder->query_safe('COMMIT');
$holder->quit;
ok( $node->poll_query_until(
		'postgres', qq{
SELECT status = 'succeeded' FROM matview_scheduler.runs WHERE run_id = $no_wait_id}),
	'and the run finishes by itself');
is($node->safe_psql('postgres', 'SELECT n FROM fresh'), '8', 'with the new data');

# Waiting is refused in a transaction that has read the view: the refresh could never get its lock.
($ret, $stdout, $stderr) = $node->psql(
	'postgres', q{
\set VERBOSITY verbose
BEGIN;
SELECT n FROM fresh;
SELECT refresh_now('fresh', wait => true);
});
like($stderr, qr/ERROR:  55006: /,
	'refresh_now(wait => true) in a transaction that read the view is refused with 55006');

# ---------------------------------------------------------------------------------------------
# NOTIFY after a scheduled run.
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW notified AS SELECT count(*) AS n FROM items;
SELECT schedule_refresh('notified', 'once', start_at => now() + interval '1 second',
                        notify => true);
});
ok( wait_status($node, 'notified', q{last_status = 'succeeded'}),
	'a scheduled run of another view succeeds');
my $notified_run = $node->safe_psql('postgres',
	q{SELECT run_id FROM matview_scheduler.runs WHERE view = 'notified'::regclass});
is( describe_payload(wait_notification($notified_run)),
	"view=public.notified run_id=$notified_run status=succeeded manual=0",
	'LISTEN matview_scheduler receives the JSON payload of the scheduled run');
# Notifications arrive in commit order: had the earlier manual run of `fresh` (no schedule, so no
# notify => true) been announced, it would be in by now.
ok(!exists $notified{$fresh_manual}, 'a run of a view without notify => true is not announced');
ok(!exists $notified{invalid}, 'every payload was JSON');

$listener->quit;
ok(no_crash($node), 'no server process crashed');

$node->stop;
done_testing();
