"""Staff adapt a standard letter for one customer: choose it, read it filled in, edit, preview,
print. The letter printed is kept on the account and can be printed again."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account
from common.exceptions import DomainError
from common.pdf import pdf_response
from letters.forms import LetterForm
from letters.models import SentLetter, StandardLetter
from letters.pdf import letter_preview_pdf, sent_letter_pdf
from letters.selectors import sent_letters_for_account, standard_kinds
from letters.services import letter_check, letter_compose, letter_fill, letter_send, letter_values, paragraphs

SEND = "letters.add_sentletter"
VIEW = "letters.view_sentletter"


def _account(number: str) -> Account:
    return get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)


@permission_required(SEND, raise_exception=True)
def account_letters(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    return render(
        request,
        "letters/account_letters.html",
        {
            "account": account,
            "kinds": standard_kinds(),
            "sent": sent_letters_for_account(account_id=account.pk),
        },
    )


def _compose_page(
    request: HttpRequest, account: Account, form: LetterForm, standard: StandardLetter
) -> HttpResponse:
    values = letter_values(account=account, actor=request.user, language=standard.language)
    required = [letter_fill(p, values) for p in paragraphs(standard.required_paragraphs)]
    return render(
        request,
        "letters/compose.html",
        {"account": account, "form": form, "standard": standard, "required": required},
        status=400 if form.errors else 200,
    )


@permission_required(SEND, raise_exception=True)
def compose(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    if request.method == "POST":
        form = LetterForm(request.POST)
        if form.is_valid():
            try:
                sent = letter_send(
                    account_id=account.pk, standard_id=form.cleaned_data["standard_id"],
                    text=form.cleaned_data["text"], actor=request.user,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )  # fmt: skip
            except DomainError as exc:
                form.add_error("text", exc.message)
            else:
                messages.success(request, "Letter kept on the account. Print it from here.")
                return redirect("letters:sent", pk=sent.pk)
        standard = get_object_or_404(StandardLetter, pk=form.data.get("standard_id") or 0)
        return _compose_page(request, account, form, standard)
    try:
        composed = letter_compose(account=account, kind=request.GET.get("kind", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("letters:account", number=account.number)
    standard = composed["standard"]
    form = LetterForm(initial={"kind": standard.kind, "standard_id": standard.pk, "text": composed["text"]})
    return _compose_page(request, account, form, standard)


@require_POST
@permission_required(SEND, raise_exception=True)
def preview(request: HttpRequest, number: str) -> HttpResponse:
    """The edited letter as a PDF marked PREVIEW; nothing is kept. The same checks as printing."""
    account = _account(number)
    form = LetterForm(request.POST)
    standard = get_object_or_404(StandardLetter, pk=form.data.get("standard_id") or 0)
    if form.is_valid():
        values = letter_values(account=account, actor=request.user, language=standard.language)
        try:
            letter_check(standard=standard, text=form.cleaned_data["text"], values=values)
        except DomainError as exc:
            form.add_error("text", exc.message)
        else:
            data = letter_preview_pdf(
                account=account, language=standard.language, title=letter_fill(standard.title, values),
                text=form.cleaned_data["text"], on=timezone.localdate(),
            )  # fmt: skip
            return pdf_response(data, f"preview-{account.number}.pdf")
    return _compose_page(request, account, form, standard)


def _sent(pk: int) -> SentLetter:
    return get_object_or_404(
        SentLetter.objects.select_related("account__customer", "account__premise", "standard", "sent_by"),
        pk=pk,
    )


@permission_required(VIEW, raise_exception=True)
def sent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "letters/sent_detail.html", {"sent": _sent(pk)})


@permission_required(VIEW, raise_exception=True)
def sent_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    sent = _sent(pk)
    return pdf_response(sent_letter_pdf(sent), f"letter-{sent.account.number}-{sent.pk}.pdf")
