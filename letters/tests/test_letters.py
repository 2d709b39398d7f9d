"""Standard letters staff adapt for one customer (issue 16; the counter job description: "modifies
standardized letters to accommodate specific and extenuating circumstances")."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from common.models import AuditEvent
from conftest import SPANISH_MONTHS, assert_access, pdf_text
from letters.models import LetterKind, SentLetter, StandardLetter
from letters.pdf import sent_letter_pdf
from letters.services import letter_compose, letter_send

pytestmark = pytest.mark.django_db
EDIT = "We know your household had a medical emergency in October, so we held this notice for two weeks."
EDIT_ES = (
    "Sabemos que su hogar tuvo una emergencia médica en octubre; por eso retrasamos este aviso dos semanas."
)
APPEAL = "Your right to appeal: you may dispute this bill or appeal this notice by calling (602) 555-0180"
APPEAL_ES = "Su derecho a apelar: puede disputar esta factura o apelar este aviso llamando al (602) 555-0180"


@pytest.fixture
def officer(make_user):
    return make_user("olive", "Collections officer", first_name="Olive", last_name="Ortiz")


def _past_due_account(language: str = "en"):  # type: ignore[no-untyped-def]
    account = AccountFactory(customer__preferred_language=language, customer__first_name="Rosa")
    charge(account, "212.40", due=timezone.localdate() - timedelta(days=40))
    return account


def _send(account, officer, text, key=None, kind="disconnection"):  # type: ignore[no-untyped-def]
    standard = letter_compose(account=account, kind=kind, actor=officer)["standard"]
    return letter_send(
        account_id=account.pk, standard_id=standard.pk, text=text, actor=officer,
        idempotency_key=key or str(uuid4()),
    )  # fmt: skip


def _insert_after_first_paragraph(text: str, extra: str) -> str:
    first, rest = text.split("\n\n", 1)
    return f"{first}\n\n{extra}\n\n{rest}"


def test_every_standard_letter_is_kept_in_english_and_spanish():
    kept = set(StandardLetter.objects.values_list("kind", "language"))
    assert kept == {(kind, lang) for kind in LetterKind.values for lang in ("en", "es")}
    disconnection = StandardLetter.objects.get(kind="disconnection", language="en")
    assert disconnection.required_paragraphs.count("\n\n") == 2  # appeal, medical, assistance


def test_the_letter_is_filled_in_for_the_customer(officer):
    account = _past_due_account()
    text = letter_compose(account=account, kind="disconnection", actor=officer)["text"]
    assert "Dear Rosa" in text and account.number in text and "past due by $212.40" in text
    assert APPEAL in text and "Credit Counseling at (602) 555-0123" in text and "Olive Ortiz" in text
    assert "{" not in text


def test_an_adapted_letter_prints_the_edit_and_the_required_paragraphs_and_is_kept(officer):
    account = _past_due_account()
    text = _insert_after_first_paragraph(
        letter_compose(account=account, kind="disconnection", actor=officer)["text"], EDIT
    )
    sent = _send(account, officer, text)
    assert sent.adapted and sent.standard.version == 1 and sent.sent_by == officer and EDIT in sent.text
    pdf = pdf_text(sent_letter_pdf(sent))
    assert "Notice of disconnection for non-payment" in pdf and EDIT in pdf and APPEAL in pdf
    assert "Medical emergency: if disconnection would endanger" in pdf
    assert "Customer Service (602) 555-0180" in pdf and account.number in pdf
    event = AuditEvent.objects.get(verb="letter.send")
    assert event.account_id == account.pk and event.data == {
        "kind": "disconnection", "language": "en", "version": 1, "adapted": True,
    }  # fmt: skip


def test_a_spanish_speaking_customer_gets_the_spanish_letter(officer):
    account = _past_due_account("es")
    composed = letter_compose(account=account, kind="disconnection", actor=officer)
    assert composed["standard"].language == "es" and "Estimado(a) Rosa" in composed["text"]
    sent = _send(account, officer, _insert_after_first_paragraph(composed["text"], EDIT_ES))
    pdf = pdf_text(sent_letter_pdf(sent))
    assert "Aviso de desconexión por falta de pago" in pdf and EDIT_ES in pdf and APPEAL_ES in pdf
    assert "Emergencia médica" in pdf and f"Cuenta {account.number}" in pdf
    assert f" de {SPANISH_MONTHS[timezone.localdate().month - 1]} de " in pdf  # the date in Spanish
    # the contact block and the page footer too, not only the letter's own text
    assert "Atención al Cliente (602) 555-0180" in pdf and "Página 1 de 1" in pdf
    assert "Customer Service" not in pdf and "Page 1 of 1" not in pdf


def test_a_language_not_kept_falls_back_to_english(officer):
    account = _past_due_account("fr")
    assert letter_compose(account=account, kind="reminder", actor=officer)["standard"].language == "en"


def test_removing_a_required_paragraph_is_refused_with_the_paragraph_named(officer):
    account = _past_due_account()
    text = letter_compose(account=account, kind="disconnection", actor=officer)["text"]
    without = "\n\n".join(p for p in text.split("\n\n") if not p.startswith("Your right to appeal"))
    with pytest.raises(DomainError, match="must keep this paragraph word for word") as refused:
        _send(account, officer, without)
    assert APPEAL in refused.value.message
    changed = text.replace("before your service is disconnected", "within 3 days")
    with pytest.raises(DomainError, match="Your right to appeal"):
        _send(account, officer, changed)
    assert not SentLetter.objects.exists() and not AuditEvent.objects.filter(verb="letter.send").exists()


def test_a_placeholder_left_in_the_text_is_refused(officer):
    account = _past_due_account()
    text = letter_compose(account=account, kind="reminder", actor=officer)["text"] + "\n\nPay by {pay_by}."
    with pytest.raises(DomainError, match=r"Fill in or remove \{pay_by\}"):
        _send(account, officer, text, kind="reminder")


def test_a_double_click_sends_one_letter(officer):
    account = _past_due_account()
    text = letter_compose(account=account, kind="disconnection", actor=officer)["text"]
    assert _send(account, officer, text, key="k1") == _send(account, officer, text, key="k1")
    assert SentLetter.objects.get().adapted is False


def test_an_administrators_edit_is_a_new_version_and_a_sent_letter_keeps_its_own(officer, role_clients):
    account = _past_due_account()
    text = letter_compose(account=account, kind="reminder", actor=officer)["text"]
    first = _send(account, officer, text, kind="reminder")
    v1 = StandardLetter.objects.get(kind="reminder", language="en")
    admin = role_clients["Administrator"]
    body = v1.body.replace("as soon as you can", "within ten days")
    data = {"kind": "reminder", "language": "en", "title": "Reminder: please pay", "body": body}
    data["required_paragraphs"] = ""
    assert admin.post(f"/admin/letters/standardletter/{v1.pk}/change/", data).status_code == 302
    v1.refresh_from_db()
    v2 = StandardLetter.objects.get(kind="reminder", language="en", version=2)
    assert "as soon as you can" in v1.body and "within ten days" in v2.body
    assert AuditEvent.objects.filter(verb="letter.standard_revise", target_id=str(v2.pk)).exists()
    composed = letter_compose(account=account, kind="reminder", actor=officer)
    assert composed["standard"] == v2 and "within ten days" in composed["text"]
    first.refresh_from_db()
    assert first.standard == v1 and "as soon as you can" in pdf_text(sent_letter_pdf(first))
    with pytest.raises(DomainError, match="changed this standard letter while you were editing"):
        letter_send(account_id=account.pk, standard_id=v1.pk, text=text, actor=officer, idempotency_key="old")


def test_the_admin_refuses_an_unknown_placeholder_and_a_required_paragraph_not_in_the_body(role_clients):
    admin = role_clients["Administrator"]
    data = {"kind": "reminder", "language": "en", "title": "T", "body": "Dear {custmer_name},\n\nPay.",
            "required_paragraphs": "You may appeal."}  # fmt: skip
    page = admin.post("/admin/letters/standardletter/add/", data).content.decode()
    assert "Unknown placeholder {custmer_name}" in page and "is not a paragraph of the body" in page
    assert not StandardLetter.objects.filter(title="T").exists()


def test_who_adapts_letters_and_who_keeps_the_standard_texts(role_clients):
    account = _past_due_account()
    for role in ("Counselor", "Cashier", "Collections officer", "Supervisor", "Administrator"):
        desk = role != "Administrator"
        page = role_clients[role].get(f"/letters/account/{account.number}/compose/?kind=reminder")
        assert page.status_code == (200 if desk else 403), role
        admin = role_clients[role].get("/admin/letters/standardletter/")
        assert admin.status_code == (403 if desk else 200), role


def test_the_page_refuses_a_removed_required_paragraph_and_keeps_the_letter_on_the_account(role_clients):
    account = _past_due_account()
    client = role_clients["Cashier"]
    page = client.get(f"/letters/account/{account.number}/compose/?kind=disconnection")
    form = page.context["form"]
    data = {
        "kind": "disconnection", "standard_id": form.initial["standard_id"], "idempotency_key": str(uuid4()),
        "text": form.initial["text"].replace("Medical emergency:", "Medical note:"),
    }  # fmt: skip
    refused = client.post(f"/letters/account/{account.number}/compose/", data)
    assert refused.status_code == 400 and "must keep this paragraph word for word" in refused.content.decode()
    data["text"] = _insert_after_first_paragraph(form.initial["text"], EDIT)
    preview = client.post(f"/letters/account/{account.number}/preview/", data)
    assert preview["Content-Type"] == "application/pdf" and EDIT in pdf_text(preview.content)
    assert not SentLetter.objects.exists()  # a preview keeps nothing
    sent = client.post(f"/letters/account/{account.number}/compose/", data)
    letter = SentLetter.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/letters/sent/{letter.pk}/"
    assert EDIT in pdf_text(client.get(f"/letters/sent/{letter.pk}/pdf/").content)
    account_page = client.get(f"/accounts/{account.number}/").content.decode()
    assert (
        f"/letters/sent/{letter.pk}/" in account_page
        and f"/letters/account/{account.number}/" in account_page
    )


def test_the_administration_page_links_to_the_contact_details_and_the_standard_letters(role_clients):
    page = role_clients["Administrator"].get("/administration/").content.decode()
    assert "/admin/common/utilitycontact/1/change/" in page and "/admin/letters/standardletter/" in page


def test_every_letters_page_checks_the_role_on_the_server(role_clients, officer):
    account = _past_due_account()
    sent = _send(
        account,
        officer,
        letter_compose(account=account, kind="reminder", actor=officer)["text"],
        kind="reminder",
    )
    desks = {"Counselor", "Cashier", "Collections officer", "Supervisor"}
    for path in (
        f"/letters/account/{account.number}/",
        f"/letters/sent/{sent.pk}/",
        f"/letters/sent/{sent.pk}/pdf/",
    ):
        assert_access(role_clients, path, desks)
    # a desk role passes the role check and finds no standard letter in an empty form
    assert_access(role_clients, f"/letters/account/{account.number}/preview/", desks, method="post", ok=404)
