"""Benchmark: emails per second through relay + dispatch vs raw smtplib, same loopback sink.

Both send to one MailSink (aiosmtpd on 127.0.0.1) in this process: first N emails through
the outbox relay and the dispatcher on a SQLite file (events of one email each: email
channel only, owner only), then N prebuilt messages over one persistent smtplib
connection, the two alternating for a few rounds (the best of each is kept: a busy
machine only ever slows a round down). The figure that matters is their ratio (floor
0.5: the script exits 1 below it).
Run: .venv/bin/python bench/bench_delivery.py [--emails N] [--rounds R]
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import notify.models  # noqa: E402,F401  (registers the tables)
from notify.catalog import ICP_FILING  # noqa: E402
from notify.dispatch import dispatch_due  # noqa: E402
from notify.mailsink import MailSink  # noqa: E402
from notify.models import ChannelSetting  # noqa: E402
from notify.relay import relay_due  # noqa: E402
from notify.senders import SmtpSender  # noqa: E402
from workflow.config import Config  # noqa: E402
from workflow.db import Database  # noqa: E402
from workflow.models import Account, Filing, OutboxEvent  # noqa: E402

TARGET = 0.5
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def seed(db: Database, n: int) -> None:
    with db.transaction() as s:
        s.add(Account(id="bench", owner_name="张伟", owner_email="owner@bench.example",
                      language="zh", created_at=NOW))
        s.flush()
        s.add_all(ChannelSetting(account_id="bench", category=ICP_FILING, channel=ch,
                                 enabled=ch == "email") for ch in ("email", "internal"))
        s.flush()
        s.execute(insert(Filing), [{"account_id": "bench", "filing_id": f"F{i}",
                                    "type": "first_filing", "domain": f"s{i}.cn",
                                    "website": f"Site {i}", "state": "submitted",
                                    "created_at": NOW, "updated_at": NOW} for i in range(n)])
        s.execute(insert(OutboxEvent), [{
            "account_id": "bench", "filing_pk": i + 1, "at": NOW,
            "notification_type": "application_progress", "trigger": "submit",
            "facts": {"filing_id": f"F{i}", "filing_type": "first_filing",
                      "domain": f"s{i}.cn", "website": f"Site {i}", "trigger": "submit",
                      "from_state": "draft", "to_state": "submitted"}} for i in range(n)])


def pipeline_per_second(sink: MailSink, folder: Path, n: int) -> tuple[float, float]:
    """(emails/s for relay + dispatch, emails/s for dispatch alone)."""
    db = Database(f"sqlite:///{folder / 'bench.db'}")
    db.create_all()
    seed(db, n)
    config = Config(instance_path=folder, smtp_url=sink.url, secret_key="bench")
    sender = SmtpSender.from_url(sink.url, mail_from=config.mail_from)
    start = time.perf_counter()
    while relay_due(db, now=NOW, config=config):
        pass
    relayed = time.perf_counter()
    sent = 0
    while (done := dispatch_due(db, now=NOW, config=config, sender=sender)):
        sent += done
    elapsed = time.perf_counter() - start
    sender.close()
    db.dispose()
    assert sent == n, f"dispatched {sent} of {n}"
    return n / elapsed, n / (time.perf_counter() - relayed)


def raw_smtplib_per_second(sink: MailSink, n: int) -> float:
    """Prebuilt messages over one persistent smtplib connection: the floor of SMTP here."""
    messages = []
    for i in range(n):
        msg = EmailMessage()
        msg["From"] = "no-reply@icpsim.example"
        msg["To"] = "owner@bench.example"
        msg["Subject"] = f"Filing F{i}"
        msg.set_content("hello\n" * 10)
        messages.append(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        start = time.perf_counter()
        for data in messages:
            smtp.sendmail("no-reply@icpsim.example", ["owner@bench.example"], data)
        return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternate the two measurements this many times; keep the best")
    args = parser.parse_args()
    pipelines, dispatches, raws = [], [], []
    with tempfile.TemporaryDirectory() as tmp, MailSink() as sink:
        raw_smtplib_per_second(sink, 200)  # warm-up: the sink's event loop, imports
        for n in range(args.rounds):
            sink.clear()
            raws.append(raw_smtplib_per_second(sink, args.emails))
            sink.clear()
            folder = Path(tmp) / f"round{n}"
            folder.mkdir()
            pipeline, dispatch_only = pipeline_per_second(sink, folder, args.emails)
            assert len(sink.messages) == args.emails, "the sink missed emails"
            pipelines.append(pipeline)
            dispatches.append(dispatch_only)
    ratio = max(pipelines) / max(raws)
    print(f"emails: {args.emails} per measurement, best of {args.rounds} alternating rounds")
    print(f"relay + dispatch: {max(pipelines):8.0f} emails/s   "
          f"(dispatch alone {max(dispatches):.0f}/s; rounds: "
          f"{', '.join(f'{p:.0f}' for p in pipelines)})")
    print(f"raw smtplib:      {max(raws):8.0f} emails/s   (one persistent connection; rounds: "
          f"{', '.join(f'{r:.0f}' for r in raws)})")
    print(f"ratio:            {ratio:8.2f}   (floor {TARGET}) "
          f"{'OK' if ratio >= TARGET else 'BELOW FLOOR'}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
