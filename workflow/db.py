"""The database: engine set-up (SQLite WAL + BEGIN IMMEDIATE, or PostgreSQL), UTC times."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from .clock import as_utc
from .fastsql import Form, Prepared, RawTransaction

# For tables whose rows get deleted (contacts, links, inbox messages): their ids name
# rows in delivery dedup keys and logs that outlive them, so SQLite must not hand a
# deleted row's id to a new one (PostgreSQL sequences never do). Tables that are only
# appended to don't need it, and skip its cost (a sqlite_sequence write per insert).
NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python whatever the backend (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    # On SQLite the stored form is SQLAlchemy's own text, "YYYY-MM-DD HH:MM:SS.ffffff";
    # its generic processors format and parse it in Python (a regex per value), which
    # showed at the top of the transition profile. isoformat/fromisoformat write and read
    # exactly that text in C.
    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | datetime | None) -> datetime | None:
            if value is None:
                return None
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            return as_utc(value)

        return process


class Database:
    """One engine and the way to open a transaction on it."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = make_url(url)
        self.engine = _make_engine(url, echo=echo)
        self._forms: dict[Prepared, Form] = {}  # statements compiled for this engine's dialect
        self._writer: Any = None
        self._writer_cursor: Any = None
        self._writer_lock = threading.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def create_all(self) -> None:
        """Create every table imported so far (tests, scenarios; servers use migrations)."""
        SQLModel.metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any exception."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def raw_transaction(self) -> Iterator[RawTransaction]:
        """A transaction on a DBAPI connection, for prepared statements on hot paths
        (workflow/fastsql.py): commit on success, roll back on any exception."""
        if self._writer_lock is not None:
            # SQLite takes one writer at a time anyway (BEGIN IMMEDIATE): this process's
            # hot-path writers share one connection, kept out of the pool, and skip the
            # pool's checkout and return on every transition.
            with self._writer_lock:
                if self._writer is None:
                    self._writer = self.engine.raw_connection()
                    self._writer_cursor = self._writer.driver_connection.cursor()
                yield from self._transact(self._writer, self._writer_cursor)
            return
        pooled = self.engine.raw_connection()
        driver: Any = pooled.driver_connection
        try:
            yield from self._transact(pooled, driver.cursor())
        finally:
            pooled.close()

    def _transact(self, pooled: Any, cursor: Any) -> Iterator[RawTransaction]:
        dialect = self.engine.dialect
        driver: Any = pooled.driver_connection
        try:
            if self.is_sqlite:
                # pysqlite runs with isolation_level=None (see _make_engine): we begin, and
                # take the write lock up front as the Session path does. Its commit() and
                # rollback() then end that transaction; psycopg begins one implicitly.
                cursor.execute("BEGIN IMMEDIATE")
            try:
                yield RawTransaction(cursor, dialect, self._forms)
            except BaseException:
                driver.rollback()
                raise
            driver.commit()
        except (DBAPIError, dialect.loaded_dbapi.Error) as exc:
            orig: Any = exc.orig if isinstance(exc, DBAPIError) else exc
            if dialect.is_disconnect(orig, pooled, None):
                pooled.invalidate(orig)  # a dead connection must not go back to the pool
                if pooled is self._writer:
                    self._writer = None
            if isinstance(exc, DBAPIError):
                raise
            raise DBAPIError.instance(None, None, exc, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from exc

    def dispose(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.engine.dispose()


def _make_engine(url: str, *, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    # Every user of a connection ends its own transaction (Session, Connection and
    # raw_transaction all commit or roll back), and pysqlite runs in autocommit mode
    # here, so the pool's reset-on-return rollback would be a no-op that costs ~10 us
    # on every checkout of the hot path.
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30},
                              "pool_reset_on_return": None}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN, so it can be BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Take the write lock up front: a deferred transaction that later writes fails
        # at once with "database is locked" instead of waiting (PITFALLS.md).
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
