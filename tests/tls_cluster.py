"""A Dask cluster over TLS as an instructor starts it: `keras-course certificates`, then the commands it prints.

`tls_cluster(folder, workers)` makes the certificates with the course command (`--hosts 127.0.0.1`), copies
`scheduler/` and each worker's `worker/` into a folder of their own (as onto their machines), and runs there
the `dask scheduler` and `dask worker` lines the command printed, as printed but for the test's own: a free
port, listening on 127.0.0.1 only, a worker process each without a nanny (so killing it loses its task), its
own local directory and cache. Every process is stopped on exit, whatever happens.
"""

import os
import shlex
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

from autograder.cli import main
from autograder.grading.certificates import DASK_PORT
from autograder.grading.cluster import client_security
from tests.network import free_port

BIN = Path(sys.executable).parent
PRINTED_ADDRESS = f"tls://127.0.0.1:{DASK_PORT}"
# Seconds. Generous: the machine has 2 cores, and other test runs may share them.
START_TIMEOUT = 120
STOP_TIMEOUT = 30


@dataclass
class TlsCluster:
    address: str  # tls://127.0.0.1:PORT
    certificates: Path  # the folder `keras-course certificates` made
    printed: str  # what it printed
    scheduler_log: Path  # the scheduler's stderr: its refusals
    workers: dict = field(default_factory=dict)  # {worker's folder: its process}


def printed_command(printed, start):
    """The printed command line that starts with `start`, as an argument list."""
    (line,) = [line.strip() for line in printed.splitlines() if line.strip().startswith(start)]
    return shlex.split(line)


@contextmanager
def tls_cluster(folder, workers=2):
    """Yield a `TlsCluster` of a scheduler and `workers` worker processes, reached with its client certificate."""
    from distributed import Client

    certificates = folder / "certificates"
    made = CliRunner().invoke(main, ["certificates", str(certificates), "--hosts", "127.0.0.1"])
    assert made.exit_code == 0, made.output
    port = free_port()
    address = f"tls://127.0.0.1:{port}"
    scheduler = printed_command(made.output, "dask scheduler")
    scheduler[scheduler.index("--port") + 1] = str(port)
    worker = [address if part == PRINTED_ADDRESS else part for part in printed_command(made.output, "dask worker")]
    worker[worker.index("--nworkers") + 1] = "1"
    cluster = TlsCluster(address, certificates, made.output, folder / "scheduler" / "stderr.log")
    processes = []
    try:
        shutil.copytree(certificates / "scheduler", folder / "scheduler" / "scheduler")
        with open(cluster.scheduler_log, "w") as log:
            processes.append(subprocess.Popen([BIN / "dask", *scheduler[1:], "--host", "127.0.0.1"],
                                              cwd=folder / "scheduler", stdout=subprocess.DEVNULL, stderr=log))
        for index in range(workers):
            home = folder / f"worker{index}"
            shutil.copytree(certificates / "worker", home / "worker")
            process = subprocess.Popen(
                [BIN / "dask", *worker[1:], "--no-nanny", "--host", "127.0.0.1", "--local-directory", str(home)],
                cwd=home, env={**os.environ, "XDG_CACHE_HOME": str(home / "cache")},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes.append(process)
            cluster.workers[home] = process
        with Client(address, security=client_security(certificates), timeout=f"{START_TIMEOUT}s") as client:
            if workers:
                client.wait_for_workers(workers, timeout=START_TIMEOUT)
        yield cluster
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
