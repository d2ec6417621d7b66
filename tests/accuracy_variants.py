"""The answers the accuracy thresholds of assignments 1 and 2 are measured on: correct ones, and wrong ones.

Each variant is a model the student's answer cell could define, trained by the notebook's own
training cell (its solution's text, run with the variant in place of the reference), and
measured on MNIST's test split with the checks' own `predicted_classes` and `accuracy`.

- `KNOWN`: the reference and the correct variants the test set already had; their lowest
  accuracy over the seeds of `make benchmark-thresholds` sets each threshold (settings.py).
- `HELD_OUT`: correct variants written after the thresholds were set, in other styles; they
  were not used to set them, and must pass.
- `WRONG`: answers whose accuracy must stay below the threshold.

`make benchmark-thresholds` trains every variant over `SWEEP_SEEDS` and prints the margins;
`tests/test_thresholds.py` trains each once, on the course's seed.
"""

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from autograder.settings import CNN_MIN_ACCURACY, SEED, SIMPLENET_MIN_ACCURACY
from autograder.shared_checks import accuracy, predicted_classes
from tests.solutions import definitions, run_solutions, solution_text

A1, A2 = "01_fix_simplenet", "02_layers_and_cnn"
KNOWN, HELD_OUT, WRONG = "known", "held out", "wrong"
# The seeds of the sweep: the course's own, then nine more.
SWEEP_SEEDS = (SEED, *range(1, 10))
THRESHOLDS = {A1: SIMPLENET_MIN_ACCURACY, A2: CNN_MIN_ACCURACY}
# What each assignment's training cell is called, and the name it gives the model it trains.
_TRAINING = {A1: ("train_simplenet", "model"), A2: ("train_cnn", "cnn")}


@dataclass(frozen=True, eq=False)
class Variant:
    """One answer: `names` replace the reference's definitions (`SimpleNet`, `build_cnn`) in the notebook's namespace;
    `edits` change the training cell's text ({old: new}), for a student who trains otherwise."""

    assignment: str
    name: str
    kind: str
    names: dict
    edits: tuple = ()

    def trained_accuracy(self, seed):
        """The test accuracy of this answer trained by the notebook's training cell, seeded with `seed`."""
        from autograder.data import load_mnist_test

        namespace = _prepared(self.assignment)  # its setup cell seeds Keras with the course's seed: seeded after
        namespace.update(self.names)
        keras.utils.set_random_seed(seed)
        cell, model_name = _TRAINING[self.assignment]
        code = solution_text(self.assignment, cell, self.edits).replace("verbose=2", "verbose=0")
        # The cell ends with its own evaluation: measured below instead.
        code = code[: code.index("test_loss")] if "test_loss" in code else code
        exec(compile(code, f"<{self.assignment} {cell}: {self.name}>", "exec"), namespace)
        images, labels = load_mnist_test()
        return accuracy(predicted_classes(namespace[model_name], images), labels)


def _prepared(assignment):
    """The notebook's namespace before its training cell: setup, the reference's definitions, the data it prepares."""
    if assignment == A1:
        return run_solutions(A1, definitions(A1, "simplenet"), "prepare_data")
    return definitions(A2, "build_cnn")


# Assignment 1 -----------------------------------------------------------------------------------------------------


def _a1_known():
    from tests.test_fix_simplenet import LazySimpleNet, SimpleNet, WrappedSimpleNet

    return {"reference": SimpleNet, "wrapped_sequential": WrappedSimpleNet, "lazy": LazySimpleNet}


class FunctionalSimpleNet(keras.Model):
    """Held out: a Functional model made in __init__ and called whole, activations as layers of their own,
    He-initialized hidden weights and a dropout of 0.3."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        inputs = keras.Input(shape=input_shape)
        x = layers.Flatten()(inputs)
        for size in hidden_layer_sizes:
            x = layers.Activation("relu")(layers.Dense(size, kernel_initializer="he_normal")(x))
            x = layers.Dropout(0.3)(x)
        outputs = layers.Softmax()(layers.Dense(output_layer_sizes[0])(x))
        self.network = keras.Model(inputs, outputs)

    def call(self, inputs, training=False):
        return self.network(inputs, training=training)


class OpsSimpleNet(keras.Model):
    """Held out: `keras.ops` in `call` for the reshape and the activations, a dropout of 0.1, and the output layer
    created first."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        self.out = layers.Dense(output_layer_sizes[0])
        self.pixels = int(np.prod(input_shape))
        self.hidden = [layers.Dense(size) for size in hidden_layer_sizes]
        self.drop = layers.Dropout(0.1)

    def call(self, inputs, training=None):
        x = keras.ops.reshape(inputs, (-1, self.pixels))
        for dense in self.hidden:
            x = keras.ops.relu(dense(x))
        return keras.ops.softmax(self.out(self.drop(x, training=training)))


def _no_hidden_relu():
    from tests.test_fix_simplenet import make_simplenet

    return make_simplenet(hidden_relu=False)


# Assignment 2 -----------------------------------------------------------------------------------------------------


def _a2_known():
    from tests.test_layers_and_cnn import build_cnn, build_cnn_functional, make_build_cnn, submitted

    return {"reference": build_cnn, "functional": build_cnn_functional,
            "alternative": submitted("alternative", "build_cnn"), "factory": make_build_cnn()}


def build_cnn_added(input_shape=(28, 28, 1), num_classes=10):
    """Held out: a Sequential grown with `add`, sizes as tuples and keyword arguments, He-initialized convolutions."""
    model = keras.Sequential()
    model.add(keras.Input(shape=input_shape))
    model.add(layers.Conv2D(filters=32, kernel_size=(3, 3), strides=(1, 1), padding="valid", activation="relu",
                            kernel_initializer="he_uniform"))
    model.add(layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(layers.Conv2D(filters=64, kernel_size=(3, 3), padding="valid", activation="relu",
                            kernel_initializer="he_uniform"))
    model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dropout(rate=0.5))
    model.add(layers.Dense(units=num_classes, activation="softmax"))
    return model


def variants():
    """Every variant, assignment 1's then assignment 2's."""
    found = [Variant(A1, name, KNOWN, {"SimpleNet": model}) for name, model in _a1_known().items()]
    found += [
        Variant(A1, "functional_inside", HELD_OUT, {"SimpleNet": FunctionalSimpleNet}),
        Variant(A1, "keras_ops", HELD_OUT, {"SimpleNet": OpsSimpleNet}),
        Variant(A1, "batch_64_no_validation", HELD_OUT, {}, edits=(
            ("batch_size=128, validation_split=0.1", "batch_size=64"),)),
        Variant(A1, "no_hidden_relu", WRONG, {"SimpleNet": _no_hidden_relu()}),
        Variant(A1, "one_epoch_on_1000_images", WRONG, {}, edits=(
            ("train_images, train_labels, epochs=SIMPLENET_EPOCH_BUDGET",
             "train_images[:1000], train_labels[:1000], epochs=1"),)),
    ]
    found += [Variant(A2, name, KNOWN, {"build_cnn": build}) for name, build in _a2_known().items()]
    found += [
        Variant(A2, "grown_with_add", HELD_OUT, {"build_cnn": build_cnn_added}),
        Variant(A2, "batch_32", HELD_OUT, {}, edits=(("batch_size=64", "batch_size=32"),)),
        Variant(A2, "a_tenth_of_the_images", WRONG, {}, edits=(
            ("x_train[:CNN_TRAIN_IMAGES], y_train[:CNN_TRAIN_IMAGES]",
             "x_train[:CNN_TRAIN_IMAGES // 10], y_train[:CNN_TRAIN_IMAGES // 10]"),)),
    ]
    return found


def passes(variant: Variant, measured: float) -> bool:
    """Does `measured` reach the variant's assignment's threshold?"""
    return measured >= THRESHOLDS[variant.assignment]

