# max_worker_processes exhausted: a due run waits for a background worker slot, the status and
# the run history show it waiting, it starts when a slot frees, and the log has one line when the
# waiting starts and one when it ends, not one per attempt.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Three slots: the launcher, the scheduler, and one refresh worker. No logical replication
# launcher and no parallel workers take one.
my $node = new_node(
	'slots', 'max_worker_processes = 3',
	'max_logical_replication_workers = 0',
	'max_parallel_workers = 0');
$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
nap_table($node);
slow_view($node, 'slow', 4);
$node->safe_psql('postgres', q{CREATE MATERIALIZED VIEW quick AS SELECT 1 AS x});
my $log_offset = -s $node->logfile;

# The slow refresh takes the only free slot; the quick view, due every second, finds none.
$node->safe_psql('postgres', q{SELECT schedule_refresh('slow', 'once', start_at => now())});
ok(defined wait_refreshing($node, 'slow'), 'the slow refresh holds the only free slot');
$node->safe_psql('postgres', q{SELECT schedule_refresh('quick', '1 second')});

ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM matview_scheduler.runs WHERE view = 'quick'::regclass AND status = 'waiting'}),
	'the quick view\'s run is recorded as waiting for a slot');
my $waiting_run = $node->safe_psql('postgres',
	q{SELECT run_id FROM matview_scheduler.runs WHERE view = 'quick'::regclass AND status = 'waiting'});
ok( wait_status($node, 'quick', q{waiting AND waiting_since IS NOT NULL AND NOT running}),
	'the status shows it waiting');
ok( wait_status($node, 'quick', q{skipped_total >= 2}),
	'due times passing meanwhile are coalesced into the waiting run, not queued');

ok( $node->poll_query_until(
		'postgres', qq{
SELECT status = 'succeeded' FROM matview_scheduler.runs WHERE run_id = $waiting_run}),
	'the waiting run starts and succeeds once the slow refresh has freed its worker');
is( $node->safe_psql(
		'postgres', qq{
SELECT started >= (SELECT finished FROM matview_scheduler.runs WHERE view = 'slow'::regclass)
  FROM matview_scheduler.runs WHERE run_id = $waiting_run}),
	't',
	'its start time is when it really started');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= 2 FROM matview_scheduler.runs
 WHERE view = 'quick'::regclass AND status = 'succeeded' AND run_id > $waiting_run}),
	'the quick view runs on its schedule again');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs WHERE status NOT IN ('succeeded', 'running')}),
	'0',
	'no run failed for want of a slot');
ok(wait_for(sub { log_count($node, qr/background worker slots are free again/, $log_offset) == 1 }),
	'one log line when the waiting ends');
is(log_count($node, qr/no free background worker slot for a refresh/, $log_offset),
	1, 'one log line when it starts, though the run tried again every second for seconds');

$node->stop;
done_testing();
