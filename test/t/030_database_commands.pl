# DROP DATABASE, ALTER DATABASE ... RENAME and CREATE DATABASE ... TEMPLATE against databases with
# running schedules. A command that fails (for want of rights, in a transaction block, rolled back)
# leaves the scheduler of every database it named running; a command that runs is never blocked by
# our processes, not even by a refresh under way, and a rename keeps the schedules going.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('dbcmds', 'max_worker_processes = 40', 'max_prepared_transactions = 2');
$node->safe_psql(
	'postgres', q{
CREATE ROLE mallory LOGIN;
CREATE ROLE olive LOGIN CREATEDB;
});

# A database (owned by $owner) with the extension and a clock view refreshed every second.
sub database_with_clock
{
	my ($db, $owner) = @_;
	my $owned = defined $owner ? " OWNER $owner" : '';
	$node->safe_psql('postgres', "CREATE DATABASE $db$owned");
	$node->safe_psql($db, 'CREATE EXTENSION matview_scheduler');
	clock_view($node, $db);
	ok(wait_clock($node, 2, $db), "$db: its clock is refreshed");
}

sub scheduler_of
{
	my ($db) = @_;
	return pids_of($node, 'matview_scheduler scheduler', "AND datname = '$db'");
}

# Runs $sql in $db as $role, going on after an error; returns psql's exit code and stderr.
sub run_as
{
	my ($role, $db, $sql) = @_;
	my ($ret, $stdout, $stderr) =
	  $node->psql($db, $sql, extra_params => [ '-U', $role ], on_error_stop => 0);
	return ($ret, $stderr);
}

# Runs $sql in $db as $role: passes when every statement succeeds.
sub succeeds_as
{
	my ($role, $db, $sql, $what) = @_;
	my ($ret, $stdout, $stderr) = $node->psql($db, $sql, extra_params => [ '-U', $role ]);
	is($ret, 0, $what) or diag($stderr);
}

# After a command that did not run: the database's scheduler was never stopped, and its clock
# keeps being refreshed.
sub untouched
{
	my ($db, $pid, $what) = @_;
	ok(wait_clock($node, 3, $db), "$what: the clock of $db keeps being refreshed");
	is(scheduler_of($db), $pid, "$what: the scheduler of $db was never stopped");
}

database_with_clock('victim');
database_with_clock('olivedb', 'olive');
my $victim = scheduler_of('victim');
my $olivedb = scheduler_of('olivedb');
like($victim, qr/^\d+$/, 'victim has one scheduler');
like($olivedb, qr/^\d+$/, 'olivedb has one scheduler');

# ---------------------------------------------------------------------------------------------
# Commands that fail, from roles without the right and from the owner.
my $swallowed_drop = q{
DO $$ BEGIN EXECUTE 'DROP DATABASE %s'; EXCEPTION WHEN others THEN END $$;};
my $savepoint_drop = q{
BEGIN; SAVEPOINT s; DROP DATABASE %s; ROLLBACK TO s; COMMIT;};

run_as('mallory', 'postgres', sprintf($swallowed_drop, 'victim'));
untouched('victim', $victim, 'a DROP DATABASE caught in a DO block by a role without rights');
run_as('mallory', 'postgres', sprintf($savepoint_drop, 'victim'));
untouched('victim', $victim, 'a DROP DATABASE in a savepoint rolled back');
run_as('olive', 'postgres', sprintf($swallowed_drop, 'olivedb'));
untouched('olivedb', $olivedb, 'the owner\'s DROP DATABASE caught in a DO block');
run_as('olive', 'postgres', sprintf($savepoint_drop, 'olivedb'));
untouched('olivedb', $olivedb, 'the owner\'s DROP DATABASE in a savepoint rolled back');

run_as(
	'mallory', 'postgres', q{
BEGIN;
SAVEPOINT a; ALTER DATABASE victim RENAME TO v2; ROLLBACK TO a;
SAVEPOINT b; ALTER DATABASE olivedb RENAME TO o2; ROLLBACK TO b;
COMMIT;});
untouched('victim', $victim, 'two failed renames in one transaction');
untouched('olivedb', $olivedb, 'two failed renames in one transaction');

my ($ret, $stderr) = run_as('mallory', 'postgres', 'CREATE DATABASE copy1 TEMPLATE victim');
like($stderr, qr/permission denied to create database/, 'a role without CREATEDB may not copy');
($ret, $stderr) = run_as('olive', 'postgres', 'CREATE DATABASE copy1 TEMPLATE victim');
like($stderr, qr/permission denied to copy database "victim"/,
	'nor may a role with CREATEDB copy a database it does not own');
run_as(
	'olive', 'postgres', q{
DO $$ BEGIN EXECUTE 'CREATE DATABASE copy1 TEMPLATE olivedb'; EXCEPTION WHEN others THEN END $$;});
untouched('victim', $victim, 'CREATE DATABASE ... TEMPLATE without the right to copy');
untouched('olivedb', $olivedb, 'CREATE DATABASE ... TEMPLATE in a DO block');

# Every database in one DO block: every drop, rename and copy fails, and every scheduler stays.
# (The owner's loop leaves out the rename, which would run on her own database.)
my $every_database = q{
DO $$
DECLARE d name;
BEGIN
    FOR d IN SELECT datname FROM pg_database WHERE datname <> current_database() LOOP
        BEGIN EXECUTE format('DROP DATABASE %%I', d); EXCEPTION WHEN others THEN END;
        %s
        BEGIN EXECUTE format('CREATE DATABASE %%I TEMPLATE %%I', d || '_c', d);
        EXCEPTION WHEN others THEN END;
    END LOOP;
END $$;};
my $rename = q{BEGIN EXECUTE format('ALTER DATABASE %I RENAME TO %I', d, d || '_x');
        EXCEPTION WHEN others THEN END;};
run_as('mallory', 'postgres', sprintf($every_database, $rename));
untouched('victim', $victim, 'a loop over pg_database by a role without rights');
untouched('olivedb', $olivedb, 'a loop over pg_database by a role without rights');
run_as('olive', 'postgres', sprintf($every_database, ''));
untouched('victim', $victim, 'a loop over pg_database by a database owner');
untouched('olivedb', $olivedb, 'a loop over pg_database by a database owner');

# The owner's rename that PostgreSQL's checks pass but that cannot run (another session is
# connected), twice in one transaction, then a drop in the same transaction.
my $holder = $node->background_psql('olivedb');
$holder->query_safe('SELECT 1');
succeeds_as(
	'olive', 'postgres', q{
DO $$
BEGIN
    BEGIN EXECUTE 'ALTER DATABASE olivedb RENAME TO o2'; EXCEPTION WHEN others THEN END;
    BEGIN EXECUTE 'ALTER DATABASE olivedb RENAME TO o3'; EXCEPTION WHEN others THEN END;
    BEGIN EXECUTE 'DROP DATABASE olivedb'; EXCEPTION WHEN others THEN END;
END $$;}, 'the owner\'s renames that cannot run are caught in the block');
$holder->quit;
ok(wait_clock($node, 3, 'olivedb'), 'after them olivedb\'s clock keeps being refreshed');
ok(wait_clock($node, 3, 'victim'), 'and victim\'s');

# A rename that ran, rolled back with its savepoint.
succeeds_as('olive', 'postgres',
	q{BEGIN; SAVEPOINT s; ALTER DATABASE olivedb RENAME TO o4; ROLLBACK TO s; COMMIT;},
	'a rename rolled back to its savepoint');
ok(wait_clock($node, 3, 'olivedb'), 'leaves olivedb refreshed under its name');

# ---------------------------------------------------------------------------------------------
# Commands that run are not blocked, and a renamed database's schedules go on.
database_with_clock('olive2', 'olive');
succeeds_as('olive', 'postgres', q{
BEGIN;
ALTER DATABASE olivedb RENAME TO olive_a;
ALTER DATABASE olive2 RENAME TO olive_b;
COMMIT;}, 'the owner renames two databases in one transaction');
ok(wait_clock($node, 3, 'olive_a'), 'the first keeps its schedules under the new name');
ok(wait_clock($node, 3, 'olive_b'), 'and so does the second');
succeeds_as('olive', 'postgres', q{
BEGIN;
ALTER DATABASE olive_a RENAME TO olive_c;
ALTER DATABASE olive_c RENAME TO olivedb;
COMMIT;}, 'the owner renames a database twice in one transaction');
ok(wait_clock($node, 3, 'olivedb'), 'its schedules go on');

# A rename in a prepared transaction: the scheduler waits for COMMIT PREPARED, then goes on.
succeeds_as('olive', 'postgres',
	q{BEGIN; ALTER DATABASE olivedb RENAME TO olive_p; PREPARE TRANSACTION 'renaming';},
	'the owner prepares a rename');
succeeds_as('postgres', 'postgres', q{COMMIT PREPARED 'renaming'}, 'and it is committed');
ok(wait_clock($node, 3, 'olive_p'), 'the renamed database\'s schedules go on');
succeeds_as('olive', 'postgres', 'ALTER DATABASE olive_p RENAME TO olivedb',
	'and it is renamed back');
ok(wait_clock($node, 3, 'olivedb'), 'its schedules go on');

succeeds_as('olive', 'postgres', 'DROP DATABASE olive_b',
	'the owner drops a database whose scheduler runs');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'olive_b'}),
	'0', 'it is gone');
ok($node->poll_query_until('postgres', q{SELECT count(*) = 0 FROM pg_stat_activity
 WHERE backend_type LIKE 'matview_scheduler%' AND datname = 'olive_b'}),
	'and none of our processes is left in it');
ok(wait_clock($node, 3, 'olivedb'), 'the owner\'s other database is still refreshed');
ok(wait_clock($node, 3, 'victim'), 'and so is victim');

# ---------------------------------------------------------------------------------------------
# A refresh under way blocks none of them.

# Waits until a refresh of $view sleeps in $db.
sub refreshing
{
	my ($db, $view) = @_;
	return $node->poll_query_until(
		'postgres', qq{
SELECT count(*) = 1 FROM pg_stat_activity
 WHERE backend_type = 'matview_scheduler refresh' AND datname = '$db'
   AND application_name = 'matview_scheduler refresh public.$view' AND wait_event = 'PgSleep'});
}

# A database (owned by $owner) with a slow view $view refreshed every second, whose refresh is
# under way when this returns.
sub database_refreshing
{
	my ($db, $owner, $view) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db OWNER $owner");
	$node->safe_psql($db, 'CREATE EXTENSION matview_scheduler');
	my $setup = sprintf(
		q{
CREATE TABLE nap (view text PRIMARY KEY, secs float8 NOT NULL);
CREATE FUNCTION nap_for(v text) RETURNS int LANGUAGE sql
    AS $$ SELECT 1 FROM pg_sleep((SELECT secs FROM public.nap WHERE view = v)) $$;
INSERT INTO nap VALUES ('%1$s', 600), ('%1$s_manual', 600);
CREATE MATERIALIZED VIEW %1$s AS SELECT nap_for('%1$s') AS x WITH NO DATA;
CREATE MATERIALIZED VIEW %1$s_manual AS SELECT nap_for('%1$s_manual') AS x WITH NO DATA;
SELECT schedule_refresh('%1$s', '1 second');}, $view);
	succeeds_as($owner, $db, $setup, "$db: the owner schedules the slow view $view");
	ok(refreshing($db, $view), "$db: the refresh of $view is under way");
}

database_refreshing('busy1', 'olive', 'slow1');
succeeds_as('postgres', 'postgres', 'DROP DATABASE busy1',
	'DROP DATABASE while a refresh runs in it succeeds');

database_refreshing('busy2', 'olive', 'slow2');
# And a refresh_now() by the owner, whose session stays connected.
my $caller = $node->background_psql('busy2', extra_params => [ '-U', 'olive' ]);
$caller->query_safe(q{SELECT refresh_now('slow2_manual')});
ok(refreshing('busy2', 'slow2_manual'), 'a refresh_now() runs in busy2 too');
succeeds_as('olive', 'postgres', 'DROP DATABASE busy2 WITH (FORCE)',
	'DROP DATABASE ... WITH (FORCE) by its owner, not a superuser, succeeds');
$caller->quit;
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'busy2'}),
	'0', 'busy2 is gone');

database_refreshing('busy3', 'olive', 'slow3');
succeeds_as('olive', 'postgres', 'ALTER DATABASE busy3 RENAME TO busy3r',
	'ALTER DATABASE ... RENAME while a refresh runs succeeds');
ok( $node->poll_query_until(
		'busy3r', q{
SELECT count(*) >= 1 FROM matview_scheduler.runs
 WHERE view = 'slow3'::regclass AND status = 'interrupted'}),
	'the refresh it ended is recorded as interrupted');
ok(refreshing('busy3r', 'slow3'), 'and the schedule runs again under the new name');
succeeds_as('olive', 'postgres', 'CREATE DATABASE busy3copy TEMPLATE busy3r',
	'CREATE DATABASE ... TEMPLATE of a database where a refresh runs succeeds');
ok(refreshing('busy3r', 'slow3'), 'and the source\'s schedule runs again');

ok(wait_clock($node, 3, 'victim'), 'victim was refreshed throughout');
is(scheduler_of('victim'), $victim, 'by the same scheduler');

$node->stop;
done_testing();
