"""Assignment 4, "New assignment": its tests, declared once, in notebook order."""

from autograder.assignments import Assignment, GradedTest
from autograder.assignments.new_assignment import checks

TESTS = (
    GradedTest(
        "my_function_values", 1,
        "Does my_function scale uint8 images to float32 values in [0, 1]? (other shapes are hidden)",
        "Pixels are stored as integers from 0 to 255: convert them to float32, then divide by 255 so that the "
        "brightest pixel becomes 1.",
        (checks.check_my_function,), ("my_function",),
    ),
)

ASSIGNMENT = Assignment("04_new_assignment", "new_assignment", "New assignment", TESTS, __name__)
