"""Standard letters: filling the placeholders, keeping regulatory paragraphs, sending, revising."""

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Account
from accounts.selectors.aging import aging_for_account
from common.audit import audit_record
from common.contact import utility_contact
from common.exceptions import DomainError
from common.formatting import format_date, format_money
from letters.models import LetterKind, SentLetter, StandardLetter
from letters.selectors import letter_language, standard_current

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# What each placeholder prints; shown to administrators under the standard letter's form.
PLACEHOLDERS = {
    "customer_name": "the customer's name",
    "account_number": "the account number",
    "service_address": "the service address",
    "balance": "the account balance, e.g. $1,234.50",
    "past_due": "the amount past due",
    "today": "today's date, in the letter's language",
    "staff_name": "the name of the person printing the letter",
    "utility_name": "the utility's name (contact details in the admin)",
    "phone": "the customer service phone number",
    "counseling_phone": "the credit counseling phone number",
    "emergency_phone": "the emergency / after-hours phone number",
    "office_hours": "the office hours",
    "office_address": "the office address",
    "web": "the web address",
    "email": "the e-mail address",
}


def _squash(text: str) -> str:
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by a blank line (staff type them so in the letter's text box)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def letter_values(*, account: Account, actor: AbstractBaseUser, language: str) -> dict[str, str]:
    """Every placeholder's text for this account, now."""
    contact = utility_contact()
    aging = aging_for_account(account_id=account.pk, as_of=timezone.localdate())
    with translation.override(language):
        today = format_date(timezone.localdate(), letter=True)
    return {
        "customer_name": account.customer.display_name,
        "account_number": account.number,
        "service_address": str(account.premise),
        "balance": format_money(account.balance),
        "past_due": format_money(aging.past_due),
        "today": today,
        "staff_name": actor.get_full_name() or actor.get_username(),  # type: ignore[attr-defined]
        "utility_name": contact.name,
        "phone": contact.customer_service_phone,
        "counseling_phone": contact.counseling_phone,
        "emergency_phone": contact.emergency_phone,
        "office_hours": contact.office_hours,
        "office_address": contact.office_address,
        "web": contact.web,
        "email": contact.email,
    }


def letter_fill(text: str, values: dict[str, str]) -> str:
    """The text with each known placeholder replaced; an unknown one stays, to be refused."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def standard_letter_problems(*, body: str, required_paragraphs: str) -> list[str]:
    """What is wrong with a standard text an administrator typed (the admin form shows them)."""
    problems = [
        f"Unknown placeholder {{{name}}}: use one of {', '.join('{' + k + '}' for k in PLACEHOLDERS)}."
        for name in dict.fromkeys(PLACEHOLDER.findall(body + "\n" + required_paragraphs))
        if name not in PLACEHOLDERS
    ]
    in_body = {_squash(p) for p in paragraphs(body)}
    problems += [
        f'The required paragraph "{p[:80]}…" is not a paragraph of the body, word for word.'
        for p in paragraphs(required_paragraphs)
        if _squash(p) not in in_body
    ]
    return problems


def letter_check(*, standard: StandardLetter, text: str, values: dict[str, str]) -> None:
    """Refuse a final text that lost or changed a required paragraph, or kept a placeholder."""
    final = _squash(text)
    missing = [
        letter_fill(p, values) for p in paragraphs(standard.required_paragraphs)
        if _squash(letter_fill(p, values)) not in final
    ]  # fmt: skip
    if missing:
        quoted = " ".join(f'"{p}"' for p in missing)
        which, it = ("this paragraph", "it") if len(missing) == 1 else ("these paragraphs", "them")
        raise DomainError(
            "letter.required_paragraph",
            f"The {standard.get_kind_display().lower()} must keep {which} word for word, as the law or "
            f"the utility's policy requires: {quoted} Put {it} back (Reset to the standard text "
            "restores it) and try again.",
        )
    if left := PLACEHOLDER.findall(text):
        raise DomainError(
            "letter.placeholder",
            f"Fill in or remove {', '.join('{' + n + '}' for n in dict.fromkeys(left))} before printing.",
        )
    if not final:
        raise DomainError("letter.empty", "The letter has no text.")


def letter_compose(*, account: Account, kind: str, actor: AbstractBaseUser) -> dict[str, Any]:
    """The standard letter for this customer's language (English when not kept in it), filled in."""
    if kind not in LetterKind.values:
        raise DomainError("letter.kind", "Choose a letter from the list.")
    standard = standard_current(kind=kind, language=letter_language(account.customer.preferred_language))
    if standard is None:
        raise DomainError("letter.no_standard", "An administrator has not written this letter yet.")
    values = letter_values(account=account, actor=actor, language=standard.language)
    return {"standard": standard, "text": letter_fill(standard.body, values), "values": values}


@transaction.atomic(durable=True)
def letter_send(
    *, account_id: int, standard_id: int, text: str, actor: AbstractBaseUser, idempotency_key: str
) -> SentLetter:
    """Keep the letter as printed on the account, audited. A replayed submission returns it."""
    account = (
        Account.objects.select_for_update(no_key=True)
        .select_related("customer", "premise")
        .get(pk=account_id)
    )
    if done := SentLetter.objects.filter(idempotency_key=idempotency_key).first():
        return done  # checked under the account's lock: a double click sends one letter
    standard = StandardLetter.objects.get(pk=standard_id)
    if standard_current(kind=standard.kind, language=standard.language) != standard:
        # an older version may lack a required paragraph added since
        raise DomainError(
            "letter.standard_changed",
            "An administrator changed this standard letter while you were editing it. Reset to the "
            "standard text, make your changes again and print.",
        )
    values = letter_values(account=account, actor=actor, language=standard.language)
    text = "\n\n".join(paragraphs(text))
    letter_check(standard=standard, text=text, values=values)
    adapted = _squash(text) != _squash(letter_fill(standard.body, values))
    sent = SentLetter.objects.create(
        account=account, standard=standard, language=standard.language,
        title=letter_fill(standard.title, values), text=text, adapted=adapted, sent_by=actor,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    audit_record(
        actor=actor,
        verb="letter.send",
        target=sent,
        account_id=account.pk,
        data={
            "kind": standard.kind,
            "language": standard.language,
            "version": standard.version,
            "adapted": adapted,
        },
    )
    return sent


@transaction.atomic  # not durable: the admin's change form saves inside its own transaction
def standard_letter_revise(
    *, kind: str, language: str, title: str, body: str, required_paragraphs: str, actor: AbstractBaseUser
) -> StandardLetter:
    """A new version of a standard letter; earlier versions, and the letters sent from them, stay."""
    if problems := standard_letter_problems(body=body, required_paragraphs=required_paragraphs):
        raise DomainError("letter.standard_invalid", " ".join(problems))
    # Locking the existing versions makes two administrators saving at once number theirs apart.
    versions = StandardLetter.objects.select_for_update(no_key=True).filter(kind=kind, language=language)
    latest = max(versions.values_list("version", flat=True), default=0)  # FOR UPDATE takes no MAX()
    standard = StandardLetter.objects.create(
        kind=kind, language=language, version=latest + 1, title=title, body=body,
        required_paragraphs=required_paragraphs, created_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, verb="letter.standard_revise", target=standard, data={"version": standard.version}
    )
    return standard
