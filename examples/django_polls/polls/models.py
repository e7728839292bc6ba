from django.db import models


class User(models.Model):
    name = models.CharField(max_length=100)
    age = models.IntegerField()

    def __str__(self):
        return self.name


class UserMattView(models.Model):
    """The users aged 25 and over: the materialized view polls_user_matt_view, refreshed
    hourly by matview_scheduler (migration 0003)."""

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=100)
    age = models.IntegerField()

    class Meta:
        managed = False
        db_table = "polls_user_matt_view"
