# A refresh that errors is recorded as failed, with PostgreSQL's SQLSTATE and message, while other
# views keep being refreshed and the scheduler keeps running.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('failures');

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;

-- Divides by a column that is 1 when the view is created, and later 0.
CREATE TABLE divisor (d int NOT NULL);
INSERT INTO divisor VALUES (1);
CREATE MATERIALIZED VIEW ratio AS SELECT 100 / d AS r FROM divisor;

-- Raises its own error once the feed is marked offline.
CREATE TABLE feed_state (online boolean NOT NULL);
INSERT INTO feed_state VALUES (true);
CREATE FUNCTION feed_value() RETURNS int LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT (SELECT online FROM public.feed_state) THEN
        RAISE EXCEPTION 'feed is offline' USING ERRCODE = 'P0042';
    END IF;
    RETURN 7;
END $$;
CREATE MATERIALIZED VIEW feed AS SELECT feed_value() AS v;

CREATE TABLE events (id int);
CREATE MATERIALIZED VIEW event_count AS SELECT count(*) AS n FROM events;

SELECT schedule_refresh('ratio', '1 second');
SELECT schedule_refresh('feed', '1 second');
SELECT schedule_refresh('event_count', '1 second');
});

# Both failing views work at first.
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(DISTINCT view) = 2 FROM matview_scheduler.runs
 WHERE view IN ('ratio'::regclass, 'feed'::regclass) AND status = 'succeeded'}),
	'the views that will fail are refreshed while their queries work');

# From now on their refreshes raise.
$node->safe_psql(
	'postgres', q{
UPDATE divisor SET d = 0;
UPDATE feed_state SET online = false;
});

ok( wait_status($node, 'ratio', q{last_status = 'failed' AND last_sqlstate = '22012'
       AND last_error = 'division by zero'
       AND last_finished IS NOT NULL AND last_duration IS NOT NULL}),
	'a division by zero is recorded as failed with SQLSTATE 22012 and its message');
ok( wait_status($node, 'feed', q{last_status = 'failed' AND last_sqlstate = 'P0042'
       AND last_error = 'feed is offline'}),
	'an error raised by the view query is recorded with its own SQLSTATE and message');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) > 0 FROM matview_scheduler.runs
 WHERE view = 'ratio'::regclass AND status = 'failed' AND sqlstate = '22012'
   AND message = 'division by zero' AND finished IS NOT NULL}),
	't',
	'the run history has the failed run');
is($node->safe_psql('postgres', 'SELECT r FROM ratio'),
	'100', 'a failed refresh leaves the view as it was');

# The healthy view is still refreshed, after the failures were recorded.
$node->safe_psql('postgres', 'INSERT INTO events SELECT generate_series(1, 3)');
ok($node->poll_query_until('postgres', 'SELECT n = 3 FROM event_count'),
	'the healthy view picks up new rows while the others fail');

# The scheduler keeps running: runs keep being recorded, for every schedule.
my $healthy_runs = $node->safe_psql('postgres',
	q{SELECT count(*) FROM matview_scheduler.runs WHERE view = 'event_count'::regclass});
my $failed_runs = $node->safe_psql(
	'postgres', q{
SELECT count(*) FROM matview_scheduler.runs
 WHERE view = 'ratio'::regclass AND status = 'failed'});
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) >= $healthy_runs + 3 FROM matview_scheduler.runs
 WHERE view = 'event_count'::regclass AND status = 'succeeded'}),
	'the healthy view keeps being refreshed');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) > $failed_runs FROM matview_scheduler.runs
 WHERE view = 'ratio'::regclass AND status = 'failed'}),
	'the failing view is tried again on its schedule');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler scheduler' AND datname = 'postgres'}),
	'1',
	'the scheduler process is still there');

# Once the cause is fixed, the next refresh succeeds.
$node->safe_psql('postgres', 'UPDATE divisor SET d = 4');
ok( wait_status(
		$node, 'ratio',
		q{last_status = 'succeeded' AND last_error IS NULL AND last_sqlstate IS NULL}),
	'the failing view succeeds again once its query works');
is($node->safe_psql('postgres', 'SELECT r FROM ratio'), '25',
	'and shows the new data');

# Nothing crashed along the way.
ok(no_crash($node), 'no server process crashed');

$node->stop;
done_testing();
