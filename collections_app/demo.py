"""Collections demo data on a loaded demo city, set-based: the shutoff notices the utility mailed
to its delinquent accounts (they start the engine's clocks), and a few medical certificates and
appeals, so tonight's shutoff list has accounts on it, held and not yet.

Which accounts and which dates are hashes of (seed, account id), computed inside PostgreSQL: the
same seed gives the same rows, and a million-account city takes a few seconds (three INSERT ...
SELECT statements, no Python loop). Delinquent here means what the demo's payment behaviour made
likely: a poor or fair (or new) payer owing more than a couple of months' bills, whose service is
still on (a home already shut off gets no shutoff notice and needs no protection from one).
"""

# ruff: noqa: S608 -- SQL assembled from this module's constants and integers, never from input

from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from collections_app.selectors.facts_sql import DISCONNECTABLE
from collections_app.services.shutoff import shutoff_prefilter
from policy.selectors import current_policy

OWING = """
SELECT a.id, c.first_name, c.last_name, c.business_name, c.kind, a.balance,
       (hashint8extended(a.id, %(seed)s) & 1023)::int AS h
FROM accounts_account a JOIN accounts_customer c ON c.id = a.customer_id
WHERE a.status = 'active' AND a.balance > 250 AND a.credit_rating IN ('poor', 'fair', 'new')
  AND EXISTS (SELECT 1 FROM accounts_service s WHERE s.account_id = a.id AND s.ended_on IS NULL
              AND s.status = 'connected' AND s.utility = ANY(%(disconnectable)s::varchar[]))
"""

# h in [0, 1024): 0-81 no notice yet, 82-163 mailed 1-5 days ago (too recent to act on),
# the rest mailed 9-45 days ago.
NOTICES_SQL = f"""
INSERT INTO collections_app_notice
    (account_id, batch_id, kind, method, addressee, address, amount_due, pay_by, earliest_action,
     fee_amount, reason, citation, sent_on, sent_by_id, voided, created_at, created_by_id, idempotency_key)
SELECT o.id, NULL, 'shutoff', 'mail',
       CASE WHEN o.kind = 'business' THEN o.business_name ELSE trim(o.first_name || ' ' || o.last_name) END,
       '', o.balance, s.sent_on + 10, NULL, 0,
       %(reason)s, %(citation)s, s.sent_on, %(user)s, false,
       now(), %(user)s, 'demo-shutoff-' || o.id
FROM ({OWING}) o
CROSS JOIN LATERAL (
    SELECT (%(today)s::date - CASE WHEN o.h < 164 THEN 1 + o.h %% 5 ELSE 9 + o.h %% 37 END) AS sent_on
) s
WHERE o.h >= 82
ON CONFLICT (idempotency_key) DO NOTHING
"""

# Protections go where they matter: accounts that would otherwise be on tonight's list (the shutoff
# prefilter keeps them, and the notice was mailed 9-45 days ago), so the list shows them held. A
# balance alone is not enough: on some days of the billing cycle most of it is not yet past due.
LISTABLE = "w.h >= 164 AND w.id = ANY(%(listable)s::bigint[])"

MEDICAL_SQL = f"""
INSERT INTO collections_app_medicalcertificate
    (account_id, received_on, valid_until, certifier, renewal, financially_unable, willing_to_plan,
     note, recorded_by_id, recorded_at)
SELECT o.id, %(today)s::date - (hashint8extended(o.id, %(seed)s + 1) & 15)::int, NULL,
       'Dr. ' || (ARRAY['Patel', 'Nguyen', 'Garcia', 'Okafor', 'Smith'])[1 + o.h %% 5], 0, true, true,
       'Oxygen concentrator at home (demo data)', %(user)s, now()
FROM (SELECT w.*, row_number() OVER (ORDER BY hashint8extended(w.id, %(seed)s + 2), w.id) AS rk,
             count(*) OVER () AS n FROM ({OWING}) w WHERE {LISTABLE}) o
WHERE o.rk <= GREATEST(3, o.n / 200)  -- 1 in 200, and a few in any city
  AND NOT EXISTS (SELECT 1 FROM collections_app_medicalcertificate m WHERE m.account_id = o.id)
"""

APPEALS_SQL = f"""
INSERT INTO collections_app_appeal (account_id, opened_on, subject, resolved_on, outcome, opened_by_id)
SELECT o.id, %(today)s::date - (hashint8extended(o.id, %(seed)s + 3) & 7)::int,
       (ARRAY['High bill dispute: possible leak', 'Meter read disputed', 'Charges for a prior tenant'])
           [1 + o.h %% 3],
       NULL, '', %(user)s
FROM (SELECT w.*, row_number() OVER (ORDER BY hashint8extended(w.id, %(seed)s + 4), w.id) AS rk,
             count(*) OVER () AS n FROM ({OWING}) w WHERE {LISTABLE}) o
WHERE o.rk <= GREATEST(3, o.n / 300)
  AND NOT EXISTS (SELECT 1 FROM collections_app_appeal p WHERE p.account_id = o.id)
"""


def demo_collections_load(*, today: date, seed: int = 1) -> dict[str, int]:
    """Notices, medical certificates and appeals for the demo city. Safe to run twice."""
    officer = get_user_model().objects.get(username="collector")
    # the notice says what the policy in force says (the demo's: City of Phoenix water)
    layer = current_policy()[0].layers[0]
    reason = f"Past due more than {layer.p('delinquency.min_days_before_disconnect')} days (demo data)"
    params = {
        "today": today,
        "seed": seed,
        "user": officer.pk,
        "disconnectable": list(DISCONNECTABLE),
        "reason": reason,
        "citation": layer.cite("notices.pre_disconnect_lead"),
        "listable": shutoff_prefilter(policy=current_policy()[0], as_of=today),
    }
    made = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for name, sql in (("notices", NOTICES_SQL), ("medical", MEDICAL_SQL), ("appeals", APPEALS_SQL)):
            cursor.execute(sql, params)
            made[name] = cursor.rowcount
    return made
