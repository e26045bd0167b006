"""Process logging for `icpsim serve` and `icpsim worker`: text, or one JSON object a line."""

from __future__ import annotations

import logging

from workflow.config import Config

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(config: Config, *, level: int = logging.INFO) -> None:
    """Log to stderr as ``config.log_format`` says (``ICPSIM_LOG_FORMAT``: text | json)."""
    handler = logging.StreamHandler()
    if config.log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs every run of every job, transitions every callback, at INFO:
    # only our own summaries matter.
    for noisy in ("apscheduler", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


__all__ = ["configure_logging"]
