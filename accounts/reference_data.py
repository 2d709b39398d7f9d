"""Funds and reason codes every installation starts with. Loaded by migration accounts 0002 and
ensured again after every `migrate` (post_migrate), so a database flushed by tests or a fresh
installation always has them. Existing rows are never overwritten: administrators edit them.
"""

from django.apps import apps as global_apps
from django.apps.registry import Apps

FUNDS = [
    # code, GL fund code, name, kind, utility, priority (lower settles first on the same due date)
    ("WTR", "5100", "Water", "utility", "water", 10),
    ("SWR", "5200", "Sewer", "utility", "sewer", 20),
    ("SLW", "5300", "Solid waste", "utility", "solid_waste", 30),
    ("ELC", "5400", "Electric", "utility", "electric", 40),
    ("GAS", "5500", "Gas", "utility", "gas", 50),
    ("STM", "5600", "Stormwater", "utility", "stormwater", 60),
    ("IRR", "5110", "Irrigation", "utility", "irrigation", 70),
    ("HYD", "5120", "Hydrant", "utility", "hydrant", 80),
    ("FIR", "5130", "Fire service", "utility", "fire_service", 90),
    ("FEE", "1010", "Fees and penalties", "fee", "", 5),
    ("DEP", "7100", "Customer deposits held", "deposit", "", 200),
    # Overpayments wait here as the customer's credit until later charges use them.
    ("CR", "2100", "Customer credits (unapplied)", "other", "", 300),
]
REASONS = [
    ("adjustment", "BILLERR", "Billing error"),
    ("adjustment", "METERREAD", "Meter misread / estimated read corrected"),
    ("adjustment", "LEAK", "Leak adjustment"),
    ("adjustment", "FEEWAIVE", "Fee waived"),
    ("adjustment", "RATE", "Wrong rate class"),
    ("adjustment", "GOODWILL", "Goodwill credit (supervisor)"),
    ("adjustment", "OTHER", "Other (explain in note)"),
    ("transfer", "WRONGACCT", "Payment posted to the wrong account"),
    ("transfer", "DUPLICATE", "Customer paid twice; moved to their other account"),
    ("contact", "BALANCE", "Balance / bill question"),
    ("contact", "HIGHBILL", "High bill complaint"),
    ("contact", "ARRANGE", "Payment arrangement"),
    ("contact", "HARDSHIP", "Financial hardship"),
    ("contact", "SHUTOFF", "Shutoff / reconnection"),
    ("contact", "ASSIST", "Assistance agency / pledge"),
    ("contact", "START", "Start / stop / transfer service"),
    ("contact", "DISPUTE", "Dispute"),
    ("contact", "OTHER", "Other"),
]


def reference_data_sync(*, apps: Apps = global_apps) -> None:
    Fund = apps.get_model("accounts", "Fund")
    ReasonCode = apps.get_model("accounts", "ReasonCode")
    for code, gl, name, kind, utility, priority in FUNDS:
        Fund.objects.get_or_create(
            code=code,
            defaults={"gl_code": gl, "name": name, "kind": kind, "utility": utility, "priority": priority},
        )
    for kind, code, label in REASONS:
        ReasonCode.objects.get_or_create(kind=kind, code=code, defaults={"label": label})
