from payments.models.deposits import BankDeposit, DepositStatus
from payments.models.drawers import Drawer, DrawerSession, SessionStatus
from payments.models.files import PaymentFile, PaymentFileLine
from payments.models.payments import (
    CounterTransaction,
    Payment,
    PaymentDistribution,
    PaymentStatus,
    ReturnedItem,
    Tender,
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
    "SessionStatus",
    "Tender",
    "TenderKind",
]
