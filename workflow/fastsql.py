"""Prepared Core statements executed on the raw DBAPI connection of a pooled connection."""

# SQLAlchemy's execution machinery costs several times what SQLite spends on a small
# statement (bench/bench_transitions.py). A statement here is compiled once per dialect by
# SQLAlchemy itself, and its values go through the types' own bind and result processors,
# so rows read and written this way are exactly those the ORM reads and writes.

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Form:
    """One statement compiled for one dialect."""

    sql: str
    positional: bool
    names: tuple[str, ...]  # the binds' names in the parameters, in order
    driver_names: tuple[str, ...]  # and as the driver knows them (named paramstyles)
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)
    defaults: dict[str, Any]  # values fixed in the statement itself (literals, constants)
    keys: tuple[str, ...]  # SELECT only: the columns' keys, in order
    results: tuple[tuple[str, Callable[[Any], Any]], ...]  # SELECT only: (key, processor)


class Prepared:
    """A Core statement to run on raw connections; ``keys`` are the columns an INSERT or
    UPDATE sets (named by column key in the parameters)."""

    def __init__(self, statement: Executable, *, keys: Iterable[str] = ()):
        self.statement = statement
        self.keys = tuple(keys)

    def compile(self, dialect: Dialect) -> Form:
        """The SQL and value processing for ``dialect`` (cached by the caller, per engine)."""
        assert isinstance(self.statement, ClauseElement)
        compiled: Any = self.statement.compile(dialect=dialect,
                                               column_keys=list(self.keys) or None)
        if compiled.insert_prefetch or compiled.update_prefetch:
            # Python-side column defaults are computed by SQLAlchemy's execution context,
            # which this path skips: the caller must give those columns.
            missing = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
            raise ValueError(f"give the defaulted columns {missing} in keys")
        names = compiled.positiontup if compiled.positional else list(compiled.binds)
        escaped = compiled.escaped_bind_names or {}
        processors, defaults = [], {}
        for position, name in enumerate(names):
            bind = compiled.binds[name]
            proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                processors.append((position, proc))
            if not bind.required:
                defaults[name] = bind.effective_value
        keys: tuple[str, ...] = ()
        results = []
        if self.statement.is_select:
            selected = self.statement.selected_columns  # type: ignore[attr-defined]
            keys = tuple(c.key for c in selected)
            for column in selected:
                proc = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if proc is not None:
                    results.append((column.key, proc))
        return Form(compiled.string, compiled.positional, tuple(names),
                    tuple(escaped.get(name, name) for name in names), tuple(processors),
                    defaults, keys, tuple(results))


class RawTransaction:
    """Runs prepared statements on one DBAPI cursor, inside a transaction someone else ends.

    ``forms`` caches compiled statements for ``dialect``: the engine owns it, so forms
    live as long as the engine and never mix dialects.
    """

    def __init__(self, cursor: Any, dialect: Dialect, forms: dict[Prepared, Form]):
        self.cursor = cursor
        self.dialect = dialect
        self.forms = forms
        self.wrote_outbox = False  # set by the transition: wake relay/dispatch at commit

    def form(self, prepared: Prepared) -> Form:
        found = self.forms.get(prepared)
        if found is None:
            found = self.forms[prepared] = prepared.compile(self.dialect)
        return found

    def execute(self, prepared: Prepared, params: Mapping[str, Any]) -> int:
        """Run ``prepared`` with ``params``; the number of rows it matched."""
        self._run(self.forms.get(prepared) or self.form(prepared), params)
        return int(self.cursor.rowcount)

    def execute_many(self, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run ``prepared`` once per row of parameters in one driver call (executemany);
        the number of rows matched in all. Bulk paths only: one statement, many rows."""
        if not rows:
            return 0
        form = self.forms.get(prepared) or self.form(prepared)
        names, processors, defaults = form.names, form.processors, form.defaults
        batch = []
        for params in rows:
            values = {**defaults, **params} if defaults else params
            args = list(map(values.__getitem__, names))
            for position, proc in processors:
                args[position] = proc(args[position])
            batch.append(args if form.positional
                         else dict(zip(form.driver_names, args, strict=True)))
        try:
            self.cursor.executemany(form.sql, batch)
        except self.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(form.sql, rows[0], exc, self.dialect.loaded_dbapi.Error,
                                      dialect=self.dialect) from exc
        return int(self.cursor.rowcount)

    def fetch_one(self, prepared: Prepared, params: Mapping[str, Any]) -> Row | None:
        form = self.forms.get(prepared) or self.form(prepared)
        self._run(form, params)
        found = self.cursor.fetchone()
        return None if found is None else _row(form, found)

    def fetch_all(self, prepared: Prepared, params: Mapping[str, Any]) -> list[Row]:
        form = self.form(prepared)
        self._run(form, params)
        return [_row(form, found) for found in self.cursor.fetchall()]

    def _run(self, form: Form, params: Mapping[str, Any]) -> None:
        values = {**form.defaults, **params} if form.defaults else params
        args = list(map(values.__getitem__, form.names))
        for position, proc in form.processors:
            args[position] = proc(args[position])
        try:
            if form.positional:
                self.cursor.execute(form.sql, args)
            else:
                self.cursor.execute(form.sql, dict(zip(form.driver_names, args, strict=True)))
        except self.dialect.loaded_dbapi.Error as exc:
            # Callers catch SQLAlchemy's exception classes (IntegrityError, ...), as on
            # the Session path.
            raise DBAPIError.instance(form.sql, params, exc, self.dialect.loaded_dbapi.Error,
                                      dialect=self.dialect) from exc


def _row(form: Form, values: Sequence[Any]) -> Row:
    row = dict(zip(form.keys, values, strict=True))
    for key, proc in form.results:
        row[key] = proc(row[key])
    return row
