# Only a session that could restore the database holds its refreshes by being named pg_restore:
# any role with CONNECT can choose that application_name, and must not stop the schedules.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('restore_guard');
$node->safe_psql(
	'postgres', q{
CREATE ROLE mallory LOGIN;
CREATE ROLE dbowner LOGIN;
CREATE DATABASE shop OWNER dbowner;
});
$node->safe_psql('shop', 'CREATE EXTENSION matview_scheduler');
clock_view($node, 'shop');
ok(wait_clock($node, 2, 'shop'), 'the clock view is refreshed');

# A plain role connects as "pg_restore": the refreshes go on.
my $session;
{
	local $ENV{PGAPPNAME} = 'pg_restore';
	$session = $node->background_psql('shop', extra_params => [ '-U', 'mallory' ]);
}
is($session->query_safe('SELECT current_user'), 'mallory', 'a plain role is connected as pg_restore');
ok(wait_clock($node, 3, 'shop'), 'its session does not hold the refreshes');
$session->quit;

# The database's owner (not a superuser) restoring: due refreshes wait.
{
	local $ENV{PGAPPNAME} = 'pg_restore';
	$session = $node->background_psql('shop', extra_params => [ '-U', 'dbowner' ]);
}
$session->query_safe('SELECT 1');
ok( wait_status($node, 'clock', q{waiting}, 'shop'),
	"the database owner's pg_restore session holds them");
$session->quit;
ok(wait_clock($node, 2, 'shop'), 'and they run again once it has gone');

$node->stop;
done_testing();
