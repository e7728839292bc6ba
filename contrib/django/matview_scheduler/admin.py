"""The schedules and their runs in the Django admin, read-only.

Schedules are changed through migrations (ScheduleRefresh) or the SQL functions, never here:
there is no add, change or delete permission, only view.
"""

from django.contrib import admin

from matview_scheduler.models import RefreshRun, RefreshStatus


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FailingFilter(admin.SimpleListFilter):
    title = "failures"
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return (
            ("yes", "failing now (last run failed)"),
            ("ever", "failed at least once"),
            ("no", "never failed"),
        )

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(consecutive_failures__gt=0)
        if self.value() == "ever":
            return queryset.filter(failures_total__gt=0)
        if self.value() == "no":
            return queryset.filter(failures_total=0)
        return queryset


@admin.register(RefreshStatus)
class RefreshStatusAdmin(ReadOnlyAdmin):
    list_display = (
        "view",
        "schedule",
        "next_run",
        "last_status",
        "last_finished",
        "last_duration",
        "consecutive_failures",
        "failures_total",
        "runs_total",
        "paused",
        "running",
    )
    list_filter = (FailingFilter, "last_status", "paused", "running")
    search_fields = ("view", "schedule", "last_error")


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnlyAdmin):
    list_display = (
        "run_id",
        "view",
        "status",
        "scheduled_for",
        "started",
        "finished",
        "mode",
        "manual",
        "sqlstate",
        "message",
    )
    list_filter = ("status", "manual", "mode")
    search_fields = ("view", "message", "sqlstate")
