"""The listener receives the extension's NOTIFY after a refresh."""

import time

from django.test import TransactionTestCase

from matview_scheduler import api
from matview_scheduler.listener import RefreshListener, listen
from tests.support import query


class ListenerTests(TransactionTestCase):
    def test_notification_after_refresh_now(self):
        with RefreshListener() as listener:
            # Not a payload of the extension's: skipped.
            query("NOTIFY matview_scheduler, 'not json'")
            run_id = api.refresh_now("polls_user_matt_view", wait=True)
            match = None
            for note in listener.notifications(timeout=60):
                if note.run_id == run_id:  # the hourly run may notify too, should the hour strike
                    match = note
                    break
        self.assertIsNotNone(match, "no notification of run %d within 60 s" % run_id)
        self.assertEqual(
            tuple(match[:4]), ("public.polls_user_matt_view", run_id, "succeeded", True)
        )
        self.assertTrue(listener.connection.closed)

    def test_listen_ends_after_the_timeout_without_notifications(self):
        # Nothing else may notify meanwhile: the example's hourly schedule is paused.
        api.pause_refresh("polls_user_matt_view")
        self.addCleanup(api.resume_refresh, "polls_user_matt_view")
        started = time.monotonic()
        self.assertEqual(list(listen(timeout=0.5)), [])
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
