"""The limits of one sandbox for an ordinary user: rlimits, and a watcher of the sandbox's PID namespace.

Without root there are no cgroups to hold a notebook (this kind of machine mounts cgroup v1,
which is root's), so each limit comes from what the kernel gives an ordinary user:

- processes: `RLIMIT_NPROC`, set inside the sandbox's own user namespace, where Linux counts
  the processes and threads of that namespace only: a fork or thread beyond the limit is
  refused, as cgroup pids refuses it; the watcher counts the times the namespace reaches its
  limit;
- memory: the watcher adds up the memory of the sandbox's processes every `TICK_SECONDS`
  (resident sizes; their PSS once those pass the limit, so that forked processes sharing
  pages count them once) and kills them at the limit, as the out-of-memory killer does;
  `RLIMIT_DATA` (`DATA_LIMIT_FACTOR` times the limit) stops any one process from allocating
  far past it between two looks;
- processor: the watcher counts the processor time the processes used and, past their share
  (`Limits.cpus` cores, with `BURST_SECONDS` of credit), stops them (SIGSTOP) until they are
  back within it, as a CFS quota throttles a cgroup;
- files: the sandbox's folders are size-limited tmpfs (bubblewrap's `--size`), and
  `RLIMIT_FSIZE` bounds any one file; `RLIMIT_CORE` 0: no core dumps.

The processes watched are those of the sandbox's PID namespace, but for the sandbox's own
keeper (its process 1), which holds the namespace and its folders open.
"""

import os
import signal
import threading
import time
from pathlib import Path

TICK_SECONDS = 0.05
BURST_SECONDS = 0.5
DATA_LIMIT_FACTOR = 2
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rlimit_command(limits, uncounted_processes):
    """util-linux's `prlimit` words that set the rlimits of a command in the sandbox (both soft and hard)."""
    return ["prlimit", f"--nproc={limits.processes + uncounted_processes}", f"--data={DATA_LIMIT_FACTOR * limits.memory_bytes}",
            f"--fsize={limits.disk_bytes}", "--core=0", "--"]


def pid_namespace(pid):
    """The PID namespace of process `pid` (its /proc link), or "" when it is gone."""
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return ""


def processes_in(namespace, leave=()):
    """The processes of PID namespace `namespace` (a /proc link) this user can see, but those in `leave`."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) not in leave and pid_namespace(entry.name) == namespace:
            found.append(int(entry.name))
    return found


def _resident_bytes(pid):
    """The memory process `pid` holds, counting pages it shares with others in full (cheap: /proc/PID/statm)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def _proportional_bytes(pid):
    """The memory process `pid` holds, each page it shares counted in part (its PSS: /proc/PID/smaps_rollup).

    Forked processes share their parent's pages until they write them: what they hold together is
    the sum of their PSS, not of their resident sizes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _threads(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _processor_seconds(pid):
    """User and system time process `pid` (all its threads) used, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime, the 14th and 15th fields
    except (OSError, IndexError, ValueError):
        return 0.0


def _parent(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def signal_all(pids, number):
    for pid in pids:
        try:
            os.kill(pid, number)
        except (ProcessLookupError, PermissionError):
            pass


class WatchedLimits:
    """Memory, processes and CPU of one sandbox's processes, without root: rlimits and a watcher thread."""

    # What the user namespace counts besides the notebook's processes: the keeper (process 1 of the namespace), the
    # enterer that started the command (outside the PID namespace, but in the user namespace) and its `setsid`.
    uncounted_processes = 3

    def __init__(self, name, limits):
        self.limits = limits
        self.namespace = ""
        self.keeper = set()
        self.memory_hit = False
        self.at_process_limit = 0
        self._at_limit = False
        self._looking = threading.Lock()
        self.held_back = 0.0
        self._used = {}
        self._stop = threading.Event()
        self._thread = None

    def start(self, sandbox_init_pid):
        self.namespace = pid_namespace(sandbox_init_pid)
        self.keeper = {sandbox_init_pid}
        self._thread = threading.Thread(target=self._watch, name="sandbox-watcher", daemon=True)
        self._thread.start()

    def join_command(self):
        return []

    def processes(self):
        return processes_in(self.namespace, self.keeper) if self.namespace else []

    def memory_exceeded(self):
        return self.memory_hit

    def refused_processes(self):
        """How many times the notebook reached its limit of processes and threads (forks past it are refused).

        Looks now too: a cell that forked to the limit and ended at once is seen before its note is written."""
        self._look_at_processes(self.processes())
        return self.at_process_limit

    def _look_at_processes(self, pids):
        """Count one more time at the limit when the notebook's tasks reach it from below.

        Its own tasks are all but the commands' `setsid` (whose parent, the enterer, is outside); within
        one of the limit counts (a refused fork leaves the namespace at the limit, or one below once
        the refused process gives up)."""
        inside = set(pids) | self.keeper
        at_limit = sum(_threads(pid) for pid in pids if _parent(pid) in inside) >= self.limits.processes - 1
        with self._looking:
            if at_limit and not self._at_limit:
                self.at_process_limit += 1
            self._at_limit = at_limit

    def held_back_seconds(self):
        """How long the processes were stopped for using more than their share of the processor."""
        return self.held_back

    def close(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    # -- the watcher ---------------------------------------------------------------------

    def _watch(self):
        credit = self.limits.cpus * BURST_SECONDS
        last = time.monotonic()
        while not self._stop.wait(TICK_SECONDS):
            pids = self.processes()
            now = time.monotonic()
            credit = min(credit + self.limits.cpus * (now - last), self.limits.cpus * BURST_SECONDS)
            last = now
            credit -= self._processor_time_since_last_look(pids)
            memory = sum(_resident_bytes(pid) for pid in pids)
            if memory > self.limits.memory_bytes:  # shared pages may count more than once: count them in part
                memory = sum(_proportional_bytes(pid) for pid in pids)
            if memory > self.limits.memory_bytes:
                self.memory_hit = True
                signal_all(pids, signal.SIGKILL)
                continue
            self._look_at_processes(pids)
            if credit < 0:
                self._hold_back(pids, -credit / self.limits.cpus)
                credit, last = 0.0, time.monotonic()

    def _processor_time_since_last_look(self, pids):
        used = 0.0
        seen = {}
        for pid in pids:
            seen[pid] = _processor_seconds(pid)
            used += max(seen[pid] - self._used.get(pid, 0.0), 0.0)
        self._used = seen
        return used

    def _hold_back(self, pids, seconds):
        """Stop the processes for `seconds` (what they used past their share), then let them go on.

        A command's first process in the sandbox (its `setsid`, which only waits) is left running.
        """
        inside = set(pids) | self.keeper
        pids = [pid for pid in pids if _parent(pid) in inside]
        signal_all(pids, signal.SIGSTOP)
        started = time.monotonic()
        self._stop.wait(seconds)
        signal_all(self.processes(), signal.SIGCONT)
        self.held_back += time.monotonic() - started
