"""Scale-out on PostgreSQL: 2 web servers and 2 workers as real processes, one killed twice.

The second web server runs `serve --workers 2` (three serving processes in all).
1,000+ transitions go through the console's HTTP routes of both web servers; the
workers relay and dispatch them to a real SMTP server. Every email arrives exactly once,
except at most one per kill (sent, then killed before its outcome was recorded), and
every timer that came due fired once.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlmodel import func, select

from notify.mailsink import MailSink, free_port
from notify.models import Delivery
from web.migrate import upgrade
from workflow.config import Config
from workflow.db import Database
from workflow.models import OutboxEvent, Timer, TransitionLog

ROOT = Path(__file__).resolve().parents[2]
FULL_PATH = [  # 10 transitions from draft to cancelled, by who presses the button
    ("owner", "submit", {}), ("reviewer", "start_review", {}),
    ("reviewer", "pass_review", {}), ("reviewer", "verify_sms", {}),
    ("reviewer", "approve", {"icp_number": "京ICP备2026000001号"}),
    ("reviewer", "start_inspection", {}), ("reviewer", "fail_inspection", {"items": "title"}),
    ("owner", "rectify", {}), ("reviewer", "pass_inspection", {}), ("owner", "cancel", {}),
]
TO_SMS = FULL_PATH[:3]  # left in sms_verification: its SMS timer fires
FILINGS, TIMED = 100, 10
THREADS = 6
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 after a POST is the success
        return None


class Browser:
    """One signed-in user (cookies and CSRF token) over both web processes."""

    def __init__(self, bases: list[str], username: str, password: str):
        self.bases = bases
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
        self.token = self._token()
        status, _ = self.post(self.bases[0], "/signin",
                              {"username": username, "password": password})
        assert status == 302, f"{username} could not sign in"
        self.token = self._token()  # the session changed at sign-in

    def _token(self) -> str:
        page = self.opener.open(self.bases[0] + "/signin", timeout=30).read().decode()
        return _CSRF.search(page).group(1)

    def post(self, base: str, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        try:
            with self.opener.open(base + path, data=body, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def _spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url + "/ready", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:  # not listening yet, or bound with no process accepting yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became ready:\n{log.read_text()}")


def _drive(browsers: dict[str, Browser], bases: list[str], filing_id: str,
           path: list) -> int:
    owner = browsers["owner"]
    status, page = owner.post(bases[0], "/filings/new", {
        "filing_id": filing_id, "type": "first_filing", "domain": f"{filing_id}.cn",
        "website": filing_id})
    assert status == 302, page[:2000]
    for version, (who, trigger, data) in enumerate(path, start=1):
        base = bases[version % len(bases)]  # alternate between the web processes
        status, page = browsers[who].post(base, f"/filings/demo/{filing_id}/fire", {
            "trigger": trigger, "expected_version": str(version), **data})
        assert status == 302, f"{filing_id} {trigger}: {status} {page[:2000]}"
    return len(path)


def _drive_all(browsers: dict[str, Browser], bases: list[str], chunk: list) -> int:
    return sum(_drive(browsers, bases, filing_id, path) for filing_id, path in chunk)


def _settled(db: Database) -> bool:
    with db.transaction() as s:
        unrelayed = s.exec(select(func.count()).select_from(OutboxEvent)
                           .where(OutboxEvent.relayed_at.is_(None))).one()
        pending = s.exec(select(func.count()).select_from(Delivery)
                         .where(Delivery.status == "pending")).one()
        timers = s.exec(select(func.count()).select_from(Timer)
                        .where(Timer.status == "pending", Timer.kind == "sms_timeout")).one()
    return unrelayed == 0 and pending == 0 and timers == 0


def test_two_web_processes_and_two_workers_deliver_every_email_once_through_two_kills(
        pg_database_url, tmp_path):
    upgrade(Config(database_url=pg_database_url))
    with MailSink() as sink:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
        env.update(ICPSIM_DATABASE_URL=pg_database_url, ICPSIM_SMTP_URL=sink.url,
                   ICPSIM_INSTANCE_PATH=str(tmp_path / "instance"), ICPSIM_SECRET_KEY="t" * 32,
                   ICPSIM_SMS_WINDOW="15s", ICPSIM_LEASE="10s", ICPSIM_POLL_INTERVAL="1s",
                   PYTHONUNBUFFERED="1")  # the default batch: each outcome is committed
        # right after its own SMTP reply, so a kill loses the record of one send at most
        ports = [free_port(), free_port()]
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        procs: list[subprocess.Popen] = []
        logs = tmp_path / "logs"
        logs.mkdir()
        try:
            for i, port in enumerate(ports):  # one after the other: the first makes the demo
                log = logs / f"web{i}.log"
                own = {**env, "ICPSIM_SMS_GATEWAY_PORT": str(free_port()),
                       "ICPSIM_WEBHOOK_SINK_PORT": str(free_port())}
                # the second one serves from two processes (`--workers 2`)
                procs.append(_spawn(["serve", "--no-jobs", "--port", str(port),
                                     "--workers", str(i + 1)], own, log))
                _wait_ready(bases[i], procs[-1], log)
            creds = (tmp_path / "instance" / "first-run-credentials.txt").read_text()
            demo = re.search(r"account owner: demo / (\S+)", creds).group(1)
            reviewer = re.search(r"reviewer:\s+reviewer / (\S+)", creds).group(1)
            workers = [_spawn(["worker"], env, logs / f"worker{i}.log") for i in range(2)]
            procs += workers

            jobs = [(f"T{i:03d}", TO_SMS) for i in range(TIMED)]
            jobs += [(f"F{i:03d}", FULL_PATH) for i in range(FILINGS)]
            users = [{"owner": Browser(bases, "demo", demo),
                      "reviewer": Browser(bases, "reviewer", reviewer)}
                     for _ in range(THREADS)]
            # Email only: each transition makes one delivery, to the owner.
            status, _ = users[0]["owner"].post(bases[0], "/settings/icp_filing/channels",
                                               {"channels": "email"})
            assert status == 302
            step = -(-len(jobs) // 3)  # three rounds; worker 0 is killed during two of them
            kills = done = 0
            with ThreadPoolExecutor(THREADS) as pool:
                for round_no, start in enumerate(range(0, len(jobs), step)):
                    batch = jobs[start:start + step]
                    running = [pool.submit(_drive_all, users[i], bases, batch[i::THREADS])
                               for i in range(THREADS)]
                    if round_no < 2:
                        time.sleep(1.5)  # in the thick of it: transitions and deliveries
                        workers[0].send_signal(signal.SIGKILL)  # no goodbye, no cleanup
                        workers[0].wait(timeout=30)
                        kills += 1
                        workers[0] = _spawn(["worker"], env, logs / "worker0.log")
                        procs.append(workers[0])
                    done += sum(f.result() for f in running)
            assert done == TIMED * len(TO_SMS) + FILINGS * len(FULL_PATH) >= 1000
            assert kills == 2

            db = Database(pg_database_url)
            try:
                deadline = time.monotonic() + 180  # bounded wait, not a speed assertion
                while not _settled(db) and time.monotonic() < deadline:
                    time.sleep(0.25)
                assert _settled(db), "work left undone"
                with db.transaction() as s:
                    emails = s.exec(select(Delivery.dedup_key, Delivery.status)
                                    .where(Delivery.channel == "email")).all()
                    history = Counter(s.exec(select(TransitionLog.trigger)).all())
                    fired = s.exec(select(Timer.status).where(Timer.kind == "sms_timeout")
                                   .where(Timer.status != "cancelled")).all()
            finally:
                db.dispose()
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
        received = Counter(m.header("Message-ID") for m in sink.messages)

    # every transition and every fired timer: one history row, one email to the owner
    assert history["sms_timeout"] == TIMED
    assert sum(history.values()) == done + TIMED
    assert fired == ["fired"] * TIMED
    assert len(emails) == done + TIMED
    assert {status for _, status in emails} == {"sent"}
    assert len(received) == len(emails)  # nobody missed a message
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= kills, f"{duplicates} duplicate emails after {kills} kills"
