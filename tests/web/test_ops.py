"""/health, /ready and /metrics: answered without sign-in, in front of the console."""

from __future__ import annotations

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import Client

from notify.mailsink import free_port
from notify.system import build_system
from web.app import create_app
from web.migrate import head_revision, upgrade
from web.ops import ops_app, with_ops
from workflow.config import Config


def _client(system) -> Client:
    return Client(with_ops(create_app(system=system), ops_app(system)))


def _json(response) -> dict:
    return json.loads(response.get_data(as_text=True))


def test_health_answers_without_signing_in(system):
    response = _client(system).get("/health")
    assert response.status_code == 200
    assert _json(response) == {"status": "ok"}


def test_the_console_still_asks_to_sign_in_behind_the_ops_paths(system):
    client = _client(system)
    signin = client.get("/filings/")
    assert signin.status_code == 302
    assert "/signin" in signin.headers["Location"]
    assert client.get("/no-such-page").status_code == 404


def test_ready_on_a_migrated_database(tmp_path, mail_sink):
    config = Config(instance_path=tmp_path, smtp_url=mail_sink.url, secret_key="test")
    upgrade(config)
    system = build_system(config)
    try:
        response = _client(system).get("/ready")
        assert response.status_code == 200
        assert _json(response) == {"status": "ready", "migration": head_revision()}
    finally:
        system.close()


def test_not_ready_while_migrations_are_pending(tmp_path, mail_sink):
    config = Config(instance_path=tmp_path, smtp_url=mail_sink.url, secret_key="test")
    system = build_system(config)  # an empty SQLite file: never migrated
    try:
        response = _client(system).get("/ready")
        assert response.status_code == 503
        body = _json(response)
        assert body["code"] == "migrations_pending"
        assert "icpsim db upgrade" in body["message"]
    finally:
        system.close()


def test_not_ready_when_the_database_does_not_answer(tmp_path, mail_sink):
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://icpsim@127.0.0.1:{free_port()}/icpsim?connect_timeout=2"
    config = Config(instance_path=tmp_path, database_url=url, smtp_url=mail_sink.url,
                    secret_key="test")
    system = build_system(config)
    try:
        response = _client(system).get("/ready")
        assert response.status_code == 503
        assert _json(response)["code"] == "database_unreachable"
        assert "Traceback" not in response.get_data(as_text=True)
    finally:
        system.close()


def _families(system) -> dict:
    text = _client(system).get("/metrics").get_data(as_text=True)
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_every_metric_is_named_icpsim(system):
    names = set(_families(system))
    assert names
    assert {n for n in names if not n.startswith("icpsim_")} == set()


def test_metrics_count_transitions_deliveries_and_the_queue(system, mail_sink):
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme", actor="acme")
    system.filings.fire("acme", "F1", "submit", actor="acme")
    before = _families(system)
    queue = {s.labels["queue"]: s.value for s in before["icpsim_queue_depth"].samples}
    assert queue["outbox"] == 1
    transitions = {s.labels["trigger"]: s.value for s in before["icpsim_transitions"].samples
                   if s.name == "icpsim_transitions_total"}
    assert transitions["submit"] == 1

    def sent(families) -> float:
        return sum(s.value for s in families["icpsim_deliveries"].samples
                   if s.name == "icpsim_deliveries_total" and s.labels["outcome"] == "sent"
                   and s.labels["channel"] == "email")

    system.run_due()
    after = _families(system)
    assert sent(after) - sent(before) == 1  # the owner's email (default channels)
    queue = {s.labels["queue"]: s.value for s in after["icpsim_queue_depth"].samples}
    assert queue["outbox"] == 0
    assert queue.get("deliveries_email", 0) == 0
