from django.db import migrations

from matview_scheduler.operations import CreateMatviewSchedulerExtension


class Migration(migrations.Migration):

    dependencies = [("polls", "0001_initial")]

    # Fails, saying what to put in postgresql.conf, when the server does not preload the library.
    operations = [CreateMatviewSchedulerExtension()]
