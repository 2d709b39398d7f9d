"""Business rules come from the policy version in force, never Django settings (issue 12): no
module reads a removed business setting, and config/settings.py defines none of them."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
REMOVED = {
    "ADJUSTMENT_APPROVAL_LIMIT",
    "CASHIER_OVER_SHORT_SIGNOFF",
    "NSF_FEE_FIRST",
    "NSF_FEE_SUBSEQUENT",
    "NSF_FEE_LOOKBACK_MONTHS",
    "NSF_CASH_ONLY_COUNT",
    "NSF_CASH_ONLY_WINDOW_MONTHS",
    "NSF_CASH_ONLY_MONTHS",
    "LOW_INCOME_FPL_PERCENT",
    "ARRANGEMENT_MAX_MONTHS",
    "ARRANGEMENT_PER_YEAR",
    "ARRANGEMENT_BROKEN_LOOKBACK_MONTHS",
    "ARRANGEMENT_REFUSE_IF_LAST_PAYMENT_RETURNED",
    "ARRANGEMENT_REFUSE_AFTER_FINAL_BILL",
    "ARRANGEMENT_GRACE_DAYS",
    "DEFAULT_CREDIT_AUTHORITY_AMOUNT",
    "DEFAULT_CREDIT_AUTHORITY_MONTHS",
    "PROGRAM_RECERT_MONTHS",
    "PROGRAM_RECERT_NOTICE_DAYS",
    "RECONNECT_AFTER_HOURS_FROM",
}
SKIP = {".venv", "node_modules", "var", ".git"}


def _sources():  # type: ignore[no-untyped-def]
    for path in ROOT.rglob("*.py"):
        if not SKIP & set(path.relative_to(ROOT).parts) and path != Path(__file__):
            yield path


def test_no_module_reads_a_business_rule_setting():
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            name = None
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                name = node.attr if node.value.id == "settings" else None
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("getattr", "hasattr"):
                args = node.args
                if len(args) >= 2 and isinstance(args[1], ast.Constant):
                    name = args[1].value
            if name in REMOVED:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert found == []


def test_settings_define_no_business_rule():
    assert [name for name in REMOVED if hasattr(settings, name)] == []
