"""Instance secrets: read from the environment, else generated once into a 0600 file."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Secret:
    value: str
    created: bool  # True only for the process that generated it: print it once, then never


def instance_secret(instance_path: Path | str, name: str, *, env_var: str,
                    environ: Mapping[str, str] | None = None, nbytes: int = 32) -> Secret:
    """The secret ``name``: ``env_var`` when set, else the file ``instance_path/name``.

    A missing file is generated with ``secrets.token_urlsafe`` and created with mode
    0600 in the same call (``O_CREAT | O_EXCL``), never written first and chmodded after;
    when two processes start at once, one creates it and the other reads it.
    """
    env = os.environ if environ is None else environ
    if env.get(env_var):
        return Secret(env[env_var], created=False)
    path = Path(instance_path) / name
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Secret(_read(path), created=False)
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return Secret(value, created=True)


def _read(path: Path) -> str:
    """The stored value; waits briefly for a creator that has opened but not yet written."""
    for _ in range(50):
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it to generate a new secret")


__all__ = ["Secret", "instance_secret"]
