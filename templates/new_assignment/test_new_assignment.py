"""Tests of the checks of assignment 4 ("New assignment"): correct answers pass, each mistake fails with its message.

Answers come from the source notebook through tests/solutions.py, never retyped here, and the
mistakes are the demo submissions' own edits, so the unit tests and the graded demo agree.
"""

import re

import pytest

from autograder.assignments.new_assignment import ASSIGNMENT, checks
from autograder.assignments.new_assignment.submissions import SUBMISSIONS
from autograder.errors import CheckFailure
from tests.both_ways import kernel_and_grader
from tests.solutions import definitions, submission_definitions

# Every call of a check below also runs as the grader replays it, and must say the same (tests/both_ways.py).
_checks_both_ways = kernel_and_grader(ASSIGNMENT)

# Shapes beyond the visible case: a wrong answer must not pass by being tuned to it.
OTHER_SHAPES = [(7, 28, 28, 1), (2, 9, 9, 3), (6,)]
EDITED = [submission for submission in SUBMISSIONS if submission.edits]


def test_the_reference_solution_passes_every_case():
    my_function = definitions(ASSIGNMENT.name, "my_function")["my_function"]
    assert checks.check_my_function(my_function) is None
    assert checks.check_my_function(my_function, OTHER_SHAPES) is None


@pytest.mark.parametrize("submission", EDITED, ids=lambda submission: submission.student_id)
def test_each_demo_submission_fails_exactly_its_expected_tests(submission):
    """Does each other correct answer pass, and each mistake fail with the phrase its submission names?"""
    my_function = submission_definitions(submission, "my_function")["my_function"]
    if "my_function_values" not in submission.expected_lost:
        assert checks.check_my_function(my_function, OTHER_SHAPES) is None
        return
    with pytest.raises(CheckFailure, match=re.escape(submission.message_contains["my_function_values"])):
        checks.check_my_function(my_function)


def test_the_released_placeholder_is_named_in_the_failure():
    def my_function(images):
        raise NotImplementedError()

    with pytest.raises(CheckFailure, match="placeholder is still there"):
        checks.check_my_function(my_function)
