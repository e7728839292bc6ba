# The scheduler, the refresh workers and the API functions run catalog SQL as the bootstrap
# superuser. A database owner who is not a superuser controls the database's search_path and can
# create types, operators and functions named like the built-in ones: none of them may ever run
# in those statements. Traps are planted in a schema first on the search_path of the database and
# of the role; each records who ran it and tries to make its planter a superuser.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use MvsTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('search_path_traps');

$node->safe_psql(
	'postgres', q{
CREATE ROLE dbo LOGIN;
CREATE ROLE app LOGIN;
GRANT app TO dbo;
CREATE DATABASE trapdb OWNER dbo;
});
$node->safe_psql('trapdb', 'CREATE EXTENSION matview_scheduler');
$node->safe_psql('postgres', 'ALTER ROLE app SET search_path = trap, pg_catalog, public');

# The test's own checks (as the bootstrap superuser, as the workers are) run with a search path
# the traps are not on; the database owner's and app's sessions with the one they set.
$ENV{PGOPTIONS} = '-c search_path=pg_catalog,public,matview_scheduler';

sub check
{
	my ($sql) = @_;
	return $node->safe_psql('trapdb', $sql);
}

sub as_role
{
	my ($role, $sql) = @_;
	local $ENV{PGOPTIONS} = '';
	return $node->safe_psql('trapdb', $sql,
		connstr => $node->connstr('trapdb') . " user=$role");
}

# The traps, planted by the database owner.
as_role(
	'dbo', q{
CREATE SCHEMA trap;
GRANT USAGE ON SCHEMA trap TO PUBLIC;
CREATE TABLE trap.log (who pg_catalog.text, what pg_catalog.text);
GRANT INSERT ON trap.log TO PUBLIC;
CREATE FUNCTION trap.fire(what pg_catalog.text) RETURNS pg_catalog.bool
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO trap.log VALUES (current_user, what);
    BEGIN
        ALTER ROLE dbo SUPERUSER;
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    RETURN true;
END $$;
DO $$
DECLARE
    t text;
    op record;
BEGIN
    FOREACH t IN ARRAY ARRAY['int4', 'int8', 'float8', 'text', 'oid', 'bool', 'timestamptz',
                             'interval', 'regclass', 'regrole', 'json'] LOOP
        EXECUTE format('CREATE DOMAIN trap.%I AS pg_catalog.%I CHECK (trap.fire(%L))', t, t,
                       'domain ' || t);
    END LOOP;
    -- operator, left type, right type, result type, the real operator's function
    FOR op IN SELECT * FROM (VALUES
        ('=', 'int8', 'int8', 'bool', 'int8eq'), ('=', 'int4', 'int4', 'bool', 'int4eq'),
        ('=', 'oid', 'oid', 'bool', 'oideq'), ('=', 'text', 'text', 'bool', 'texteq'),
        ('=', 'bool', 'bool', 'bool', 'booleq'),
        ('=', 'timestamptz', 'timestamptz', 'bool', 'timestamptz_eq'),
        ('<>', 'text', 'text', 'bool', 'textne'),
        ('+', 'int8', 'int8', 'int8', 'int8pl'), ('+', 'int4', 'int4', 'int4', 'int4pl'),
        ('+', 'int8', 'int4', 'int8', 'int84pl'),
        ('+', 'timestamptz', 'interval', 'timestamptz', 'timestamptz_pl_interval'),
        ('-', 'timestamptz', 'timestamptz', 'interval', 'timestamptz_mi'),
        ('-', 'timestamptz', 'interval', 'timestamptz', 'timestamptz_mi_interval'),
        ('*', 'interval', 'float8', 'interval', 'interval_mul'),
        ('*', 'float8', 'float8', 'float8', 'float8mul'),
        ('*', 'numeric', 'numeric', 'numeric', 'numeric_mul'),
        ('<', 'int4', 'int4', 'bool', 'int4lt'), ('<', 'int8', 'int8', 'bool', 'int8lt'),
        ('<', 'timestamptz', 'timestamptz', 'bool', 'timestamptz_lt'),
        ('<=', 'timestamptz', 'timestamptz', 'bool', 'timestamptz_le'),
        ('>', 'int8', 'int8', 'bool', 'int8gt'), ('>', 'int4', 'int4', 'bool', 'int4gt'),
        ('||', 'text', 'text', 'text', 'textcat'),
        ('<>', 'oid', 'oid', 'bool', 'oidne'), ('<', 'oid', 'oid', 'bool', 'oidlt'),
        ('<=', 'int4', 'int4', 'bool', 'int4le'), ('>=', 'int4', 'int4', 'bool', 'int4ge'))
        AS v(name, l, r, res, fn)
    LOOP
        EXECUTE format('CREATE FUNCTION trap.%I(a pg_catalog.%I, b pg_catalog.%I)'
                       ' RETURNS pg_catalog.%I LANGUAGE plpgsql'
                       ' SET search_path = pg_catalog, pg_temp'
                       ' AS $f$ BEGIN PERFORM trap.fire(%L); RETURN pg_catalog.%I(a, b); END $f$',
                       'op_' || op.fn, op.l, op.r, op.res, 'operator ' || op.name || ' ' || op.l,
                       op.fn);
        EXECUTE format('CREATE OPERATOR trap.%s (LEFTARG = pg_catalog.%I,'
                       ' RIGHTARG = pg_catalog.%I, FUNCTION = trap.%I)',
                       op.name, op.l, op.r, 'op_' || op.fn);
    END LOOP;
END $$;
CREATE FUNCTION trap.now() RETURNS pg_catalog.timestamptz LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION trap.clock_timestamp() RETURNS pg_catalog.timestamptz LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('clock_timestamp()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION trap.power(a pg_catalog.float8, b pg_catalog.float8) RETURNS pg_catalog.float8
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('power()'); RETURN pg_catalog.power(a, b); END $$;
CREATE FUNCTION trap.ceil(a pg_catalog.numeric) RETURNS pg_catalog.numeric
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('ceil()'); RETURN pg_catalog.ceil(a); END $$;
CREATE FUNCTION trap.quote_ident(a pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('quote_ident()'); RETURN pg_catalog.quote_ident(a); END $$;
CREATE FUNCTION trap.json_build_object(VARIADIC a pg_catalog.text[]) RETURNS pg_catalog.json
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('json_build_object()'); RETURN '{}'; END $$;
CREATE FUNCTION trap.pg_notify(a pg_catalog.text, b pg_catalog.text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('pg_notify()'); END $$;
CREATE FUNCTION trap.make_interval(years pg_catalog.int4 = 0, months pg_catalog.int4 = 0,
        weeks pg_catalog.int4 = 0, days pg_catalog.int4 = 0, hours pg_catalog.int4 = 0,
        mins pg_catalog.int4 = 0, secs pg_catalog.float8 = 0) RETURNS pg_catalog.interval
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('make_interval()'); RETURN '1 day'; END $$;
CREATE FUNCTION trap.row_number() RETURNS pg_catalog.int8 LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('row_number()'); RETURN 1; END $$;
CREATE FUNCTION trap.pg_has_role(a pg_catalog.oid, b pg_catalog.text) RETURNS pg_catalog.bool
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('pg_has_role()'); RETURN pg_catalog.pg_has_role(a, b); END $$;
CREATE FUNCTION trap.has_table_privilege(a pg_catalog.oid, b pg_catalog.text)
    RETURNS pg_catalog.bool LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('has_table_privilege()');
              RETURN pg_catalog.has_table_privilege(a, b); END $$;
CREATE FUNCTION trap.has_table_privilege(u pg_catalog.oid, a pg_catalog.oid, b pg_catalog.text)
    RETURNS pg_catalog.bool LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('has_table_privilege(3)');
              RETURN pg_catalog.has_table_privilege(u, a, b); END $$;
CREATE FUNCTION trap.pg_has_role(u pg_catalog.oid, a pg_catalog.oid, b pg_catalog.text)
    RETURNS pg_catalog.bool LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('pg_has_role(3)'); RETURN pg_catalog.pg_has_role(u, a, b); END $$;
CREATE FUNCTION trap.regexp_matches(a pg_catalog.text, b pg_catalog.text, c pg_catalog.text)
    RETURNS SETOF pg_catalog.text[] LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('regexp_matches()');
              RETURN QUERY SELECT pg_catalog.regexp_matches(a, b, c); END $$;
CREATE FUNCTION trap.array_append_oid(a pg_catalog.oid[], b pg_catalog.oid)
    RETURNS pg_catalog.oid[] LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('operator || oid[]'); RETURN pg_catalog.array_append(a, b); END $$;
CREATE OPERATOR trap.|| (LEFTARG = pg_catalog.oid[], RIGHTARG = pg_catalog.oid,
                         FUNCTION = trap.array_append_oid);
CREATE FUNCTION trap.min_step(s pg_catalog.timestamptz, v pg_catalog.timestamptz)
    RETURNS pg_catalog.timestamptz LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM trap.fire('min()'); RETURN LEAST(s, v); END $$;
CREATE AGGREGATE trap.min(pg_catalog.timestamptz) (SFUNC = trap.min_step,
                                                  STYPE = pg_catalog.timestamptz);
ALTER DATABASE trapdb SET search_path = trap, pg_catalog, public;
ALTER ROLE dbo SET search_path = trap, pg_catalog, public;
GRANT CREATE ON SCHEMA public TO app;
});
is(check(q{SELECT pg_catalog.current_setting('search_path')}), 'pg_catalog,public,matview_scheduler',
	'the checks run outside the traps');
is(as_role('dbo', q{SELECT pg_catalog.current_setting('search_path')}),
	'trap, pg_catalog, public', 'the database owner runs with the traps first');
is(as_role('dbo', q{SELECT 1::int4}), '1', 'the traps are armed...');
is(check(q{SELECT pg_catalog.count(*) FROM trap.log}), '1', '...and record what fired');
check(q{DELETE FROM trap.log});

# Views: one that refreshes, one that fails until told otherwise, one for refresh_now.
as_role(
	'dbo', q{
CREATE TABLE public.flag (broken pg_catalog.bool NOT NULL);
INSERT INTO public.flag VALUES (true);
CREATE MATERIALIZED VIEW public.ticking AS SELECT pg_catalog.statement_timestamp() AS t;
CREATE UNIQUE INDEX ON public.ticking (t);
CREATE MATERIALIZED VIEW public.fragile AS
    SELECT 1 OPERATOR(pg_catalog./) (CASE WHEN broken THEN 0 ELSE 1 END) AS x
      FROM public.flag WITH NO DATA;
CREATE MATERIALIZED VIEW public.manual AS SELECT 1 AS x;
SELECT schedule_refresh('public.ticking', '1 second', concurrently => 'always',
                        timeout => '1 minute', lock_timeout => '10 seconds', notify => true);
SELECT schedule_refresh('public.fragile', '1 second', max_retries => 3, retry_delay => '1 second',
                        notify => true, only_if_changed => true);
SELECT schedule_refresh('public.manual', 'daily', timezone => 'UTC');
-- A view over ticking through a plain view: the scheduler looks up its sources on every pass.
CREATE VIEW public.ticking_plain AS SELECT t FROM public.ticking;
CREATE MATERIALIZED VIEW public.after_ticking AS SELECT t FROM public.ticking_plain;
SELECT schedule_refresh('public.after_ticking', '1 second', only_if_changed => true);
});

# Scheduled runs that succeed; failing runs and their retries.
ok( wait_status($node, 'public.ticking', q{runs_total >= 3}, 'trapdb'),
	'scheduled refreshes run');
ok( wait_status($node, 'public.fragile', q{failures_total >= 3}, 'trapdb'),
	'failing refreshes are retried');
check(q{UPDATE public.flag SET broken = false});
ok( wait_status($node, 'public.fragile', q{last_status = 'succeeded'}, 'trapdb'),
	'and succeed again');
ok( wait_status($node, 'public.fragile', q{unchanged_total >= 1}, 'trapdb'),
	'then due times pass unchanged (only_if_changed)');

# Every API function, in the database owner's session.
as_role(
	'dbo', q{
SELECT refresh_now('public.manual', wait => true);
SELECT refresh_now('public.manual');
SELECT pause_refresh('public.manual');
SELECT resume_refresh('public.manual');
SELECT * FROM matview_scheduler.next_runs('every 5 minutes', 3);
SELECT unschedule_refresh('public.manual');
SELECT unschedule_refresh('public.manual');
SELECT * FROM matview_scheduler.status;
SELECT * FROM matview_scheduler.runs;
SELECT * FROM matview_scheduler.dependencies;
});
as_role('dbo', q{UPDATE public.flag SET broken = true});
my ($rc, $out, $err);
{
	local $ENV{PGOPTIONS} = '';
	($rc, $out, $err) = $node->psql('trapdb', q{SELECT refresh_now('public.fragile', wait => true)},
	connstr => $node->connstr('trapdb') . ' user=dbo');
}
like($err, qr/division by zero/, 'refresh_now(wait) reports the failed refresh');

# A schedule that was never run yet and its view, dropped while the catalog is busy.
as_role('dbo', q{DROP MATERIALIZED VIEW public.manual});

# REASSIGN OWNED and DROP OWNED carry schedules along.
as_role(
	'app', q{
CREATE MATERIALIZED VIEW public.app_view AS SELECT 1 AS x;
SELECT schedule_refresh('public.app_view', 'hourly');
});
as_role('dbo', q{REASSIGN OWNED BY app TO dbo});
as_role(
	'app', q{
CREATE MATERIALIZED VIEW public.app_view2 AS SELECT 1 AS x;
SELECT schedule_refresh('public.app_view2', 'hourly');
});
as_role('dbo', q{DROP OWNED BY app});
is( check(
		q{SELECT pg_catalog.string_agg(view::text || ':' || owner::text, ',' ORDER BY view::text)
            FROM matview_scheduler.status}),
	'after_ticking:dbo,app_view:dbo,fragile:dbo,ticking:dbo',
	'REASSIGN OWNED and DROP OWNED went through');

# Dropping the base table cascades to the view and its schedule.
as_role('dbo', q{DROP TABLE public.flag CASCADE});

ok( wait_status($node, 'public.after_ticking', q{runs_total >= 2}, 'trapdb'),
	'a view over a view is refreshed');

# One more round of scheduled work after all that.
my $mark = check(q{SELECT runs_total FROM matview_scheduler.status WHERE view = 'ticking'::regclass});
ok( wait_status($node, 'public.ticking', qq{runs_total >= $mark + 2}, 'trapdb'),
	'the scheduler carries on');

is(check(q{SELECT pg_catalog.string_agg(DISTINCT who || ': ' || what, ', ') FROM trap.log}),
	'', 'no trap fired');
is(check(q{SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'dbo'}),
	'f', 'the database owner is still not a superuser');

$node->stop;
done_testing();
