"""Policy screens: the what-if form, the account's decision ("why is this account held?"), policy
versions, the holiday calendar, weather, and the protections staff record (medical certificates,
appeals, contact attempts)."""

import json
from dataclasses import replace
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account
from collections_app import forms_policy as forms
from collections_app.api.facts_schema import AccountFactsIn, facts_from_data, to_jsonable
from collections_app.models import Appeal, ContactAttempt, MedicalCertificate
from collections_app.selectors.facts import facts_for_account
from collections_app.selectors.whatif import evaluate
from collections_app.services import protections
from collections_app.validators import form_errors_text, parse_date_param
from common.exceptions import DomainError
from common.formatting import format_money
from common.money import to_money
from policy import services as policy_services
from policy.models import Holiday, PolicyVersion, WeatherDay
from policy.selectors import current_policy
from policy_engine.facts import (
    AccountFacts,
    MedicalCertificateFact,
    NoticeFact,
    PaymentFact,
    PledgeFact,
)
from policy_engine.params import describe
from policy_engine.policy import PolicyError, policy_build
from policy_engine.presets import PRESETS


def _flatten_errors(errors, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    out: list[str] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # DRF keys the errors of a list item by its index
                out += _flatten_errors(value, f"{prefix}[{key}]")
            elif key == "non_field_errors":  # an error of the object itself: name the object
                out += _flatten_errors(value, prefix)
            else:
                out += _flatten_errors(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(errors, list):
        for i, value in enumerate(errors):
            if isinstance(value, dict | list) and value:
                out += _flatten_errors(value, f"{prefix}[{i}]" if isinstance(value, dict) else prefix)
            elif value:
                out.append(f"{prefix}: {value}" if prefix else str(value))
    return out


def _scenario(facts: AccountFacts, d: dict) -> tuple[AccountFacts, list[str]]:
    """Apply the form's 'what if' changes to the base facts; returns the facts and a description."""
    said: list[str] = []
    if d.get("pay_amount"):
        amount = to_money(d["pay_amount"])
        facts = replace(
            facts,
            payments=(*facts.payments, PaymentFact(paid_on=d["pay_on"], amount=amount)),
            balance=facts.balance - amount,
            bills=_apply_payment(facts, amount),
        )
        said.append(f"pays {format_money(amount)} on {d['pay_on']:%b %d}")
    if d.get("pledge_amount"):
        pledge = PledgeFact(
            amount=to_money(d["pledge_amount"]), pledged_on=d["as_of"], expected_by=d["pledge_expected_by"]
        )
        facts = replace(facts, pledges=(*facts.pledges, pledge))
        said.append(f"an agency pledges {format_money(pledge.amount)} expected by {pledge.expected_by:%b %d}")
    if d.get("medical_on"):
        cert = MedicalCertificateFact(received_on=d["medical_on"])
        facts = replace(facts, medical_certificates=(*facts.medical_certificates, cert), willing_to_plan=True)
        said.append(f"a medical certificate arrives on {d['medical_on']:%b %d}")
    if d.get("appeal_pending"):
        facts = replace(facts, appeal_pending=True)
        said.append("an appeal is filed")
    if d.get("notice_kind"):
        facts = replace(
            facts, notices=(*facts.notices, NoticeFact(kind=d["notice_kind"], sent_on=d["notice_on"]))
        )
        said.append(f"a {d['notice_kind']} notice is sent on {d['notice_on']:%b %d}")
    return facts, said


def _apply_payment(facts: AccountFacts, amount) -> tuple:  # type: ignore[no-untyped-def]
    """A payment settles the oldest bills first, as the ledger would."""
    bills = []
    left = amount
    for bill in sorted(facts.bills, key=lambda b: b.due_date):
        take = min(left, bill.unpaid)
        left -= take
        bills.append(replace(bill, paid_amount=bill.paid_amount + take))
    return tuple(bills)


@permission_required("policy.use_whatif", raise_exception=True)
def whatif(request: HttpRequest) -> HttpResponse:
    form = forms.WhatIfForm(request.POST or None, initial={"account_number": request.GET.get("account", "")})
    ctx: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        as_of: date = d["as_of"]
        facts = None
        raw = (d.get("facts_json") or "").strip()
        if raw:
            try:
                parsed = AccountFactsIn(data=json.loads(raw))
            except json.JSONDecodeError as exc:
                form.add_error("facts_json", f"Not valid JSON: {exc.msg} at line {exc.lineno}.")
            else:
                if parsed.is_valid():
                    facts = facts_from_data(parsed.validated_data)
                else:
                    for message in _flatten_errors(parsed.errors):
                        form.add_error("facts_json", message)
        else:
            account = Account.objects.filter(number=d["account_number"].strip()).only("id").first()
            if account is None:
                form.add_error("account_number", "No account with that number.")
            else:
                facts = facts_for_account(account.pk, as_of=as_of)
        if facts is not None:
            try:
                policy = (
                    policy_build(presets=d["presets"], name="what-if")
                    if d["presets"]
                    else current_policy()[0]
                )
            except PolicyError as exc:
                form.add_error("presets", str(exc))
            else:
                changed, said = _scenario(facts, d)
                ctx["before"] = evaluate(policy=policy, facts=facts, as_of=as_of)
                ctx["after"] = evaluate(policy=policy, facts=changed, as_of=as_of) if said else None
                ctx["scenario"] = said
                ctx["facts_json"] = json.dumps(to_jsonable(facts), indent=1)
    return render(request, "collections_app/whatif.html", ctx)


@permission_required("policy.use_whatif", raise_exception=True)
def account_decision(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    raw = request.GET.get("as_of")
    try:
        as_of = parse_date_param(raw) if raw else timezone.localdate()
    except ValueError as exc:
        as_of = timezone.localdate()
        messages.error(request, f"{exc} Showing today.")
    policy, version = current_policy()
    result = evaluate(policy=policy, facts=facts_for_account(account.pk, as_of=as_of), as_of=as_of)
    return render(
        request,
        "collections_app/decision.html",
        {
            "account": account,
            "result": result,
            "as_of": as_of,
            "version": version,
            "medical": MedicalCertificate.objects.filter(account=account).order_by("-received_on")[:5],
            "appeals": Appeal.objects.filter(account=account).order_by("-opened_on")[:5],
            "attempts": ContactAttempt.objects.filter(account=account)
            .select_related("made_by")
            .order_by("-at")[:5],
        },
    )


@permission_required("policy.view_policyversion", raise_exception=True)
def policy_home(request: HttpRequest) -> HttpResponse:
    policy, version = current_policy()
    rows = []
    for item in describe():
        value = policy.param(item["path"])
        cite = policy.layers[0].cite(item["path"])  # the law of the presets in force (issue 12)
        rows.append({"item": item, "value": value, "changed": value != item["default"], "citation": cite})
    return render(
        request,
        "collections_app/policy.html",
        {
            "version": version,
            "presets": [PRESETS[name] for name in version.presets if name in PRESETS],
            "rows": rows,
            "versions": PolicyVersion.objects.select_related("created_by")[:20],
            "holidays": Holiday.objects.filter(date__gte=date(timezone.localdate().year, 1, 1))[:40],
            "holiday_form": forms.HolidayForm(),
            "weather": WeatherDay.objects.all()[:14],
            "weather_form": forms.WeatherForm(initial={"on": timezone.localdate()}),
        },
    )


@permission_required("policy.add_policyversion", raise_exception=True)
def policy_version_new(request: HttpRequest) -> HttpResponse:
    current = current_policy()[1]
    form = forms.PolicyVersionForm(
        request.POST or None,
        initial={"name": current.name, "presets": current.presets, "overrides": current.overrides},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            version = policy_services.policy_version_create(
                name=d["name"],
                presets=d["presets"],
                overrides=d["overrides"],
                note=d["note"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Policy version {version.version} is now in force.")
            return redirect("collections_app:policy")
    return render(request, "collections_app/policy_version_form.html", {"form": form, "current": current})


@require_POST
@permission_required("policy.add_holiday", raise_exception=True)
def holiday_add(request: HttpRequest) -> HttpResponse:
    form = forms.HolidayForm(request.POST)
    if form.is_valid():
        try:
            policy_services.holiday_add(
                on=form.cleaned_data["on"], name=form.cleaned_data["name"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Holiday added.")
    else:
        messages.error(request, f"The holiday was not added. {form_errors_text(form)}")
    return redirect("collections_app:policy")


@require_POST
@permission_required("policy.delete_holiday", raise_exception=True)
def holiday_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        policy_services.holiday_remove(holiday_id=pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Holiday removed.")
    return redirect("collections_app:policy")


@permission_required("policy.add_weatherday", raise_exception=True)
def weather_add(request: HttpRequest) -> HttpResponse:
    form = forms.WeatherForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            protections.weather_day_record(**form.cleaned_data, actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Weather recorded; tonight's decisions will use it.")
            return redirect("collections_app:policy")
    return render(request, "collections_app/simple_form.html", {"form": form, "title": "Record weather"})


def _account_form(request: HttpRequest, number: str, form_class, title: str, act) -> HttpResponse:  # type: ignore[no-untyped-def]
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    form = form_class(request.POST or None)
    form.helper = forms.submit_helper(title)
    if request.method == "POST" and form.is_valid():
        try:
            message = act(account, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect("collections_app:account_decision", number=account.number)
    return render(request, "accounts/form.html", {"account": account, "form": form, "title": title})


@permission_required("collections_app.add_medicalcertificate", raise_exception=True)
def medical_new(request: HttpRequest, number: str) -> HttpResponse:
    def act(account, d):  # type: ignore[no-untyped-def]
        protections.medical_certificate_record(account_id=account.pk, **d, actor=request.user)
        return "Medical certificate recorded."

    return _account_form(request, number, forms.MedicalCertificateForm, "Record a medical certificate", act)


@permission_required("collections_app.add_appeal", raise_exception=True)
def appeal_new(request: HttpRequest, number: str) -> HttpResponse:
    def act(account, d):  # type: ignore[no-untyped-def]
        protections.appeal_open(account_id=account.pk, **d, actor=request.user)
        return "Appeal opened: disconnection is held while it is pending."

    return _account_form(request, number, forms.AppealForm, "Open an appeal or dispute", act)


@require_POST
@permission_required("collections_app.change_appeal", raise_exception=True)
def appeal_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.select_related("account"), pk=pk)
    outcome = request.POST.get("outcome", "").strip()
    if not outcome:
        messages.error(request, "Say how the appeal was resolved.")
    else:
        try:
            protections.appeal_resolve(
                appeal_id=appeal.pk, resolved_on=timezone.localdate(), outcome=outcome, actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Appeal resolved.")
    return redirect("collections_app:account_decision", number=appeal.account.number)


@permission_required("collections_app.add_contactattempt", raise_exception=True)
def contact_attempt_new(request: HttpRequest, number: str) -> HttpResponse:
    def act(account, d):  # type: ignore[no-untyped-def]
        protections.contact_attempt_record(account_id=account.pk, **d, actor=request.user)
        return "Contact attempt recorded."

    return _account_form(request, number, forms.ContactAttemptForm, "Record a contact attempt", act)


urlpatterns = [
    path("what-if/", whatif, name="whatif"),
    path("policy/", policy_home, name="policy"),
    path("policy/new/", policy_version_new, name="policy_new"),
    path("policy/holidays/add/", holiday_add, name="holiday_add"),
    path("policy/holidays/<int:pk>/remove/", holiday_remove, name="holiday_remove"),
    path("policy/weather/add/", weather_add, name="weather_add"),
    path("accounts/<str:number>/decision/", account_decision, name="account_decision"),
    path("accounts/<str:number>/medical/", medical_new, name="medical_new"),
    path("accounts/<str:number>/appeal/", appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/resolve/", appeal_resolve, name="appeal_resolve"),
    path("accounts/<str:number>/contact-attempt/", contact_attempt_new, name="contact_attempt_new"),
]
