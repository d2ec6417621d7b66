"""Records made for another seed are worth nothing: the checks' inputs are drawn from a seed given at grading time.

Every test of assignments 1 and 2 but a trained model's is tried: a solved notebook's records of it, handed to the
judge in place of the kernel's, earn nothing unless they were made for the grading's own seed.

During autograde, `SandboxedExecute` draws a fresh seed per notebook and gives it to the sandboxed
kernel (`INPUTS_SEED_VARIABLE`) and to the judge (nbgrader's resources); outside autograde the checks
draw from the course's `SEED`. Each test cell tried here calls a check that compares what the student's
code computed with the grader's reference: the reference's records, made in a kernel on one seed,
pass when judged on that seed and fail on any other, as would a record made before grading (a
solved notebook's, run elsewhere). The graded class (tests/test_pipeline.py) shows the other way
on every notebook: the kernel and the judge of one grading draw the same inputs.
"""

import os
import subprocess
import sys

import nbformat
import pytest

from autograder.assignments import all_assignments
from autograder.assignments import assignment as find_assignment
from autograder.cells import grade_id_of
from autograder.evidence import INPUTS_SEED_VARIABLE, inputs_seed, recording, seeded_inputs
from autograder.grading.judge import replayed_outputs
from autograder.isolation.sandbox import Limits, Sandbox
from autograder.settings import COURSE_ROOT, SEED
from tests.solutions import definitions, run_solutions

A1, A2 = "01_fix_simplenet", "02_layers_and_cnn"
# test: (assignment, the answer cells it needs), for every test the judge decides from the kernel's records but a
# trained model's (which uses one of the assignment's `training_cells`). Those rest on no input a seed draws: a record
# of them made elsewhere is another notebook's trained model, a copy of its training, which the similarity report can
# tell and no seed can. (Assignment 3's tests are graded outside the kernel, on the model the grader trains.)
SEEDED_TESTS = {test.grade_id: (owner.name, test.uses) for owner in all_assignments() for test in owner.seeded_tests()}
KERNEL_SEED, OTHER_SEED = 20261207, 7


def test_every_test_of_assignments_1_and_2_but_a_trained_models_is_seeded():
    """The tests left out are the trained models' (assignment 1's accuracy and weight plot, assignment 2's accuracy)."""
    autograded = {test.grade_id for name in (A1, A2) for test in find_assignment(name).declared if test.checks}
    assert autograded - set(SEEDED_TESTS) == {"simplenet_accuracy", "weight_plot", "cnn_accuracy"}


@pytest.fixture(scope="module")
def kernel_records():
    """{test: what the reference's kernel recorded for its whole test cell (hidden tests included), its checks drawing
    inputs from `KERNEL_SEED`}."""
    records = {}
    for test, (assignment, cells) in SEEDED_TESTS.items():
        namespace = run_solutions(assignment, definitions(assignment), *cells)
        with seeded_inputs(KERNEL_SEED), recording() as entries:
            exec(compile(cell_source_of(assignment, test), f"<{test}>", "exec"), namespace)
        records[test] = entries
    return records


def cell_source_of(assignment, test):
    """The test cell `test` of `assignment`'s source notebook, hidden tests included."""
    (path,) = (COURSE_ROOT / "source" / assignment).glob("*.ipynb")
    return next(cell.source for cell in nbformat.read(path, as_version=4).cells if grade_id_of(cell) == test)


def failures(outputs):
    return [output for output in outputs if output.output_type == "error"]


@pytest.mark.parametrize("test", SEEDED_TESTS)
def test_a_record_passes_when_judged_on_the_seed_it_was_made_for(kernel_records, test):
    source = cell_source_of(SEEDED_TESTS[test][0], test)
    assert failures(replayed_outputs(source, kernel_records[test], KERNEL_SEED)) == []


@pytest.mark.parametrize("seed", [OTHER_SEED, None], ids=["another grading's seed", "the course's own seed"])
@pytest.mark.parametrize("test", SEEDED_TESTS)
def test_a_record_made_for_another_seed_fails(kernel_records, test, seed):
    """A check fails on the record's outputs, or finds no record of the inputs it drew (a length or size in its label)."""
    (failure,) = failures(replayed_outputs(cell_source_of(SEEDED_TESTS[test][0], test), kernel_records[test], seed))
    assert failure.ename in ("CheckFailure", "MissingEvidence"), failure.evalue


def test_the_kernel_draws_from_the_seed_the_grader_gave_it_and_else_from_the_courses():
    code = "from autograder.evidence import inputs_seed; print(inputs_seed())"
    given = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, INPUTS_SEED_VARIABLE: str(KERNEL_SEED)})
    assert given.stdout.split() == [str(KERNEL_SEED)]
    assert inputs_seed() == SEED and os.environ.get(INPUTS_SEED_VARIABLE) is None
    with seeded_inputs(OTHER_SEED):
        assert inputs_seed() == OTHER_SEED


def test_the_sandbox_hands_the_kernel_the_variables_the_grader_gives(tmp_path):
    command = Sandbox(tmp_path, Limits()).command(["true"], env={INPUTS_SEED_VARIABLE: "42"})
    assert f"{INPUTS_SEED_VARIABLE}=42" in command
