"""The `icpsim worker` command: an APScheduler 3 scheduler running the job functions."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import inspect

from workflow.config import Config
from workflow.errors import IcpsimError

from .due import JOBS
from .metrics import JOB_ITEMS, JOB_SECONDS
from .render import load_templates
from .stopping import sigterm_as_interrupt, wait_until_stopped

log = logging.getLogger(__name__)

# A tick drains its job (runs it again while it finds work) for at most this long, then
# hands back to the scheduler, which starts the next tick at once if it is already due.
DRAIN_BUDGET = 10.0


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


def draining(job: Callable[[], int], *, budget: float = DRAIN_BUDGET,
             stop: threading.Event | None = None) -> Callable[[], int]:
    """The job run again and again while it finds work, up to ``budget`` seconds or until
    ``stop`` is set: a tick empties the queue instead of taking one batch from it."""

    def run() -> int:
        started, total = time.monotonic(), 0
        while not (stop is not None and stop.is_set()):
            done = job()
            total += done
            if not done or time.monotonic() - started >= budget:
                break
        return total

    return run


def register_jobs(scheduler: Any, system: HasJobs, *, interval: float | None = None,
                  stop: threading.Event | None = None, jobs: tuple[str, ...] = JOBS) -> None:
    """Add the sweeper jobs (all four, or ``jobs``) to an APScheduler 3 scheduler (memory
    job store); each tick drains its job (see ``draining``) until ``stop`` is set.

    Several processes may each run these: the jobs claim rows by lease, so the job store
    is never shared (docs/design.md#apscheduler).
    """
    seconds = interval if interval is not None else system.config.poll_interval.total_seconds()
    for name in jobs:
        job = draining(getattr(system, name), stop=stop)
        scheduler.add_job(guarded(name, job), "interval", seconds=seconds,
                          id=name, name=name, replace_existing=True,
                          next_run_time=datetime.now(UTC), misfire_grace_time=None,
                          coalesce=True, max_instances=1)


def settle_heap() -> None:
    """Once started: compile the message templates (the first notifications would wait
    for them), then move every object made so far (modules, SQLAlchemy's tables and
    caches, the templates) out of the garbage collector's sight. A full collection would
    otherwise walk them all, a pause of a few hundred milliseconds on a loaded machine,
    landing in the middle of some wake-up; they live as long as the process anyway."""
    load_templates()
    gc.collect()
    gc.freeze()


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
    stop = threading.Event()
    waker = metrics = None
    try:
        # From the first thread on, SIGTERM stops the worker the clean way, even while it
        # starts: its wake-up may already be sending when a supervisor stops it.
        with sigterm_as_interrupt():
            waker = start_waker(system)  # relay and dispatch, on wake-up and every poll
            register_jobs(scheduler, system, stop=stop, jobs=scheduled_jobs(waker))
            scheduler.start()
            measure_latency()
            metrics = (serve_metrics(system.db, host=config.metrics_host,
                                     port=config.metrics_port)
                       if config.metrics_port else None)
            settle_heap()
            wait_until_stopped(
                f"icpsim worker: database {config.database_url}, mail {config.smtp_url}, "
                f"every {config.poll_interval.total_seconds():g}s"
                f"{' and on wake-up' if waker else ''}"
                f"{f', metrics on :{config.metrics_port}' if metrics else ''} (Ctrl-C to stop)")
    except KeyboardInterrupt:
        pass  # stopped while starting
    finally:
        stop.set()  # running jobs finish the batch in hand, then return
        if waker is not None:
            waker.stop()
        if metrics is not None:
            metrics.shutdown()
        if scheduler.running:
            scheduler.shutdown(wait=True)
        system.close()
        print("icpsim worker stopped", flush=True)
    return 0


__all__ = ["JOBS", "draining", "guarded", "register_jobs", "run_worker", "settle_heap"]
