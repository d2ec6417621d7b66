"""A crashing or hanging submission costs that student points and never stops the batch."""

import pytest

from autograder.course import copy_course
from autograder.demo import grade_class
from autograder.demo_class import Submission

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


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("course"))
    results = grade_class(
        course, (CRASHING, HANGING, UNTOUCHED), echo=lambda line: None,
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
