"""Fixtures of the version 2 channels: a real SMS gateway and webhook receiver on loopback,
and a system whose SMS sender (the official SDK) and webhook sender point at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from notify.mailsink import MailSink
from notify.smsgateway import SmsGateway
from notify.system import build_system
from notify.webhooksink import WebhookSink
from workflow.clock import SimulatedClock
from workflow.config import Config
from workflow.db import Database

KEY_ID, KEY_SECRET = "LTAI-test-key", "test-secret-of-the-gateway"


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway(access_key_id=KEY_ID, access_key_secret=KEY_SECRET).start()
    yield gateway
    gateway.stop()


@pytest.fixture
def robots() -> dict[str, tuple[str, str | None]]:
    """What each robot behind the receiver is configured with (its type and secret)."""
    return {}


@pytest.fixture
def webhook_sink(robots) -> Iterator[WebhookSink]:
    sink = WebhookSink(lookup=robots.get).start()
    yield sink
    sink.stop()


@pytest.fixture
def channel_config(mail_sink: MailSink, sms_gateway: SmsGateway, webhook_sink: WebhookSink,
                   tmp_path) -> Config:
    return Config(instance_path=tmp_path, smtp_url=mail_sink.url, secret_key="test",
                  sms_url=sms_gateway.url, sms_access_key_id=KEY_ID,
                  sms_access_key_secret=KEY_SECRET, webhook_sink_port=webhook_sink.port,
                  webhook_timeout=timedelta(seconds=0.5),
                  base_url="https://console.icpsim.example")


@pytest.fixture
def csystem(channel_config: Config, clock: SimulatedClock, db: Database):
    built = build_system(channel_config, clock=clock, db=db)
    built.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    yield built
    built.close()


@pytest.fixture
def shared_system(channel_config: Config, clock: SimulatedClock, shared_db: Database):
    """The same system on a SQLite file and on PostgreSQL (where installed)."""
    built = build_system(channel_config, clock=clock, db=shared_db)
    built.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    yield built
    built.close()
