"""Display helpers for the policy engine's answers (labels only; no logic)."""

from django import template

register = template.Library()

# The fee keys of selectors.whatif.evaluate() as staff read them.
AMOUNT_LABELS = {
    "late_fee": "Late fee",
    "notice_fee": "Notice fee",
    "trip_fee": "Trip fee",
    "reconnect_fee": "Reconnection fee",
    "reconnect_fee_after_hours": "Reconnection fee, after hours",
    "deposit_required": "Security deposit",
    "write_off": "Write-off",
    "agency_referral": "Agency referral",
}


@register.filter
def amount_label(key: str) -> str:
    return AMOUNT_LABELS.get(key, key.replace("_", " ").capitalize())
