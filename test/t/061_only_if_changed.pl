# only_if_changed: a due time passes without a refresh (no worker, no run row) when nothing the view
# reads has a committed change since its last successful refresh; every kind of committed write
# makes the next due time refresh it; rolled-back and prepared-but-uncommitted writes do not; a
# restart counts as a change once; an untracked view is refreshed at every due time.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('changes', 'max_prepared_transactions = 5', 'max_worker_processes = 16',
	'matview_scheduler.max_workers = 4', 'matview_scheduler.max_workers_per_role = 4');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO t VALUES (1, 1);
CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n, coalesce(sum(v), 0) AS s FROM t;
CREATE TABLE other (x int);
CREATE FUNCTION add_row(i int) RETURNS void LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.t VALUES (i, i); END $$;
CREATE FUNCTION other_to_t() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.t VALUES (NEW.x, NEW.x); RETURN NEW; END $$;
CREATE TRIGGER other_to_t AFTER INSERT ON other FOR EACH ROW EXECUTE FUNCTION other_to_t();
CREATE TABLE p (k int NOT NULL, v int) PARTITION BY RANGE (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (100);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (100) TO (200);
CREATE MATERIALIZED VIEW mvp AS SELECT count(*) AS n FROM p;
CREATE TABLE base (x int);
CREATE VIEW plain AS SELECT x FROM base;
CREATE MATERIALIZED VIEW mvv AS SELECT count(*) AS n FROM plain;
SELECT schedule_refresh(v, '1 second', only_if_changed => true)
  FROM unnest('{mv,mvp,mvv}'::regclass[]) AS u(v);
});

sub runs { my ($view) = @_; return status_of($node, $view, 'runs_total'); }
sub unchanged { my ($view) = @_; return status_of($node, $view, 'unchanged_total'); }

# The view is steady: a due time whose reading was taken after the call passed unchanged (the
# second one counted from here: the first may have read before). Returns its runs_total then.
sub steady
{
	my ($view) = @_;
	my $u = unchanged($view);
	wait_status($node, $view, "unchanged_total >= $u + 2") or die "$view is not steady";
	return runs($view);
}

# After $sql (committed) the next due time refreshes $view.
sub refreshed_after
{
	my ($view, $what, $sql) = @_;
	my $runs = steady($view);
	$node->safe_psql('postgres', $sql);
	ok(wait_status($node, $view, "runs_total > $runs AND last_status = 'succeeded'"),
		"$what: $view is refreshed");
}

# After $sql (committed or not), two due times pass unchanged, and $view is not refreshed.
sub not_refreshed_after
{
	my ($view, $what, $sql) = @_;
	my $runs = steady($view);
	$node->safe_psql('postgres', $sql);
	# Read after $sql returned: the second check from here on read the counters after it.
	my $u = unchanged($view);
	ok(wait_status($node, $view, "unchanged_total >= $u + 2"), "$what: due times pass");
	is(runs($view), $runs, "$what: $view is not refreshed");
}

ok(wait_status($node, 'mv', "runs_total >= 1 AND last_status = 'succeeded'"),
	'the first due time refreshes');
my $runs = steady('mv');
my $checked = status_of($node, 'mv', 'last_checked');
ok(wait_status($node, 'mv', "unchanged_total >= 3 AND last_checked > '$checked'"),
	'unchanged due times are counted and last_checked moves');
is(runs('mv'), $runs, 'no refresh while nothing changed');
is( $node->safe_psql(
		'postgres', q{SELECT count(*) FROM matview_scheduler.runs WHERE view = 'mv'::regclass}),
	$runs, 'an unchanged due time writes no run row');

refreshed_after('mv', 'INSERT', 'INSERT INTO t VALUES (2, 2)');
is($node->safe_psql('postgres', q{SELECT n || ':' || s FROM mv}), '2:3', 'it holds the new row');
refreshed_after('mv', 'UPDATE', 'UPDATE t SET v = v + 10 WHERE id = 1');
refreshed_after('mv', 'DELETE', 'DELETE FROM t WHERE id = 2');
refreshed_after('mv', 'MERGE', q{
MERGE INTO t USING (VALUES (3, 3)) AS s(id, v) ON t.id = s.id
 WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)});
refreshed_after('mv', 'TRUNCATE', 'TRUNCATE t');
is($node->safe_psql('postgres', 'SELECT n FROM mv'), '0', 'it is empty after the TRUNCATE');
refreshed_after('mv', 'COPY FROM', q{COPY t FROM PROGRAM 'echo 7,7' WITH (FORMAT csv)});
refreshed_after('mv', 'a plpgsql function', 'SELECT add_row(8)');
refreshed_after('mv', 'a trigger on another table', 'INSERT INTO other VALUES (9)');
is($node->safe_psql('postgres', q{SELECT n || ':' || s FROM mv}), '3:24',
	'it holds the rows written by COPY, the function and the trigger');

refreshed_after('mvp', 'INSERT into a partition', 'INSERT INTO p1 VALUES (5, 1)');
refreshed_after('mvp', 'INSERT through the parent', 'INSERT INTO p VALUES (150, 1)');
refreshed_after('mvv', 'a table under a plain view', 'INSERT INTO base VALUES (1)');
is($node->safe_psql('postgres', 'SELECT n FROM mvv'), '1', 'the view over the plain view holds it');
not_refreshed_after('mvv', 'a write elsewhere', 'INSERT INTO t VALUES (20, 20)');

not_refreshed_after('mv', 'ROLLBACK', 'BEGIN; INSERT INTO t VALUES (30, 30); ROLLBACK');
not_refreshed_after('mv', 'ROLLBACK TO SAVEPOINT', q{
BEGIN; INSERT INTO base VALUES (2); SAVEPOINT a; INSERT INTO t VALUES (31, 31); ROLLBACK TO a;
COMMIT});
not_refreshed_after('mv', 'a function whose write was caught', q{
DO $$ BEGIN PERFORM add_row(32); RAISE EXCEPTION 'undo'; EXCEPTION WHEN raise_exception THEN END $$});
not_refreshed_after('mv', 'PREPARE TRANSACTION',
	q{BEGIN; INSERT INTO t VALUES (33, 33); PREPARE TRANSACTION 'w'});
refreshed_after('mv', 'COMMIT PREPARED', q{COMMIT PREPARED 'w'});
is($node->safe_psql('postgres', 'SELECT n FROM mv'), '5', 'it holds the prepared row');

# What changes what a view returns without a DML statement.
refreshed_after('mvv', 'CREATE OR REPLACE VIEW', 'CREATE OR REPLACE VIEW plain AS SELECT x FROM base WHERE x > 1');
is($node->safe_psql('postgres', 'SELECT n FROM mvv'), '1', 'it holds what the new plain view returns');
# The plain view replaced to read one more table: a write to that table counts from then on.
refreshed_after('mvv', 'CREATE OR REPLACE VIEW reading another table', q{
CREATE TABLE base2 (x int);
CREATE OR REPLACE VIEW plain AS SELECT x FROM base WHERE x > 1 UNION ALL SELECT x FROM base2});
refreshed_after('mvv', 'a table the replaced plain view reads now', 'INSERT INTO base2 VALUES (5)');
is($node->safe_psql('postgres', 'SELECT n FROM mvv'), '2', 'it holds the new table\'s row');
refreshed_after('mvp', 'DETACH PARTITION', 'ALTER TABLE p DETACH PARTITION p2');
# A change of a table's structure: a column added with a volatile default rewrites the table.
refreshed_after('mv', 'ALTER TABLE that rewrites the table',
	'ALTER TABLE t ADD COLUMN w float8 DEFAULT random()');
is($node->safe_psql('postgres', 'SELECT n FROM mvp'), '1', 'it no longer holds the detached rows');
# A session that wrote a table no view read yet remembers it as untracked; once a change-aware
# view reads it, that session's next write counts.
my $writer = $node->background_psql('postgres');
$writer->query_safe('CREATE TABLE late (x int)');
$writer->query_safe('INSERT INTO late VALUES (1)');
$node->safe_psql(
	'postgres', q{
CREATE MATERIALIZED VIEW mv_late AS SELECT count(*) AS n FROM late;
SELECT schedule_refresh('mv_late', '1 second', only_if_changed => true);
});
ok(wait_status($node, 'mv_late', "runs_total >= 1 AND last_status = 'succeeded'"),
	'a view over the table written before is refreshed first');
my $late_runs = steady('mv_late');
$writer->query_safe('INSERT INTO late VALUES (2)');
ok( wait_status(
		$node, 'mv_late',
		"runs_total > $late_runs AND last_status = 'succeeded' AND (SELECT n FROM mv_late) = 2"),
	'the same session\'s next write to it refreshes the view');
$writer->quit;

# A view reading a materialized view: its refresh is its change.
$node->safe_psql('postgres', q{
CREATE MATERIALIZED VIEW over_mv AS SELECT n FROM mv;
SELECT schedule_refresh('over_mv', '1 second', only_if_changed => true)});
$node->safe_psql('postgres', q{SELECT pause_refresh('mv')});
not_refreshed_after('over_mv', 'a write under the view it reads, not yet refreshed',
	'INSERT INTO t VALUES (34, 34)');
refreshed_after('over_mv', 'a refresh of the view it reads', 'REFRESH MATERIALIZED VIEW mv');
$node->safe_psql('postgres', q{SELECT resume_refresh('mv')});

ok(no_crash($node), 'no server process crashed');

# A restart: the counters start again, so each view counts as changed once. (Its shutdown and
# DROP SUBSCRIPTION below end processes with exit code 1: from here on only signals count.)
$runs = steady('mv');
$node->restart;
ok(wait_status($node, 'mv', "runs_total > $runs AND last_status = 'succeeded'"),
	'after a restart the view is refreshed');
$runs = steady('mv');
not_refreshed_after('mv', 'after the restart', 'SELECT 1');
refreshed_after('mv', 'INSERT after the restart', 'INSERT INTO t VALUES (40, 40)');

# An untracked view (it calls random()) is refreshed at every due time, and the call says so.
my ($ret, $stdout, $stderr) = $node->psql(
	'postgres', q{
CREATE MATERIALIZED VIEW dice AS SELECT random() AS r;
SELECT schedule_refresh('dice', '1 second', only_if_changed => true)});
is($ret, 0, 'an untracked view can be scheduled with only_if_changed');
like($stderr, qr/NOTICE:  only_if_changed has no effect on dice.*\n.*DETAIL:  It depends on the clock or chance: random\(\)/,
	'with a NOTICE saying why');
ok(wait_status($node, 'dice', 'runs_total >= 3'), 'it is refreshed at every due time');
is(unchanged('dice'), '0', 'it is never counted unchanged');

# Logical replication: the apply worker writes without the executor's hooks; its commits count as
# a change of every relation of the database.
my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->start;
$pub->safe_psql('postgres',
	'CREATE TABLE rep (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE rep');
my $connstr = $pub->connstr . ' dbname=postgres';
$node->safe_psql('postgres', q{
CREATE TABLE rep (id int PRIMARY KEY);
CREATE MATERIALIZED VIEW mvrep AS SELECT count(*) AS n FROM rep;
SELECT schedule_refresh('mvrep', '1 second', only_if_changed => true)});
$node->safe_psql('postgres', "CREATE SUBSCRIPTION sub CONNECTION '$connstr' PUBLICATION pub");
ok( $node->poll_query_until(
		'postgres', q{SELECT count(*) = 0 FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')}),
	'the subscription is in sync');
$runs = steady('mvrep');
$pub->safe_psql('postgres', 'INSERT INTO rep VALUES (1)');
ok(wait_status($node, 'mvrep', "runs_total > $runs AND last_status = 'succeeded'"),
	'a replicated write makes the next due time refresh');
ok($node->poll_query_until('postgres', 'SELECT n = 1 FROM mvrep'), 'it holds the replicated row');
$node->safe_psql('postgres', 'DROP SUBSCRIPTION sub');
$pub->stop;

ok(!$node->log_contains(qr/terminated by signal/), 'no server process crashed after the restart');
$node->stop;
done_testing();
