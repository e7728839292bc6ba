"""Helpers of the tests: deadlines, the extension's catalog as SQL sees it."""

import time

from django.db import connection


def poll_until(check, timeout=60, interval=0.1, what="the condition"):
    """Calls check() until it returns something true, and returns that; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("%s did not hold within %s s" % (what, timeout))
        time.sleep(interval)


def query(sql, params=(), using=None):
    from django.db import connections

    conn = connections[using] if using else connection
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description is not None else None


def schedule_of(view):
    """(schedule, timezone, max_retries, retry_delay, notify, concurrency) from the catalog, or
    None when the view has no schedule."""
    rows = query(
        "SELECT schedule, timezone, max_retries, retry_delay, notify, concurrency"
        " FROM matview_scheduler.status WHERE view = %s::regclass",
        [view],
    )
    return rows[0] if rows else None


def extension_exists(using=None):
    return bool(query("SELECT 1 FROM pg_extension WHERE extname = 'matview_scheduler'", using=using))
