"""Reference data counseling ships: the current year's HHS poverty guidelines and a starter
agency directory for the demo. Ensured after every migrate; existing rows are never overwritten
(administrators maintain them)."""

from django.apps import apps as global_apps
from django.apps.registry import Apps

# 91 FR 1798 (January 15, 2026): first person, each additional person.
GUIDELINES_2026 = [
    ("contiguous", "15960.00", "5680.00"),
    ("alaska", "19950.00", "7100.00"),
    ("hawaii", "18360.00", "6530.00"),
]
SOURCE = "HHS 2026 Poverty Guidelines, 91 FR 1798 (Jan 15, 2026)"


def reference_data_sync(*, apps: Apps = global_apps) -> None:
    PovertyGuideline = apps.get_model("counseling", "PovertyGuideline")
    for region, first, additional in GUIDELINES_2026:
        PovertyGuideline.objects.get_or_create(
            year=2026,
            region=region,
            defaults={"first_person": first, "each_additional": additional, "source": SOURCE},
        )
