"""Run the real nbgrader commands on a course folder: the one runner of the course.

`keras-course check`, `keras-course grade`, the demo and the test suite all run nbgrader
through `run_nbgrader`, as a child process with the course's environment
(`autograder.environment`), which ends with its parent.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from autograder.environment import child_environment
from autograder.settings import COURSE_ROOT


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error."""


def _ending_with_parent(command):
    """`command` run so that it ends when the process that started it dies (util-linux's `setpriv --pdeathsig`).

    A Dask worker killed in the middle of a student then leaves no nbgrader grading on behind it.
    The signal is SIGINT: Python turns it into KeyboardInterrupt, so nbgrader still closes the
    sandbox (its processes and cgroups) on the way out, which SIGTERM would not let it do.
    Where `setpriv` is missing, the command runs as it is.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "INT", "--", *command] if setpriv else command


def run_nbgrader(course_dir, *args, check=True, on_line=None, env=None):
    """Run `nbgrader ARGS` in `course_dir`; return its log lines (stdout and stderr, in order).

    Each line goes to `on_line` as it comes. With `check`, an exit code other than 0 raises
    `NbgraderFailed` (autograde exits 1 when a kernel died, and still grades the others).
    `env` adds variables to nbgrader's environment.
    """
    process = subprocess.Popen(
        _ending_with_parent([sys.executable, "-m", "nbgrader", *args]), cwd=course_dir,
        env=child_environment(env),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if on_line:
            on_line(lines[-1])
    process.wait()
    if check and process.returncode != 0:
        raise NbgraderFailed(f"`nbgrader {' '.join(args)}` exited {process.returncode}:\n" + "\n".join(lines)[-3000:])
    return lines


def copy_course(destination):
    """Copy the course (config, source and release) to `destination`, for grading runs that must not touch this one."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(COURSE_ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    for folder in ("source", "release"):
        shutil.copytree(COURSE_ROOT / folder, destination / folder, dirs_exist_ok=True)
    return destination
