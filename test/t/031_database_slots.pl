# matview_scheduler.max_databases counts databases that have the extension: databases without it
# (made by anyone with CREATEDB) take no lasting slot, so they cannot leave a database that
# installs the extension without a scheduler.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('slots', 'matview_scheduler.max_databases = 2', 'max_worker_processes = 16');

sub oid_of
{
	my ($db) = @_;
	return $node->safe_psql('postgres', "SELECT oid FROM pg_database WHERE datname = '$db'");
}

sub no_room_warnings
{
	my ($db) = @_;
	my $oid = oid_of($db);
	return log_count($node, qr/no room to serve database $oid\b/);
}

# A role with CREATEDB makes more empty databases than there are slots.
$node->safe_psql('postgres', 'CREATE ROLE maker LOGIN CREATEDB');
for my $i (1 .. 5)
{
	$node->command_ok([ 'createdb', '-h', $node->host, '-p', $node->port, '-U', 'maker',
		"empty$i" ], "an empty database $i");
}

# One more, that installs the extension only much later.
$node->safe_psql('postgres', 'CREATE DATABASE served3');

# Then a database installs the extension: it gets a scheduler.
$node->safe_psql('postgres', 'CREATE DATABASE served');
$node->safe_psql('served', 'CREATE EXTENSION matview_scheduler');
clock_view($node, 'served');
ok(wait_clock($node, 3, 'served'), 'a database that installs the extension is served');
is(no_room_warnings('served'), 0, 'and no "no room" warning was logged for it');

# A second one too (both slots), after more empty databases.
$node->safe_psql('postgres', "CREATE DATABASE empty$_") for 6 .. 8;
$node->safe_psql('postgres', 'CREATE DATABASE served2');
$node->safe_psql('served2', 'CREATE EXTENSION matview_scheduler');
clock_view($node, 'served2');
ok(wait_clock($node, 3, 'served2'), 'a second database with the extension is served');
is(no_room_warnings('served2'), 0, 'without a warning');
ok(wait_clock($node, 3, 'served'), 'and the first still is');

# A third exceeds max_databases: that is said. (It was looked at before, without the extension.)
$node->safe_psql('served3', 'CREATE EXTENSION matview_scheduler');
clock_view($node, 'served3');
ok(wait_for(sub { no_room_warnings('served3') > 0 }),
	'a third database with the extension is warned about: no room');

# Once a database gives up the extension, the waiting one gets its slot.
$node->safe_psql('served2', 'DROP EXTENSION matview_scheduler CASCADE');
ok(wait_clock($node, 3, 'served3'), 'the third is served once a slot is free');
ok(wait_clock($node, 3, 'served'), 'and the first still is');

# A database copied from a template that has the extension is looked at, found with it, and
# served.
$node->safe_psql('served', 'DROP EXTENSION matview_scheduler CASCADE');
$node->safe_psql('postgres', 'CREATE DATABASE tmpl');
$node->safe_psql('tmpl', 'CREATE EXTENSION matview_scheduler');
clock_view($node, 'tmpl');
$node->safe_psql('postgres', 'ALTER DATABASE tmpl IS_TEMPLATE true');
$node->safe_psql('postgres', 'CREATE DATABASE copied TEMPLATE tmpl');
ok(wait_clock($node, 3, 'copied'), 'a copy of a template with the extension is served');
ok(wait_clock($node, 3, 'served3'), 'and so is the third still');

$node->stop;
done_testing();
