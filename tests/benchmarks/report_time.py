"""Benchmark: the class report of 300 students and 3 assignments, against nbgrader's own CSV export.

Run with `make benchmark-report`. Prints figures, asserts nothing. The goal (the issue): a
report for 300 students and 3 assignments in under 30 seconds.

The class is generated, not graded, in a temporary course: the real `nbgrader
generate_assignment` of the 3 assignments, then 300 students who each submitted each
assignment (about 5% late), entered through nbgrader's Gradebook API with an auto score for
every test, and the files autograde would have left beside them: the submitted notebook, the
autograded notebook (the source notebook, hidden tests and all, with outputs that agree with
the scores: a passed test shows no error, a failed one the course's message with numbers of
its own; some students left an answer cell unanswered, so its `NotImplementedError` is
followed by `NameError`s; a few notebooks were stopped by the sandbox), a feedback page, and
for assignment 3 the training record and the accuracy measured in a clean process. The
messages, cascades and output sizes follow real autograded notebooks of the course's demo
submissions. Setting the class up is timed apart, and is not part of the figures.

The baseline, measured in the same process on the same gradebook, is nbgrader's CSV export
(`nbgrader export`'s `CsvExportPlugin`), which reads every student's score of every
assignment; the report's time is also given as a multiple of it, so runs on different machines
compare. Each figure is the median of REPEATS runs.
"""

import base64
import io
import json
import random
import statistics
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from autograder.assignments import all_assignments
from autograder.assignments.tune_training.training import RECORD_FILENAME, TrainingRecord
from autograder.failures import STOPPED
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.report import write_report
from autograder.course import course_settings
from autograder.settings import (
    MNIST_TEST_SIZE,
    MNIST_TRAIN_SIZE,
    TUNE_ACCURACY_TIERS,
    TUNE_MAX_PARAMS,
    TUNE_MAX_SAMPLES,
)

STUDENTS = 300
REPEATS = 3
GOAL_SECONDS = 30.0
SEED = 2025
# Shares of the class, per assignment: submitted after the due date, an answer cell left as the
# student version's placeholder, a notebook the sandbox stopped, a line that reaches for the grader.
LATE = 0.05
UNANSWERED = 0.05
STOPPED_BY_SANDBOX = 0.01
FLAGGED = 0.02
FIRST_DUE = datetime(2025, 3, 7, 23, 59)  # naive UTC, as nbgrader stores times
WEEKS_BETWEEN = 2

# What a failed test says, as the course's checks word it: (ename, evalue) with numbers that vary per student.
FAILURES = {
    "data_prepared": lambda r: _data_prepared(r, *r.choice((("train", 60000), ("test", 10000)))),
    "simplenet_builds": lambda r: ("CheckFailure", r.choice((
        "`SimpleNet()` raised ValueError: Unrecognized keyword arguments passed to Dropout: "
        f"{{'axis': {r.randint(0, 2)}}}.\nHint: `keras.layers.Dropout` has no `axis` argument: use `Dropout(rate)`.",
        "`SimpleNet()` raised AttributeError: `Model.layers` attribute is reserved and should not be used. Please use "
        "another name.\nHint: `self.layers` is Keras's own list of layers; store each layer under its own name.",
    ))),
    "simplenet_output_shape": lambda r: ("CheckFailure", (
        f"wrong output shape for inputs of shape (None, 28, 28, 1): expected (None, 10), got (None, 28, 28, "
        f"{r.choice((10, 64, 128))}).\nHint: the first Dense layer sees 28x28x1 images: flatten them first.")),
    "simplenet_param_count": lambda r: ("CheckFailure", (
        f"wrong number of parameters: expected 101,770, got {r.randint(1_500, 400_000):,}.\n"
        "Hint: flatten the images before the first Dense layer, and use the sizes passed to the constructor.")),
    "simplenet_probabilities": lambda r: ("CheckFailure", (
        f"the outputs are not probabilities: expected rows of non-negative values summing to 1, got row sums from "
        f"{r.uniform(-3, 0.9):.3f} to {r.uniform(1.2, 9.0):.3f}.\nHint: which activation makes a distribution?")),
    "simplenet_dropout": lambda r: ("CheckFailure", (
        f"{r.randint(2, 5)} training calls on the same batch gave identical outputs: expected different outputs.\n"
        "Hint: call the Dropout layer with `training=training`.")),
    "simplenet_other_sizes": lambda r: _other_sizes(r.randint(2, 9)),
    "simplenet_inference_deterministic": lambda r: ("CheckFailure", (
        f"two predictions on the same {r.choice((32, 64, 100))} images differ by up to {r.uniform(0.01, 0.6):.3g}: "
        "expected identical predictions.\nHint: randomness only where `training` is True.")),
    "simplenet_forward_pass": lambda r: ("CheckFailure", (
        f"`SimpleNet()` does not match the reference softmax(relu(x W1 + b1) W2 + b2) (relative error "
        f"{r.uniform(0.001, 1):.1e}, tolerance 1e-05).\nHint: check each layer's activation.")),
    "simplenet_accuracy": lambda r: ("CheckFailure", (
        f"test accuracy too low on 10,000 images: expected at least 97.00%, got {r.uniform(0.09, 0.969):.2%}.\n"
        "Hint: train longer within the budget, or check the data scaling and the model.")),
    "weight_plot": lambda r: ("CheckFailure", r.choice((
        f"too few 28x28 pictures of first-layer weights: expected at least 16, got {r.randint(0, 15)}.\n"
        "Hint: draw one `imshow` per hidden unit: `kernel[:, j].reshape(28, 28)`.",
        f"picture {r.randint(0, 31)} is not a column of the first Dense layer's kernel (best correlation "
        f"{r.uniform(0.1, 0.9):.2f}, need 0.99).\nHint: show `kernel[:, j].reshape(28, 28)` for hidden unit j.",
    ))),
    "dense_layer_weights": lambda r: _kernel_shape(r.choice((4, 5, 16)), r.randint(3, 12)),
    "dense_layer_forward": lambda r: _dense_reference(r, r.choice((5, 7))),
    "dense_layer_any_input": lambda r: _dense_reference(r, r.choice((3, 11))),
    "dense_layer_config": lambda r: ("CheckFailure", (
        "`DenseLayer.from_config(layer.get_config())` raised TypeError: DenseLayer.__init__() missing 1 required "
        "positional argument: 'units'.\nHint: `get_config()` returns `super().get_config()` updated with `units`.")),
    "dense_layer_trains": lambda r: ("CheckFailure", (
        f"the loss did not go down: expected below {r.uniform(1.5, 2.2):.3f}, got {r.uniform(2.2, 2.4):.3f} after "
        f"{r.choice((10, 20))} steps.\nHint: use Keras tensors (operators or keras.ops), not NumPy, in call().")),
    "conv_output_size_cases": lambda r: _output_size(r.choice((7, 14, 28)), r.choice((2, 4))),
    "conv2d_forward_valid": lambda r: ("CheckFailure", (
        f"`conv2d_forward(x of shape (2, {r.choice((7, 8))}, 7, 3), kernel of shape (3, 3, 3, 4), bias, stride=1, "
        f"padding='valid')` does not match the reference (relative error {r.uniform(0.01, 1):.1e}, tolerance 1e-05).\n"
        "Hint: the kernel is flipped: Keras's Conv2D computes a cross-correlation.")),
    "conv2d_forward_same": lambda r: _same_shape(r.choice((5, 6, 7)), r.choice((2, 3, 4)), r.choice((1, 2))),
    "cnn_layers": lambda r: ("CheckFailure", r.choice((
        f"layer {r.randint(4, 6)} (dense_1) has the wrong layer class: expected Dropout, got Dense.\n"
        "Hint: compare model.summary() with the table row by row.",
        f"layer {r.choice((1, 3))} (conv2d) has the wrong number of parameters: expected {r.choice((320, 18496)):,}, "
        f"got {r.randint(100, 40000):,}.\nHint: a Conv2D holds (3*3*C_in + 1)*filters parameters.",
    ))),
    "cnn_accuracy": lambda r: ("CheckFailure", (
        f"test accuracy too low on 10,000 images: expected at least 94.00%, got {r.uniform(0.1, 0.939):.2%}.\n"
        "Hint: match the loss to integer labels.")),
}


def _data_prepared(rng, split, size):
    if rng.random() < 0.5:
        return "CheckFailure", (
            f"`{split}_images` has the wrong shape: expected ({size}, 28, 28, 1), got ({size}, "
            f"{rng.choice(('28, 28', '784'))}).\nHint: add the channel axis: `images[..., np.newaxis]`.")
    return "CheckFailure", (
        f"`{split}_images` is not scaled to [0, 1]: expected values from 0 to 1, got values from 0 to "
        f"{rng.choice((255, 1.004, 65025))}.\nHint: divide the raw pixels (0..255) by 255.")


def _other_sizes(classes):
    return "CheckFailure", (
        f"wrong output shape for inputs of shape (None, 28, 28, 1): expected (None, {classes}), got (None, 10).\n"
        "Hint: use `output_layer_sizes[0]` units in the output layer.")


def _kernel_shape(units, inputs):
    return "CheckFailure", (
        f"the kernel of `DenseLayer({units})` on {inputs}-dimensional inputs has the wrong shape: expected "
        f"({inputs}, {units}), got ({units}, {inputs}).\nHint: the kernel is (input_shape[-1], units).")


def _dense_reference(rng, inputs):
    return "CheckFailure", (
        f"`DenseLayer({rng.choice((4, 5))}, activation='relu')` on {inputs}-dimensional inputs does not match the "
        f"reference (relative error {rng.uniform(0.01, 1):.1e}, tolerance 1e-05).\n"
        "Hint: the bias is not added: return `activation(inputs @ kernel + bias)`.")


def _output_size(size, kernel):
    return "CheckFailure", (
        f"`conv_output_size({size}, {kernel}, stride=1, padding='same')` is wrong (Conv2D with these settings gives "
        f"{size}): expected {size}, got {size + 1}.\n"
        "Hint: with 'same' padding the output length is ceil(size / stride).")


def _same_shape(size, kernel, stride):
    wanted = -(-size // stride)
    return "CheckFailure", (
        f"`conv2d_forward(x of shape (1, {size}, {size}, 3), kernel of shape ({kernel}, {kernel}, 3, 2), bias, "
        f"stride={stride}, padding='same')` has the wrong output shape: expected (1, {wanted}, {wanted}, 2), got "
        f"(1, {wanted + 1}, {wanted + 1}, 2).\nHint: the output is (N, H_out, W_out, C_out).")


# An answer cell left as the student version's placeholder, and every cell that then fails, with its error:
# the cell itself (when it raises at once), the tests that use it, and later cells that miss a name it defines.
PLACEHOLDER = "NotImplementedError (the `raise NotImplementedError()` placeholder is still there)"
NOT_IMPLEMENTED = ("NotImplementedError", "")


def _missing(name):
    return "NameError", f"name '{name}' is not defined"


_SIMPLENET_TESTS = ("simplenet_builds", "simplenet_output_shape", "simplenet_param_count", "simplenet_probabilities",
                    "simplenet_dropout", "simplenet_other_sizes", "simplenet_inference_deterministic",
                    "simplenet_forward_pass")
_DENSE_TESTS = ("dense_layer_weights", "dense_layer_forward", "dense_layer_any_input", "dense_layer_config",
                "dense_layer_trains")
_TRAINING_NOT_DONE = ("CheckFailure", f"training did not complete: {PLACEHOLDER}.")
PLACEHOLDERS = {
    "01_fix_simplenet": {
        "prepare_data": {"prepare_data": NOT_IMPLEMENTED, "data_prepared": _missing("train_images"),
                         "train_simplenet": _missing("train_images"), "simplenet_accuracy": _missing("history")},
        "simplenet": {"simplenet": NOT_IMPLEMENTED, **{test: _missing("SimpleNet") for test in _SIMPLENET_TESTS},
                      "train_simplenet": _missing("SimpleNet"), "simplenet_accuracy": _missing("history"),
                      "plot_weights": _missing("model"), "weight_plot": _missing("model")},
        "train_simplenet": {"train_simplenet": NOT_IMPLEMENTED, "simplenet_accuracy": _missing("history"),
                            "plot_weights": _missing("model"), "weight_plot": _missing("model")},
    },
    "02_layers_and_cnn": {
        "dense_layer": {test: ("CheckFailure", f"`DenseLayer(5, activation=None)` raised {PLACEHOLDER}.\n"
                                               "Hint: the constructor calls `super().__init__(**kwargs)`.")
                        for test in _DENSE_TESTS},
        "build_cnn": {"build_cnn": NOT_IMPLEMENTED, "train_cnn": NOT_IMPLEMENTED, "cnn_accuracy": _missing("history"),
                      "cnn_layers": ("CheckFailure", f"`build_cnn()` raised {PLACEHOLDER}.")},
        "train_cnn": {"train_cnn": NOT_IMPLEMENTED, "cnn_accuracy": _missing("history")},
    },
    "03_tune_training": {  # the training cell catches the error and writes it in the record
        "build_model": {"build_model": NOT_IMPLEMENTED, "tuned_model_budget": _TRAINING_NOT_DONE,
                        "tuned_accuracy": _TRAINING_NOT_DONE},
        "train": {"tuned_model_budget": _TRAINING_NOT_DONE, "tuned_accuracy": _TRAINING_NOT_DONE},
    },
}
# The cell that trains a model: where a notebook runs out of memory, if anywhere.
TRAINING_CELL = {"01_fix_simplenet": "train_simplenet", "02_layers_and_cnn": "train_cnn",
                 "03_tune_training": "train_and_save"}
SANDBOX_LIMIT = "the notebook used more than 4.0 GiB of memory"
NO_RECORD = ("the training cell did not run to its end (no training record).\nHint: run the cell that calls "
             "`train_within_budget(build_model, train)` and read its output.")
# Lines that reach for the grader; a flagged submission has one of them at the top of its first answer cell.
SUSPICIOUS_LINES = (
    "keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]",
    "import sys; sys.modules['autograder.shared_checks'] = None",
    "from autograder.errors import _ANSI_ESCAPES",
    "open('../../gradebook.db', 'rb').read()",
)
# What the setup cell of every autograded notebook writes to stderr (TensorFlow's notice).
ONEDNN_NOTICE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795926196.309260    2882 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors from different computation orders. To turn "
    "them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.\n"
)


@dataclass
class Outcome:
    """What one generated student got in one assignment: every test's points, and what its cells show."""

    student: str
    due: datetime
    timestamp: datetime
    points: dict = field(default_factory=dict)  # grade_id -> auto score, every autograded test
    outputs: dict = field(default_factory=dict)  # cell grade_id -> outputs; other cells show their usual ones
    placeholder: str = ""  # the answer cell left unanswered
    suspicious: str = ""  # a line that reaches for the grader, added to the first answer cell
    record: TrainingRecord | None = None  # assignment 3: the training record, if the training cell wrote one

    @property
    def late(self):
        return self.timestamp > self.due


# Outputs, as nbformat 4 has them.

def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def error(ename, evalue):
    """An error output with a short traceback, as the kernel (or the grader) leaves it."""
    first = evalue.splitlines()[0] if evalue else ""
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [
        "\x1b[31m---------------------------------------------------------------------------\x1b[39m",
        f"\x1b[31m{ename}\x1b[39m                              Traceback (most recent call last)",
        "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[12]\x1b[39m\x1b[32m, line 4\x1b[39m\n"
        "\x1b[32m----> \x1b[39m\x1b[32m4\x1b[39m check(...)\n",
        f"\x1b[31m{ename}\x1b[39m: {first}",
    ]}


def result(text):
    return {"output_type": "execute_result", "execution_count": None, "data": {"text/plain": text}, "metadata": {}}


def figure_output(png_base64, size):
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": png_base64, "text/plain": f"<Figure size {size}>"}}


def figures():
    """{cell grade id: its figure as a notebook holds it (base64 PNG)}: the weight pictures and the training curves.

    Drawn once, about as large as the real ones (160 and 70 kB).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    def png(figure, **options):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", **options)
        plt.close(figure)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    weights, axes = plt.subplots(4, 8, figsize=(12, 6))
    for ax, picture in zip(axes.flat, np.random.default_rng(SEED).normal(size=(32, 28, 28))):
        ax.set_axis_off()
        ax.imshow(picture, cmap="RdBu")
    curves, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        ax.plot(range(1, 6), np.linspace(0.3, 0.03, 5), "o-", label=f"training {metric}")
        ax.plot(range(1, 6), np.linspace(0.18, 0.03, 5), "s--", label=f"validation {metric}")
        ax.legend()
    curves.tight_layout()
    return {"plot_weights": figure_output(png(weights, bbox_inches="tight"), "1200x600 with 32 Axes"),
            "training_curves": figure_output(png(curves), "1100x400 with 2 Axes")}


# The generated class.

def ability_of(student):
    """A student's ability in [0, 1], the same in every assignment: most students do well."""
    return random.Random(f"{SEED}/{student}").betavariate(6, 1.6)


def submission_time(rng, due):
    """When a student submitted: minutes to days before `due`, or (LATE of them) up to 3 days after."""
    if rng.random() < LATE:
        return due + timedelta(minutes=rng.uniform(5, 3 * 24 * 60))
    return due - timedelta(minutes=rng.uniform(5, 6 * 24 * 60))


def outcome_of(assignment, cells, student, due):
    """One student's `Outcome` in one assignment: a usual submission, an unanswered cell, or a stopped notebook.

    `cells` are the grade ids of the notebook's code cells, in order.
    """
    rng = random.Random(f"{SEED}/{student}/{assignment.name}")
    outcome = Outcome(student, due, submission_time(rng, due))
    ability = ability_of(student)
    if assignment.training is not None:
        tuned_training(outcome, rng, ability)
    else:
        usual_submission(assignment, outcome, rng, ability)
    draw = rng.random()
    if draw < UNANSWERED:
        left_unanswered(assignment, outcome, rng)
    elif draw < UNANSWERED + STOPPED_BY_SANDBOX:
        stopped_by_sandbox(assignment, cells, outcome)
    if rng.random() < FLAGGED:
        outcome.suspicious = rng.choice(SUSPICIOUS_LINES)
    return outcome


def usual_submission(assignment, outcome, rng, ability):
    """Each test passed, or (more often for weaker students and harder tests) failed with its message."""
    for test in assignment.autograded():
        difficulty = random.Random(test.grade_id).uniform(0.3, 1.6)
        if rng.random() < min(0.9, (1 - ability) * difficulty):
            outcome.points[test.grade_id] = 0.0
            outcome.outputs[test.grade_id] = [error(*FAILURES[test.grade_id](rng))]
        else:
            outcome.points[test.grade_id] = float(test.points)


def left_unanswered(assignment, outcome, rng):
    """An answer cell left as the placeholder: its cascade of errors, and 0 for every test in it."""
    outcome.placeholder, failed = rng.choice(sorted(PLACEHOLDERS[assignment.name].items()))
    for cell, (ename, evalue) in failed.items():
        outcome.outputs[cell] = [error(ename, evalue)]
        if cell in outcome.points:
            outcome.points[cell] = 0.0
    if assignment.training is not None:
        params = 0 if outcome.placeholder == "build_model" else rng.randint(18_000, TUNE_MAX_PARAMS)
        untrained(outcome, rng, PLACEHOLDER, params)


def stopped_by_sandbox(assignment, cells, outcome):
    """The sandbox stopped the training cell (memory): every later cell was not run, every later test scores 0."""
    training = TRAINING_CELL[assignment.name]
    outcome.outputs[training] = [stream("Epoch 1/5\n"), error(STOPPED, f"stopped: {SANDBOX_LIMIT}")]
    for cell in cells[cells.index(training) + 1:]:
        test = assignment.test(cell)
        if test is not None and test.graded_outside_kernel:  # graded from the files: there is no record
            outcome.outputs[cell] = [error("CheckFailure", NO_RECORD)]
        else:
            outcome.outputs[cell] = [error(STOPPED, f"not run: {SANDBOX_LIMIT}")]
        if cell in outcome.points:
            outcome.points[cell] = 0.0
    outcome.record = None


def tuned_training(outcome, rng, ability):
    """Assignment 3: the training record, and the budget and accuracy tests that agree with it.

    Most students trained within the budget and score their accuracy's tier; a few built a model
    over the parameter budget (not trained) or called `fit()` for more samples than the budget.
    """
    params = rng.randint(18_000, TUNE_MAX_PARAMS)
    draw = rng.random()
    if draw < 0.03:
        params = rng.randint(TUNE_MAX_PARAMS + 1, 450_000)
        untrained(outcome, rng, f"the model is over the parameter budget, so it was not trained: expected at most "
                                f"{TUNE_MAX_PARAMS:,} parameters, got {params:,}.\nHint: use fewer filters or units, "
                                "or replace Flatten + Dense by GlobalAveragePooling2D.", params)
    elif draw < 0.06:
        calls = rng.randint(1, 3)
        samples = TUNE_MAX_SAMPLES + rng.choice((64, 128, 1_000))
        outcome.record = TrainingRecord(params=params, samples_seen=samples, fit_calls=calls,
                                        seconds=rng.uniform(150, 260), stopped_at_budget=True, saved=True)
        over = error("CheckFailure", (
            f"training consumed more samples than the budget, so it was stopped there: expected at most "
            f"{TUNE_MAX_SAMPLES:,} ({TUNE_MAX_SAMPLES // MNIST_TRAIN_SIZE} passes over {MNIST_TRAIN_SIZE:,} images), "
            f"got {samples:,} in {calls} `fit()` call(s).\nHint: every `fit()` call and every augmented copy counts: "
            "train for fewer epochs, or call `fit()` once."))
        outcome.points.update(tuned_model_budget=0.0, tuned_accuracy=0.0)
        outcome.outputs.update(tuned_model_budget=[over], tuned_accuracy=[over])
    else:
        outcome.record = TrainingRecord(params=params, samples_seen=rng.choice((240_000, 270_000, 285_000, 300_000)),
                                        fit_calls=1, seconds=rng.uniform(90, 240), saved=True)
        outcome.points["tuned_model_budget"] = 1.0
        accuracy_cell(outcome, rng, ability)
    if outcome.record.error is None:
        outcome.outputs["train_and_save"] = [*usual_outputs("train_and_save", {}),
                                             stream(f"Budget: {outcome.record.describe()}\n")]
    outcome.outputs["build_model"] = [stream(f"{params:,} parameters (budget {TUNE_MAX_PARAMS:,})\n")]


def untrained(outcome, rng, why, params):
    """Assignment 3: the training cell caught `why` before training; both tests say training did not complete."""
    outcome.record = TrainingRecord(params=params, seconds=rng.uniform(0.001, 3), error=why)
    outcome.outputs["train_and_save"] = [stream(f"Training failed: {why}\nBudget: {outcome.record.describe()}\n")]
    failed = error("CheckFailure", f"training did not complete: {why}" + ("" if why.endswith(".") else "."))
    outcome.points.update(tuned_model_budget=0.0, tuned_accuracy=0.0)
    outcome.outputs.update(tuned_model_budget=[failed], tuned_accuracy=[failed])


def accuracy_cell(outcome, rng, ability):
    """The accuracy test's outputs: the measured accuracy (97.5% to 99.2%), its tier's points, the worst digits."""
    correct = round(MNIST_TEST_SIZE * min(0.992, max(0.975, 0.972 + 0.02 * ability + rng.gauss(0, 0.002))))
    accuracy = correct / MNIST_TEST_SIZE
    points = max((tier_points for minimum, tier_points in TUNE_ACCURACY_TIERS if accuracy >= minimum), default=0)
    top = max(tier_points for _, tier_points in TUNE_ACCURACY_TIERS)
    tiers = ", ".join(f"{minimum:.1%}: {tier_points}" for minimum, tier_points in TUNE_ACCURACY_TIERS)
    mistakes = "".join(
        f"  digit {digit}: {rng.randint(5, 30)} of {rng.randint(892, 1135)} wrong, mostly read as "
        f"{(digit + rng.randint(1, 9)) % 10} ({rng.randint(2, 9)})\n" for digit in rng.sample(range(10), 3)
    )
    printed = (f"Test accuracy {accuracy:.2%} on {MNIST_TEST_SIZE:,} images (measured in a clean process).\n"
               f"Points by tier ({tiers}): {points} of {top}.\nMost mistakes:\n{mistakes}")
    if points:
        ending = result(repr(points))
    else:
        ending = error("CheckFailure", (
            f"test accuracy below the lowest tier: expected at least {TUNE_ACCURACY_TIERS[0][0]:.1%}, got "
            f"{accuracy:.2%}.\nHint: train with a learning-rate schedule, batch normalization, or light augmentation, "
            "within the budget."))
    outcome.points["tuned_accuracy"] = float(points)
    outcome.outputs["tuned_accuracy"] = [stream(printed), ending]


# The notebooks and files.

def read_notebook(course, folder, assignment):
    """The assignment's notebook in `folder` (source or release) of the course, as plain JSON."""
    return json.loads((course / folder / assignment.name / assignment.filename).read_text(encoding="utf-8"))


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def _is_answer(cell):
    return cell["cell_type"] == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution", False)


def code_cells(notebook):
    """The grade ids of the notebook's code cells, in order ("" for a cell without one)."""
    return [_grade_id(cell) for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _lines(text):
    return text.splitlines(keepends=True)


def usual_outputs(cell_id, drawn):
    """What a cell that ran without trouble shows: TensorFlow's notice, a training log, a figure, or nothing."""
    if cell_id == "setup":
        return [stream(ONEDNN_NOTICE, "stderr")]
    if cell_id in drawn:
        return [drawn[cell_id]]
    if cell_id in TRAINING_CELL.values():
        epochs = [f"Epoch {epoch}/5\n422/422 - 3s - 7ms/step - accuracy: 0.9{epoch}17 - loss: 0.{9 - epoch}052 - "
                  f"val_accuracy: 0.9{epoch}45 - val_loss: 0.{9 - epoch}890\n" for epoch in range(1, 6)]
        return [stream(text) for text in epochs]
    return []


def autograded_notebook(source, release, outcome, drawn):
    """The `source` notebook as autograde leaves it for this student: the student's answers, every cell's outputs.

    A placeholder answer is the `release` notebook's cell; `drawn` are the figures (`figures()`).
    """
    placeholders = {_grade_id(cell): cell["source"] for cell in release["cells"] if _is_answer(cell)}
    cells, count, first_answer = [], 0, True
    for cell in source["cells"]:
        cell = dict(cell)
        if cell["cell_type"] == "code":
            count += 1
            cell_id = _grade_id(cell)
            if _is_answer(cell):
                text = "".join(line for line in _lines("".join(cell["source"]))
                               if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
                if cell_id == outcome.placeholder:
                    text = "".join(placeholders[cell_id])
                if first_answer and outcome.suspicious:
                    text = f"{outcome.suspicious}\n{text}"
                first_answer = False
                cell["source"] = _lines(text)
            cell["execution_count"] = count
            cell["outputs"] = outcome.outputs.get(cell_id) or usual_outputs(cell_id, drawn)
        cells.append(cell)
    return {**source, "cells": cells}


def submitted_notebook(release, outcome):
    """The `release` notebook as the student handed it in (a flagged one with its suspicious line)."""
    if not outcome.suspicious:
        return release
    notebook = json.loads(json.dumps(release))
    answer = next(cell for cell in notebook["cells"] if _is_answer(cell))
    answer["source"] = _lines(f"{outcome.suspicious}\n" + "".join(answer["source"]))
    return notebook


def feedback_page(assignment, outcome):
    """A small feedback page: the student's points per test."""
    rows = "".join(f"<tr><td>{grade_id}</td><td>{points:g}</td></tr>" for grade_id, points in outcome.points.items())
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{assignment.notebook}</title></head><body>"
            f"<h1>{assignment.title}: feedback for {outcome.student}</h1><table>{rows}</table></body></html>\n")


def write_files(course, assignment, outcomes, drawn):
    """What nbgrader's collect, autograde and generate_feedback leave for each student of `outcomes`."""
    source, release = (read_notebook(course, folder, assignment) for folder in ("source", "release"))
    for outcome in outcomes:
        parts = (outcome.student, assignment.name)
        submitted, autograded, feedback = (course.joinpath(top, *parts)
                                           for top in ("submitted", "autograded", "feedback"))
        for folder in (submitted, autograded, feedback):
            folder.mkdir(parents=True, exist_ok=True)
        (submitted / "timestamp.txt").write_text(outcome.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        (submitted / assignment.filename).write_text(json.dumps(submitted_notebook(release, outcome)))
        notebook = autograded_notebook(source, release, outcome, drawn)
        (autograded / assignment.filename).write_text(json.dumps(notebook))
        (feedback / f"{assignment.notebook}.html").write_text(feedback_page(assignment, outcome))
        if outcome.record is not None:
            (autograded / RECORD_FILENAME).write_text(json.dumps(asdict(outcome.record)))


# The gradebook.

def add_students(db_url, course_id, students):
    """Every student, through nbgrader's API."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id=course_id) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student, first_name="Student", last_name=student[-3:],
                                               email=f"{student}@example.org")


def fill_gradebook(db_url, course_id, assignment, due, outcomes):
    """The assignment's due date, one submission per outcome (nbgrader's `add_submission`), and every auto score."""
    from nbgrader import api
    from sqlalchemy.exc import SAWarning

    with api.Gradebook(db_url, course_id=course_id) as gradebook:
        gradebook.update_or_create_assignment(assignment.name, duedate=due)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own, from SQLAlchemy 2's autoflush
            for outcome in outcomes:
                gradebook.add_submission(assignment.name, outcome.student, timestamp=outcome.timestamp)
        points = {outcome.student: outcome.points for outcome in outcomes}
        grades = (
            gradebook.db.query(api.Grade, api.GradeCell.name, api.GradeCell.cell_type,
                               api.SubmittedAssignment.student_id)
            .join(api.GradeCell, api.Grade.cell_id == api.GradeCell.id)
            .join(api.SubmittedNotebook, api.Grade.notebook_id == api.SubmittedNotebook.id)
            .join(api.SubmittedAssignment, api.SubmittedNotebook.assignment_id == api.SubmittedAssignment.id)
            .join(api.Assignment, api.SubmittedAssignment.assignment_id == api.Assignment.id)
            .filter(api.Assignment.name == assignment.name)
        )
        for grade, grade_id, cell_type, student in grades:
            if cell_type == "code":  # an autograded test; a written answer waits for a grader
                grade.auto_score = points[student][grade_id]
                grade.needs_manual_grade = False
        gradebook.db.commit()


def generate_class(folder):
    """A course in `folder` with STUDENTS students graded in every assignment.

    Returns the course, {assignment: [Outcome]}, and the seconds of each step.
    """
    seconds = {}
    started = time.perf_counter()
    course = copy_course(folder)
    for assignment in all_assignments():
        run_nbgrader(course, "generate_assignment", assignment.name, "--force")
    seconds["nbgrader generate_assignment"] = time.perf_counter() - started

    started = time.perf_counter()
    db_url, course_id = course_settings(course)
    students = [f"student_{number:03d}" for number in range(STUDENTS)]
    add_students(db_url, course_id, students)
    outcomes = {}
    for index, assignment in enumerate(all_assignments()):
        due = FIRST_DUE + timedelta(weeks=WEEKS_BETWEEN * index)
        cells = code_cells(read_notebook(course, "source", assignment))
        outcomes[assignment.name] = [outcome_of(assignment, cells, student, due) for student in students]
        fill_gradebook(db_url, course_id, assignment, due, outcomes[assignment.name])
    seconds["gradebook (nbgrader's API)"] = time.perf_counter() - started

    started = time.perf_counter()
    drawn = figures()
    for assignment in all_assignments():
        write_files(course, assignment, outcomes[assignment.name], drawn)
    seconds["notebooks and feedback"] = time.perf_counter() - started
    return course, outcomes, seconds


# The measurements.

def csv_export(db_url, destination):
    """The baseline: nbgrader's own CSV export of the gradebook (what `nbgrader export` runs)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    with Gradebook(db_url) as gradebook:
        CsvExportPlugin(to=str(destination)).export(gradebook)


def timed(action):
    """The median seconds of REPEATS runs of `action`, and every run's seconds."""
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def _kb(paths):
    return sum(path.stat().st_size for path in paths) / 1024


def main():
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        course, outcomes, setup = generate_class(folder / "course")
        db_url = course_settings(course)[0]
        export, export_runs = timed(lambda: csv_export(db_url, folder / "grades.csv"))
        pages = []
        report, report_runs = timed(lambda: pages.append(write_report(course)))
        page_kb = _kb([pages[-1]])
        files = [path for path in pages[-1].parent.iterdir() if path.is_file() and path != pages[-1]]
        files_kb = _kb(files)
        autograded_mb = _kb((course / "autograded").rglob("*.ipynb")) / 1024

    found = [outcome for assignment in outcomes.values() for outcome in assignment]
    print(f"{STUDENTS} students, {len(outcomes)} assignments: {len(found)} graded submissions "
          f"({sum(outcome.late for outcome in found)} late, {sum(bool(outcome.placeholder) for outcome in found)} "
          f"with an answer left unanswered, {sum(bool(outcome.suspicious) for outcome in found)} flagged); "
          f"{autograded_mb:.0f} MB of autograded notebooks")
    print(f"set-up, not part of the figures: {sum(setup.values()):.1f} s")
    for step, seconds in setup.items():
        print(f"  {step:<30} {seconds:6.1f} s")
    print(f"\nmedian of {REPEATS} runs (each run's seconds in brackets):")
    print(f"  {'nbgrader CSV export (baseline)':<34} {export:7.2f} s   1.00x   "
          f"({', '.join(f'{value:.2f}' for value in export_runs)})")
    print(f"  {f'class report, {len(outcomes)} assignments':<34} {report:7.2f} s  {report / export:5.2f}x   "
          f"({', '.join(f'{value:.2f}' for value in report_runs)})")
    print(f"the page: {page_kb:,.0f} kB, beside it {len(files)} PNG and CSV files of {files_kb:,.0f} kB")
    print(f"goal: a report for {STUDENTS} students and {len(outcomes)} assignments in under {GOAL_SECONDS:.0f} s; "
          f"reached: {report < GOAL_SECONDS} ({report:.1f} s)")


if __name__ == "__main__":
    main()
