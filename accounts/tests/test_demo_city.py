"""The synthetic city: shape, money invariants, a realistic mix, determinism, schema left intact."""

# ruff: noqa: S608 -- SQL assembled from the test's own constants

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from accounts import demo_city_money
from accounts.demo_city import demo_city_load
from accounts.demo_city_schema import MARKER
from accounts.models import Account, Bill, Customer, LedgerEntry, Premise, Service
from accounts.services.ledger_check import ledger_check_run

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
SIZE = {"accounts": 300, "months": 6}

# A digest of every generated column that matters, table by table, in id order.
DIGESTED = {
    "accounts_customer": "kind, search_name, phone, email, mail_line1, mail_city, preferred_language, "
    "id_document_type, id_last4, life_support, created_at",
    "accounts_premise": "search_address, postal_code, parent_id, owner_id",
    "accounts_account": "number, customer_id, premise_id, account_class, status, bill_cycle, opened_on, "
    "closed_on, occupancy, cash_only_until, credit_rating, balance",
    "accounts_service": "account_id, utility, status, started_on, ended_on, meter_number",
    "accounts_bill": "number, period_start, bill_date, due_date, total, is_final",
    "accounts_ledgerentry": "account_id, fund_id, kind, amount, effective_date, due_date, bill_id, "
    "reference, created_at",
}
DIGEST_SQL = (
    "SELECT md5("
    + " || ".join(
        f"(SELECT string_agg(concat_ws(',', id, {columns}), ';' ORDER BY id) FROM {table})"
        for table, columns in DIGESTED.items()
    )
    + ")"
)
SCHEMA_SQL = """
SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
ORDER BY 1"""


def _one(sql: str, params: list | None = None):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _all(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def city() -> dict[str, int]:
    return demo_city_load(seed=7, today=TODAY, **SIZE)


def test_counts_match_the_tables_and_the_calendar(city):
    assert city == {
        "customers": Customer.objects.count(),
        "premises": Premise.objects.count(),
        "accounts": Account.objects.count(),
        "services": Service.objects.count(),
        "bills": Bill.objects.count(),
        "ledger_entries": LedgerEntry.objects.count(),
    }
    assert city["accounts"] == SIZE["accounts"]
    assert city["premises"] < city["accounts"]  # a move-in takes over the premise of a move-out
    assert Customer.objects.filter(accounts__isnull=True, owned_premises__isnull=False).exists()  # landlords
    # an account open all along, never closed, has one bill a month, the last one on or before today
    steady = Account.objects.filter(status="active", opened_on__lt=date(2026, 4, 1))
    assert steady.count() > 200
    for account in steady:
        bills = list(account.bills.order_by("bill_date").values_list("bill_date", flat=True))
        assert len(bills) == SIZE["months"]
        assert bills[-1] <= TODAY and (TODAY - bills[-1]).days < 31
        assert all(b.day == account.bill_cycle for b in bills)
    # one charge line per bill per service the account has
    assert not _all("""
        SELECT b.id FROM accounts_bill b
        WHERE (SELECT count(*) FROM accounts_ledgerentry e WHERE e.bill_id = b.id)
           <> (SELECT count(*) FROM accounts_service s WHERE s.account_id = b.account_id)""")


def test_every_balance_is_the_sum_of_its_entries(city):
    mismatched = _one("""
        SELECT count(*) FROM accounts_account a
        LEFT JOIN (SELECT account_id, sum(amount) AS s FROM accounts_ledgerentry GROUP BY account_id) l
               ON l.account_id = a.id
        WHERE a.balance <> COALESCE(l.s, 0)""")
    assert mismatched == 0
    run = ledger_check_run(business_date=TODAY)  # the nightly proof agrees
    assert run.accounts_checked == SIZE["accounts"] and run.discrepancies == 0


def test_bill_totals_are_the_sum_of_their_charge_lines(city):
    assert not _all("""
        SELECT b.id FROM accounts_bill b JOIN accounts_ledgerentry e ON e.bill_id = b.id
        GROUP BY b.id, b.total HAVING b.total <> sum(e.amount)""")
    assert (
        _one("SELECT count(*) FROM accounts_bill WHERE is_final")
        == Account.objects.filter(status="final").count()
    )


def test_entries_have_the_sides_and_dates_of_their_kind(city):
    bad = _all(f"""
        SELECT e.id FROM accounts_ledgerentry e LEFT JOIN accounts_bill b ON b.id = e.bill_id
        WHERE e.effective_date > '{TODAY}'
           OR NOT (CASE e.kind
                WHEN 'charge' THEN e.amount > 0 AND e.is_debit AND e.effective_date = b.bill_date
                                   AND e.due_date = b.due_date AND b.account_id = e.account_id
                                   AND e.reference = ''
                WHEN 'payment' THEN e.amount < 0 AND NOT e.is_debit AND e.bill_id IS NULL
                                    AND e.due_date IS NULL AND e.reference = 'DEMO-PAY'
                ELSE false END)
           OR e.idempotency_key IS NOT NULL OR e.created_by_id IS NOT NULL""")
    assert bad == []
    assert _one("SELECT count(DISTINCT fund_id) FROM accounts_ledgerentry") == 7


def test_a_realistic_mix_of_payers(city):
    rows = _all(f"""
        SELECT a.balance, COALESCE((SELECT sum(amount) FROM accounts_ledgerentry e
                WHERE e.account_id = a.id AND e.kind = 'charge' AND e.due_date > '{TODAY}'::date - 90), 0)
        FROM accounts_account a""")
    settled = sum(1 for balance, _ in rows if balance <= 0)
    credit = sum(1 for balance, _ in rows if balance < 0)
    over_90 = sum(1 for balance, recent in rows if balance > recent)  # owes charges due 90+ days ago
    behind = sum(1 for balance, recent in rows if 0 < balance <= recent)
    assert 0.2 * len(rows) < settled < 0.8 * len(rows)
    assert credit >= 2
    assert 0.03 * len(rows) < over_90 < 0.25 * len(rows)
    assert behind > 0.2 * len(rows)
    statuses = dict(_all("SELECT status, count(*) FROM accounts_account GROUP BY status"))
    assert statuses["active"] > 0.8 * len(rows) and statuses.get("final") and statuses.get("closed")
    classes = dict(_all("SELECT account_class, count(*) FROM accounts_account GROUP BY account_class"))
    assert (
        classes["residential"] > 0.75 * len(rows) and classes.get("commercial") and classes.get("multi_unit")
    )
    assert Service.objects.filter(status__in=["disconnected", "low_flow"]).exists()


def test_names_addresses_and_buildings(city):
    for kind, first, last, business, search in Customer.objects.values_list(
        "kind", "first_name", "last_name", "business_name", "search_name"
    ):
        if kind == "person":
            assert search == f"{last}, {first}".upper() and re.fullmatch(r"[A-Z]+, [A-Z]+", search)
        else:
            assert search == business.upper() and business
    assert not Customer.objects.exclude(phone="").exclude(phone__regex=r"^\(\d{3}\) \d{3}-\d{4}$").exists()
    assert not _all(
        "SELECT id FROM accounts_customer WHERE phone_digits <> regexp_replace(phone, '\\D', '', 'g')"
    )
    assert Customer.objects.filter(preferred_language="es").exists()
    for premise in Premise.objects.exclude(unit=""):
        assert premise.search_address == f"{premise.address} #{premise.unit}".upper()
        assert premise.parent.parent_id is None and premise.parent.address == premise.address
    assert Premise.objects.filter(owner__accounts__isnull=True).exists()  # landlords own rentals
    assert (
        Account.objects.filter(occupancy="tenant").exists()
        and Account.objects.filter(occupancy="owner").exists()
    )
    assert not Account.objects.exclude(number__regex=r"^\d{10}$").exists()


def test_same_seed_same_city_other_seed_other_city():
    demo_city_load(seed=7, today=TODAY, **SIZE)
    first = _one(DIGEST_SQL)
    demo_city_load(seed=7, today=TODAY, **SIZE)
    assert _one(DIGEST_SQL) == first
    demo_city_load(seed=8, today=TODAY, **SIZE)
    assert _one(DIGEST_SQL) != first


def test_indexes_and_constraints_come_back_exactly(city):
    before = _all(SCHEMA_SQL)
    demo_city_load(seed=3, today=TODAY, accounts=50, months=3)
    assert _all(SCHEMA_SQL) == before
    assert _one("SELECT to_regclass('demo_city_plan')") is None


def test_seed_demo_loads_staff_and_city_and_if_empty_keeps_them(settings):
    settings.DEMO_ALLOWED = True
    call_command("seed_demo", "--accounts", "40", "--months", "3")
    first = _one("SELECT md5(string_agg(concat(id, balance), ',' ORDER BY id)) FROM accounts_account")
    call_command("seed_demo", "--if-empty", "--accounts", "60", "--months", "3", "--seed", "5")
    assert Account.objects.count() == 40
    assert _one("SELECT md5(string_agg(concat(id, balance), ',' ORDER BY id)) FROM accounts_account") == first


def test_the_demo_city_runs_under_phoenix_water_saved_and_audited_once(settings):
    """Issue 12: the demo city runs under a named preset (rules.md §2 AZ_PHOENIX_WATER), saved as
    a policy version through policy.services (audited); seeding again adds no version."""
    from common.models import AuditEvent
    from policy.demo import demo_policy_use
    from policy.models import PolicyVersion
    from policy.selectors import current_policy

    settings.DEMO_ALLOWED = True
    call_command("seed_demo", "--accounts", "40", "--months", "3")
    policy, version = current_policy()
    assert policy.preset_names == ("AZ_PHOENIX_WATER",) and version.created_by.username == "admin"
    audit = AuditEvent.objects.get(verb="policy.version")
    assert audit.actor.username == "admin" and audit.data["presets"] == ["AZ_PHOENIX_WATER"]
    assert "seed_demo" in audit.data["note"]
    call_command("seed_demo", "--if-empty", "--accounts", "40", "--months", "3")
    assert demo_policy_use() is None  # already in force: seeding again saves nothing
    assert PolicyVersion.objects.filter(presets=["AZ_PHOENIX_WATER"]).count() == 1
    # the demo's shutoff notices say what the policy in force says, never California's statute
    # (read as rows: this app sits below collections_app and does not import it)
    notices = _all("SELECT reason, citation FROM collections_app_notice")
    assert notices and {row for row in notices} == {
        ("Past due more than 31 days (demo data)", "utility policy")
    }


@pytest.mark.django_db(transaction=True)
def test_parallel_load_matches_the_single_transaction_one():
    demo_city_load(seed=7, today=TODAY, workers=1, **SIZE)
    schema, serial = _all(SCHEMA_SQL), _one(DIGEST_SQL)
    demo_city_load(seed=7, today=TODAY, workers=2, **SIZE)
    assert _one(DIGEST_SQL) == serial
    assert _all(SCHEMA_SQL) == schema
    assert _one("SELECT to_regclass(%s)", [MARKER]) is None


@pytest.mark.django_db(transaction=True)
def test_a_failed_parallel_load_puts_the_schema_back(monkeypatch):
    demo_city_load(seed=7, today=TODAY, workers=1, accounts=50, months=3)
    schema = _all(SCHEMA_SQL)
    monkeypatch.setattr(demo_city_money, "ledger_sql", lambda *a: "SELECT 1 / 0")
    monkeypatch.setattr("accounts.demo_city.ledger_sql", demo_city_money.ledger_sql)
    with pytest.raises(Exception, match="division by zero"):
        demo_city_load(seed=7, today=TODAY, workers=2, accounts=50, months=3)
    assert _all(SCHEMA_SQL) == schema
    assert Account.objects.count() == 0 and LedgerEntry.objects.count() == 0
    assert _one("SELECT to_regclass(%s)", [MARKER]) is None
