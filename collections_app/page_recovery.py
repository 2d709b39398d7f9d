"""Account-page contributions of recovery: bankruptcy, write-off, agency and small-claim flags,
their timeline items and quick actions; and the payments hooks (recovery of written-off debt,
referrals paid off). `register()` is called once from CollectionsConfig.ready()."""

from typing import Any

from django.urls import reverse


def _info(ctx: dict[str, Any]):  # type: ignore[no-untyped-def]
    if "recovery" not in ctx:
        from collections_app.selectors.recovery import account_recovery

        ctx["recovery"] = account_recovery(account_id=ctx["account"].pk)
    return ctx["recovery"]


def _flags(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import Flag
    from collections_app.services.bankruptcy import frozen_amount

    info, account = _info(ctx), ctx["account"]
    flags = []
    if case := info.bankruptcy:
        frozen = frozen_amount(pre_petition=case.amount, setoff=case.other, balance=account.balance)
        assurance = (
            f"assurance received {case.done:%b %d, %Y}"
            if case.done
            else f"assurance due {case.due:%b %d, %Y}"
        )
        flags.append(
            Flag(
                "bankruptcy",
                f"Bankruptcy ch. {case.number} — no collection on ${frozen:,.2f} pre-petition; {assurance}",
                f"Case {case.label}, petition {case.on:%b %d, %Y}: no dunning, late fees or "
                "shutoff for the pre-petition debt (11 U.S.C. 362, 366). Post-petition bills are collected "
                "normally; service may be cut only if adequate assurance is not given by the deadline.",
                "danger",
            )
        )
    if info.written_off > 0:
        flags.append(
            Flag(
                "written_off",
                f"Written off ${info.written_off:,.2f} — balance kept for re-application",
                "The debt was written off but stays on record: if the customer applies for service again "
                "or pays, it is re-established and collected (a payment here recovers it).",
                "secondary",
            )
        )
    pending = [w for w in info.write_offs if w.status == "pending"]
    if pending:
        flags.append(
            Flag(
                "write_off_pending",
                f"Write-off of ${pending[0].amount:,.2f} awaiting approval",
                "A supervisor must approve the uncollectible write-off before it posts.",
                "info",
            )
        )
    if (ref := info.referral) and ref.status == "referred":
        flags.append(
            Flag(
                "agency",
                f"At collection agency {ref.label} since {ref.on:%b %d, %Y}",
                "Payments may be taken here or by the agency; interest accrues monthly until paid "
                "or recalled.",
                "warning",
            )
        )
    if open_claim := next((c for c in info.claims if c.status in ("filed", "hearing_set", "judgment")), None):
        flags.append(
            Flag(
                "small_claim",
                f"Small claim {open_claim.status_label().lower()} ({open_claim.label})",
                "The debt is in court: talk to Collections before making arrangements.",
                "warning",
            )
        )
    return flags


def _timeline(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import TimelineItem
    from collections_app.models import WriteOffKind

    info = _info(ctx)
    items = []
    if case := info.bankruptcy:
        items.append(
            TimelineItem(
                case.on,
                "bankruptcy",
                f"Bankruptcy petition, ch. {case.number}",
                f"Case {case.label}; pre-petition ${case.amount}",
                url=reverse("collections_app:bankruptcy", args=[case.pk]),
            )
        )
    items += [
        TimelineItem(
            w.on, "write_off", f"Write-off ({WriteOffKind(w.label).label})", w.status_label(), w.amount
        )
        for w in info.write_offs
    ]
    if ref := info.referral:
        items.append(
            TimelineItem(
                ref.on,
                "agency",
                f"Referred to {ref.label}",
                ref.status_label(),
                ref.amount,
                url=reverse("collections_app:referral", args=[ref.pk]),
            )
        )
    items += [
        TimelineItem(
            c.on,
            "small_claim",
            f"Small claim filed ({c.label})",
            c.status_label(),
            c.amount,
            url=reverse("collections_app:claim", args=[c.pk]),
        )
        for c in info.claims
    ]
    return items


def _actions(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import QuickAction

    n = ctx["account"].number
    return [
        QuickAction(
            "Credit reference letter",
            reverse("collections_app:credit_letter_new", args=[n]),
            "collections_app.add_creditreferenceletter",
            60,
        ),
        QuickAction(
            "Bankruptcy",
            reverse("collections_app:bankruptcy_new", args=[n]),
            "collections_app.add_bankruptcycase",
            61,
        ),
        QuickAction(
            "Request write-off",
            reverse("collections_app:write_off_new", args=[n]),
            "collections_app.add_writeoff",
            62,
        ),
        QuickAction(
            "Small claim",
            reverse("collections_app:claim_new", args=[n]),
            "collections_app.add_smallclaim",
            63,
        ),
    ]


def register() -> None:
    from accounts import page_registry
    from collections_app.services import agency, write_off_recovery
    from payments.services.hooks import on_payment_posted, on_payment_returned, on_payment_voided

    page_registry.register(flags=_flags, timeline=_timeline, actions=_actions)
    # recovery first: it may move the payment's credit back onto the written-off funds
    on_payment_posted(
        write_off_recovery.on_payment_posted, accounts=write_off_recovery.open_write_off_accounts
    )
    on_payment_posted(agency.on_payment_posted, accounts=agency.referred_accounts)
    on_payment_returned(write_off_recovery.on_payment_returned)
    on_payment_voided(write_off_recovery.on_payment_voided)
