from django.apps import AppConfig


class MatviewSchedulerConfig(AppConfig):
    name = "matview_scheduler"
    verbose_name = "Materialized view refreshes"
    default_auto_field = "django.db.models.BigAutoField"
