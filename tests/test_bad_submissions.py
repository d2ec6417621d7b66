"""A crashing, hanging or planted submission costs that student points and never stops the batch."""

import json
import shutil

import pytest

from autograder.course import copy_course, nbgrader, read_results
from autograder.demo import grade_class
from autograder.demo_class import Submission
from autograder.tune_training import ARTIFACTS, TrainingRecord

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
    course = copy_course(tmp_path_factory.mktemp("course"))
    results = grade_class(
        course, (CRASHING, HANGING, UNTOUCHED, PLANTED), echo=lambda line: None,
        autograde_args=(f"--Execute.timeout={HANG_TIMEOUT_SECONDS}",),
    )
    return course, results


def test_a_dead_kernel_leaves_that_student_ungraded_and_the_others_graded(graded):
    _, results = graded
    assert results[CRASHING.key] is None
    assert results[HANGING.key] is not None and results[UNTOUCHED.key] is not None


def test_a_hanging_cell_is_stopped_and_the_following_cells_still_run(graded):
    course, results = graded
    hanging = {result.grade_id: result for result in results[HANGING.key]}
    assert hanging["data_prepared"].score == 0
    assert "NameError" in hanging["data_prepared"].message
    assert hanging["simplenet_builds"].passed, "cells after the timeout must still run"
    autograded = (course / "autograded" / "hanging" / "01_fix_simplenet" / "fix_simplenet.ipynb").read_text()
    assert "CellTimeoutError" in autograded


def test_other_students_grades_are_untouched(graded):
    _, results = graded
    assert all(result.score == 0 for result in results[UNTOUCHED.key])
    assert len(results[UNTOUCHED.key]) == len(results[HANGING.key])


def test_a_model_file_handed_in_with_a_submission_is_never_graded(graded, tmp_path):
    """Does a planted tuned_model.keras with a record claiming a trained model earn nothing?"""
    import keras

    course, _ = graded
    folder = course / "submitted" / PLANTED.student_id / PLANTED.assignment
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.save(tmp_path / ARTIFACTS[0])
    shutil.copy(tmp_path / ARTIFACTS[0], folder / ARTIFACTS[0])
    record = TrainingRecord(params=7_850, samples_seen=60_000, fit_calls=1, saved=True)
    (folder / ARTIFACTS[1]).write_text(json.dumps(record.__dict__))
    nbgrader(course, "autograde", PLANTED.assignment, f"--student={PLANTED.student_id}", "--force")
    results = {result.grade_id: result for result in
               read_results(course, PLANTED.assignment, PLANTED.notebook, PLANTED.student_id)}
    assert results["tuned_accuracy"].score == 0 and results["tuned_model_budget"].score == 0
    # Graded from what this run of the notebook wrote (build_model raised), not from the planted record.
    assert "training did not complete" in results["tuned_accuracy"].message
    assert "NotImplementedError" in results["tuned_accuracy"].message
