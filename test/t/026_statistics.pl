# The scheduler and the refresh workers report their cumulative statistics as a backend does,
# within seconds of their transactions, not only when they exit: autovacuum and autoanalyze decide
# from them. Neither a scheduler nor a worker with a run every second ever exits. One worker
# refreshes two views due at the same instants, so the second run of each pair ends well within
# PostgreSQL's one report a second: what it did is held back, and must be reported before the
# worker's idle wait.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = new_node('statistics', 'matview_scheduler.max_workers = 1');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE written (at timestamptz);
CREATE FUNCTION write_row() RETURNS int LANGUAGE sql VOLATILE
  AS $$ INSERT INTO public.written VALUES (pg_catalog.clock_timestamp()) RETURNING 1 $$;
CREATE MATERIALIZED VIEW busy AS SELECT public.write_row() AS n WITH NO DATA;
CREATE MATERIALIZED VIEW busy_too AS SELECT public.write_row() AS n WITH NO DATA;
WITH t AS (SELECT pg_catalog.date_trunc('second', pg_catalog.now()) + interval '2 seconds' AS at)
SELECT schedule_refresh('busy', 'every 1 second', start_at => t.at),
       schedule_refresh('busy_too', 'every 1 second', start_at => t.at)
  FROM t;
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) >= 3 FROM matview_scheduler.runs
 WHERE view = 'busy'::regclass AND status = 'succeeded'}),
	'the view is refreshed every second');
my $scheduler = pids_of($node, 'matview_scheduler scheduler');
my $workers = pids_of($node, 'matview_scheduler refresh');

# Polls $sql until it returns 't', for at most 30 seconds: shorter than the minute after which
# an idle worker exits, and its exit would report what it did.
sub within_30s
{
	my ($sql) = @_;
	my $deadline = time() + 30;
	while (time() < $deadline)
	{
		return 1 if $node->safe_psql('postgres', $sql) eq 't';
		usleep(200_000);
	}
	return 0;
}

ok( within_30s(
		q{SELECT n_tup_ins >= 3 FROM pg_stat_user_tables WHERE relid = 'written'::regclass}),
	'the rows a refresh worker wrote count in pg_stat_user_tables while it runs');
ok( within_30s(
		q{SELECT n_tup_ins >= 3 FROM pg_stat_user_tables
           WHERE relid = 'matview_scheduler.run_history'::regclass}),
	'so do the run records the scheduler wrote');
is(pids_of($node, 'matview_scheduler scheduler'), $scheduler, 'the scheduler is the same process');
my %before = map { $_ => 1 } split /,/, $workers;
ok( (grep { $before{$_} } split /,/, pids_of($node, 'matview_scheduler refresh')),
	'a refresh worker of the first runs is still there');

# The last pair's statistics, the second run's held back by PostgreSQL's rate, are not held back
# for the idle wait after it.
$node->safe_psql('postgres',
	q{SELECT unschedule_refresh('busy'), unschedule_refresh('busy_too')});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 0 FROM matview_scheduler.runs
 WHERE view IN ('busy'::regclass, 'busy_too'::regclass) AND status IN ('running', 'waiting')}),
	'the last runs have ended');
my $written = $node->safe_psql('postgres', 'SELECT count(*) FROM written');
ok( within_30s(
		qq{SELECT n_tup_ins >= $written FROM pg_stat_user_tables WHERE relid = 'written'::regclass}),
	"the last run's rows count too");
ok(no_crash($node), 'no server process crashed');

done_testing();
