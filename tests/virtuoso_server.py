"""A throw-away Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``) on loopback.

Used by ``tests/test_store.py`` (through the ``virtuoso`` fixture in conftest.py) and
``benchmarks/push.py``. It runs ``virtuoso-t +foreground`` with its own ini and
database in a temp folder, on two free loopback ports, and stops it with
``isql-vt ... shutdown`` (SIGTERM, then SIGKILL, if that fails), leaving no
process and no files. A fresh database has the user ``dba`` with password ``dba``.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

USER, PASSWORD = "dba", "dba"

_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DirsAllowed        = {d}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxClientConnections = 10

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {d}
ServerThreads      = 10
MaxClientConnections = 10
Charset            = UTF-8

[SPARQL]
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def virtuoso_path() -> str | None:
    """``virtuoso-t``, or None when it is not installed."""
    return shutil.which("virtuoso-t")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Virtuoso:
    """A running server: its base URL and the endpoints collab-graph uses."""

    base: str
    sql_port: int

    @property
    def query(self) -> str:
        """Anonymous SPARQL queries."""
        return f"{self.base}/sparql"

    @property
    def update(self) -> str:
        """Authenticated (digest) queries and updates."""
        return f"{self.base}/sparql-auth"

    @property
    def gsp(self) -> str:
        """Authenticated (digest) Graph Store HTTP Protocol."""
        return f"{self.base}/sparql-graph-crud-auth"


@contextlib.contextmanager
def running(timeout: float = 60.0) -> Iterator[Virtuoso]:
    """Start a Virtuoso, yield it once it answers HTTP, and stop it (always)."""
    exe = virtuoso_path()
    if exe is None:
        raise FileNotFoundError(
            "virtuoso-t is not installed (apt-get install virtuoso-opensource-7-bin)"
        )
    folder = Path(tempfile.mkdtemp(prefix="collab-graph-virtuoso-"))
    cwd = folder / "cwd"
    cwd.mkdir()
    sql_port, http_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_INI.format(d=folder, sql_port=sql_port, http_port=http_port))
    proc = subprocess.Popen(
        [exe, "+foreground", "+configfile", str(ini)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = Virtuoso(f"http://127.0.0.1:{http_port}", sql_port)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited with {proc.returncode}:\n{log}")
            with contextlib.suppress(requests.RequestException):
                r = requests.get(server.query, params={"query": "ASK {}"}, timeout=2)
                if r.status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"virtuoso-t did not answer at {server.base} in {timeout} s")
            time.sleep(0.2)
        yield server
    finally:
        _stop(proc, sql_port)
        shutil.rmtree(folder, ignore_errors=True)


def _stop(proc: subprocess.Popen[bytes], sql_port: int) -> None:
    if proc.poll() is None:
        isql = shutil.which("isql-vt")
        if isql is not None:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                subprocess.run(
                    [isql, f"127.0.0.1:{sql_port}", USER, PASSWORD, "exec=shutdown;"],
                    capture_output=True,
                    timeout=20,
                    check=False,
                )
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
