"""`icpsim access-key create|list|delete`: access keys of the Alibaba-compatible API."""

from __future__ import annotations

from workflow.clock import SystemClock
from workflow.config import Config
from workflow.db import Database

from .migrate import upgrade
from .rpc.keys import AccessKeyStore


def access_key_command(config: Config, action: str, subject: str) -> int:
    """``create ACCOUNT`` prints exactly two lines; ``list ACCOUNT``; ``delete KEY_ID``."""
    upgrade(config)
    db = Database(config.database_url)
    try:
        store = AccessKeyStore.for_instance(db, SystemClock(), config.instance_path)
        if action == "create":
            key = store.create(subject)
            print(f"AccessKeyId: {key.id}")
            print(f"AccessKeySecret: {key.secret}")
        elif action == "list":
            for row in store.list(subject):
                print(f"{row.id}  created {row.created_at:%Y-%m-%d %H:%M:%S} UTC")
        else:
            store.delete(subject)
            print(f"access key {subject} deleted")
    finally:
        db.dispose()
    return 0


__all__ = ["access_key_command"]
