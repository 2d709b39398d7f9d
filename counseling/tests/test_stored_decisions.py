"""Counseling's policy decisions are stored (issue 12, "Decisions everywhere look alike"):
arrangement eligibility and terms (rules.md §1.5) and program eligibility (rules.md §1.10), with
the policy version that decided, the rule's reason and citation and every rule checked; staff
see them where they act, and nothing is stored for a change that rolled back."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from conftest import ROLE_NAMES, assert_access
from counseling.models import Arrangement, ArrangementStatus, CreditAuthority, ProgramEnrollment
from counseling.services import arrangements as arrangement_services
from counseling.services.arrangements import arrangement_propose, offer
from counseling.services.programs import enrollment_create
from counseling.tests.factories import interview
from policy.selectors import current_policy
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES


@pytest.fixture
def counselor(django_user_model, role_clients):
    user = django_user_model.objects.get(username="counselor")
    CreditAuthority.objects.create(user=user, max_amount=Decimal("5000.00"), max_months=24)
    return user


def _owing(amount: str = "300.00"):  # type: ignore[no-untyped-def]
    account = AccountFactory()
    charge(account, amount, due=TODAY - timedelta(days=20))
    account.refresh_from_db()
    return account


def _propose(account, counselor, n, *, down="0", key=None, reason="job loss"):  # type: ignore[no-untyped-def]
    return arrangement_propose(
        account_id=account.pk,
        counselor=counselor,
        down_payment=Decimal(down),
        installments=n,
        reason=reason,
        idempotency_key=key or uuid4(),
    )


def _decisions(account, kind):  # type: ignore[no-untyped-def]
    return list(PolicyDecision.objects.filter(account=account, kind=kind).order_by("made_at"))


def _term(limits):  # type: ignore[no-untyped-def]
    return next(c for c in limits.checks if c.code == "ARRANGEMENT_TERM")


# --- arrangements (rules.md §1.5) -------------------------------------------------------------


def test_an_arrangement_stores_the_policys_terms_and_shows_them_on_its_page(counselor, role_clients):
    version = use_policy("AZ_PHOENIX_WATER")  # Phoenix: the balance over exactly 3 months
    account = _owing()
    _, limits = offer(account=account, today=TODAY)
    arrangement = _propose(account, counselor, 3)
    [d] = _decisions(account, DecisionKind.ARRANGEMENT)
    assert (d.outcome, d.amount, d.code, d.subject) == (
        DecisionOutcome.ALLOWED,
        Decimal("300.00"),
        "ARRANGEMENT_TERM",
        f"arrangement:{arrangement.pk}",
    )
    assert d.citation == _term(limits).citation and d.citation
    assert d.policy_version_id == version.pk and d.policy_version.name == "Test policy"
    assert (d.as_of, d.made_by_id) == (TODAY, counselor.pk)
    assert "split over 3 months" in d.reason and "Agreed: $300.00, $0.00 down and 3 installments" in d.reason
    codes = [c["code"] for c in d.checks]
    assert codes[:3] == ["ARRANGEMENT_BALANCE", "ARRANGEMENT_ONE_OPEN", "ARRANGEMENT_TERM"]
    assert {c["outcome"] for c in d.checks} == {"satisfied"}
    assert {c["preset"] for c in d.checks if c["code"] == "ARRANGEMENT_TERM"} == {"AZ_PHOENIX_WATER"}

    page = role_clients[COUNSELOR].get(f"/counseling/arrangements/{arrangement.pk}/").content.decode()
    assert 'data-testid="decision-why"' in page and "split over 3 months" in page
    assert f"v{version.version}" in page and d.citation in page


def test_an_arrangement_refused_for_a_broken_plan_is_stored_and_nothing_else(counselor):
    version = use_policy("AZ_PHOENIX_WATER")  # Phoenix: none within 6 months of a broken plan
    account = _owing()
    Arrangement.objects.create(
        account=account,
        counselor=counselor,
        status=ArrangementStatus.BROKEN,
        total=Decimal("100"),
        installment_count=2,
        months=2,
        reason="x",
        ended_on=TODAY - timedelta(days=100),
        idempotency_key="old",
    )
    key = uuid4()
    with pytest.raises(DomainError) as exc:
        _propose(account, counselor, 3, key=key)
    assert exc.value.code == "arrangement.broken_recently"
    assert Arrangement.objects.filter(account=account).count() == 1  # only the broken one
    [d] = _decisions(account, DecisionKind.ARRANGEMENT)
    assert exc.value.decision == d  # type: ignore[attr-defined]
    assert (d.outcome, d.code, d.amount) == (
        DecisionOutcome.REFUSED,
        "ARRANGEMENT_BROKEN_RECENTLY",
        Decimal("300.00"),
    )
    blocked = [c for c in d.checks if c["outcome"] == "blocked"]
    assert [c["code"] for c in blocked] == ["ARRANGEMENT_BROKEN_RECENTLY"]
    assert d.citation == blocked[0]["citation"] and d.citation
    assert "was broken on" in d.reason and d.policy_version_id == version.pk
    with pytest.raises(DomainError):  # the same request replayed: still one refusal
        _propose(account, counselor, 3, key=key)
    assert len(_decisions(account, DecisionKind.ARRANGEMENT)) == 1


def test_terms_outside_the_policy_are_a_stored_refusal_shown_on_the_form(counselor, role_clients):
    version = use_policy("AZ_PHOENIX_WATER")
    account = _owing()
    response = role_clients[COUNSELOR].post(
        f"/counseling/accounts/{account.number}/arrangement/",
        {
            "idempotency_key": str(uuid4()),
            "down_payment": "0",
            "installments": "12",
            "reason": "job loss",
            "action": "propose",
        },
    )
    assert response.status_code == 200 and not Arrangement.objects.filter(account=account).exists()
    [d] = _decisions(account, DecisionKind.ARRANGEMENT)
    assert (d.outcome, d.code, d.policy_version_id) == (
        DecisionOutcome.REFUSED,
        "ARRANGEMENT_TERM",
        version.pk,
    )
    assert "exactly 3 monthly installments" in d.reason
    page = response.content.decode()
    assert 'data-testid="policy-decision"' in page and 'data-outcome="refused"' in page
    assert "exactly 3 monthly installments" in page


def test_a_proposal_that_fails_or_rolls_back_stores_no_decision(counselor, monkeypatch):
    use_policy("CA_SB998_WATER")
    account = _owing()
    with pytest.raises(DomainError, match="Record why"):  # not the policy's refusal: nothing stored
        _propose(account, counselor, 6, reason=" ")
    real = arrangement_services.decision_record

    def record_then_fail(**kwargs):  # type: ignore[no-untyped-def]
        real(**kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(arrangement_services, "decision_record", record_then_fail)
    with pytest.raises(RuntimeError):
        _propose(account, counselor, 6)
    assert not Arrangement.objects.filter(account=account).exists()
    assert not PolicyDecision.objects.filter(account=account).exists()


# --- programs (rules.md §1.10) ----------------------------------------------------------------


def test_a_low_income_enrollment_stores_its_eligibility_and_shows_it(counselor, role_clients):
    version = use_policy("CA_SB998_WATER", low_income__recert_months=12)
    account = _owing("50.00")
    item = interview(account, counselor, monthly_income="1500.00")  # well under 200% FPL
    enrollment = enrollment_create(
        account_id=account.pk,
        program="low_income",
        certified_on=TODAY,
        interview_id=item.pk,
        counselor=counselor,
    )
    [d] = _decisions(account, DecisionKind.PROGRAM)
    layer = current_policy()[0].layers[0]
    assert (d.outcome, d.code, d.amount, d.subject) == (
        DecisionOutcome.ALLOWED,
        "LOW_INCOME_STATUS",
        None,
        f"enrollment:{enrollment.pk}",
    )
    assert d.citation == layer.cite("low_income.fpl_pct") and d.citation
    assert d.policy_version_id == version.pk and d.policy_version.name == "Test policy"
    assert [(c["code"], c["outcome"]) for c in d.checks] == [
        ("LOW_INCOME_STATUS", "satisfied"),
        ("PROGRAM_RECERT", "satisfied"),
    ]
    assert f"{item.fpl_percent}% of the poverty line" in d.reason and "every 12 months" in d.reason

    response = role_clients[COUNSELOR].get(f"/counseling/accounts/{account.number}/programs/")
    page = response.content.decode()
    assert page.count('data-testid="enrollment"') == 1 and 'data-testid="decision-why"' in page
    assert f"{item.fpl_percent}% of the poverty line" in page and f"v{version.version}" in page


def test_the_enroll_form_leads_to_the_program_list(counselor, role_clients):
    use_policy("CA_SB998_WATER")
    account = _owing("50.00")
    response = role_clients[COUNSELOR].post(
        f"/counseling/accounts/{account.number}/enroll/", {"program": "senior", "certified_on": TODAY}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/counseling/accounts/{account.number}/programs/"
    [d] = _decisions(account, DecisionKind.PROGRAM)
    assert (d.outcome, d.code) == (DecisionOutcome.ALLOWED, "PROGRAM_RECERT")


def test_a_refused_enrollment_is_stored_and_listed_and_a_duplicate_stores_nothing(counselor, role_clients):
    version = use_policy("CA_SB998_WATER")
    account = _owing("50.00")
    with pytest.raises(DomainError) as exc:
        enrollment_create(
            account_id=account.pk,
            program="low_income",
            certified_on=TODAY,
            interview_id=None,
            counselor=counselor,
        )
    assert exc.value.code == "program.not_low_income"
    assert not ProgramEnrollment.objects.filter(account=account).exists()
    [d] = _decisions(account, DecisionKind.PROGRAM)
    assert exc.value.decision == d  # type: ignore[attr-defined]
    assert (d.outcome, d.code, d.policy_version_id) == (
        DecisionOutcome.REFUSED,
        "LOW_INCOME_STATUS",
        version.pk,
    )
    assert [(c["code"], c["outcome"]) for c in d.checks] == [("LOW_INCOME_STATUS", "blocked")]
    assert "No hardship interview" in d.reason
    page = role_clients[COUNSELOR].get(f"/counseling/accounts/{account.number}/programs/").content.decode()
    assert "Refused" in page and "No hardship interview" in page

    enrollment_create(
        account_id=account.pk, program="senior", certified_on=TODAY, interview_id=None, counselor=counselor
    )
    with pytest.raises(DomainError, match="already enrolled"):  # rolled back: no second decision
        enrollment_create(
            account_id=account.pk,
            program="senior",
            certified_on=TODAY,
            interview_id=None,
            counselor=counselor,
        )
    assert [x.outcome for x in _decisions(account, DecisionKind.PROGRAM)] == ["refused", "allowed"]


def test_the_program_list_needs_the_enrollment_permission(role_clients):
    account = AccountFactory()
    assert_access(role_clients, f"/counseling/accounts/{account.number}/programs/", {COUNSELOR, SUPERVISOR})
