"""A PostgreSQL server of the tests' own, on 127.0.0.1 only, and nbgrader gradebooks copied into it.

`postgres_server(folder)` starts Debian's PostgreSQL (installed by `make test`) on a free port
of 127.0.0.1, fast and throwaway (no fsync, trust authentication), and stops it on exit,
whatever happens. `copy_gradebook(source_url, target_url)` copies a whole nbgrader gradebook
from one database to another through nbgrader's own schema, so that a report can be tested
against a SQLite and a PostgreSQL gradebook alike.

A test module uses the session's server by importing its fixture:

    from tests.postgres import postgres  # noqa: F401
"""

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.network import free_port

# Debian's PostgreSQL: /usr/lib/postgresql/<version>/bin.
DEBIAN_POSTGRESQL = Path("/usr/lib/postgresql")
INSTALL_COMMAND = "apt-get install --no-install-recommends postgresql"

# PostgreSQL refuses to run as root: as root, the server runs as Debian's `postgres` system user.
SYSTEM_USER = "postgres"
# The database superuser of the cluster (trust authentication: no password).
SUPERUSER = "postgres"

# Seconds. Generous: the machine has 2 cores, and other test runs may share them.
INITDB_TIMEOUT = 120
SERVER_START_TIMEOUT = 60
SERVER_STOP_TIMEOUT = 30
PROCESS_EXIT_TIMEOUT = 10

# Settings of a throwaway server: nothing is ever flushed to disk for durability, and
# nothing runs in the background that a test did not ask for.
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "autovacuum": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
    "max_wal_senders": "0",
    "wal_level": "minimal",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
    "log_min_messages": "warning",
}


def postgresql_bin():
    """The folder of Debian's PostgreSQL programs, of its highest version.

    Without it the tests that need a server fail in CI (they must run there) and are skipped
    elsewhere, as `chromium_path()` of tests/browser.py does.
    """
    folders = [initdb.parent for initdb in DEBIAN_POSTGRESQL.glob("*/bin/initdb")]
    if not folders:
        message = ("Debian's PostgreSQL server is not installed: run `make test`, which installs it "
                   f"(`{INSTALL_COMMAND}`)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return max(folders, key=lambda folder: _version_key(folder.parent.name))


def _version_key(version):
    """'15' -> (15,), '9.6' -> (9, 6): versions in numeric order, not in the order of their names."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


# The server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresServer:
    """A running PostgreSQL server on 127.0.0.1 and how to reach it."""

    process: subprocess.Popen  # the postmaster itself
    host: str
    port: int
    data_dir: Path
    socket_dir: Path
    log: Path

    @property
    def url(self):
        """The server's SQLAlchemy URL, without a database: `postgresql+psycopg://postgres@127.0.0.1:PORT`."""
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}"

    def connect(self, dbname="postgres", **options):
        """A psycopg connection to `dbname`, as the superuser, over TCP on 127.0.0.1."""
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname=dbname, **options)

    def new_database(self, name):
        """Create the database `name` (it must not exist yet); return its SQLAlchemy URL."""
        from psycopg import sql

        with self.connect(autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"{self.url}/{name}"

    def log_tail(self, lines=40):
        """The last `lines` lines the server logged."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _running_as_root():
    return os.geteuid() == 0


def _as_system_user(command):
    """`command` as Debian's `postgres` user when running as root (PostgreSQL refuses root), else as is.

    `setpriv` execs the command in its own process, so the process started is the server itself
    (`runuser` would stay in between as a parent, and turn a fast shutdown into a kill).
    """
    if not _running_as_root():
        return command
    return ["setpriv", f"--reuid={SYSTEM_USER}", f"--regid={SYSTEM_USER}", "--init-groups", "--", *command]


def _server_environment():
    env = dict(os.environ, LC_ALL="C", LANG="C")
    for name in ("PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGOPTIONS"):
        env.pop(name, None)
    return env


@contextmanager
def _cluster_home(folder):
    """The folder that holds the cluster's data directory and its Unix socket.

    `folder` itself when not root. As root the server runs as the `postgres` user, who cannot
    reach pytest's temporary folders (/tmp/pytest-of-root is private to root): the cluster then
    lives in a private folder of that user under the system's temporary folder, removed on exit.
    """
    if not _running_as_root():
        yield folder
        return
    user = pwd.getpwnam(SYSTEM_USER)
    home = Path(tempfile.mkdtemp(prefix="pytest-postgres-"))
    try:
        os.chown(home, user.pw_uid, user.pw_gid)
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def initdb(bin_dir, data_dir, cwd):
    """A new cluster in `data_dir`: trust authentication, superuser `postgres`, C locale, UTF8."""
    command = _as_system_user([
        str(bin_dir / "initdb"), f"--pgdata={data_dir}", "--auth=trust", f"--username={SUPERUSER}",
        "--encoding=UTF8", "--locale=C", "--no-sync",
    ])
    result = subprocess.run(command, cwd=cwd, env=_server_environment(), capture_output=True, text=True,
                            timeout=INITDB_TIMEOUT)
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed ({result.returncode}): {' '.join(command)}\n"
                           f"{result.stdout}\n{result.stderr}")


def server_command(bin_dir, data_dir, socket_dir, host, port, settings):
    """`postgres` on `host`:`port` only, with its Unix socket in `socket_dir` and `settings` (name -> value)."""
    command = [str(bin_dir / "postgres"), "-D", str(data_dir), "-h", host, "-p", str(port), "-k", str(socket_dir)]
    for name, value in settings.items():
        command += ["-c", f"{name}={value}"]
    return _as_system_user(command)


def wait_until_answering(server, timeout=SERVER_START_TIMEOUT):
    """Wait until `server` accepts connections; raise with its log if it exits or does not answer in time."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited with {server.process.returncode} before answering; "
                               f"its log ({server.log}):\n{server.log_tail()}")
        try:
            with server.connect(connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not answer on {server.host}:{server.port} in {timeout} s "
                                   f"({error}); its log ({server.log}):\n{server.log_tail()}") from error
        time.sleep(0.1)


def stop_server(process, timeout=SERVER_STOP_TIMEOUT):
    """Stop the postmaster `process`: a fast shutdown (SIGINT), else an immediate one (SIGQUIT), else kill
    it and every process under it. Leaves no process behind."""
    if process.poll() is not None:
        return
    children = []
    with suppress(psutil.Error):
        children = psutil.Process(process.pid).children(recursive=True)
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, PROCESS_EXIT_TIMEOUT)):
        with suppress(ProcessLookupError):
            process.send_signal(sig)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
            return
    with suppress(psutil.Error):
        children = psutil.Process(process.pid).children(recursive=True)
    process.kill()
    process.wait(timeout=PROCESS_EXIT_TIMEOUT)
    for child in children:
        with suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(children, timeout=PROCESS_EXIT_TIMEOUT)


@contextmanager
def postgres_server(folder, settings=None):
    """A PostgreSQL server on 127.0.0.1 only, on a free port, with a fresh cluster: a `PostgresServer`.

    Its log is `folder/postgres.log`. `settings` (name -> value) are added to (or override)
    `FAST_SETTINGS`. The server is stopped on exit, whatever happens.
    """
    bin_dir = postgresql_bin()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "postgres.log"
    with _cluster_home(folder) as home:
        data_dir = home / "data"
        initdb(bin_dir, data_dir, cwd=home)
        host, port = "127.0.0.1", free_port()
        command = server_command(bin_dir, data_dir, home, host, port, {**FAST_SETTINGS, **(settings or {})})
        with open(log, "ab") as log_file:
            process = subprocess.Popen(command, cwd=home, env=_server_environment(), stdin=subprocess.DEVNULL,
                                       stdout=log_file, stderr=subprocess.STDOUT)
        server = PostgresServer(process, host, port, data_dir, home, log)
        try:
            wait_until_answering(server)
            yield server
        finally:
            stop_server(process)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """The session's PostgreSQL server (a `PostgresServer`); `postgres.new_database(name)` gives a database's URL."""
    with postgres_server(tmp_path_factory.mktemp("postgres")) as server:
        yield server


# Gradebooks -----------------------------------------------------------------------------


# The columns of `Gradebook.submission_dicts` that are scores, and the flag that goes with them.
SCORE_FIELDS = ("score", "max_score", "code_score", "max_code_score", "written_score", "max_written_score",
                "task_score", "max_task_score")


@contextmanager
def open_gradebook(url, course_id="default_course"):
    """nbgrader's `Gradebook(url, course_id)`, closed on exit.

    A new gradebook is stamped with nbgrader's schema version by running `alembic`, which must
    be on PATH: `tests/conftest.py` puts this interpreter's scripts there, as `autograder.environment.child_environment()` does.
    """
    from nbgrader import api

    gradebook = api.Gradebook(url, course_id=course_id)
    try:
        yield gradebook
    finally:
        gradebook.close()


def gradebook_scores(url):
    """Every assignment's scores in the gradebook at `url`, as nbgrader's `submission_dicts` gives them:
    {assignment: {student: {score field: score, "needs_manual_grade": bool}}}.

    Scores are rounded to 6 places: each database sums floats in its own order.
    The gradebook is opened with no course (`course_id=""`), so reading it adds none.
    """
    with open_gradebook(url, course_id="") as gradebook:
        return {
            assignment.name: {
                row["student"]: {**{field: round(float(row[field]), 6) for field in SCORE_FIELDS},
                                 "needs_manual_grade": bool(row["needs_manual_grade"])}
                for row in gradebook.submission_dicts(assignment.name)
            }
            for assignment in gradebook.assignments
        }


def copy_gradebook(source_url, target_url):
    """Copy the whole nbgrader gradebook at `source_url` to the database at `target_url`, replacing its rows.

    nbgrader creates the target's schema (and stamps its alembic version); every table of
    nbgrader's schema is then copied row by row, parents first, in one transaction. Raises
    AssertionError unless nbgrader then gives the same scores for every assignment of both.
    Returns those scores.
    """
    from nbgrader.api import Base
    from sqlalchemy import create_engine

    with open_gradebook(target_url):
        pass
    tables = [table for table in Base.metadata.sorted_tables if table.name != "alembic_version"]
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with source.connect() as reading, target.begin() as writing:
            for table in reversed(tables):
                writing.execute(table.delete())
            for table in tables:
                rows = [dict(row._mapping) for row in reading.execute(table.select())]
                if rows:
                    writing.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()

    expected, copied = gradebook_scores(source_url), gradebook_scores(target_url)
    if copied != expected:
        raise AssertionError(f"the copy's scores differ from the source's:\n{copied}\n!=\n{expected}")
    return copied
