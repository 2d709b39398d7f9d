"""Notices: build a batch for a kind and date, download its PDF, mark it sent; an account's
notices with a form to record one given by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from accounts.models import Account
from collections_app.forms_notices import BatchBuildForm, MarkSentForm, NoticeRecordForm
from collections_app.models import Notice, NoticeBatch
from collections_app.notice_jobs import notice_batch_build_submit, notice_batch_pdf_submit
from collections_app.pdf_notices import notice_pdf
from collections_app.selectors.notices import account_notices, batch_notices, batch_summary, notice_batches
from collections_app.services.notices import notice_batch_mark_sent, notice_record
from collections_app.validators import form_errors_text
from common.exceptions import DomainError
from common.pdf import pdf_response


@permission_required("collections_app.view_notice", raise_exception=True)
def notices_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "collections_app/notice_batches.html",
        {"form": BatchBuildForm(), "batches": notice_batches()},
    )


@require_POST
@permission_required("collections_app.add_noticebatch", raise_exception=True)
def batch_build(request: HttpRequest) -> HttpResponse:
    form = BatchBuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The batch was not built. {form_errors_text(form)}")
        return redirect("collections_app:notices")
    # thousands of accounts to decide: a job (its page shows the progress, then the batch)
    job = notice_batch_build_submit(actor=request.user, **form.cleaned_data)
    return redirect(job)


@permission_required("collections_app.view_notice", raise_exception=True)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(
        NoticeBatch.objects.select_related("created_by", "sent_by", "policy_version"), pk=pk
    )
    return render(
        request,
        "collections_app/notice_batch.html",
        {
            "batch": batch,
            "notices": batch_notices(batch=batch)[:500],
            "summary": batch_summary(batch),
            "form": MarkSentForm(initial={"sent_on": batch.business_date}),
        },
    )


@require_POST
@permission_required("collections_app.view_notice", raise_exception=True)
def batch_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Print the batch: a job renders it in parallel parts; its page offers the download."""
    batch = get_object_or_404(NoticeBatch, pk=pk)
    return redirect(notice_batch_pdf_submit(batch=batch, actor=request.user))


@require_POST
@permission_required("collections_app.change_noticebatch", raise_exception=True)
def batch_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    form = MarkSentForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The batch was not marked sent. {form_errors_text(form)}")
        return redirect("collections_app:notice_batch", pk=pk)
    try:
        batch = notice_batch_mark_sent(batch_id=pk, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Marked sent on {batch.sent_on:%b %d, %Y}: the notices' clocks have started."
        )
    return redirect("collections_app:notice_batch", pk=pk)


@permission_required("collections_app.view_notice", raise_exception=True)
def notice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("account__premise", "batch"), pk=pk)
    return pdf_response(notice_pdf(notice), f"notice-{notice.account.number}-{notice.kind}-{notice.pk}.pdf")


@permission_required("collections_app.view_notice", raise_exception=True)
def account_notices_view(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    form = NoticeRecordForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("collections_app.add_notice"):
            return HttpResponse(status=403)
        if form.is_valid():
            d = form.cleaned_data
            try:
                notice_record(
                    account_id=account.pk,
                    kind=d["kind"],
                    method=d["method"],
                    sent_on=d["sent_on"],
                    note=d["note"],
                    actor=request.user,
                    idempotency_key=d["key"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Notice recorded: the engine counts it from its date.")
                return redirect("collections_app:account_notices", number=number)
    return render(
        request,
        "collections_app/notice_account.html",
        {"account": account, "notices": account_notices(account_id=account.pk), "form": form},
    )


urlpatterns: list[URLPattern] = [
    path("notices/", notices_home, name="notices"),
    path("notices/build/", batch_build, name="notice_batch_build"),
    path("notices/batches/<int:pk>/", batch_detail, name="notice_batch"),
    path("notices/batches/<int:pk>/pdf/", batch_pdf, name="notice_batch_pdf"),
    path("notices/batches/<int:pk>/sent/", batch_mark_sent, name="notice_batch_sent"),
    path("notices/<int:pk>.pdf", notice_pdf_view, name="notice_pdf"),
    path("accounts/<str:number>/notices/", account_notices_view, name="account_notices"),
]
