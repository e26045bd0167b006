"""The `icpsim worker` command: an APScheduler 3 scheduler running the job functions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import inspect

from workflow.config import Config
from workflow.errors import IcpsimError

from .due import JOBS
from .metrics import JOB_ITEMS, JOB_SECONDS
from .stopping import wait_until_stopped

log = logging.getLogger(__name__)


class SchemaMissing(IcpsimError):
    code = "schema_missing"


class HasJobs(Protocol):
    config: Config

    def relay_due(self, now: datetime | None = None) -> int: ...

    def dispatch_due(self, now: datetime | None = None) -> int: ...

    def fire_due_timers(self, now: datetime | None = None) -> int: ...

    def expire_contacts(self, now: datetime | None = None) -> int: ...


def guarded(name: str, job: Callable[[], int]) -> Callable[[], int]:
    """The job, logging (never raising) its exceptions so one failure stops nothing."""

    def run() -> int:
        try:
            with JOB_SECONDS.labels(name).time():
                done = job()
        except Exception:
            log.exception("job %s failed; it runs again at its next interval", name)
            return 0
        if done:
            JOB_ITEMS.labels(name).inc(done)
            log.info("%s: %d done", name, done)
        return done

    run.__name__ = name
    return run


def register_jobs(scheduler: Any, system: HasJobs, *, interval: float | None = None,
                  jobs: tuple[str, ...] = JOBS) -> None:
    """Add the four sweeper jobs to an APScheduler 3 scheduler (memory job store).

    Several processes may each run these: the jobs claim rows by lease, so the job store
    is never shared (PITFALLS.md, APScheduler).
    """
    seconds = interval if interval is not None else system.config.poll_interval.total_seconds()
    for name in jobs:
        scheduler.add_job(guarded(name, getattr(system, name)), "interval", seconds=seconds,
                          id=name, name=name, replace_existing=True,
                          next_run_time=datetime.now(UTC), misfire_grace_time=None,
                          coalesce=True, max_instances=1)


def run_worker(config: Config) -> int:
    """Run the jobs until Ctrl-C or SIGTERM, then stop cleanly (running jobs finish)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from .logs import configure_logging
    from .metrics import measure_latency, serve_metrics
    from .system import build_system
    from .wakeup import scheduled_jobs, start_waker

    configure_logging(config)
    system = build_system(config)
    if not inspect(system.db.engine).has_table("delivery"):
        system.close()
        raise SchemaMissing(f"the database {config.database_url} has no icpsim tables: "
                            "run `icpsim db upgrade` first")
    scheduler = BackgroundScheduler(timezone="UTC",
                                    job_defaults={"misfire_grace_time": None,
                                                  "coalesce": True, "max_instances": 1})
    waker = start_waker(system)  # relay and dispatch, on wake-up and every poll interval
    register_jobs(scheduler, system, jobs=scheduled_jobs(waker))
    scheduler.start()
    measure_latency()
    metrics = (serve_metrics(system.db, host=config.metrics_host, port=config.metrics_port)
               if config.metrics_port else None)
    try:
        wait_until_stopped(f"icpsim worker: database {config.database_url}, mail "
                           f"{config.smtp_url}, every {config.poll_interval.total_seconds():g}s"
                           f"{' and on wake-up' if waker else ''}"
                           f"{f', metrics on :{config.metrics_port}' if metrics else ''}"
                           " (Ctrl-C to stop)")
    finally:
        if waker is not None:
            waker.stop()
        if metrics is not None:
            metrics.shutdown()
        scheduler.shutdown(wait=True)
        system.close()
        print("icpsim worker stopped", flush=True)
    return 0


__all__ = ["JOBS", "guarded", "register_jobs", "run_worker"]
