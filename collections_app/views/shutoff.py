"""The shutoff lists for collections officers: runs with live progress, a run's decisions by tab
with every rule checked, exclusion with a reason, approval into orders, CSV export."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from collections_app.forms_shutoff import ExcludeForm
from collections_app.models import BatchRun, RunStatus, ShutoffCandidate
from collections_app.selectors.field_day import shutoff_business_date
from collections_app.selectors.shutoff import (
    TABS,
    run_is_running,
    shutoff_run_get,
    shutoff_runs,
    stalled_shutoff_runs,
    tab_codes,
    tab_counts,
)
from collections_app.selectors.shutoff_page import END, SortKey, run_candidate_page
from collections_app.validators import text_param
from common.exceptions import DomainError

VIEW = "collections_app.view_batchrun"


def _run(run_id: int) -> BatchRun:
    run = shutoff_run_get(run_id=run_id)
    if run is None:
        raise Http404("No such shutoff list.")
    return run


@permission_required(VIEW, raise_exception=True)
def runs(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    field_day = shutoff_business_date(today=today)
    recent = shutoff_runs()
    tonight = next((r for r in recent if r.business_date == field_day), None)
    return render(
        request,
        "collections_app/shutoff_runs.html",
        {
            "runs": recent,
            "tonight": tonight,
            "running": run_is_running(),
            "today": today,
            "field_day": field_day,
        },
    )


@require_POST
@permission_required("collections_app.add_batchrun", raise_exception=True)
def run_now(request: HttpRequest) -> HttpResponse:
    from collections_app.services.shutoff import shutoff_run_open
    from collections_app.services.shutoff_refresh import shutoff_run_refresh
    from collections_app.services.shutoff_resume import shutoff_run_resume
    from collections_app.tasks.shutoff import shutoff_nightly

    field_day = shutoff_business_date(today=timezone.localdate())
    stalled = stalled_shutoff_runs().order_by("-business_date").first()
    if run_is_running():
        messages.info(request, "A shutoff list is being computed already; wait until it has finished.")
    elif stalled is not None:  # its worker died: resume it rather than wait for it
        shutoff_run_resume(run_id=stalled.pk, actor=request.user)
        messages.success(request, f"The stalled list of {stalled.business_date:%b %d} is resuming.")
    else:
        # The run row is committed before the task is queued: the page the officer lands on shows
        # the run and its progress even before a worker picks it up (or if none is up yet). A list
        # prepared on an earlier night is decided again, as tonight's run would.
        shutoff_run_refresh(business_date=field_day, tonight=timezone.localdate())
        run = shutoff_run_open(business_date=field_day, actor=request.user)
        if run.status == RunStatus.RUNNING:
            shutoff_nightly.delay(business_date=field_day.isoformat(), actor_id=request.user.pk)
            messages.success(
                request, f"The list for {field_day:%A, %b %d} is being computed; the page shows its progress."
            )
        else:
            state = run.get_status_display().lower()
            messages.info(request, f"The list for {field_day:%A, %b %d} is {state}.")
    return redirect("collections_app:shutoff_runs")


@require_POST
@permission_required("collections_app.add_batchrun", raise_exception=True)
def resume(request: HttpRequest, run_id: int) -> HttpResponse:
    """*Resume* on a stalled (or failed) run: the same path as the watchdog's, audited."""
    from collections_app.services.shutoff_resume import shutoff_run_resume

    try:
        shutoff_run_resume(run_id=_run(run_id).pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The list is resuming: the accounts already decided are kept.")
    return redirect("collections_app:shutoff_run", run_id=run_id)


@permission_required(VIEW, raise_exception=True)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(run_id)
    tab = request.GET.get("tab", "listed")
    tab = tab if tab in TABS else "listed"
    code, q = text_param(request.GET, "code"), text_param(request.GET, "q")
    # Keyset links: ?after=<cursor> (Next), ?before=<cursor> (Previous), ?last=1 (Last). A cursor
    # that does not parse (an edited link) shows the first page, as a missing one does.
    before = END if request.GET.get("last") else SortKey.parse(request.GET.get("before", ""))
    after = None if before is not None else SortKey.parse(request.GET.get("after", ""))
    page, codes = None, []
    if run.status not in (RunStatus.RUNNING, RunStatus.FAILED):  # else the page shows its progress
        page = run_candidate_page(run=run, tab=tab, code=code, q=q, after=after, before=before)
        codes = tab_codes(run=run, tab=tab)
    counts = tab_counts(run=run) if run.status != RunStatus.RUNNING else {}
    return render(
        request,
        "collections_app/shutoff_run.html",
        {
            "run": run,
            "tab": tab,
            "tabs": [(key, label, counts.get(key, 0)) for key, (label, *_) in TABS.items()],
            "listed": counts.get("listed", 0),
            "codes": codes,
            # how many rows the filters leave, when that is known without counting the rows
            "total": None if q else dict(codes).get(code, 0) if code else counts.get(tab),
            "code": code,
            "q": q,
            "page": page,
            "exclude_form": ExcludeForm(),
            "can_edit": run.status == RunStatus.FINISHED,
        },
    )


@permission_required(VIEW, raise_exception=True)
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(run_id)
    if (
        run.status != RunStatus.RUNNING
        and request.headers.get("HX-Request")
        and request.GET.get("was") == "running"
    ):
        return HttpResponseClientRefresh()  # finished while the officer watched: show the tabs
    return render(request, "collections_app/shutoff_progress.html", {"run": run})


@require_POST
@permission_required("collections_app.change_shutoffcandidate", raise_exception=True)
def exclude(request: HttpRequest, run_id: int, candidate_id: int) -> HttpResponse:
    from collections_app.services.shutoff import candidate_exclude

    # the candidate of another list (a stale tab, an edited URL) is not on this one
    get_object_or_404(ShutoffCandidate.objects.only("pk"), pk=candidate_id, run_id=run_id)
    form = ExcludeForm(request.POST)
    back = reverse("collections_app:shutoff_run", args=[run_id]) + "?tab=listed"
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", ["Give a reason."])))
        return redirect(back)
    try:
        candidate = candidate_exclude(
            candidate_id=candidate_id, reason=form.cleaned_data["reason"], actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Account {candidate.account.number} is off the list: {candidate.exclude_reason}"
        )
    return redirect(back)


@require_POST
@permission_required("collections_app.approve_shutoff_list", raise_exception=True)
def approve(request: HttpRequest, run_id: int) -> HttpResponse:
    from collections_app.services.shutoff import shutoff_list_approve

    try:
        _, made = shutoff_list_approve(run_id=_run(run_id).pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("collections_app:shutoff_run", run_id=run_id)
    noun = "order" if made == 1 else "orders"
    messages.success(request, f"List approved: {made} disconnect {noun} on the order board.")
    return redirect(reverse("collections_app:orders") + "?tab=open")


@require_POST
@permission_required(VIEW, raise_exception=True)
def export_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    """A job (a city's list is tens of thousands of rows): its page has the CSV to download."""
    from collections_app.export_jobs import shutoff_csv_submit

    job = shutoff_csv_submit(run=_run(run_id), tab=request.POST.get("tab", "listed"), actor=request.user)
    return redirect(job.get_absolute_url())


urlpatterns = [
    path("shutoff/", runs, name="shutoff_runs"),
    path("shutoff/run-now/", run_now, name="shutoff_run_now"),
    path("shutoff/<int:run_id>/", run_detail, name="shutoff_run"),
    path("shutoff/<int:run_id>/progress/", run_progress, name="shutoff_progress"),
    path("shutoff/<int:run_id>/approve/", approve, name="shutoff_approve"),
    path("shutoff/<int:run_id>/resume/", resume, name="shutoff_resume"),
    path("shutoff/<int:run_id>/export.csv", export_csv, name="shutoff_csv"),
    path("shutoff/<int:run_id>/candidates/<int:candidate_id>/exclude/", exclude, name="shutoff_exclude"),
]
