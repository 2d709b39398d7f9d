"""The nightly counseling run: missed installments break arrangements, unpaid pledges expire,
program certifications are reminded and expire. Set-based: each step is one UPDATE ... RETURNING
over every qualifying row, followed by bulk inserts of the follow-ups and letters it implies.

Idempotent per business date: the run row is locked for the date, a finished run is returned as
is, and every transition happens once (a row already moved no longer qualifies), so a run killed
halfway and started again finishes the work without repeating any of it.
"""

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Contact, ContactChannel, ContactOutcome, ReasonCode
from counseling.models import FollowUpRun, Letter, LetterKind
from policy.selectors import current_policy

MISSED_SQL = """
UPDATE counseling_installment i SET status = 'missed'
FROM counseling_arrangement a
WHERE a.id = i.arrangement_id AND a.status = 'active' AND i.status = 'open' AND i.due_date < %(cutoff)s
RETURNING i.arrangement_id, i.number, i.due_date
"""
BREAK_SQL = """
UPDATE counseling_arrangement a SET status = 'broken', ended_on = %(day)s,
       end_reason = 'Installment #' || v.num || ' was not paid by its due date'
FROM unnest(%(ids)s::bigint[], %(nums)s::int[]) AS v(id, num)
WHERE a.id = v.id AND a.status = 'active'
RETURNING a.id, a.account_id, a.counselor_id
"""
EXPIRE_PLEDGES_SQL = """
UPDATE counseling_pledge SET status = 'expired', closed_at = now()
WHERE status = 'pending' AND expected_by < %(day)s
RETURNING id, account_id, counselor_id
"""
RECERT_REMIND_SQL = """
UPDATE counseling_programenrollment SET reminder_sent_on = %(day)s
WHERE status = 'active' AND reminder_sent_on IS NULL
  AND recert_due <= %(notice_until)s AND recert_due >= %(day)s
RETURNING id, account_id
"""
EXPIRE_ENROLLMENTS_SQL = """
UPDATE counseling_programenrollment SET status = 'expired'
WHERE status = 'active' AND recert_due < %(day)s
RETURNING id, account_id
"""


def _rows(sql: str, params: dict) -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _letters(kind: str, rows: list[tuple], day: date) -> int:  # type: ignore[type-arg]
    Letter.objects.bulk_create(
        [
            Letter(
                account_id=account_id,
                kind=kind,
                subject_id=subject_id,
                dedupe_key=f"{kind}:{subject_id}:{day.isoformat()}",
            )
            for subject_id, account_id, *_ in rows
        ],
        ignore_conflicts=True,
    )
    return len(rows)


def _follow_up(rows: list[tuple], note: str, reason_code: str, day: date) -> None:  # type: ignore[type-arg]
    reason = ReasonCode.objects.get(kind=ReasonCode.Kind.CONTACT, code=reason_code)
    Contact.objects.bulk_create(
        [
            Contact(
                account_id=account_id,
                channel=ContactChannel.LETTER,
                inbound=False,
                reason=reason,
                outcome=ContactOutcome.CALLBACK,
                note=note.format(id=subject_id),
                follow_up_on=day,
                assigned_to_id=counselor_id,
                created_by_id=counselor_id,
            )
            for subject_id, account_id, counselor_id in rows
        ]
    )


def follow_ups_run(*, business_date: date | None = None) -> FollowUpRun:
    day = business_date or timezone.localdate()
    with transaction.atomic(durable=True):
        run, _ = FollowUpRun.objects.select_for_update().get_or_create(business_date=day)
        if run.finished_at is not None:
            return run
        policy, _ = current_policy()
        cutoff = day - timedelta(days=policy.param("arrangements.default_tolerance_days"))
        missed = _rows(MISSED_SQL, {"cutoff": cutoff})
        first_missed: dict[int, int] = {}
        for arrangement_id, number, _due in sorted(missed, key=lambda r: (r[0], r[1])):
            first_missed.setdefault(arrangement_id, number)
        broken = []
        if first_missed:
            ids = list(first_missed)
            broken = _rows(BREAK_SQL, {"day": day, "ids": ids, "nums": [first_missed[i] for i in ids]})
        _follow_up(
            broken, "Arrangement {id} broken: an installment was missed. Call the customer.", "ARRANGE", day
        )
        letters = _letters(LetterKind.ARRANGEMENT_BROKEN, broken, day)
        expired = _rows(EXPIRE_PLEDGES_SQL, {"day": day})
        _follow_up(
            expired,
            "Pledge {id} expired unpaid: the shutoff hold is released. Check with the agency.",
            "ASSIST",
            day,
        )
        letters += _letters(LetterKind.PLEDGE_EXPIRED, expired, day)
        notice_until = day + timedelta(days=policy.param("low_income.recert_reminder_days"))
        reminded = _rows(RECERT_REMIND_SQL, {"day": day, "notice_until": notice_until})
        letters += _letters(LetterKind.RECERT_REMINDER, reminded, day)
        ended = _rows(EXPIRE_ENROLLMENTS_SQL, {"day": day})
        letters += _letters(LetterKind.ENROLLMENT_EXPIRED, ended, day)
        run.installments_missed, run.arrangements_broken = len(missed), len(broken)
        run.pledges_expired, run.recert_reminders, run.enrollments_expired = (
            len(expired),
            len(reminded),
            len(ended),
        )
        run.letters, run.finished_at = letters, timezone.now()
        run.save()
    return run
