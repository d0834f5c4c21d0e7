"""The state in PostgreSQL: `postgresql://[user[:password]@]host[:port]/db[?name=N&schema=S]`.

Four tables in the schema (default `publisher`), made on first use: `publisher_states` (one
row per state name, its document and serial), `publisher_journal` (an apply's events, one
committed row each), `publisher_locks` (who holds a state's lock) and `publisher_documents`
(review proposals, approvals and the break-glass log, one row each). Every write is a
compare-and-swap on the serial and lineage columns.
The lock is a session advisory lock, which the server frees when the holder's connection
dies; the holder keeps its session busy (a heartbeat), and `idle_session_timeout` and TCP
keepalives free the lock of a runner that froze or vanished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from ..errors import InvalidInput, StateError
from ..model import State
from . import lock
from .backend import Stale

HEARTBEAT_SECONDS = 15.0
IDLE_SESSION_TIMEOUT = "60s"  # a holder silent for this long (frozen) loses its lock
SILENT_SECONDS = 45.0  # past most of IDLE_SESSION_TIMEOUT without an answer, a holder writes nothing
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# libpq's own keepalives: a holder whose machine vanished is noticed within about a minute.
_KEEPALIVES = "keepalives=1 keepalives_idle=30 keepalives_interval=10 keepalives_count=3"


class PostgresBackend:
    shared = True

    def __init__(self, conninfo: str, state_name: str, schema: str, shown: str) -> None:
        self.conninfo = conninfo
        self.state_name = state_name
        self.schema = schema
        self.name = f"{shown} (state {state_name!r})"
        self._connection: psycopg.Connection[Any] | None = None
        self._ready = False
        self._alive: list[float] = []  # while this store holds the lock: when its session last answered
        self._lock_id: str | None = None  # while this store holds the lock: its id, which fences every write

    @classmethod
    def from_url(cls, url: str) -> PostgresBackend:
        from .locations import shown

        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        ours = {k: v for k, v in query if k in ("name", "schema")}
        state_name, schema = ours.get("name", "default"), ours.get("schema", "publisher")
        if not state_name:
            raise InvalidInput(f"{shown(url)}: name= must not be empty")
        if not _IDENTIFIER.fullmatch(schema):
            raise InvalidInput(f"{shown(url)}: schema={schema!r} must be a plain SQL name (letters, digits, _)")
        rest = urlencode([(k, v) for k, v in query if k not in ours])
        # One name for one state however the URL spells it (postgres:// or postgresql://,
        # the options' order): `state migrate` compares names.
        canonical = urlunsplit(parts._replace(scheme="postgresql", netloc=parts.netloc.lower(), query=""))
        return cls(urlunsplit(parts._replace(query=rest)), state_name, schema, f"{shown(canonical)} (schema {schema})")

    # Connections --------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conninfo = psycopg.conninfo.make_conninfo(self.conninfo, connect_timeout=10) + " " + _KEEPALIVES
            return psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as error:
            reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
            raise StateError(f"cannot reach the PostgreSQL state at {self.name}: {reason}") from None

    def _db(self) -> psycopg.Connection[Any]:
        """The connection for reads, writes and the journal (psycopg serialises its users)."""
        if self._connection is None or self._connection.closed:
            self._connection = self._connect()
            self._ready = False
        if not self._ready:
            self._create_tables(self._connection)
            self._ready = True
        return self._connection

    def _table(self, name: str) -> sql.Composed:
        """`states`, `journal` or `locks`: publisher_NAME in the store's schema."""
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(f"publisher_{name}"))

    def _create_tables(self, connection: psycopg.Connection[Any]) -> None:
        statements = [
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)),
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, lineage text NOT NULL, serial bigint NOT NULL,"
                " document text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"
            ).format(self._table("states")),
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (name text NOT NULL, seq bigserial, event text NOT NULL, PRIMARY KEY (name, seq))"
            ).format(self._table("journal")),
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, lock_id text NOT NULL, info text NOT NULL)").format(
                self._table("locks")
            ),
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (name text NOT NULL, kind text NOT NULL, key text NOT NULL,"
                " document text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (name, kind, key))"
            ).format(self._table("documents")),
        ]
        try:
            with connection.transaction():
                # Two runners creating the tables at once would collide in the catalog: one at a time.
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_key("tables", self.schema),))
                for statement in statements:
                    connection.execute(statement)
        except psycopg.Error as error:
            raise StateError(f"{self.name}: cannot create publisher's tables: {_reason(error)}") from None

    def _query(self, query: sql.Composed | sql.SQL, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._db().execute(query, params).fetchall()
        except psycopg.Error as error:
            raise StateError(f"{self.name}: {_reason(error)}") from None

    # The state and its journal -------------------------------------------------------------

    def get(self) -> tuple[bytes | None, Any]:
        query = sql.SQL("SELECT document, serial, lineage FROM {} WHERE name = %s").format(self._table("states"))
        rows = self._query(query, (self.state_name,))
        if not rows:
            return None, None
        document, serial, lineage = rows[0]
        try:
            header = json.loads(document)
            written = (header.get("serial"), header.get("lineage"))
        except (ValueError, AttributeError):
            written = (serial, lineage)  # not a state: the store says what is wrong with it
        if written != (serial, lineage):
            # Writes compare the columns: a row edited by hand would refuse every write.
            raise StateError(
                f"{self.name}: the row's serial and lineage columns ({serial}, {lineage}) disagree with its document "
                f"({written[0]}, {written[1]}); the row was edited by hand. Set the columns to the document's values"
            )
        return document.encode(), (serial, lineage)

    def put(self, content: bytes, written: State, version: Any) -> None:
        states = self._table("states")
        connection = self._db()
        try:
            with connection.transaction():
                if self._lock_id is not None:  # the lock's row stays this run's until the commit
                    held = sql.SQL("SELECT 1 FROM {} WHERE name = %s AND lock_id = %s FOR SHARE").format(self._table("locks"))
                    if not connection.execute(held, (self.state_name, self._lock_id)).fetchall():
                        raise _Lost()
                if version is None:
                    query = sql.SQL(
                        "INSERT INTO {} (name, lineage, serial, document) VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO NOTHING"
                    ).format(states)
                    cursor = connection.execute(query, (self.state_name, written.lineage, written.serial, content.decode()))
                else:
                    query = sql.SQL(
                        "UPDATE {} SET serial = %s, lineage = %s, document = %s, updated_at = now()"
                        " WHERE name = %s AND serial = %s AND lineage = %s"
                    ).format(states)
                    values = (written.serial, written.lineage, content.decode(), self.state_name, *version)
                    cursor = connection.execute(query, values)
                if cursor.rowcount != 1:
                    raise Stale()
        except _Lost:
            raise StateError(f"{self.name}: {lock.LOCK_LOST}") from None
        except psycopg.Error as error:
            raise StateError(f"{self.name}: cannot write the state: {_reason(error)}") from None

    def append(self, number: int, event: str) -> None:
        if self._lock_id is None:
            query = sql.SQL("INSERT INTO {} (name, event) VALUES (%s, %s)").format(self._table("journal"))
            self._query_none(query, (self.state_name, event))
            return
        # Written only while the lock's row is still this run's: `unlock --force` deletes it
        # (and waits for this statement), so a run that lost its lock adds nothing.
        query = sql.SQL(
            "INSERT INTO {} (name, event) SELECT %s, %s"
            " WHERE EXISTS (SELECT 1 FROM {} WHERE name = %s AND lock_id = %s FOR SHARE)"
        ).format(self._table("journal"), self._table("locks"))
        try:
            cursor = self._db().execute(query, (self.state_name, event, self.state_name, self._lock_id))
        except psycopg.Error as error:
            raise StateError(f"{self.name}: {_reason(error)}") from None
        if cursor.rowcount != 1:
            raise StateError(f"{self.name}: {lock.LOCK_LOST}")

    def events(self) -> list[str]:
        query = sql.SQL("SELECT event FROM {} WHERE name = %s ORDER BY seq").format(self._table("journal"))
        return [event for (event,) in self._query(query, (self.state_name,))]

    def drop_events(self) -> None:
        self._query_none(sql.SQL("DELETE FROM {} WHERE name = %s").format(self._table("journal")), (self.state_name,))

    def fence(self) -> None:
        """While this run holds the lock: its session answered lately. The server ends a
        session silent for idle_session_timeout: past most of that, the lock may be someone
        else's. (Each write also checks the lock's row, in its own statement.)"""
        if self._lock_id is not None and (not self._alive or time.monotonic() - self._alive[0] >= SILENT_SECONDS):
            raise StateError(f"{self.name}: {lock.LOCK_LOST}")

    def _query_none(self, query: sql.Composed | sql.SQL, params: tuple[Any, ...]) -> None:
        try:
            self._db().execute(query, params)  # autocommit: durable when it returns
        except psycopg.Error as error:
            raise StateError(f"{self.name}: {_reason(error)}") from None

    # Documents beside the state ------------------------------------------------------------

    def get_document(self, kind: str, name: str) -> bytes | None:
        query = sql.SQL("SELECT document FROM {} WHERE name = %s AND kind = %s AND key = %s").format(self._table("documents"))
        rows = self._query(query, (self.state_name, kind, name))
        return rows[0][0].encode() if rows else None

    def put_document(self, kind: str, name: str, content: bytes) -> None:
        query = sql.SQL(
            "INSERT INTO {} (name, kind, key, document) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (name, kind, key) DO UPDATE SET document = excluded.document, updated_at = now()"
        ).format(self._table("documents"))
        self._query_none(query, (self.state_name, kind, name, content.decode()))

    def delete_document(self, kind: str, name: str) -> None:
        query = sql.SQL("DELETE FROM {} WHERE name = %s AND kind = %s AND key = %s").format(self._table("documents"))
        self._query_none(query, (self.state_name, kind, name))

    def document_names(self, kind: str) -> list[str]:
        query = sql.SQL("SELECT key FROM {} WHERE name = %s AND kind = %s ORDER BY key").format(self._table("documents"))
        return sorted(key for (key,) in self._query(query, (self.state_name, kind)))

    # The lock ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, command: str, *, timeout: float = 0.0, notify: lock.Notify = lock.ignore) -> Iterator[str]:
        self._db()  # the tables exist before anyone looks for a holder
        key = _key("state", self.schema, self.state_name)
        info = lock.holder_info(_new_id(), command)
        holder = self._connect()
        guard = threading.Lock()  # the heartbeat and this thread share the holder's connection
        try:
            with contextlib.suppress(psycopg.Error):  # before PostgreSQL 14 there is no such setting
                holder.execute(sql.SQL("SET idle_session_timeout = {}").format(sql.Literal(IDLE_SESSION_TIMEOUT)))
            locks = self._table("locks")

            def take() -> dict[str, Any] | None:
                if holder.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone() == (True,):
                    upsert = sql.SQL(
                        "INSERT INTO {} (name, lock_id, info) VALUES (%s, %s, %s) "
                        "ON CONFLICT (name) DO UPDATE SET lock_id = excluded.lock_id, info = excluded.info"
                    ).format(locks)
                    holder.execute(upsert, (self.state_name, info["id"], json.dumps(info)))
                    return None
                return self._holder()[1]

            try:
                lock.wait_for(take, self.name, timeout, notify)
            except psycopg.Error as error:
                raise StateError(f"{self.name}: cannot take the lock: {_reason(error)}") from None
            stop = threading.Event()
            self._alive = [time.monotonic()]  # when the holder's session last answered
            beat = threading.Thread(
                target=_heartbeat, args=(holder, guard, stop, self._alive), name="publisher-lock-heartbeat", daemon=True
            )
            beat.start()
            self._lock_id = info["id"]
            try:
                yield info["id"]
            finally:
                self._lock_id = None
                self._alive = []
                stop.set()
                beat.join()
                with guard, contextlib.suppress(psycopg.Error):
                    holder.execute(
                        sql.SQL("DELETE FROM {} WHERE name = %s AND lock_id = %s").format(locks), (self.state_name, info["id"])
                    )
                    holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
        finally:
            holder.close()

    def _holder(self) -> tuple[str | None, dict[str, Any]]:
        rows = self._query(
            sql.SQL("SELECT lock_id, info FROM {} WHERE name = %s").format(self._table("locks")), (self.state_name,)
        )
        if not rows:
            return None, {}
        try:
            info = json.loads(rows[0][1])
        except ValueError:
            info = {}
        return rows[0][0], info if isinstance(info, dict) else {}

    def unlock(self, lock_id: str, *, force: bool = False) -> None:
        """Remove the lock's row of a run that is gone. A live holder (its session still
        holds the advisory lock) is refused unless `force`, which ends that session; the
        row's removal fences every later write of that run."""
        found, holder = self._holder()
        if found is None:
            raise StateError(f"the state is not locked ({self.name})")
        if found != lock_id:
            raise StateError(f"the lock is {found!r}, not {lock_id!r}; nothing removed")
        key = _key("state", self.schema, self.state_name)
        sessions = self._query(
            sql.SQL(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1"
            ),
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
        )
        if sessions and not force:
            raise StateError(
                f"the lock {lock_id} is held by a live run ('{holder.get('command')}' on {holder.get('host')}, "
                f"its PostgreSQL session {sessions[0][0]} is connected); nothing removed. Stop that run first, "
                "or pass --force to end its session (it then writes nothing more)"
            )
        self._query_none(
            sql.SQL("DELETE FROM {} WHERE name = %s AND lock_id = %s").format(self._table("locks")),
            (self.state_name, lock_id),
        )
        for (pid,) in sessions:
            # Waits (up to 30 s) until the session has ended, and with it the advisory lock.
            self._query(sql.SQL("SELECT pg_terminate_backend(%s, 30000)"), (pid,))


class _Lost(Exception):
    """The lock's row is no longer this run's."""


def _heartbeat(connection: psycopg.Connection[Any], guard: threading.Lock, stop: threading.Event, alive: list[float]) -> None:
    """Keep the holder's session busy, so idle_session_timeout only ends a frozen holder's;
    note when it last answered."""
    while not stop.wait(HEARTBEAT_SECONDS):
        with guard, contextlib.suppress(psycopg.Error):
            connection.execute("SELECT 1")
            alive[0] = time.monotonic()


def _key(*parts: str) -> int:
    """A 64-bit advisory lock key for these names."""
    return int.from_bytes(hashlib.sha256("\0".join(("publisher", *parts)).encode()).digest()[:8], "big", signed=True)


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())


def _reason(error: psycopg.Error) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
