"""Hostile submissions graded in one batch with honest students: the sandbox holds against each attack.

One `nbgrader autograde` run per assignment (the course's configuration, the real sandbox)
grades honest students before and after the attackers of `tests/hostile.py`, with small
limits so that each attack reaches them quickly. For every
attack the test asserts: the attacker was graded, with the reason in words; the honest
students' grades are what they are alone; no file outside the attacker's own folder changed
(the course, the package and the environment, by checksum); no process of the sandbox is
left; nothing was written outside.
"""

import hashlib
import html
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import autograder
from autograder.assignments import assignment
from autograder.assignments.submission import build_notebook, reference, untouched
from autograder.cells import grade_id_of, is_test, split_at_hidden_tests
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.grading.results import read_results
from autograder.isolation.sandbox import CGROUP_PARENT, CGROUP_ROOT, SANDBOX_PREFIX, grader_of
from autograder.settings import COURSE_ROOT
from tests import grading_runs
from tests.hostile import A2 as A2_NAME
from tests.hostile import CELL_TIMEOUT_SECONDS, HONEST, HOSTILE, LIMITS, READ_HISTORY_HEADING, hostile_code

pytestmark = pytest.mark.slow

HONEST_STUDENTS = ("aaa_honest", "zzz_honest")
# The account a sandbox runs students' code as when grading runs as root.
SANDBOX_USER = 65534
OUTSIDE_MARK = Path("/tmp/keras-course-hostile-was-here")
SECRET = "do-not-show-this-to-students"


def fingerprint(folder, skip=()):
    """{path: sha256} of every file under `folder` but those under `skip` (relative folder names)."""
    prints = {}
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder)
        if any(relative.parts[:len(Path(part).parts)] == Path(part).parts for part in skip):
            continue
        if path.is_file() and not path.is_symlink():
            prints[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def environment_fingerprint():
    """Size, mode and modification time of every file (and link) of the venv and the package: what every kernel imports.

    Folders are left out: Python writes `__pycache__/` into them whenever a process of the suite (another test, on
    the other core) imports a module first, which changes the folder's time, not what is imported.
    """
    prints = {}
    for root in (Path(sys.prefix), Path(autograder.__file__).resolve().parent):
        for path in root.rglob("*"):
            if "__pycache__" in path.parts or (path.is_dir() and not path.is_symlink()):
                continue
            info = path.lstat()
            prints[str(path)] = (info.st_size, info.st_mode, info.st_mtime_ns)
    return prints


def alive(pid):
    return Path(f"/proc/{pid}").exists()


def sandbox_of(pid):
    """The sandbox (memory cgroup name) process `pid` runs in, or "" for none."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return ""
    found = [line.rsplit("/", 1)[-1] for line in lines if f"/{CGROUP_PARENT}/" in line and ":memory:" in line]
    return found[0] if found else ""


def sandbox_processes(user=SANDBOX_USER):
    """Processes of the sandbox's user still running, and cgroups of sandboxes still there, whose grader is gone.

    Another test may grade at the same time (`make test` runs on both cores): its sandboxes' graders run.
    """
    users = subprocess.run(["ps", "-u", str(user), "-o", "stat=,pid=,args="], capture_output=True, text=True).stdout
    left = []
    for line in users.splitlines():
        stat, pid, *_ = line.split() or ["Z", "0"]
        grader = grader_of(sandbox_of(pid))
        # A killed process can stay a zombie until the machine's init reaps it: it runs nothing.
        if not stat.startswith("Z") and not (grader is not None and alive(grader)):
            left.append(line.strip())
    cgroups = [path.name for controller in ("memory", "pids")
               for path in (CGROUP_ROOT / controller / CGROUP_PARENT).glob(f"{SANDBOX_PREFIX}*")
               if not alive(grader_of(path.name) or 0)]
    return left, cgroups


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The hostile batch graded by root (tests/test_hostile_as_user.py grades it as an ordinary user)."""
    return grade_hostile_batch(copy_course(tmp_path_factory.mktemp("hostile")), run_nbgrader)


def grade_hostile_batch(course, nbgrader, sandbox_user=SANDBOX_USER, attacks=HOSTILE):
    """Grade the honest students and the `attacks` of every assignment in `course` with `nbgrader(course, *args, check)`.

    `sandbox_user`: the account the sandboxes' processes run as (nobody under root; the grader's
    own account when it grades as an ordinary user).
    """
    server = socket.create_server(("127.0.0.1", 0))  # the loopback server the network attack aims at
    port = server.getsockname()[1]
    assignments = sorted({hostile.assignment for hostile in attacks})
    for name in assignments:
        nbgrader(course, "generate_assignment", name, "--force")
        owner = assignment(name)
        release, source = (course / stage / name / owner.filename for stage in ("release", "source"))
        for student in HONEST_STUDENTS:
            honest = reference(owner) if honest_kind(student, name) == "reference" else untouched(owner)
            write(course, name, student, build_notebook(honest, release, source))
        for hostile in attacks:
            if hostile.assignment == name:
                nb = nbformat.read(release, as_version=4)
                for cell in nb.cells:
                    if grade_id_of(cell) == hostile.cell:
                        cell.source = hostile_code(hostile, port)
                write(course, name, hostile.student_id, nb)
    OUTSIDE_MARK.unlink(missing_ok=True)
    left_before = sandbox_processes(sandbox_user)  # what graders that are gone left before this batch (not this batch's)
    outputs = ("gradebook.db", "autograded", "feedback")
    before = fingerprint(course, skip=outputs), environment_fingerprint()
    os.environ["KERAS_COURSE_GRADER_SECRET"] = SECRET
    limits = [f"--SandboxSettings.{name}={value}" for name, value in LIMITS.items()]
    try:
        for name in assignments:
            attackers = sum(hostile.assignment == name for hostile in attacks)
            with grading_runs.timed(f"hostile: autograde {name}, {len(HONEST_STUDENTS)} honest and {attackers} hostile"):
                nbgrader(course, "autograde", name, "--force", f"--Execute.timeout={CELL_TIMEOUT_SECONDS}", *limits,
                         check=False)
            with grading_runs.timed(f"hostile: generate_feedback {name}"):
                nbgrader(course, "generate_feedback", name, "--force", check=False)
    finally:
        os.environ.pop("KERAS_COURSE_GRADER_SECRET")
        server.close()
    after = fingerprint(course, skip=outputs), environment_fingerprint()
    students = [(student, name) for name in assignments for student in HONEST_STUDENTS]
    students += [(hostile.student_id, hostile.assignment) for hostile in attacks]
    results = {(student, name): read_results(course, name, assignment(name).notebook, student)
               for student, name in students}
    left = tuple([item for item in found if item not in earlier]
                 for found, earlier in zip(sandbox_processes(sandbox_user), left_before))
    return dict(course=course, before=before, after=after, results=results, left=left, outside=OUTSIDE_MARK.exists(),
                as_root=sandbox_user == SANDBOX_USER, attacks=attacks)


def write(course, name, student, nb):
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / assignment(name).filename)


def graded_file(course, student, name, stage="autograded", suffix=".ipynb"):
    return course / stage / student / name / f"{assignment(name).notebook}{suffix}"


def honest_kind(student, name):
    """What honest `student` hands in for assignment `name`: the reference after the attackers where HONEST says so,
    else the release untouched."""
    return HONEST[name] if student == HONEST_STUDENTS[-1] else "untouched"


def honest_as_alone(results, name):
    """Are the honest students of assignment `name` graded as their notebooks deserve: all or none passing?"""
    for student in HONEST_STUDENTS:
        graded = results[(student, name)]
        assert graded is not None, (student, name)
        expected = honest_kind(student, name) == "reference"
        assert all(result.passed == expected for result in graded), (student, name, graded)


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda hostile: hostile.student_id)
def test_an_attack_costs_only_the_attacker(batch, hostile):
    """Is the attacker graded with a reason in words, and everything around it as if it had not been there?"""
    if hostile not in batch["attacks"]:
        pytest.skip("this attack is stopped the same way whoever grades: root's batch grades it")
    key = (hostile.student_id, hostile.assignment)
    assert batch["results"][key] is not None, f"{hostile.student_id} was not graded"
    graded = graded_file(batch["course"], *key).read_text()
    assert (hostile.reason if batch["as_root"] else hostile.reason_as_user) in graded, hostile.attack
    assert SECRET not in graded
    honest_as_alone(batch["results"], hostile.assignment)
    course_before, environment_before = batch["before"]
    course_after, environment_after = batch["after"]
    assert course_after == course_before, "a file of the course outside the autograde outputs changed"
    changed = {path for path in environment_before.keys() | environment_after.keys()
               if environment_before.get(path) != environment_after.get(path)}
    assert not changed, sorted(changed)[:10]
    assert batch["left"] == ([], []), "processes or cgroups of a sandbox are left"
    assert not batch["outside"], f"{OUTSIDE_MARK} was written from inside a sandbox"


def test_no_grade_was_set_by_hand(batch):
    """Is no grade of the batch a manual score (what a forged gradebook row would be)?"""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{batch['course'] / 'gradebook.db'}") as gradebook:
        manual = [
            (student, grade.name)
            for student, name in batch["results"]
            for notebook in gradebook.find_submission(name, student).notebooks
            for grade in notebook.grades if grade.manual_score is not None
        ]
    assert manual == []


def test_the_feedback_of_every_student_was_written(batch):
    for student, name in batch["results"]:
        assert graded_file(batch["course"], student, name, "feedback", ".html").is_file(), (student, name)


def test_what_a_notebook_made_in_its_folder_stays_in_its_sandbox(batch):
    """The students who made 100,000 files or a 1,500-deep tree are graded, and their graded folders hold only what
    nbgrader wrote: the notebook, and no file or folder the notebook made."""
    for student in ("many_files", "deep_tree"):
        folder = graded_file(batch["course"], student, A2_NAME).parent
        assert sorted(path.name for path in folder.iterdir()) == [f"{assignment(A2_NAME).notebook}.ipynb"], student


def hidden_test_lines(name):
    """The code lines of assignment `name`'s hidden tests that say something (not a comment, not a lone bracket), as the
    source notebook holds them."""
    lines = set()
    for cell in nbformat.read(COURSE_ROOT / "source" / name / assignment(name).filename, as_version=4).cells:
        if is_test(cell):
            hidden = split_at_hidden_tests(cell.source)[1]
            lines |= {line.strip() for line in hidden.splitlines()
                      if re.search(r"\w\w", line) and not line.strip().startswith("#")}
    return lines


def test_no_hidden_test_line_reaches_a_notebook_that_reads_its_kernels_history(batch):
    """The hidden parts of assignment 2's DenseLayer tests ran (their points are the reference's), and the student's
    cells that print the kernel's input history and linecache show the visible test lines, none of the hidden ones,
    in the graded notebook's outputs and in the feedback page."""
    key = ("read_history", A2_NAME)
    dense_tests = {"dense_layer_forward", "dense_layer_any_input"}
    assert {result.grade_id for result in batch["results"][key] if result.passed} >= dense_tests
    graded = nbformat.read(graded_file(batch["course"], *key), as_version=4)
    shown = "\n".join(text for cell in graded.cells for output in cell.get("outputs", []) for text in (
        output.get("text", ""), output.get("evalue", ""), *output.get("traceback", []),
        *output.get("data", {}).values()))
    feedback = html.unescape(graded_file(batch["course"], *key, "feedback", ".html").read_text())
    # The attack read both places: a visible test line is in each.
    assert READ_HISTORY_HEADING in shown
    assert "In: check_dense_forward(DenseLayer)" in shown and "linecache: check_dense_forward(DenseLayer)" in shown
    hidden = hidden_test_lines(A2_NAME)
    assert 'check_dense_activations(DenseLayer, ["tanh", "softmax", keras.activations.sigmoid])' in hidden
    assert [line for line in hidden if line in shown or line in feedback] == []
