"""The read-only models read the extension's rows; the admin shows them and changes nothing."""

from django.contrib.auth.models import User as AuthUser
from django.db import DatabaseError
from django.test import TransactionTestCase

from matview_scheduler import api
from matview_scheduler.models import ReadOnlyError, RefreshRun, RefreshStatus
from polls.models import User, UserMattView
from tests.support import query


class FailingViewFixture(TransactionTestCase):
    """polls_user_matt_view (the example's, scheduled hourly) and fail_mv, whose refresh
    divides by zero once its flag table is empty."""

    def setUp(self):
        query("CREATE TABLE fail_flag (x int)")
        query("INSERT INTO fail_flag VALUES (1)")
        query("CREATE MATERIALIZED VIEW fail_mv AS SELECT 1 / (SELECT count(*) FROM fail_flag)::int AS x")
        api.schedule_refresh("fail_mv", "daily", max_retries=0)
        query("DELETE FROM fail_flag")

    def tearDown(self):
        query("DROP TABLE IF EXISTS fail_flag CASCADE")


class ModelTests(FailingViewFixture):
    def test_a_refresh_now_is_a_run_row(self):
        User.objects.create(name="Ann", age=24)
        User.objects.create(name="Bob", age=25)
        User.objects.create(name="Cid", age=61)
        run_id = api.refresh_now("polls_user_matt_view", wait=True)

        run = RefreshRun.objects.get(run_id=run_id)
        self.assertEqual(
            (run.view, run.status, run.manual, run.mode, run.sqlstate),
            ("polls_user_matt_view", "succeeded", True, "concurrent", None),
        )
        self.assertGreaterEqual(run.duration.total_seconds(), 0)
        self.assertEqual(sorted(UserMattView.objects.values_list("name", flat=True)), ["Bob", "Cid"])

        status = RefreshStatus.objects.get(view="polls_user_matt_view")
        self.assertEqual((status.schedule, status.last_status, status.notify), ("hourly", "succeeded", True))
        self.assertEqual(status.retry_delay.total_seconds(), 30)

    def test_a_failed_run_keeps_its_sqlstate_and_message(self):
        with self.assertRaisesMessage(DatabaseError, "division by zero"):
            api.refresh_now("fail_mv", wait=True)
        run = RefreshRun.objects.filter(view="fail_mv").latest("run_id")
        self.assertEqual((run.status, run.sqlstate, run.message), ("failed", "22012", "division by zero"))
        status = RefreshStatus.objects.get(view="fail_mv")
        self.assertEqual((status.last_status, status.consecutive_failures), ("failed", 1))

    def test_read_only(self):
        status = RefreshStatus.objects.get(view="fail_mv")
        with self.assertRaises(ReadOnlyError):
            status.save()
        with self.assertRaises(ReadOnlyError):
            status.delete()
        self.assertTrue(RefreshStatus.objects.filter(view="fail_mv").exists())


class AdminTests(FailingViewFixture):
    def setUp(self):
        super().setUp()
        with self.assertRaises(DatabaseError):
            api.refresh_now("fail_mv", wait=True)
        self.ok_run = api.refresh_now("polls_user_matt_view", wait=True)
        admin = AuthUser.objects.create_superuser("admin", "admin@example.com", "pw")
        self.client.force_login(admin)

    def test_schedules_list_with_last_status_and_failure_filter(self):
        response = self.client.get("/admin/matview_scheduler/refreshstatus/")
        self.assertContains(response, "polls_user_matt_view")
        self.assertContains(response, "fail_mv")
        self.assertContains(response, "succeeded")
        self.assertContains(response, "failing now")  # the filter

        failing = self.client.get("/admin/matview_scheduler/refreshstatus/?failing=yes")
        self.assertContains(failing, "fail_mv")
        self.assertNotContains(failing, "polls_user_matt_view")
        never = self.client.get("/admin/matview_scheduler/refreshstatus/?failing=no")
        self.assertContains(never, "polls_user_matt_view")
        self.assertNotContains(never, "fail_mv")
        # The search box finds a view by (part of) its name.
        found = self.client.get("/admin/matview_scheduler/refreshstatus/?q=FAIL_M")
        self.assertContains(found, "fail_mv")
        self.assertNotContains(found, "polls_user_matt_view")

    def test_runs_history(self):
        response = self.client.get("/admin/matview_scheduler/refreshrun/")
        self.assertContains(response, "division by zero")
        self.assertContains(response, "22012")
        failed = self.client.get("/admin/matview_scheduler/refreshrun/?status__exact=failed")
        self.assertContains(failed, "fail_mv")
        self.assertNotContains(failed, "polls_user_matt_view")
        detail = self.client.get("/admin/matview_scheduler/refreshrun/%d/change/" % self.ok_run)
        self.assertContains(detail, "polls_user_matt_view")
        self.assertNotContains(detail, 'name="_save"')

    def test_nothing_can_be_added_changed_or_deleted(self):
        schedule_id = RefreshStatus.objects.get(view="fail_mv").schedule_id
        base = "/admin/matview_scheduler/refreshstatus/"
        self.assertEqual(self.client.get(base + "add/").status_code, 403)
        self.assertEqual(self.client.get(base + "%d/delete/" % schedule_id).status_code, 403)
        self.assertEqual(self.client.post(base + "%d/change/" % schedule_id, {"schedule": "daily"}).status_code, 403)
        self.assertNotContains(self.client.get(base), "action-select")
        index = self.client.get("/admin/")
        self.assertContains(index, "Refresh schedules")
        self.assertNotContains(index, base + "add/")
        self.assertEqual(RefreshStatus.objects.get(view="fail_mv").schedule, "daily")
