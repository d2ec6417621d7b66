"""A sandbox for one student's kernel: bubblewrap namespaces, cgroup limits, a private size-limited folder.

Everything that runs a student's code starts it through `Sandbox.command` (the kernel of
`nbgrader autograde` through the `SandboxedExecute` stage, hence `keras-course check` too, and
the grader's own processes on a student's files, `autograder/isolation/clean_process.py`). Inside:

- its own PID, network, IPC and UTS namespaces (bubblewrap): no other process is visible, and
  there is no network at all, loopback included; the kernel talks to nbgrader over Unix
  sockets in the sandbox's private folder (Jupyter's `ipc` transport);
- an unprivileged user (`SandboxSettings.uid`, nobody), no capabilities, no new privileges;
- the system, Python and the course's environment read-only; of the course only the
  `autograder` package (read-only, with the training split of MNIST only where the
  assignment's data allows no more); not there at all: `source/`, `solutions/`, the
  gradebook, the exchange, `nbgrader_config.py`, other students' folders, home folders;
- as working folder a private tmpfs of `disk_bytes`, holding a copy of this student's
  folder; what the notebook wrote there is copied back (regular files only) when it ends;
- cgroup v1 memory and pids limits on every process it starts; when the sandbox closes,
  every process still in its cgroups is killed.

It needs root (cgroups, the tmpfs mount, bubblewrap's mounts before dropping to the
sandbox user): `missing()` says what a machine lacks, and grading refuses to start then.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from traitlets import Bool, Integer
from traitlets.config import Configurable

from autograder.environment import QUIET_TENSORFLOW
from autograder.settings import MNIST_PATH

CGROUP_ROOT = Path("/sys/fs/cgroup")
# The `autograder` package nbgrader's process imported, which the sandbox binds read-only.
PACKAGE_FOLDER = Path(__file__).resolve().parent.parent
CGROUP_PARENT = "keras-course"
SANDBOX_PREFIX = "sandbox-"
GIB = 1024 ** 3
MIB = 1024 ** 2


class SandboxUnavailable(RuntimeError):
    """This machine cannot run students' code in the sandbox: the message says what is missing and how to fix it."""


def machine_memory():
    """The machine's physical memory in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


# A share of the machine that leaves the grader and the other notebooks graded beside this one alive.
DEFAULT_MEMORY_BYTES = min(4 * GIB, machine_memory() // 4)


class SandboxSettings(Configurable):
    """The limits of every student's sandbox, set in `nbgrader_config.py` as `c.SandboxSettings.NAME`."""

    enabled = Bool(True, help=(
        "Run students' code in the sandbox. Turn off only where every notebook is trusted (one student "
        "grading their own work): without it a notebook can forge its grade and change the course."
    )).tag(config=True)
    memory_bytes = Integer(DEFAULT_MEMORY_BYTES, help=(
        "Memory of one notebook's processes together (bytes); by default a quarter of the machine, at most 4 GiB."
    )).tag(config=True)
    processes = Integer(256, help="Processes and threads one notebook may run at once.").tag(config=True)
    disk_bytes = Integer(1 * GIB, help="Size of the notebook's private writable folder (bytes).").tag(config=True)
    output_bytes_per_cell = Integer(1 * MIB, help="Output kept per cell (bytes); the rest is cut.").tag(config=True)
    notebook_seconds = Integer(3600, help="Wall-clock time for the whole notebook (seconds).").tag(config=True)
    uid = Integer(65534, help="The unprivileged user the notebook runs as (nobody).").tag(config=True)


@dataclass(frozen=True)
class Limits:
    """What one sandbox may use."""

    memory_bytes: int = DEFAULT_MEMORY_BYTES
    processes: int = 256
    disk_bytes: int = 1 * GIB
    uid: int = 65534

    @classmethod
    def from_settings(cls, settings):
        return cls(settings.memory_bytes, settings.processes, settings.disk_bytes, settings.uid)

    @classmethod
    def configured(cls, settings):
        """The limits `settings` (`SandboxSettings`) give each sandbox, or None when the sandbox is off."""
        return cls.from_settings(settings) if settings.enabled else None


def is_sparse(status):
    """Does the file of `os.stat` result `status` claim more bytes than it holds (holes, which a copy would fill)?"""
    return status.st_blocks * 512 < status.st_size


def describe_bytes(count):
    """`count` bytes in words a student reads: "1 GiB", "256 MiB", "64 KiB"."""
    if count >= GIB:
        return f"{count / GIB:g} GiB"
    return f"{count / MIB:g} MiB" if count >= MIB else f"{count / 1024:g} KiB"


def missing():
    """What this machine lacks to run the sandbox, as sentences saying how to fix each; empty when it can run."""
    problems = []
    if shutil.which("bwrap") is None:
        problems.append("bubblewrap is not installed: `apt-get install bubblewrap` (Debian's package)")
    if shutil.which("setpriv") is None:
        problems.append("setpriv is missing: `apt-get install util-linux`")
    if os.geteuid() != 0:
        problems.append("grading must run as root (it mounts the private folders and sets cgroup limits)")
    for controller in ("memory", "pids"):
        folder = CGROUP_ROOT / controller
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            problems.append(f"the cgroup v1 {controller} controller is not mounted writable at {folder}")
    return problems


def require():
    """Raise `SandboxUnavailable` naming what is missing, unless the sandbox can run here."""
    problems = missing()
    if problems:
        raise SandboxUnavailable(
            "cannot grade in the sandbox on this machine: " + "; ".join(problems)
            + ". Fix that, or pass --no-sandbox only where every notebook is trusted (grades can then be forged)."
        )


def _readable_paths():
    """Host paths the sandbox sees read-only: the system, Python, the environment and the `autograder` package."""
    paths = [Path(sys.base_prefix), Path(sys.prefix), PACKAGE_FOLDER]
    return [path for path in dict.fromkeys(paths) if path.exists()]


def train_only_mnist(cache=Path(tempfile.gettempdir()) / "keras-course-sandbox"):
    """A copy of the course's MNIST holding the training split only, made once (what assignment 3 may read)."""
    import numpy as np

    from autograder.data import _read_arrays, file_sha256

    target = cache / f"mnist-train-{file_sha256()[:12]}.npz"
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        arrays = _read_arrays(MNIST_PATH, ("x_train", "y_train"))
        partial = target.with_suffix(f".{os.getpid()}.npz")
        np.savez(partial, **arrays)
        partial.rename(target)
    return target


class Sandbox:
    """One student's sandbox around `folder` (the notebook's folder), for the time of a `with` block."""

    def __init__(self, folder, limits=Limits(), train_split_only=False, hidden=()):
        self.folder = Path(folder).resolve()
        self.limits = limits
        self.train_split_only = train_split_only
        # Paths of the `autograder` package (relative, glob patterns allowed) that processes inside do not see: a
        # student's kernel never sees the grader's side.
        self.hidden = tuple(hidden)
        # Named after the grader's process: what a sandbox of a grader that is gone left behind can be told apart.
        self.name = f"{SANDBOX_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.scratch = Path(tempfile.mkdtemp(prefix="keras-course-"))
        self.work = self.scratch / "work"
        self.sockets = self.scratch / "sockets"
        self.matplotlib = self.scratch / "matplotlib"
        self.cgroups = [CGROUP_ROOT / controller / CGROUP_PARENT / self.name for controller in ("memory", "pids")]
        self.before = set()
        self.peak_memory = 0
        self.memory_hit = self.processes_hit = False

    # -- setting up and tearing down ----------------------------------------------------

    def __enter__(self):
        require()
        try:
            return self._set_up()
        except BaseException:
            self._tear_down()
            raise

    def _set_up(self):
        for cgroup in self.cgroups:
            cgroup.mkdir(parents=True, exist_ok=True)
        memory, pids = self.cgroups
        (memory / "memory.limit_in_bytes").write_text(str(self.limits.memory_bytes))
        (pids / "pids.max").write_text(str(self.limits.processes))
        self.work.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.limits.disk_bytes},mode=0755,nosuid,nodev",
             self.name, str(self.work)], check=True, capture_output=True,
        )
        for path in self.folder.iterdir():
            if path.is_file() and not path.is_symlink():
                shutil.copy2(path, self.work / path.name)
            elif path.is_dir() and not path.is_symlink():
                shutil.copytree(path, self.work / path.name, symlinks=True)
        self.before = {path.relative_to(self.work) for path in self.work.rglob("*")}
        self.sockets.mkdir()
        shutil.copytree(_matplotlib_cache(), self.matplotlib)
        for path in (self.work, self.sockets, self.matplotlib, *self.matplotlib.iterdir(), *self.work.rglob("*")):
            os.lchown(path, self.limits.uid, self.limits.uid)
        return self

    def __exit__(self, *exc):
        self.kill_all()
        self.memory_hit, self.processes_hit = self.memory_exceeded(), self.processes_exceeded()
        self.peak_memory = int(_read(self.cgroups[0] / "memory.max_usage_in_bytes") or 0)
        try:
            self._copy_back()
        finally:
            self._tear_down()
        return False

    def _tear_down(self):
        """Unmount the private folder, remove the scratch folder and the cgroups (whatever was set up)."""
        self.kill_all()
        if self.work.is_mount():
            subprocess.run(["umount", "-l", str(self.work)], capture_output=True)
        shutil.rmtree(self.scratch, ignore_errors=True)
        for cgroup in self.cgroups:
            _remove_cgroup(cgroup)

    def kill_all(self):
        """Kill every process still in this sandbox's cgroups (whatever it forked or detached)."""
        for _ in range(50):
            pids = self.processes_left()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    def memory_exceeded(self):
        """Did the processes reach the memory limit (the kernel's out-of-memory killer then stops one)?"""
        memory = self.cgroups[0]
        peak = int(_read(memory / "memory.max_usage_in_bytes") or 0)
        return int(_read(memory / "memory.failcnt") or 0) > 0 and peak >= self.limits.memory_bytes * 0.95

    def refused_processes(self):
        """How many times a process or thread was refused because the notebook already ran as many as it may."""
        text = _read(self.cgroups[1] / "pids.events").split()
        return int(text[1]) if len(text) == 2 else 0

    def processes_exceeded(self):
        return self.refused_processes() > 0

    def disk_full(self):
        """Is the notebook's private folder (nearly) full?"""
        usage = shutil.disk_usage(self.work)
        return usage.free < max(usage.total * 0.01, MIB)

    def processes_left(self):
        """The processes still in this sandbox's cgroups."""
        return sorted({int(pid) for cgroup in self.cgroups for pid in _read(cgroup / "cgroup.procs").split()})

    def _copy_back(self):
        """Copy what the notebook wrote (regular files only, no links) into the student's folder.

        At most `disk_bytes` in all, and no sparse file: a file with holes costs the private folder
        nothing and would be written out in full.
        """
        left = self.limits.disk_bytes
        for path in sorted(self.work.rglob("*")):
            relative = path.relative_to(self.work)
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                continue
            target = self.folder / relative
            if path.is_dir():
                if not target.is_symlink():
                    target.mkdir(exist_ok=True)
                continue
            if relative in self.before and relative.suffix == ".ipynb":
                continue  # the notebook itself: nbgrader writes the graded one
            if target.is_symlink() or target.parent.is_symlink():
                continue
            status = path.lstat()
            if is_sparse(status) or status.st_size > left:
                continue
            left -= status.st_size
            shutil.copyfile(path, target, follow_symlinks=False)

    # -- running a command inside ---------------------------------------------------------

    # PYTHONPATH: a kernel finds the `autograder` package where nbgrader's process found it (bound read-only).
    def command(self, argv, env_keys=("PATH", "PYTHONPATH", "LANG", *QUIET_TENSORFLOW, "NBGRADER_EXECUTION",
                                      "OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")):
        """`argv` wrapped so that it runs in this sandbox, with cwd the student's folder (as the host path)."""
        memory, pids = self.cgroups
        bwrap = [
            "bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
            "--clearenv",
        ]
        for key in env_keys:
            if key in os.environ:
                bwrap += ["--setenv", key, os.environ[key]]
        bwrap += ["--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
                  "--setenv", "PYTHONNOUSERSITE", "1"]
        for system in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc"):
            if Path(system).exists():
                bwrap += ["--ro-bind", system, system]
        bwrap += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(256 * MIB), "--tmpfs", "/tmp"]
        readable = _readable_paths()
        targets = [*readable, self.folder, self.sockets]
        for directory in _ancestors(targets):
            bwrap += ["--perms", "0755", "--dir", str(directory)]
        for path in readable:
            bwrap += ["--ro-bind", str(path), str(path)]
        if self.train_split_only:
            bwrap += ["--ro-bind", str(train_only_mnist()), str(MNIST_PATH)]
        for path in hidden_paths(self.hidden):  # an empty folder, or an empty file, in their place
            bwrap += ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)]
        bwrap += ["--bind", str(self.work), str(self.folder), "--bind", str(self.sockets), str(self.sockets),
                  "--bind", str(self.matplotlib), "/tmp/matplotlib", "--chdir", str(self.folder)]
        drop = ["setpriv", f"--reuid={self.limits.uid}", f"--regid={self.limits.uid}", "--clear-groups",
                "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        join = (f'echo $$ > {memory / "cgroup.procs"} && echo $$ > {pids / "cgroup.procs"} && exec "$@"')
        return ["sh", "-c", join, "sandbox", *bwrap, "--", *drop, *argv]


def hidden_paths(patterns):
    """The paths of the `autograder` package that `patterns` (relative to it, glob patterns allowed) name."""
    return sorted({path for pattern in patterns for path in PACKAGE_FOLDER.glob(pattern)})


def grader_of(name):
    """The process id of the grader that made the sandbox (or cgroup) called `name`, or None for another name."""
    pid, _, rest = name.removeprefix(SANDBOX_PREFIX).partition("-")
    return int(pid) if name.startswith(SANDBOX_PREFIX) and pid.isdigit() and rest else None


def _matplotlib_cache():
    """The grader's matplotlib cache folder, with its font list built: each sandbox starts with a copy.

    Without it, every notebook that plots would spend seconds rebuilding the font list.
    """
    import matplotlib
    from matplotlib import font_manager  # noqa: F401 (builds the font list on first import)

    return Path(matplotlib.get_cachedir())


def _ancestors(paths):
    """Every folder above `paths` (not `/`), parents first, for bubblewrap to create world-readable."""
    folders = []
    for path in paths:
        for parent in reversed(Path(path).parents):
            if parent != Path("/") and parent not in folders:
                folders.append(parent)
    return folders


def _read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _remove_cgroup(cgroup):
    for _ in range(50):
        try:
            cgroup.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)
