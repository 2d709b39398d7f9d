"""Drawer sessions: open with a counted float, close with a blind count, sign off over/short."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money
from payments.models import Drawer, DrawerSession, PaymentStatus, SessionStatus, Tender, TenderKind
from payments.models.drawers import DENOMINATIONS
from policy.selectors import current_policy

OTHER_KINDS = (TenderKind.MONEY_ORDER, TenderKind.CASHIERS_CHECK)


@transaction.atomic(durable=True)
def session_open(*, drawer_id: int, cashier, opening_float: Decimal) -> DrawerSession:  # type: ignore[no-untyped-def]
    opening_float = to_money(opening_float)
    if opening_float < 0:
        raise DomainError("session.float", "The opening float cannot be negative.")
    drawer = Drawer.objects.filter(pk=drawer_id, active=True).first()
    if drawer is None:
        raise DomainError("session.drawer", "Choose an active drawer.")
    try:
        with transaction.atomic():
            session = DrawerSession.objects.create(
                drawer=drawer,
                cashier=cashier,
                opening_float=opening_float,
                business_date=timezone.localdate(),
            )
    except IntegrityError:
        # the partial unique indexes decide races between two openers
        if DrawerSession.objects.filter(cashier=cashier, status=SessionStatus.OPEN).exists():
            raise DomainError("session.cashier_open", "You already have an open drawer session.") from None
        raise DomainError(
            "session.drawer_open", f"Drawer {drawer.code} is already open for another cashier."
        ) from None
    audit_record(actor=cashier, verb="drawer.open", target=session, data={"float": str(opening_float)})
    return session


@dataclass(frozen=True)
class Expected:
    cash: Decimal
    checks: Decimal
    check_count: int
    cards: Decimal
    other: Decimal


def session_expected(*, session: DrawerSession) -> Expected:
    """What the drawer must hold: the float plus every tender of transactions not voided."""
    live = (
        Tender.objects.filter(transaction__session=session)
        .exclude(transaction__payments__status=PaymentStatus.VOIDED)
        .distinct()
    )
    sums = Tender.objects.filter(pk__in=live.values("pk")).aggregate(
        cash=Sum("amount", filter=Q(kind=TenderKind.CASH)),
        checks=Sum("amount", filter=Q(kind=TenderKind.CHECK)),
        cards=Sum("amount", filter=Q(kind=TenderKind.CARD)),
        other=Sum("amount", filter=Q(kind__in=OTHER_KINDS)),
    )
    check_count = Tender.objects.filter(pk__in=live.values("pk"), kind=TenderKind.CHECK).count()
    return Expected(
        cash=to_money(session.opening_float + (sums["cash"] or 0)),
        checks=to_money(sums["checks"] or 0),
        check_count=check_count,
        cards=to_money(sums["cards"] or 0),
        other=to_money(sums["other"] or 0),
    )


def count_total(denominations: dict[str, int]) -> Decimal:
    unknown = set(denominations) - set(DENOMINATIONS)
    if unknown:
        raise DomainError("count.denomination", f"Unknown denomination {sorted(unknown)[0]}.")
    if any(n < 0 for n in denominations.values()):
        raise DomainError("count.negative", "Counts cannot be negative.")
    cents = sum(DENOMINATIONS[d] * n for d, n in denominations.items())
    return to_money(Decimal(cents) / 100)


@transaction.atomic(durable=True)
def session_close(
    *,
    session_id: int,
    cashier,
    denominations: dict[str, int],
    checks_total: Decimal,  # type: ignore[no-untyped-def]
    check_count: int,
    cards_total: Decimal,
    other_total: Decimal,
    note: str = "",
) -> DrawerSession:
    """The blind count: the cashier declares what is in the drawer before seeing what is expected."""
    session = DrawerSession.objects.select_for_update(no_key=True).get(pk=session_id)
    if session.cashier_id != cashier.pk:
        raise DomainError("session.not_yours", "Only the cashier who opened the drawer can close it.")
    if session.status != SessionStatus.OPEN:
        raise DomainError("session.closed", "This drawer session is already closed.")
    expected = session_expected(session=session)
    session.counted_denominations = {d: n for d, n in denominations.items() if n}
    session.counted_cash = count_total(denominations)
    session.counted_checks, session.counted_check_count = to_money(checks_total), check_count
    session.counted_cards, session.counted_other = to_money(cards_total), to_money(other_total)
    session.expected_cash, session.expected_checks = expected.cash, expected.checks
    session.expected_cards, session.expected_other = expected.cards, expected.other
    session.over_short = to_money(
        (session.counted_cash + session.counted_checks + session.counted_cards + session.counted_other)
        - (expected.cash + expected.checks + expected.cards + expected.other)
    )
    limit = to_money(current_policy()[0].param("cashiering.over_short_signoff"))
    session.status = (
        SessionStatus.PENDING_SIGNOFF if abs(session.over_short) > limit else SessionStatus.CLOSED
    )
    session.closed_at, session.close_note = timezone.now(), note.strip()
    session.save()
    audit_record(
        actor=cashier,
        verb="drawer.close",
        target=session,
        data={"over_short": str(session.over_short), "status": session.status},
    )
    return session


@transaction.atomic(durable=True)
def session_signoff(*, session_id: int, supervisor, reason: str) -> DrawerSession:  # type: ignore[no-untyped-def]
    if not supervisor.has_perm("payments.signoff_drawersession"):
        raise DomainError("session.signoff_perm", "Only a supervisor can sign off a drawer.")
    session = DrawerSession.objects.select_for_update(no_key=True).get(pk=session_id)
    if session.status != SessionStatus.PENDING_SIGNOFF:
        raise DomainError("session.signoff_state", "This drawer does not await sign-off.")
    if session.cashier_id == supervisor.pk:
        raise DomainError("session.signoff_own", "Another supervisor must sign off your own drawer.")
    if not reason.strip():
        raise DomainError("session.signoff_reason", "Give the reason for the over/short.")
    session.status, session.signed_off_by = SessionStatus.SIGNED_OFF, supervisor
    session.signed_off_at, session.signoff_reason = timezone.now(), reason.strip()
    session.save(update_fields=["status", "signed_off_by", "signed_off_at", "signoff_reason"])
    audit_record(
        actor=supervisor,
        verb="drawer.signoff",
        target=session,
        data={"over_short": str(session.over_short), "reason": reason.strip()[:200]},
    )
    return session
