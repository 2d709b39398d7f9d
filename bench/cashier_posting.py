"""Posting throughput and latency with N cashiers at once, on the city in the project database.

    .venv/bin/python bench/cashier_posting.py [--cashiers 8] [--posts 200] [--hot-accounts 20]

Each cashier is a thread with its own database connection and open drawer, posting split
payments (two accounts, cash or check) through the real service, to a small pool of "hot"
accounts so the row locks are contended, the worst case for a counter. Reports throughput and
p50/p95/max latency, then proves the run reconciles: every drawer's expected total equals what
its cashier posted and every touched account's balance equals the sum of its ledger entries.
Leaves its sessions closed and its payments in the database (cashiers named bench-*).
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402

from accounts.models import Account, LedgerEntry  # noqa: E402
from payments.models import CounterTransaction, Drawer, DrawerSession, SessionStatus  # noqa: E402
from payments.services.posting import Line, TenderSpec, transaction_post  # noqa: E402
from payments.services.sessions import session_close, session_expected, session_open  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cashiers", type=int, default=8)
    parser.add_argument("--posts", type=int, default=200, help="per cashier")
    parser.add_argument("--hot-accounts", type=int, default=20)
    args = parser.parse_args()

    group = Group.objects.get(name="Cashier")
    users, sessions = [], []
    for i in range(args.cashiers):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-{i}")
        user.groups.set([group])
        drawer, _ = Drawer.objects.get_or_create(code=f"BN{i:02d}", defaults={"name": f"Bench {i}"})
        DrawerSession.objects.filter(cashier=user, status=SessionStatus.OPEN).update(
            status=SessionStatus.CLOSED
        )
        DrawerSession.objects.filter(drawer=drawer, status=SessionStatus.OPEN).update(
            status=SessionStatus.CLOSED
        )
        users.append(user)
        sessions.append(session_open(drawer_id=drawer.pk, cashier=user, opening_float=Decimal("200.00")))
    hot = list(
        Account.objects.filter(status="active")
        .order_by("?")
        .values_list("id", flat=True)[: args.hot_accounts]
    )
    print(
        f"{args.cashiers} cashiers x {args.posts} posts, 2 accounts each, on {len(hot)} hot accounts of "
        f"{Account.objects.count():,}"
    )

    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(args.cashiers + 1)

    def cashier(i: int) -> None:
        rng = random.Random(i)
        mine = []
        try:
            barrier.wait()
            for n in range(args.posts):
                a, b = rng.sample(hot, 2)
                lines = [
                    Line(a, Decimal(rng.randint(500, 20000)) / 100),
                    Line(b, Decimal(rng.randint(500, 9000)) / 100),
                ]
                total = sum(ln.amount for ln in lines)
                tender = (
                    TenderSpec(kind="cash", amount=total + Decimal("10"))
                    if n % 3
                    else TenderSpec(kind="check", amount=total, check_number=f"{i}-{n}")
                )
                t = time.perf_counter()
                transaction_post(
                    lines=lines,
                    tenders=[tender],
                    actor=users[i],
                    session_id=sessions[i].pk,
                    idempotency_key=uuid4(),
                )
                mine.append((time.perf_counter() - t) * 1000)
        except BaseException as exc:
            errors.append(exc)
        finally:
            with lock:
                latencies.extend(mine)
            connection.close()

    threads = [threading.Thread(target=cashier, args=(i,)) for i in range(args.cashiers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"errors: {errors[:3]}")
    ordered = sorted(latencies)
    print(
        f"posted {len(latencies):,} transactions ({2 * len(latencies):,} payments) in {elapsed:.1f} s: "
        f"{len(latencies) / elapsed:,.0f} transactions/s"
    )
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"latency p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms")

    for user, session in zip(users, sessions, strict=True):
        expected = session_expected(session=session)
        taken = CounterTransaction.objects.filter(session=session).aggregate(s=Sum("total"))["s"]
        assert expected.cash - session.opening_float + expected.checks == taken, session
        cents = int(expected.cash * 100)
        closed = session_close(
            session_id=session.pk,
            cashier=user,
            denominations={"1": cents // 100, "coin_0.01": cents % 100},
            checks_total=expected.checks,
            check_count=expected.check_count,
            cards_total=Decimal(0),
            other_total=Decimal(0),
        )
        assert closed.over_short == 0
    for account in Account.objects.filter(pk__in=hot):
        assert account.balance == LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    print("reconciled: every drawer balanced to the cent; every hot account's balance == sum(entries)")


if __name__ == "__main__":
    main()
