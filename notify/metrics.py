"""Prometheus metrics of this process (every name ``icpsim_*``), on their own registry.

Counters and histograms count what this process did (deliveries by channel and outcome,
commit-to-delivery latency, job durations). The transition count and the queue depths
are the database's, read when scraped, so every process reports the same figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, col, select

from workflow.clock import as_utc
from workflow.db import Database
from workflow.models import OutboxEvent, Timer, TransitionLog

from .models import Delivery

REGISTRY = CollectorRegistry()
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                   60.0, 300.0)

DELIVERIES = Counter("icpsim_deliveries", "Delivery attempts by channel and outcome "
                     "(sent, temporary, permanent, released)", ["channel", "outcome"],
                     registry=REGISTRY)
LATENCY = Histogram("icpsim_delivery_latency_seconds", "From the transition's commit to "
                    "the delivery's outcome (sent: accepted by the server or stored)",
                    ["channel"], buckets=LATENCY_BUCKETS, registry=REGISTRY)
JOB_SECONDS = Histogram("icpsim_job_duration_seconds", "Duration of one run of a job",
                        ["job"], registry=REGISTRY)
JOB_ITEMS = Counter("icpsim_job_items", "Rows a job handled", ["job"], registry=REGISTRY)


class _Switch:
    """Whether this process runs on the system clock (serve, worker): only then is the
    transition's time a wall-clock commit time the latency can be measured from."""

    real_time = False


def measure_latency(enabled: bool = True) -> None:
    """Called by `icpsim serve` and `icpsim worker`; scenarios run on simulated clocks."""
    _Switch.real_time = enabled


def real_time() -> bool:
    """Whether this process measures the commit-to-delivery latency."""
    return _Switch.real_time


def observe_outcomes(s: Session, deliveries: Sequence[Delivery],
                     outcomes: Mapping[int | None, Any]) -> None:
    """Count each outcome; for sent deliveries, observe the commit-to-delivery latency."""
    times = _event_times(s, deliveries)
    for d in deliveries:
        observe_outcome(d, outcomes[d.id].result, times.get(d.event_id))


def event_times(db: Database | Session,
                deliveries: Sequence[Delivery]) -> dict[int | None, datetime]:
    """When each delivery's transition committed (read only where latency is measured),
    in the given session's transaction or a new one of ``db``."""
    if not _Switch.real_time or not deliveries:
        return {}
    if isinstance(db, Session):
        return _event_times(db, deliveries)
    with db.transaction() as s:
        return _event_times(s, deliveries)


def observe_outcome(d: Delivery, result: str, event_at: datetime | None) -> None:
    """Count one outcome; a sent one with its event's time also gives a latency."""
    DELIVERIES.labels(d.channel, result).inc()
    if result == "sent" and event_at is not None and _Switch.real_time:
        LATENCY.labels(d.channel).observe(
            max(0.0, (datetime.now(UTC) - as_utc(event_at)).total_seconds()))


def _event_times(s: Session, deliveries: Sequence[Delivery]) -> dict[int | None, datetime]:
    ids = {d.event_id for d in deliveries if d.event_id is not None}
    if not _Switch.real_time or not ids:
        return {}
    return dict(s.execute(select(OutboxEvent.id, OutboxEvent.at)  # type: ignore[arg-type]
                          .where(col(OutboxEvent.id).in_(ids))).all())


class DatabaseCollector(Collector):
    """Figures read from the database when scraped: transitions and queue depths."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self) -> Iterator[Any]:
        with self.db.transaction() as s:
            by_trigger = s.execute(select(TransitionLog.trigger, func.count())
                                   .group_by(TransitionLog.trigger)).all()
            outbox = s.execute(select(func.count()).select_from(OutboxEvent)
                               .where(col(OutboxEvent.relayed_at).is_(None))).scalar_one()
            pending = s.execute(select(Delivery.channel, func.count())
                                .where(col(Delivery.status) == "pending")
                                .group_by(Delivery.channel)).all()
            timers = s.execute(select(func.count()).select_from(Timer)
                               .where(col(Timer.status) == "pending")).scalar_one()
        transitions = CounterMetricFamily(
            "icpsim_transitions", "Transitions and reminders recorded in the database, "
            "by trigger", labels=["trigger"])
        for trigger, count in by_trigger:
            transitions.add_metric([trigger], count)
        yield transitions
        depth = GaugeMetricFamily("icpsim_queue_depth", "Work waiting in the database: "
                                  "unrelayed outbox events, pending deliveries by channel, "
                                  "pending timers", labels=["queue"])
        depth.add_metric(["outbox"], outbox)
        for channel, count in pending:
            depth.add_metric([f"deliveries_{channel}"], count)
        depth.add_metric(["timers"], timers)
        yield depth


class _ProcessAndDatabase(Collector):
    def __init__(self, db: Database):
        self.database = DatabaseCollector(db)

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()
        yield from self.database.collect()


def registry_for(db: Database) -> CollectorRegistry:
    """What a /metrics endpoint serves: this process's metrics and the database's."""
    registry = CollectorRegistry()
    registry.register(_ProcessAndDatabase(db))
    return registry


def serve_metrics(db: Database, *, host: str, port: int) -> Any:
    """A /metrics HTTP server in a daemon thread (prometheus-client's); returns it."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=host, registry=registry_for(db))
    return server


__all__ = ["DELIVERIES", "JOB_ITEMS", "JOB_SECONDS", "LATENCY", "REGISTRY",
           "event_times", "measure_latency", "real_time", "observe_outcome", "observe_outcomes",
           "registry_for", "serve_metrics"]
