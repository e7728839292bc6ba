"""Read-only models over the extension's views matview_scheduler.status and .runs.

Unmanaged: Django creates, changes and flushes nothing here. A role sees the rows the
extension shows it (the schedules of views it may read, or owns).
"""

from django.db import models
from django.db.models import lookups


class RegclassField(models.TextField):
    """A regclass column, read as the view's name (schema-qualified when it is not on the
    search_path). Compared as regclass: view="polls_user_matt_view" finds it by name."""


@RegclassField.register_lookup
class RegclassExact(lookups.Exact):
    # regclass = 'name' would read 'name' as an oid.
    def process_rhs(self, compiler, connection):
        sql, params = super().process_rhs(compiler, connection)
        return "(%s)::pg_catalog.regclass" % sql, params


@RegclassField.register_lookup
class RegclassIn(lookups.In):
    def batch_process_rhs(self, compiler, connection, rhs=None):
        sqls, params = super().batch_process_rhs(compiler, connection, rhs)
        return ["(%s)::pg_catalog.regclass" % sql for sql in sqls], params


class ReadOnlyError(Exception):
    pass


class _ReadOnly(models.Model):
    class Meta:
        abstract = True
        managed = False

    def save(self, *args, **kwargs):
        raise ReadOnlyError(
            "%s is read-only: use schedule_refresh / unschedule_refresh" % type(self).__name__
        )

    def delete(self, *args, **kwargs):
        raise ReadOnlyError(
            "%s is read-only: use schedule_refresh / unschedule_refresh" % type(self).__name__
        )


class RefreshStatus(_ReadOnly):
    """One row per schedule: matview_scheduler.status."""

    schedule_id = models.BigIntegerField(primary_key=True)
    view = RegclassField(help_text="the materialized view")
    schedule = models.TextField()
    timezone = models.TextField()
    owner = models.TextField(help_text="the role the refreshes run as (regrole)")
    next_run = models.DateTimeField(null=True)
    finished = models.BooleanField()
    paused = models.BooleanField()
    running = models.BooleanField()
    running_since = models.DateTimeField(null=True)
    start_at = models.DateTimeField(null=True)
    until = models.DateTimeField(null=True)
    repeats = models.IntegerField(null=True)
    concurrency = models.TextField()
    timeout = models.DurationField(null=True)
    lock_timeout = models.DurationField(null=True)
    max_retries = models.IntegerField()
    retry_delay = models.DurationField()
    runs_total = models.BigIntegerField()
    failures_total = models.BigIntegerField()
    consecutive_failures = models.IntegerField()
    skipped_total = models.BigIntegerField()
    last_mode = models.TextField(null=True)
    last_started = models.DateTimeField(null=True)
    last_finished = models.DateTimeField(null=True)
    last_status = models.TextField(null=True)
    last_error = models.TextField(null=True)
    last_sqlstate = models.TextField(null=True)
    last_duration = models.DurationField(null=True)
    created = models.DateTimeField()
    waiting = models.BooleanField()
    waiting_since = models.DateTimeField(null=True)
    notify = models.BooleanField()
    only_if_changed = models.BooleanField()
    unchanged_total = models.BigIntegerField()
    last_checked = models.DateTimeField(null=True)
    min_interval = models.DurationField(null=True)

    class Meta(_ReadOnly.Meta):
        db_table = '"matview_scheduler"."status"'
        ordering = ["schedule_id"]
        verbose_name = "refresh schedule"
        verbose_name_plural = "refresh schedules"

    def __str__(self):
        return "%s (%s)" % (self.view, self.schedule)


class RefreshRun(_ReadOnly):
    """One row per run, scheduled or refresh_now: matview_scheduler.runs."""

    run_id = models.BigIntegerField(primary_key=True)
    # Not a foreign key: the history of a view stays after its schedule is removed.
    schedule_id = models.BigIntegerField(null=True)
    view = RegclassField(help_text="the materialized view")
    scheduled_for = models.DateTimeField(null=True)
    started = models.DateTimeField(null=True)
    finished = models.DateTimeField(null=True)
    status = models.TextField()
    mode = models.TextField(null=True)
    manual = models.BooleanField()
    sqlstate = models.TextField(null=True)
    message = models.TextField(null=True)

    class Meta(_ReadOnly.Meta):
        db_table = '"matview_scheduler"."runs"'
        ordering = ["-run_id"]
        verbose_name = "refresh run"
        verbose_name_plural = "refresh runs"

    def __str__(self):
        return "run %s of %s: %s" % (self.run_id, self.view, self.status)

    @property
    def duration(self):
        if self.started and self.finished:
            return self.finished - self.started
        return None
