"""Set-up on a stock system: the pinned set resolves with Debian 12's own Python, and the interpreter check speaks.

`make setup` builds `.venv` from the interpreter `tools/pick-python` picks: one of Python 3.11 to 3.13
that every account of the machine can run (Debian's `/usr/bin/python3` first), or none, with a
message naming what it found, what is needed and the command that gets it.
"""

import json
import os
import pwd
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from autograder.settings import COURSE_ROOT

PICK_PYTHON = COURSE_ROOT / "tools" / "pick-python"
DEBIAN_PYTHON = Path("/usr/bin/python3")


def pick(env=None, **variables):
    return subprocess.run([str(PICK_PYTHON)], capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], **(env or {}), **variables})


def every_requirement():
    """The project's requirements, every extra included, as pyproject.toml lists them."""
    project = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *(item for extra in project["optional-dependencies"].values() for item in extra)]


def other_pythons():
    """Python 3.12 and 3.13 as this machine's pyenv offers them (none where it has no pyenv)."""
    found = sorted(Path("/root/.pyenv/versions").glob("3.1[23].*/bin/python3"))
    return {path.parts[-3]: path for path in found}


@pytest.mark.parametrize("version", ["debian", *other_pythons()])
def test_the_pinned_set_resolves_with_each_supported_python(tmp_path, version):
    """Does pip, run by Debian's Python (3.11.2 on Debian 12) and by 3.12 and 3.13, find every pinned package (a
    dry run: no install)?"""
    interpreter = DEBIAN_PYTHON if version == "debian" else other_pythons()[version]
    if not interpreter.is_file():
        pytest.skip(f"this machine has no {interpreter}")
    subprocess.run([str(interpreter), "-m", "venv", str(tmp_path / "venv")], check=True, timeout=120)
    run = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "python"), "-m", "pip", "install", "--dry-run", "--quiet",
         "--disable-pip-version-check", "--report", str(tmp_path / "report.json"),
         "-c", str(COURSE_ROOT / "constraints.txt"), *every_requirement()],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    chosen = {item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
              for item in json.loads((tmp_path / "report.json").read_text())["install"]}
    assert chosen["tensorflow-cpu"] and chosen["nbgrader"] == "0.9.6"
    if subprocess.run([str(interpreter), "-c", "import sys; sys.exit(sys.version_info < (3, 11, 5))"]).returncode:
        assert chosen["soupsieve"] == "2.10"  # the newest that runs before 3.11.5 (constraints.txt's marker)


def test_setup_picks_an_interpreter_every_account_can_run():
    """Does `tools/pick-python` pick a supported interpreter that an account without privileges can run?"""
    run = pick()
    assert run.returncode == 0, run.stderr
    interpreter = run.stdout.strip()
    nobody = pwd.getpwnam("nobody")
    ran = subprocess.run([interpreter, "-c", "import sys, venv; print(sys.version_info[:2])"], capture_output=True,
                         text=True, user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[], cwd="/", timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert (3, 11) <= tuple(int(part) for part in ran.stdout.strip("()\n").split(", ")) <= (3, 13)


def test_an_interpreter_only_its_owner_can_reach_is_skipped(tmp_path):
    """Is a supported Python in a folder only its owner can enter (pyenv's under /root) passed over, with the reason?"""
    private = tmp_path / "home"
    (private / "bin").mkdir(parents=True)
    os.symlink(sys.executable, private / "bin" / "python3")  # this interpreter, as a private path names it
    private.chmod(0o700)
    run = pick(PYTHON_CANDIDATES=str(private / "bin" / "python3"))
    assert run.returncode == 1 and run.stdout == ""
    assert f"{private / 'bin' / 'python3'}: Python {sys.version.split()[0]}, but not every account can run it" in run.stderr


def test_an_old_python_gets_a_message_naming_it_and_what_to_do(tmp_path):
    """Does a Python older than 3.11 stop `make setup` with its version, the versions needed and the command?"""
    old = tmp_path / "python3.10"
    old.write_text('#!/bin/sh\n[ "$1" = -c ] && echo 3.10.13 && exit 0\nexit 1\n')  # answers like Python 3.10
    old.chmod(0o755)
    run = pick(PYTHON=str(old))
    assert run.returncode == 1 and run.stdout == ""
    assert f"{old}: Python 3.10.13, not usable: it needs Python 3.11 to 3.13 with venv and pip" in run.stderr
    assert "apt-get install python3 python3-venv python3-pip" in run.stderr
    assert "make setup PYTHON=" in run.stderr
    missing = pick(PYTHON=str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and f"{tmp_path / 'nowhere'}: not found" in missing.stderr


def test_the_makefile_builds_the_environment_from_the_picked_interpreter():
    """Is `tools/pick-python` what `make setup` calls, so the check cannot be bypassed by a default of its own?"""
    makefile = (COURSE_ROOT / "Makefile").read_text()
    assert 'interpreter=$$(PYTHON="$(PYTHON)" tools/pick-python) && "$$interpreter" -m venv $(VENV)' in makefile
    assert "PYTHON ?=" not in makefile
