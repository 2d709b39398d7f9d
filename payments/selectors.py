from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from payments.models import CounterTransaction, DrawerSession, SessionStatus

# The day's journal per fund: money distributed to each fund by payments dated that day, less
# reversals (voids and returned items) dated that day. Both sides come from the stored
# distribution, so the journal ties to the payments to the cent.
GL_SQL = """
WITH posted AS (
    SELECT d.fund_id, SUM(d.amount) AS amount FROM payments_paymentdistribution d
    JOIN payments_payment p ON p.id = d.payment_id
    WHERE p.business_date = %(day)s GROUP BY d.fund_id
), reversed AS (
    SELECT d.fund_id, SUM(r.amount) AS amount FROM accounts_ledgerentry r
    JOIN payments_paymentdistribution d ON d.entry_id = r.reversal_of_id
    WHERE r.kind = 'payment_reversal' AND r.effective_date = %(day)s GROUP BY d.fund_id
)
SELECT f.code, f.gl_code, f.name, COALESCE(p.amount, 0), COALESCE(r.amount, 0),
       COALESCE(p.amount, 0) - COALESCE(r.amount, 0)
FROM accounts_fund f LEFT JOIN posted p ON p.fund_id = f.id LEFT JOIN reversed r ON r.fund_id = f.id
WHERE p.amount IS NOT NULL OR r.amount IS NOT NULL
ORDER BY f.gl_code, f.code
"""


@dataclass(frozen=True)
class GlRow:
    fund_code: str
    gl_code: str
    fund_name: str
    payments: Decimal
    reversals: Decimal
    net: Decimal


def gl_journal(*, day: date) -> list[GlRow]:
    with connection.cursor() as cursor:
        cursor.execute(GL_SQL, {"day": day})
        return [GlRow(*row) for row in cursor.fetchall()]


def open_session_for(user) -> DrawerSession | None:  # type: ignore[no-untyped-def]
    return (
        DrawerSession.objects.select_related("drawer").filter(cashier=user, status=SessionStatus.OPEN).first()
    )


def session_transactions(*, session: DrawerSession) -> list[CounterTransaction]:
    return list(session.transactions.prefetch_related("tenders", "payments__account").order_by("id"))
