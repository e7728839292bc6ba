from django.db import migrations, models

from matview_scheduler.operations import ScheduleRefresh


class Migration(migrations.Migration):

    dependencies = [("polls", "0002_create_extension_matview_scheduler")]

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE MATERIALIZED VIEW polls_user_matt_view AS"
                " SELECT id, name, age FROM polls_user WHERE age >= 25",
                # A unique index: the scheduler then refreshes CONCURRENTLY, never blocking readers.
                "CREATE UNIQUE INDEX polls_user_matt_view_id ON polls_user_matt_view (id)",
            ],
            reverse_sql="DROP MATERIALIZED VIEW polls_user_matt_view",
            state_operations=[
                migrations.CreateModel(
                    name="UserMattView",
                    fields=[
                        ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                        ("name", models.CharField(max_length=100)),
                        ("age", models.IntegerField()),
                    ],
                    options={"db_table": "polls_user_matt_view", "managed": False},
                ),
            ],
        ),
        # What the Django-Q schedule and its qcluster did: refresh every hour. notify: the
        # application drops its cache when the view is fresh (matview_scheduler.listener).
        ScheduleRefresh("polls_user_matt_view", "hourly", notify=True),
    ]
