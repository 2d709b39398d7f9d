"""Service orders for collections officers: the board, dispatch to a crew (with the engine's
re-check), one order with its completion or cancellation, route sheets (PDF, CSV), field visits."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account, DecisionKind
from collections_app.forms_shutoff import CancelForm, CompleteForm, DispatchForm, FieldVisitForm
from collections_app.models.orders import OrderKind, OrderStatus
from collections_app.selectors.decisions import decisions_about
from collections_app.selectors.orders import (
    BOARD_TABS,
    board_counts,
    crews,
    order_board,
    order_get,
    route_csv_rows,
)
from collections_app.validators import form_errors_text, text_param
from common.exceptions import DomainError
from common.pdf import pdf_response

VIEW = "collections_app.view_serviceorder"
BOARD_LIMIT = 500


@permission_required(VIEW, raise_exception=True)
def board(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "open")
    tab = tab if tab in BOARD_TABS else "open"
    crew, kind = text_param(request.GET, "crew"), text_param(request.GET, "kind")
    orders = list(order_board(tab=tab, crew=crew, kind=kind)[:BOARD_LIMIT])
    return render(
        request,
        "collections_app/order_board.html",
        {
            "tab": tab,
            "orders": orders,
            "counts": board_counts(),
            "crews": crews(),
            "crew": crew,
            "kind": kind,
            "kinds": OrderKind.choices,
            "limit": BOARD_LIMIT,
            "today": timezone.localdate(),
        },
    )


@require_POST
@permission_required("collections_app.dispatch_serviceorder", raise_exception=True)
def dispatch(request: HttpRequest) -> HttpResponse:
    from collections_app.services.orders import order_dispatch

    # ASCII digits only: "²".isdigit() is true and int() refuses it
    ids = [int(i) for i in request.POST.getlist("orders") if i.isascii() and i.isdigit()]
    form = DispatchForm(request.POST, order_ids=ids)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(reverse("collections_app:orders") + "?tab=open")
    try:
        result = order_dispatch(
            order_ids=form.cleaned_data["orders"], crew=form.cleaned_data["crew"], actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("collections_app:orders") + "?tab=open")
    if result.dispatched:
        messages.success(request, f"{len(result.dispatched)} dispatched to {form.cleaned_data['crew']}.")
    _grouped_messages(request, messages.WARNING, result.cancelled, "cancelled", lambda o: o.cancelled_reason)
    _grouped_messages(
        request,
        messages.INFO,
        result.waiting,
        "kept open",
        lambda o: f"not allowed before {o.scheduled_for:%b %d, %Y}",
    )
    if result.skipped:
        messages.info(request, f"{len(result.skipped)} were no longer open and were left as they are.")
    return redirect(reverse("collections_app:orders") + "?tab=dispatched")


MESSAGE_EXAMPLES = 5


def _grouped_messages(request, level, orders, what, why) -> None:  # type: ignore[no-untyped-def]
    """One message per reason, not per order: approving a night's list can stop dozens of orders
    for the same reason, and a wall of alerts hides the one that differs. A few order numbers
    are named; the board's tabs hold the rest."""
    by_reason: dict[str, list] = {}  # type: ignore[type-arg]
    for order in orders:
        by_reason.setdefault(why(order), []).append(order)
    for reason, group in by_reason.items():
        named = ", ".join(f"#{o.pk} ({o.account.number})" for o in group[:MESSAGE_EXAMPLES])
        more = f" and {len(group) - MESSAGE_EXAMPLES} more" if len(group) > MESSAGE_EXAMPLES else ""
        noun = "order" if len(group) == 1 else "orders"
        messages.add_message(request, level, f"{len(group)} {noun} {what}: {reason} — {named}{more}.")


@permission_required(VIEW, raise_exception=True)
def detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_get(order_id=order_id)
    if order is None:
        raise Http404("No such order.")
    return render(
        request,
        "collections_app/order_detail.html",
        {
            "order": order,
            "account": order.account,
            "complete_form": CompleteForm(),
            "cancel_form": CancelForm(),
            "open": order.status in (OrderStatus.OPEN, OrderStatus.DISPATCHED),
            "decisions": decisions_about(
                account_id=order.account_id, kind=DecisionKind.RECONNECT_FEE, subjects=[f"order:{order.pk}"]
            ),
        },
    )


@require_POST
@permission_required("collections_app.complete_serviceorder", raise_exception=True)
def complete(request: HttpRequest, order_id: int) -> HttpResponse:
    from collections_app.services.orders import order_complete

    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("collections_app:order", order_id=order_id)
    d = form.cleaned_data
    try:
        done = order_complete(
            order_id=order_id,
            outcome=d["outcome"],
            completed_at=d["completed_at"],
            meter_reading=d["meter_reading"],
            note=d["note"],
            actual_cost=d["actual_cost"],
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("collections_app:order", order_id=order_id)
    completed = "Completed."
    if done.fee is not None:
        completed += (
            f" Reconnection fee ${done.fee.amount:,.2f} charged: {done.fee.reason} ({done.fee.citation})"
        )
    level, text = {
        "completed": (messages.SUCCESS, completed),
        "cancelled": (messages.WARNING, f"Not completed — the order is cancelled: {done.reason}"),
        "not_today": (messages.WARNING, done.reason),
        "no_access": (messages.INFO, "Could not be done: back on the board to be dispatched again."),
        "replay": (messages.INFO, "This order was already closed; nothing changed."),
    }[done.result]
    messages.add_message(request, level, text)
    return redirect("collections_app:order", order_id=order_id)


@require_POST
@permission_required("collections_app.change_serviceorder", raise_exception=True)
def after_hours(request: HttpRequest, order_id: int) -> HttpResponse:
    """The customer asks for (or withdraws a request for) after-hours reconnection."""
    from collections_app.services.reconnect import reconnect_after_hours_request

    requested = request.POST.get("requested")
    if requested not in ("0", "1"):
        messages.error(request, "Say whether the customer asks for after-hours service.")
        return redirect("collections_app:order", order_id=order_id)
    try:
        reconnect_after_hours_request(order_id=order_id, requested=requested == "1", actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "After-hours service requested: the after-hours fee applies if the crew does it after hours."
            if requested == "1"
            else "After-hours request withdrawn: the normal fee applies.",
        )
    return redirect("collections_app:order", order_id=order_id)


@require_POST
@permission_required("collections_app.change_serviceorder", raise_exception=True)
def cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    from collections_app.services.orders import order_cancel

    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the order is cancelled (at least a few words).")
        return redirect("collections_app:order", order_id=order_id)
    try:
        order_cancel(order_id=order_id, reason=form.cleaned_data["reason"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Order cancelled.")
    return redirect("collections_app:order", order_id=order_id)


@permission_required(VIEW, raise_exception=True)
def route_sheet_pdf(request: HttpRequest) -> HttpResponse:
    from collections_app.pdf_orders import route_sheet_pdf as render_pdf

    crew = text_param(request.GET, "crew")
    name = f"route-sheet-{crew or 'all'}-{timezone.localdate()}.pdf".replace(" ", "-")
    return pdf_response(render_pdf(crew=crew), name)


@permission_required(VIEW, raise_exception=True)
def route_sheet_csv(request: HttpRequest) -> HttpResponse:
    crew = text_param(request.GET, "crew")
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="route-sheet-{crew or "all"}-{timezone.localdate()}.csv"'.replace(" ", "-")
    )
    csv.writer(response).writerows(route_csv_rows(crew=crew))
    return response


@permission_required("collections_app.add_serviceorder", raise_exception=True)
def visit_new(request: HttpRequest, number: str) -> HttpResponse:
    from collections_app.services.orders import field_visit_create

    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    form = FieldVisitForm(request.POST or None, initial={"scheduled_for": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            order = field_visit_create(account_id=account.pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Field visit #{order.pk} is on the order board.")
            return redirect("collections_app:order", order_id=order.pk)
    return render(request, "collections_app/order_visit_form.html", {"account": account, "form": form})


urlpatterns = [
    path("orders/", board, name="orders"),
    path("orders/dispatch/", dispatch, name="orders_dispatch"),
    path("orders/route-sheet.pdf", route_sheet_pdf, name="route_sheet_pdf"),
    path("orders/route-sheet.csv", route_sheet_csv, name="route_sheet_csv"),
    path("orders/<int:order_id>/", detail, name="order"),
    path("orders/<int:order_id>/complete/", complete, name="order_complete"),
    path("orders/<int:order_id>/cancel/", cancel, name="order_cancel"),
    path("orders/<int:order_id>/after-hours/", after_hours, name="order_after_hours"),
    path("accounts/<str:number>/field-visit/", visit_new, name="order_visit_new"),
]
