"""Benchmark: SMS and webhook calls per second through relay + dispatch vs the raw call.

SMS: N events (owner with a mobile, SMS channel only) through the outbox relay and the
dispatcher, which sends each with the official Dysmsapi SDK to the local SMS gateway,
versus N raw ``SendSms`` calls of the same SDK client to the same gateway. Webhooks: N
events to one custom webhook through relay + dispatch versus N raw httpx POSTs of the
same body to the same local receiver. The two of each alternate for a few rounds (the
best of each is kept); the figures are their ratios (floor 0.5 each).
Run: .venv/bin/python bench/bench_channels.py [--messages N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alibabacloud_dysmsapi20170525.models import SendSmsRequest  # noqa: E402
from darabonba.runtime import RuntimeOptions  # noqa: E402

import notify.models  # noqa: E402,F401  (registers the tables)
from notify.catalog import CHANNELS, ICP_FILING  # noqa: E402
from notify.channelsend import ChannelSenders  # noqa: E402
from notify.compose import template_facts  # noqa: E402
from notify.dispatch import dispatch_due  # noqa: E402
from notify.models import (  # noqa: E402
    ChannelSetting,
    Delivery,
    OwnerMobile,
    Webhook,
    WebhookSelection,
)
from notify.relay import relay_due  # noqa: E402
from notify.render import render  # noqa: E402
from notify.robots import Message, build_call  # noqa: E402
from notify.senders import SmtpSender  # noqa: E402
from notify.smsgateway import SmsGateway  # noqa: E402
from notify.smssender import SmsSender  # noqa: E402
from notify.webhooksender import WebhookSender  # noqa: E402
from notify.webhooksink import WebhookSink  # noqa: E402
from workflow.config import Config  # noqa: E402
from workflow.db import Database  # noqa: E402
from workflow.models import Account, Filing, OutboxEvent  # noqa: E402

FLOOR = 0.5
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
KEY_ID, KEY_SECRET = "LTAIbench", "bench-secret"


def seed(db: Database, n: int, channel: str, hook_url: str) -> None:
    with db.transaction() as s:
        s.add(Account(id="bench", owner_name="张伟", owner_email="owner@bench.example",
                      language="zh", created_at=NOW))
        s.flush()
        s.add_all(ChannelSetting(account_id="bench", category=ICP_FILING, channel=ch,
                                 enabled=ch == channel) for ch in CHANNELS)
        s.add(OwnerMobile(account_id="bench", mobile="13800138000"))
        s.add(Webhook(id=1, account_id="bench", name="ops", type="custom", url=hook_url,
                      secret="k", created_at=NOW, updated_at=NOW))
        s.flush()
        s.add(WebhookSelection(account_id="bench", category=ICP_FILING, webhook_id=1))
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


def pipeline(folder: Path, config: Config, n: int, channel: str) -> float:
    db = Database(f"sqlite:///{folder / f'{channel}.db'}")
    db.create_all()
    seed(db, n, channel, f"http://127.0.0.1:{config.webhook_sink_port}/hook/ops")
    senders = ChannelSenders(sms=SmsSender.from_config(config), webhook=WebhookSender(config))
    smtp = SmtpSender.from_url(config.smtp_url, mail_from=config.mail_from)
    start = time.perf_counter()
    while relay_due(db, now=NOW, config=config):
        pass
    sent = 0
    while (done := dispatch_due(db, now=NOW, config=config, sender=smtp, channels=senders)):
        sent += done
    elapsed = time.perf_counter() - start
    senders.close()
    db.dispose()
    assert sent == n, f"dispatched {sent} of {n}"
    return n / elapsed


def raw_sms(config: Config, n: int) -> float:
    sender = SmsSender.from_config(config)
    client = sender._sdk()  # the same SDK client the sender builds
    runtime = RuntimeOptions(autoretry=False, read_timeout=10_000, connect_timeout=10_000)
    requests = [SendSmsRequest(phone_numbers="13800138000", sign_name=config.sms_sign_name,
                               template_code=config.sms_template_notification, out_id=str(i),
                               template_param=json.dumps({"text": f"F{i}: Submitted"}))
                for i in range(n)]
    start = time.perf_counter()
    for request in requests:
        assert client.send_sms_with_options(request, runtime).body.code == "OK"
    return n / (time.perf_counter() - start)


def raw_webhook(url: str, n: int) -> float:
    """Prebuilt calls of the size the pipeline sends (the same rendered text)."""
    facts = {"filing_id": "F1", "filing_type": "first_filing", "domain": "s1.cn",
             "website": "Site 1", "trigger": "submit", "from_state": "draft",
             "to_state": "submitted"}
    text = render("application_progress", "zh", **{**template_facts(Delivery(
        dedup_key="", account_id="bench", channel="webhook", receiver="webhook",
        language="zh", facts=facts))})
    calls = [build_call("custom", url, Message(title=text.subject, body=text.body,
                                               facts={"delivery": f"event:{i}", **facts}),
                        secret="k", now_ms=0) for i in range(n)]
    with httpx.Client(timeout=10) as client:
        start = time.perf_counter()
        for call in calls:
            client.post(call.url, content=call.body,
                        headers=dict(call.headers)).raise_for_status()
        return n / (time.perf_counter() - start)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_servers(folder: Path) -> tuple[list[subprocess.Popen[bytes]], int, int]:
    """`icpsim sms-gateway` and `icpsim webhook-sink` as their own processes (as deployed)."""
    sms_port, hook_port = free_port(), free_port()
    folder.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{folder / 'icpsim.db'}")  # where the receiver looks robots up
    db.create_all()
    db.dispose()
    env = {**os.environ, "ICPSIM_INSTANCE_PATH": str(folder),
           "ICPSIM_SMS_ACCESS_KEY_ID": KEY_ID, "ICPSIM_SMS_ACCESS_KEY_SECRET": KEY_SECRET}
    root = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-m", "web.cli", command, "--port", str(port)],
                              cwd=root, env=env, stdout=subprocess.DEVNULL)
             for command, port in (("sms-gateway", sms_port), ("webhook-sink", hook_port))]
    for port in (sms_port, hook_port):
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
    return procs, sms_port, hook_port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-process", action="store_true",
                        help="run the gateway and receiver as threads of this process")
    args = parser.parse_args()
    results: dict[str, tuple[list[float], list[float]]] = {"sms": ([], []),
                                                           "webhook": ([], [])}
    procs: list[subprocess.Popen[bytes]] = []
    gateway = sink = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.in_process:
                gateway = SmsGateway(access_key_id=KEY_ID, access_key_secret=KEY_SECRET).start()
                sink = WebhookSink().start()
                sms_port, hook_port = gateway.port, sink.port
            else:
                procs, sms_port, hook_port = start_servers(Path(tmp) / "servers")
            hook_url = f"http://127.0.0.1:{hook_port}/hook/ops"
            config = Config(instance_path=Path(tmp), secret_key="bench",
                            sms_url=f"http://127.0.0.1:{sms_port}",
                            sms_access_key_id=KEY_ID, sms_access_key_secret=KEY_SECRET,
                            webhook_sink_port=hook_port)
            raw_sms(config, 20)  # warm-up
            raw_webhook(hook_url, 20)
            for r in range(args.rounds):
                folder = Path(tmp) / f"round{r}"
                folder.mkdir()
                results["sms"][1].append(raw_sms(config, args.messages))
                results["sms"][0].append(pipeline(folder, config, args.messages, "sms"))
                results["webhook"][1].append(raw_webhook(hook_url, args.messages))
                results["webhook"][0].append(pipeline(folder, config, args.messages,
                                                      "webhook"))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        if gateway is not None and sink is not None:
            gateway.stop()
            sink.stop()
    ok = True
    print(f"messages: {args.messages} per measurement, best of {args.rounds} rounds")
    for channel, base in (("sms", "raw SDK SendSms"), ("webhook", "raw httpx POST")):
        piped, raw = results[channel]
        ratio = max(piped) / max(raw)
        ok &= ratio >= FLOOR
        print(f"{channel:8} relay + dispatch {max(piped):7.0f}/s   {base} {max(raw):7.0f}/s"
              f"   ratio {ratio:5.2f}   (floor {FLOOR})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
