from counseling.models.agencies import Agency, Pledge, PledgePayment, PledgeStatus, Referral
from counseling.models.arrangements import (
    Arrangement,
    ArrangementStatus,
    CreditAuthority,
    FollowUpRun,
    Installment,
    InstallmentPayment,
    InstallmentStatus,
)
from counseling.models.interviews import (
    BenefitProgram,
    HardshipInterview,
    HardshipReason,
    HouseholdMember,
    IncomeFrequency,
    IncomeSource,
    PovertyGuideline,
)
from counseling.models.letters import Letter, LetterKind
from counseling.models.programs import ProgramEnrollment, ProgramKind

__all__ = [
    "Agency",
    "Arrangement",
    "ArrangementStatus",
    "BenefitProgram",
    "CreditAuthority",
    "FollowUpRun",
    "HardshipInterview",
    "HardshipReason",
    "HouseholdMember",
    "IncomeFrequency",
    "IncomeSource",
    "Installment",
    "InstallmentPayment",
    "InstallmentStatus",
    "Letter",
    "LetterKind",
    "Pledge",
    "PledgePayment",
    "PledgeStatus",
    "PovertyGuideline",
    "ProgramEnrollment",
    "ProgramKind",
    "Referral",
]
