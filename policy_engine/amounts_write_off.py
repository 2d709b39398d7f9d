"""Write-off eligibility (rules.md §1.9): small balances without action (Union City 40.03(D)-(E)),
and uncollectible balances on request, with a second person's approval.

An uncollectible write-off follows the utility's primary rule set (the first layer) and needs all
of these, each a rule checked with its reason:

- WRITE_OFF_FINAL: the account is final-billed and no service is on. An active account is still
  being billed and collected (notices, disconnection, arrangements).
- WRITE_OFF_HOLDS: no open bankruptcy case (the case decides the pre-petition debt), no pending
  agency pledge and no active arrangement (money is on its way).
- UNCOLLECTIBLE_AGE: only what is past due *more than* `collections.uncollectible_days_past_due`
  days is written off (Union City 40.03: "any account > 90 days past due"; West Terre Haute lists
  receivables by age). Newer charges (a current bill not yet due, interest or fees charged since)
  stay on the account to collect; the amount is `eligible_amount`, never more than the balance.
- WRITE_OFF_EVIDENCE: the criterion claimed (West Terre Haute's list) is backed by what the
  utility recorded (`CollectionSteps`):
    procedures exhausted - a disconnection notice was sent, and the account went to a collection
        agency or its service was disconnected for non-payment;
    debtor not found - `collections.not_found_contact_attempts` contact attempts that reached
        no one, none reaching the customer since;
    bankruptcy discharge - a bankruptcy case recorded as discharged;
    deceased, no estate - the document seen (death and no estate) is recorded with the request;
    not cost-effective - at a collection agency at least `collections.write_off_after_agency_months`
        months without being paid (League City: "after 1 year at agency"; Bremen 51.119).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .calendar import months_between
from .citations import UTILITY_POLICY, federal
from .core import bankruptcy_open, fmt_date, fmt_money, to_money
from .decision import Outcome, RuleCheck
from .facts import ZERO, AccountFacts, CollectionSteps
from .policy import Policy

S, B, D, NA = Outcome.SATISFIED, Outcome.BLOCKED, Outcome.DEFERRED, Outcome.NOT_APPLICABLE
# No preset sets write-off rules: the criteria are the utility's own policy, modelled on the
# ordinances rules.md §1.9 names (West Terre Haute, Union City, League City), which customers of
# another jurisdiction must not see cited. An open bankruptcy is federal law (11 U.S.C. 362).
OURS = UTILITY_POLICY
CRITERIA = {
    "procedures_exhausted": "Collection procedures exhausted",
    "debtor_not_found": "Debtor cannot be found",
    "bankruptcy_discharge": "Discharged in bankruptcy",
    "deceased_no_estate": "Debtor deceased, no estate",
    "not_cost_effective": "Further collection not cost-effective",
}
LIVE_SERVICE = ("connected", "low_flow", "not_disconnectable")


@dataclass(frozen=True)
class WriteOffCheck:
    small_balance: bool  # |balance| at or below the threshold, either sign: write off without action
    uncollectible_eligible: bool  # eligible for write-off as uncollectible (needs approval)
    checks: tuple[RuleCheck, ...] = ()
    eligible_amount: Decimal = ZERO  # past due long enough: what an uncollectible write-off takes
    criterion: str = ""  # the criterion whose evidence was checked ("" = none claimed)


def steps_from_facts(facts: AccountFacts) -> CollectionSteps:
    """The collection steps visible in an account's facts (the what-if form's facts JSON): notices,
    contact attempts, the referral, a discharge; `uncollectible_reasons` DECEASED_NO_ESTATE stands
    for a recorded death document. The database path reads the full history instead."""
    notices = [n.sent_on for n in facts.notices if n.kind in ("shutoff", "final", "posted")]
    unreached = 0
    for attempt in sorted(facts.contact_attempts, key=lambda a: a.on):
        unreached = 0 if attempt.reached else unreached + 1
    bk = facts.bankruptcy
    return CollectionSteps(
        disconnection_notice_on=max(notices) if notices else None,
        disconnected_on=None,
        referred_on=facts.referred_on,
        unreached_contacts=unreached,
        bankruptcy_discharged_on=bk.discharged_on if bk is not None else None,
        deceased_document="recorded" if "DECEASED_NO_ESTATE" in facts.uncollectible_reasons else "",
    )


def _evidence(policy: Policy, steps: CollectionSteps, criterion: str, as_of: date) -> RuleCheck:
    layer = policy.layers[0]

    def rc(ok: bool, reason: str, cite: str = OURS, action: str = "") -> RuleCheck:
        return RuleCheck(
            "WRITE_OFF_EVIDENCE", S if ok else B, reason, cite, 0, None, layer.preset, "" if ok else action
        )

    label = CRITERIA[criterion]
    if criterion == "procedures_exhausted":
        notice, referred, cut = steps.disconnection_notice_on, steps.referred_on, steps.disconnected_on
        missing = []
        if notice is None:
            missing.append("no disconnection notice was sent")
        if referred is None and cut is None:
            missing.append("the account was neither referred to a collection agency nor disconnected")
        if missing:
            return rc(
                False,
                f"{label}: not yet: {'; '.join(missing)}.",
                action="send the disconnection notice and refer the account to an agency",
            )
        done = [f"disconnection notice sent {fmt_date(notice)}"]
        if referred is not None:
            done.append(f"referred to a collection agency {fmt_date(referred)}")
        if cut is not None:
            done.append(f"service disconnected {fmt_date(cut)}")
        return rc(True, f"{label}: {', '.join(done)}.")
    if criterion == "debtor_not_found":
        need = layer.p("collections.not_found_contact_attempts")
        cite = layer.cite("collections.not_found_contact_attempts")
        got = steps.unreached_contacts
        if got < need:
            return rc(
                False,
                f"{label}: {got} contact attempt(s) recorded that reached no one since the customer was "
                f"last reached; at least {need} are needed.",
                cite,
                "record the contact attempts (phone, visit) that failed to reach the customer",
            )
        return rc(True, f"{label}: {got} contact attempts reached no one (at least {need}).", cite)
    if criterion == "bankruptcy_discharge":
        on = steps.bankruptcy_discharged_on
        if on is None or on > as_of:
            return rc(
                False,
                f"{label}: no discharged bankruptcy case is recorded on the account.",
                OURS,
                "record the case and its discharge on the Bankruptcy page",
            )
        return rc(True, f"{label}: bankruptcy case discharged {fmt_date(on)}.", OURS)
    if criterion == "deceased_no_estate":
        if not steps.deceased_document:
            return rc(
                False,
                f"{label}: name the document seen showing the death and that there is no estate.",
                action="record the document seen (death certificate and probate search, executor letter)",
            )
        return rc(True, f"{label}: document seen: {steps.deceased_document}.")
    months = layer.p("collections.write_off_after_agency_months")
    cite = layer.cite("collections.write_off_after_agency_months")
    referred = steps.referred_on
    if referred is None or months_between(referred, as_of) < months:
        since = f"referred {fmt_date(referred)}" if referred else "never referred to a collection agency"
        return rc(
            False,
            f"{label}: {since}; the agency must have worked it at least {months} months.",
            cite,
            "refer the account to an agency and wait for its result",
        )
    return rc(
        True,
        f"{label}: at a collection agency since {fmt_date(referred)} "
        f"({months_between(referred, as_of)} months, at least {months}).",
        cite,
    )


def write_off_check(
    policy: Policy,
    facts: AccountFacts,
    as_of: date,
    *,
    criterion: str = "",
    steps: CollectionSteps | None = None,
) -> WriteOffCheck:
    """Small-balance and uncollectible eligibility, every rule checked. With a `criterion`, its
    evidence is checked against `steps` (default: what the facts show)."""
    layer = policy.layers[0]
    small_cap = layer.p("collections.small_balance_write_off")
    small_cite = layer.cite("collections.small_balance_write_off")
    small = ZERO < abs(facts.balance) <= small_cap
    side = "credit" if facts.balance < 0 else "debit"
    checks = [
        RuleCheck(
            "SMALL_BALANCE",
            S if small else NA,
            (
                f"{side.capitalize()} balance {fmt_money(abs(facts.balance))} ≤ {fmt_money(small_cap)}: "
                "write off without collection or refund."
                if small
                else f"Balance {fmt_money(facts.balance)} is not a small balance "
                f"(≤ {fmt_money(small_cap)}, non-zero)."
            ),
            small_cite,
            0,
            None,
            layer.preset,
        )
    ]
    if facts.balance <= small_cap:
        return WriteOffCheck(small, False, tuple(checks), ZERO, criterion)

    def rc(code: str, outcome: Outcome, reason: str, cite: str, until: date | None = None) -> RuleCheck:
        return RuleCheck(code, outcome, reason, cite, 0, until, layer.preset)

    ours: list[RuleCheck] = []
    if facts.final_billed_on is None:
        ours.append(
            rc(
                "WRITE_OFF_FINAL",
                B,
                "The account is active: only a final-billed account with no service on is written off "
                "(an active one is collected by notice, disconnection or arrangement).",
                OURS,
            )
        )
    elif facts.service_state in LIVE_SERVICE:
        ours.append(
            rc(
                "WRITE_OFF_FINAL",
                B,
                f"Final-billed {fmt_date(facts.final_billed_on)}, but {facts.utility} service is still "
                "on: stop the service first.",
                OURS,
            )
        )
    else:
        ours.append(
            rc(
                "WRITE_OFF_FINAL",
                S,
                f"Final-billed {fmt_date(facts.final_billed_on)}, no service on.",
                OURS,
            )
        )
    bk = facts.bankruptcy
    discharged = bk is not None and bk.discharged_on is not None and bk.discharged_on <= as_of
    if bankruptcy_open(facts, as_of) and not discharged:
        assert bk is not None
        ours.append(
            rc(
                "WRITE_OFF_HOLDS",
                B,
                f"Bankruptcy petition filed {fmt_date(bk.petition_date)} is open: the case decides the "
                "pre-petition debt (its discharge writes it off).",
                federal("11 U.S.C. 362"),
            )
        )
    pledged = [p for p in facts.pledges if p.status == "pending" and p.amount > p.paid_amount]
    if pledged:
        p = max(pledged, key=lambda x: x.expected_by)
        ours.append(
            rc(
                "WRITE_OFF_HOLDS",
                B,
                f"An agency pledged {fmt_money(p.amount - p.paid_amount)}, expected by "
                f"{fmt_date(p.expected_by)}: wait for the payment.",
                OURS,
                p.expected_by,
            )
        )
    if any(a.status in ("active", "pending_approval") for a in facts.arrangements):
        ours.append(
            rc(
                "WRITE_OFF_HOLDS",
                B,
                "A payment arrangement is open: the customer is paying the balance.",
                OURS,
            )
        )
    days = layer.p("collections.uncollectible_days_past_due")
    age_cite = layer.cite("collections.uncollectible_days_past_due")
    old = [b for b in facts.bills if b.unpaid > ZERO and (as_of - b.due_date).days > days]
    newer = [b for b in facts.bills if b.unpaid > ZERO and (as_of - b.due_date).days <= days]
    eligible = to_money(min(sum((b.unpaid for b in old), ZERO), facts.balance))
    if eligible <= ZERO:
        first = min(newer, key=lambda b: b.due_date) if newer else None
        ours.append(
            rc(
                "UNCOLLECTIBLE_AGE",
                D,
                (
                    f"Nothing is past due more than {days} days: the oldest unpaid charge was due "
                    f"{fmt_date(first.due_date)}."
                    if first
                    else f"Nothing is past due more than {days} days."
                ),
                age_cite,
                None if first is None else first.due_date + timedelta(days=days + 1),
            )
        )
    else:
        oldest = min(old, key=lambda b: b.due_date)
        rest = to_money(facts.balance - eligible)
        kept = (
            f"; the other {fmt_money(rest)} (due later, or not yet due) stays on the account to collect"
            if rest > ZERO
            else ""
        )
        ours.append(
            rc(
                "UNCOLLECTIBLE_AGE",
                S,
                f"{fmt_money(eligible)} is past due more than {days} days (oldest due "
                f"{fmt_date(oldest.due_date)}, {(as_of - oldest.due_date).days} days): only that is "
                f"written off{kept}.",
                age_cite,
            )
        )
    if criterion:
        if criterion not in CRITERIA:
            raise ValueError(f"unknown write-off criterion {criterion!r}")
        ours.append(_evidence(policy, steps or steps_from_facts(facts), criterion, as_of))
    ok = eligible > ZERO and not any(c.outcome in (B, D) for c in ours)
    return WriteOffCheck(small, ok, tuple(checks + ours), eligible, criterion)


def write_off_evidence(policy: Policy, steps: CollectionSteps, as_of: date) -> dict[str, RuleCheck]:
    """Each criterion's evidence check, for the request form to show before one is chosen."""
    return {criterion: _evidence(policy, steps, criterion, as_of) for criterion in CRITERIA}
