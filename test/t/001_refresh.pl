# A view scheduled every second is refreshed again and again, as the role that scheduled it.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('refresh');

$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');

# A view owned by a superuser, refreshed every second.
$node->safe_psql(
	'postgres', q{
CREATE TABLE orders (id int PRIMARY KEY, amount numeric NOT NULL);
INSERT INTO orders VALUES (1, 10);
CREATE MATERIALIZED VIEW order_totals AS
    SELECT count(*) AS n, sum(amount) AS total FROM orders;
});

# Rows the view does not show yet: only a refresh brings them in.
$node->safe_psql('postgres', q{INSERT INTO orders VALUES (2, 20), (3, 30)});

my $id = $node->safe_psql('postgres',
	q{SELECT schedule_refresh('order_totals', '1 second')});
like($id, qr/^\d+$/, 'schedule_refresh returns a schedule id');

is( $node->safe_psql(
		'postgres', q{
SELECT schedule_id, view, schedule, owner FROM matview_scheduler.status}),
	"$id|order_totals|1 second|" . $node->safe_psql('postgres', 'SELECT current_user'),
	'status lists the schedule, owned by the role that made it');

ok( $node->poll_query_until(
		'postgres', 'SELECT n = 3 AND total = 60 FROM order_totals'),
	'the scheduled refresh picks up the new rows');

ok( wait_status(
		$node, 'order_totals',
		q{last_status = 'succeeded' AND last_error IS NULL AND last_sqlstate IS NULL
       AND last_started IS NOT NULL AND last_finished >= last_started
       AND last_duration IS NOT NULL AND next_run IS NOT NULL}),
	'status shows a successful last run');

is( $node->safe_psql(
		'postgres', qq{
SELECT count(*) > 0
  FROM matview_scheduler.runs
 WHERE view = 'order_totals'::regclass AND schedule_id = $id AND status = 'succeeded'
   AND finished >= started AND sqlstate IS NULL AND message IS NULL
   AND scheduled_for IS NOT NULL}),
	't',
	'the run history has a succeeded run');

# It keeps refreshing.
my $runs_before = $node->safe_psql('postgres',
	q{SELECT count(*) FROM matview_scheduler.runs WHERE view = 'order_totals'::regclass});
$node->safe_psql('postgres', q{INSERT INTO orders VALUES (4, 40)});
ok( $node->poll_query_until(
		'postgres', 'SELECT n = 4 AND total = 100 FROM order_totals'),
	'rows inserted later appear too');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) > $runs_before FROM matview_scheduler.runs
 WHERE view = 'order_totals'::regclass AND status = 'succeeded'}),
	'more runs are recorded');

# A refresh runs as the role that scheduled it, not as a superuser on its behalf.
$node->safe_psql(
	'postgres', q{
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
GRANT CREATE ON SCHEMA public TO alice;
SET ROLE alice;
CREATE TABLE alice_items (x int);
-- Bob may read the table, so a refresh as bob (the view's later owner) would succeed:
-- only a refresh as alice, who no longer owns the view, fails.
GRANT SELECT ON alice_items TO bob;
CREATE MATERIALIZED VIEW alice_counts AS SELECT count(*) AS n FROM alice_items;
});
my $alice_id = $node->safe_psql(
	'postgres', q{
SET ROLE alice;
SELECT schedule_refresh('alice_counts', '1 second');
});
is( status_of($node, 'alice_counts', q{owner}),
	'alice',
	'the schedule is owned by the role that made it');

$node->safe_psql('postgres',
	q{SET ROLE alice; INSERT INTO alice_items SELECT generate_series(1, 5)});
ok($node->poll_query_until('postgres', 'SELECT n = 5 FROM alice_counts'),
	'a view scheduled by a non-superuser is refreshed');
ok( wait_status($node, 'alice_counts', q{last_status = 'succeeded'}),
	'its status shows success');

# The schedule's owner no longer owns the view: the refresh must fail with her rights.
$node->safe_psql('postgres', q{ALTER MATERIALIZED VIEW alice_counts OWNER TO bob});
my $last_alice_run = $node->safe_psql('postgres',
	q{SELECT coalesce(max(run_id), 0) FROM matview_scheduler.runs});
$node->safe_psql('postgres',
	q{INSERT INTO alice_items SELECT generate_series(6, 8)});
my $denied = refresh_denied($node, 'alice_counts');
ok( $node->poll_query_until(
		'postgres', qq{
SELECT count(*) > 0 FROM matview_scheduler.runs
 WHERE view = 'alice_counts'::regclass AND run_id > $last_alice_run
   AND status = 'failed' AND sqlstate = '42501'
   AND message LIKE '%$denied%'}),
	'a refresh of a view its schedule owner no longer owns fails with 42501');
is( $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM matview_scheduler.runs
 WHERE view = 'alice_counts'::regclass AND run_id > $last_alice_run
   AND status = 'succeeded'}),
	'0',
	'no refresh succeeded after the owner changed');
is($node->safe_psql('postgres', 'SELECT n FROM alice_counts'),
	'5', 'the view was not refreshed on the former owner\'s behalf');
ok( wait_status($node, 'alice_counts', qq{last_status = 'failed' AND last_sqlstate = '42501'
       AND last_error LIKE '$denied%'}),
	'status shows the permission failure');

$node->stop;
done_testing();
