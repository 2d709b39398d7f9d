"""A notice batch printed to one downloadable PDF, as the page does it: a job on Celery workers.

    .venv/bin/python bench/notice_pdf.py [--notices 1000] [--workers 2] [--serial] [--keep]

Makes a reminder batch of N notices (dated far in the future so it never meets a real batch) on
the first N accounts of the project database, then submits its PDF job
(`collections_app.notice_jobs`: parts of `PDF_PART` notices rendered by WeasyPrint in parallel on
the workers, joined with pypdf) and times it from the submission to the file being downloadable.
`--workers N` starts N Celery worker processes (broker in this shell's REDIS_DB); `--serial` also
times the old way, the whole batch in one WeasyPrint render in this process (what the request
did). The batch, its notices and the job are deleted at the end unless `--keep`.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django  # noqa: E402

django.setup()

from pypdf import PdfReader  # noqa: E402

from accounts.models import Account  # noqa: E402
from collections_app import notice_jobs  # noqa: E402
from collections_app.models import Notice, NoticeBatch  # noqa: E402
from collections_app.pdf_notices import _help, batch_notice_ids  # noqa: E402
from collections_app.services.notices import _address  # noqa: E402
from common.models import Job  # noqa: E402
from common.pdf import pdf_render  # noqa: E402


def _batch(n: int) -> NoticeBatch:
    day = date(2099, 1, 1)
    while NoticeBatch.objects.filter(kind="reminder", business_date=day).exists():
        day += timedelta(days=1)
    batch = NoticeBatch.objects.create(kind="reminder", business_date=day)
    accounts = list(Account.objects.select_related("customer", "premise").order_by("id")[:n])
    if len(accounts) < n:
        raise SystemExit(f"only {len(accounts)} accounts: load a city first (bench/seed_city.py)")
    rows = []
    for i, account in enumerate(accounts):
        addressee, address = _address(account, "reminder")
        rows.append(
            Notice(
                account=account,
                batch=batch,
                kind="reminder",
                addressee=addressee[:160],
                address=address,
                amount_due=f"{50 + i % 400}.{i % 100:02d}",
                pay_by=day + timedelta(days=14),
                reason="bench",
                citation="bench",
                idempotency_key=f"bench:{day}:{account.pk}",
            )
        )
    Notice.objects.bulk_create(rows, batch_size=2000)
    return batch


def _workers(n: int) -> subprocess.Popen:  # type: ignore[type-arg]
    from config.celery import app

    app.control.purge()
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "-c",
            str(n),
            "--pool",
            "prefork",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    for _ in range(60):
        if app.control.ping(timeout=1.0):
            time.sleep(2)  # every process of the pool up
            return proc
    proc.terminate()
    raise SystemExit("the Celery workers did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--serial", action="store_true", help="also time one render in this process")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}; PDF_PART={notice_jobs.PDF_PART}")

    start = time.perf_counter()
    batch = _batch(args.notices)
    print(f"batch of {args.notices:,} notices made in {time.perf_counter() - start:.1f} s")
    job = None
    proc = _workers(args.workers)
    try:
        if args.serial:
            start = time.perf_counter()
            notices = list(
                Notice.objects.filter(pk__in=batch_notice_ids(batch)).select_related("account__premise")
            )
            data = pdf_render("collections_app/pdf/notice_batch.html",
                              {"notices": notices, "help": _help(), "title": "serial"})  # fmt: skip
            took = time.perf_counter() - start
            print(f"one render in this process (the old request): {took:.1f} s, {len(data) / 1e6:.1f} MB")
        start = time.perf_counter()
        job = notice_jobs.notice_batch_pdf_submit(batch=batch, actor=None)
        last = -1
        loads = []  # the 1-minute load average through the run: the workers' share of 2 cores
        while True:
            loads.append(os.getloadavg()[0])
            job.refresh_from_db()
            if job.done != last:
                print(
                    f"  {time.perf_counter() - start:6.1f} s  {job.status:<8} {job.done:>6,} of {job.total:,}"
                )
                last = job.done
            if job.finished:
                break
            time.sleep(0.5)
        took = time.perf_counter() - start
        if job.status != "done":
            raise SystemExit(f"job failed: {job.error}")
        data = bytes(Job.objects.get(pk=job.pk).output_data)
        pages = len(PdfReader(BytesIO(data)).pages)
        print(f"job with {args.workers} worker processes: {took:.1f} s to a downloadable PDF "
              f"({job.parts} parts, {pages:,} pages, {len(data) / 1e6:.1f} MB, "
              f"{args.notices / took:.1f} notices/s)")  # fmt: skip
        print(f"load average during the run: {min(loads):.2f}-{max(loads):.2f}")
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)
        # The work itself, whatever the load: the CPU the worker processes used (their start-up of
        # a few seconds included). Divided by the cores, it is the time on an idle machine.
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"CPU of the worker processes: {used.ru_utime + used.ru_stime:.1f} s; "
              f"largest worker process: {used.ru_maxrss / 1024:.0f} MB")  # fmt: skip
        if not args.keep:
            if job is not None:
                Job.objects.filter(pk=job.pk).delete()
            Notice.objects.filter(batch=batch).delete()
            batch.delete()


if __name__ == "__main__":
    main()
