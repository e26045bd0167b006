"""`icpsim worker` for operators: JSON log lines on request and its own /metrics port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from notify.mailsink import free_port
from notify.models import Delivery
from notify.system import build_system
from workflow.config import Config, ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _statuses(db) -> list[str]:
    with db.transaction() as s:
        return sorted(s.exec(select(Delivery.status)).all())


def test_the_worker_logs_json_lines_and_serves_metrics(file_db, mail_sink, tmp_path):
    url = file_db.url.render_as_string(False)
    config = Config(instance_path=tmp_path, database_url=url, smtp_url=mail_sink.url,
                    secret_key="test")
    system = build_system(config, db=file_db)
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn", website="Acme",
                          actor="acme")
    system.filings.fire("acme", "F1", "submit", actor="acme")
    port = free_port()
    env = {**os.environ, "ICPSIM_DATABASE_URL": url, "ICPSIM_SMTP_URL": mail_sink.url,
           "ICPSIM_INSTANCE_PATH": str(tmp_path), "ICPSIM_POLL_INTERVAL": "1s",
           "ICPSIM_LOG_FORMAT": "json", "ICPSIM_METRICS_PORT": str(port)}
    worker = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60  # until both outcomes are recorded (bounded)
        while _statuses(file_db) != ["sent", "sent"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _statuses(file_db) == ["sent", "sent"]
        assert len(mail_sink.messages) == 1
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
        system.sender.close()
    assert worker.returncode == 0, err
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert records, "the worker logged nothing"
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["message"].startswith("dispatch_due: ") for r in records)
    families = {f.name: f for f in text_string_to_metric_families(text.decode())}
    assert {n for n in families if not n.startswith("icpsim_")} == set()
    sent = [s for s in families["icpsim_deliveries"].samples
            if s.name == "icpsim_deliveries_total" and s.labels["outcome"] == "sent"]
    assert {s.labels["channel"]: s.value for s in sent} == {"email": 1, "internal": 1}
    latency = {s.labels["channel"]: s.value
               for s in families["icpsim_delivery_latency_seconds"].samples
               if s.name == "icpsim_delivery_latency_seconds_count"}
    assert latency == {"email": 1, "internal": 1}
    jobs = {s.labels["job"] for s in families["icpsim_job_duration_seconds"].samples}
    assert {"relay_due", "dispatch_due"} <= jobs


def test_an_unknown_log_format_is_refused_with_its_variable():
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"ICPSIM_LOG_FORMAT": "xml"})
    assert refused.value.code == "invalid_config"
    assert "ICPSIM_LOG_FORMAT" in refused.value.message
