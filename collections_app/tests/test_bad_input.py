"""Bad input to every collections form, API call and file import: a clear message (a form error,
or 400 JSON naming the field), a 4xx never a 500, and nothing saved (row counts unchanged)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import LedgerEntry
from collections_app.models import AgencyReferral, CollectionAgency
from collections_app.models.recovery import AgencyRemittance, AgencyRemittanceLine
from collections_app.services.agency import remittance_import
from collections_app.tests.test_agency import final_billed
from common.exceptions import ImportRejected
from common.models import AuditEvent
from conftest import ROLE_NAMES
from payments.models import Payment

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()


def _rows() -> dict[str, int]:
    """What a refused request must leave as it was."""
    return {
        "payments": Payment.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "remittances": AgencyRemittance.objects.count(),
        "remittance_lines": AgencyRemittanceLine.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# --- agency remittance file: all or nothing, errors by line --------------------------------------

HEADER = "account_number,referral_id,agency_ref,amount,paid_on,commission"


@pytest.fixture
def agency() -> CollectionAgency:
    return CollectionAgency.objects.create(name="Desert Recovery Services")


@pytest.fixture
def referral(agency: CollectionAgency) -> AgencyReferral:
    return AgencyReferral.objects.create(
        account=final_billed(100, "200.00", number="0000550001"),
        agency=agency,
        referred_on=TODAY - timedelta(days=5),
        principal=Decimal("200.00"),
    )


@pytest.fixture
def remit(referral, agency, make_user):  # type: ignore[no-untyped-def]
    officer = make_user("rita", COLLECTOR)

    def run(text: str | bytes, name: str = "remit.csv"):  # type: ignore[no-untyped-def]
        data = text.encode() if isinstance(text, str) else text
        return remittance_import(data=data, file_name=name, agency_id=agency.pk, actor=officer)

    return run


def _line(
    referral: AgencyReferral, amount: str = "10.00", paid_on: object = TODAY, rid: object = None
) -> str:
    return f"{referral.account.number},{referral.pk if rid is None else rid},,{amount},{paid_on},"


def test_a_bad_line_in_the_middle_rejects_the_file_and_names_its_line(remit, referral):
    before = _rows()
    with pytest.raises(ImportRejected) as exc:
        remit(
            "\n".join(
                [HEADER, _line(referral), _line(referral, paid_on="2026-02-30"), _line(referral, "1.005")]
            )
        )
    assert exc.value.errors == [
        (3, "paid_on '2026-02-30' is not a date (use YYYY-MM-DD)"),
        (4, "amount '1.005' has more than 2 decimals"),
    ]
    assert _rows() == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", (1, "Missing column(s): account_number, amount, paid_on.")),
        (HEADER.encode(), (1, "The file has no payment lines.")),
        (b"acct,amt,date\n0000550001,10.00,2026-01-05\n", (1, "Missing column(s): account_number, amount")),
        ("caf\xe9".encode("latin-1"), (0, "The file is not UTF-8 text")),
    ],
    ids=["empty", "header only", "wrong columns", "not utf-8"],
)
def test_files_that_are_not_remittances_are_refused_with_a_reason(remit, data, expected):
    before = _rows()
    with pytest.raises(ImportRejected) as exc:
        remit(data)
    line, message = exc.value.errors[0]
    assert line == expected[0] and message.startswith(expected[1])
    assert _rows() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5.00", "amount must be more than zero"),
        ("0", "amount must be more than zero"),
        ("abc", "amount 'abc' is not an amount"),
        ("10.001", "amount '10.001' has more than 2 decimals"),
        ("99999999999.00", "amount '99999999999.00' is too large"),
    ],
)
def test_bad_amounts_are_named_by_line(remit, referral, amount, message):
    with pytest.raises(ImportRejected) as exc:
        remit(f"{HEADER}\n{_line(referral, amount)}\n")
    assert exc.value.errors == [(2, message)]
    assert not Payment.objects.exists()


def test_a_referral_id_in_other_digits_is_not_a_number(remit, referral):
    """'²'.isdigit() is true but int('²') fails: it used to escape as a 500."""
    with pytest.raises(ImportRejected) as exc:
        remit(f"{HEADER}\n{_line(referral, rid='²')}\n")
    assert exc.value.errors == [(2, "referral_id '²' is not a number")]


def test_a_field_too_long_for_csv_is_a_line_error_not_a_crash(remit, referral):
    before = _rows()
    with pytest.raises(ImportRejected) as exc:
        remit(f"{HEADER}\n{_line(referral)}\n{referral.account.number},,{'x' * 200_000},10.00,{TODAY},\n")
    assert exc.value.errors[0][0] == 3 and "longer than" in exc.value.errors[0][1]
    assert _rows() == before


def test_a_file_with_old_mac_line_endings_is_read(remit, referral):
    record = remit("\r".join([HEADER, _line(referral, "10.00"), _line(referral, "5.00")]) + "\r")
    assert (record.lines, str(record.total)) == (2, "15.00")


def test_the_same_remittance_re_saved_is_refused_the_second_time(remit, referral):
    lines = [HEADER, _line(referral, "10.00"), _line(referral, "5.00")]
    remit("\n".join(lines) + "\n", "june.csv")
    before = _rows()
    copy = "\ufeff" + "\r\n".join([HEADER, _line(referral, "5.0"), _line(referral, "10")]) + "\r\n\r\n"
    for data in ("\n".join(lines) + "\n", copy):  # the same bytes; re-saved by a spreadsheet
        with pytest.raises(ImportRejected) as exc:
            remit(data, "june (1).csv")
        assert "already imported" in exc.value.errors[0][1] and "june.csv" in exc.value.errors[0][1]
    assert _rows() == before
    # a different remittance for the same referral still posts
    assert remit(f"{HEADER}\n{_line(referral, '7.00')}\n", "july.csv").lines == 1


def test_the_remittance_page_lists_each_bad_line_and_saves_nothing(referral, role_clients):
    before = _rows()
    data = f"{HEADER}\n{_line(referral)}\n{_line(referral, 'ten')}\n{_line(referral, paid_on='01/05/2026')}\n"
    page = role_clients[COLLECTOR].post(
        "/collections/recovery/referrals/remittance/",
        {"agency": referral.agency_id, "file": SimpleUploadedFile("bad.csv", data.encode())},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Nothing was imported: 2 problem(s) in the file." in html
    assert "Line 3: amount &#x27;ten&#x27; is not an amount" in html
    assert "Line 4: paid_on &#x27;01/05/2026&#x27; is not a date (use YYYY-MM-DD)" in html
    assert _rows() == before


def test_the_remittance_page_refuses_an_empty_upload_and_an_unknown_agency(referral, role_clients):
    url = "/collections/recovery/referrals/remittance/"
    client = role_clients[COLLECTOR]
    empty = client.post(url, {"agency": referral.agency_id, "file": SimpleUploadedFile("e.csv", b"")})
    assert empty.status_code == 200 and "The submitted file is empty." in empty.content.decode()
    unknown = client.post(url, {"agency": 999999, "file": SimpleUploadedFile("r.csv", HEADER.encode())})
    assert "Select a valid choice" in unknown.content.decode()
    assert not AgencyRemittance.objects.exists()


# --- records that do not exist: 404, not a 500 from a bare .get() --------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/collections/recovery/small-claims/999999/hearing",
        "/collections/recovery/small-claims/999999/judgment",
        "/collections/recovery/bankruptcies/999999/assurance",
        "/collections/recovery/bankruptcies/999999/setoff",
        "/collections/recovery/bankruptcies/999999/discharge",
        "/collections/recovery/bankruptcies/999999/dismiss",
        "/collections/recovery/referrals/999999/recall",
        "/collections/recovery/write-offs/999999/decide",
        "/collections/deposits/999999/waive/",
        "/collections/appeals/999999/resolve/",
        "/collections/shutoff/999999/approve/",
    ],
)
def test_actions_on_a_record_that_does_not_exist_answer_404(role_clients, path):
    data = {"on": str(TODAY), "amount": "10.00", "received_on": str(TODAY), "form": "other"}
    data |= {"note": "Court order", "reason": "Customer disputes", "outcome": "done", "decision": "approve"}
    before = _rows()
    assert role_clients[SUPERVISOR].post(path, data).status_code == 404
    assert _rows() == before


def test_services_refuse_unknown_records_with_a_message(make_user):
    from collections_app.services.agency import referral_recall
    from collections_app.services.bankruptcy import assurance_record
    from collections_app.services.small_claims import claim_hearing
    from collections_app.services.write_offs import write_off_decide
    from common.exceptions import DomainError

    boss = make_user("sam", SUPERVISOR)
    calls = [
        (lambda: claim_hearing(claim_id=999999, hearing_on=TODAY, actor=boss), "No such small claim."),
        (
            lambda: assurance_record(
                case_id=999999, amount=Decimal(1), received_on=TODAY, form="other", actor=boss
            ),
            "No such bankruptcy case.",
        ),
        (lambda: referral_recall(referral_id=999999, reason="Paid", actor=boss), "No such agency referral."),
        (
            lambda: write_off_decide(write_off_id=999999, approve=True, note="", actor=boss),
            "No such write-off request.",
        ),
    ]
    for call, message in calls:
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.message == message


# --- write-off decision and referral recall: the form decides nothing by default ----------------


@pytest.fixture
def pending_write_off(make_user):  # type: ignore[no-untyped-def]
    from collections_app.models import WriteOff

    return WriteOff.objects.create(
        account=final_billed(200, "80.00"),
        kind="uncollectible",
        amount=Decimal("80.00"),
        criteria="debtor_not_found",
        reason="Letters returned",
        requested_by=make_user("olga", COLLECTOR),
        idempotency_key="bad-input-wo",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose approve or reject."),
        ({"decision": "aprove", "note": "typo"}, "Choose approve or reject."),
        ({"decision": "approve", "note": "x" * 1001}, "Keep the note to 1000 characters (it has 1001)."),
    ],
    ids=["no decision", "unknown decision", "note too long"],
)
def test_a_write_off_decision_needs_a_clear_decision(role_clients, pending_write_off, data, message):
    before = _rows()
    page = role_clients[SUPERVISOR].post(
        f"/collections/recovery/write-offs/{pending_write_off.pk}/decide", data, follow=True
    )
    assert message in page.content.decode()
    pending_write_off.refresh_from_db()
    assert pending_write_off.status == "pending" and _rows() == before


def test_a_recall_needs_a_reason_of_a_sensible_length(role_clients, referral):
    client = role_clients[COLLECTOR]
    url = f"/collections/recovery/referrals/{referral.pk}/recall"
    for data, message in (
        ({}, "Say why the account is recalled from the agency."),
        ({"reason": "y" * 501}, "Keep the reason to 500 characters (it has 501)."),
    ):
        assert message in client.post(url, data, follow=True).content.decode()
    referral.refresh_from_db()
    assert referral.status == "referred"
