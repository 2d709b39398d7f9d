from payments.models.deposits import BankDeposit, DepositStatus
from payments.models.drawers import Drawer, DrawerSession, SessionStatus
from payments.models.files import PaymentFile, PaymentFileLine
from payments.models.payments import (
    CounterTransaction,
    Payment,
    PaymentDistribution,
    PaymentStatus,
    ReturnedItem,
    ReturnedLine,
    Tender,
    TenderAllocation,
    TenderKind,
)

__all__ = [
    "BankDeposit",
    "CounterTransaction",
    "DepositStatus",
    "Drawer",
    "DrawerSession",
    "Payment",
    "PaymentDistribution",
    "PaymentFile",
    "PaymentFileLine",
    "PaymentStatus",
    "ReturnedItem",
    "ReturnedLine",
    "SessionStatus",
    "Tender",
    "TenderAllocation",
    "TenderKind",
]
