"""Funds in the UI: the codes a bill file needs are shown where staff import bills and on a funds
page for administrators and supervisors; screens print the code the import takes next to the GL
number; the administrator edits funds in the admin, validated and audited."""

import pytest
from django.utils import timezone

from accounts.models import Fund
from accounts.services.bills import COLUMNS, OPTIONAL, bill_file_columns
from accounts.tests.factories import AccountFactory, charge
from common.models import AuditEvent
from conftest import ROLE_NAMES, assert_access

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES


def test_the_funds_page_lists_codes_and_gl_numbers_for_administrators_and_supervisors(role_clients):
    assert_access(role_clients, "/accounts/funds/", {SUPERVISOR, ADMIN})
    page = role_clients[SUPERVISOR].get("/accounts/funds/").content.decode()
    assert "<code>WTR</code></td><td>Water</td><td>5100</td>" in page
    assert "<code>SWR</code>" in page and "Add a fund" not in page
    admin_page = role_clients[ADMIN].get("/accounts/funds/").content.decode()
    assert "/admin/accounts/fund/add/" in admin_page and "Import bills" in admin_page
    assert "/accounts/funds/" in role_clients[ADMIN].get("/administration/").content.decode()


def test_the_bill_import_page_shows_the_columns_and_the_fund_codes(role_clients):
    assert [c[0] for c in bill_file_columns()] == COLUMNS + OPTIONAL
    page = role_clients[ADMIN].get("/accounts/bills/import/").content.decode()
    for column in COLUMNS + OPTIONAL:
        assert f"<code>{column}</code>" in page
    assert "<td><code>WTR</code></td><td>Water</td>" in page and "<code>SWR</code>" in page
    Fund.objects.filter(code="HYD").update(active=False)  # the import refuses an inactive fund
    assert "<code>HYD</code>" not in role_clients[ADMIN].get("/accounts/bills/import/").content.decode()


def test_screens_print_the_code_the_import_takes_beside_the_gl_number(role_clients):
    account = AccountFactory()
    charge(account, "12.00", due=timezone.localdate())
    page = role_clients[COUNSELOR].get(f"/accounts/{account.number}/").content.decode()
    assert "Water <span" in page and "WTR · GL 5100" in page


def _form(**kw: str) -> dict[str, str]:
    return {
        "code": "rcl",
        "gl_code": "5700",
        "name": "Recycling",
        "kind": "utility",
        "utility": "solid_waste",
        "priority": "35",
        "active": "on",
        **kw,
    }


def test_administrators_add_funds_in_the_admin_validated_and_audited(role_clients):
    client = role_clients[ADMIN]
    assert client.get("/admin/accounts/fund/").status_code == 200
    assert role_clients[SUPERVISOR].get("/admin/accounts/fund/").status_code == 403
    refusals = [
        (_form(code="W TR"), "2 to 12 letters or digits"),
        (_form(gl_code="five"), "Digits, with dots or dashes"),
        (_form(code="5100"), "5100 is the GL number of WTR Water"),
        (_form(code="5700"), "The GL number must differ from the fund code"),
        (_form(utility=""), "A utility-service fund names its utility"),
        (_form(kind="fee"), "Only a utility-service fund names a utility"),
        (_form(code="WTR"), "already exists"),
    ]
    for data, message in refusals:
        response = client.post("/admin/accounts/fund/add/", data)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert not Fund.objects.filter(name="Recycling").exists()
    assert client.post("/admin/accounts/fund/add/", _form()).status_code == 302
    assert (
        Fund.objects.get(code="RCL").name == "Recycling"
    )  # typed in lower case, stored as the file will carry it
    assert AuditEvent.objects.filter(verb="admin.add.fund").count() == 1


def test_a_funds_code_is_set_once_and_funds_are_not_deleted(role_clients):
    client = role_clients[ADMIN]
    water = Fund.objects.get(code="WTR")
    page = client.get(f"/admin/accounts/fund/{water.pk}/change/").content.decode()
    assert 'name="code"' not in page and 'name="gl_code"' in page
    response = client.post(
        f"/admin/accounts/fund/{water.pk}/change/",
        _form(code="XXX", gl_code="5101", name="Water", utility="water", priority="10"),
    )
    assert response.status_code == 302
    water.refresh_from_db()
    assert (water.code, water.gl_code) == ("WTR", "5101")
    assert AuditEvent.objects.filter(verb="admin.change.fund").count() == 1
    assert client.post(f"/admin/accounts/fund/{water.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Fund.objects.filter(pk=water.pk).exists()
