"""`keras-course grade`: a class graded on a real Dask cluster and recorded by one writer, as `nbgrader autograde` grades it.

Real Dask over TLS (a `LocalCluster`, and a `dask scheduler` with `dask worker` processes on
127.0.0.1 started as `keras-course certificates` says, `tests/tls_cluster.py`), real nbgrader
and real sandboxed kernels. Each result is compared, test by test, with the same students
graded serially by `nbgrader autograde` (`serially`, once for the module).
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import assignment as find_assignment
from autograder.demo import write_submissions
from autograder.grading.batch import BatchError, BatchProgress, BatchSummary, grade_class
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.grading.one_student import THREAD_VARIABLES, CourseFiles, StudentFiles, grade_student
from autograder.grading.results import read_results
from tests.conftest import grade_once
from tests.postgres import gradebook_scores
from tests.tls_cluster import tls_cluster

pytestmark = pytest.mark.slow

A1 = "01_fix_simplenet"
NOTEBOOK = find_assignment(A1).notebook
BIN = Path(sys.executable).parent


# The demo students the batch grades: a mistake, one who passes all but the accuracy test (trained too little, where
# the reference's five epochs would add their seconds to every batch of these tests) and the untouched release.
STUDENTS = ("little_data", "no_flatten", "untouched")  # in the order a batch reports them


@pytest.fixture(scope="module")
def serially(tmp_path_factory):
    """`STUDENTS` graded by `nbgrader autograde`, one after another: what every batch must record."""
    return grade_once(tmp_path_factory, "serial",
                      [submission for submission in find_assignment(A1).submissions if submission.student_id in STUDENTS])


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A copy of the course with assignment 1 generated into its SQLite gradebook, copied by each test."""
    course = copy_course(tmp_path_factory.mktemp("generated") / "course")
    run_nbgrader(course, "generate_assignment", A1, "--force")
    return course


def make_course(folder, students, config="", generated=None):
    """A copy of the course with assignment 1 generated and the named demo students' submissions in submitted/.

    With `generated` (a course where it is generated, into the gradebook `config` keeps), that course is copied.
    """
    course = Path(shutil.copytree(generated, folder)) if generated is not None else copy_course(folder)
    if config:
        with open(course / "nbgrader_config.py", "a") as file:
            file.write("\n" + config + "\n")
    if generated is None:
        run_nbgrader(course, "generate_assignment", A1, "--force")
    write_submissions(course, [submission for submission in find_assignment(A1).submissions
                               if submission.student_id in students])
    return course


def results(course, students):
    """{student: [(grade id, points, message)]} as recorded in the gradebook the course names, and autograded/."""
    return {student: [(result.grade_id, result.points, result.message)
                      for result in read_results(course, A1, NOTEBOOK, student)] for student in students}


def serial(serially, students):
    """The same, as `nbgrader autograde` graded them one student after another."""
    return {student: [(result.grade_id, result.points, result.message)
                      for result in serially.results[(student, A1)]] for student in students}


def graded_students(summary):
    return sorted(entry["student"] for entry in summary.graded)


def test_a_local_cluster_records_in_postgresql_what_nbgrader_autograde_records(tmp_path, serially, postgres):
    """Graded on a LocalCluster and recorded by the one writer in a PostgreSQL gradebook: are the results and the
    gradebook's rows those of serial `nbgrader autograde` (SQLite), for nbgrader's own tools too?"""
    students = STUDENTS
    url = postgres.new_database("batch_grading")
    course = make_course(tmp_path / "course", students, config=f"c.CourseDirectory.db_url = {url!r}")
    summary = grade_class(course, A1, workers=2)
    assert summary.scheduler.startswith("tls://127.0.0.1:")  # the LocalCluster too is reached over TLS only
    assert (graded_students(summary), summary.failed, summary.skipped) == (list(students), [], [])
    assert results(course, students) == serial(serially, students)
    recorded = gradebook_scores(url)[A1]
    assert recorded == gradebook_scores(f"sqlite:///{serially.course(A1) / 'gradebook.db'}")[A1]
    assert not (course / "gradebook.db").exists()  # the course's own SQLite file was never made
    # nbgrader's own tools read what the one writer recorded, and its own autograde writes the same rows.
    run_nbgrader(course, "generate_feedback", A1)
    assert (course / "feedback" / "little_data" / A1 / f"{NOTEBOOK}.html").is_file()
    run_nbgrader(course, "autograde", A1, "--student", "untouched", "--force")
    assert gradebook_scores(url)[A1] == recorded
    run_nbgrader(course, "export")
    with open(course / "grades.csv") as file:
        exported = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(file)}
    owner = find_assignment(A1)
    earned = {s.student_id: sum(test.points for test in owner.autograded() if test.grade_id not in s.expected_lost)
              for s in owner.submissions if s.student_id in STUDENTS}
    assert exported == earned and earned["little_data"] > earned["no_flatten"] > earned["untouched"] == 0

    again = grade_class(course, A1, workers=1)
    assert (again.graded, sorted(again.skipped)) == ([], list(students))

    (course / "submitted" / "untouched" / A1 / "timestamp.txt").write_text("2026-11-29 12:00:00.000000 UTC")
    changed = grade_class(course, A1, workers=1)
    assert (graded_students(changed), sorted(changed.skipped)) == (["untouched"], ["little_data", "no_flatten"])

    forced = grade_class(course, A1, students=("no_flatten",), workers=1, force=True)
    assert graded_students(forced) == ["no_flatten"]
    assert results(course, students) == serial(serially, students)


def test_each_kernel_gets_the_threads_it_is_given(tmp_path, generated):
    course = make_course(tmp_path / "course", (), generated=generated)
    _with_answer(course, "threads", "import os\nprint([os.environ.get(name) for name in "
                 "('OMP_NUM_THREADS', 'TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS')])")
    files = CourseFiles.of(course, A1)
    submission = StudentFiles.of(course, A1, "threads")
    printed = {}
    for threads in (3, None):
        graded = grade_student(files, submission, threads=threads, cache=tmp_path / "cache")
        nb = nbformat.reads(graded.files[f"{NOTEBOOK}.ipynb"].decode(), as_version=4)
        (answer,) = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "prepare_data"]
        printed[threads] = "".join(output.get("text", "") for output in answer.outputs)
    assert printed[3].strip() == "['3', '3', '3']"
    assert printed[None].strip() == str([os.environ.get(name) for name in THREAD_VARIABLES])


def test_the_progress_line_says_done_longest_running_failures_and_time_left():
    state = BatchProgress(total=4, workers=2)
    assert state.line() == "0/4 students · 0 not graded"
    state.see_started([(time.time() - 30, {"student": "alice"}), (time.time() - 5, {"student": "bob"})])
    state.finish("bob", failed=True, said="bob: not graded (a reason)")
    assert state.line() == "1/4 students · longest running: alice (30 s) · 1 not graded"  # no student's time yet
    state.see_started([(time.time(), {"student": "bob"})])  # a late event of a student already done
    state.finish("alice", seconds=100, said="alice: 10/12 points (100 s)")
    assert state.take_said() == ["bob: not graded (a reason)", "alice: 10/12 points (100 s)"]
    assert state.take_said() == []  # each said once
    # Two students left, none running, 100 s each, on 2 workers: about 100 s.
    assert state.line() == "2/4 students · 1 not graded · about 2 min left"


def test_the_estimate_converges_where_the_elapsed_time_per_student_grows():
    """With 4 workers busy from the start, is the estimate the work left shared by the workers, not elapsed / done?"""
    state = BatchProgress(total=8, workers=4)
    now = time.time()
    state.see_started([(now - 60, {"student": name}) for name in ("a", "b", "c", "d")])
    state.finish("a", seconds=60)
    state.see_started([(now, {"student": "e"})])
    # Left: 3 not started (60 s each), b, c, d nearly done (0 s), e just started (60 s): 240 s over 4 workers.
    assert 55 <= state.seconds_left() <= 61
    state.finish("b", seconds=60)
    state.finish("c", seconds=60)
    assert 55 <= state.seconds_left() <= 61  # the same work left per worker: it does not grow


def test_the_summary_gives_the_class_scores():
    summary = BatchSummary("01_fix_simplenet", 2, graded=[
        {"student": "ann", "points": 12.0, "max_points": 12.0}, {"student": "bo", "points": 5.0, "max_points": 12.0},
        {"student": "cy", "points": 10.0, "max_points": 12.0}])
    assert summary.lines()[1] == "  scores (autograded points of 12): mean 9.0, median 10, lowest 5 (bo), highest 12 (ann)"


def test_a_student_without_a_submission_is_refused_before_anything_runs(tmp_path, generated):
    course = make_course(tmp_path / "course", ("untouched",), generated=generated)
    with pytest.raises(BatchError, match="no submission of 01_fix_simplenet in submitted/ for: nobody"):
        grade_class(course, A1, students=("nobody",), workers=1)


def test_a_dask_cluster_of_worker_processes_finishes_the_batch_when_a_worker_is_killed(tmp_path, serially, generated):
    students = ("no_flatten", "untouched")
    course = make_course(tmp_path / "course", students, generated=generated)
    with tls_cluster(tmp_path / "cluster") as cluster:
        first, victim = list(cluster.workers.items())[0]
        killed = threading.Event()

        def kill_when_it_grades():
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and not killed.is_set():
                if any((first / "cache" / "keras-course" / "grading").glob("grading-*")):
                    victim.send_signal(signal.SIGKILL)
                    killed.set()
                time.sleep(0.2)

        killer = threading.Thread(target=kill_when_it_grades, daemon=True)
        killer.start()
        summary = grade_class(course, A1, scheduler=cluster.address, certificates=cluster.certificates)
        killer.join(timeout=5)
    assert killed.is_set(), "the first worker never started grading"
    assert (graded_students(summary), summary.failed) == (list(students), [])
    assert len({entry["worker"] for entry in summary.graded}) == 1  # every student ended on the surviving worker
    assert results(course, students) == serial(serially, students)


def _with_answer(course, student, code, cell="prepare_data"):
    """Hand in assignment 1's release as `student`, with the answer cell `cell` replaced by `code`."""
    nb = nbformat.read(course / "release" / A1 / f"{NOTEBOOK}.ipynb", as_version=4)
    (target,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == cell]
    target.source = code
    folder = course / "submitted" / student / A1
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")


def test_a_dying_or_hanging_kernel_is_graded_again_on_another_worker_and_a_corrupt_notebook_is_reported(tmp_path,
                                                                                                        generated):
    course = make_course(tmp_path / "course", ("untouched",), config="c.Execute.timeout = 5", generated=generated)
    _with_answer(course, "exits", "import os\nos._exit(3)")
    _with_answer(course, "hangs", "import time\ntime.sleep(3600)")
    corrupt = course / "submitted" / "corrupt" / A1
    corrupt.mkdir(parents=True)
    (corrupt / f"{NOTEBOOK}.ipynb").write_text('{"cells": [')
    summary = grade_class(course, A1, workers=2)
    assert graded_students(summary) == ["exits", "hangs", "untouched"]
    attempts = {entry["student"]: entry["attempts"] for entry in summary.graded}
    assert attempts == {"exits": 2, "hangs": 2, "untouched": 1}
    assert [failure["student"] for failure in summary.failed] == ["corrupt"]
    assert "could not grade" in summary.failed[0]["reason"]
    said = " ".join(result.message for result in read_results(course, A1, NOTEBOOK, "exits"))
    assert "the notebook's kernel died" in said
    hung = nbformat.read(course / "autograded" / "hangs" / A1 / f"{NOTEBOOK}.ipynb", as_version=4)
    (answer,) = [cell for cell in hung.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "prepare_data"]
    assert "CellTimeoutError" in [output.get("ename") for output in answer.outputs]


def test_an_interrupted_batch_keeps_its_grades_and_the_next_run_grades_only_the_rest(tmp_path, serially, generated):
    # One worker grades them one after the other: the second takes seconds (its kernel's start alone does), so the
    # interrupt comes while it runs, once the first is recorded (the progress line on stderr says so).
    students = ("no_flatten", "little_data")
    course = make_course(tmp_path / "course", students, generated=generated)
    command = [BIN / "keras-course", "grade", A1, "--workers", "1", "--json"]
    process = subprocess.Popen(command, cwd=course, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    autograded = course / "autograded"
    progress = []
    for line in process.stderr:
        progress.append(line)
        if line.startswith(("1/2 students", "2/2 students")):
            break
    process.send_signal(signal.SIGINT)
    output, log = process.communicate(timeout=120)
    log = "".join(progress) + log
    assert process.returncode == 1, log
    said = json.loads(output)
    assert said["interrupted"] is True
    first = sorted(path.parts[-3] for path in autograded.glob(f"*/{A1}/{NOTEBOOK}.ipynb"))
    assert [entry["student"] for entry in said["graded"]] == first and len(first) == 1, log
    assert "0/2 students" in log  # the progress lines, on stderr
    entry = said["graded"][0]
    assert f"{entry['student']}: {entry['points']:g}/{entry['max_points']:g} points (" in log  # its score, as graded
    rest = grade_class(course, A1, workers=1)
    assert (rest.skipped, graded_students(rest)) == (first, sorted(set(students) - set(first)))
    assert results(course, students) == serial(serially, students)
