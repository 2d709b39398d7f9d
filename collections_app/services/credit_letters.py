"""Credit reference letters: a customer moving to another utility asks for their payment history.
The letter states counts and amounts only; the customer's identity documents are never printed
(the database holds only their type and last 4 digits, and the letter uses neither)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from collections_app.models import CreditReferenceLetter
from collections_app.selectors.regulatory import credit_history
from common.audit import audit_record
from common.exceptions import DomainError


@transaction.atomic(durable=True)
def credit_letter_issue(
    *, account_id: int, addressed_to: str, actor, months: int = 24
) -> CreditReferenceLetter:  # type: ignore[no-untyped-def]
    if not addressed_to.strip():
        raise DomainError("letter.addressed_to", "Enter the utility (or person) the letter is addressed to.")
    if months not in (12, 24):
        raise DomainError("letter.months", "A letter covers 12 or 24 months.")
    account = Account.objects.select_related("customer", "premise").get(pk=account_id)
    today = timezone.localdate()
    history = credit_history(account=account, as_of=today)
    letter = CreditReferenceLetter.objects.create(
        account=account,
        addressed_to=addressed_to.strip(),
        months_covered=months,
        summary=history.summary(),
        issued_on=today,
        issued_by=actor,
    )
    audit_record(
        actor=actor,
        verb="credit_letter.issue",
        target=letter,
        account_id=account.pk,
        data={"addressed_to": letter.addressed_to, "months": months},
    )
    return letter
