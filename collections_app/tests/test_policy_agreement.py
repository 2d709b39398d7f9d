"""Counseling, the counter and the engine (the evaluate API's) answer alike under the policy in
force (issue 12; rules.md §1.5 arrangements, §1.7 returned payments, §2 presets)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account
from accounts.tests.factories import AccountFactory, charge
from collections_app.api.facts_schema import to_jsonable
from collections_app.selectors.facts import facts_for_account
from common.exceptions import DomainError
from counseling.models import CreditAuthority, HardshipInterview
from counseling.services.arrangements import arrangement_propose, offer
from counseling.services.interviews import IncomeIn, interview_record
from payments.services.returns import tender_return
from payments.tests.factories import check, open_session, post
from policy.selectors import current_policy
from policy.tests.helpers import use_policy
from policy_engine import amounts
from policy_engine.facts import PaymentFact

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PRESETS = ["DEFAULT", "AZ_PHOENIX_WATER", "CA_SB998_WATER"]


@pytest.fixture
def counselor(make_user):
    user = make_user("carmen", "Counselor")
    CreditAuthority.objects.create(user=user, max_amount=Decimal("5000.00"), max_months=24)
    return user


def _owing(amount: str = "300.00") -> Account:
    account = AccountFactory()
    charge(account, amount, due=TODAY - timedelta(days=20))
    account.refresh_from_db()
    return account


def _engine_limits(account: Account):  # type: ignore[no-untyped-def]
    policy, _ = current_policy()
    facts = facts_for_account(account.pk, as_of=TODAY)
    return amounts.arrangement_limits(policy, facts, TODAY, arrears=account.balance)


def _propose(account, counselor, n, down="0"):  # type: ignore[no-untyped-def]
    return arrangement_propose(
        account_id=account.pk,
        counselor=counselor,
        down_payment=Decimal(down),
        installments=n,
        reason="job loss",
        idempotency_key=uuid4(),
    )


@pytest.mark.parametrize("preset", PRESETS)
def test_counseling_offers_the_engines_terms(preset, counselor):
    use_policy(preset)
    account = _owing()
    checks, limits = offer(account=account, today=TODAY)
    assert limits == _engine_limits(account)
    assert all(c.passed for c in checks) and limits.eligible
    if preset == "AZ_PHOENIX_WATER":  # rules.md §2: PA = balance/3 over 3 months
        assert (limits.fixed_months, limits.max_months) == (3, 3)
        with pytest.raises(DomainError) as exc:
            _propose(account, counselor, 12)
        assert exc.value.code == "arrangement.fixed_months"
        arrangement = _propose(account, counselor, 3)
        parts = tuple(arrangement.installments.order_by("number").values_list("amount", flat=True))
        assert parts == limits.installments == (Decimal("100.00"),) * 3
    else:  # DEFAULT and SB 998 (HSC 116910(b)): up to 12 months
        assert (limits.fixed_months, limits.max_months) == (None, 12)
        with pytest.raises(DomainError) as exc:
            _propose(account, counselor, 13)
        assert exc.value.code == "arrangement.max_months"
        assert _propose(account, counselor, 12).installment_count == 12


@pytest.mark.parametrize("preset", PRESETS)
def test_a_returned_payment_is_refused_an_arrangement_only_where_the_policy_says(preset, make_user):
    use_policy(preset)
    cashier = make_user("dale", "Cashier")
    account = _owing()
    session = open_session(cashier)
    payment = post(session, cashier, (account, "50.00"), tenders=[check("50.00")]).payments.get()
    tender_return(
        tender_id=payment.transaction.tenders.get().pk,
        returned_on=TODAY,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    account.refresh_from_db()
    checks, limits = offer(account=account, today=TODAY)
    assert limits == _engine_limits(account)
    refused = {c.code for c in checks if not c.passed}
    # Phoenix: "last payment returned" is an exclusion (rules.md §1.5); DEFAULT and SB 998 have none
    assert refused == ({"last_payment_returned"} if preset == "AZ_PHOENIX_WATER" else set())


@pytest.mark.parametrize("preset", PRESETS)
def test_the_counters_nsf_fee_and_cash_only_are_the_engines(preset, make_user):
    use_policy(preset)
    cashier = make_user("dale", "Cashier")
    account = _owing()
    policy, _ = current_policy()
    session = open_session(cashier)
    for _ in (1, 2):
        payment = post(session, cashier, (account, "40.00"), tenders=[check("40.00")]).payments.get()
        facts = facts_for_account(account.pk, as_of=TODAY)
        returned = PaymentFact(
            paid_on=payment.business_date, amount=Decimal("40.00"), returned=True, returned_on=TODAY
        )
        facts = replace(facts, payments=(*facts.payments, returned))
        expected = amounts.nsf_outcome(policy, facts, TODAY, returned=returned)
        item = tender_return(
            tender_id=payment.transaction.tenders.get().pk,
            returned_on=TODAY,
            reason="NSF",
            actor=cashier,
            idempotency_key=uuid4(),
        )
        account.refresh_from_db()
        assert item.fee == expected.fee.amount
        assert item.cash_only_until == account.cash_only_until == expected.cash_only_until
    # rules.md §1.7: $25 then $35 (Cal. Civ. Code 1719); 2 returns in 6 months => certified funds 12 months
    assert item.fee == Decimal("35.00") and account.cash_only_until is not None


def _interview(account, counselor, *, hardship: bool):  # type: ignore[no-untyped-def]
    return interview_record(
        account_id=account.pk,
        counselor=counselor,
        household_size=3,
        region="contiguous",
        hardship_reason="illness",
        hardship_note="surgery, off work",
        benefits=[],
        documents_seen="hospital bills",
        year=TODAY.year,
        members=[],
        incomes=[IncomeIn("wages", Decimal("900.00"), "monthly")],
        expenses={"housing": Decimal("900.00")},  # nothing left over: the longest term
        documented_hardship=hardship,
        hardship_evidence="hospital bills, employer's leave letter" if hardship else "",
    )


@pytest.mark.parametrize("hardship", [False, True])
def test_documented_hardship_extends_the_sb998_plan_alike_everywhere(hardship, counselor, make_user):
    # rules.md §1.5 (HSC 116910(b)): ordinarily 12 months, longer to avoid undue hardship
    # (arrangements.hardship_max_months = 24 in the preset, [M])
    use_policy("CA_SB998_WATER")
    account = _owing()
    interview = _interview(account, counselor, hardship=hardship)
    months = 24 if hardship else 12
    assert interview.recommended_installments == months, "the interview recommends the longest term"
    facts = facts_for_account(account.pk, as_of=TODAY)
    assert facts.hardship is hardship
    checks, limits = offer(account=account, today=TODAY)
    assert all(c.passed for c in checks)
    assert limits == _engine_limits(account) and limits.max_months == months
    api = APIClient()
    api.force_authenticate(make_user("olivia", "Collections officer"))
    pasted = api.post(
        "/api/v1/policy/evaluate",
        {"preset": "CA_SB998_WATER", "as_of": TODAY.isoformat(), "facts": to_jsonable(facts)},
        format="json",
    )
    assert pasted.status_code == 200, pasted.content
    real = api.get(f"/api/v1/accounts/{account.number}/decision?as_of={TODAY.isoformat()}")
    for body in (pasted.json(), real.json()):
        assert body["arrangement"]["options"]["max_months"] == months
    with pytest.raises(DomainError) as exc:
        _propose(account, counselor, months + 1)
    assert exc.value.code == "arrangement.max_months"
    assert _propose(account, counselor, months).installment_count == months


def test_the_interview_form_records_documented_hardship_only_with_its_evidence(client, counselor):
    account = _owing()
    client.force_login(counselor)
    url = f"/counseling/accounts/{account.number}/interview/"
    body = {
        "household_size": "2",
        "region": "contiguous",
        "hardship_reason": "illness",
        "documented_hardship": "on",
        "hardship_evidence": "",
        **{
            f"{prefix}-{k}": v
            for prefix in ("income", "member")
            for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
        **dict.fromkeys(
            [
                "housing",
                "utilities_other",
                "food",
                "medical",
                "transportation",
                "childcare",
                "debt_payments",
                "other_expenses",
            ],
            "0",
        ),
    }
    response = client.post(url, body)
    assert response.status_code == 200 and "Say what documents the hardship." in response.text
    assert not HardshipInterview.objects.exists()
    response = client.post(url, {**body, "hardship_evidence": "hospital bills"})
    assert response.status_code == 302, response.text
    saved = HardshipInterview.objects.get()
    assert saved.documented_hardship and saved.hardship_evidence == "hospital bills"
