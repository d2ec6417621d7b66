"""Assignment 4, "New assignment": what its tests need besides the notebook, declared once, in notebook order."""

from autograder.assignments import Assignment, GradedTest
from autograder.assignments.new_assignment import checks

TESTS = (
    GradedTest(
        "my_function_values",
        hint=(
            "Pixels are stored as integers from 0 to 255: convert them to float32, then divide by 255 so that the "
            "brightest pixel becomes 1."
        ),
        checks=(checks.check_my_function,),
        uses=("my_function",),
    ),
)

ASSIGNMENT = Assignment("04_new_assignment", "new_assignment", "New assignment", TESTS, __name__)
