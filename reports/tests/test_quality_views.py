"""Quality review pages: supervisors only for reviewing, every employee reads their own reviews and
nobody else's; bad input answers 400 with the reason and saves nothing; list and review pages cost
the same number of queries for N and 3N rows; the trend page shows the selector's figures."""

import json
import re
from datetime import date
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from conftest import assert_access
from reports.models import ChecklistQuestion, QualityReview
from reports.quality_selectors import employee_trend
from reports.services.quality import item_score, review_conclude, review_draw
from reports.tests import quality_setup as work

pytestmark = pytest.mark.django_db

LIST = "/supervisor/quality/"


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    return {
        "boss": make_user("boss", "Supervisor"),
        "boss2": make_user("boss2", "Supervisor"),
        "cashier": make_user("cash", "Cashier", first_name="Cara", last_name="Cash"),
        "other": make_user("other", "Cashier"),
    }


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _answers(kind: str, result: str) -> dict[int, str]:
    return {q.pk: result for q in ChecklistQuestion.objects.filter(kind=kind, active=True)}


def reviewed(people, employee, *, days=(5, 6, 7), size=2, conclude=True, start=date(2026, 1, 1)):  # type: ignore[no-untyped-def]
    for d in days:
        work.receipt(employee, start.replace(day=d))
    review = review_draw(
        reviewer=people["boss"],
        employee_id=employee.pk,
        period_start=start,
        period_end=start.replace(day=28),
        kinds=["receipt"],
        sample_size=size,
        idempotency_key=uuid4(),
    )
    for item in review.items.all():
        item_score(scorer=people["boss"], item_id=item.pk, answers=_answers("receipt", "pass"))
    if conclude:
        review_conclude(
            reviewer=people["boss"],
            review_id=review.pk,
            findings="Tenders fine",
            action_category="training",
            action="Refresher on check endorsement",
        )
    return review


def test_reviewing_pages_are_for_supervisors_and_my_reviews_for_everyone(role_clients, people) -> None:
    review = reviewed(people, people["cashier"])
    supervisors = {"Supervisor"}
    assert_access(role_clients, LIST, supervisors)
    assert_access(role_clients, f"{LIST}{review.pk}/", supervisors)
    assert_access(role_clients, f"{LIST}employees/{people['cashier'].pk}/", supervisors)
    item = review.items.first()
    assert_access(
        role_clients, f"{LIST}{review.pk}/items/{item.pk}/score/", supervisors, method="post", ok=400
    )
    assert_access(role_clients, f"{LIST}{review.pk}/conclude/", supervisors, method="post", ok=400)
    for client in role_clients.values():  # every role has a My reviews page (empty for them)
        page = client.get(f"{LIST}mine/")
        assert page.status_code == 200 and "No reviews of your work yet." in page.content.decode()
    assert Client().get(f"{LIST}mine/").status_code == 302  # signed out: to the login page


def test_an_employee_sees_their_own_concluded_reviews_and_nobody_elses(people) -> None:
    mine = reviewed(people, people["cashier"])
    draft = reviewed(people, people["cashier"], conclude=False, start=date(2026, 2, 1))
    theirs = reviewed(people, people["other"])
    cashier = signed_in(people["cashier"])

    page = cashier.get(f"{LIST}mine/").content.decode()
    assert f"Read review {mine.pk}" in page
    assert f"Read review {draft.pk}" not in page and f"Read review {theirs.pk}" not in page
    own = cashier.get(f"{LIST}mine/{mine.pk}/")
    assert own.status_code == 200
    body = own.content.decode()
    assert "Refresher on check endorsement" in body and "100.0% of answered questions passed" in body
    assert "Save score" not in body and "Conclude review" not in body  # read-only
    assert cashier.get(f"{LIST}mine/{theirs.pk}/").status_code == 404
    assert cashier.get(f"{LIST}mine/{draft.pk}/").status_code == 404  # drafts stay with the supervisor
    assert cashier.get(f"{LIST}{mine.pk}/").status_code == 403  # the supervisor's page


def test_a_supervisor_draws_scores_and_concludes_through_the_pages(people) -> None:
    for d in range(1, 11):
        work.receipt(people["cashier"], date(2026, 3, d))
    boss = signed_in(people["boss"])
    form = {
        "employee": people["cashier"].pk,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "kinds": ["receipt"],
        "sample_size": 3,
        "seed": "",
        "idempotency_key": str(uuid4()),
    }
    response = boss.post(LIST, form)
    review = QualityReview.objects.get()
    assert response.status_code == 302 and response.url == f"{LIST}{review.pk}/"
    assert boss.post(LIST, form).status_code == 302 and QualityReview.objects.count() == 1  # replayed
    assert (review.reviewer, review.employee, review.items.count()) == (people["boss"], people["cashier"], 3)

    first, second, _ = review.items.order_by("position")
    questions = list(ChecklistQuestion.objects.filter(kind="receipt", active=True))
    score_url = reverse("reports:quality_score", args=[review.pk, first.pk])
    answers = {f"i{first.pk}-q{q.pk}": "pass" for q in questions} | {
        f"i{first.pk}-q{questions[0].pk}": "fail"
    }
    scored = boss.post(score_url, answers | {f"i{first.pk}-comment": "No payer name"})
    assert scored.status_code == 302 and scored.url.endswith(f"#item-{second.pk}")  # on to the next
    first.refresh_from_db()
    assert first.comment == "No payer name" and first.answers.filter(result="fail").count() == 1
    page = boss.get(f"{LIST}{review.pk}/").content.decode()
    assert "75.0% of answered questions passed" in page
    assert (
        f'href="{reverse("payments:receipt", args=[first.ref])}"' in page
    )  # each item links to the record itself

    concluded = boss.post(
        reverse("reports:quality_conclude", args=[review.pk]),
        {"findings": "Payer names missing", "action_category": "training", "action": "Receipt refresher"},
    )
    assert concluded.status_code == 302
    review.refresh_from_db()
    assert review.completed_at and review.action_category == "training"
    assert (
        "Receipt refresher" in signed_in(people["cashier"]).get(f"{LIST}mine/{review.pk}/").content.decode()
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"period_end": "2026-02-28"}, "The period ends before it starts."),
        ({"sample_size": 0}, "The sample size must be between 1 and 200."),
        ({"sample_size": 4}, "The sample size (4) is larger than the work done in the period (3 items)."),
        ({"kinds": ["contact"]}, "This employee did none of that work in the period"),
    ],
)
def test_bad_draws_answer_400_with_the_reason_and_save_nothing(people, change, message) -> None:
    for d in (2, 3, 4):
        work.receipt(people["cashier"], date(2026, 3, d))
    form = {
        "employee": people["cashier"].pk,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "kinds": ["receipt"],
        "sample_size": 2,
        "idempotency_key": str(uuid4()),
    }
    response = signed_in(people["boss"]).post(LIST, form | change)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not QualityReview.objects.exists()


def test_a_supervisor_cannot_pick_or_score_their_own_work(people) -> None:
    review = reviewed(people, people["boss2"], conclude=False)
    boss2 = signed_in(people["boss2"])
    whole = boss2.get(LIST).content.decode()
    # Both forms have an `employee` field: one id each, so each label names its own select.
    assert whole.count('id="id_employee"') == 1 and whole.count('id="filter_employee"') == 1
    page = whole.split('id="draw-heading"')[1]
    assert re.search(rf'<option value="{people["cashier"].pk}"', page)
    assert not re.search(rf'<option value="{people["boss2"].pk}"', page)  # not offered in the draw form
    own = boss2.get(f"{LIST}{review.pk}/").content.decode()
    assert "another supervisor scores it" in own and "Save score" not in own
    item = review.items.first()
    answers = {f"i{item.pk}-q{pk}": "fail" for pk in _answers("receipt", "x")}
    refused = boss2.post(reverse("reports:quality_score", args=[review.pk, item.pk]), answers)
    assert refused.status_code == 400 and "cannot review your own work" in refused.content.decode()
    assert not item.answers.filter(result="fail").exists()


def test_the_trend_page_shows_the_selectors_figures_in_table_and_chart_data(people) -> None:
    reviewed(people, people["cashier"], start=date(2026, 1, 1))
    feb = reviewed(people, people["cashier"], start=date(2026, 2, 1), conclude=False)
    item = feb.items.first()
    item_score(scorer=people["boss"], item_id=item.pk, answers=_answers("receipt", "fail"))
    review_conclude(
        reviewer=people["boss"], review_id=feb.pk, findings="f", action_category="none", action=""
    )
    response = signed_in(people["boss"]).get(f"{LIST}employees/{people['cashier'].pk}/")
    rows = employee_trend(employee_id=people["cashier"].pk)
    chart = json.loads(
        re.search(r'id="quality-trend-data"[^>]*>(.*?)</script>', response.content.decode()).group(1)
    )
    assert chart == {"labels": ["2026-01", "2026-02"], "scores": [float(r.score) for r in rows]}
    assert chart["scores"] == [100.0, 50.0]  # February: one item all pass, one all fail
    assert '<td class="text-end">50.0%</td>' in response.content.decode()
    assert 'src="/static/js/quality_chart.js"' in response.content.decode()


def test_list_and_review_pages_cost_the_same_queries_for_n_and_3n_rows(
    people, django_assert_max_num_queries
) -> None:
    boss = signed_in(people["boss"])
    cashiers = [people["cashier"], people["other"]]
    for n in range(2):
        reviewed(people, cashiers[n % 2], start=date(2026, 1 + n, 1))
    small = reviewed(people, people["cashier"], days=(1, 2), size=2, conclude=False, start=date(2026, 5, 1))
    with django_assert_max_num_queries(11) as few:  # session (read, save: 4), user, perms 2, nav groups,
        # the reviews with their scores, the employees of the two forms
        assert boss.get(LIST).status_code == 200
    with django_assert_max_num_queries(12) as few_items:  # ... the review, checklist, items, answers
        assert boss.get(f"{LIST}{small.pk}/").status_code == 200
    for n in range(2, 6):
        reviewed(people, cashiers[n % 2], start=date(2026, 1 + n, 1))
    large = reviewed(
        people, people["cashier"], days=(1, 2, 3, 4, 5, 6), size=6, conclude=False, start=date(2026, 7, 1)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = boss.get(LIST)
    assert page.content.decode().count("Open review") == 8
    with django_assert_max_num_queries(len(few_items.captured_queries)):
        page = boss.get(f"{LIST}{large.pk}/")
    assert page.content.decode().count('data-testid="review-item"') == 6
    cashier = signed_in(people["cashier"])
    with django_assert_max_num_queries(10):
        assert cashier.get(f"{LIST}mine/").content.decode().count("Read review") == 3
