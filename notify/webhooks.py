"""Webhook robots of an account: add, modify, delete, select per category (docs/behaviour.md).

The one place of the webhook rules (the console, the scenario runner and the
Alibaba-compatible API all call it): at most ``max_webhooks`` per account, a known robot
type, an http(s) URL that is not loopback, private or link-local unless the operator
allows its host (``ICPSIM_WEBHOOK_ALLOW_HOSTS``; the embedded receiver always is).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from workflow.accounts import get_account
from workflow.clock import Clock
from workflow.config import Config
from workflow.db import Database

from . import audit
from .catalog import get_category
from .channel_errors import (
    DuplicateWebhook,
    InvalidWebhook,
    UnknownWebhook,
    WebhookLimitReached,
)
from .models import Webhook, WebhookSelection
from .webhookurls import allowed_hosts, check_url, resolved_private

TYPES = ("dingtalk", "wecom", "lark", "slack", "custom")
MAX_NAME, MAX_SECRET = 30, 200


def clean_webhook(name: str, type_: str, url: str, secret: str | None,
                  config: Config) -> tuple[str, str, str, str | None]:
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InvalidWebhook(f"a webhook name has 1 to {MAX_NAME} characters", field="name")
    if type_ not in TYPES:
        raise InvalidWebhook(f"webhook type {str(type_)[:30]!r} does not exist: choose from "
                             f"{', '.join(TYPES)}", field="type")
    secret = (secret or "").strip() or None
    if secret is not None and (len(secret) > MAX_SECRET or not secret.isprintable()):
        raise InvalidWebhook(f"a secret has at most {MAX_SECRET} printable characters",
                             field="secret")
    return name, type_, check_url(url, config), secret


def get_webhook(s: Session, account_id: str, webhook_id: int) -> Webhook:
    hook = s.get(Webhook, webhook_id) if isinstance(webhook_id, int) else None
    if hook is None or hook.account_id != account_id:
        raise UnknownWebhook(f"webhook {webhook_id} does not exist in account {account_id!r}")
    return hook


def selected_webhooks(s: Session, account_id: str, category: str) -> list[Webhook]:
    query = select(Webhook).join(
        WebhookSelection, col(WebhookSelection.webhook_id) == Webhook.id).where(
        WebhookSelection.account_id == account_id, WebhookSelection.category == category,
        Webhook.account_id == account_id).order_by(col(Webhook.id))
    return list(s.exec(query).all())


def robot_at(db: Database, url: str) -> tuple[str, str | None] | None:
    """The robot type and secret of a webhook configured with ``url`` (for the local
    receiver, which checks signatures with them), or None."""
    with db.transaction() as s:
        hook = s.exec(select(Webhook).where(Webhook.url == url)
                      .order_by(col(Webhook.id))).first()
        return None if hook is None else (hook.type, hook.secret)


class WebhookService:
    def __init__(self, db: Database, clock: Clock, config: Config):
        self.db, self.clock, self.config = db, clock, config

    def list(self, account_id: str) -> list[Webhook]:
        with self.db.transaction() as s:
            get_account(s, account_id)
            return list(s.exec(select(Webhook).where(Webhook.account_id == account_id)
                               .order_by(col(Webhook.id))).all())

    def get(self, account_id: str, webhook_id: int) -> Webhook:
        with self.db.transaction() as s:
            return get_webhook(s, account_id, webhook_id)

    def find_by_name(self, account_id: str, name: str) -> Webhook | None:
        with self.db.transaction() as s:
            return s.exec(select(Webhook).where(Webhook.account_id == account_id,
                                                Webhook.name == name)).first()

    def add(self, account_id: str, *, name: str, type: str, url: str,
            secret: str | None = None, actor: str) -> Webhook:
        name, type_, url, secret = clean_webhook(name, type, url, secret, self.config)
        now = self.clock.now()
        with self.db.transaction() as s:
            get_account(s, account_id)
            count = s.exec(select(func.count()).select_from(Webhook)
                           .where(Webhook.account_id == account_id)).one()
            if count >= self.config.max_webhooks:
                raise WebhookLimitReached(
                    f"account {account_id!r} already has {count} webhooks, the most allowed "
                    f"is {self.config.max_webhooks}")
            self._unique(s, account_id, name)
            hook = Webhook(account_id=account_id, name=name, type=type_, url=url,
                           secret=secret, created_at=now, updated_at=now)
            s.add(hook)
            s.flush()
            audit.record(s, account_id=account_id, actor=actor, subject=f"webhook:{hook.id}",
                         action="add", changes=audit.diff({}, _values(hook)), at=now)
            return hook

    def modify(self, account_id: str, webhook_id: int, *, name: str | None = None,
               type: str | None = None, url: str | None = None, secret: str | None = None,
               actor: str) -> Webhook:
        """Change the given fields; ``secret=""`` removes the secret."""
        now = self.clock.now()
        with self.db.transaction() as s:
            hook = get_webhook(s, account_id, webhook_id)
            old = _values(hook)
            new_name, new_type, new_url, new_secret = clean_webhook(
                hook.name if name is None else name, hook.type if type is None else type,
                hook.url if url is None else url,
                hook.secret if secret is None else secret, self.config)
            if new_name != hook.name:
                self._unique(s, account_id, new_name)
            hook.name, hook.type, hook.url, hook.secret = new_name, new_type, new_url, new_secret
            hook.updated_at = now
            s.add(hook)
            changes = audit.diff(old, _values(hook))
            if changes:
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"webhook:{hook.id}", action="modify", changes=changes,
                             at=now)
            return hook

    def delete(self, account_id: str, webhook_id: int, *, actor: str) -> None:
        """Remove it from every category; its delivery log stays."""
        now = self.clock.now()
        with self.db.transaction() as s:
            hook = get_webhook(s, account_id, webhook_id)
            s.execute(delete(WebhookSelection).where(
                col(WebhookSelection.webhook_id) == webhook_id))
            audit.record(s, account_id=account_id, actor=actor, subject=f"webhook:{hook.id}",
                         action="delete", changes=audit.diff(_values(hook), {}), at=now)
            s.delete(hook)

    def selected(self, account_id: str, category: str) -> builtins.list[Webhook]:
        get_category(category)
        with self.db.transaction() as s:
            get_account(s, account_id)
            return selected_webhooks(s, account_id, category)

    def select(self, account_id: str, category: str, webhook_ids: Sequence[int], *,
               actor: str) -> builtins.list[Webhook]:
        """Replace the category's webhooks (the API's ``WebhookIds``)."""
        get_category(category)
        with self.db.transaction() as s:
            get_account(s, account_id)
            old = [h.id for h in selected_webhooks(s, account_id, category)]
            wanted = [get_webhook(s, account_id, i) for i in dict.fromkeys(webhook_ids)]
            new: builtins.list[int] = sorted(h.id for h in wanted if h.id is not None)
            s.execute(delete(WebhookSelection).where(
                col(WebhookSelection.account_id) == account_id,
                col(WebhookSelection.category) == category))
            s.add_all(WebhookSelection(account_id=account_id, category=category,
                                       webhook_id=i) for i in new)
            if old != new:
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"webhooks:{category}", action="select_webhooks",
                             changes={"webhooks": {"old": old, "new": new}},
                             at=self.clock.now())
            return sorted(wanted, key=lambda h: h.id or 0)

    @staticmethod
    def _unique(s: Session, account_id: str, name: str) -> None:
        if s.exec(select(Webhook).where(Webhook.account_id == account_id,
                                        Webhook.name == name)).first() is not None:
            raise DuplicateWebhook(f"account {account_id!r} already has a webhook named "
                                   f"{name!r}")


def _values(hook: Webhook) -> dict[str, object]:
    # The secret itself never goes into the audit log: only whether there is one.
    return {"name": hook.name, "type": hook.type, "url": hook.url,
            "secret": "set" if hook.secret else None}


__all__ = ["TYPES", "WebhookService", "allowed_hosts", "check_url", "get_webhook",
           "resolved_private", "robot_at", "selected_webhooks"]
