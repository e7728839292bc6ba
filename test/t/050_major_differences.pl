# What differs between PostgreSQL majors for users: from 17, REFRESH runs the view's query with
# search_path = pg_catalog, pg_temp, and a role granted MAINTAIN on a view may refresh it, and so
# schedule it. Before 17, only the view's owner may.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('majors');
my $v17 = $node->pg_version >= 17;

$node->safe_psql('postgres', 'CREATE EXTENSION matview_scheduler');

# A view whose function names its table without the schema (WITH NO DATA: from 17, CREATE fails
# as a refresh would).
$node->safe_psql(
	'postgres', q{
CREATE TABLE readings (n int);
INSERT INTO readings VALUES (1), (2);
CREATE FUNCTION reading_count() RETURNS int LANGUAGE sql
    AS $$ SELECT count(*)::int FROM readings $$;
CREATE MATERIALIZED VIEW reading_counts AS SELECT reading_count() AS n WITH NO DATA;
SELECT schedule_refresh('reading_counts', '1 second');
});

# Waits for a run of $view after run $after that ended with $status; returns its sqlstate and
# message, or undef at the deadline.
sub wait_run
{
	my ($view, $after, $status) = @_;
	my $cond = qq{view = '$view'::regclass AND run_id > $after AND status = '$status'};
	$node->poll_query_until('postgres',
		qq{SELECT count(*) > 0 FROM matview_scheduler.runs WHERE $cond})
	  or return undef;
	return $node->safe_psql(
		'postgres', qq{
SELECT coalesce(sqlstate, '') || '|' || coalesce(message, '')
  FROM matview_scheduler.runs WHERE $cond ORDER BY run_id LIMIT 1});
}

sub last_run_id
{
	return $node->safe_psql('postgres',
		q{SELECT coalesce(max(run_id), 0) FROM matview_scheduler.runs});
}

if ($v17)
{
	like(
		wait_run('reading_counts', 0, 'failed'),
		qr/^42P01\|relation "readings" does not exist .*HINT: from PostgreSQL 17 on, a refresh runs with search_path = pg_catalog, pg_temp/,
		'17+: a function that does not qualify its table fails, and the error says why');
	my $mark = last_run_id();
	$node->safe_psql('postgres',
		'ALTER FUNCTION reading_count() SET search_path = public');
	is(wait_run('reading_counts', $mark, 'succeeded'), '|',
		'17+: with its own search_path the function works again');
}
else
{
	is(wait_run('reading_counts', 0, 'succeeded'), '|',
		'before 17: the refresh finds the table by the search_path');
	is($node->safe_psql('postgres',
			q{SELECT count(*) FROM matview_scheduler.runs WHERE status = 'failed'}),
		'0', 'before 17: no run failed');
}

# A view owned by olga; max may be granted MAINTAIN on it (17+), nina has no right on it.
$node->safe_psql(
	'postgres', q{
CREATE ROLE olga;
CREATE ROLE max;
CREATE ROLE nina;
GRANT CREATE ON SCHEMA public TO olga;
SET ROLE olga;
CREATE TABLE olga_items (id int);
INSERT INTO olga_items VALUES (1);
CREATE MATERIALIZED VIEW olga_counts AS SELECT count(*) AS n FROM olga_items;
RESET ROLE;
});

my ($ret, $out, $err) = $node->psql('postgres',
	q{SET ROLE nina; SELECT schedule_refresh('olga_counts', '1 second')});
my $denied = refresh_denied($node, 'olga_counts');
like($err, qr/\Q$denied\E/, 'a role that may not refresh the view may not schedule it');
is( status_of($node, 'olga_counts', q{count(*)}),
	'0',
	'and no schedule was made');

if ($v17)
{
	$node->safe_psql('postgres', 'GRANT MAINTAIN ON olga_counts TO max');
	($ret, $out, $err) = $node->psql('postgres',
		q{SET ROLE max; SELECT schedule_refresh('olga_counts', '1 second')});
	is($ret, 0, '17+: a role granted MAINTAIN on the view may schedule it')
	  or diag($err);
	$node->safe_psql('postgres', 'INSERT INTO olga_items VALUES (2)');
	ok($node->poll_query_until('postgres', 'SELECT n = 2 FROM olga_counts'),
		'17+: its schedule refreshes the view');

	my $mark = last_run_id();
	$node->safe_psql('postgres', 'REVOKE MAINTAIN ON olga_counts FROM max');
	like(
		wait_run('olga_counts', $mark, 'failed'),
		qr/^42501\|\Q$denied\E/,
		'17+: once MAINTAIN is revoked, its refreshes fail with the permission error');
}

$node->stop;
done_testing();
