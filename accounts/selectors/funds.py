"""Fund codes by id, kept per process: a receipt names the funds a payment settled on every request.

Safe to keep because a fund row's code never changes: funds are reference data created by code
(`accounts.reference_data`) or added in the admin, which sets the code once (`accounts.admin`:
read-only on change, funds are never deleted), and an id is never reused (a test's
flush recreates the funds under new ids). A fund this process has not seen yet is a miss, which
reads the table again.
"""

from django.db.models import QuerySet

from accounts.models import Fund

_codes: dict[int, str] = {}


class _Codes(dict[int, str]):
    def __missing__(self, fund_id: int) -> str:
        _codes.update(Fund.objects.values_list("id", "code"))
        self.update(_codes)
        return _codes[fund_id]  # KeyError: no such fund


def fund_codes() -> dict[int, str]:
    """id -> code; looking up an id this process has not seen reads the funds again."""
    return _Codes(_codes)


def funds_for_display() -> QuerySet[Fund]:
    """Every fund, active first, in settling order: what the funds page and the bill import show."""
    return Fund.objects.order_by("-active", "priority", "code")
