"""Configuration: ``ICPSIM_*`` environment variables read once into a frozen object."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .durations import parse_duration
from .errors import IcpsimError


class ConfigError(IcpsimError):
    code = "invalid_config"


@dataclass(frozen=True)
class Config:
    """Every setting with its default; ``ICPSIM_<NAME>`` overrides each one."""

    instance_path: Path = Path("instance")
    database_url: str = ""  # default: a SQLite file in instance_path
    smtp_url: str = "smtp://127.0.0.1:8025"  # the embedded mail sink (`icpsim mail-sink`)
    mail_from: str = "Message Center <no-reply@icpsim.example>"
    secret_key: str = ""  # no default: `icpsim serve` generates one (web/secret_files.py)
    base_url: str = "http://127.0.0.1:5000"
    admin_token: str = ""  # the control API's; empty refuses every call (`icpsim serve` sets it)
    # contacts (docs/behaviour.md#contacts)
    max_contacts: int = 15
    link_lifetime: timedelta = timedelta(hours=72)
    resend_interval: timedelta = timedelta(seconds=60)
    resend_daily_limit: int = 10
    # delivery (docs/behaviour.md#delivery)
    retry_initial: timedelta = timedelta(minutes=5)
    retry_cap: timedelta = timedelta(minutes=60)
    retry_jitter: float = 0.10
    retry_give_up: timedelta = timedelta(days=5)
    lease: timedelta = timedelta(seconds=60)
    batch_size: int = 200
    # lifecycle timers (docs/behaviour.md#timers)
    sms_window: timedelta = timedelta(hours=24)
    order_lifetime: timedelta = timedelta(days=45)
    reminders: tuple[timedelta, ...] = (timedelta(days=30), timedelta(days=40))
    rectification_period: timedelta = timedelta(days=10)
    extension_period: timedelta = timedelta(days=10)
    # worker
    poll_interval: timedelta = timedelta(seconds=2)
    wakeup: bool = True  # relay and dispatch start at a transition's commit, not the next poll
    metrics_port: int = 0  # `icpsim worker`'s Prometheus /metrics port (0: none)
    metrics_host: str = "127.0.0.1"
    log_format: str = "text"  # text | json (one JSON object per line)
    mail_sink_port: int = 8025
    # SMS and webhook robots (docs/behaviour.md). The keys have no default: `serve` generates a pair
    # for its embedded gateway; pointing at Alibaba Cloud means setting all of these.
    sms_url: str = "http://127.0.0.1:8026"  # the embedded gateway (`icpsim sms-gateway`)
    sms_access_key_id: str = ""
    sms_access_key_secret: str = ""
    sms_sign_name: str = "ICPSim"
    sms_template_notification: str = "SMS_900001"
    sms_template_verification: str = "SMS_900002"
    sms_gateway_port: int = 8026
    webhook_sink_port: int = 8027
    webhook_allow_hosts: str = ""  # host[:port],... allowed despite being private
    webhook_timeout: timedelta = timedelta(seconds=10)
    max_webhooks: int = 5
    # the Alibaba-compatible API: calls per second each account may keep up (0: no limit)
    # and how many it may make at once above that (docs/LIMITS.md#api-calls)
    api_rate_limit: float = 100.0
    api_burst: int = 2000

    def __post_init__(self) -> None:
        if not self.database_url:
            url = f"sqlite:///{Path(self.instance_path) / 'icpsim.db'}"
            object.__setattr__(self, "database_url", url)
        if self.log_format not in ("text", "json"):
            raise ConfigError(f"ICPSIM_LOG_FORMAT={self.log_format!r} is not valid: "
                              "text or json", field="ICPSIM_LOG_FORMAT")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Read ``ICPSIM_*`` variables; a malformed value raises ConfigError naming it."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f"ICPSIM_{f.name.upper()}"
            if name in env and env[name] != "":
                values[f.name] = _coerce(name, env[name], f.default)
        values.update(overrides)
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        """Refuse settings no command could run with, naming the variable: ConfigError."""
        _check_database_url(self.database_url)
        parts = urlsplit(self.smtp_url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ConfigError(f"ICPSIM_SMTP_URL={self.smtp_url!r} is not an SMTP URL such as "
                              "smtp://127.0.0.1:8025 (smtp, smtps or smtp+starttls)",
                              field="ICPSIM_SMTP_URL")
        try:
            parts.port  # noqa: B018  (raises on a port out of range)
        except ValueError as exc:
            raise ConfigError(f"ICPSIM_SMTP_URL={self.smtp_url!r}: {exc}",
                              field="ICPSIM_SMTP_URL") from None
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if not low <= value <= high:
                raise ConfigError(f"ICPSIM_{name.upper()}={value} must be from {low} to {high}",
                                  field=f"ICPSIM_{name.upper()}")

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)


SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")
_RANGES = (("batch_size", 1, 100_000), ("max_contacts", 0, 100_000),
           ("resend_daily_limit", 0, 1_000_000), ("retry_jitter", 0.0, 1.0),
           ("mail_sink_port", 1, 65535), ("api_rate_limit", 0.0, 1_000_000.0),
           ("api_burst", 1, 1_000_000_000))


def _check_database_url(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigError(f"ICPSIM_DATABASE_URL={url!r} is not a database URL this program "
                          f"can use (sqlite:///PATH or postgresql+psycopg://...): {exc}",
                          field="ICPSIM_DATABASE_URL") from None


def _coerce(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            if not re.fullmatch(r"-?[0-9]{1,18}", raw.strip()):  # ASCII digits, no overflow
                raise ValueError("not a whole number")
            return int(raw.strip())
        if isinstance(default, float):
            value = float(raw)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError("not a finite number")
            return value
        if isinstance(default, timedelta):
            return parse_duration(raw)
        if isinstance(default, tuple):
            return tuple(parse_duration(p) for p in raw.split(",") if p.strip())
        if isinstance(default, Path):
            return Path(raw)
        return raw
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not valid: {exc}", field=name) from exc


__all__ = ["Config", "ConfigError"]
