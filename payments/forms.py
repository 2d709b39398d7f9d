import re
from decimal import Decimal
from uuid import uuid4

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.models import Account, Bill
from accounts.selectors.search import Lookup, SearchHit, account_lookup
from common.amounts import AmountField
from payments.models import Drawer, TenderKind
from payments.models.drawers import DENOMINATION_LABELS

COUNTER_TENDERS = [
    (k, v) for k, v in TenderKind.choices if k in ("cash", "check", "card", "money_order", "cashiers_check")
]
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class OpenSessionForm(forms.Form):
    drawer = forms.ModelChoiceField(queryset=Drawer.objects.filter(active=True))
    opening_float = AmountField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        initial=Decimal("200.00"),
        label="Opening float (counted)",
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # the cashier's day starts here, before the account search below on the same page
        self.fields["drawer"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.add_input(Submit("open", "Open drawer", css_class="btn-primary"))


def resolve_account(value: str) -> "Account | Lookup":
    """An account number, a bill number read from a scanned stub, or what search makes of it."""
    return resolve_accounts([value])[value.strip()]


def resolve_accounts(values: list[str]) -> dict[str, "Account | Lookup"]:
    """`resolve_account` for every line of a counter form at once: one query for the account
    numbers, one more only for what is not one (bill numbers), and a search only for what is
    neither (a number typed short, a phone's last four digits, a name)."""
    refs = {v.strip() for v in values if v and v.strip()}
    # the account rows alone: a line needs its id and number (the preview reads the customer)
    found: dict[str, Account | Lookup] = {a.number: a for a in Account.objects.filter(number__in=refs)}
    if rest := {r.upper(): r for r in refs - found.keys()}:
        for bill in Bill.objects.filter(number__in=rest).select_related("account"):
            found[rest[bill.number]] = bill.account
    if not (refs - found.keys()):  # every line typed an account or bill number: the usual case
        return found
    lookups = {ref: account_lookup(ref=ref, limit=PICKS) for ref in refs - found.keys()}
    sure = {lookup.account_id: ref for ref, lookup in lookups.items() if lookup.account_id}
    found |= lookups
    for account in Account.objects.filter(pk__in=sure):
        found[sure[account.pk]] = account
    return found


PICKS = 8  # accounts a counter line offers to choose from when what was typed matches several


def _no_match(ref: str) -> str:
    digits = re.sub(r"[\s\-().]", "", ref)
    if digits.isdigit() and len(digits) == 4:
        return f"No account or bill numbered {ref}, and no customer's phone ends in {ref}."
    return f"No account or bill numbered {ref}."


class LineForm(forms.Form):
    account = forms.CharField(
        max_length=20,
        required=False,
        label="Account or bill number",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    amount = AmountField(required=False, **MONEY)

    def __init__(self, *args, resolve=resolve_account, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.resolve = resolve
        self.picks: list[SearchHit] = []
        self.number_shown = ""

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        ref, amount = cleaned.get("account", ""), cleaned.get("amount")
        if not ref and amount is None:
            return cleaned  # a blank row
        if not ref:
            self.add_error("account", "Enter the account or bill number.")
        elif isinstance(found := self.resolve(ref), Account):
            cleaned["account_obj"] = found
            # the line shows the number in full from now on: what is posted is what was previewed
            self.number_shown = found.number
        elif found.hits:
            # the accounts that fit what was typed: the line offers them (payments/counter.html)
            self.picks = found.hits
            if len(found.hits) == 1:  # a name or an address: the search guesses, the cashier decides
                self.add_error("account", f"Is {ref} this account? Choose it to confirm.")
            else:
                many = f"more than {len(found.hits)}" if found.more else str(len(found.hits))
                self.add_error(
                    "account", f"{ref} matches {many} accounts: choose one, or type more of the number."
                )
        else:
            self.add_error("account", _no_match(ref))
        if amount is None:
            self.add_error("amount", "Enter the amount for this account.")
        return cleaned


class TenderForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *COUNTER_TENDERS], required=False, label="Tender")
    amount = AmountField(required=False, label="Amount handed over", **MONEY)
    check_number = forms.CharField(max_length=20, required=False, label="Check / MO number")
    bank_name = forms.CharField(max_length=60, required=False, label="Bank")
    card_last4 = forms.RegexField(
        regex=r"^\d{4}$",
        required=False,
        label="Card last 4",
        error_messages={"invalid": "Only the last 4 digits of the card."},
        widget=forms.TextInput(attrs={"maxlength": 4, "inputmode": "numeric"}),
    )
    auth_code = forms.CharField(max_length=12, required=False, label="Auth code")

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        kind, amount = cleaned.get("kind"), cleaned.get("amount")
        if not kind and amount is None:
            return cleaned
        if not kind:
            self.add_error("kind", "Choose the tender.")
        if amount is None:
            self.add_error("amount", "Enter the amount.")
        if kind == "check" and not cleaned.get("check_number"):
            self.add_error("check_number", "Enter the check number.")
        if kind == "card":
            if not cleaned.get("card_last4"):
                self.add_error("card_last4", "Enter the card's last 4 digits.")
            if not cleaned.get("auth_code"):
                self.add_error("auth_code", "Enter the authorization code.")
        return cleaned


class BaseLineFormSet(forms.BaseFormSet):
    """Resolves every line's account or bill number in one query, not one per line."""

    def get_form_kwargs(self, index):  # type: ignore[no-untyped-def]
        return {**super().get_form_kwargs(index), "resolve": self._resolve}

    def _resolve(self, ref: str) -> "Account | Lookup":
        if not hasattr(self, "_resolved"):
            refs = [self.data.get(f"{self.add_prefix(i)}-account") for i in range(self.total_form_count())]
            self._resolved = resolve_accounts([r for r in refs if isinstance(r, str)])
        return self._resolved[ref.strip()]


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=4, max_num=10)
TenderFormSet = forms.formset_factory(TenderForm, extra=3, max_num=6)


class PostMetaForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)
    payer_name = forms.CharField(max_length=120, required=False, label="Paid by (name, optional)")


class CloseSessionForm(forms.Form):
    checks_total = AmountField(max_digits=12, decimal_places=2, min_value=0, initial=0, label="Checks total")
    check_count = forms.IntegerField(min_value=0, initial=0, label="Number of checks")
    cards_total = AmountField(
        max_digits=12, decimal_places=2, min_value=0, initial=0, label="Card slips total"
    )
    other_total = AmountField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        initial=0,
        label="Money orders and cashier's checks total",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note")

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for code, label in DENOMINATION_LABELS.items():
            self.fields[f"n_{code}"] = forms.IntegerField(min_value=0, initial=0, label=label, required=False)

    def denominations(self) -> dict[str, int]:
        return {code: self.cleaned_data.get(f"n_{code}") or 0 for code in DENOMINATION_LABELS}


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput, label="Reason")


class ReturnForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)
    returned_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="Returned by the bank on"
    )
    reason = forms.ChoiceField(
        choices=[
            ("NSF", "Insufficient funds (NSF)"),
            ("Account closed", "Account closed"),
            ("Stop payment", "Stop payment"),
            ("Refer to maker", "Refer to maker"),
            ("Counterfeit", "Counterfeit item"),
        ]
    )


class PaymentFileForm(forms.Form):
    source = forms.ChoiceField(choices=[("lockbox", "Bank lockbox"), ("agency", "Assistance agency")])
    file = forms.FileField(label="Payment file (CSV)")

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("import", "Import payments", css_class="btn-primary"))
