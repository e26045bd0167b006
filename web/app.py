"""The Flask application factory: services in app.extensions, blueprints, CSRF, filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect

from workflow.config import Config, ConfigError

from . import (
    account_views,
    auth,
    channel_viewers,
    channels_views,
    contacts_views,
    converters,
    errors,
    filings_views,
    i18n,
    inbox_views,
    mailbox_views,
    rules_views,
    security_headers,
    settings_views,
    verify_views,
)
from .services import EXTENSION, services

if TYPE_CHECKING:
    from notify.system import System



def create_app(config: Config | None = None, *, system: System | None = None) -> Flask:
    """Build the console; never starts a scheduler or a mail server (docs/design.md#apscheduler)."""
    if system is None:
        from notify.system import build_system

        system = build_system(config or Config.from_env())
    config = system.config
    if not config.secret_key:
        raise ConfigError("ICPSIM_SECRET_KEY is not set: the console will not sign sessions "
                          "with a known key (`icpsim serve` generates one in the instance "
                          "folder)", field="ICPSIM_SECRET_KEY")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session (docs/design.md)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.base_url.lower().startswith("https://"),
        ICPSIM_MAILDIR=Path(config.instance_path) / "mail",
    )
    app.extensions[EXTENSION] = system
    CSRFProtect(app)
    converters.install(app)

    for module in (auth, settings_views, contacts_views, inbox_views, filings_views,
                   mailbox_views, verify_views, channels_views, rules_views,
                   channel_viewers, account_views):
        app.register_blueprint(module.bp)
    auth.install(app)
    i18n.install(app)
    errors.install(app)
    security_headers.install(app)
    app.add_template_filter(local_time, "local")
    app.add_template_filter(local_iso, "local_iso")
    app.context_processor(_layout_context)
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))
    from .api_mount import mount_apis

    mount_apis(app)  # the Alibaba-compatible endpoint and the control API
    return app


def local_time(when: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time in the signed-in account's zone, labelled: ``... (UTC+8)``."""
    if when is None:
        return ""
    from workflow.clock import shown_time

    return shown_time(when, account_zone(), fmt)


def account_zone() -> str | None:
    """The signed-in account's time zone (None: the default, for the reviewer)."""
    if "zone" not in g:
        user = getattr(g, "user", None)
        g.zone = (services().accounts.get(user.account_id).time_zone
                  if user is not None and user.account_id else None)
    return g.zone  # type: ignore[no-any-return]


def local_iso(value: str) -> str:
    """An ISO 8601 time from event data, shown like ``local_time``; other text as is."""
    try:
        return local_time(datetime.fromisoformat(value), "%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


def _layout_context() -> dict[str, Any]:
    user = getattr(g, "user", None)
    unread = 0
    if user is not None and user.account_id:
        unread = services().inbox.unread_count(user.account_id)
    return {"user": user, "unread_count": unread,
            "mailbox_enabled": mailbox_views.mailbox_enabled(),
            **channel_viewers.viewers_enabled()}
