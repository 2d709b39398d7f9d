from collections_app.models.deposits import DepositInstallment, DepositStatus, SecurityDeposit
from collections_app.models.notices import Notice, NoticeBatch, NoticeKind, NoticeMethod
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.models.protections import Appeal, ContactAttempt, MedicalCertificate
from collections_app.models.recovery import (
    AgencyReferral,
    BankruptcyCase,
    BankruptcyStatus,
    CollectionAgency,
    CreditReferenceLetter,
    ReferralStatus,
    SmallClaim,
    SmallClaimStatus,
    WriteOff,
    WriteOffKind,
    WriteOffStatus,
)
from collections_app.models.refunds import Refund, RefundLine, RefundStatus
from collections_app.models.runs import BatchRun, CandidateStatus, RunKind, RunStatus, ShutoffCandidate

__all__ = [
    "AgencyReferral",
    "Appeal",
    "BankruptcyCase",
    "BankruptcyStatus",
    "BatchRun",
    "CandidateStatus",
    "CollectionAgency",
    "ContactAttempt",
    "CreditReferenceLetter",
    "DepositInstallment",
    "DepositStatus",
    "MedicalCertificate",
    "Notice",
    "NoticeBatch",
    "NoticeKind",
    "NoticeMethod",
    "OrderKind",
    "OrderStatus",
    "ReferralStatus",
    "Refund",
    "RefundLine",
    "RefundStatus",
    "RunKind",
    "RunStatus",
    "SecurityDeposit",
    "ServiceOrder",
    "ShutoffCandidate",
    "SmallClaim",
    "SmallClaimStatus",
    "WriteOff",
    "WriteOffKind",
    "WriteOffStatus",
]
