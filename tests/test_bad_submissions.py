"""A crashing, hanging or planted submission costs that student points and never stops the batch."""

import json
import shutil

import pytest

from autograder.assignments.submission import Submission
from autograder.assignments.tune_training.training import ARTIFACTS, TrainingRecord
from autograder.grading.nbgrader_commands import run_nbgrader
from autograder.grading.results import read_results
from tests.conftest import grade_once
from tests.grading_runs import timed

pytestmark = pytest.mark.slow

HANG_TIMEOUT_SECONDS = 15
_A1 = dict(assignment="01_fix_simplenet", notebook="fix_simplenet")
_DATA_LINE = 'train_images = (x_train.astype("float32") / 255.0)[..., np.newaxis]'

CRASHING = Submission(
    "crashing", "kills its own kernel", edits={"prepare_data": [(_DATA_LINE, "import os\nos._exit(1)")]}, **_A1
)
HANGING = Submission(
    "hanging", "loops forever while preparing the data",
    edits={"prepare_data": [(_DATA_LINE, "while True:\n    pass")]}, **_A1,
)
UNTOUCHED = Submission("bystander", "the released notebook, unchanged", untouched=True, **_A1)
_A3 = dict(assignment="03_tune_training", notebook="tune_training")
PLANTED = Submission("planted", "assignment 3 left as released, handed in with a model file", untouched=True, **_A3)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_once(
        tmp_path_factory, "bad", (CRASHING, HANGING, UNTOUCHED, PLANTED),
        autograde_args=(f"--Execute.timeout={HANG_TIMEOUT_SECONDS}",),
    )


def test_a_dead_kernel_costs_the_tests_after_it_with_the_reason_and_the_others_are_graded(graded):
    """Is a student whose kernel died graded, every test after the death at 0 saying why, and the others graded?"""
    crashing = graded.results[CRASHING.key]
    assert crashing is not None and all(result.points == 0 for result in crashing)
    assert all("not run: the notebook's kernel died" in result.message for result in crashing), crashing
    assert graded.results[HANGING.key] is not None and graded.results[UNTOUCHED.key] is not None


def test_a_hanging_cell_is_stopped_and_the_following_cells_still_run(graded):
    hanging = {result.grade_id: result for result in graded.results[HANGING.key]}
    assert hanging["data_prepared"].points == 0
    assert "NameError" in hanging["data_prepared"].message
    assert hanging["simplenet_builds"].passed, "cells after the timeout must still run"
    assert "CellTimeoutError" in graded.path("autograded", HANGING).read_text()


def test_other_students_grades_are_untouched(graded):
    assert all(result.points == 0 for result in graded.results[UNTOUCHED.key])
    assert len(graded.results[UNTOUCHED.key]) == len(graded.results[HANGING.key])


def test_a_model_file_handed_in_with_a_submission_is_never_graded(graded, tmp_path):
    """Does a planted tuned_model.keras with a record claiming a trained model earn nothing?"""
    import keras

    course = graded.course(PLANTED.assignment)
    folder = graded.path("submitted", PLANTED).parent
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.save(tmp_path / ARTIFACTS[0])
    shutil.copy(tmp_path / ARTIFACTS[0], folder / ARTIFACTS[0])
    record = TrainingRecord(params=7_850, samples_seen=60_000, fit_calls=1, saved=True)
    (folder / ARTIFACTS[1]).write_text(json.dumps(record.__dict__))
    with timed(f"bad: autograde {PLANTED.assignment} --student={PLANTED.student_id}"):
        run_nbgrader(course, "autograde", PLANTED.assignment, f"--student={PLANTED.student_id}", "--force")
    results = {result.grade_id: result for result in
               read_results(course, PLANTED.assignment, PLANTED.notebook, PLANTED.student_id)}
    assert results["tuned_accuracy"].points == 0 and results["tuned_model_budget"].points == 0
    # Graded from what this run of the notebook wrote (build_model raised), not from the planted record.
    assert "training did not complete" in results["tuned_accuracy"].message
    assert "NotImplementedError" in results["tuned_accuracy"].message


def test_the_class_report_says_which_notebooks_were_stopped_and_why(graded):
    """Does the class report count the dead kernel and the cell out of time as graded, each with its reason?"""
    from autograder.report import gather_class

    (report,) = gather_class(graded.course(CRASHING.assignment), [CRASHING.assignment])
    rows = {row.student_id: row for row in report.students}
    assert {row.student_id for row in report.stopped} == {CRASHING.student_id, HANGING.student_id}
    assert "kernel died" in rows[CRASHING.student_id].stopped
    assert "`prepare_data`" in rows[HANGING.student_id].stopped and "time limit" in rows[HANGING.student_id].stopped
    assert "time limit" in rows[HANGING.student_id].failures["data_prepared"].reason
    assert rows[UNTOUCHED.student_id].stopped == ""
