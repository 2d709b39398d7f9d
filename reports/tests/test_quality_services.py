"""Quality review services: the sample is reproducible and bounded to the employee and period; the
score is the share passed; bad input saves nothing; nobody reviews their own work."""

import hashlib
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from common.exceptions import DomainError
from common.models import AuditEvent
from reports.models import ChecklistQuestion, QualityReview
from reports.quality_selectors import employee_trend, review_list
from reports.services.quality import item_score, review_conclude, review_draw
from reports.tests import quality_setup as work

pytestmark = pytest.mark.django_db

JAN = (date(2026, 1, 1), date(2026, 1, 31))


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    return {
        "boss": make_user("boss", "Supervisor"),
        "boss2": make_user("boss2", "Supervisor"),
        "cashier": make_user("cash", "Cashier"),
        "other": make_user("other", "Cashier"),
        "counselor": make_user("couns", "Counselor"),
    }


def draw(people, employee, *, kinds=("receipt",), size=5, seed="", period=JAN, reviewer="boss"):  # type: ignore[no-untyped-def]
    return review_draw(
        reviewer=people[reviewer],
        employee_id=employee.pk,
        period_start=period[0],
        period_end=period[1],
        kinds=list(kinds),
        sample_size=size,
        seed=seed,
        idempotency_key=uuid4(),
    )


def drawn(review: QualityReview) -> list[tuple[str, int]]:
    return list(review.items.order_by("position").values_list("kind", "object_id"))


def test_same_seed_same_work_draws_the_same_items_in_md5_order(people) -> None:
    mine = [work.receipt(people["cashier"], date(2026, 1, d)).pk for d in range(1, 21)]
    first = draw(people, people["cashier"], size=6, seed="00c0ffee")
    again = draw(people, people["cashier"], size=6, seed="00c0ffee", reviewer="boss2")
    other_seed = draw(people, people["cashier"], size=6, seed="0badf00d")

    expected = sorted(
        mine, key=lambda pk: hashlib.md5(f"00c0ffee:receipt:{pk}".encode(), usedforsecurity=False).hexdigest()
    )[:6]
    assert drawn(first) == drawn(again) == [("receipt", pk) for pk in expected]
    assert drawn(other_seed) != drawn(first)  # 20 choose 6 in the same order twice: not by chance
    assert first.population == 20 and first.seed == "00c0ffee"


def test_a_fresh_seed_is_stored_and_redraws_the_same_sample(people) -> None:
    for d in range(1, 11):
        work.receipt(people["cashier"], date(2026, 1, d))
    first = draw(people, people["cashier"], size=4)
    assert len(first.seed) == 16
    assert drawn(draw(people, people["cashier"], size=4, seed=first.seed)) == drawn(first)


def test_only_that_employees_work_in_that_period_is_drawn(people) -> None:
    cashier, other = people["cashier"], people["other"]
    inside = set()
    for make in (work.receipt, work.contact, work.arrangement, work.adjustment):
        inside |= {
            (make.__name__, make(cashier, date(2026, 1, 1)).pk),
            (make.__name__, make(cashier, date(2026, 1, 31)).pk),
        }
        make(cashier, date(2025, 12, 31))  # the day before
        make(cashier, date(2026, 2, 1))  # the day after
        make(other, date(2026, 1, 15))  # someone else's
    kinds = ("receipt", "contact", "arrangement", "adjustment")
    review = draw(people, cashier, kinds=kinds, size=8)
    assert set(drawn(review)) == inside
    assert review.population == 8
    assert draw(people, cashier, kinds=("contact",), size=2).population == 2


def test_a_contact_late_in_the_evening_counts_on_its_local_day(people) -> None:
    from datetime import datetime, time

    from accounts.models import Contact

    c = work.contact(people["cashier"], date(2026, 1, 31))
    # 23:30 in Phoenix is already 1 February in UTC: the business day is the local one.
    Contact.objects.filter(pk=c.pk).update(
        created_at=datetime.combine(date(2026, 1, 31), time(23, 30), work.PHOENIX)
    )
    assert drawn(draw(people, people["cashier"], kinds=("contact",), size=1)) == [("contact", c.pk)]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"period": (date(2026, 1, 31), date(2026, 1, 1))}, "quality.period"),
        ({"size": 0}, "quality.sample_size"),
        ({"size": 4}, "quality.sample_too_large"),
        ({"kinds": ("contact",)}, "quality.empty"),
        ({"kinds": ()}, "quality.kinds"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(people, kwargs, code) -> None:
    for d in (5, 6, 7):
        work.receipt(people["cashier"], date(2026, 1, d))
    with pytest.raises(DomainError) as err:
        draw(people, people["cashier"], **kwargs)
    assert err.value.code == code
    if code == "quality.sample_too_large":
        assert "(3 items)" in err.value.message
    assert not QualityReview.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="quality.").exists()


def test_a_supervisor_cannot_review_their_own_work(people) -> None:
    work.receipt(people["boss"], date(2026, 1, 5))
    with pytest.raises(DomainError) as err:
        draw(people, people["boss"], size=1)
    assert err.value.code == "quality.own_work"
    review = draw(people, people["boss"], size=1, reviewer="boss2")
    item = review.items.get()
    with pytest.raises(DomainError):  # nor score the review of their own work
        item_score(scorer=people["boss"], item_id=item.pk, answers=_all(item.kind, "pass"))
    with pytest.raises(DomainError):
        review_conclude(
            reviewer=people["boss"], review_id=review.pk, findings="x", action_category="none", action=""
        )


def _all(kind: str, result: str) -> dict[int, str]:
    return {q.pk: result for q in ChecklistQuestion.objects.filter(kind=kind, active=True)}


def test_score_is_the_share_of_answered_questions_passed_and_answers_keep_their_text(people) -> None:
    for d in (5, 6, 7):
        work.receipt(people["cashier"], date(2026, 1, d))
    review = draw(people, people["cashier"], size=2)
    first, second = review.items.order_by("position")
    q = list(ChecklistQuestion.objects.filter(kind="receipt", active=True))
    assert len(q) == 4
    item_score(
        scorer=people["boss"],
        item_id=first.pk,
        answers={q[0].pk: "pass", q[1].pk: "pass", q[2].pk: "fail", q[3].pk: "na"},
        comment="check no. missing",
    )
    item_score(scorer=people["boss"], item_id=second.pk, answers=_all("receipt", "pass"))
    row = review_list().get(pk=review.pk)
    assert (row.passed, row.failed) == (6, 1)  # n/a counts neither way: 6 of 7 = 85.7 %

    q[2].text = "Reworded later"
    q[2].save()
    answer = first.answers.get(question=q[2])
    assert answer.question_text != "Reworded later" and answer.result == "fail"


def test_every_question_must_be_answered_and_a_concluded_review_is_frozen(people) -> None:
    work.receipt(people["cashier"], date(2026, 1, 5))
    review = draw(people, people["cashier"], size=1)
    item = review.items.get()
    partial = dict(list(_all("receipt", "pass").items())[:2])
    with pytest.raises(DomainError, match="Answer every question"):
        item_score(scorer=people["boss"], item_id=item.pk, answers=partial)
    with pytest.raises(DomainError, match="Score at least one item"):
        review_conclude(
            reviewer=people["boss"], review_id=review.pk, findings="ok", action_category="none", action=""
        )
    item_score(scorer=people["boss"], item_id=item.pk, answers=_all("receipt", "fail"))
    with pytest.raises(DomainError, match="Describe the action"):
        review_conclude(
            reviewer=people["boss"], review_id=review.pk, findings="f", action_category="training", action=""
        )
    review_conclude(
        reviewer=people["boss"],
        review_id=review.pk,
        findings="Tenders not itemised",
        action_category="training",
        action="Tender entry refresher",
    )
    with pytest.raises(DomainError, match="concluded"):
        item_score(scorer=people["boss"], item_id=item.pk, answers=_all("receipt", "pass"))
    verbs = list(AuditEvent.objects.filter(verb__startswith="quality.").values_list("verb", flat=True))
    assert sorted(verbs) == ["quality.item_score", "quality.review_conclude", "quality.review_draw"]


def test_trend_figures_equal_a_direct_count_of_the_answers(people) -> None:
    cashier = people["cashier"]
    months = [(date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))]
    for start, _ in months:
        for d in range(1, 6):
            work.receipt(cashier, start.replace(day=d))
    results = ["pass", "fail", "na", "pass", "pass", "fail"]
    for n, period in enumerate([*months, months[1]]):  # two reviews end in February
        review = draw(people, cashier, size=2, period=period)
        for k, item in enumerate(review.items.all()):
            answers = {q: results[(n + k + i) % len(results)] for i, q in enumerate(_all("receipt", "pass"))}
            item_score(scorer=people["boss"], item_id=item.pk, answers=answers)
        review_conclude(
            reviewer=people["boss"], review_id=review.pk, findings="f", action_category="none", action=""
        )
    draw(people, cashier, size=2)  # not concluded: not in the trend

    expected = {}
    for review in QualityReview.objects.filter(employee=cashier, completed_at__isnull=False):
        month = review.period_end.replace(day=1)
        reviews, passed, failed = expected.get(month, (0, 0, 0))
        answers = [a.result for item in review.items.all() for a in item.answers.all()]
        expected[month] = (reviews + 1, passed + answers.count("pass"), failed + answers.count("fail"))
    got = {row.month: (row.reviews, row.passed, row.failed) for row in employee_trend(employee_id=cashier.pk)}
    assert got == expected and len(got) == 2
    feb = next(r for r in employee_trend(employee_id=cashier.pk) if r.month.month == 2)
    _, passed, failed = expected[date(2026, 2, 1)]
    assert feb.score == Decimal(100 * passed / (passed + failed)).quantize(Decimal("0.1"))
