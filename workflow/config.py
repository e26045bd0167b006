"""Configuration: ``ICPSIM_*`` environment variables read once into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

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
    secret_key: str = "dev-secret-change-me"
    base_url: str = "http://127.0.0.1:5000"
    # contacts (SPEC 1.3)
    max_contacts: int = 15
    link_lifetime: timedelta = timedelta(hours=72)
    resend_interval: timedelta = timedelta(seconds=60)
    resend_daily_limit: int = 10
    # delivery (SPEC 1.7)
    retry_initial: timedelta = timedelta(minutes=5)
    retry_cap: timedelta = timedelta(minutes=60)
    retry_jitter: float = 0.10
    retry_give_up: timedelta = timedelta(days=5)
    lease: timedelta = timedelta(seconds=60)
    batch_size: int = 200
    # lifecycle timers (SPEC 2)
    sms_window: timedelta = timedelta(hours=24)
    order_lifetime: timedelta = timedelta(days=45)
    reminders: tuple[timedelta, ...] = (timedelta(days=30), timedelta(days=40))
    rectification_period: timedelta = timedelta(days=10)
    extension_period: timedelta = timedelta(days=10)
    # worker
    poll_interval: timedelta = timedelta(seconds=2)
    mail_sink_port: int = 8025
    # SMS and webhook robots (SPEC 4). The keys have no default: `serve` generates a pair
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

    def __post_init__(self) -> None:
        if not self.database_url:
            url = f"sqlite:///{Path(self.instance_path) / 'icpsim.db'}"
            object.__setattr__(self, "database_url", url)

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
        return cls(**values)

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)


def _coerce(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
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
