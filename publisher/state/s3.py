"""The state in an S3-compatible bucket: `s3://bucket/key[?endpoint=URL&path_style=true&lock_lease=2m]`.

The state is the object `key`, written only if it is still the object this run read
(`If-Match` on its ETag; `If-None-Match: *` for a new state), so no writer ever overwrites a
newer state. An apply's journal is one object per event under `key.journal/`. The lock is
the object `key.lock`, created only if absent (`If-None-Match: *`); it carries a lease that
its holder renews while it works, and a lock whose lease ran out is taken over with
`If-Match` on its ETag, so exactly one runner wins it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..errors import InvalidInput, StateError
from ..model import State
from ..rules import parse_duration
from . import lock
from .backend import Stale

DEFAULT_LEASE = 120.0


class _Conflict(Exception):
    """A conditional request found another version (412)."""


class _Missing(Exception):
    """No such object."""


class S3Backend:
    shared = True

    def __init__(self, bucket: str, key: str, *, endpoint: str | None, path_style: bool, lease: float) -> None:
        self.bucket, self.key, self.lease = bucket, key, lease
        self.name = f"s3://{bucket}/{key}"
        session = boto3.session.Session()
        config = Config(
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
        )
        self.client = session.client("s3", endpoint_url=endpoint, region_name=session.region_name or "us-east-1", config=config)
        self._bucket_checked = False
        self._lease: _Lease | None = None  # while this store holds the lock

    @classmethod
    def from_url(cls, url: str) -> S3Backend:
        from .locations import shown

        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        key = parts.path.lstrip("/")
        if not parts.hostname or not key:
            raise InvalidInput(f"{shown(url)}: an S3 state is s3://BUCKET/KEY")
        segments = key.split("/")
        if "" in segments or "." in segments or ".." in segments or any(not c.isprintable() for c in key):
            # Servers rewrite such keys (a//b as a/b): the journal, listed by the key as
            # written, would then be left behind.
            raise InvalidInput(
                f"{shown(url)}: the key {key!r} must be plain: no empty part (//), no . or .., no control character"
            )
        unknown = sorted(set(options) - {"endpoint", "path_style", "lock_lease"})
        if unknown:
            raise InvalidInput(f"{shown(url)}: unknown option {unknown[0]!r} (allowed: endpoint, path_style, lock_lease)")
        try:
            lease = parse_duration(options["lock_lease"]) if "lock_lease" in options else DEFAULT_LEASE
        except ValueError as error:
            raise InvalidInput(f"{shown(url)}: lock_lease: {error}") from None
        if lease < 1:
            raise InvalidInput(f"{shown(url)}: lock_lease must be at least 1s")
        path_style = options.get("path_style", "false").lower() in ("true", "1", "yes")
        return cls(parts.hostname, key, endpoint=options.get("endpoint") or None, path_style=path_style, lease=lease)

    # Requests ----------------------------------------------------------------------------

    def _call(self, operation: str, **arguments: Any) -> Any:
        """One S3 request; its refusals become StateErrors, except 412 and 404 for callers."""
        if not self._bucket_checked:
            # Some stores create a missing bucket on the first write: say it is missing instead.
            self._bucket_checked = True
            try:
                self._call("head_bucket")
            except _Missing:
                raise StateError(f"{self.name}: the bucket {self.bucket!r} does not exist") from None
        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **arguments)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("PreconditionFailed", "ConditionalRequestConflict") or status == 412:
                raise _Conflict() from None
            if code == "NoSuchBucket":
                raise StateError(f"{self.name}: the bucket {self.bucket!r} does not exist") from None
            if code in ("NoSuchKey", "404", "NotFound"):
                raise _Missing() from None
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403") or status == 403:
                raise StateError(
                    f"{self.name}: access denied ({code}): check the credentials (AWS_ACCESS_KEY_ID, a profile or a role) "
                    "and what they may do with the bucket"
                ) from None
            raise StateError(f"{self.name}: {operation} refused: {code or status}") from None
        except NoCredentialsError:
            raise StateError(
                f"{self.name}: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile or role"
            ) from None
        except BotoCoreError as error:
            raise StateError(f"cannot reach the S3 state at {self.name}: {error}") from None

    def _get(self, key: str) -> tuple[bytes, str]:
        answer = self._call("get_object", Key=key)
        return answer["Body"].read(), answer["ETag"]

    def _journal_keys(self) -> list[str]:
        return self._keys(self.key + ".journal/")

    def _keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        token: dict[str, str] = {}
        while True:
            answer = self._call("list_objects_v2", Prefix=prefix, **token)
            keys += [item["Key"] for item in answer.get("Contents", [])]
            if not answer.get("IsTruncated"):
                return sorted(keys)
            token = {"ContinuationToken": answer["NextContinuationToken"]}

    # The state and its journal -------------------------------------------------------------

    def get(self) -> tuple[bytes | None, Any]:
        try:
            return self._get(self.key)
        except _Missing:
            return None, None

    def put(self, content: bytes, written: State, version: Any) -> None:
        # The ETag of what was read stands for serial and lineage at once.
        condition = {"IfMatch": version} if version is not None else {"IfNoneMatch": "*"}
        try:
            self._call("put_object", Key=self.key, Body=content, **condition)
        except _Conflict:
            raise Stale() from None

    def append(self, number: int, event: str) -> None:
        try:
            self._call("put_object", Key=f"{self.key}.journal/{number:010d}", Body=event.encode(), IfNoneMatch="*")
        except _Conflict:
            raise StateError(f"{self.name}: another apply is writing the same journal; nothing more was sent") from None

    def events(self) -> list[str]:
        return [self._get(key)[0].decode("utf-8", "replace") for key in self._journal_keys()]

    def drop_events(self) -> None:
        # The header last: a run killed halfway leaves the header and some events, which the
        # header's serial marks as folded in already (not events that belong to no state).
        for key in reversed(self._journal_keys()):
            with contextlib.suppress(_Missing):
                self._call("delete_object", Key=key)

    def fence(self) -> None:
        """While this run holds the lock: its lease is fresh and the lock object is still the
        one it wrote. A run frozen past its lease, or unlocked by force, writes nothing more."""
        lease = self._lease
        if lease is None:
            return
        with lease.guard:
            if lease.held():
                try:
                    self._call("head_object", Key=lease.key, IfMatch=lease.etag)
                    return
                except (_Conflict, _Missing):
                    lease.lost = True
        raise StateError(f"{self.name}: {lock.LOCK_LOST}")

    # Documents beside the state ------------------------------------------------------------

    def get_document(self, kind: str, name: str) -> bytes | None:
        try:
            return self._get(f"{self.key}.{kind}/{name}.json")[0]
        except _Missing:
            return None

    def put_document(self, kind: str, name: str, content: bytes) -> None:
        self._call("put_object", Key=f"{self.key}.{kind}/{name}.json", Body=content)

    def delete_document(self, kind: str, name: str) -> None:
        with contextlib.suppress(_Missing):
            self._call("delete_object", Key=f"{self.key}.{kind}/{name}.json")

    def document_names(self, kind: str) -> list[str]:
        prefix = f"{self.key}.{kind}/"
        return sorted(key[len(prefix) : -len(".json")] for key in self._keys(prefix) if key.endswith(".json"))

    # The lock ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, command: str, *, timeout: float = 0.0, notify: lock.Notify = lock.ignore) -> Iterator[str]:
        info = lock.holder_info(str(uuid.uuid4()), command)
        held = _Lease(self, info)
        lock.wait_for(held.take, f"{self.name}.lock", timeout, notify)
        held.start_renewing()
        self._lease = held
        try:
            yield info["id"]
        finally:
            self._lease = None
            held.release()

    def _lock_object(self) -> tuple[dict[str, Any], str] | None:
        """The lock's holder info and ETag; None if there is no lock. A lock that cannot be
        read (written by something else) expires a lease after it was last written."""
        try:
            answer = self._call("get_object", Key=self.key + ".lock")
        except _Missing:
            return None
        content, etag = answer["Body"].read(), answer["ETag"]
        try:
            holder = json.loads(content)
        except ValueError:
            holder = None
        if not isinstance(holder, dict) or not isinstance(holder.get("expires"), (int, float)):
            written = answer.get("LastModified")
            holder = {"expires": written.timestamp() + self.lease} if written is not None else {}
        return holder, etag

    def unlock(self, lock_id: str, *, force: bool = False) -> None:
        found = self._lock_object()
        if found is None:
            raise StateError(f"the state is not locked ({self.name}.lock does not exist)")
        holder, etag = found
        if holder.get("id") != lock_id and not (force and not holder.get("id")):
            raise StateError(f"the lock is {holder.get('id')!r}, not {lock_id!r}; nothing removed")
        expires = holder.get("expires")
        if holder.get("id") and isinstance(expires, (int, float)) and expires > time.time() and not force:
            raise StateError(
                f"the lock {lock_id} is held by a live run ('{holder.get('command')}' on {holder.get('host')}, its lease "
                f"was renewed {max(0, round(time.time() - expires + self.lease))} s ago); nothing removed. Stop that run "
                "first, or pass --force (it then writes nothing more)"
            )
        try:
            self._call("delete_object", Key=self.key + ".lock", IfMatch=etag)
        except (_Conflict, _Missing):
            raise StateError("the lock changed while it was being removed; nothing removed") from None


class _Lease:
    """One run's hold on `key.lock`: taken, renewed while the run works, released."""

    def __init__(self, s3: S3Backend, info: dict[str, Any]) -> None:
        self.s3, self.info, self.key = s3, info, s3.key + ".lock"
        self.etag = ""
        self.renewed_at = 0.0  # when the lease was last taken or renewed (monotonic)
        self.lost = False
        self.guard = threading.Lock()  # the renewer and a fence check agree on the ETag
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def _body(self) -> bytes:
        return json.dumps({**self.info, "lease_seconds": self.s3.lease, "expires": time.time() + self.s3.lease}).encode()

    def take(self) -> dict[str, Any] | None:
        for _ in range(3):  # the holder may release it between our create and our read
            try:
                self.etag = self.s3._call("put_object", Key=self.key, Body=self._body(), IfNoneMatch="*")["ETag"]
                self.renewed_at = time.monotonic()
                return None
            except _Conflict:
                found = self.s3._lock_object()
            if found is not None:
                break
        if found is None:
            return {}
        holder, etag = found
        expires = holder.get("expires")
        if isinstance(expires, (int, float)) and expires < time.time():
            try:  # the holder stopped renewing: take it over, if nobody else does first
                self.etag = self.s3._call("put_object", Key=self.key, Body=self._body(), IfMatch=etag)["ETag"]
                self.renewed_at = time.monotonic()
                return None
            except (_Conflict, _Missing):
                pass
        return holder

    def start_renewing(self) -> None:
        self._renewer = threading.Thread(target=self._renew, name="publisher-lock-lease", daemon=True)
        self._renewer.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.s3.lease / 3):
            with self.guard:
                try:
                    self.etag = self.s3._call("put_object", Key=self.key, Body=self._body(), IfMatch=self.etag)["ETag"]
                    self.renewed_at = time.monotonic()
                except (_Conflict, _Missing, StateError):
                    self.lost = True  # taken over: every write is fenced, so nothing more is written
                    return

    def held(self) -> bool:
        """Whether the lease is surely still this run's: renewed within most of its length."""
        return not self.lost and time.monotonic() - self.renewed_at < 0.8 * self.s3.lease

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        with contextlib.suppress(_Conflict, _Missing, StateError):
            self.s3._call("delete_object", Key=self.key, IfMatch=self.etag)
