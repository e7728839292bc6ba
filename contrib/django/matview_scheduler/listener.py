"""LISTEN for the notifications the extension sends after each run of a view scheduled with
notify => true (also after its refresh_now runs).

The payload is JSON: {"view": "public.polls_user_matt_view", "run_id": 42,
"status": "succeeded", "manual": false}. The listener holds a psycopg2 connection of its own,
in autocommit mode, opened with the settings of a Django database alias.
"""

import collections
import json
import select
import time

import psycopg2
import psycopg2.extensions
from django.db import DEFAULT_DB_ALIAS, connections

CHANNEL = "matview_scheduler"

RefreshNotification = collections.namedtuple(
    "RefreshNotification", ["view", "run_id", "status", "manual", "pid"]
)
RefreshNotification.__doc__ = (
    "A finished run: view is schema-qualified (public.polls_user_matt_view), status is the "
    "run's (succeeded, failed, ...), manual is true for refresh_now, pid the sending process."
)


def parse(notify):
    """A RefreshNotification from a psycopg2 Notify, or None if the payload is not one."""
    try:
        data = json.loads(notify.payload)
        return RefreshNotification(
            str(data["view"]), int(data["run_id"]), str(data["status"]), bool(data["manual"]),
            notify.pid,
        )
    except (ValueError, TypeError, KeyError):
        return None


class RefreshListener:
    """LISTENs from construction (or `with`) on; close() or the end of `with` stops.

        with RefreshListener() as listener:
            for note in listener.notifications(timeout=60):
                ...

    Listen before starting what you wait for: a notification sent before LISTEN is not seen.
    """

    def __init__(self, using=DEFAULT_DB_ALIAS, channel=CHANNEL):
        params = connections[using].get_connection_params()
        self.connection = psycopg2.connect(**params)
        self.connection.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        self._pending = collections.deque()
        with self.connection.cursor() as cursor:
            cursor.execute("LISTEN %s" % psycopg2.extensions.quote_ident(channel, cursor))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if not self.connection.closed:
            self.connection.close()

    def _take(self):
        while self.connection.notifies:
            note = parse(self.connection.notifies.pop(0))
            if note is not None:
                self._pending.append(note)

    def wait(self, timeout=None):
        """The next notification, or None after `timeout` seconds without one (None: no limit)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._take()
            if self._pending:
                return self._pending.popleft()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            readable, _, _ = select.select([self.connection], [], [], remaining)
            if readable:
                self.connection.poll()

    def notifications(self, timeout=None):
        """Yields notifications as they come; ends after `timeout` seconds without one."""
        while True:
            note = self.wait(timeout)
            if note is None:
                return
            yield note


def listen(timeout=None, using=DEFAULT_DB_ALIAS):
    """Yields RefreshNotification as runs finish; ends after `timeout` seconds without one
    (None: runs for ever). Closes its connection when the loop ends."""
    with RefreshListener(using=using) as listener:
        yield from listener.notifications(timeout)
