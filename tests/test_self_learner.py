"""A self-learner's first steps, as README's "Learn on your own" gives them: a pip install, then `keras-course`.

An ordinary user (a Unix account the suite creates) runs the README's commands as written, in
a home folder of its own far from any course checkout, with one difference: `pip install .`
installs the wheel built from this checkout with the wheels `make setup` already downloaded
(`--no-index`, so nothing is fetched), not a build from the registry. Then `keras-course
check` grades the perfect notebook and the untouched one with the scores the instructor's
grading gives them, and says it ran outside the sandbox (an ordinary user cannot run the
sandbox yet, whose limits need root).
"""

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from autograder.assignments import assignment as find_assignment
from autograder.settings import COURSE_ROOT

pytestmark = pytest.mark.slow

LEARNER = "keras-learner"


def VENV(home):  # noqa: N802  (where README's commands put the learner's environment)
    return home / ".venvs" / "keras-course"


ASSIGNMENT = find_assignment("01_fix_simplenet")
# The interpreter the suite's environment was built from: `make setup` picks one every account can run.
BASE_PYTHON = Path(sys._base_executable).resolve()
# What goes into the wheel besides the package: setup.py adds nbgrader_config.py and release/.
WHEEL_SOURCES = ("autograder", "pyproject.toml", "setup.py", "README.md", "nbgrader_config.py", "release")


def the_learner():
    """The learner's Unix account, created once (`make test` runs as root)."""
    try:
        return pwd.getpwnam(LEARNER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--shell", "/bin/sh", LEARNER], check=True)
        return pwd.getpwnam(LEARNER)


def as_learner(user, home, *command, timeout=900):
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=home, env=env,
                          user=user.pw_uid, group=user.pw_gid, extra_groups=[], timeout=timeout)


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    """The course's wheel and every wheel its student side needs, in a folder everyone can read."""
    folder = Path(tempfile.mkdtemp(prefix="keras-course-wheelhouse-"))
    folder.chmod(0o755)
    source = tmp_path_factory.mktemp("wheel-source")
    for name in WHEEL_SOURCES:
        if (COURSE_ROOT / name).is_dir():
            shutil.copytree(COURSE_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(COURSE_ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(folder), str(source)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    dependencies = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    shutil.copy2(COURSE_ROOT / "constraints.txt", folder / "constraints.txt")
    downloaded = subprocess.run([*pip, "download", "--dest", str(folder), "-c", str(folder / "constraints.txt"),
                                 *dependencies], capture_output=True, text=True, timeout=900)
    assert downloaded.returncode == 0, downloaded.stderr[-3000:]
    for path in folder.iterdir():
        path.chmod(0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def learner_home():
    """A home folder of the learner's own, where no course checkout is."""
    user = the_learner()
    home = Path(tempfile.mkdtemp(prefix="keras-learner-"))
    os.chown(home, user.pw_uid, user.pw_gid)
    yield user, home
    shutil.rmtree(home, ignore_errors=True)


def readme_commands():
    """The commands of README's "Learn on your own", in order."""
    section = (COURSE_ROOT / "README.md").read_text().split("## Learn on your own", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def installed(wheelhouse, learner_home):
    """The README's commands run by the learner; `pip install .` from the wheelhouse, offline."""
    user, home = learner_home
    outputs = []
    for command in readme_commands():
        command = command.replace("~", str(home))
        if command.endswith("pip install ."):
            wheel = next(wheelhouse.glob("keras_course_autograder-*.whl"))
            command = command.replace("pip install .", f"pip install --quiet --no-index --find-links {wheelhouse} "
                                      f"-c {wheelhouse / 'constraints.txt'} {wheel}")
        ran = as_learner(user, home, "/bin/sh", "-c", command)
        if ran.returncode != 0 and command.startswith("python3 -m venv") and not shutil.which("python3"):
            pytest.skip("this machine has no python3 on the PATH")
        assert ran.returncode in ((0, 1) if " check " in command else (0,)), (command, ran.stderr[-3000:])
        outputs.append((command, ran))
    return user, home, outputs


def test_the_readmes_commands_install_the_student_side_without_the_instructors(installed):
    """Do the README's commands run as written, installing the student side without Dask, distributed or psycopg?"""
    user, home, outputs = installed
    assert [command.split()[0] for command, _ in outputs] == [
        "python3", f"{VENV(home)}/bin/pip", f"{VENV(home)}/bin/keras-course", f"{VENV(home)}/bin/keras-course",
    ]
    check = outputs[-1][1]
    assert "not sandboxed" not in check.stdout, check.stdout  # an ordinary user's check runs in the sandbox
    listed = as_learner(user, home, VENV(home) / "bin" / "pip", "list", "--format=json")
    names = {package["name"].lower().replace("_", "-") for package in json.loads(listed.stdout)}
    assert {"keras-course-autograder", "nbgrader", "tensorflow-cpu", "jupyterlab"} <= names
    assert not names & {"dask", "distributed", "psycopg"}


def test_a_learner_checks_released_notebooks_outside_any_course(installed):
    """Do `keras-course notebooks` and `keras-course check` work as an ordinary user, in the sandbox (no root), with
    the instructor's scores?"""
    user, home, outputs = installed
    course = VENV(home) / "bin" / "keras-course"
    work = home / "keras-work"
    untouched = work / ASSIGNMENT.name / ASSIGNMENT.filename
    assert str(untouched) in outputs[2][1].stdout and untouched.is_file()
    assert not (work / "source").exists() and "### BEGIN SOLUTION" not in untouched.read_text()
    perfect = work / "perfect" / ASSIGNMENT.filename
    perfect.parent.mkdir()
    shutil.copy2(COURSE_ROOT / "solutions" / ASSIGNMENT.name / ASSIGNMENT.filename, perfect)
    os.chown(perfect.parent, user.pw_uid, user.pw_gid)
    os.chown(perfect, user.pw_uid, user.pw_gid)
    scores = {}
    for name, notebook in (("perfect", perfect), ("untouched", untouched)):
        checked = as_learner(user, home, course, "check", "--json", "--assignment", ASSIGNMENT.name, notebook)
        assert checked.returncode in (0, 1), checked.stderr[-3000:]
        report = json.loads(checked.stdout)
        assert not any(note.startswith("not sandboxed:") for note in report["notes"]), report["notes"]
        scores[name] = {test["grade_id"]: test["points"] for test in report["tests"]}
    autograded = {test.grade_id: test.points for test in ASSIGNMENT.autograded()}
    assert scores["perfect"] == autograded
    untouched_submission = next(submission for submission in ASSIGNMENT.submissions if submission.untouched
                                and submission.student_id == "untouched")
    assert scores["untouched"] == {grade_id: 0.0 if grade_id in untouched_submission.expected_lost else points
                                   for grade_id, points in autograded.items()}


# What `import nbgrader.apps` must not import: jsonschema's IRI parser, until an `iri` format is checked.
IRI_PARSER = ("rfc3987_syntax.syntax_helpers", "lark")
PARSER_USE = (
    "import sys, nbgrader.apps, jsonschema; before = [name for name in {names!r} if name in sys.modules]; "
    "checker = jsonschema.Draft7Validator.FORMAT_CHECKER; "
    "print(before, checker.conforms('http://example.org/a', 'iri'), checker.conforms('not an iri', 'iri'), "
    "all(name in sys.modules for name in {names!r}))"
).format(names=IRI_PARSER)


def test_a_plain_pip_install_imports_no_iri_parser_at_start_up(installed):
    """In the learner's environment, does `import nbgrader.apps` leave jsonschema's IRI parser unimported, and is an
    `iri` format still checked by it when asked?"""
    user, home, _ = installed
    ran = as_learner(user, home, VENV(home) / "bin" / "python", "-c", PARSER_USE)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["[]", "True", "False", "True"], ran.stdout + ran.stderr
