"""The limits of one sandbox as root: cgroup v1 memory, pids and cpu controllers.

Every process a sandbox's command starts joins the sandbox's three cgroups (`join_command`)
before it enters the sandbox: memory (the kernel's out-of-memory killer stops one process at
the limit), pids (a fork or thread beyond the limit is refused) and cpu (a CFS quota of
`Limits.cpus` cores: a notebook that spins gets its share of the processor, no more).
`WatchedLimits` (watched_limits.py) gives an ordinary user the same limits, with the same
questions answered.
"""

import os
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PARENT = "keras-course"
CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_MICROSECONDS = 100_000


def missing_controllers():
    """The cgroup v1 controllers that are not mounted writable here, as sentences."""
    return [
        f"the cgroup v1 {controller} controller is not mounted writable at {CGROUP_ROOT / controller}"
        for controller in CONTROLLERS
        if not (CGROUP_ROOT / controller).is_dir() or not os.access(CGROUP_ROOT / controller, os.W_OK)
    ]


def cgroup_folders(name):
    """{controller: the folder of the cgroup `name`} for each controller the sandbox uses."""
    return {controller: CGROUP_ROOT / controller / CGROUP_PARENT / name for controller in CONTROLLERS}


class CgroupLimits:
    """Memory, processes and CPU of the processes of one sandbox, held by cgroups named `name`."""

    def __init__(self, name, limits):
        self.limits = limits
        self.cgroups = cgroup_folders(name)

    def start(self, sandbox_init_pid=None):
        for cgroup in self.cgroups.values():
            cgroup.mkdir(parents=True, exist_ok=True)
        (self.cgroups["memory"] / "memory.limit_in_bytes").write_text(str(self.limits.memory_bytes))
        (self.cgroups["pids"] / "pids.max").write_text(str(self.limits.processes))
        (self.cgroups["cpu"] / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_MICROSECONDS))
        (self.cgroups["cpu"] / "cpu.cfs_quota_us").write_text(str(int(self.limits.cpus * CPU_PERIOD_MICROSECONDS)))

    def join_command(self):
        """The words before a command that put it (and all it starts) in the cgroups, then run it."""
        joins = " && ".join(f'echo $$ > {cgroup / "cgroup.procs"}' for cgroup in self.cgroups.values())
        return ["sh", "-c", f'{joins} && exec "$@"', "sandbox"]

    def processes(self):
        """The processes in the sandbox's cgroups."""
        return sorted({int(pid) for cgroup in self.cgroups.values() for pid in read(cgroup / "cgroup.procs").split()})

    def memory_exceeded(self):
        """Did the processes reach the memory limit (the kernel's out-of-memory killer then stops one)?"""
        memory = self.cgroups["memory"]
        return int(read(memory / "memory.failcnt") or 0) > 0 and self.peak_memory() >= self.limits.memory_bytes * 0.95

    def peak_memory(self):
        return int(read(self.cgroups["memory"] / "memory.max_usage_in_bytes") or 0)

    def refused_processes(self):
        """How many times a process or thread was refused because the notebook already ran as many as it may."""
        text = read(self.cgroups["pids"] / "pids.events").split()
        return int(text[1]) if len(text) == 2 else 0

    def held_back_seconds(self):
        """How long the processes were held back (throttled) for using more than their share of the processor."""
        for line in read(self.cgroups["cpu"] / "cpu.stat").splitlines():
            key, _, value = line.partition(" ")
            if key == "throttled_time":
                return int(value) / 1e9
        return 0.0

    def close(self):
        for cgroup in self.cgroups.values():
            remove_cgroup(cgroup)


def remove_cgroup(cgroup):
    """Kill what is left in `cgroup`, then remove it (a cgroup with processes cannot be removed)."""
    for _ in range(50):
        for pid in read(cgroup / "cgroup.procs").split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            cgroup.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


def read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""
