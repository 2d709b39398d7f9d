from decimal import Decimal

import pytest

from accounts.models import Bill, BillImport, EntryKind, LedgerEntry
from accounts.services.bills import bill_import
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory
from common.exceptions import ImportRejected
from common.models import AuditEvent

pytestmark = pytest.mark.django_db
HEADER = "bill_number,account_number,period_start,period_end,bill_date,due_date,fund_code,amount,final\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_a_good_file_posts_bills_charges_and_balances(make_user):
    admin = make_user("sam", "Administrator")
    a, b = AccountFactory(), AccountFactory()
    data = _csv(
        f"B1001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,41.20,no",
        f"B1001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,SWR,30.05,no",
        f"B1002,{b.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,12.00,yes",
    )
    result = bill_import(data=data, file_name="nov.csv", actor=admin)
    assert (result.created, result.skipped) == (2, 0)
    bill = Bill.objects.get(number="B1001")
    assert bill.total == Decimal("71.25") and not bill.is_final and Bill.objects.get(number="B1002").is_final
    charges = LedgerEntry.objects.filter(bill=bill, kind=EntryKind.CHARGE)
    assert sorted(e.amount for e in charges) == [Decimal("30.05"), Decimal("41.20")]
    assert all(e.due_date.isoformat() == "2026-11-22" and e.is_debit for e in charges)
    a.refresh_from_db()
    assert a.balance == Decimal("71.25") == ledger_sum(a.pk)
    assert AuditEvent.objects.filter(verb="bill.post", account_id=a.pk).count() == 1
    assert AuditEvent.objects.filter(verb="bill.import").count() == 1


def test_reimporting_the_same_file_changes_nothing(make_user):
    admin = make_user("sam", "Administrator")
    a = AccountFactory()
    data = _csv(f"B2001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,10.00,")
    bill_import(data=data, file_name="x.csv", actor=admin)
    again = bill_import(data=data, file_name="x.csv", actor=admin)
    assert (again.created, again.skipped) == (0, 1)
    a.refresh_from_db()
    assert a.balance == Decimal("10.00") and LedgerEntry.objects.count() == 1


def test_bad_rows_save_nothing_and_each_bad_line_is_named(make_user):
    admin = make_user("sam", "Administrator")
    a = AccountFactory()
    data = _csv(
        f"B3001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,10.00,",  # line 2: good
        f"B3002,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-10-22,WTR,10.00,",  # 3: due before bill
        f"B3003,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,ten,",  # 4: amount
        "B3004,0000000000,2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,5.00,",  # 5: no such account
        f"B3005,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,XYZ,5.00,",  # 6: fund
        f"B3006,{a.number},2026-13-01,2026-10-31,2026-11-01,2026-11-22,WTR,5.00,",  # 7: date
        f"B3007,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,-5.00,",  # 8: negative
        f"B3001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,3.00,",  # 9: fund twice
    )
    with pytest.raises(ImportRejected) as info:
        bill_import(data=data, file_name="bad.csv", actor=admin)
    lines = dict(info.value.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "due_date is before bill_date" in lines[3] and "not an amount" in lines[4]
    assert "no account numbered 0000000000" in lines[5] and "unknown fund code XYZ" in lines[6]
    assert "not a date" in lines[7] and "more than zero" in lines[8] and "twice" in lines[9]
    assert not Bill.objects.exists() and not LedgerEntry.objects.exists() and not BillImport.objects.exists()
    a.refresh_from_db()
    assert a.balance == 0


def test_changed_content_for_an_imported_bill_is_refused(make_user):
    admin = make_user("sam", "Administrator")
    a = AccountFactory()
    bill_import(
        data=_csv(f"B4001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,10.00,"),
        file_name="1.csv",
        actor=admin,
    )
    with pytest.raises(ImportRejected) as info:
        bill_import(
            data=_csv(f"B4001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,11.00,"),
            file_name="2.csv",
            actor=admin,
        )
    assert info.value.errors == [(2, "bill B4001 was imported before with different content")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"account,amount\n1,2\n", "Missing column(s): bill_number"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (HEADER.encode(), "no bill lines"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(make_user, data, message):
    with pytest.raises(ImportRejected) as info:
        bill_import(data=data, file_name="f.csv", actor=make_user("sam", "Administrator"))
    assert message in info.value.errors[0][1]


def test_bill_import_page_hands_the_file_to_a_job(role_clients):
    """Line errors are shown on the job's page once a worker has run it (test_bill_import_job)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from common.models import Job

    admin = role_clients["Administrator"]
    upload = SimpleUploadedFile(
        "b.csv", _csv("B9,nope,2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,5.00,")
    )
    answer = admin.post("/accounts/bills/import/", {"file": upload})
    job = Job.objects.get(kind="accounts.bill_import")
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    assert not Bill.objects.exists()


def test_errors_name_the_file_line_of_the_bad_fund_not_the_bills_first_line(make_user):
    """A bill's second fund line is file line 3 (the header is line 1): the error says 3, not 2."""
    admin = make_user("sam", "Administrator")
    a = AccountFactory()
    data = _csv(
        f"B5001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,10.00,",  # line 2
        f"B5001,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTX,5.00,",  # line 3: fund
        f'B5002,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,"WTR",1.00,"two\nlines"',  # 4-5
        f"B5003,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,5100,5.00,",  # line 6: GL number
    )
    with pytest.raises(ImportRejected) as info:
        bill_import(data=data, file_name="bad.csv", actor=admin)
    lines = dict(info.value.errors)
    assert sorted(lines) == [3, 4, 6]
    assert lines[3].startswith("bill B5001: unknown fund code WTX (the active fund codes: ")
    assert "WTR" in lines[3] and "SWR" in lines[3]
    assert "final 'two\nlines' must be yes or no" in lines[4]
    assert "5100 is the GL number of WTR (Water); the fund_code column takes the fund code" in lines[6]
