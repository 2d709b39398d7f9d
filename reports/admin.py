# Admin autodiscovery imports reports.admin; each part of the app keeps its own registrations.
from reports import quality_admin  # noqa: F401
