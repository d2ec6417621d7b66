"""A sandbox for one student's kernel: bubblewrap namespaces, limits, private size-limited folders.

Everything that runs a student's code starts it through `Sandbox.command` (the kernel of
`nbgrader autograde` through the `SandboxedExecute` stage, hence `keras-course check` too, and
the grader's own processes on a student's files, `autograder/isolation/clean_process.py`).
The same sandbox, whether the grader is root or an ordinary user:

- a keeper (`bwrap ... python -c KEEPER`) holds the sandbox's namespaces and folders for the
  time of the `with` block; each command enters them (enter_sandbox.py, as `nsenter` would), so the kernel
  and the grader's processes of one notebook share its folder, and nothing of it is mounted
  on the grader's machine: it all goes when the keeper goes (it dies with its grader);
- its own PID, network, IPC and UTS namespaces, and as an ordinary user its own user
  namespace, in which no process can make another (bubblewrap's `--disable-userns`): no other
  process is visible, and there is no network at all, loopback included;
  the kernel talks to nbgrader over Unix sockets in a folder of the sandbox (Jupyter's `ipc`
  transport), which the grader reaches through /proc;
- no capabilities, no new privileges; as root, the unprivileged user `SandboxSettings.uid`
  (nobody); as an ordinary user, that user inside its own user namespace;
- the system, Python and the course's environment read-only; of the course only the
  `autograder` package that nbgrader's process imported (read-only, first on the kernel's
  PYTHONPATH, with the training split of MNIST only where the assignment's data allows no
  more); not there at all: `source/`, `solutions/`, the gradebook, the exchange,
  `nbgrader_config.py`, other students' folders, home folders;
- every place it can write is a size-limited tmpfs: its working folder (`disk_bytes`,
  holding a copy of the student's folder), /tmp (`TMP_BYTES`), /dev/shm (`SHM_BYTES`) and
  the socket folder (`SOCKETS_BYTES`); when it closes, only what the caller names (`keep`:
  the notebook's records, a training's results) comes back, bounded in count and size;
- memory, processes and a CPU share (`Limits.cpus` cores) for all its processes together:
  cgroup v1 as root (cgroup_limits.py), rlimits and a watcher as an ordinary user
  (watched_limits.py), each limit reached named in the same words; when the sandbox closes,
  every process still in it is killed.

`missing()` says what a machine lacks to run it, and grading refuses to start then. A
sandbox whose grader was killed leaves at most its scratch folder and, as root, its cgroups:
`remove_leftovers()` (called by every new sandbox) removes those of graders that are gone.
"""

import fnmatch
import functools
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from traitlets import Bool, Float, Integer
from traitlets.config import Configurable

from autograder.environment import QUIET_TENSORFLOW
from autograder.isolation.cgroup_limits import (
    CGROUP_PARENT,
    CGROUP_ROOT,
    CONTROLLERS,
    CgroupLimits,
    missing_controllers,
    remove_cgroup,
)
from autograder.isolation.no_links import open_folder, read_regular_file
from autograder.isolation.watched_limits import WatchedLimits, rlimit_command
from autograder.settings import MNIST_PATH

# The `autograder` package nbgrader's process imported, which the sandbox binds read-only and the kernel imports.
PACKAGE_FOLDER = Path(__file__).resolve().parent.parent
SANDBOX_PREFIX = "sandbox-"
SCRATCH_PREFIX = "keras-course-"
GIB = 1024 ** 3
MIB = 1024 ** 2
# The size of each other writable place in a sandbox, besides its working folder (`disk_bytes`).
TMP_BYTES = 256 * MIB
SHM_BYTES = 64 * MIB
SOCKETS_BYTES = 1 * MIB
# At most this many files come back per kept pattern (a notebook's records: one per cell run).
MAX_KEPT_FILES = 1000
# The devices a sandbox has (what bubblewrap's --dev gives, less a terminal and a writable /dev).
DEVICES = ("null", "zero", "full", "random", "urandom")
# What runs a command in the sandbox's namespaces (util-linux's nsenter cannot enter those of --disable-userns).
ENTER_SANDBOX = Path(__file__).resolve().parent / "enter_sandbox.py"
# Seconds the keeper may take to set up the sandbox.
KEEPER_START_SECONDS = 10
# The keeper: process 1 of the sandbox's PID namespace, which reaps the orphans of the sandbox's processes. Being
# process 1, it takes no signal from inside that it has no handler for: a notebook cannot end its own sandbox.
KEEPER = """
import os, signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
while True:
    signal.sigwaitinfo({signal.SIGCHLD})
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
"""


class SandboxUnavailable(RuntimeError):
    """This machine cannot run students' code in the sandbox: the message says what is missing and how to fix it."""


def machine_memory():
    """The machine's physical memory in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


# A share of the machine that leaves the grader and the other notebooks graded beside this one alive.
DEFAULT_MEMORY_BYTES = min(4 * GIB, machine_memory() // 4)


def given_cpus():
    """The cores a notebook's processes may use together by default: the threads its grader gives its kernel (the
    batch's share of the machine, OMP_NUM_THREADS), else every core."""
    threads = os.environ.get("OMP_NUM_THREADS", "")
    return float(threads) if threads.isdigit() and int(threads) > 0 else float(os.cpu_count() or 1)


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
    cpus = Float(0.0, help=(
        "Processor cores one notebook's processes may use together (a share, not a count of threads); 0: the "
        "threads its grader gives it (keras-course grade: the machine's cores over its workers), else every core."
    )).tag(config=True)
    disk_bytes = Integer(1 * GIB, help="Size of the notebook's private writable folder (bytes).").tag(config=True)
    output_bytes_per_cell = Integer(1 * MIB, help="Output kept per cell (bytes); the rest is cut.").tag(config=True)
    notebook_seconds = Integer(3600, help="Wall-clock time for the whole notebook (seconds).").tag(config=True)
    uid = Integer(65534, help="The unprivileged user the notebook runs as when grading runs as root (nobody).").tag(
        config=True)


@dataclass(frozen=True)
class Limits:
    """What one sandbox may use."""

    memory_bytes: int = DEFAULT_MEMORY_BYTES
    processes: int = 256
    disk_bytes: int = 1 * GIB
    uid: int = 65534
    cpus: float = 0.0  # 0: `given_cpus()` when the sandbox starts

    @classmethod
    def from_settings(cls, settings):
        return cls(settings.memory_bytes, settings.processes, settings.disk_bytes, settings.uid, settings.cpus)

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


def describe_cpus(cpus):
    return f"{cpus:g} core" + ("" if cpus == 1 else "s")


def as_root():
    return os.geteuid() == 0


def missing():
    """What this machine lacks to run the sandbox, as sentences saying how to fix each; empty when it can run."""
    problems = []
    if shutil.which("bwrap") is None:
        problems.append("bubblewrap is not installed: `apt-get install bubblewrap` (Debian's package)")
    for tool in ("setpriv", "setsid", "prlimit"):
        if shutil.which(tool) is None:
            problems.append(f"{tool} is missing: `apt-get install util-linux`")
    if problems:
        return problems
    if as_root():
        return missing_controllers()
    if not user_namespaces_work():
        problems.append(
            "this machine does not let an ordinary user make a user namespace (sysctls "
            "kernel.unprivileged_userns_clone, user.max_user_namespaces, or an AppArmor rule), which the sandbox "
            "needs without root: allow it, or grade as root"
        )
    return problems


def mode():
    """How the sandbox runs for this account on this machine, and which limits hold, in a line for the grading log."""
    if as_root():
        return ("the sandbox as root: the notebook as nobody, its memory, processes and processor share held by "
                "cgroups (v1)")
    import getpass

    return (f"the sandbox as the ordinary user {getpass.getuser()}: the notebook in a user namespace of its own, its "
            "processes held by an rlimit, its memory and processor share by a watcher (every 50 ms, so a burst "
            "between two looks can pass the memory limit briefly)")


@functools.cache
def user_namespaces_work():
    """Can this (ordinary) user run bubblewrap in a user namespace of its own?"""
    probe = ["bwrap", "--unshare-user", "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


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


def _only_mine(path):
    """Is `path` this user's own (not a link), and writable by no one else?"""
    status = path.lstat()
    return status.st_uid == os.geteuid() and not stat.S_ISLNK(status.st_mode) and not status.st_mode & 0o022


def train_only_mnist(cache=None):
    """A copy of the course's MNIST holding the training split only, made once per user (what assignment 3 may read)."""
    import numpy as np

    from autograder.data import _read_arrays, file_sha256

    cache = Path(cache or Path(tempfile.gettempdir()) / f"keras-course-mnist-{os.geteuid()}")
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _only_mine(cache):
        # Someone else made the folder first (its name is easy to guess in the shared /tmp): it could hold any data.
        cache = Path(tempfile.mkdtemp(prefix="keras-course-mnist-"))
    target = cache / f"mnist-train-{file_sha256()[:12]}.npz"
    if not (target.is_file() and _only_mine(target)):
        arrays = _read_arrays(MNIST_PATH, ("x_train", "y_train"))
        partial = target.with_suffix(f".{os.getpid()}.npz")
        np.savez(partial, **arrays)
        partial.rename(target)
    return target


class Sandbox:
    """One student's sandbox around `folder` (the notebook's folder), for the time of a `with` block.

    `keep`: the files that come back to `folder` when the sandbox closes, as patterns relative to
    it with at most one folder (".evidence/*.jsonl"); nothing else the notebook wrote does.
    `hidden`: paths of the `autograder` package (relative, glob patterns allowed) that processes
    inside do not see: a student's kernel never sees the grader's side.
    """

    def __init__(self, folder, limits=Limits(), train_split_only=False, hidden=(), keep=()):
        self.folder = Path(folder).resolve()
        cpus = limits.cpus or given_cpus()
        self.limits = Limits(limits.memory_bytes, limits.processes, limits.disk_bytes, limits.uid, cpus)
        self.train_split_only = train_split_only
        self.hidden = tuple(hidden)
        self.keep = tuple(keep)
        self.as_root = as_root()
        # Named after the grader's process: what a sandbox of a grader that is gone left behind can be told apart.
        self.name = f"{SANDBOX_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.scratch = Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{self.name}"
        # The socket folder: a tmpfs inside the sandbox at this path; on the grader's side a link to it through /proc.
        self.sockets = self.scratch / "sockets"
        self.enforced = (CgroupLimits if self.as_root else WatchedLimits)(self.name, self.limits)
        self.cgroups = list(self.enforced.cgroups.values()) if self.as_root else []
        self.keeper = None
        self.init_pid = None

    @property
    def work(self):
        """The sandbox's working folder as the grader reaches it (through the keeper's view of the files)."""
        return Path(f"/proc/{self.init_pid}/root{self.folder}")

    # -- setting up and tearing down ----------------------------------------------------

    def __enter__(self):
        require()
        remove_leftovers()
        try:
            return self._set_up()
        except BaseException:
            self._tear_down()
            raise

    def _set_up(self):
        self.scratch.mkdir(mode=0o700)
        self._start_keeper()
        self.sockets.symlink_to(f"/proc/{self.init_pid}/root{self.sockets}")
        self.enforced.start(self.init_pid)
        for path in self.folder.iterdir():
            if path.is_file() and not path.is_symlink():
                shutil.copy2(path, self.work / path.name)
            elif path.is_dir() and not path.is_symlink():
                shutil.copytree(path, self.work / path.name, symlinks=True)
        if self.as_root:
            for path in (self.work, *self.work.rglob("*")):
                os.lchown(path, self.limits.uid, self.limits.uid)
        return self

    def _start_keeper(self):
        """Start bubblewrap holding the sandbox's namespaces and folders; wait until its folders are mounted."""
        info_read, info_write = os.pipe()
        try:
            self.keeper = subprocess.Popen(
                [*self._keeper_command(info_write), "--", sys.executable, "-I", "-S", "-c", KEEPER],
                pass_fds=(info_write,),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            os.close(info_write)
            info_write = None
            with os.fdopen(info_read, "rb") as info:
                info_read = None
                text = info.read(4096)
            self.init_pid = json.loads(text or b"{}").get("child-pid")
        finally:
            for descriptor in (info_read, info_write):
                if descriptor is not None:
                    os.close(descriptor)
        deadline = time.monotonic() + KEEPER_START_SECONDS
        while self.init_pid is None or not _mounted_in(self.init_pid, self.sockets):
            if self.keeper.poll() is not None or time.monotonic() > deadline:
                error = self.keeper.stderr.read().decode(errors="replace").strip() if self.keeper.poll() is not None else ""
                raise SandboxUnavailable(f"bubblewrap could not set up the sandbox: {error or 'it did not start in time'}")
            time.sleep(0.01)

    def __exit__(self, *exc):
        self.kill_all()  # nothing of the notebook changes its files while they are copied back
        try:
            self._copy_back()
        finally:
            self._tear_down()
        return False

    def _tear_down(self):
        """Stop the keeper (the sandbox's folders go with it), remove the scratch folder, end the limits (the cgroups)."""
        self.kill_all()
        if self.keeper is not None:
            if self.init_pid:
                _kill(self.init_pid)
            self.keeper.kill()
            self.keeper.wait()
            self.keeper.stderr.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.enforced.close()

    def kill_all(self):
        """Kill every process still in this sandbox (whatever it forked or detached), but its keeper."""
        for _ in range(50):
            pids = self.processes_left()
            if not pids:
                return
            for pid in pids:
                _kill(pid)
            time.sleep(0.05)

    def memory_exceeded(self):
        """Did the processes reach the memory limit (one of them was then stopped)?"""
        return self.enforced.memory_exceeded()

    def refused_processes(self):
        """How many times a process or thread was refused because the notebook already ran as many as it may."""
        return self.enforced.refused_processes()

    def processes_exceeded(self):
        return self.refused_processes() > 0

    def held_back_seconds(self):
        """How long the processes were held back for using more than their share of the processor."""
        return self.enforced.held_back_seconds()

    def disk_full(self):
        """Is the notebook's private folder (nearly) full?"""
        try:
            usage = shutil.disk_usage(self.work)
        except OSError:
            return False
        return usage.free < max(usage.total * 0.01, MIB)

    def processes_left(self):
        """The processes still in this sandbox, but its keeper."""
        return self.enforced.processes()

    def give(self, path):
        """Make `path` (a file the grader wrote into the sandbox) the sandbox user's: as root, it is root's."""
        if self.as_root:
            os.chown(path, self.limits.uid, self.limits.uid)

    def _copy_back(self):
        """Copy the files `keep` names from the sandbox into the student's folder: regular files only, no links.

        At most `MAX_KEPT_FILES` per pattern (in order of name length, then name: records numbered by
        cell come in order), `disk_bytes` in all, and no sparse file (a file with holes costs the
        private folder nothing and would be written out in full). Nothing else is looked at.
        """
        if self.init_pid is None or not _mounted_in(self.init_pid, self.sockets):
            return
        left = self.limits.disk_bytes
        for pattern in self.keep:
            folder, _, name_pattern = pattern.rpartition("/")
            for name, status in _files_matching(self.work, folder, name_pattern):
                if is_sparse(status) or status.st_size > left:
                    continue
                target = self.folder / folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink() or target.parent.is_symlink():
                    continue
                content = read_regular_file(self.work, _parts(folder), name, status.st_size)
                if content is None:
                    continue
                left -= len(content)
                target.write_bytes(content)

    # -- the sandbox's namespaces and folders ---------------------------------------------

    def _keeper_command(self, info_fd):
        """bubblewrap's words for the sandbox: namespaces, read-only system, size-limited private folders."""
        bwrap = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                 "--as-pid-1", "--die-with-parent", "--new-session", "--hostname", "sandbox", "--cap-drop", "ALL",
                 "--info-fd", str(info_fd)]
        if not self.as_root:  # a user namespace of its own, in which no process can make another
            bwrap[1:1] = ["--unshare-user", "--disable-userns"]
        for system in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc"):
            if Path(system).exists():
                bwrap += ["--ro-bind", system, system]
        bwrap += ["--proc", "/proc", "--dir", "/dev"]
        for device in DEVICES:
            bwrap += ["--dev-bind", f"/dev/{device}", f"/dev/{device}"]
        for link, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2")):
            bwrap += ["--symlink", target, f"/dev/{link}"]
        bwrap += _sized_tmpfs("/dev/shm", SHM_BYTES) + _sized_tmpfs("/tmp", TMP_BYTES)
        readable = _readable_paths()
        # The folders above the sandbox's own are read-only for every user (as an ordinary user's sandbox, the
        # user would own them, and those under /tmp would take files outside the notebook's folder).
        for directory in _ancestors([*readable, self.folder, self.sockets]):
            if directory != Path("/tmp"):
                bwrap += ["--perms", "0555", "--dir", str(directory)]
        for path in readable:
            bwrap += ["--ro-bind", str(path), str(path)]
        if self.train_split_only:
            bwrap += ["--ro-bind", str(train_only_mnist()), str(MNIST_PATH)]
        for path in hidden_paths(self.hidden):  # an empty read-only folder, or an empty file, in their place
            bwrap += ["--tmpfs", str(path), "--remount-ro", str(path)] if path.is_dir() else [
                "--ro-bind", "/dev/null", str(path)]
        bwrap += ["--perms", "0777", "--dir", "/tmp/matplotlib"]
        for cached in _matplotlib_cache().iterdir():  # the font list, read-only: matplotlib reads it, writes beside it
            if cached.is_file():
                bwrap += ["--ro-bind", str(cached), f"/tmp/matplotlib/{cached.name}"]
        bwrap += _sized_tmpfs(str(self.folder), self.limits.disk_bytes, "0755")
        bwrap += _sized_tmpfs(str(self.sockets), SOCKETS_BYTES, "0777")
        return bwrap

    # -- running a command inside ---------------------------------------------------------

    def command(self, argv, env_keys=("PATH", "LANG", *QUIET_TENSORFLOW, "NBGRADER_EXECUTION",
                                      "OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"), env=None):
        """`argv` wrapped so that it runs in this sandbox, with cwd the student's folder (as the host path).

        Its environment: this process's `env_keys`, then `env` (more variables, given by the grader)."""
        enter = [sys.executable, "-I", "-S", str(ENTER_SANDBOX), str(self.init_pid)]
        environment = {key: os.environ[key] for key in env_keys if key in os.environ}
        environment.update(env or {})
        # The kernel imports the package the sandbox binds: the one nbgrader's process imported, whatever the
        # kernel's interpreter would find first (another checkout, an installed copy).
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(PACKAGE_FOLDER.parent), *filter(None, [os.environ.get("PYTHONPATH")])])
        environment.update(HOME="/tmp", MPLCONFIGDIR="/tmp/matplotlib", PYTHONNOUSERSITE="1")
        # env changes to the student's folder once inside (the enterer starts where the grader is).
        clean_environment = ["env", "-i", f"--chdir={self.folder}", *(f"{key}={value}" for key, value in environment.items())]
        rlimits = rlimit_command(self.limits, WatchedLimits.uncounted_processes) if not self.as_root else [
            "prlimit", "--core=0", f"--fsize={self.limits.disk_bytes}", "--"]
        drop = ["setpriv", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        if self.as_root:
            drop[1:1] = [f"--reuid={self.limits.uid}", f"--regid={self.limits.uid}", "--clear-groups"]
        # setsid: the command leads a session and process group of its own, inside, as the child of a process of
        # the sandbox (its parent there; as root, one the sandbox's user cannot signal), never of the grader's nsenter.
        session = ["setsid", "--fork", "--wait"]
        return [*self.enforced.join_command(), *enter, *session, *clean_environment, *rlimits, *drop, *argv]


def _sized_tmpfs(path, size, perms="1777"):
    return ["--perms", perms, "--size", str(size), "--tmpfs", path]


def _mounted_in(pid, path):
    """Has the sandbox of process `pid` its own folder at `path` yet (a tmpfs that is not the grader's)?"""
    try:
        return os.stat(f"/proc/{pid}/root{path}").st_dev != os.stat(f"/proc/{pid}/root/").st_dev and os.path.isdir(
            f"/proc/{pid}/root{path}")
    except OSError:
        return False


def _files_matching(root, folder, name_pattern):
    """(name, stat) of at most `MAX_KEPT_FILES` regular files in `root/folder` matching `name_pattern`, by name.

    The folder is opened without following links and read once; nothing below it is looked at.
    """
    try:
        descriptor = open_folder(root, *_parts(folder))
    except OSError:
        return []
    try:
        found = []
        for entry in os.scandir(descriptor):
            if fnmatch.fnmatchcase(entry.name, name_pattern):
                found.append(entry.name)
                if len(found) > 100 * MAX_KEPT_FILES:  # a folder of junk: the first ones in its own order
                    break
        kept = []
        for name in sorted(found, key=lambda name: (len(name), name))[:MAX_KEPT_FILES]:
            status = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
            if stat.S_ISREG(status.st_mode):
                kept.append((name, status))
        return kept
    finally:
        os.close(descriptor)


def _parts(folder):
    return [part for part in folder.split("/") if part]


def hidden_paths(patterns):
    """The paths of the `autograder` package that `patterns` (relative to it, glob patterns allowed) name."""
    return sorted({path for pattern in patterns for path in PACKAGE_FOLDER.glob(pattern)})


def grader_of(name):
    """The process id of the grader that made the sandbox (or cgroup, or scratch folder) called `name`, or None."""
    name = name.removeprefix(SCRATCH_PREFIX)
    pid, _, rest = name.removeprefix(SANDBOX_PREFIX).partition("-")
    return int(pid) if name.startswith(SANDBOX_PREFIX) and pid.isdigit() and rest else None


def remove_leftovers():
    """Remove what sandboxes of graders that are gone left: their scratch folders and, as root, their cgroups.

    Their processes went with their keepers (a keeper dies with its grader, and every process of
    a sandbox with its keeper); a folder or cgroup of a grader that still runs is left alone.
    """
    for path in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{SANDBOX_PREFIX}*"):
        grader = grader_of(path.name)
        if grader is not None and not _alive(grader) and path.lstat().st_uid == os.geteuid():
            shutil.rmtree(path, ignore_errors=True)
    if as_root():
        for controller in CONTROLLERS:
            for cgroup in (CGROUP_ROOT / controller / CGROUP_PARENT).glob(f"{SANDBOX_PREFIX}*"):
                grader = grader_of(cgroup.name)
                if grader is not None and not _alive(grader):
                    remove_cgroup(cgroup)


def _alive(pid):
    return Path(f"/proc/{pid}").exists()


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _matplotlib_cache():
    """The grader's matplotlib cache folder, with its font list built: each sandbox reads it.

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


if __name__ == "__main__":
    # `python -m autograder.isolation.sandbox`: can this account grade in the sandbox here, and how.
    if missing():
        print("; ".join(missing()))
        sys.exit(1)
    print(mode())
