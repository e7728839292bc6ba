# NOTIFY matview_scheduler is sent only for schedules that ask for it (notify => true): a role
# listening on the channel learns nothing about other views, not even their names.
use strict;
use warnings;

use JSON::PP;
use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('notify_on_request');
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION matview_scheduler;
CREATE ROLE listener LOGIN;
CREATE SCHEMA hidden;
CREATE MATERIALIZED VIEW hidden.quiet AS SELECT pg_catalog.now() AS t;
SELECT schedule_refresh('hidden.quiet', '1 second');
CREATE MATERIALIZED VIEW announced AS SELECT pg_catalog.now() AS t;
SELECT schedule_refresh('announced', '1 second', notify => true);
});

# A role without any right on either view listens.
my $listener = $node->background_psql('postgres', extra_params => [ '-U', 'listener' ]);
is($listener->query_safe('SELECT current_user'), 'listener', 'the listener is an ordinary role');
$listener->query_safe('LISTEN matview_scheduler');
my @payloads;
my $notification_line = qr{^Asynchronous\ notification\ "matview_scheduler"\ with\ payload
	\ "(.*)"\ received\ from\ server\ process\ with\ PID\ \d+\.$}mx;
# Collects payloads until `announced` has had three runs announced after quiet ran twice.
my $quiet_mark = status_of($node, 'hidden.quiet', q{runs_total});
ok( wait_for(
		sub {
			my $out = $listener->query_safe('SELECT 1');
			while ($out =~ /$notification_line/g)
			{
				push @payloads, decode_json($1);
			}
			my $quiet_runs = status_of($node, 'hidden.quiet', q{runs_total});
			return $quiet_runs >= $quiet_mark + 2
			  && (grep { $_->{view} eq 'public.announced' } @payloads) >= 3;
		}),
	'the runs of the schedule with notify => true are announced');
my @quiet = grep { $_->{view} ne 'public.announced' } @payloads;
is(scalar @quiet, 0, 'the runs of a schedule without notify => true are not');
my $first = (grep { $_->{view} eq 'public.announced' } @payloads)[0];
is( $node->safe_psql(
		'postgres', qq{
SELECT view::text || ' ' || status || ' ' || manual::text FROM matview_scheduler.runs
 WHERE run_id = $first->{run_id}}),
	"announced $first->{status} " . ($first->{manual} ? 'true' : 'false'),
	'the payload names the run, its view and its status');
is( $node->safe_psql(
		'postgres', q{SELECT string_agg(view::text || ':' || notify, ',' ORDER BY view::text)
                FROM matview_scheduler.status}),
	'announced:true,hidden.quiet:false',
	'status shows which schedules notify');

$listener->quit;
$node->stop;
done_testing();
