"""Django app for the matview_scheduler PostgreSQL extension.

Add 'matview_scheduler' to INSTALLED_APPS. Migration operations are in
matview_scheduler.operations, the read-only models over the status and the run history in
matview_scheduler.models, the NOTIFY listener in matview_scheduler.listener.
"""

from matview_scheduler.api import (
    pause_refresh,
    refresh_now,
    resume_refresh,
    schedule_refresh,
    unschedule_refresh,
)

__all__ = [
    "pause_refresh",
    "refresh_now",
    "resume_refresh",
    "schedule_refresh",
    "unschedule_refresh",
]

__version__ = "0.5"
