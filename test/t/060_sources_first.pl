# Sources first: when views that read each other are due together, a view starts only after the
# views it reads (directly or through plain views) have been refreshed, so it is built from their
# new rows, never from rows about to be replaced.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Places enough for the whole chain at once: only the order of sources can hold a view back.
my $node = new_node('sources', 'matview_scheduler.max_workers = 8',
	'matview_scheduler.max_workers_per_role = 8');
$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');
nap_table($node);

# A five-level chain a <- b <- c <- d <- e; b reads a through a plain view, d reads c through two,
# and e reads a as well (a diamond over the chain). The refresh of a is slow.
$node->safe_psql(
	'postgres', q{
INSERT INTO nap VALUES ('a', 2), ('b', 0.2), ('c', 0.2), ('d', 0.2), ('e', 0.2);
CREATE TABLE src (v int NOT NULL);
INSERT INTO src SELECT 0 FROM generate_series(1, 3);
CREATE MATERIALIZED VIEW a AS SELECT v FROM src WHERE (SELECT nap_for('a')) = 1;
CREATE VIEW a_plain AS SELECT v FROM a;
CREATE MATERIALIZED VIEW b AS SELECT v FROM a_plain WHERE (SELECT nap_for('b')) = 1;
CREATE MATERIALIZED VIEW c AS SELECT v FROM b WHERE (SELECT nap_for('c')) = 1;
CREATE VIEW c_plain AS SELECT v FROM c;
CREATE VIEW c_plainer AS SELECT v FROM c_plain;
CREATE MATERIALIZED VIEW d AS SELECT v FROM c_plainer WHERE (SELECT nap_for('d')) = 1;
CREATE MATERIALIZED VIEW e AS
    SELECT d.v FROM d WHERE (SELECT nap_for('e')) = 1 AND (SELECT count(*) FROM a) >= 0;
UPDATE src SET v = 1;
});
# All five due at the same instant; scheduled in the reverse order, so that no id order helps.
$node->safe_psql(
	'postgres', q{
WITH t AS (SELECT now() + interval '2 seconds' AS at)
SELECT schedule_refresh(v, 'once', start_at => t.at)
  FROM t, unnest('{e,d,c,b,a}'::regclass[]) WITH ORDINALITY AS u(v, n) ORDER BY n;
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 5 FROM matview_scheduler.runs WHERE status = 'succeeded'}),
	'each view of the chain is refreshed');

# Each view's run started after the run of every view it reads had finished.
is( $node->safe_psql(
		'postgres', q{
SELECT coalesce(string_agg(x.view || ' started before ' || s.view || ' finished', ', '), '')
  FROM (VALUES ('b', 'a'), ('c', 'b'), ('d', 'c'), ('e', 'd'), ('e', 'a')) AS p(v, src)
  JOIN matview_scheduler.runs x ON x.view = p.v::regclass
  JOIN matview_scheduler.runs s ON s.view = p.src::regclass
 WHERE x.started < s.finished}),
	'',
	'every view started after the views it reads had been refreshed');

# And was built from their new rows.
is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(v || ':' || (SELECT string_agg(x::text, ',') FROM unnest(vals) x), ' ' ORDER BY v)
  FROM (SELECT 'a' AS v, array_agg(v) AS vals FROM a UNION ALL
        SELECT 'b', array_agg(v) FROM b UNION ALL
        SELECT 'c', array_agg(v) FROM c UNION ALL
        SELECT 'd', array_agg(v) FROM d UNION ALL
        SELECT 'e', array_agg(v) FROM e) q}),
	'a:1,1,1 b:1,1,1 c:1,1,1 d:1,1,1 e:1,1,1',
	'each view holds what its source held after its refresh');

# A source refreshed by refresh_now() holds a view that reads it until its refresh has ended.
$node->safe_psql('postgres', q{SELECT refresh_now('a')});
ok(defined wait_refreshing($node, 'a'), 'a is being refreshed by refresh_now()');
$node->safe_psql('postgres', q{SELECT schedule_refresh('b', 'once', start_at => now())});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 2 FROM matview_scheduler.runs WHERE view = 'b'::regclass AND status = 'succeeded'}),
	'b is refreshed again');
is( $node->safe_psql(
		'postgres', q{
SELECT b.started >= a.finished
  FROM (SELECT max(started) AS started FROM matview_scheduler.runs WHERE view = 'b'::regclass) b,
       (SELECT finished FROM matview_scheduler.runs WHERE view = 'a'::regclass AND manual) a}),
	't',
	'b started only after the refresh_now() of a had finished');

# Runs held for their sources leave the pass to others: with two places, a slow source due with
# three views over it, an unrelated view due at the same instant (last in id order) starts with the
# source, not after it.
$node->append_conf('postgresql.conf',
	"matview_scheduler.max_workers = 2\nmatview_scheduler.max_workers_per_role = 2");
$node->reload;
$node->safe_psql(
	'postgres', q{
UPDATE nap SET secs = 4 WHERE view = 'a';
CREATE MATERIALIZED VIEW r1 AS SELECT v FROM a;
CREATE MATERIALIZED VIEW r2 AS SELECT v FROM a;
CREATE MATERIALIZED VIEW r3 AS SELECT v FROM a;
CREATE MATERIALIZED VIEW lone AS SELECT 1 AS x;
WITH t AS (SELECT now() + interval '2 seconds' AS at)
SELECT schedule_refresh(v, 'once', start_at => t.at)
  FROM t, unnest('{a,r1,r2,r3,lone}'::regclass[]) WITH ORDINALITY AS u(v, n) ORDER BY n;
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 4 FROM matview_scheduler.runs
 WHERE view IN ('r1'::regclass, 'r2'::regclass, 'r3'::regclass, 'lone'::regclass)
   AND status = 'succeeded'}),
	'the views over a and the unrelated view are refreshed');
is( $node->safe_psql(
		'postgres', q{
SELECT l.started < a.finished
  FROM (SELECT started FROM matview_scheduler.runs WHERE view = 'lone'::regclass) l,
       (SELECT max(finished) AS finished FROM matview_scheduler.runs WHERE view = 'a'::regclass) a}),
	't',
	'the unrelated view did not wait for the views held behind a');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs r,
       (SELECT max(finished) AS finished FROM matview_scheduler.runs WHERE view = 'a'::regclass) a
 WHERE r.view IN ('r1'::regclass, 'r2'::regclass, 'r3'::regclass) AND r.started >= a.finished}),
	'3',
	'the views over a started after it had finished');

# The scheduler keeps what each view reads between passes: a plain view replaced to read a
# materialized view makes a view over it wait for that one from then on.
$node->safe_psql(
	'postgres', q{
UPDATE nap SET secs = 3 WHERE view = 'a';
INSERT INTO nap VALUES ('q', 0);
CREATE VIEW q_plain AS SELECT v FROM src;
CREATE MATERIALIZED VIEW q AS SELECT v FROM q_plain WHERE (SELECT nap_for('q')) = 1;
SELECT schedule_refresh('q', 'once', start_at => now());
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 1 FROM matview_scheduler.runs WHERE view = 'q'::regclass AND status = 'succeeded'}),
	'q, reading no materialized view, is refreshed');
$node->safe_psql(
	'postgres', q{
CREATE OR REPLACE VIEW q_plain AS SELECT v FROM a;
WITH t AS (SELECT now() + interval '2 seconds' AS at)
SELECT schedule_refresh(v, 'once', start_at => t.at)
  FROM t, unnest('{q,a}'::regclass[]) WITH ORDINALITY AS u(v, n) ORDER BY n;
});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) = 2 FROM matview_scheduler.runs WHERE view = 'q'::regclass AND status = 'succeeded'}),
	'q is refreshed again');
is( $node->safe_psql(
		'postgres', q{
SELECT q.started >= a.finished
  FROM (SELECT max(started) AS started FROM matview_scheduler.runs WHERE view = 'q'::regclass) q,
       (SELECT max(finished) AS finished FROM matview_scheduler.runs WHERE view = 'a'::regclass) a}),
	't',
	'after its plain view was replaced to read a, q started only after a had finished');

ok(no_crash($node), 'no server process crashed');
$node->stop;
done_testing();
