"""Demo submissions of assignment 3: a faker, and two ways over the budget."""

from autograder.assignments.submission import Submission, reference, untouched
from autograder.assignments.tune_training import ASSIGNMENT

_A3 = dict(assignment=ASSIGNMENT.name, notebook=ASSIGNMENT.notebook)
_A3_TESTS = ASSIGNMENT.grade_ids
_A3_FIT = "return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=0.05, verbose=2)"
# Everything a notebook can do to its own kernel to report a perfect score. Nothing of it
# may reach the grade: autograde measures the saved model in a clean process.
_FAKE_SCORE = """
import sys

import autograder.assignments.tune_training.checks
import autograder.checks
import autograder.grading.evaluate


def _perfect(*args, **kwargs):
    print("Test accuracy 100.00% on 10,000 images (measured in a clean process).")
    return 3


keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
np.argmax = lambda array, axis=None, **kwargs: 0
autograder.checks.accuracy = lambda *args, **kwargs: 1.0
autograder.grading.evaluate.evaluate_in_clean_process = lambda *args, **kwargs: {
    "accuracy": 1.0, "params": 1, "test_images": 10_000, "confusion": [[1_000 * (i == j) for j in range(10)] for i in range(10)],
}
autograder.assignments.tune_training.checks.grade_accuracy = _perfect
sys.modules["autograder.assignments.tune_training.checks"].grade_accuracy = _perfect
"""

SUBMISSIONS = (
    reference(ASSIGNMENT),
    untouched(ASSIGNMENT),
    Submission(
        "faker", "trains on 2,000 images, then patches keras, numpy and the grader in its kernel to report 100%",
        edits={"train": [(_A3_FIT, "history = model.fit(x_train[:2000], y_train[:2000], epochs=1, verbose=0)\n"
                                   + _FAKE_SCORE.replace("\n", "\n    ").rstrip() + "\n    return history")]},
        expected_lost={"tuned_accuracy"}, message_contains={"tuned_accuracy": "below the lowest tier"}, **_A3,
    ),
    Submission(
        "too_many_parameters", "a 256-unit Dense layer on the flattened features: over 100,000 parameters",
        edits={"build_model": [("x = layers.Dropout(0.25)(x)", 'x = layers.Dense(256, activation="relu")(x)\n    x = layers.Dropout(0.25)(x)')]},
        expected_lost=_A3_TESTS, message_contains={"tuned_model_budget": "parameter budget"}, **_A3,
    ),
    Submission(
        "fit_twice", "a small dense model trained by two `fit()` calls of 3 epochs: 360,000 samples",
        edits={
            "build_model": [("x = inputs\n", 'x = layers.Dense(64, activation="relu")(layers.Flatten()(inputs))\n    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))\n')],
            "train": [(_A3_FIT, "model.fit(x_train, y_train, epochs=3, batch_size=1000, verbose=2)\n"
                                "    return model.fit(x_train, y_train, epochs=3, batch_size=1000, verbose=2)")],
        },
        expected_lost=_A3_TESTS, message_contains={"tuned_model_budget": "more samples than the budget"}, in_demo=False,
        **_A3,
    ),
)
