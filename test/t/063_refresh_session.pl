# The session a scheduled REFRESH runs in: the search_path a REFRESH typed in a session of its
# database would see (the database's own up to PostgreSQL 16; from 17 PostgreSQL itself sets
# pg_catalog, pg_temp during a REFRESH), the session named after the view, and a transaction that
# starts at the due time, although the worker prepares the run before it.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('refresh_session');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE SCHEMA app;
ALTER DATABASE postgres SET search_path = app, public;
CREATE TABLE app.seen (search_path text, app_name text, xact_start timestamptz);
CREATE FUNCTION public.note_session() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO app.seen VALUES (pg_catalog.current_setting('search_path'),
                                 pg_catalog.current_setting('application_name'), pg_catalog.now());
    RETURN 1;
END $$;
CREATE MATERIALIZED VIEW public.mv AS SELECT public.note_session() AS x WITH NO DATA;
});
# The database's setting applies to sessions that start after it: the scheduler's workers too.
$node->restart;

# What a REFRESH typed in a session of the database sees.
my $by_hand = $node->safe_psql(
	'postgres', q{
REFRESH MATERIALIZED VIEW public.mv;
SELECT search_path FROM app.seen;
TRUNCATE app.seen;
});
like($by_hand, qr/\S/, "a REFRESH typed by hand sees a search_path ($by_hand)");
$node->safe_psql('postgres',
	q{SELECT schedule_refresh('public.mv', '1 second', start_at => now() + interval '1 second')});
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) >= 3 FROM matview_scheduler.runs
 WHERE view = 'public.mv'::regclass AND status = 'succeeded'}),
	'the view is refreshed');
$node->safe_psql('postgres', q{SELECT unschedule_refresh('public.mv')});

is( $node->safe_psql(
		'postgres', q{
SELECT string_agg(DISTINCT search_path || ' | ' || app_name, ', ') FROM app.seen}),
	"$by_hand | matview_scheduler refresh public.mv",
	'the scheduled refresh sees the same search_path, in a session named after its view');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM app.seen s
 WHERE NOT EXISTS (SELECT FROM matview_scheduler.runs r
                    WHERE r.view = 'public.mv'::regclass AND r.status = 'succeeded'
                      AND s.xact_start >= r.scheduled_for
                      AND s.xact_start <= r.finished)}),
	'0',
	'each refresh transaction started at its due time or later, not when it was prepared');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM matview_scheduler.runs
 WHERE view = 'public.mv'::regclass AND status <> 'succeeded'}),
	'0',
	'no run failed');

done_testing();
