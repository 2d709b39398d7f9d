"""The checklist every installation starts with, drawn from the staff job descriptions. Loaded by
migration reports 0002 and ensured again after every `migrate` (post_migrate, which a test flush
also sends). A kind that already has questions, active or retired, is left as administrators made it.
"""

from django.apps import apps as global_apps
from django.apps.registry import Apps

QUESTIONS = {
    "receipt": [
        "Payment applied to the right account(s)",
        "Tenders recorded as handed over (amount, check or card details)",
        "Payer named and receipt given",
        "Change and cash handled as the drawer rules require",
    ],
    "contact": [
        "Reason and outcome match what the note describes",
        "Note says what was agreed with the customer",
        "Follow-up date set when one was promised",
        "Escalated when the situation called for it",
    ],
    "arrangement": [
        "Hardship interview or reason on file",
        "Terms within the counselor's authority, or sent for approval",
        "Installments affordable for the household as documented",
        "Customer told what happens if an installment is missed",
    ],
    "adjustment": [
        "Reason code fits the adjustment",
        "Note explains why, with the supporting reference",
        "Amount and fund are right",
    ],
}


def checklist_defaults_sync(*, apps: Apps = global_apps) -> None:
    ChecklistQuestion = apps.get_model("reports", "ChecklistQuestion")
    have = set(ChecklistQuestion.objects.values_list("kind", flat=True).distinct())
    ChecklistQuestion.objects.bulk_create(
        ChecklistQuestion(kind=kind, text=text, position=n)
        for kind, texts in QUESTIONS.items()
        if kind not in have
        for n, text in enumerate(texts, start=1)
    )
