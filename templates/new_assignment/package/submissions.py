"""Demo submissions of assignment 4: another correct answer, and one usual mistake."""

from autograder.assignments.forgeries import forgeries
from autograder.assignments.new_assignment import ASSIGNMENT
from autograder.assignments.submission import Submission, reference, untouched

_A4 = dict(assignment=ASSIGNMENT.name, notebook=ASSIGNMENT.notebook)

SUBMISSIONS = (
    reference(ASSIGNMENT),
    untouched(ASSIGNMENT),
    Submission(
        "alternative", "another correct answer: `np.divide` straight into float32",
        edits={"my_function": [('images.astype("float32") / 255.0', 'np.divide(images, 255, dtype="float32")')]},
        in_demo=False, **_A4,
    ),
    Submission(
        "not_scaled", "the images converted to float32 but not divided by 255",
        edits={"my_function": [(" / 255.0", "")]},
        expected_lost={"my_function_values"},
        message_contains={"my_function_values": "the values are not scaled"}, **_A4,
    ),
    *forgeries(ASSIGNMENT),  # notebooks that forge their score in their kernel: each must gain 0 points
)
