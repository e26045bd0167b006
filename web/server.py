"""`icpsim serve`: database, demo sign-in, embedded mail sink, scheduler and the console."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from notify.stopping import sigterm_as_interrupt
from workflow.config import Config

from .bootstrap import DEMO_ACCOUNT, ensure_demo, prepare_database


def serve(config: Config, *, host: str = "127.0.0.1", port: int = 5000,
          threads: int | None = None, jobs: bool = True) -> int:
    """Run until Ctrl-C or SIGTERM; everything started here is stopped on the way out.

    ``jobs=False`` leaves the scheduler jobs to `icpsim worker` processes.
    """
    from notify.logs import configure_logging
    from notify.mailsink import MailSink
    from notify.metrics import measure_latency
    from notify.system import build_system
    from notify.wakeup import scheduled_jobs, start_waker

    from .app import create_app
    from .http_server import DEFAULT_THREADS, make_wsgi_server
    from .ops import ops_app, with_ops

    configure_logging(config)
    prepare_database(config)
    if not os.environ.get("ICPSIM_BASE_URL"):
        config = config.with_(base_url=f"http://{_display_host(host)}:{port}")
    sink = None
    maildir: Path | None = None
    system = scheduler = waker = None
    try:
        if not os.environ.get("ICPSIM_SMTP_URL"):
            maildir = Path(config.instance_path) / "mail"
            sink = MailSink(port=config.mail_sink_port, maildir=maildir).start()
            config = config.with_(smtp_url=sink.url)
        system = build_system(config)
        creds = ensure_demo(system)
        waker = start_waker(system) if jobs else None
        scheduler = start_scheduler(system, jobs=scheduled_jobs(waker)) if jobs else None
        measure_latency()
        app = create_app(system=system)
        app.config["ICPSIM_MAILDIR"] = maildir  # Mailbox only with the embedded sink
        server = make_wsgi_server(with_ops(app, ops_app(system)), host=host, port=port,
                                  threads=threads or DEFAULT_THREADS)
        try:
            with sigterm_as_interrupt():  # before announcing: a stop may follow at once
                _announce(config, creds, host=host, port=port,
                          sink_url=sink.url if sink else None)
                server.run()  # until Ctrl-C / SIGTERM (KeyboardInterrupt)
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            print("icpsim console stopped", flush=True)
    finally:
        if waker is not None:
            waker.stop()
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        if system is not None:
            system.close()
        if sink is not None:
            sink.stop()
    return 0


def start_scheduler(system: Any, *, jobs: tuple[str, ...] | None = None) -> Any:
    """A BackgroundScheduler running the same job functions as `icpsim worker`."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from notify import worker

    scheduler = BackgroundScheduler(timezone="UTC")
    worker.register_jobs(scheduler, system, jobs=jobs or worker.JOBS)
    scheduler.start()
    return scheduler


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


def _announce(config: Config, creds: Any, *, host: str, port: int,
              sink_url: str | None) -> None:
    url = f"http://{_display_host(host)}:{port}"
    print(f"icpsim console on {url}  (Ctrl-C to stop)", flush=True)
    print(f"database: {config.database_url}")
    if sink_url:
        print(f"mail: embedded mail sink on {sink_url}; read it in the console's Mailbox")
    else:
        print(f"mail: sent to {config.smtp_url}")
    if creds.demo_password or creds.reviewer_password:
        print("Sign in with (shown once; also kept in "
              f"{creds.file}):")
        if creds.demo_password:
            print(f"  account owner  ID: {DEMO_ACCOUNT}      password: {creds.demo_password}")
        if creds.reviewer_password:
            print(f"  reviewer       ID: reviewer  password: {creds.reviewer_password}")
    else:
        print(f"Sign in as '{DEMO_ACCOUNT}' (account owner) or 'reviewer' with the passwords "
              f"in {creds.file}")
