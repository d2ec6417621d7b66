"""Ordinary Unix accounts the suite creates (`make test` runs as root) and runs commands as.

Grading and `keras-course check` must work as an ordinary user: the tests that say so run
their commands here as one of these accounts, with its own home folder and none of root's
groups.
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.environment import child_environment
from autograder.grading.nbgrader_commands import NbgraderFailed

# The instructor's account on a shared machine, grading without root: the hostile batch's (tests/test_hostile_as_user.py),
# which takes every process of its account still running after the batch for one a sandbox left behind, so no other
# test may use it. Each other test that grades as an ordinary user has an account of its own.
GRADER = "keras-grader"
SANDBOX_TESTER = "keras-sandbox-tester"  # tests/test_sandbox_as_user.py
CPU_GRADER = "keras-cpu-grader"  # tests/test_cpu_share.py


def account(name):
    """The account `name` (a system account with its own group), created if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--shell", "/bin/sh", name], check=True)
        return pwd.getpwnam(name)


def home_of(user, parent=None):
    """A fresh home folder for `user` (a pwd entry), owned by it."""
    home = Path(tempfile.mkdtemp(prefix=f"{user.pw_name}-", dir=parent))
    os.chown(home, user.pw_uid, user.pw_gid)
    return home


def give(folder, user):
    """Make everything under `folder` `user`'s (a course copy the account grades)."""
    for path in [Path(folder), *Path(folder).rglob("*")]:
        os.lchown(path, user.pw_uid, user.pw_gid)


def run_as(user, home, command, cwd, env=None, timeout=1800):
    """Run `command` as `user` with `home` as its home, in `cwd`, with the course's environment; the finished process."""
    environment = {**child_environment(env), "HOME": str(home), "USER": user.pw_name, "LOGNAME": user.pw_name}
    return subprocess.run([str(part) for part in command], cwd=cwd, env=environment, capture_output=True, text=True,
                          user=user.pw_uid, group=user.pw_gid, extra_groups=[], timeout=timeout)


def nbgrader_as(user, home):
    """`run_nbgrader` as `user` (with `home` as its home): the same call, `nbgrader ARGS` in a course, its log lines.

    With `check`, an exit code other than 0 raises `NbgraderFailed`, as `run_nbgrader` does. The account is
    `.user` of the function returned."""
    def run(course, *args, check=True, env=None):
        ran = run_as(user, home, [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env)
        lines = (ran.stdout + ran.stderr).splitlines()
        if check and ran.returncode != 0:
            raise NbgraderFailed(f"`nbgrader {' '.join(args)}` as {user.pw_name} exited {ran.returncode}:\n"
                                 + "\n".join(lines)[-3000:])
        return lines

    run.user = user
    return run


def remove(folder):
    shutil.rmtree(folder, ignore_errors=True)
