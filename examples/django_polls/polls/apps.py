from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "polls"
    default_auto_field = "django.db.models.BigAutoField"
