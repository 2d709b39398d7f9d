"""Search and account-page latency on the city in the project database (run after seed_city.py).

    .venv/bin/python bench/desk_latency.py [--samples 300]

Queries are drawn from the data itself: surnames with one letter dropped (typos), street names
with a letter swapped, account numbers, phone numbers. The account page is fetched through the
full Django stack (middleware, session, permissions, template) with a signed-in counselor. Also
times the set-based nightly work on the whole city: aging for every account and the ledger check.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.selectors.aging import aging_totals  # noqa: E402
from accounts.selectors.search import account_search  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, ms: list[float]) -> None:
    print(
        f"{label:<34} n={len(ms):<5} p50={statistics.median(ms):7.1f} ms   p95={pct(ms, 95):7.1f} ms"
        f"   max={max(ms):7.1f} ms"
    )


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return (
        word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-nightly", action="store_true")
    parser.add_argument("--only-page", action="store_true", help="skip the searches")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_account")
        n_accounts = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM accounts_ledgerentry")
        n_entries = cur.fetchone()[0]
        cur.execute(
            "SELECT a.number, c.last_name, c.phone_digits, p.address FROM accounts_account a "
            "JOIN accounts_customer c ON c.id = a.customer_id "
            "JOIN accounts_premise p ON p.id = a.premise_id "
            "WHERE c.kind = 'person' ORDER BY a.id LIMIT %s OFFSET %s",
            [args.samples, max(0, n_accounts // 2 - args.samples)],
        )
        sample = cur.fetchall()
    print(f"City: {n_accounts:,} accounts, {n_entries:,} ledger entries; {len(sample)} samples each\n")

    kinds = {
        "search: surname with a typo": [typo(r[1], rng) for r in sample],
        "search: street with a typo": [
            " ".join(typo(w, rng) if w.isalpha() and len(w) > 4 else w for w in r[3].split()[:3])
            for r in sample
        ],
        "search: account number": [r[0] for r in sample],
        "search: phone": [r[2] for r in sample if r[2]],
    }
    for label, queries in ({} if args.only_page else kinds).items():
        account_search(q=queries[0])  # warm the connection and plan cache
        times = []
        for q in queries:
            t = time.perf_counter()
            account_search(q=q)
            times.append((time.perf_counter() - t) * 1000)
        report(label, times)

    user, _ = get_user_model().objects.get_or_create(username="bench-counselor")
    user.groups.set([Group.objects.get(name="Counselor")])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.get(f"/accounts/{sample[0][0]}/")
    times = []
    for number, *_ in sample:
        t = time.perf_counter()
        response = client.get(f"/accounts/{number}/")
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    report("account page (full request)", times)

    if not args.skip_nightly:
        t = time.perf_counter()
        totals = aging_totals(as_of=timezone.localdate())
        print(
            f"\naging of every account (one SQL statement): {time.perf_counter() - t:6.1f} s"
            f"  balance ${totals.balance:,.2f}, past due ${totals.past_due:,.2f}"
        )
        from accounts.models import LedgerCheckRun
        from accounts.services.ledger_check import ledger_check_run

        LedgerCheckRun.objects.filter(business_date=timezone.localdate()).delete()
        t = time.perf_counter()
        run = ledger_check_run(business_date=timezone.localdate())
        print(
            f"ledger check, balance == sum(entries) for all: {time.perf_counter() - t:6.1f} s"
            f"  {run.accounts_checked:,} accounts, {run.discrepancies} discrepancies"
        )


if __name__ == "__main__":
    main()
