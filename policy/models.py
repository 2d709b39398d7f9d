"""Versioned policy storage: the policy versions, the holiday calendar and the weather record.

The pure engine (`policy_engine`) turns these rows into a `Policy`; every app from accounts up
reads them through `policy.selectors`. The tables keep their collections_app names: the models
moved here from collections_app without moving any data (migration policy 0001)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class PolicyVersion(models.Model):
    """The utility's collection policy: presets (combined most-protectively) plus overrides.
    Never edited in place: a change writes the next version, so every stored decision names the
    exact rules it was made under. The highest version is the current policy."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=80)
    presets = ArrayField(models.CharField(max_length=40), help_text="preset names, e.g. CA_SB998_WATER")
    overrides = models.JSONField(default=dict, blank=True, help_text="dotted parameter paths to values")
    note = models.TextField(help_text="why this version was made")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "collections_app_policyversion"  # moved from collections_app; table kept
        ordering = ["-version"]
        permissions = [("use_whatif", "Can evaluate what-if decisions")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Holiday(models.Model):
    """The utility's holiday calendar (business days, blackout days, deadline rolls)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        db_table = "collections_app_holiday"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class WeatherDay(models.Model):
    """Forecast or observed weather for the service area, for the weather protections."""

    date = models.DateField(unique=True)
    high_f = models.SmallIntegerField(null=True, blank=True)
    low_f = models.SmallIntegerField(null=True, blank=True)
    heat_advisory = models.BooleanField(default=False)
    winter_advisory = models.BooleanField(default=False)
    source = models.CharField(max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "collections_app_weatherday"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.high_f}/{self.low_f}°F"
