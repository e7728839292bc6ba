"""The extension's SQL functions, called from Python on a Django database connection."""

from django.db import DEFAULT_DB_ALIAS, connections

from matview_scheduler import sql


def _call(using, name, args_sql, params):
    connection = connections[using]
    with connection.cursor() as cursor:
        function = sql.function_name(connection, cursor, name)
        cursor.execute("SELECT %s(%s)" % (function, args_sql), params)
        return cursor.fetchone()[0]


def refresh_now(view, wait=False, using=DEFAULT_DB_ALIAS):
    """Refreshes the materialized view now, in a refresh worker; returns the run id.

    With wait=True, returns once the run has finished and raises its error (a DatabaseError with
    the run's SQLSTATE) if it failed. The worker sees only committed data: do not wait inside a
    transaction that has read the view (PostgreSQL refuses it, SQLSTATE 55006).
    """
    return _call(
        using,
        "refresh_now",
        "%s::pg_catalog.regclass, wait => %s::pg_catalog.bool",
        [str(view), bool(wait)],
    )


def schedule_refresh(view, schedule, using=DEFAULT_DB_ALIAS, **options):
    """schedule_refresh(view, schedule, ...): the options are its named arguments."""
    connection = connections[using]
    with connection.cursor() as cursor:
        function = sql.function_name(connection, cursor, "schedule_refresh")
        statement, order = sql.schedule_refresh_sql(function, options)
        cursor.execute(statement, sql.schedule_refresh_params(view, schedule, options, order))
        return cursor.fetchone()[0]


def unschedule_refresh(view, using=DEFAULT_DB_ALIAS):
    """Removes the view's schedule; True when there was one."""
    return _call(using, "unschedule_refresh", "%s::pg_catalog.regclass", [str(view)])


def pause_refresh(view, using=DEFAULT_DB_ALIAS):
    _call(using, "pause_refresh", "%s::pg_catalog.regclass", [str(view)])


def resume_refresh(view, using=DEFAULT_DB_ALIAS):
    _call(using, "resume_refresh", "%s::pg_catalog.regclass", [str(view)])
