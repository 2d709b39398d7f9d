"""Bad input to every collections form, API call and file import: a clear message (a form error,
or 400 JSON naming the field), a 4xx never a 500, and nothing saved (row counts unchanged)."""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import LedgerEntry
from collections_app.models import (
    AgencyReferral,
    Appeal,
    BankruptcyCase,
    CollectionAgency,
    ContactAttempt,
    CreditReferenceLetter,
    MedicalCertificate,
    Notice,
    NoticeBatch,
    SecurityDeposit,
    SmallClaim,
    WriteOff,
)
from collections_app.models.orders import ServiceOrder
from collections_app.models.recovery import AgencyRemittance, AgencyRemittanceLine
from collections_app.services.agency import remittance_import
from collections_app.tests.test_agency import final_billed
from common.exceptions import ImportRejected
from common.middleware import NUL_MESSAGE
from common.models import AuditEvent, Job
from conftest import ROLE_NAMES
from payments.models import Payment
from policy.models import Holiday, PolicyVersion, WeatherDay

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()


SAVED = [
    Payment, LedgerEntry, AuditEvent, AgencyRemittance, AgencyRemittanceLine, AgencyReferral, Appeal,
    BankruptcyCase, ContactAttempt, CreditReferenceLetter, Holiday, MedicalCertificate, Notice,
    NoticeBatch, PolicyVersion, SecurityDeposit, ServiceOrder, SmallClaim, WeatherDay, WriteOff,
]  # fmt: skip


def _rows() -> dict[str, int]:
    """What a refused request must leave as it was: every table a collections form or call writes."""
    return {model.__name__: model.objects.count() for model in SAVED}


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


def test_the_remittance_page_stores_the_file_as_a_job_and_saves_nothing(referral, role_clients):
    """Each bad line is listed on the job's page once a worker has run it (test_remittance_job)."""
    from common.models import Job

    before = _rows()
    data = f"{HEADER}\n{_line(referral)}\n{_line(referral, 'ten')}\n{_line(referral, paid_on='01/05/2026')}\n"
    page = role_clients[COLLECTOR].post(
        "/collections/recovery/referrals/remittance/",
        {"agency": referral.agency_id, "file": SimpleUploadedFile("bad.csv", data.encode())},
    )
    job = Job.objects.get(kind="collections.remittance_import")
    assert page.status_code == 302 and page["Location"] == f"/jobs/{job.pk}/"
    assert bytes(Job.objects.only("input_data").get(pk=job.pk).input_data) == data.encode()
    after = _rows()
    after["AuditEvent"] -= 1  # the job's submission is audited; nothing else is written
    assert after == before


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


# --- dates: impossible, far out, or on the wrong side of today ----------------------------------


@pytest.fixture
def account():  # type: ignore[no-untyped-def]
    from accounts.tests.factories import AccountFactory, charge

    account = AccountFactory(number="0000660001", opened_on=date(2020, 1, 1))
    charge(account, "150.00", due=TODAY - timedelta(days=90))
    return account


def _form_errors(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


RANGE = "Enter a date between 1900 and 2100."
FAR = ["9999-12-31", "0001-01-01", "2101-01-01"]


@pytest.mark.parametrize("day", FAR)
def test_the_decision_page_and_api_refuse_a_date_out_of_range(role_clients, account, day):
    client = role_clients[COLLECTOR]
    page = client.get(f"/collections/accounts/{account.number}/decision/?as_of={day}")
    assert page.status_code == 200 and f"{RANGE} Showing today." in page.content.decode()
    api = client.get(f"/api/v1/accounts/{account.number}/decision?as_of={day}")
    assert api.status_code == 400 and api.json() == {"as_of": [RANGE]}
    wrong = client.get(f"/api/v1/accounts/{account.number}/decision?as_of=2026-02-30")
    assert wrong.status_code == 400 and wrong.json() == {"as_of": ["Use a date like 2026-11-23."]}


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("what-if/", {"account_number": "0000660001", "as_of": "9999-12-31"}, RANGE),
        ("what-if/", {"account_number": "0000660001", "as_of": "0001-01-01"}, RANGE),
        ("what-if/", {"account_number": "0000660001", "as_of": "2026-02-30"}, "Enter a valid date."),
        (
            "what-if/",
            {"account_number": "0000660001", "as_of": str(TODAY), "pay_amount": "10", "pay_on": "9999-12-31"},
            RANGE,
        ),
        (
            "accounts/0000660001/medical/",
            {"received_on": str(TODAY + timedelta(days=3)), "certifier": "Dr. Lee"},
            "A certificate cannot be recorded before it is received.",
        ),
        ("accounts/0000660001/medical/", {"received_on": "0001-01-01", "certifier": "Dr. Lee"}, RANGE),
        (
            "accounts/0000660001/medical/",
            {"received_on": str(TODAY), "certifier": "Dr. Lee", "valid_until": "9999-12-31"},
            RANGE,
        ),
        (
            "accounts/0000660001/appeal/",
            {"opened_on": str(TODAY + timedelta(days=1)), "subject": "High bill"},
            "An appeal cannot be opened on a day still to come.",
        ),
        (
            "accounts/0000660001/contact-attempt/",
            {"at": f"{TODAY + timedelta(days=2)}T10:00", "method": "phone"},
            "A contact attempt cannot be recorded before it is made.",
        ),
        ("accounts/0000660001/contact-attempt/", {"at": "0001-01-01T00:00", "method": "phone"}, RANGE),
        (
            "accounts/0000660001/field-visit/",
            {
                "reason": "Post notice",
                "scheduled_for": str(TODAY + timedelta(days=400)),
                "idempotency_key": "v",
            },
            "A visit can be scheduled at most a year ahead.",
        ),
        (
            "accounts/0000660001/field-visit/",
            {"reason": "Post notice", "scheduled_for": "9999-12-31", "idempotency_key": "v"},
            RANGE,
        ),
        (
            "accounts/0000660001/notices/",
            {"kind": "shutoff", "method": "phone", "sent_on": "0001-01-01", "key": "n1"},
            RANGE,
        ),
        (
            "accounts/0000660001/notices/",
            {"kind": "shutoff", "method": "phone", "sent_on": "2019-12-31", "key": "n2"},
            "The account was opened on Jan 01, 2020: a notice cannot be dated before that.",
        ),
        (
            "accounts/0000660001/notices/",
            {"kind": "shutoff", "method": "phone", "sent_on": str(TODAY + timedelta(days=1)), "key": "n3"},
            "A notice cannot be recorded before it is given.",
        ),
        (
            "accounts/0000660001/bankruptcy/",
            {"chapter": "7", "case_number": "26-1", "petition_date": "0001-01-01"},
            RANGE,
        ),
        (
            "accounts/0000660001/bankruptcy/",
            {"chapter": "7", "case_number": "26-1", "petition_date": "2026-02-30"},
            "Enter a valid date.",
        ),
        (
            "accounts/0000660001/small-claim/",
            {"court": "Justice Court", "filed_on": "0001-01-01", "claim_amount": "5", "filing_fee": "0"},
            RANGE,
        ),
    ],
)
def test_form_dates_out_of_range_or_time_are_refused_and_nothing_is_saved(
    role_clients, account, path, data, message
):  # type: ignore[no-untyped-def]
    before = _rows()
    html = _form_errors(role_clients[SUPERVISOR].post(f"/collections/{path}", data))
    assert message in html
    assert _rows() == before


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        (
            "/collections/notices/build/",
            {"kind": "shutoff", "business_date": "9999-12-31"},
            f"The batch was not built. For: {RANGE}",
        ),
        (
            "/collections/notices/build/",
            {"kind": "shutoff", "business_date": "0001-01-01"},
            f"The batch was not built. For: {RANGE}",
        ),
        (
            "/collections/policy/holidays/add/",
            {"on": "9999-12-31", "name": "Far day"},
            f"The holiday was not added. Date: {RANGE}",
        ),
        (
            "/collections/policy/holidays/add/",
            {"on": "2026-02-30"},
            "Date: Enter a valid date. Name: This field",
        ),
    ],
)
def test_post_redirect_dates_out_of_range_are_refused(role_clients, path, data, message):
    client = role_clients[ADMIN if "holidays" in path else SUPERVISOR]
    before = _rows()
    page = client.post(path, data, follow=True)
    assert page.status_code == 200 and message in page.content.decode()
    assert _rows() == before


# --- POST /api/v1/policy/evaluate: a malformed facts JSON names each field ----------------------


def _evaluate(client, body: object, **kw: object):  # type: ignore[no-untyped-def]
    import json

    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/policy/evaluate", data, content_type="application/json", **kw)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", {"detail": "JSON parse error"}),
        ([], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ({}, {"facts": ["This field is required."]}),
        (
            {"facts": "none"},
            {"facts": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}},
        ),
        ({"facts": {"balance": "abc"}}, {"facts": {"balance": ["A valid number is required."]}}),
        (
            {"facts": {"balance": "12.345"}},
            {"facts": {"balance": ["Ensure that there are no more than 2 decimal places."]}},
        ),
        (
            {"facts": {"balance": "1e30"}},
            {"facts": {"balance": ["Ensure that there are no more than 12 digits in total."]}},
        ),
        (
            {"facts": {"bills": {"a": 1}}},
            {"facts": {"bills": {"non_field_errors": ["Expected a list of items"]}}},
        ),
        (
            {"facts": {"bills": [{"bill_date": "2026-02-30", "due_date": 5, "amount": "x"}]}},
            {
                "facts": {
                    "bills": {"0": {"bill_date": ["Date has wrong format."], "amount": ["A valid number"]}}
                }
            },
        ),
        (
            {"facts": {"bills": [{"bill_date": "9999-12-01", "due_date": "9999-12-31", "amount": "10"}]}},
            {"facts": {"bills": {"0": {"bill_date": [RANGE], "due_date": [RANGE]}}}},
        ),
        (
            {"facts": {"bankruptcy": {"chapter": 7, "petition_date": "9999-12-31"}}},
            {"facts": {"bankruptcy": {"petition_date": [RANGE]}}},
        ),
        (
            {"facts": {"arrangements": [{"created_on": "2026-01-01", "months": "three", "total": "10"}]}},
            {"facts": {"arrangements": {"0": {"months": ["A valid integer is required."]}}}},
        ),
        ({"facts": {"disconnections_12m": -1}}, {"facts": {"disconnections_12m": ["Ensure this value is"]}}),
        ({"facts": {}, "as_of": "0001-01-01"}, {"as_of": [RANGE]}),
        ({"facts": {}, "as_of": "2026-13-01"}, {"as_of": ["Date has wrong format."]}),
        ({"facts": {}, "owner": "maybe"}, {"owner": ["Must be a valid boolean."]}),
        ({"facts": {}, "preset": "MARS_WATER"}, {"preset": ["Unknown preset 'MARS_WATER'"]}),
        ({"facts": {}, "presets": "DEFAULT"}, {"presets": ['Expected a list of items but got type "str".']}),
        ({"facts": {}, "presets": ["DEFAULT", "NOPE"]}, {"presets": ["Unknown preset 'NOPE'"]}),
        (
            {"facts": {}, "overrides": "x"},
            {"overrides": ['Expected a dictionary of items but got type "str".']},
        ),
        (
            {"facts": {}, "overrides": {"late_fee.pct": "abc"}},
            {"overrides": ["late_fee.pct: expected a number"]},
        ),
        (
            {"facts": {}, "overrides": {"late_fee": {"pct": 1}}},
            {"overrides": ["unknown parameter 'late_fee'"]},
        ),
    ],
)
def test_evaluate_answers_400_naming_the_field(role_clients, body, expected):
    before = _rows()
    response = _evaluate(role_clients[COLLECTOR], body)
    assert response.status_code == 400, response.content
    _assert_prefixes(response.json(), expected)
    assert _rows() == before


def _assert_prefixes(got: object, expected: object) -> None:
    """Each expected message is the start of the message at the same place in the answer."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), got
        for key, value in expected.items():
            assert key in got, (key, got)
            _assert_prefixes(got[key], value)
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), got
        for g, e in zip(got, expected, strict=True):
            assert str(g).startswith(e), (g, e)
    else:
        assert str(got).startswith(str(expected)), (got, expected)


def test_the_what_if_form_shows_facts_errors_by_field(role_clients):
    client = role_clients[COLLECTOR]
    cases = [
        ("[1, 2]", "Invalid data. Expected a dictionary, but got list."),
        ('{"bills": "x"}', 'bills: Expected a list of items but got type "str".'),
        ('{"bills": [{"bill_date": "2026-02-30"}]}', "bills[0].bill_date: Date has wrong format."),
        ('{"balance": "abc"}', "balance: A valid number is required."),
        ("{bad", "Not valid JSON: Expecting property name enclosed in double quotes at line 1."),
    ]
    for facts, message in cases:
        html = _form_errors(client.post("/collections/what-if/", {"facts_json": facts, "as_of": str(TODAY)}))
        assert message in html, facts
        assert "non_field_errors" not in html


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "Ensure this value is greater than or equal to 0.01."),
        ("0", "Ensure this value is greater than or equal to 0.01."),
        # the amount parser's own words (common.amounts): what was typed and how to type it
        ("abc", "is not an amount (only digits, commas and one point)"),
        ("1.005", "has more than two digits after the point (cents)"),
        ("99999999999999", "Ensure that there are no more than 12 digits in total."),
    ],
)
def test_what_if_money_errors_are_not_hidden_behind_give_both(role_clients, account, amount, message):
    data = {"account_number": account.number, "as_of": str(TODAY), "pay_amount": amount, "pay_on": str(TODAY)}
    html = _form_errors(role_clients[COLLECTOR].post("/collections/what-if/", data))
    assert message in html and "Give both the payment and its date" not in html


# --- money in the recovery forms -----------------------------------------------------------------

MONEY_ERRORS = [
    ("-5", "Ensure this value is greater than or equal to 0.01."),
    ("0", "Ensure this value is greater than or equal to 0.01."),
    ("abc", "is not an amount (only digits, commas and one point)"),
    ("1.234", "has more than two digits after the point (cents)"),
    ("99999999999999", "Ensure that there are no more than 12 digits in total."),
    ("NaN", "is not an amount (only digits, commas and one point)"),
    ("", "This field is required."),
]


@pytest.mark.parametrize(("amount", "message"), MONEY_ERRORS)
def test_a_small_claim_amount_must_be_money(role_clients, account, amount, message):
    before = _rows()
    data = {"court": "Justice Court", "filed_on": str(TODAY), "claim_amount": amount, "filing_fee": "0"}
    assert message in _form_errors(
        role_clients[COLLECTOR].post(f"/collections/accounts/{account.number}/small-claim/", data)
    )
    assert _rows() == before


@pytest.mark.parametrize(("amount", "message"), MONEY_ERRORS)
def test_an_assurance_amount_must_be_money(role_clients, account, make_user, amount, message):
    case = BankruptcyCase.objects.create(
        account=account,
        chapter=7,
        case_number="26-55",
        petition_date=TODAY - timedelta(days=5),
        assurance_deadline=TODAY + timedelta(days=15),
        recorded_by=make_user("bea", COLLECTOR),
    )
    data = {"amount": amount, "received_on": str(TODAY), "form": "cash_deposit"}
    page = role_clients[COLLECTOR].post(
        f"/collections/recovery/bankruptcies/{case.pk}/assurance", data, follow=True
    )
    assert message in page.content.decode()
    case.refresh_from_db()
    assert case.assurance_received_on is None and case.assurance_amount == 0


# --- bankruptcy API ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"chapter": ["This field is required."], "case_number": ["This field is required."]}),
        (
            {"chapter": 8, "case_number": "26-1", "petition_date": str(TODAY)},
            {"chapter": ['"8" is not a valid choice.']},
        ),
        (
            {"chapter": 7, "case_number": " ", "petition_date": str(TODAY)},
            {"case_number": ["This field may not be blank."]},
        ),
        (
            {"chapter": 7, "case_number": "26-1", "petition_date": "2026-02-30"},
            {"petition_date": ["Date has wrong format."]},
        ),
        ({"chapter": 7, "case_number": "26-1", "petition_date": "0001-01-01"}, {"petition_date": [RANGE]}),
        (
            {"chapter": 7, "case_number": "26-1", "petition_date": str(TODAY + timedelta(days=1))},
            {"petition_date": ["The petition date cannot be in the future."]},
        ),
        (
            {
                "chapter": 7,
                "case_number": "26-1",
                "petition_date": str(TODAY),
                "order_for_relief_date": str(TODAY - timedelta(days=1)),
            },
            {"order_for_relief_date": ["The order for relief cannot come before the petition."]},
        ),
    ],
)
def test_bankruptcy_api_answers_400_naming_the_field(role_clients, account, body, expected):
    import json

    before = _rows()
    response = role_clients[COLLECTOR].post(
        f"/api/v1/accounts/{account.number}/bankruptcy", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    _assert_prefixes(response.json(), expected)
    assert _rows() == before


def test_bankruptcy_api_for_an_unknown_account_is_404(role_clients):
    import json

    body = {"chapter": 7, "case_number": "26-1", "petition_date": str(TODAY)}
    response = role_clients[COLLECTOR].post(
        "/api/v1/accounts/9999999999/bankruptcy", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404 and not BankruptcyCase.objects.exists()


# --- service order completion API ----------------------------------------------------------------


@pytest.fixture
def dispatched(make_user):  # type: ignore[no-untyped-def]
    from accounts.tests.factories import AccountFactory

    return ServiceOrder.objects.create(
        account=AccountFactory(),
        kind="reconnect",
        status="dispatched",
        reason="Paid in full",
        scheduled_for=TODAY,
        crew="Crew 7",
        dispatched_at=timezone.now() - timedelta(hours=2),
        idempotency_key="bad-input-order",
    )


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 400, {"outcome": ["This field is required."]}),
        ({"outcome": "maybe"}, 400, {"outcome": ['"maybe" is not a valid choice.']}),
        (
            {"outcome": "done", "completed_at": "yesterday"},
            400,
            {"completed_at": ["Datetime has wrong format."]},
        ),
        (
            {"outcome": "done", "meter_reading": "9" * 21},
            400,
            {"meter_reading": ["Ensure this field has no more"]},
        ),
        (
            {"outcome": "done", "completed_at": (timezone.now() + timedelta(days=1)).isoformat()},
            400,
            {"code": "order.future", "detail": "The completion time cannot be in the future."},
        ),
        (
            {"outcome": "done", "completed_at": (timezone.now() - timedelta(days=3)).isoformat()},
            400,
            {
                "code": "order.before_dispatch",
                "detail": "The completion time is before the order was dispatched.",
            },
        ),
    ],
)
def test_order_completion_api_refuses_bad_input_and_changes_nothing(
    role_clients, dispatched, body, status, expected
):
    import json

    before = _rows()
    response = role_clients[COLLECTOR].post(
        f"/api/v1/service-orders/{dispatched.pk}/complete", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == status
    _assert_prefixes(response.json(), expected)
    dispatched.refresh_from_db()
    assert dispatched.status == "dispatched" and _rows() == before


def test_completing_an_unknown_order_is_404(role_clients):
    response = role_clients[COLLECTOR].post(
        "/api/v1/service-orders/999999/complete", {"outcome": "done"}, content_type="application/json"
    )
    assert response.status_code == 404 and response.json() == {"detail": "No such service order."}


# --- query strings and URLs that do not fit ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/collections/orders/?crew=%00&kind=%00",
        "/collections/orders/route-sheet.csv?crew=Crew%007",
        "/collections/orders/route-sheet.pdf?crew=%00",
        "/api/v1/service-orders?crew=%00",
    ],
)
def test_a_nul_character_in_a_filter_is_refused_with_400(role_clients, path):
    # issue 13: a NUL byte is answered 400 with one clear message everywhere (common.middleware),
    # rather than silently dropped by some filters and a 500 in others
    response = role_clients[COLLECTOR].get(path)
    assert response.status_code == 400 and NUL_MESSAGE in response.content.decode()


def test_a_nul_character_in_the_shutoff_search_is_refused_with_400(role_clients):
    from collections_app.models import BatchRun

    run = BatchRun.objects.create(kind="shutoff", business_date=TODAY, status="finished")
    page = role_clients[COLLECTOR].get(f"/collections/shutoff/{run.pk}/?q=%00&code=%00")
    assert page.status_code == 400 and NUL_MESSAGE in page.content.decode()
    assert role_clients[COLLECTOR].get(f"/collections/shutoff/{run.pk}/?q=ab").status_code == 200


def test_the_referral_file_refuses_a_date_it_cannot_read(role_clients):
    for day, message in (("2026-02-30", "Use a date like 2026-11-23."), ("0001-01-01", RANGE)):
        response = role_clients[COLLECTOR].post("/collections/recovery/referrals/file.csv", {"date": day})
        assert response.status_code == 400 and response.content.decode() == f"date: {message}"
    assert not Job.objects.exists()  # refused in the request, before any job


def test_a_candidate_of_another_list_cannot_be_excluded_through_this_one(role_clients, account):
    from collections_app.models import BatchRun, ShutoffCandidate

    today_run = BatchRun.objects.create(kind="shutoff", business_date=TODAY, status="finished")
    older = BatchRun.objects.create(
        kind="shutoff", business_date=TODAY - timedelta(days=1), status="finished"
    )
    candidate = ShutoffCandidate.objects.create(run=older, account=account, status="listed")
    response = role_clients[COLLECTOR].post(
        f"/collections/shutoff/{today_run.pk}/candidates/{candidate.pk}/exclude/",
        {"reason": "Paid at counter"},
    )
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert not candidate.excluded


# --- hand-written forms show every field's error next to the field -----------------------------


def test_the_notice_form_shows_each_fields_error(role_clients, account):
    before = _rows()
    data = {"kind": "telegram", "method": "pigeon", "sent_on": str(TODAY), "note": "n" * 501, "key": "k"}
    html = _form_errors(
        role_clients[COLLECTOR].post(f"/collections/accounts/{account.number}/notices/", data)
    )
    assert 'aria-describedby="id_kind_error"' in html and 'aria-describedby="id_method_error"' in html
    assert "Select a valid choice. telegram is not one of the available choices." in html
    assert "Select a valid choice. pigeon is not one of the available choices." in html
    assert "Ensure this value has at most 500 characters (it has 501)." in html
    stale = _form_errors(
        role_clients[COLLECTOR].post(
            f"/collections/accounts/{account.number}/notices/",
            {"kind": "shutoff", "method": "phone", "sent_on": str(TODAY)},
        )
    )
    assert "This form is missing its one-time key; reload the page and enter it again." in stale
    assert _rows() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"installments": "3", "credit_history_months": "abc", "key": "k"}, "Enter a whole number."),
        ({"installments": "3", "credit_history_months": "-1", "key": "k"}, "greater than or equal to 0."),
        (
            {"installments": "13", "key": "k", "action": "save"},
            "Ensure this value is less than or equal to 12.",
        ),
        ({"installments": "two", "key": "k", "action": "save"}, "Enter a whole number."),
        ({"installments": "3", "action": "save"}, "This form is missing its one-time key"),
    ],
)
def test_the_deposit_form_shows_each_fields_error(role_clients, account, data, message):
    before = _rows()
    html = _form_errors(
        role_clients[COLLECTOR].post(f"/collections/accounts/{account.number}/deposit/", data)
    )
    assert message in html
    assert _rows() == before


def test_a_batch_marked_sent_with_a_bad_date_says_which_field(role_clients, make_user):
    batch = NoticeBatch.objects.create(
        kind="shutoff", business_date=TODAY, created_by=make_user("b", COLLECTOR)
    )
    page = role_clients[COLLECTOR].post(
        f"/collections/notices/batches/{batch.pk}/sent/",
        {"sent_on": "2026-02-30", "method": "fax"},
        follow=True,
    )
    html = _form_errors(page)
    assert "The batch was not marked sent. Sent on: Enter a valid date. How: Select a valid choice." in html
    batch.refresh_from_db()
    assert batch.sent_on is None


# --- a form's one-time key replayed on another account -------------------------------------------


def test_a_key_used_on_one_account_is_refused_on_another(make_user):
    from accounts.tests.factories import AccountFactory, charge
    from collections_app.models import ContactAttempt
    from collections_app.services.deposits import deposit_require
    from collections_app.services.notices import notice_record
    from collections_app.services.orders import field_visit_create
    from collections_app.services.write_offs import write_off_request
    from collections_app.tests.billing import use_policy
    from collections_app.validators import KEY_USED_ELSEWHERE
    from common.exceptions import DomainError

    use_policy(
        "DEFAULT", deposit__formula="FLAT", deposit__flat_renter="100.00", deposit__flat_owner="100.00"
    )
    officer = make_user("kim", COLLECTOR)
    a, b = (AccountFactory(status="final", water__ended_on=TODAY - timedelta(days=200)) for _ in range(2))
    for account in (a, b):
        charge(account, "180.00", due=TODAY - timedelta(days=150))
        for days in (40, 30):  # the evidence "debtor not found" needs
            ContactAttempt.objects.create(
                account=account, at=timezone.now() - timedelta(days=days), method="phone", made_by=officer
            )
    active_a, active_b = AccountFactory(), AccountFactory()
    calls = [
        lambda acct, key: field_visit_create(
            account_id=acct.pk, reason="Post notice", scheduled_for=TODAY, actor=officer, idempotency_key=key
        ),
        lambda acct, key: notice_record(
            account_id=acct.pk,
            kind="shutoff",
            method="posted",
            sent_on=TODAY,
            actor=officer,
            idempotency_key=key,
        ),
        lambda acct, key: write_off_request(
            account_id=acct.pk,
            criteria="debtor_not_found",
            reason="Mail returned",
            actor=officer,
            idempotency_key=key,
        ),
    ]
    for call in calls:
        first = call(a, "k-1")
        assert call(a, "k-1") == first  # the same form posted twice on its own account: one record
        before = _rows()
        with pytest.raises(DomainError) as exc:
            call(b, "k-1")
        assert exc.value.message == KEY_USED_ELSEWHERE and _rows() == before
    deposit_require(account_id=active_a.pk, as_of=TODAY, actor=officer, installments=1, idempotency_key="k-2")
    before = _rows()
    with pytest.raises(DomainError, match="already used for another account"):
        deposit_require(
            account_id=active_b.pk, as_of=TODAY, actor=officer, installments=1, idempotency_key="k-2"
        )
    assert _rows() == before


def test_the_field_visit_page_says_so_instead_of_showing_another_accounts_order(role_clients, account):
    from accounts.tests.factories import AccountFactory

    other = AccountFactory()
    client = role_clients[COLLECTOR]
    data = {"reason": "Post notice", "scheduled_for": str(TODAY), "idempotency_key": "same-key"}
    first = client.post(f"/collections/accounts/{account.number}/field-visit/", data)
    assert first.status_code == 302
    before = _rows()
    html = _form_errors(client.post(f"/collections/accounts/{other.number}/field-visit/", data))
    assert "This form was already used for another account" in html and _rows() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"orders": ["²"], "crew": "Crew 7"}, "Orders: Select a valid choice. ² is not one of"),
        ({"crew": "Crew 7"}, "Orders: Select orders."),
        ({"orders": ["1"], "crew": ""}, "Crew: This field is required."),
        (
            {"orders": ["1"], "crew": "C" * 41},
            "Crew: Ensure this value has at most 40 characters (it has 41).",
        ),
    ],
)
def test_dispatch_without_orders_or_crew_says_which(role_clients, data, message):
    before = _rows()
    page = role_clients[COLLECTOR].post("/collections/orders/dispatch/", data, follow=True)
    assert page.status_code == 200 and message in html.unescape(page.content.decode())
    assert _rows() == before


# --- policy overrides the engine cannot count with ------------------------------------------------

OUT_OF_RANGE_OVERRIDES = [
    ({"deposit.refund_within_days": "²"}, "deposit.refund_within_days: expected a non-negative whole number"),
    ({"deposit.refund_within_days": 10**12}, "deposit.refund_within_days: 1000000000000 is out of range"),
    ({"arrangements.broken_lookback_months": 50_000}, "arrangements.broken_lookback_months: 50000 is out of"),
    ({"notices.pre_disconnect_lead.value": 10**9}, "notices.pre_disconnect_lead.value: 1000000000 is out"),
    ({"late_fee.pct": "1e999"}, "late_fee.pct: '1e999' is out of range (at most 1,000,000,000)"),
    ({"fees.trip": "9" * 30}, "fees.trip: '999999999999999999999999999999' is out of range"),
]


@pytest.mark.parametrize(("overrides", "message"), OUT_OF_RANGE_OVERRIDES)
def test_evaluate_refuses_overrides_out_of_range(role_clients, overrides, message):
    """Each of these used to raise OverflowError, InvalidOperation or ValueError mid-decision."""
    response = _evaluate(
        role_clients[COLLECTOR],
        {"preset": "DEFAULT", "overrides": overrides, "facts": {"balance": "100"}, "as_of": str(TODAY)},
    )
    assert response.status_code == 400
    _assert_prefixes(response.json(), {"overrides": [message]})


@pytest.mark.parametrize(("overrides", "message"), OUT_OF_RANGE_OVERRIDES)
def test_a_policy_version_out_of_range_is_never_saved(role_clients, overrides, message):
    """Saved, such a version became the utility's policy and broke every decision after it."""
    import json

    before = _rows()
    data = {"name": "Typo", "presets": ["DEFAULT"], "overrides": json.dumps(overrides), "note": "typo"}
    html = _form_errors(role_clients[SUPERVISOR].post("/collections/policy/new/", data))
    assert message in html
    assert _rows() == before


def test_remittance_errors_name_the_line_a_row_starts_on(remit, referral):
    """The header is line 1; a quoted field over two lines does not shift the lines after it."""
    quoted = f'{referral.account.number},{referral.pk},"AG\n7",1.005,{TODAY},'  # lines 3-4
    with pytest.raises(ImportRejected) as exc:
        remit("\n".join([HEADER, _line(referral), quoted, _line(referral, "abc")]) + "\n")
    assert [line for line, _ in exc.value.errors] == [3, 5]
