"""One module per dashboard; ReportsConfig.ready() imports each, and each registers itself
(reports/dashboards/base.py says how to add one)."""

DASHBOARD_MODULES = (
    "aging",
    "arrangements",
    "pledges",
    "notices",
    "contacts",
    "returns",
    "drawers",
    "recovery",
    "productivity",
    "fairness",
)
