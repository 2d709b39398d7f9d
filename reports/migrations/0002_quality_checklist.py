"""A starting checklist per kind of work, drawn from the job descriptions; administrators edit it
in the admin (answers keep the text they answered)."""

from django.db import migrations

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


def forwards(apps, schema_editor):
    ChecklistQuestion = apps.get_model("reports", "ChecklistQuestion")
    ChecklistQuestion.objects.bulk_create(
        ChecklistQuestion(kind=kind, text=text, position=n)
        for kind, texts in QUESTIONS.items()
        for n, text in enumerate(texts, start=1)
    )


def backwards(apps, schema_editor):
    apps.get_model("reports", "ChecklistQuestion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_quality")]
    operations = [migrations.RunPython(forwards, backwards)]
