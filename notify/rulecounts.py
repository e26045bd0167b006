"""What the relay hands the planner for the rules: stored rules, today's counts, the text.

One ``RuleInputs`` per account and relay batch: the counts start from the deliveries of
the local day already stored and grow with each event planned in the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from workflow.models import Account

from .compose import rendered
from .models import Delivery
from .planner import PlannedDelivery, receiver_key
from .rules import DEFAULT_ZONE, Rules, local_day
from .rulestore import owner_mobile, rules_for


class RuleInputs:
    def __init__(self, account: Account, category: str, rules: Rules,
                 counts: dict[tuple[str, str], int], mobile: str | None):
        self.account, self.category, self.rules = account, category, rules
        self.counts, self.owner_mobile = counts, mobile

    def text_of(self, event: Any) -> tuple[str, str]:
        """The title and body keyword filters look at (the email text in the account's
        language); empty when no filter needs it."""
        if not self.rules.needs_text:
            return "", ""
        probe = Delivery(dedup_key="", account_id=self.account.id, kind="notification",
                         category=self.category, notification_type=event.notification_type,
                         channel="email", receiver="owner", language=self.account.language,
                         facts=dict(event.facts, time_zone=self.account.time_zone),
                         to_name=self.account.owner_name)
        text = rendered(probe)
        return text.subject, text.body

    def count(self, planned: Iterable[PlannedDelivery]) -> None:
        """Add the batch's own pending deliveries on limited channels to the counts."""
        for p in planned:
            if p.status == "pending" and p.channel in self.rules.per_day:
                key = (p.channel, p.receiver_key)
                self.counts[key] = self.counts.get(key, 0) + 1


def rule_inputs(s: Session, account: Account, category: str, *, now: datetime,
                zone_name: str = DEFAULT_ZONE,
                states: dict[str, str] | None = None) -> RuleInputs:
    rules = rules_for(s, account.id, category, states=states)
    counts: dict[tuple[str, str], int] = {}
    if rules.per_day:
        start, end = local_day(now, zone_name)
        rows = s.execute(select(col(Delivery.channel), col(Delivery.receiver),
                                col(Delivery.contact_id), col(Delivery.webhook_id),
                                func.count()).where(
            col(Delivery.account_id) == account.id, col(Delivery.category) == category,
            col(Delivery.kind) == "notification",
            col(Delivery.channel).in_(list(rules.per_day)),
            col(Delivery.status).in_(["pending", "sent"]),
            col(Delivery.created_at) >= start, col(Delivery.created_at) < end,
        ).group_by(col(Delivery.channel), col(Delivery.receiver), col(Delivery.contact_id),
                   col(Delivery.webhook_id))).all()
        for channel, receiver, contact_id, webhook_id, n in rows:
            key = (channel, receiver_key(receiver, contact_id, webhook_id))
            counts[key] = counts.get(key, 0) + n
    return RuleInputs(account, category, rules, counts, owner_mobile(s, account.id))


__all__ = ["RuleInputs", "rule_inputs"]
