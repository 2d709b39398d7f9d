"""The filters every dashboard shares, and their ONE definition for the roll-up and the records.

`Filters.rollup_q()` selects DailyFigure rows, `Filters.base_q()` selects base records (an
arrangement, a pledge, an account): both read the same cleaned values, so a dashboard's number
and its drill-down list always count the same accounts.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import AccountClass, Service, Utility
from counseling.models import ProgramEnrollment, ProgramKind

MAX_RANGE_DAYS = 2 * 366
GRAINS = (("day", "Day"), ("week", "Week"), ("month", "Month"))


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    grain: str = "month"
    utility: str = ""
    account_class: str = ""
    employee: Any = None  # a User or None
    postal_code: str = ""
    low_income: bool | None = None

    def totals_dimension(self) -> tuple[str, str] | None:
        """The DailyTotal dimension and value these filters read (('', '') for every account), or
        None when they need DailyFigure's rows (a ZIP code, or two account filters at once)."""
        if self.postal_code:
            return None
        chosen = [
            (name, value)
            for name, value in (
                ("utility", self.utility),
                ("class", self.account_class),
                ("low_income", "" if self.low_income is None else str(self.low_income).lower()),
            )
            if value
        ]
        if len(chosen) > 1:
            return None
        return chosen[0] if chosen else ("", "")

    def rollup_q(self) -> Q:
        q = Q()
        if self.utility:
            q &= Q(utilities__contains=[self.utility])
        if self.account_class:
            q &= Q(account_class=self.account_class)
        if self.employee is not None:
            q &= Q(employee=self.employee)
        if self.postal_code:
            q &= Q(postal_code=self.postal_code)
        if self.low_income is not None:
            q &= Q(low_income=self.low_income)
        return q

    def base_q(self, *, account_path: str | None, employee_path: str | None) -> Q:
        """The same filters on base records whose account is at `account_path` ('' for Account;
        None for records without an account, which no account filter matches, except "other
        households": the roll-up files them as not low-income)."""
        if account_path is None:
            if self.utility or self.account_class or self.postal_code or self.low_income:
                return Q(pk__in=[])
            if self.employee is not None:
                return Q(**{employee_path: self.employee}) if employee_path else Q(pk__in=[])
            return Q()
        prefix = f"{account_path}__" if account_path else ""
        account_ref = OuterRef(account_path or "pk")
        q = Q()
        if self.utility:
            q &= Q(Exists(Service.objects.filter(account=account_ref, utility=self.utility)))
        if self.account_class:
            q &= Q(**{f"{prefix}account_class": self.account_class})
        if self.employee is not None:
            # a metric without an employee (aging) counts nobody's work: nothing matches
            q &= Q(**{employee_path: self.employee}) if employee_path else Q(pk__in=[])
        if self.postal_code:
            q &= Q(**{f"{prefix}premise__postal_code": self.postal_code})
        if self.low_income is not None:
            enrolled = Exists(
                ProgramEnrollment.objects.filter(
                    account=account_ref,
                    program=ProgramKind.LOW_INCOME,
                    status=ProgramEnrollment.Status.ACTIVE,
                )
            )
            q &= Q(enrolled) if self.low_income else ~Q(enrolled)
        return q

    def query(self) -> dict[str, str]:
        """The filters as GET parameters (for links: drill-down, CSV, the next page)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat(), "grain": self.grain}
        for name in ("utility", "account_class", "postal_code"):
            if value := getattr(self, name):
                params[name] = value
        if self.employee is not None:
            params["employee"] = str(self.employee.pk)
        if self.low_income is not None:
            params["low_income"] = "yes" if self.low_income else "no"
        return params


def employee_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class FilterForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    grain = forms.ChoiceField(label="Group by", choices=GRAINS, initial="month")
    utility = forms.ChoiceField(
        label="Utility", choices=[("", "All utilities"), *Utility.choices], required=False
    )
    account_class = forms.ChoiceField(
        label="Account class", choices=[("", "All classes"), *AccountClass.choices], required=False
    )
    # choices filled in __init__ from one read of the staff, which also names the breakdown's rows
    employee = forms.TypedChoiceField(
        label="Employee",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "No active employee has that id: choose one from the list."},
    )
    postal_code = forms.CharField(label="ZIP code", max_length=10, required=False)
    low_income = forms.ChoiceField(
        label="Low income",
        choices=[("", "Everyone"), ("yes", "Low-income households"), ("no", "Other households")],
        required=False,
    )

    def __init__(self, data: Any = None, *, uses_employee: bool = True) -> None:
        today = timezone.localdate()
        defaults = {
            "start": (today - timedelta(days=89)).isoformat(),
            "end": today.isoformat(),
            "grain": "month",
        }
        merged = {**defaults, **{k: v for k, v in (data or {}).items() if v not in ("", None)}}
        super().__init__(merged)
        self.staff: dict[int, Any] = {}
        if uses_employee:
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            self.staff = {u.pk: u for u in users}
            self.fields["employee"].choices = [
                ("", "All employees"),
                *((pk, employee_name(u)) for pk, u in self.staff.items()),
            ]
        else:
            del self.fields["employee"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("end", "The range is longer than two years: choose a shorter one.")
        return cleaned

    def filters(self) -> Filters:
        c = self.cleaned_data
        low = {"yes": True, "no": False}.get(c.get("low_income") or "")
        return Filters(
            start=c["start"],
            end=c["end"],
            grain=c["grain"],
            utility=c.get("utility") or "",
            account_class=c.get("account_class") or "",
            employee=self.staff.get(c.get("employee")) if c.get("employee") is not None else None,
            postal_code=(c.get("postal_code") or "").strip(),
            low_income=low,
        )
