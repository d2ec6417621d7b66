"""Records made for another seed are worth nothing: the checks' inputs are drawn from a seed given at grading time.

During autograde, `SandboxedExecute` draws a fresh seed per notebook and gives it to the sandboxed
kernel (`INPUTS_SEED_VARIABLE`) and to the judge (nbgrader's resources); outside autograde the checks
draw from the course's `SEED`. Each test cell below calls a check that compares what the student's
code computed with the grader's reference: the reference's records, made in a kernel on one seed,
pass when judged on that seed and fail on any other, as would a record made before grading (a
solved notebook's, run elsewhere). The graded class (tests/test_pipeline.py) shows the other way
on every notebook: the kernel and the judge of one grading draw the same inputs.
"""

import os
import subprocess
import sys

import pytest

from autograder.evidence import INPUTS_SEED_VARIABLE, inputs_seed, recording, seeded_inputs
from autograder.grading.judge import replayed_outputs
from autograder.isolation.sandbox import Limits, Sandbox
from autograder.settings import SEED
from tests.solutions import definitions, run_solutions

A1, A2 = "01_fix_simplenet", "02_layers_and_cnn"
# test: (assignment, the answer cells it needs, the test cell's code)
VALUE_TESTS = {
    "simplenet_forward_pass": (A1, ("simplenet",), "from autograder.assignments.fix_simplenet.checks import "
                               "check_forward_pass\ncheck_forward_pass(SimpleNet)\n"),
    "data_prepared": (A1, (), "from autograder.assignments.fix_simplenet.checks import check_data\n"
                      "check_data(train_images, train_labels, test_images, test_labels)\n"),
    "dense_layer_forward": (A2, ("dense_layer",), "from autograder.assignments.layers_and_cnn.checks import "
                            "check_dense_forward\ncheck_dense_forward(DenseLayer)\n"),
    "conv2d_forward_valid": (A2, ("conv_output_size", "conv2d_forward"), "from autograder.assignments.layers_and_cnn"
                             ".checks import check_conv2d_forward\ncheck_conv2d_forward(conv2d_forward)\n"),
}
KERNEL_SEED, OTHER_SEED = 20261207, 7


def namespace_of(assignment, cells, test):
    """The reference notebook's names before the test: setup and definitions, and data_prepared's arrays."""
    namespace = definitions(assignment, *cells)
    return run_solutions(A1, namespace, "prepare_data") if test == "data_prepared" else namespace


@pytest.fixture(scope="module")
def kernel_records():
    """{test: what the reference's kernel recorded for it, its checks drawing inputs from `KERNEL_SEED`}."""
    records = {}
    for test, (assignment, cells, source) in VALUE_TESTS.items():
        namespace = namespace_of(assignment, cells, test)
        with seeded_inputs(KERNEL_SEED), recording() as entries:
            exec(compile(source, f"<{test}>", "exec"), namespace)
        records[test] = entries
    return records


def failures(outputs):
    return [output for output in outputs if output.output_type == "error"]


@pytest.mark.parametrize("test", VALUE_TESTS)
def test_a_record_passes_when_judged_on_the_seed_it_was_made_for(kernel_records, test):
    assert failures(replayed_outputs(VALUE_TESTS[test][2], kernel_records[test], KERNEL_SEED)) == []


@pytest.mark.parametrize("seed", [OTHER_SEED, None], ids=["another grading's seed", "the course's own seed"])
@pytest.mark.parametrize("test", VALUE_TESTS)
def test_a_record_made_for_another_seed_fails(kernel_records, test, seed):
    (failure,) = failures(replayed_outputs(VALUE_TESTS[test][2], kernel_records[test], seed))
    assert failure.ename == "CheckFailure", failure.evalue


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
