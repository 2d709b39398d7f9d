"""Upgrade: business-rule values that used to be Django settings become a policy version.

Before issue 12 the counter, counseling and the account desk read their fees, limits and terms
from DJANGO_* environment variables. They now read the policy version in force. A utility that
set any of those variables gets, when this migration runs, a new version = the current version's
presets and overrides plus the values it set (under the dotted parameter names of rules.md §3),
so nothing changes for it. Nothing set: no new version.

Self-contained on purpose (no engine import): the names and kinds are those of this release."""

import os
from decimal import Decimal, InvalidOperation

from django.db import migrations

# DJANGO_* variable -> (dotted parameter, kind)
FROM_ENVIRONMENT = {
    "DJANGO_ADJUSTMENT_APPROVAL_LIMIT": ("adjustments.approval_limit", "decimal"),
    "DJANGO_CASHIER_OVER_SHORT_SIGNOFF": ("cashiering.over_short_signoff", "decimal"),
    "DJANGO_NSF_FEE_FIRST": ("nsf.fee_first", "decimal"),
    "DJANGO_NSF_FEE_SUBSEQUENT": ("nsf.fee_subsequent", "decimal"),
    "DJANGO_NSF_FEE_LOOKBACK_MONTHS": ("nsf.subsequent_window_months", "int"),
    "DJANGO_NSF_CASH_ONLY_COUNT": ("nsf.cash_only_count", "int"),
    "DJANGO_NSF_CASH_ONLY_WINDOW_MONTHS": ("nsf.cash_only_window_months", "int"),
    "DJANGO_NSF_CASH_ONLY_MONTHS": ("nsf.cash_only_months", "int"),
    "DJANGO_LOW_INCOME_FPL_PERCENT": ("low_income.fpl_pct", "int"),
    "DJANGO_ARRANGEMENT_MAX_MONTHS": ("arrangements.max_months", "int"),
    "DJANGO_ARRANGEMENT_PER_YEAR": ("arrangements.per_year_limit", "int"),
    "DJANGO_ARRANGEMENT_BROKEN_LOOKBACK_MONTHS": ("arrangements.broken_lookback_months", "int"),
    "DJANGO_ARRANGEMENT_REFUSE_IF_RETURNED": ("arrangements.exclude_if_last_payment_returned", "bool"),
    "DJANGO_ARRANGEMENT_REFUSE_AFTER_FINAL": ("arrangements.exclude_if_final_billed", "bool"),
    "DJANGO_ARRANGEMENT_GRACE_DAYS": ("arrangements.default_tolerance_days", "int"),
    "DJANGO_DEFAULT_CREDIT_AUTHORITY_AMOUNT": ("arrangements.counselor_authority_amount", "decimal"),
    "DJANGO_DEFAULT_CREDIT_AUTHORITY_MONTHS": ("arrangements.counselor_authority_months", "int"),
    "DJANGO_PROGRAM_RECERT_MONTHS": ("low_income.recert_months", "int"),
    "DJANGO_PROGRAM_RECERT_NOTICE_DAYS": ("low_income.recert_reminder_days", "int"),
    "DJANGO_RECONNECT_AFTER_HOURS_FROM": ("reconnect.after_hours_from", "hhmm"),
}
TRUE, FALSE = {"1", "true", "yes", "on", "y", "t"}, {"0", "false", "no", "off", "n", "f", ""}


def _value(name: str, raw: str, kind: str):  # type: ignore[no-untyped-def]
    text = raw.strip()
    try:
        if kind == "int":
            return int(text)
        if kind == "decimal":
            return str(Decimal(text).quantize(Decimal("0.01")))  # JSON keeps the exact text
        if kind == "bool":
            if text.lower() not in TRUE | FALSE:
                raise ValueError(text)
            return text.lower() in TRUE
        hours, minutes = text.split(":")  # hhmm
        return f"{int(hours):02d}:{int(minutes):02d}"
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(
            f"{name}={raw!r} is not a valid {kind}; fix or unset it, then migrate again"
        ) from exc


def environment_overrides(environ=None) -> dict:  # type: ignore[no-untyped-def]
    env = os.environ if environ is None else environ
    return {
        path: _value(name, env[name], kind) for name, (path, kind) in FROM_ENVIRONMENT.items() if name in env
    }


def policy_from_environment(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    found = environment_overrides()
    if not found:
        return
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    current = PolicyVersion.objects.order_by("-version").first()
    if current is None:  # a fresh database: version 1 is the installed default, as post_migrate makes it
        current = PolicyVersion.objects.create(
            version=1,
            name="Utility policy",
            presets=["DEFAULT"],
            overrides={},
            note="Installed default: rules.md §3 parameter catalogue.",
        )
    names = ", ".join(sorted(n for n in FROM_ENVIRONMENT if n in os.environ))
    PolicyVersion.objects.create(
        version=current.version + 1,
        name=current.name,
        presets=list(current.presets),
        overrides={**current.overrides, **found},
        note=f"From the environment at upgrade ({names}): these business rules were Django settings "
        f"before; v{current.version} plus them, so nothing changes. Unset the variables: they are no longer read.",
    )


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(policy_from_environment, migrations.RunPython.noop)]
