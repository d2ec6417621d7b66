"""Assignment 3, "Tune training": the training harness a student's notebook calls.

The student writes `build_model()` and `train(model, x_train, y_train)`. The notebook's
locked cell calls `train_within_budget(build_model, train)`, which hands `train` the
training split only, counts every sample `fit()` consumes (augmented copies included:
the count is taken inside the model's `train_step`), stops training one batch past the
budget (which marks the run as over budget), and saves the trained model and a record of its budget next to the notebook.

The accuracy is never measured in the student's kernel: see `checks.py`.
"""

import inspect
import json
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
# Written by the training cell; removed before autograde runs a notebook, so a file
# handed in with the submission is never graded.
ARTIFACTS = (MODEL_FILENAME, RECORD_FILENAME)


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


class _BudgetGuard:
    """Counts the samples each training step consumes and stops `fit()` one batch past the budget."""

    def __init__(self, model, budget, feed):
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
            callbacks = arguments.get("callbacks") or []
            if isinstance(callbacks, keras.callbacks.Callback):
                callbacks = [callbacks]
            arguments["callbacks"] = [*callbacks, StopAtBudget()]
            return fit(**feed(arguments))

        # Instance attributes win over the class's methods, also inside Keras's compiled train function.
        model.train_step = counting_train_step
        model.fit = guarded_fit

    def samples_seen(self):
        return int(np.asarray(self.seen))


def _write_record(folder, record):
    (Path(folder) / RECORD_FILENAME).write_text(json.dumps(asdict(record), indent=1))


def _built(model):
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
            fresh = _built(keras.models.clone_model(model))
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


def train_within_budget(build_model, train, folder=".", feed=as_dataset):
    """Build and train the student's model on the training split under the budget; save it for grading.

    Returns `(model, history, record)`; `model` is a freshly initialized copy of what
    `build_model()` returned, so only the training done by `train` counts. Each `fit()` call
    goes through `feed` (by default, NumPy arrays become a `tf.data` pipeline of the same
    samples). The student's errors do not raise here: they are printed and kept in the
    record, and the test cells report them.
    """
    import keras

    from autograder.data import load_mnist_train

    folder = Path(folder)
    for name in ARTIFACTS:
        (folder / name).unlink(missing_ok=True)
    record = TrainingRecord()
    model = history = None
    started = time.perf_counter()
    try:
        model = build_model()
        if not isinstance(model, keras.Model):
            raise CheckFailure("`build_model()` should return a Keras model", "a keras.Model", type(model).__name__)
        record.params = _built(model).count_params()
        if record.params > TUNE_MAX_PARAMS:
            raise CheckFailure(
                "the model is over the parameter budget, so it was not trained",
                f"at most {TUNE_MAX_PARAMS:,} parameters", f"{record.params:,}",
                "use fewer filters or units, or replace Flatten + Dense by GlobalAveragePooling2D.",
            )
        model = _fresh_copy(model)
        guard = _BudgetGuard(model, TUNE_MAX_SAMPLES, feed)
        x_train, y_train = load_mnist_train()
        try:
            history = train(model, x_train, y_train)
        finally:
            record.samples_seen = guard.samples_seen()
            record.fit_calls = guard.fit_calls
            record.stopped_at_budget = record.samples_seen > TUNE_MAX_SAMPLES
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.save(folder / MODEL_FILENAME)
        record.saved = True
    except Exception as error:
        record.error = str(error) if isinstance(error, CheckFailure) else error_text(error)
        print(f"Training failed: {record.error}")
    record.seconds = time.perf_counter() - started
    _write_record(folder, record)
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

