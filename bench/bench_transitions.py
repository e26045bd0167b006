"""Benchmark: filing transitions per second (state + history + outbox + timers) vs raw SQLite.

Every filing goes submit, start_review, pass_review, verify_sms: each transition writes
the filing, a history row and an outbox event; pass_review also creates the SMS timeout
timer and verify_sms cancels it. All loops run in this process on SQLite files in a
temporary folder with the same PRAGMAs (WAL, synchronous=NORMAL). They take turns, CHUNK
operations at a time, so a slow spell of a shared machine slows them all alike; the
figure that matters is the ratio of transitions to raw single-row commits (floor 0.10:
the script exits 1 below it). Transitions run on the system clock, as in production.
Run: .venv/bin/python bench/bench_transitions.py [--filings N] [--rounds R]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.accounts import AccountService  # noqa: E402
from workflow.clock import SystemClock  # noqa: E402
from workflow.config import Config  # noqa: E402
from workflow.db import Database  # noqa: E402
from workflow.filings import FilingService  # noqa: E402

TARGET = 0.10
CYCLE = ("submit", "start_review", "pass_review", "verify_sms")
CHUNK = 100  # operations per turn: the measured loops take turns, so noise hits all alike


class RawCommits:
    """Single-row INSERT + COMMIT with the stdlib driver: the floor of any write."""

    def __init__(self, path: Path, n: int):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, state TEXT, at TEXT)")

    def run(self, start: int, stop: int) -> None:
        for i in range(start, stop):
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("INSERT INTO t (state, at) VALUES (?, ?)", (f"s{i}", "2026-03-02"))
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class ShapedCommits:
    """The statements a transition runs, hand-written on the stdlib driver on tables of
    the same shape, without indexes beyond the keys: context for the ratio."""

    def __init__(self, path: Path, n: int):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE f (pk INTEGER PRIMARY KEY, acc TEXT, fid TEXT, "
                          "state TEXT, version INT, UNIQUE (acc, fid))")
        self.conn.execute("CREATE TABLE h (id INTEGER PRIMARY KEY, fpk INT, at TEXT, data TEXT)")
        self.conn.execute("CREATE TABLE o (id INTEGER PRIMARY KEY, fpk INT, at TEXT, facts TEXT)")
        self.conn.executemany("INSERT INTO f (acc, fid, state, version) VALUES ('b', ?, 's', 1)",
                              [(f"F{i}",) for i in range(n)])
        self.n = n

    def run(self, start: int, stop: int) -> None:
        conn = self.conn
        for i in range(start, stop):
            conn.execute("BEGIN IMMEDIATE")
            pk, version = conn.execute("SELECT pk, version FROM f WHERE acc='b' AND fid=?",
                                       (f"F{i % self.n}",)).fetchone()
            conn.execute("UPDATE f SET state='t', version=? WHERE pk=? AND version=?",
                         (version + 1, pk, version))
            conn.execute("INSERT INTO h (fpk, at, data) VALUES (?, '2026-03-02', '{}')", (pk,))
            conn.execute("INSERT INTO o (fpk, at, facts) VALUES (?, '2026-03-02', '{}')", (pk,))
            conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class Transitions:
    """``FilingService.fire`` on filings of one account, on the system clock."""

    def __init__(self, path: Path, n: int):
        self.db = Database(f"sqlite:///{path}")
        self.db.create_all()
        clock = SystemClock()
        AccountService(self.db, clock).create("bench", owner_name="Bench",
                                              owner_email="o@bench.example")
        self.service = FilingService(self.db, clock, Config(secret_key="bench"))
        self.n = n
        for i in range(n):
            self.service.create("bench", f"F{i}", type="first_filing", domain="bench.cn",
                                website="Bench", actor="bench")

    def run(self, start: int, stop: int) -> None:
        for i in range(start, stop):  # every filing submitted, then every one reviewed, ...
            self.service.fire("bench", f"F{i % self.n}", CYCLE[i // self.n], actor="bench")

    def close(self) -> None:
        self.db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="fresh databases each round")
    args = parser.parse_args(argv)
    import workflow.models  # noqa: F401  (registers the tables)

    n = args.filings
    total = n * len(CYCLE)
    kinds = {"raw": RawCommits, "shaped": ShapedCommits, "ours": Transitions}
    seconds = dict.fromkeys(kinds, 0.0)
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            loops = {name: kind(Path(tmp) / f"{name}.db", n) for name, kind in kinds.items()}
            for start in range(0, total, CHUNK):
                stop = min(start + CHUNK, total)
                for name, loop in loops.items():
                    began = time.perf_counter()
                    loop.run(start, stop)
                    seconds[name] += time.perf_counter() - began
            for loop in loops.values():
                loop.close()
    rate = {name: args.rounds * total / spent for name, spent in seconds.items()}
    ratio = rate["ours"] / rate["raw"]
    print(f"{args.rounds} rounds of {total} transitions, the loops taking turns "
          f"{CHUNK} at a time")
    print(f"raw sqlite3 single-row commits/s          : {rate['raw']:9.0f}")
    print(f"raw sqlite3 transition-shaped commits/s   : {rate['shaped']:9.0f}  "
          "(4 statements, no ORM)")
    print(f"icpsim transitions/s (state+history+outbox, timers in half): {rate['ours']:8.0f}")
    print(f"ratio transitions / single-row commits    : {ratio:9.3f}  (floor {TARGET:.2f}) "
          f"{'OK' if ratio >= TARGET else 'BELOW TARGET'}")
    print(f"ratio transitions / transition-shaped     : {rate['ours'] / rate['shaped']:9.3f}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
