"""Demo submissions of assignment 3: a faker, two ways over the budget, and forgers of the budget, model and plan."""

from autograder.assignments.submission import FORGERY_RAN, Submission, reference, untouched
from autograder.assignments.tune_training import ASSIGNMENT

_A3 = dict(assignment=ASSIGNMENT.name, notebook=ASSIGNMENT.notebook)
_A3_TESTS = ASSIGNMENT.grade_ids
_A3_FIT = "return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=0.05, verbose=2)"
# Everything a notebook can do to its own kernel to report a perfect score. Nothing of it
# may reach the grade: autograde measures the saved model in a clean process.
_FAKE_SCORE = """
import sys

import autograder.assignments.tune_training.checks
import autograder.shared_checks

try:  # the grader's side: not there in the sandbox of autograde
    import autograder.assignments.tune_training.grader.evaluate as _evaluate
except ImportError:
    _evaluate = None


def _perfect(*args, **kwargs):
    print("Test accuracy 100.00% on 10,000 images (measured in a clean process).")
    return 3


keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
np.argmax = lambda array, axis=None, **kwargs: 0
autograder.shared_checks.accuracy = lambda *args, **kwargs: 1.0
if _evaluate is not None:
    _evaluate.evaluate_in_clean_process = lambda *args, **kwargs: {
        "accuracy": 1.0, "params": 1, "test_images": 10_000,
        "confusion": [[1_000 * (i == j) for j in range(10)] for i in range(10)],
    }
autograder.assignments.tune_training.checks.grade_accuracy = _perfect
sys.modules["autograder.assignments.tune_training.checks"].grade_accuracy = _perfect
"""

# Forgers of the budget and of the graded model: each prints `FORGERY_RAN` once its trick ran in its kernel.
# Before the grader trained the model itself, each would have gained points; the grader trains from the
# recorded `fit()` calls only, outside the kernel, and grades nothing the kernel wrote.
_DENSE_MODEL = ("x = inputs\n", 'x = layers.Dense(64, activation="relu")(layers.Flatten()(inputs))\n'
                '    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))\n')
_FIT_TWICE = ("model.fit(x_train, y_train, epochs=3, batch_size=1000, verbose=2)\n"
              "    return model.fit(x_train, y_train, epochs=3, batch_size=1000, verbose=2)")
_RESET_COUNTER = f"""
import gc

from autograder.assignments.tune_training import checks as _checks
from autograder.assignments.tune_training import training as _training

for _object in gc.get_objects():
    if isinstance(_object, _training.BudgetGuard):
        _object.budget = 10**9
        _object.samples_seen = lambda: 1_000
_training.BudgetGuard.samples_seen = lambda self: 1_000
_training.TUNE_MAX_SAMPLES = _checks.TUNE_MAX_SAMPLES = 10**9
print("{FORGERY_RAN} the sample counter reset and the budget raised")
"""
_TWIN = f"""
twin = keras.models.clone_model(model)
twin.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
keras.Model.fit(twin, x_train, y_train, epochs=1, batch_size=128, verbose=0)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train[:2000], y_train[:2000], epochs=1, verbose=0)
model.set_weights(twin.get_weights())
print("{FORGERY_RAN} a twin trained on 60,000 images outside the budget, its weights copied into the model")
return history"""
_COPY_AFTER_THE_CELL = f"""
import json
import shutil


def _copy_in_a_model(result):
    model.save("classmate.keras")
    shutil.copyfile("classmate.keras", "tuned_model.keras")
    with open("tuned_model.json", "w") as record:
        json.dump({{"params": model.count_params(), "samples_seen": 120_000, "fit_calls": 1, "seconds": 9.0,
                   "stopped_at_budget": False, "saved": True, "error": None}}, record)
    get_ipython().events.unregister("post_run_cell", _copy_in_a_model)
    print("{FORGERY_RAN} a copied model file and a record within the budget written after the training cell")


get_ipython().events.register("post_run_cell", _copy_in_a_model)
"""

# The training cell's plan rewritten in the kernel once written (after the cell, before the grader reads it): a layer
# that reads a file by path. The grader refuses it on sight, before any training (grader/trainer.py).
_REWRITE_PLAN = f"""
import json
import pathlib


def _rewrite_the_plan(result):
    plans = sorted(pathlib.Path(".training").glob("*/plan.json"))
    if not plans:
        return
    plan = json.loads(plans[-1].read_text())
    plan["model"]["config"]["layers"].insert(1, {{
        "module": "keras.layers", "class_name": "IntegerLookup", "registered_name": None,
        "config": {{"name": "lookup", "vocabulary": "/etc/passwd"}}}})
    plans[-1].write_text(json.dumps(plan))
    get_ipython().events.unregister("post_run_cell", _rewrite_the_plan)
    print("{FORGERY_RAN} the training plan rewritten with a layer that reads a file")


get_ipython().events.register("post_run_cell", _rewrite_the_plan)
"""


def _indented(code):
    return code.strip("\n").replace("\n", "\n    ").replace("\n    \n", "\n\n") + "\n    "


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
    Submission(
        "forged_counter", "fit_twice's 360,000 samples, with the kernel's sample counter reset and the budget raised",
        edits={"build_model": [_DENSE_MODEL], "train": [(_A3_FIT, _indented(_RESET_COUNTER) + _FIT_TWICE)]},
        expected_lost=_A3_TESTS, message_contains={"tuned_model_budget": "more samples than the budget"},
        forged_in_kernel=frozenset({"tuned_model_budget"}), in_demo=False, **_A3,
    ),
    Submission(
        "forged_copy", "fit_twice's 360,000 samples, then a copied model file and a record within the budget",
        edits={"build_model": [_DENSE_MODEL], "train": [(_A3_FIT, _indented(_COPY_AFTER_THE_CELL) + _FIT_TWICE)]},
        expected_lost=_A3_TESTS, message_contains={"tuned_model_budget": "more samples than the budget"},
        forged_in_kernel=frozenset({"tuned_model_budget"}), in_demo=False, **_A3,
    ),
    Submission(
        "forged_plan", "the reference, its training plan rewritten after the training cell with a layer reading a file",
        edits={"train": [(_A3_FIT, _indented(_REWRITE_PLAN) + _A3_FIT)]},
        expected_lost=_A3_TESTS, message_contains={"tuned_model_budget": "the layer 'IntegerLookup'"},
        forged_in_kernel=frozenset({"tuned_model_budget"}), in_demo=False, **_A3,
    ),
    Submission(
        "forged_twin", "trains on 2,000 images, with the weights of a twin trained outside the budget copied in",
        edits={"train": [(_A3_FIT, _indented(_TWIN).rstrip())]},
        expected_lost={"tuned_accuracy"}, message_contains={"tuned_accuracy": "below the lowest tier"},
        forged_in_kernel=frozenset({"tuned_accuracy"}), in_demo=False, **_A3,
    ),
)
