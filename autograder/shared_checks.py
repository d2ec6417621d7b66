"""Reusable checks on Keras models, layers and arrays.

Every check returns None when it passes (nbgrader would read a returned number as a
score) and raises `CheckFailure` with what was expected, what was found and a hint
when it does not. Checks look at behaviour (shapes, numbers, accuracy), never at how
the code is written, so any correct solution passes.

A check reaches the student's objects only inside `observe(label, probe)` (autograder/evidence.py),
whose probe returns plain data; the comparisons work on that data, so the grader can decide
them again outside the student's kernel. Helpers that take a model or a history here observe it
themselves.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from autograder.errors import CheckFailure
from autograder.evidence import hidden_grader_side, inputs_seed, observe
from autograder.settings import (
    FIXED_WEIGHT_SCALE,
    FORWARD_PASS_FLOOR,
    FORWARD_PASS_RTOL,
    PREDICT_BATCH_SIZE,
    PREDICTIONS_MIN_AGREEMENT,
    PROBABILITY_ATOL,
)

try:
    import autograder.references.mnist_test as mnist_test
except ModuleNotFoundError as error:
    mnist_test = hidden_grader_side(error, "autograder.references")


@dataclass(frozen=True)
class LayerSummary:
    """One row of a model summary: what the checks compare, layer by layer."""

    class_name: str
    output_shape: tuple
    params: int
    activation: str | None = None

    def describe(self):
        activation = f", activation {self.activation}" if self.activation else ""
        return f"{self.class_name} with output shape {self.output_shape}, {self.params:,} parameters{activation}"


def activation_name(layer):
    """The name of a layer's activation (`"relu"`, `"softmax"`, ...), or None."""
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", type(activation).__name__)


def summarize(model):
    """Return the `LayerSummary` of each layer of a built Sequential or Functional model.

    A Functional model's `InputLayer` is left out, so both kinds of model give the same
    rows; the batch axis is shown as None whether or not the model was built with `keras.Input`.
    """
    import keras

    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        rows.append(
            LayerSummary(
                class_name=type(layer).__name__,
                output_shape=(None, *tuple(layer.output.shape)[1:]),
                params=layer.count_params(),
                activation=activation_name(layer),
            )
        )
    return rows


def layer_facts(model):
    """`(rows, names)` of `model` as plain data, for a probe: each `summarize` row as a tuple, and each layer's name."""
    return (
        [(row.class_name, row.output_shape, row.params, row.activation) for row in summarize(model)],
        [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"],
    )


def layers_of(facts):
    """The `LayerSummary` rows and layer names of `layer_facts` data."""
    rows, names = facts
    return [LayerSummary(*row) for row in rows], names


def observed_layers(model):
    """`(summary rows, layer names)` of `model`, observed: what `check_layer_summary` compares."""
    return layers_of(observe("layers", lambda: layer_facts(model)))


def check_layer_summary(model, expected):
    """Compare a model's layers, in order, with the expected `LayerSummary` rows.

    An expected row's `activation` of None means "not checked". Names the first layer
    that differs; a model with more or fewer layers fails too.
    """
    compare_layer_summary(*observed_layers(model), expected)


def compare_layer_summary(got, names, expected):
    """`check_layer_summary` on observed rows: `got` (`LayerSummary`s) and the layers' `names`."""
    for index, (want, have) in enumerate(zip(expected, got)):
        fields = [
            ("layer class", want.class_name, have.class_name),
            ("output shape", want.output_shape, have.output_shape),
            ("parameter count", want.params, have.params),
        ]
        if want.activation is not None:
            fields.append(("activation", want.activation, have.activation))
        for field, want_value, have_value in fields:
            if want_value != have_value:
                raise CheckFailure(
                    f"layer {index} ({names[index]}) has the wrong {field}",
                    want_value,
                    have_value,
                    f"layer {index} should be a {want.describe()}.",
                )
    if len(got) != len(expected):
        if len(got) < len(expected):
            missing = "; ".join(row.describe() for row in expected[len(got):])
            hint = f"the model stops early; missing: {missing}."
        else:
            extra = "; ".join(row.describe() for row in got[len(expected):])
            hint = f"remove the extra layers: {extra}."
        raise CheckFailure("the model has the wrong number of layers", len(expected), len(got), hint)


def output_shape(model, input_shape, batch_size=2):
    """The shape of `model`'s output on a zero batch, with the batch axis shown as None."""
    outputs = np.asarray(call_model(model, np.zeros((batch_size, *input_shape), "float32")))
    return (None, *outputs.shape[1:])


def check_output_shape(model, input_shape, expected, hint=None):
    """Does `model` map a batch of `input_shape` inputs to outputs of shape `expected`?

    `hint` is the failure's hint, or a function of the shape found that returns it."""
    got = observe("output shape", lambda: output_shape(model, input_shape))
    if got != tuple(expected):
        hint = hint(got) if callable(hint) else hint
        raise CheckFailure(f"wrong output shape for inputs of shape {(None, *input_shape)}", tuple(expected), got, hint)


def check_param_count(model, expected, hint=None):
    """Does the built `model` have exactly `expected` parameters? (None: observe only, the judge decides.)"""
    got = observe("parameters", lambda: model.count_params())
    if expected is not None and got != expected:
        raise CheckFailure("wrong number of parameters", f"{expected:,}", f"{got:,}", hint)


def relative_error(got, expected, floor=1e-8):
    """The largest elementwise relative error, as in CS231n: |x - y| / max(floor, |x| + |y|)."""
    got = np.asarray(got, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    return float(np.max(np.abs(got - expected) / np.maximum(floor, np.abs(got) + np.abs(expected))))


def scaled_floor(expected, fraction=FORWARD_PASS_FLOOR):
    """A `relative_error` floor of `fraction` of the largest reference value, for outputs that cross zero."""
    return max(1e-8, fraction * float(np.max(np.abs(expected), initial=0.0)))


def check_close(got, expected, what, rtol=FORWARD_PASS_RTOL, hint=None, floor=1e-8):
    """Are `got` and `expected` the same shape and equal up to relative error `rtol`?"""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        raise CheckFailure(f"{what} has the wrong shape", expected.shape, got.shape, hint)
    if not np.all(np.isfinite(got)):
        raise CheckFailure(f"{what} contains NaN or infinite values", "finite numbers", "NaN/inf", hint)
    if not np.all(np.isfinite(expected)):
        raise ValueError(f"the reference for {what} contains NaN or infinite values")
    error = relative_error(got, expected, floor)
    if error > rtol:
        raise CheckFailure(
            f"{what} does not match the reference (relative error {error:.1e}, tolerance {rtol:.0e})",
            hint=hint,
        )


def check_probabilities(outputs, atol=PROBABILITY_ATOL, hint=None):
    """Is each row of `outputs` (shape (N, classes)) a probability distribution?"""
    outputs = np.asarray(outputs, dtype="float64")
    if outputs.ndim != 2:
        raise CheckFailure("outputs should be a 2-D array (batch, classes)", 2, f"{outputs.ndim} dimensions", hint)
    if not np.all(np.isfinite(outputs)):
        raise CheckFailure(
            "outputs contain NaN or infinite values", "finite probabilities", "NaN/inf",
            hint or "the model diverged or divides by zero; check the data scaling and the last activation.",
        )
    if outputs.min() < -atol or outputs.max() > 1 + atol:
        raise CheckFailure(
            "outputs are not probabilities", "values in [0, 1]",
            f"values from {outputs.min():.3g} to {outputs.max():.3g}", hint or "end with a softmax activation.",
        )
    sums = outputs.sum(axis=1)
    worst = float(np.max(np.abs(sums - 1)))
    if worst > atol:
        raise CheckFailure(
            "each row of outputs should sum to 1", 1.0, f"a row summing to {sums[np.argmax(np.abs(sums - 1))]:.6g}",
            hint or "end with a softmax activation.",
        )


def call_model(model, inputs, training=False):
    """Call `model` on `inputs` as a NumPy array, keeping Keras's warnings off stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(model(inputs, training=training))


def check_inference_deterministic(model, inputs, hint=None):
    """Does `model` give the same outputs every time it is called in inference mode?"""
    first, second = observe("two inference calls", lambda: (
        call_model(model, inputs, training=False), call_model(model, inputs, training=False)
    ))
    if np.shape(first) != np.shape(second):
        raise CheckFailure(
            "two inference calls on the same inputs gave outputs of different shapes",
            np.shape(first), np.shape(second), hint or "build every layer once, in `__init__`.",
        )
    if not np.array_equal(first, second):
        raise CheckFailure(
            "two inference calls on the same inputs gave different outputs "
            f"(largest difference {np.max(np.abs(first - second)):.3g})",
            hint=hint or "dropout must only be active in training; do not pass `training=True` to it.",
        )


def check_dropout_active_in_training(model, inputs, hint=None):
    """Does `model` behave differently in training mode (dropout on) than in inference?"""
    inference, training = observe("inference and training calls", lambda: (
        call_model(model, inputs, training=False), call_model(model, inputs, training=True)
    ))
    # Same shapes first: observed arrays are compared, never broadcast against each other.
    if np.shape(inference) == np.shape(training) and np.allclose(inference, training):
        raise CheckFailure(
            "outputs in training mode equal outputs in inference mode, so no dropout is applied",
            hint=hint or "add a `keras.layers.Dropout` layer and call it with the `training` flag.",
        )


def set_fixed_weights(model, seed=None, scale=FIXED_WEIGHT_SCALE):
    """Overwrite every trainable weight of a built `model` with seeded values; return them in `trainable_weights` order.

    Forward-pass checks use this so a student's initializer choice never matters.
    Non-trainable state (a BatchNormalization's moving variance) keeps its fixed
    initial value, which must stay positive.
    """
    values = fixed_weight_values([tuple(variable.shape) for variable in model.trainable_weights], seed, scale)
    for variable, value in zip(model.trainable_weights, values):
        variable.assign(value)
    return values


def fixed_weight_values(shapes, seed=None, scale=FIXED_WEIGHT_SCALE):
    """The seeded values `set_fixed_weights` gives weights of these `shapes`, in order (the grader draws them too).

    `seed` None: the seed of the checks' inputs (`evidence.inputs_seed`), fresh for each notebook during autograde."""
    rng = np.random.default_rng(inputs_seed() if seed is None else seed)
    return [(rng.standard_normal(tuple(shape)) * scale).astype("float32") for shape in shapes]


def call_arguments(kwargs):
    """`key=value, ...` of keyword arguments, as a check names the call it made (`build_cnn(input_shape=...)`)."""
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


def check_epoch_budget(history, budget):
    """Does `history` come from `fit()` with at least one and at most `budget` epochs?"""
    epochs = observe("epochs", lambda: len(getattr(history, "epoch", []) or []))
    if epochs == 0:
        raise CheckFailure("`history` holds no training epochs", hint="keep `history = model.fit(...)`.")
    if epochs > budget:
        raise CheckFailure(
            "trained for too many epochs", f"at most {budget}", epochs,
            "reach the accuracy within the budget: check the data scaling and the optimizer.",
        )


def predicted_classes(model, images, batch_size=PREDICT_BATCH_SIZE):
    """The highest-scoring class `model` gives each of `images` (computed here, not by `evaluate`)."""
    predictions = [np.argmax(call_model(model, images[start:start + batch_size]), axis=-1)
                   for start in range(0, len(images), batch_size)]
    return np.concatenate(predictions).astype("int64")


def accuracy(predictions, labels):
    """The fraction of `predictions` (classes) equal to `labels` (classes, or one-hot rows)."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    elif labels.ndim == 2:
        labels = labels.argmax(axis=1)
    predictions = np.asarray(predictions)
    if predictions.shape != labels.shape:
        raise CheckFailure("the model gave one prediction per image", f"{len(labels):,} predictions", predictions.shape)
    return float(np.mean(predictions == labels))


def trained_weights(model):
    """Probe: the values of `model.trainable_weights`, in order."""
    return [np.asarray(variable) for variable in model.trainable_weights]


def classes_of(forward, images, values, batch_size=PREDICT_BATCH_SIZE):
    """The highest-scoring class of each of `images` through `forward(images, values)`, the grader's forward pass of
    the answer with the weights `values`, a batch at a time."""
    return np.concatenate([np.argmax(forward(images[start:start + batch_size], values), axis=-1)
                           for start in range(0, len(images), batch_size)]).astype("int64")


def check_predictions_are_the_weights(predictions, computed):
    """Are the classes the kernel reported, `predictions`, those the grader `computed` from the model's weights?"""
    predictions = np.asarray(predictions)
    agreement = float(np.mean(computed == predictions)) if predictions.shape == computed.shape else 0.0
    if agreement < PREDICTIONS_MIN_AGREEMENT:
        raise CheckFailure(
            "the predicted classes are not those of the model's own trained weights (the grader computed them from "
            "the weights)", f"at least {PREDICTIONS_MIN_AGREEMENT:.0%} the same", f"{agreement:.1%} the same",
            "the test scores `model` as the notebook trained it, as the answer computes: its predictions come from "
            "its own layers and weights.",
        )


def check_min_accuracy(model, minimum, forward=None, images=None, labels=None, hint=None):
    """Does `model` reach at least `minimum` accuracy, by default on the MNIST test split?

    The predicted classes are observed, and on the test split the trained weights too. There the
    accuracy is that of the classes the grader computes from the weights with `forward`, the
    answer's forward pass, once the reported classes are shown to be the same
    (`check_predictions_are_the_weights`). The test split's labels and `forward` are the grader's
    (`autograder/references/`, the assignment's `grader/references.py`): where they are hidden
    (autograde's sandbox), the kernel only observes and the judge decides.
    """
    on_test_split = images is None
    if on_test_split:
        from autograder.data import load_mnist_test

        images = load_mnist_test()[0]
    predictions = observe("predicted classes", lambda: predicted_classes(model, images))
    values = observe("trained weights", lambda: trained_weights(model)) if on_test_split else None
    if on_test_split and mnist_test is None:
        return
    if on_test_split:
        if forward is None:
            raise ValueError("an accuracy on the test split is decided with the answer's forward pass: pass `forward`")
        computed = classes_of(forward, images, values)
        check_predictions_are_the_weights(predictions, computed)
        predictions, labels = computed, mnist_test.labels()
    got = accuracy(predictions, labels)
    if got < minimum:
        raise CheckFailure(
            f"test accuracy too low on {len(images):,} images", f"at least {minimum:.2%}", f"{got:.2%}",
            hint or "train longer within the budget, or check the data scaling and the model.",
        )
