"""What the engine knows about one account on one date. Plain frozen dataclasses: the database
selector and the what-if API both build these, so a decision can be replayed from its facts."""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BillFact:
    bill_date: date
    due_date: date
    amount: Decimal
    paid_amount: Decimal = ZERO  # paid or credited against this bill as of the evaluation date
    is_final: bool = False
    late_fee_assessed: bool = False  # a late fee was already charged on this bill (TX: only once)

    @property
    def unpaid(self) -> Decimal:
        return max(self.amount - self.paid_amount, ZERO)


@dataclass(frozen=True)
class PaymentFact:
    paid_on: date
    amount: Decimal
    returned: bool = False  # dishonoured (NSF, closed account, stop payment)
    returned_on: date | None = None
    to_avoid_disconnect: bool = False  # made to stop a scheduled disconnection
    restored_service: bool = False  # the payment got disconnected service restored (48-hour redeem)
    at: time | None = None  # local time received; None: on time for its day (due-date cutoffs, TX 5 p.m.)


NOTICE_KINDS = ("reminder", "shutoff", "final", "occupant", "posted")
NOTICE_METHODS = ("mail", "phone", "email", "posted", "in_person", "third_party")


@dataclass(frozen=True)
class NoticeFact:
    kind: str  # one of NOTICE_KINDS: reminder, shutoff (the disconnection notice), final (48-hour),
    #            occupant (tenants of a landlord-owned premise), posted (conspicuous notice at the door)
    sent_on: date
    method: str = "mail"  # one of NOTICE_METHODS
    disconnect_on: date | None = None  # the disconnection date printed on the notice, if any


@dataclass(frozen=True)
class ContactAttemptFact:
    on: date
    method: str = "phone"  # phone, visit, email, third_party
    reached: bool = False  # an adult was reached (PUC 779.1(b), PA 56.333)


@dataclass(frozen=True)
class MedicalCertificateFact:
    received_on: date
    valid_until: date | None = None  # None: the policy's validityDays from received_on
    renewal: int = 0  # 0 = first certificate for these arrears, 1 = first renewal ...
    financially_unable: bool = False  # SB 998 / AZ: customer demonstrated inability to pay
    willing_to_plan: bool = False  # SB 998: customer willing to enter a payment plan


@dataclass(frozen=True)
class PledgeFact:
    amount: Decimal
    pledged_on: date
    expected_by: date
    status: str = "pending"  # pending, paid, expired, cancelled
    paid_amount: Decimal = ZERO
    # The billing period the pledge was received in (16 TAC 7.460(b)(2)); None: from the bills.
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class InstallmentFact:
    due_date: date
    amount: Decimal
    paid_amount: Decimal = ZERO
    paid_on: date | None = None


@dataclass(frozen=True)
class ArrangementFact:
    created_on: date
    months: int
    total: Decimal
    down_payment: Decimal = ZERO
    status: str = "active"  # active, kept, broken, cancelled, pending_approval, rejected
    ended_on: date | None = None  # when it was kept/broken/cancelled
    installments: tuple[InstallmentFact, ...] = ()


@dataclass(frozen=True)
class BankruptcyFact:
    chapter: int  # 7, 11, 12 or 13
    petition_date: date
    order_for_relief_date: date | None = None  # None: the petition date (voluntary case)
    assurance_received_on: date | None = None
    assurance_amount: Decimal = ZERO
    pre_petition_balance: Decimal = ZERO
    discharged_on: date | None = None
    dismissed_on: date | None = None


@dataclass(frozen=True)
class WeatherFact:
    on: date
    high_f: int | None = None  # forecast (future dates) or observed (past dates) high, Fahrenheit
    low_f: int | None = None
    heat_advisory: bool = False  # NWS heat advisory / excessive-heat warning for the service area
    winter_advisory: bool = False  # NWS winter-weather advisory


@dataclass(frozen=True)
class DepositFact:
    amount: Decimal
    held_since: date
    interest_credited_through: date | None = None


@dataclass(frozen=True)
class CollectionSteps:
    """What the utility recorded doing to collect a debt: the evidence an uncollectible write-off's
    criterion needs (amounts_write_off). Read from the account's whole history, not the engine's
    dated window, and only when a write-off is asked for or decided."""

    disconnection_notice_on: date | None = None  # last shutoff / 48-hour / posted notice sent
    disconnected_on: date | None = None  # last completed disconnect or low-flow order
    referred_on: date | None = None  # first referral to a collection agency (any outcome)
    unreached_contacts: int = 0  # contact attempts that reached no one since the last that did
    bankruptcy_discharged_on: date | None = None  # a case recorded as discharged
    deceased_document: str = ""  # the document seen (death, no estate), recorded with the request


@dataclass(frozen=True)
class AccountFacts:
    account_number: str = ""
    residential: bool = True
    single_family: bool = True  # Phoenix: low-flow instead of shutoff for single-family homes
    utility: str = "water"  # water, sewer, solid_waste, electric, gas: the service to be disconnected
    system_connections: int | None = None  # SB 998 applicability (community water system size)
    landlord_owned: bool = False  # customer of record is the owner, occupants are tenants
    multiple_dwelling: bool = False
    service_state: str = "connected"  # connected, low_flow, disconnected, not_disconnectable
    final_billed_on: date | None = None
    balance: Decimal = ZERO  # everything owed today (positive = customer owes)
    bills: tuple[BillFact, ...] = ()
    payments: tuple[PaymentFact, ...] = ()
    notices: tuple[NoticeFact, ...] = ()
    contact_attempts: tuple[ContactAttemptFact, ...] = ()
    medical_certificates: tuple[MedicalCertificateFact, ...] = ()
    life_support: bool = False
    pledges: tuple[PledgeFact, ...] = ()
    arrangements: tuple[ArrangementFact, ...] = ()  # current and past (per-year limit, broken lookback)
    bankruptcy: BankruptcyFact | None = None
    appeal_pending: bool = False  # appeal, dispute or complaint investigation open
    poverty_pct: Decimal | None = None  # household income as % of the federal poverty line
    benefit_programs: tuple[str, ...] = ()  # e.g. SNAP, WIC, MEDICAID, SSI, LIHEAP, CALWORKS
    willing_to_plan: bool = False  # customer has agreed to enter an amortization / deferred plan
    hardship: bool = False  # documented undue hardship: a longer plan where the law allows (HSC 116910(b))
    age_65_plus: bool = False
    weather: tuple[WeatherFact, ...] = ()
    deposits: tuple[DepositFact, ...] = ()
    disconnections_12m: int = 0
    late_payments_12m: int = 0
    letter_of_credit: bool = False  # good-payment letter from a prior utility
    credit_history_months: int = 0  # months of payment history the letter (or our records) shows
    owed_prior_balance_24m: bool = False  # TX 65+ waiver: owed an unpaid balance in the last 2 years
    third_party_designated: bool = False  # AZ: a third party must be notified and given 5 days
    disconnect_scheduled: bool = False  # already in the disconnection process (order issued)
    unauthorized_use: bool = False  # unauthorized-use fees on the account (Phoenix PA exclusion)
    last_late_fee_waiver_on: date | None = None  # SB 998 low-income waiver last used
    referred_on: date | None = None  # sent to a collection agency on
    uncollectible_reasons: tuple[str, ...] = ()  # e.g. NOT_FOUND, DECEASED_NO_ESTATE, NOT_COST_EFFECTIVE
    extra: dict = field(default_factory=dict, compare=False)  # caller notes, ignored by the rules
