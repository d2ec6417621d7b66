"""The checks of assignment 3, "Tune training": the budget and the accuracy tiers.

Both tests are graded outside the student's kernel (declared in this package's
`__init__`): during `nbgrader autograde` the course's preprocessor runs them in nbgrader's
own process after the kernel is done, from the record the training cell wrote, and the
saved model is measured by a fresh, isolated process (`autograder.assignments.tune_training.grader.evaluate`).
"""

import re
from pathlib import Path

import numpy as np

from autograder.assignments.tune_training.training import MODEL_FILENAME, RECORD_FILENAME, TrainingRecord
from autograder.bounded_json import JsonBounds, read_json
from autograder.cells import grade_id_of
from autograder.errors import CheckFailure, error_text
from autograder.settings import MNIST_TRAIN_SIZE, TUNE_ACCURACY_TIERS, TUNE_MAX_PARAMS, TUNE_MAX_SAMPLES

# A training record is one flat object of 7 fields, some 200 bytes (the error's text aside): far inside these bounds.
RECORD_BOUNDS = JsonBounds(max_bytes=64 * 2**10, max_values=1_000, max_depth=8)


def read_record(folder="."):
    """The `TrainingRecord` the training cell wrote in `folder`."""
    path = Path(folder) / RECORD_FILENAME
    if not path.is_file():
        raise CheckFailure(
            "the training cell did not run to its end (no training record)",
            hint="run the cell that calls `train_within_budget(build_model, train)` and read its output.",
        )
    # The record lies in the notebook's folder, which the student's code writes: read it as untrusted input.
    try:
        return TrainingRecord(**read_json(path, RECORD_BOUNDS))
    except (OSError, ValueError, TypeError) as error:
        raise CheckFailure(f"the training record is not the one the training cell writes ({error_text(error)})") from None


def check_budget(record):
    """Did training run to its end within the parameter and sample budgets, through `fit()`?"""
    if record.error:
        raise CheckFailure(f"training did not complete: {record.error}")
    if record.params > TUNE_MAX_PARAMS:
        raise CheckFailure("the model is over the parameter budget", f"at most {TUNE_MAX_PARAMS:,}", f"{record.params:,}")
    if record.samples_seen == 0:
        raise CheckFailure(
            "no training samples went through `model.fit()`",
            hint="`train` must train the model it is given with `model.fit(...)` and return the History.",
        )
    if record.samples_seen > TUNE_MAX_SAMPLES:
        raise CheckFailure(
            "training consumed more samples than the budget, so it was stopped there",
            f"at most {TUNE_MAX_SAMPLES:,} ({TUNE_MAX_SAMPLES // MNIST_TRAIN_SIZE} passes over "
            f"{MNIST_TRAIN_SIZE:,} images)",
            f"{record.samples_seen:,} in {record.fit_calls} `fit()` call(s)",
            "every `fit()` call and every augmented copy counts: train for fewer epochs, or call `fit()` once.",
        )
    if not record.saved:
        raise CheckFailure("the trained model was not saved")


def check_training_budget(folder=".", limits=None):
    """Was the model trained within the budget (the record the training cell wrote in `folder`)?

    A grader of the declaration: `limits` (the sandbox's) go unused, as no process is started.
    """
    check_budget(read_record(folder))


def accuracy_points(accuracy):
    """The points of the highest tier of `TUNE_ACCURACY_TIERS` that `accuracy` reaches (0 below them all)."""
    return max((points for minimum, points in TUNE_ACCURACY_TIERS if accuracy >= minimum), default=0)


def confusion_summary(confusion, worst=3):
    """Lines naming the classes with the most mistakes and what they were mistaken for."""
    confusion = np.asarray(confusion)
    errors = confusion.sum(axis=1) - np.diag(confusion)
    lines = []
    for digit in np.argsort(-errors, kind="stable")[:worst]:
        if errors[digit] == 0:
            break
        row = confusion[digit].copy()
        row[digit] = 0
        mistaken = ", ".join(
            f"{int(other)} ({int(row[other])})" for other in np.argsort(-row, kind="stable")[:2] if row[other]
        )
        lines.append(
            f"  digit {int(digit)}: {int(errors[digit])} of {int(confusion[digit].sum())} wrong, "
            f"mostly read as {mistaken}"
        )
    return lines


# The line `grade_accuracy` prints, read back by the class report.
_ACCURACY_LINE = "Test accuracy {accuracy:.2%} on {images:,} images (measured in a clean process)."
_MEASURED = re.compile(r"Test accuracy (\d+(?:\.\d+)?)% on [\d,]+ images \(measured in a clean process\)")


def measured_model(folder, notebook):
    """`(accuracy, params, samples)` of a graded student's model, for the class report, or None if not measured.

    The accuracy is the line `grade_accuracy` printed in the autograded notebook (`notebook`,
    plain JSON); the parameters and samples come from the training record in `folder`.
    """
    printed = "".join(
        "".join(output.get("text", "")) for cell in notebook.get("cells", [])
        if grade_id_of(cell) == "tuned_accuracy"
        for output in cell.get("outputs", []) if output.get("output_type") == "stream"
    )
    found = _MEASURED.search(printed)
    if found is None:
        return None
    try:
        record = read_record(folder)
    except CheckFailure:
        return None
    return float(found.group(1)) / 100, record.params, record.samples_seen


def evaluate_in_clean_process(path, limits=None):
    """The saved model measured in a fresh process (`grader/evaluate.py`): the grader's side, imported only where
    it is installed (a student's own check, the grader); the sandbox of autograde hides it from the kernel."""
    from autograder.assignments.tune_training.grader.evaluate import evaluate_in_clean_process as evaluate

    return evaluate(path, limits=limits)


def grade_accuracy(folder=".", limits=None):
    """Score the saved model's MNIST test accuracy, measured in a clean process; return the points.

    The process runs in a sandbox with `limits` (those of the notebook's own), or unsandboxed when None.

    Raises `CheckFailure` when training was over budget or failed, or when the accuracy is
    below every tier. The returned number is the cell's partial-credit score.
    """
    check_budget(read_record(folder))
    result = evaluate_in_clean_process(Path(folder) / MODEL_FILENAME, limits=limits)
    if result["params"] > TUNE_MAX_PARAMS:
        raise CheckFailure(
            "the saved model is over the parameter budget", f"at most {TUNE_MAX_PARAMS:,}", f"{result['params']:,}"
        )
    accuracy = result["accuracy"]
    points = accuracy_points(accuracy)
    top = max(points for _, points in TUNE_ACCURACY_TIERS)
    tiers = ", ".join(f"{minimum:.1%}: {tier_points}" for minimum, tier_points in TUNE_ACCURACY_TIERS)
    print(_ACCURACY_LINE.format(accuracy=accuracy, images=result["test_images"]))
    print(f"Points by tier ({tiers}): {points} of {top}.")
    mistakes = confusion_summary(result["confusion"])
    if mistakes:
        print("Most mistakes:")
        print("\n".join(mistakes))
    if points == 0:
        lowest = TUNE_ACCURACY_TIERS[0][0]
        raise CheckFailure(
            "test accuracy below the lowest tier", f"at least {lowest:.1%}", f"{accuracy:.2%}",
            "train with a learning-rate schedule, batch normalization, or light augmentation, within the budget.",
        )
    return points
