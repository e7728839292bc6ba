# What our processes wait for, as pg_stat_activity shows it: from 17, each wait has its own name
# (wait_event_type Extension, wait_event MatviewScheduler...); before 17, PostgreSQL has only
# the one event 'Extension' for every extension's waits.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('wait_events', 'matview_scheduler.max_workers = 1');
my $named = $node->pg_version >= 17;

$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
nap_table($node);
slow_view($node, 'slow', 600);
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW quick AS SELECT 1 AS x;
SELECT schedule_refresh('quick', 'hourly');
});

# Waits until a process of $type (and $extra) waits on $event; true if so before the deadline.
sub waits_on
{
	my ($type, $event, $extra) = @_;
	$extra //= '';
	$event = 'Extension' unless $named;
	return $node->poll_query_until(
		'postgres', qq{
SELECT count(*) > 0 FROM pg_stat_activity
 WHERE backend_type = '$type' AND wait_event_type = 'Extension' AND wait_event = '$event' $extra});
}

ok(waits_on('matview_scheduler launcher', 'MatviewSchedulerLauncherMain'),
	'the launcher waits on its own event');
ok(waits_on('matview_scheduler scheduler', 'MatviewSchedulerNextDue'),
	'the scheduler, with nothing due, waits for the next due time');

# A scheduled run leaves its pool worker warm, waiting for the next run (refresh_now has a worker
# of its own): quick is due now.
$node->safe_psql('postgres', q{SELECT schedule_refresh('quick', '1 hour', start_at => now())});
ok(waits_on('matview_scheduler refresh', 'MatviewSchedulerWorkerIdle'),
	'a pool worker with no run waits for one');

# With the only place taken by a refresh that sleeps, refresh_now's worker (of another role: one
# role may not queue more than its share) waits for a place.
$node->safe_psql(
	'postgres', q{
CREATE ROLE other;
GRANT CREATE ON SCHEMA public TO other;
SET ROLE other;
CREATE MATERIALIZED VIEW others AS SELECT 1 AS x;
});
$node->safe_psql('postgres', q{SELECT refresh_now('slow')});
ok(defined wait_refreshing($node, 'slow'), 'the slow refresh runs');
$node->safe_psql('postgres', q{SET ROLE other; SELECT refresh_now('others')});
ok(waits_on('matview_scheduler refresh', 'MatviewSchedulerFreePlace'),
	"refresh_now's worker waits for a free place");

$node->safe_psql('postgres', q{UPDATE nap SET secs = 0});
$node->safe_psql('postgres',
	q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'});
$node->stop;
done_testing();
