"""Benchmark: scale-out on PostgreSQL, and commit-to-SMTP latency with and without wake-up.

Real processes against a throwaway PostgreSQL cluster and a loopback SMTP sink that
answers each message after 20 ms, as a remote server would: the figures measure
concurrency, not this machine's cores.

1. Throughput: `icpsim worker` x 1, 2 and 4 deliver N emails (outbox events committed
   in one transaction); deliveries/s for each, and the ratio 2 workers vs 1 (floor 1.5).
2. Latency on PostgreSQL: transitions committed at a steady low rate by this process,
   2 workers; from each commit to the sink's acceptance of its email, p50/p99, with
   wake-up on (floor: p99 < 100 ms) and off (polling; the baseline, same run).
   The baseline of the same run: a bare process that LISTENs and sends each message
   with smtplib (no icpsim, no database work): the machine's own cost of that hop.
3. Latency on SQLite: one `icpsim serve` process (jobs in process), transitions sent
   through its console; from sending the request (an upper bound of the commit) to the
   acceptance, p50/p99.

Exits 1 below a floor. Run: .venv/bin/python bench/bench_scale.py [--emails N]
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import notify.models  # noqa: E402,F401  (registers the tables)
from notify.catalog import ICP_FILING  # noqa: E402
from notify.mailsink import free_port  # noqa: E402
from notify.models import ChannelSetting  # noqa: E402
from notify.system import build_system  # noqa: E402
from tests.conftest import postgres_cluster  # noqa: E402
from web.migrate import upgrade  # noqa: E402
from workflow.config import Config  # noqa: E402
from workflow.db import Database  # noqa: E402
from workflow.models import Account, Filing, OutboxEvent  # noqa: E402
from workflow.transition import WAKE_CHANNEL  # noqa: E402

SMTP_DELAY = 0.020
RATIO_FLOOR = 1.5
P99_FLOOR_MS = 100.0
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
_FILING = re.compile(r"(LAT-\d+)")


def _text(raw: bytes) -> str:
    msg = message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(("plain",))
    return f"{msg['Subject']}\n{body.get_content() if body is not None else ''}"


class SlowSink:
    """An SMTP server answering each message after SMTP_DELAY; notes when it accepted
    which filing's email (time.time(), comparable across processes)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted: dict[str, float] = {}
        self.count = 0
        self.lock = threading.Lock()
        self.done = threading.Condition(self.lock)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(SMTP_DELAY)
        found = _FILING.search(_text(envelope.content or b""))
        with self.lock:
            if found:
                self.accepted.setdefault(found.group(1), time.time())
            self.count += 1
            self.done.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.done:
            return self.done.wait_for(lambda: self.count >= count, timeout)

    def reset(self) -> None:
        with self.lock:
            self.accepted.clear()
            self.count = 0


@contextmanager
def database(cluster: str) -> Iterator[str]:
    name = f"b_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(cluster, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = cluster.rsplit("/", 1)[0] + f"/{name}"
    upgrade(Config(database_url=url))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def env_for(url: str, sink: SlowSink, tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
    env.update(ICPSIM_DATABASE_URL=url, ICPSIM_SMTP_URL=sink.url, ICPSIM_SECRET_KEY="b" * 32,
               ICPSIM_INSTANCE_PATH=str(tmp / "instance"), PYTHONUNBUFFERED="1", **extra)
    return env


@contextmanager
def workers(n: int, env: dict[str, str], tmp: Path) -> Iterator[None]:
    procs = []
    try:
        for i in range(n):
            log = (tmp / f"worker{i}.log").open("ab")
            proc = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE, stderr=log)
            procs.append(proc)
        for proc in procs:  # each says so once its jobs and wake-up are running
            line = proc.stdout.readline() if proc.stdout else b""
            if b"icpsim worker:" not in line:
                raise RuntimeError(f"a worker did not start: {line!r}; see {tmp}")
        time.sleep(0.5)  # their first look at the (empty) queue is over
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.communicate(timeout=60)


def seed_account(db: Database, account: str = "bench") -> None:
    with db.transaction() as s:
        s.add(Account(id=account, owner_name="Zhang Wei", owner_email="owner@bench.example",
                      created_at=NOW))
        s.flush()
        s.add_all(ChannelSetting(account_id=account, category=ICP_FILING, channel=ch,
                                 enabled=ch == "email") for ch in ("email", "internal"))


def throughput(cluster: str, sink: SlowSink, n_workers: int, emails: int, tmp: Path) -> float:
    """Emails/s from one commit of ``emails`` outbox events to the last acceptance."""
    with database(cluster) as url:
        db = Database(url)
        seed_account(db)
        env = env_for(url, sink, tmp, ICPSIM_BATCH_SIZE="4", ICPSIM_POLL_INTERVAL="2s")
        with workers(n_workers, env, tmp):
            sink.reset()
            with db.transaction() as s:
                s.execute(sa.insert(Filing), [{
                    "account_id": "bench", "filing_id": f"F{i}", "type": "first_filing",
                    "domain": f"s{i}.cn", "website": f"Site {i}", "state": "submitted",
                    "created_at": NOW, "updated_at": NOW} for i in range(emails)])
                pks = s.execute(sa.select(Filing.pk).order_by(Filing.pk)).scalars().all()
                s.execute(sa.insert(OutboxEvent), [{
                    "account_id": "bench", "filing_pk": pk, "at": NOW,
                    "notification_type": "application_progress", "trigger": "submit",
                    "facts": {"filing_id": f"F{i}", "filing_type": "first_filing",
                              "domain": f"s{i}.cn", "website": f"Site {i}",
                              "trigger": "submit", "from_state": "draft",
                              "to_state": "submitted"}} for i, pk in enumerate(pks)])
                s.execute(sa.text(f"NOTIFY {WAKE_CHANNEL}"))
            started = time.monotonic()
            if not sink.wait_for(emails, timeout=600):
                raise RuntimeError(f"only {sink.count} of {emails} emails arrived")
            elapsed = time.monotonic() - started
        db.dispose()
    return emails / elapsed


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def pg_latency(cluster: str, sink: SlowSink, *, wakeup: bool, count: int, rate: float,
               tmp: Path) -> tuple[float, float]:
    """Commit-to-acceptance of ``count`` transitions, one every 1/rate s, 2 workers."""
    with database(cluster) as url:
        config = Config(database_url=url, smtp_url=sink.url, secret_key="b" * 32)
        system = build_system(config)
        seed_account(system.db)
        for i in range(count):
            system.filings.create("bench", f"LAT-{i:04d}", type="first_filing",
                                  domain=f"lat{i}.cn", website=f"Latency {i}", actor="bench")
        env = env_for(url, sink, tmp, ICPSIM_WAKEUP="true" if wakeup else "false")
        with workers(2, env, tmp):
            sink.reset()
            committed: dict[str, float] = {}
            for i in range(count):
                due = time.monotonic() + 1 / rate
                system.filings.fire("bench", f"LAT-{i:04d}", "submit", actor="bench")
                committed[f"LAT-{i:04d}"] = time.time()
                time.sleep(max(0.0, due - time.monotonic()))
            if not sink.wait_for(count, timeout=120):
                raise RuntimeError(f"only {sink.count} of {count} emails arrived")
        system.close()
    return percentiles([sink.accepted[k] - t for k, t in committed.items()])


_BARE = """
import smtplib, sys
from email.message import EmailMessage
import psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
conn.execute("LISTEN bench_bare")
smtp = smtplib.SMTP("127.0.0.1", int(sys.argv[2]))
print("listening", flush=True)
for note in conn.notifies():
    if note.payload == "stop":
        break
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@bench.example", "b@bench.example", note.payload
    msg.set_content(note.payload)
    smtp.send_message(msg)
smtp.quit()
"""


def bare_latency(cluster: str, sink: SlowSink, *, count: int, rate: float) -> tuple[float, float]:
    """The baseline: a bare process that LISTENs and sends one SMTP message per NOTIFY
    (no database work, no icpsim): what this machine's load alone costs the same hop."""
    import psycopg

    conninfo = sa.make_url(cluster).set(drivername="postgresql").render_as_string(False)
    proc = subprocess.Popen([sys.executable, "-c", _BARE, conninfo, str(sink.port)],
                            stdout=subprocess.PIPE)
    try:
        if proc.stdout is None or b"listening" not in proc.stdout.readline():
            raise RuntimeError("the bare listener did not start")
        sink.reset()
        sent: dict[str, float] = {}
        with psycopg.connect(conninfo, autocommit=True) as conn:
            for i in range(count):
                due = time.monotonic() + 1 / rate
                conn.execute("SELECT pg_notify('bench_bare', %s)", (f"LAT-{i:04d}",))
                sent[f"LAT-{i:04d}"] = time.time()
                time.sleep(max(0.0, due - time.monotonic()))
            if not sink.wait_for(count, timeout=120):
                raise RuntimeError(f"only {sink.count} of {count} bare emails arrived")
            conn.execute("SELECT pg_notify('bench_bare', 'stop')")
    finally:
        proc.wait(timeout=60)
    return percentiles([sink.accepted[k] - t for k, t in sent.items()])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sqlite_serve_latency(sink: SlowSink, *, count: int, rate: float,
                         tmp: Path) -> tuple[float, float]:
    """One `icpsim serve` on a SQLite file: its console commits, its own jobs deliver."""
    port = free_port()
    env = env_for("", sink, tmp)
    env.pop("ICPSIM_DATABASE_URL")
    env["ICPSIM_INSTANCE_PATH"] = str(tmp / "sqlite-instance")
    env["ICPSIM_SMS_GATEWAY_PORT"] = str(free_port())
    env["ICPSIM_WEBHOOK_SINK_PORT"] = str(free_port())
    log = (tmp / "serve.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/ready", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"serve did not start; see {tmp / 'serve.log'}") from None
                time.sleep(0.2)
        creds = (tmp / "sqlite-instance" / "first-run-credentials.txt").read_text()
        password = re.search(r"account owner: demo / (\S+)", creds).group(1)
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

        def token() -> str:
            page = opener.open(base + "/signin", timeout=30).read().decode()
            return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

        def post(path: str, data: dict[str, str]) -> None:
            body = urllib.parse.urlencode({**data, "csrf_token": csrf}).encode()
            try:
                opener.open(base + path, data=body, timeout=30)
            except urllib.error.HTTPError as exc:
                if exc.code != 302:
                    raise

        csrf = token()
        post("/signin", {"username": "demo", "password": password})
        csrf = token()
        for i in range(count):
            post("/filings/new", {"filing_id": f"LAT-{i:04d}", "type": "first_filing",
                                  "domain": f"lat{i}.cn", "website": f"Latency {i}"})
        time.sleep(1)
        sink.reset()
        sent: dict[str, float] = {}
        for i in range(count):
            due = time.monotonic() + 1 / rate
            sent[f"LAT-{i:04d}"] = time.time()
            post(f"/filings/demo/LAT-{i:04d}/fire", {"trigger": "submit",
                                                     "expected_version": "1"})
            time.sleep(max(0.0, due - time.monotonic()))
        if not sink.wait_for(count, timeout=120):
            raise RuntimeError(f"only {sink.count} of {count} emails arrived")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return percentiles([sink.accepted[k] - t for k, t in sent.items()])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=400, help="emails per throughput run")
    # 300: the p99 of 100 samples is their second-worst, a single slow moment of the
    # machine; of 300 it is the third-worst, a figure that holds from one run to the next
    parser.add_argument("--transitions", type=int, default=300, help="per latency run")
    parser.add_argument("--rate", type=float, default=10.0, help="transitions/s (latency)")
    args = parser.parse_args()
    sink = SlowSink()
    sink.controller.start()
    try:
        with postgres_cluster() as cluster, tempfile.TemporaryDirectory() as tmp_name:
            if cluster is None:
                print("skipped: PostgreSQL server binaries are not installed (make test "
                      "installs them as root)")
                return 0
            tmp = Path(tmp_name)
            load_at_start = os.getloadavg()[0]
            rates = {n: throughput(cluster, sink, n, args.emails, tmp) for n in (1, 2, 4)}
            ratio = rates[2] / rates[1]
            print(f"SMTP sink answers each message after {SMTP_DELAY * 1000:.0f} ms; "
                  f"{args.emails} emails per run")
            for n, rate in rates.items():
                print(f"workers: {n}   {rate:7.1f} deliveries/s   ({rate / rates[1]:.2f} x 1)")
            print(f"ratio 2 workers vs 1: {ratio:.2f}   (floor {RATIO_FLOOR})")
            bare = bare_latency(cluster, sink, count=args.transitions, rate=args.rate)
            on = pg_latency(cluster, sink, wakeup=True, count=args.transitions,
                            rate=args.rate, tmp=tmp)
            off = pg_latency(cluster, sink, wakeup=False, count=args.transitions,
                             rate=args.rate, tmp=tmp)
            lite = sqlite_serve_latency(sink, count=args.transitions, rate=args.rate, tmp=tmp)
    finally:
        sink.controller.stop()
    print(f"commit-to-SMTP-acceptance, {args.transitions} transitions at {args.rate:g}/s:")
    print(f"  baseline: bare LISTEN -> smtplib:   p50 {bare[0]:7.1f} ms   p99 {bare[1]:7.1f} ms"
          "   (this machine's cost of the hop right now)")
    print(f"  PostgreSQL, 2 workers, wake-up on:   p50 {on[0]:7.1f} ms   p99 {on[1]:7.1f} ms"
          f"   (floor: p99 < {P99_FLOOR_MS:.0f} ms; {on[1] / bare[1]:.1f}x the baseline)")
    print(f"  PostgreSQL, 2 workers, wake-up off:  p50 {off[0]:7.1f} ms   p99 {off[1]:7.1f} ms"
          f"   (polling every 2 s; wake-up p99 is {off[1] / on[1]:.0f}x lower)")
    print(f"  SQLite, one serve process, wake-up:  p50 {lite[0]:7.1f} ms   p99 {lite[1]:7.1f} ms"
          "   (from sending the request)")
    print(f"machine load average (1 min): {load_at_start:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores; the latency "
          "floor assumes a machine not loaded beyond its cores (compare with the baseline)")
    ok = ratio >= RATIO_FLOOR and on[1] < P99_FLOOR_MS
    print("PASS" if ok else "BELOW FLOOR")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
