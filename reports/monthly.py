"""The monthly report: every registered dashboard's chart (server-side SVG, so it prints) and its
tables for one month and the chosen filters, as one PDF built by a stored job (common.jobs).

The supervisor picks the month and filters on the dashboards index; the request stores the job and
returns at once (the job page shows progress, then Download). The job's key holds the month, the
filters and the last roll-up run: asking again before the roll-up moves shows the same PDF, after
it a fresh one. The current month runs to today. Weeks are the rows of each period table. There
is no employee filter: several dashboards count nobody's work (aging, fairness) and would come out empty.
"""

from calendar import monthrange
from datetime import date
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from accounts.models import AccountClass, Utility
from common.jobs import JobOutcome, Progress, job_handler, job_submit
from common.models import Job
from reports.dashboards import base
from reports.dashboards.filters import Filters
from reports.dashboards.tables import breakdown_table, chart_data, time_table
from reports.rollup import last_run
from reports.svg import chart_svg

KIND = "reports.monthly_pdf"
PERM = "common.use_supervision"


class MonthlyForm(forms.Form):
    month = forms.CharField(label="Month", widget=forms.DateInput(attrs={"type": "month"}))
    utility = forms.ChoiceField(
        label="Utility", choices=[("", "All utilities"), *Utility.choices], required=False
    )
    account_class = forms.ChoiceField(
        label="Account class", choices=[("", "All classes"), *AccountClass.choices], required=False
    )
    postal_code = forms.CharField(label="ZIP code", max_length=10, required=False)
    low_income = forms.ChoiceField(
        label="Low income",
        choices=[("", "Everyone"), ("yes", "Low-income households"), ("no", "Other households")],
        required=False,
    )

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        try:
            first = date.fromisoformat(f"{text}-01")
        except ValueError:
            raise forms.ValidationError("Give the month as YYYY-MM, e.g. 2026-11.") from None
        if first > timezone.localdate():
            raise forms.ValidationError("That month has not started yet.")
        return first

    def params(self) -> dict[str, str]:
        c = self.cleaned_data
        out = {"month": c["month"].isoformat()[:7]}
        for name in ("utility", "account_class", "postal_code", "low_income"):
            if value := (c.get(name) or "").strip():
                out[name] = value
        return out


def month_filters(params: dict[str, str]) -> Filters:
    first = date.fromisoformat(f"{params['month']}-01")
    # the current month stops today: its later weeks have no figures yet
    last = min(first.replace(day=monthrange(first.year, first.month)[1]), timezone.localdate())
    return Filters(
        start=first,
        end=last,
        grain="week",
        utility=params.get("utility", ""),
        account_class=params.get("account_class", ""),
        postal_code=params.get("postal_code", ""),
        low_income={"yes": True, "no": False}.get(params.get("low_income", "")),
    )


def monthly_submit(*, params: dict[str, str], actor: Any) -> Job:
    run = last_run()
    what = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return job_submit(
        kind=KIND,
        key=f"{KIND}:{what}:run{run.pk if run else 0}",
        label=f"Monthly report {params['month']}" + (f" ({what.split('&', 1)[1]})" if "&" in what else ""),
        params=params,
        actor=actor,
        permission=PERM,
    )


def monthly_sections(filters: Filters) -> list[dict[str, Any]]:
    """Each dashboard as the page shows it: chart (SVG), period table, breakdown, its own tables."""
    from reports.views_dashboards import render_tables  # the page's own cell formatting

    sections = []
    for dash in base.dashboards():
        periods = time_table(dash, filters)
        tables = [periods]
        if (breakdown := breakdown_table(dash, filters)) is not None:
            tables.append(breakdown)
        if build := dash.extra.get("tables"):
            tables += list(build(filters).values())
        sections.append(
            {
                "dash": dash,
                "svg": chart_svg(chart_data(dash, periods), title=dash.title),
                "tables": render_tables(tables, dash.slug, filters),
            }
        )
    return sections


def monthly_pdf(params: dict[str, str], progress: Progress | None = None) -> bytes:
    filters = month_filters(params)
    sections = monthly_sections(filters)
    if progress:
        progress(1, 2, force=True)
    run = last_run()
    html = render_to_string(
        "reports/pdf/monthly.html",
        {
            "filters": filters,
            "params": params,
            "sections": sections,
            "as_of": run.finished_at if run else None,
            "made": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()


@job_handler(KIND)
def _monthly(job: Job, progress: Progress) -> JobOutcome:
    data = monthly_pdf(job.params, progress)
    n = len(base.dashboards())
    return JobOutcome(
        result={
            "summary": f"Monthly report {job.params['month']}: {n} dashboards, their charts and tables.",
            "link": reverse("reports:dashboards"),
            "link_label": "Back to the dashboards",
        },
        output=data,
        output_name=f"monthly-report-{job.params['month']}.pdf",
        output_type="application/pdf",
    )
