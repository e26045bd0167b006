"""Benchmark: filing transitions per second (state + history + outbox + timers) vs raw SQLite.

Both run in this process on SQLite files in a temporary folder with the same PRAGMAs
(WAL, synchronous=NORMAL); the figure that matters is their ratio (target >= 0.10).
Run: .venv/bin/python bench/bench_transitions.py [--filings N]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.accounts import AccountService  # noqa: E402
from workflow.clock import SimulatedClock  # noqa: E402
from workflow.config import Config  # noqa: E402
from workflow.db import Database  # noqa: E402
from workflow.filings import FilingService  # noqa: E402

TARGET = 0.10
CYCLE = ("submit", "start_review")


def raw_commits_per_second(path: Path, n: int) -> float:
    """Single-row INSERT + COMMIT with the stdlib driver: the floor of any write."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, state TEXT, at TEXT)")
    start = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (state, at) VALUES (?, ?)", (f"s{i}", "2026-03-02"))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


def raw_transition_shaped_per_second(path: Path, n: int) -> float:
    """The same four statements a transition runs, hand-written on the stdlib driver:
    what bypassing SQLAlchemy altogether could reach (context for the ratio)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE f (pk INTEGER PRIMARY KEY, acc TEXT, fid TEXT, state TEXT, "
                 "version INT, UNIQUE (acc, fid))")
    conn.execute("CREATE TABLE h (id INTEGER PRIMARY KEY, fpk INT, at TEXT, data TEXT)")
    conn.execute("CREATE TABLE o (id INTEGER PRIMARY KEY, fpk INT, at TEXT, facts TEXT)")
    conn.executemany("INSERT INTO f (acc, fid, state, version) VALUES ('b', ?, 'draft', 1)",
                     [(f"F{i}",) for i in range(n)])
    start = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        pk, version = conn.execute("SELECT pk, version FROM f WHERE acc='b' AND fid=?",
                                   (f"F{i}",)).fetchone()
        conn.execute("UPDATE f SET state='submitted', version=? WHERE pk=? AND version=?",
                     (version + 1, pk, version))
        conn.execute("INSERT INTO h (fpk, at, data) VALUES (?, '2026-03-02', '{}')", (pk,))
        conn.execute("INSERT INTO o (fpk, at, facts) VALUES (?, '2026-03-02', '{}')", (pk,))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


def transitions_per_second(path: Path, filings: int) -> float:
    clock = SimulatedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    db = Database(f"sqlite:///{path}")
    db.create_all()
    AccountService(db, clock).create("bench", owner_name="Bench", owner_email="o@bench.example")
    service = FilingService(db, clock, Config(secret_key="bench"))
    for n in range(filings):
        service.create("bench", f"F{n}", type="first_filing", domain="bench.cn",
                       website="Bench", actor="bench")
    start = time.perf_counter()
    for trigger in CYCLE:
        for n in range(filings):
            service.fire("bench", f"F{n}", trigger, actor="bench")
    elapsed = time.perf_counter() - start
    db.dispose()
    return filings * len(CYCLE) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds; the best of each figure is kept (noise only "
                             "ever slows a run down)")
    args = parser.parse_args(argv)
    import workflow.models  # noqa: F401  (registers the tables)

    raw = shaped = ours = 0.0
    n = args.filings
    for i in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            raw = max(raw, raw_commits_per_second(Path(tmp) / f"raw{i}.db", n * len(CYCLE)))
            shaped = max(shaped, raw_transition_shaped_per_second(Path(tmp) / f"s{i}.db", n))
            ours = max(ours, transitions_per_second(Path(tmp) / f"icpsim{i}.db", n))
    ratio = ours / raw
    print(f"best of {args.rounds} rounds, {n * len(CYCLE)} transitions each")
    print(f"raw sqlite3 single-row commits/s          : {raw:9.0f}")
    print(f"raw sqlite3 transition-shaped commits/s   : {shaped:9.0f}  (4 statements, no ORM)")
    print(f"icpsim transitions/s (state+history+outbox): {ours:8.0f}")
    print(f"ratio transitions / single-row commits    : {ratio:9.3f}  (target >= {TARGET:.2f}) "
          f"{'OK' if ratio >= TARGET else 'BELOW TARGET'}")
    print(f"ratio transitions / transition-shaped     : {ours / shaped:9.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
