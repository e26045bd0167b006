"""The delivery log: queries, attempts, and retrying failed deliveries by hand."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, update
from sqlmodel import col, select

from workflow.clock import Clock
from workflow.config import Config
from workflow.db import Database
from workflow.errors import Conflict, NotFound

from .models import Delivery, DeliveryAttempt


class UnknownDelivery(NotFound):
    code = "unknown_delivery"


class NotFailed(Conflict):
    code = "not_failed"


class NotRetryable(Conflict):
    code = "not_retryable"


class DeliveryService:
    def __init__(self, db: Database, clock: Clock, config: Config):
        self.db = db
        self.clock = clock
        self.config = config

    def get(self, account_id: str, delivery_id: int) -> Delivery:
        with self.db.transaction() as s:
            row = s.get(Delivery, delivery_id)
        if row is None or row.account_id != account_id:
            raise UnknownDelivery(
                f"delivery {delivery_id} does not exist in account {account_id!r}")
        return row

    def attempts(self, delivery_id: int) -> list[DeliveryAttempt]:
        """Every attempt of the delivery, oldest first, with its outcome."""
        with self.db.transaction() as s:
            query = select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id)
            return list(s.exec(query.order_by(col(DeliveryAttempt.id))).all())

    def retry(self, account_id: str, delivery_id: int, *, actor: str = "user") -> Delivery:
        """Queue a failed delivery again, due now; anything else is refused."""
        row = self.get(account_id, delivery_id)
        if row.status != "failed":
            raise NotFailed(f"delivery {delivery_id} is {row.status}, not failed: only a "
                            "failed delivery can be retried")
        if row.kind != "notification":
            raise NotRetryable(f"delivery {delivery_id} is a {row.kind} email; its link is "
                               "gone: resend the verification instead")
        with self.db.transaction() as s:
            done = s.execute(update(Delivery).where(
                col(Delivery.id) == delivery_id, col(Delivery.status) == "failed").values(
                **_requeued(self.clock, actor)))
            if getattr(done, "rowcount", 1) == 0:
                raise NotFailed(f"delivery {delivery_id} is no longer failed")
            fresh = s.get(Delivery, delivery_id)
            assert fresh is not None
            s.refresh(fresh)
            return fresh

    def retry_failed(self, account_id: str, *, to: str, type: str | None = None,
                     filing_id: str | None = None, actor: str = "user") -> int:
        """Queue again every failed notification to ``to``; returns how many."""
        query = update(Delivery).where(
            col(Delivery.account_id) == account_id, col(Delivery.status) == "failed",
            col(Delivery.kind) == "notification",
            func.lower(col(Delivery.to_address)) == to.lower())
        if type is not None:
            query = query.where(col(Delivery.notification_type) == type)
        if filing_id is not None:
            query = query.where(col(Delivery.filing_id) == filing_id)
        with self.db.transaction() as s:
            result = s.execute(query.values(**_requeued(self.clock, actor)))
            return int(getattr(result, "rowcount", 0) or 0)


    def list(
        self,
        account_id: str | None = None,
        *,
        filing_id: str | None = None,
        to: str | None = None,
        channel: str | None = None,
        status: str | None = None,
        type: str | None = None,
        kind: str | None = None,
    ) -> list[Delivery]:
        """Deliveries matching every given filter, oldest first (all accounts if None)."""
        query = select(Delivery)
        for column, value in ((Delivery.account_id, account_id),
                              (Delivery.filing_id, filing_id), (Delivery.channel, channel),
                              (Delivery.status, status), (Delivery.notification_type, type),
                              (Delivery.kind, kind)):
            if value is not None:
                query = query.where(col(column) == value)
        if to is not None:  # an address, a mobile, or a webhook's name
            query = query.where(or_(func.lower(col(Delivery.to_address)) == to.lower(),
                                    and_(col(Delivery.channel) == "webhook",
                                         col(Delivery.to_name) == to)))
        with self.db.transaction() as s:
            return list(s.exec(query.order_by(col(Delivery.id))).all())


def _requeued(clock: Clock, actor: str) -> dict[str, object]:
    now = clock.now()
    return {"status": "pending", "next_attempt_at": now, "done_at": None, "failures": 0,
            "first_failure_at": None, "reason": f"retried by hand by {actor}",
            "claimed_until": None, "claimed_by": None}


__all__ = ["DeliveryService", "NotFailed", "NotRetryable", "UnknownDelivery"]
