"""Assignment 3, "Tune training": the training harness a student's notebook calls.

The student writes `build_model()` and `train(model, x_train, y_train)`. The notebook's
locked cell calls `train_within_budget(build_model, train)`, which hands `train` the
training split only, counts every sample `fit()` consumes (augmented copies included:
the count is taken inside the model's `train_step`), stops training one batch past the
budget (which marks the run as over budget), and saves the trained model and a record of
its budget next to the notebook.

During `nbgrader autograde` the kernel does not train: `train` runs with a model whose
`fit()` only records what it was asked (`plan.py`), and the grader trains from that record
in a process of its own (`trainer.py`), with the same budget guard. Outside autograde each
`fit()` call is checked the same way before it trains, so what fails in grading fails here.

The accuracy is never measured in the student's kernel: see `checks.py`.
"""

import inspect
import json
import os
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from autograder.data.feed import as_dataset
from autograder.errors import CheckFailure, error_text
from autograder.settings import (
    MNIST_IMAGE_SHAPE,
    MNIST_TRAIN_SIZE,
    TUNE_MAX_PARAMS,
    TUNE_MAX_SAMPLES,
)

MODEL_FILENAME = "tuned_model.keras"
RECORD_FILENAME = "tuned_model.json"
# Written by the training cell (by the grader's training during autograde); removed before autograde runs a
# notebook and after it, so a file handed in with the submission or written by the kernel is never graded.
ARTIFACTS = (MODEL_FILENAME, RECORD_FILENAME)
_TRAIN_WITH_FIT = "train with `model.fit(...)`: it is what the grader replays and counts."


@dataclass
class TrainingRecord:
    """What the training cell measured: the budget spent, and the first error if any.

    `stopped_at_budget` is True when `fit()` asked for more than the budget and was stopped.
    """

    params: int = 0
    samples_seen: int = 0
    fit_calls: int = 0
    seconds: float = 0.0
    stopped_at_budget: bool = False
    saved: bool = False
    error: str | None = None

    def describe(self):
        return (
            f"{self.params:,} parameters (budget {TUNE_MAX_PARAMS:,}); {self.samples_seen:,} training samples "
            f"consumed by {self.fit_calls} `fit()` call(s) (budget {TUNE_MAX_SAMPLES:,}, "
            f"{self.samples_seen / MNIST_TRAIN_SIZE:.2f} passes over the training images); {self.seconds:.0f} s"
        )


def _only_fit(*args, **kwargs):
    raise CheckFailure("`train_on_batch` cannot be replayed by the grader", hint=_TRAIN_WITH_FIT)


class _CompileCounter:
    """Counts `compile()` calls on a model, so the grader compiles again where the student did."""

    def __init__(self, model):
        self.count = 0
        compile_ = model.compile

        def counted_compile(*args, **kwargs):
            self.count += 1
            return compile_(*args, **kwargs)

        model.compile = counted_compile


class BudgetGuard:
    """Counts the samples each training step consumes and stops `fit()` one batch past the budget.

    `check_call(arguments)`, if given, runs before each `fit()` call trains (it raises for a call the
    grader could not replay); with `inside_train`, `fit()` returns a `TrainingHistory`.
    """

    def __init__(self, model, budget, feed, check_call=None, inside_train=None):
        import keras

        self.budget = budget
        self.fit_calls = 0
        self.seen = keras.Variable(0, dtype="int64", trainable=False, name="samples_seen")
        train_step = model.train_step

        def counting_train_step(data):
            first = keras.tree.flatten(data)[0]
            self.seen.assign_add(keras.ops.cast(keras.ops.shape(first)[0], "int64"))
            return train_step(data)

        fit = model.fit
        guard = self

        class StopAtBudget(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                # One batch past the budget shows that fit() wanted more than the budget.
                if guard.samples_seen() > guard.budget:
                    self.model.stop_training = True

        signature = inspect.signature(fit)

        def guarded_fit(*args, **kwargs):
            guard.fit_calls += 1
            arguments = signature.bind(*args, **kwargs).arguments
            if check_call is not None:
                check_call(arguments)
            callbacks = arguments.get("callbacks") or []
            if isinstance(callbacks, keras.callbacks.Callback):
                callbacks = [callbacks]
            arguments["callbacks"] = [*callbacks, StopAtBudget()]
            history = fit(**feed(arguments))
            return history if inside_train is None else TrainingHistory(inside_train, logs=history.history)

        # Instance attributes win over the class's methods, also inside Keras's compiled train function.
        model.train_step = counting_train_step
        model.fit = guarded_fit
        model.train_on_batch = _only_fit

    def samples_seen(self):
        return int(np.asarray(self.seen))

    def count_into(self, record):
        """Put the samples counted, and whether they went over the budget, in the `TrainingRecord`."""
        record.samples_seen = self.samples_seen()
        record.stopped_at_budget = record.samples_seen > self.budget


def save_quietly(model, folder):
    """Save the trained model as `MODEL_FILENAME` in `folder`, without Keras's warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(Path(folder) / MODEL_FILENAME)


class TrainingHistory:
    """What `fit()` returns to `train`: its History, to be read once `train` has returned.

    During autograde the grader trains after the training cell, so the History can only be
    filled in then (from the file the grader writes, `path`); reading it inside `train` is
    refused here as in grading, so a `train` that relies on it fails before it is handed in.
    """

    def __init__(self, inside_train, logs=None, path=None):
        self._inside_train = inside_train
        self._logs = logs
        self._path = None if path is None else Path(path)

    @property
    def history(self):
        if self._inside_train():
            raise CheckFailure(
                "the History of `fit()` was read inside `train`",
                hint="during grading your model is trained after `train` returns, so its History is filled in "
                     "only then: return it from `train`, and read it outside.",
            )
        if self._logs is not None:
            return self._logs
        try:
            if self._path.stat().st_size > 1024 * 1024:
                return {}
            logs = json.loads(self._path.read_text())
        except (OSError, ValueError):
            return {}
        return logs if isinstance(logs, dict) else {}


class _InsideTrain:
    """True while the student's `train` runs."""

    def __init__(self):
        self.running = False

    def __call__(self):
        return self.running

    def run(self, train, *arguments):
        self.running = True
        try:
            return train(*arguments)
        finally:
            self.running = False


class _FitPlanner:
    """Makes `model.fit` record its calls (`plan.FitCall`) instead of training, during autograde."""

    def __init__(self, model, training_split, folder, inside_train):
        from autograder.assignments.tune_training.plan import HISTORY_FILENAME, fit_call, model_config_of

        self.calls = []
        self.model_config = None
        compiles = _CompileCounter(model)
        signature = inspect.signature(model.fit)

        def planned_fit(*args, **kwargs):
            if self.model_config is None:
                self.model_config = model_config_of(model)
            arguments = signature.bind(*args, **kwargs).arguments
            self.calls.append(fit_call(model, arguments, training_split, compiles.count))
            return TrainingHistory(
                inside_train, path=Path(folder).resolve() / HISTORY_FILENAME.format(index=len(self.calls) - 1))

        model.fit = planned_fit
        model.train_on_batch = _only_fit

    def finish(self, model):
        """The model's configuration: as it was at the first `fit()` call, or as it is now if there was none."""
        from autograder.assignments.tune_training.plan import model_config_of

        return self.model_config if self.model_config is not None else model_config_of(model)


def grading_now():
    """Is this kernel run by `nbgrader autograde` (so the grader, not the kernel, trains)?"""
    return os.environ.get("NBGRADER_EXECUTION") == "autograde"


def write_record(folder, record):
    (Path(folder) / RECORD_FILENAME).write_text(json.dumps(asdict(record), indent=1))


def built(model):
    """`model`, built for MNIST's images if it was not yet (so its parameters can be counted)."""
    if not model.built:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model(np.zeros((1, *MNIST_IMAGE_SHAPE), "float32"))
    return model


def _fresh_copy(model):
    """`model` with newly initialized weights, compiled as it was: training inside `build_model()` does not count."""
    import keras

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fresh = built(keras.models.clone_model(model))
    except Exception as error:
        raise CheckFailure(
            f"the model of `build_model()` cannot be copied ({error_text(error)})",
            hint="return a `keras.Sequential` or Functional `keras.Model` made of Keras's built-in layers.",
        ) from None
    if model.compiled:
        try:
            fresh.compile_from_config(model.get_compile_config())
        except Exception:
            fresh.compile(optimizer=type(model.optimizer).from_config(model.optimizer.get_config()), loss=model.loss,
                          metrics=["accuracy"])
    return fresh


def arrays_as_given(arguments):
    """The arguments of a `fit()` call unchanged: Keras slices NumPy arrays itself (the benchmark's comparison)."""
    return arguments


# The locked cell that calls `train_within_budget(build_model, train)`: during autograde the grader trains the plan it
# wrote, and no other (grader/trainer.py).
TRAINING_CELL = "train_and_save"


def train_within_budget(build_model, train, folder=".", feed=as_dataset, planning=None):
    """Build and train the student's model on the training split under the budget; save it for grading.

    Returns `(model, history, record)`; `model` is a freshly initialized copy of what
    `build_model()` returned, so only the training done by `train` counts. Each `fit()` call
    goes through `feed` (by default, NumPy arrays become a `tf.data` pipeline of the same
    samples). The student's errors do not raise here: they are printed and kept in the
    record, and the test cells report them.

    `planning` (by default: during autograde) records the training plan in `folder/.training/`
    for the grader instead of training; the History is then filled in once the grader trained.
    """
    import keras

    from autograder.assignments.tune_training.plan import (
        PLANS_FOLDER,
        fit_call,
        model_config_of,
        new_plan_name,
        parameter_budget_failure,
        write_plan,
    )
    from autograder.data import load_mnist_train

    folder = Path(folder)
    planning = grading_now() if planning is None else planning
    for name in ARTIFACTS:
        (folder / name).unlink(missing_ok=True)
    record = TrainingRecord()
    model = history = None
    plan_folder = folder / PLANS_FOLDER / new_plan_name()
    started = time.perf_counter()
    try:
        model = build_model()
        if not isinstance(model, keras.Model):
            raise CheckFailure("`build_model()` should return a Keras model", "a keras.Model", type(model).__name__)
        record.params = built(model).count_params()
        if record.params > TUNE_MAX_PARAMS:
            raise parameter_budget_failure(record.params)
        model = _fresh_copy(model)
        training_split = load_mnist_train()
        if planning:
            inside_train = _InsideTrain()
            planner = _FitPlanner(model, training_split, plan_folder, inside_train)
            try:
                history = inside_train.run(train, model, *training_split)
            finally:
                record.fit_calls = len(planner.calls)
            write_plan(plan_folder, planner.finish(model), planner.calls)
            print(f"{record.fit_calls} `fit()` call(s) recorded: the grader trains your model from them, outside "
                  "this kernel, and prints its budget below.")
            return model, history, record
        compiles = _CompileCounter(model)

        def replayable(arguments):  # what the grader could not train from fails here too
            model_config_of(model)
            fit_call(model, arguments, training_split, compiles.count)

        inside_train = _InsideTrain()
        guard = BudgetGuard(model, TUNE_MAX_SAMPLES, feed, check_call=replayable, inside_train=inside_train)
        try:
            history = inside_train.run(train, model, *training_split)
        finally:
            guard.count_into(record)
            record.fit_calls = guard.fit_calls
        save_quietly(model, folder)
        record.saved = True
    except Exception as error:
        record.error = str(error) if isinstance(error, CheckFailure) else error_text(error)
        print(f"Training failed: {record.error}")
        if planning:  # the grader records the error as the training's outcome
            write_plan(plan_folder, None, [], record.error)
            return model, history, record
    record.seconds = time.perf_counter() - started
    write_record(folder, record)
    print(f"Budget: {record.describe()}")
    return model, history, record


def plot_training_curves(history):
    """Plot loss and accuracy per epoch, training and validation, from a Keras `History`; return the Figure."""
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", None) or {}
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for prefix, style in (("", "o-"), ("val_", "s--")):
            values = logs.get(prefix + metric)
            if values:
                ax.plot(range(1, len(values) + 1), values, style, label=("validation " if prefix else "training ") + metric)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        if ax.lines:
            ax.legend()
        else:
            ax.text(0.5, 0.5, f"no '{metric}' in the History", ha="center", transform=ax.transAxes)
    figure.tight_layout()
    return figure

