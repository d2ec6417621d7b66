"""Forgers: notebooks that change, in their own kernel, what their tests run. Each gains 0 points.

The forgers are demo submissions (autograder/assignments/forgeries.py, and each assignment's
`submissions.py` for those that start from a wrong answer), graded with the whole class by the
real pipeline. `tests/test_pipeline.py` holds each to the tests it must lose; here each forger
must show that its trick ran in its kernel (it prints FORGERY_RAN), so a forgery that stopped
running (and so proved nothing) fails too, and that every test it forged ends with the grader's
own words. Assignment 3's forgers (a counter reset, a copied model file, a twin trained outside
the budget) target tests graded outside the kernel: the grader must have graded the model it
trained itself.
"""

import nbformat
import pytest

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import FORGERY_RAN
from autograder.assignments.tune_training.checks import read_record
from autograder.cells import autograded_cells, grade_id_of
from autograder.grading.judge import DISPLAYED_IGNORED
from tests.conftest import the_class

pytestmark = pytest.mark.slow
CLASS = the_class()
FORGERS = [submission for submission in CLASS if submission.forged_in_kernel]


def test_every_assignment_has_forgers():
    assert {submission.assignment for submission in FORGERS} == {submission.assignment for submission in CLASS}
    assert {"forged_checks", "forged_module", "forged_display", "forged_helpers", "forged_numpy", "forged_labels",
            "forged_replay", "forged_counter", "forged_copy", "forged_twin"} <= {submission.student_id
                                                                                  for submission in FORGERS}


def printed(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


@pytest.mark.parametrize("submission", FORGERS, ids=lambda submission: f"{submission.assignment}-{submission.student_id}")
def test_a_forger_gains_no_point(graded_class, submission):
    """Its score is what its answers earn: every test it forged lost, and the points of the rest only."""
    results = graded_class.results[submission.key]
    owner = find_assignment(submission.assignment)
    honest = sum(test.points for test in owner.autograded() if test.grade_id not in submission.expected_lost)
    assert sum(result.points for result in results) == honest
    assert {result.grade_id for result in results if not result.passed} >= submission.forged_in_kernel


@pytest.mark.parametrize("submission", FORGERS, ids=lambda submission: f"{submission.assignment}-{submission.student_id}")
def test_every_forgery_ran_and_the_grader_decided_each_test_it_forged(graded_class, submission):
    """Did the forgery run in the kernel (so the test proves something), and are its tests' verdicts the grader's?

    In the sandbox the kernel holds no reference, so a forged test's cell ends with the grader's
    own words: its failure, the record it found missing, or the note that a displayed score was ignored.
    """
    notebook = nbformat.read(graded_class.path("autograded", submission), as_version=4)
    assert any(FORGERY_RAN in printed(cell) for cell in notebook.cells if cell.cell_type == "code")
    cells = {grade_id_of(cell): cell for cell in autograded_cells(notebook)}
    owner = find_assignment(submission.assignment)
    for grade_id in submission.forged_in_kernel:
        if owner.test(grade_id).graded_outside_kernel:
            continue
        outputs = cells[grade_id].outputs
        assert DISPLAYED_IGNORED in printed(cells[grade_id]) or outputs[-1].output_type == "error", (grade_id, outputs)
        assert "All checks passed." not in printed(cells[grade_id])


def test_no_test_cell_keeps_a_result_the_kernel_displayed(graded_class):
    """Only a test graded outside the kernel may end in a number (its partial score, the grader's own)."""
    for submission in CLASS:
        path = graded_class.path("autograded", submission)
        if not path.is_file():
            continue
        owner = find_assignment(submission.assignment)
        for cell in autograded_cells(nbformat.read(path, as_version=4)):
            test = owner.test(grade_id_of(cell))
            if test is not None and not test.graded_outside_kernel:
                assert "execute_result" not in [output.output_type for output in cell.outputs], (submission.key, cell)


@pytest.mark.parametrize("submission", [forger for forger in FORGERS if forger.assignment == "03_tune_training"],
                         ids=lambda submission: submission.student_id)
def test_assignment_3_is_graded_on_the_model_the_grader_trained(graded_class, submission):
    """Is the graded record the grader's (every sample its own training consumed), whatever the kernel wrote?"""
    record = read_record(graded_class.path("autograded", submission).parent)
    notebook = nbformat.read(graded_class.path("autograded", submission), as_version=4)
    said = "".join(printed(cell) for cell in notebook.cells if cell.cell_type == "code")
    if submission.student_id == "forged_plan":  # refused on sight: nothing trained, no sample counted
        assert "The grader refused your training plan before training it" in said and record.samples_seen == 0
        assert "The grader trained your model" not in said
        return
    assert "The grader trained your model" in said
    assert f"Budget: {record.describe().split(';')[0]}" in said and f"{record.samples_seen:,} training samples" in said
    assert record.samples_seen in (2_000, 301_000), record
