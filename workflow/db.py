"""The database: engine set-up (SQLite WAL + BEGIN IMMEDIATE, or PostgreSQL), UTC times."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, create_engine

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
            return None if value is None else _sqlite_text(value)

        return process

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | datetime | None) -> datetime | None:
            if value is None:
                return None
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:  # as we store them: UTC, without the zone
                    return value.replace(tzinfo=UTC)
            return as_utc(value)

        return process


def utc_field(**kw: Any) -> Any:
    """A model field holding an aware UTC datetime (``Field`` arguments pass through)."""
    return Field(sa_type=UTCDateTime, **kw)


@lru_cache(maxsize=256)
def _sqlite_text(value: datetime) -> str:
    # Cached: a transition binds the same instant several times (its update, history
    # row and outbox event). Equal datetimes are the same instant, hence the same text.
    return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def json_text(value: Any) -> str:
    """The text of a JSON column. orjson takes a tenth of json.dumps's time, and every
    transition writes two JSON columns (bench/bench_transitions.py)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class NestedTransaction(RuntimeError):
    """``raw_transaction`` opened inside another one of the same database and thread.

    On SQLite the inner one would wait forever for the writer the outer one holds; on
    PostgreSQL it would be a second, independent transaction that can wait forever on the
    outer one's row locks. Either way it is a bug in the caller: refused at once.
    """


class Database:
    """One engine and the way to open a transaction on it."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _make_engine(url, echo=echo)
        self._forms: dict[Prepared, Form] = {}  # statements compiled for this engine's dialect
        self._writer: Any = None  # SQLite: the hot-path writers' connection, kept out of the pool
        self._writer_tx: Any = None  # and its statement runner
        self._writer_lock = threading.Lock() if self.is_sqlite else None
        self._raw_open = threading.local()  # .open: a raw transaction runs in this thread
        # Set after each commit that wrote outbox events: this process's relay and
        # dispatch wait on it instead of sleeping until their next poll (notify/wakeup.py).
        self.outbox_committed = threading.Event()

    def create_all(self) -> None:
        """Create every table imported so far (tests, scenarios; servers use migrations)."""
        SQLModel.metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any exception."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def raw_transaction(self) -> RawScope:
        """A transaction on a DBAPI connection, for prepared statements on hot paths
        (workflow/fastsql.py): commit on success, roll back on any exception. Not
        reentrant: opening one inside another in the same thread raises NestedTransaction."""
        return RawScope(self)

    def dispose(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.engine.dispose()


class RawScope:
    """The context manager behind ``Database.raw_transaction`` (a class: it runs on every
    transition, where a generator-based one showed in the benchmark)."""

    __slots__ = ("db", "pooled", "driver", "tx")

    def __init__(self, db: Database):
        self.db = db

    def __enter__(self) -> RawTransaction:
        db = self.db
        if getattr(db._raw_open, "open", False):
            raise NestedTransaction(f"a raw transaction on {db.url.render_as_string()} is "
                                    "already open in this thread: do the inner work in it")
        db._raw_open.open = True
        try:
            return self._begin(db)
        except BaseException:
            db._raw_open.open = False
            raise

    def _begin(self, db: Database) -> RawTransaction:
        lock = db._writer_lock
        if lock is not None:
            # SQLite takes one writer at a time anyway (BEGIN IMMEDIATE): this process's
            # hot-path writers share one connection, kept out of the pool, and skip the
            # pool's checkout and return on every transition.
            lock.acquire()
            try:
                if db._writer is None:
                    db._writer = db.engine.raw_connection()
                    db._writer_tx = RawTransaction(db._writer.driver_connection.cursor(),
                                                   db.engine.dialect, db._forms)
            except BaseException:
                lock.release()
                raise
            self.pooled, tx = db._writer, db._writer_tx
        else:
            self.pooled = db.engine.raw_connection()
            tx = RawTransaction(self.pooled.driver_connection.cursor(), db.engine.dialect,
                                db._forms)
        self.driver = tx.cursor.connection
        self.tx = tx
        tx.wrote_outbox = False
        if db.is_sqlite:
            # pysqlite runs with isolation_level=None (see _make_engine): we begin, and
            # take the write lock up front as the Session path does. Its commit() and
            # rollback() then end that transaction; psycopg begins one implicitly.
            try:
                tx.cursor.execute("BEGIN IMMEDIATE")
            except BaseException as exc:
                self._end(exc)
        return tx

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        failure = exc
        try:
            if exc is None:
                self.driver.commit()
                if self.tx.wrote_outbox:
                    self.db.outbox_committed.set()
            else:
                self.driver.rollback()
        except BaseException as err:
            failure = err
        self._end(failure, raised_by_body=exc)

    def _end(self, failure: BaseException | None, *,
             raised_by_body: BaseException | None = None) -> None:
        """Give the connection back. A driver error becomes SQLAlchemy's (callers catch
        those, as on the Session path); one of our own is raised here, the body's own
        exception is left to propagate."""
        db = self.db
        dialect = db.engine.dialect
        try:
            if isinstance(failure, (DBAPIError, dialect.loaded_dbapi.Error)):
                orig: Any = failure.orig if isinstance(failure, DBAPIError) else failure
                if dialect.is_disconnect(orig, self.pooled, None):
                    self.pooled.invalidate(orig)  # a dead connection must not go back
                    if self.pooled is db._writer:
                        db._writer = None
                if not isinstance(failure, DBAPIError):
                    raise DBAPIError.instance(None, None, failure, dialect.loaded_dbapi.Error,
                                              dialect=dialect) from failure
            if failure is not None and failure is not raised_by_body:
                raise failure
        finally:
            db._raw_open.open = False
            if db._writer_lock is not None:
                db._writer_lock.release()
            else:
                self.pooled.close()


_JSON: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": orjson.loads}


def create_private_sqlite_file(url: str) -> None:
    """Create a SQLite database file (and its folder) readable by this user only, before
    SQLite opens it: created with mode 0600, never chmodded after; SQLite gives its WAL
    and shared-memory files the same mode. An existing file is left as it is."""
    parsed = make_url(url)
    database = parsed.database or ""
    if (parsed.get_backend_name() != "sqlite" or database in ("", ":memory:")
            or database.startswith("file:")):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


# A pooled connection idle this long is pinged before use (a server restart or an idle
# timeout may have closed it meanwhile); one used more recently is not. SQLAlchemy's
# pool_pre_ping would ping on every checkout: a round trip before every transaction,
# which the worker's hot path (a wake-up, one outcome per email) pays several times.
PING_AFTER_IDLE = 1.0


def _ping_after_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool drops this connection and takes another
            raise DisconnectionError(f"stale pooled connection: {exc}") from exc
        if not alive:
            raise DisconnectionError("stale pooled connection")


def _make_engine(url: str, *, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, echo=echo, **_JSON)
        _ping_after_idle(engine)
        return engine
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    # Every user of a connection ends its own transaction (Session, Connection and
    # raw_transaction all commit or roll back), and pysqlite runs in autocommit mode
    # here, so the pool's reset-on-return rollback would be a no-op that costs ~10 us
    # on every checkout of the hot path.
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30},
                              "pool_reset_on_return": None, **_JSON}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        create_private_sqlite_file(url)
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
        # at once with "database is locked" instead of waiting
        # (docs/design.md#sqlite-and-sqlalchemy).
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
