"""Tests of autograder/assignments/layers_and_cnn/checks.py, the checks of assignment 2 ("Build dense and CNN layers").

Every check is run both ways: it passes on the reference solution (DenseLayer, conv_output_size,
conv2d_forward, build_cnn, taken from source/02_layers_and_cnn/layers_and_cnn.ipynb by
tests/solutions.py, never retyped here) and on other correct ways of writing it, and fails with a
`CheckFailure` naming the cause on the usual mistakes: the demo submissions' edits of
autograder/assignments/layers_and_cnn/submissions.py, and others written here. The hidden cases
are read from the hidden tests of the source notebook. Nothing here trains a CNN on MNIST.
"""

import math
import re
from types import SimpleNamespace

import autograder  # noqa: F401  (sets KERAS_BACKEND and quiets TensorFlow before keras is imported)
import keras
import numpy as np
import pytest
from keras import layers

from autograder.assignments.layers_and_cnn import ASSIGNMENT
from autograder.assignments.layers_and_cnn import checks as layers_and_cnn
from autograder.assignments.layers_and_cnn.grader import references
from autograder.errors import CheckFailure
from autograder.settings import CNN_EPOCH_BUDGET, CNN_MIN_ACCURACY, CNN_PARAMS, SEED
from tests.both_ways import current, kernel_and_grader
from tests.solutions import definitions, hidden_arguments, submission_definitions

NOTEBOOK = ASSIGNMENT.name
SUBMISSIONS = {submission.student_id: submission for submission in ASSIGNMENT.submissions}
ANSWER_CELLS = ("dense_layer", "conv_output_size", "conv2d_forward", "build_cnn")


_checks_both_ways = kernel_and_grader(ASSIGNMENT)


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(SEED)


# --------------------------------------------------------------------------------------
# The source notebook: its reference solution and its hidden cases.
# --------------------------------------------------------------------------------------



def as_hidden_test(check, grade_id):
    """`check` as the hidden test of the notebook's cell `grade_id` calls it: a function of the answer alone."""
    (arguments,) = hidden_arguments(NOTEBOOK, grade_id, check)

    def hidden_check(answer):
        return current(check)(answer, **arguments)

    hidden_check.__name__ = check.__name__
    hidden_check.arguments = arguments
    return hidden_check


def submitted(student_id, name):
    """`name` as the demo submission `student_id` wrote it: the reference with that submission's edits."""
    return submission_definitions(SUBMISSIONS[student_id], *ANSWER_CELLS)[name]


_REFERENCE = definitions(NOTEBOOK, *ANSWER_CELLS)
DenseLayer = _REFERENCE["DenseLayer"]
conv_output_size = _REFERENCE["conv_output_size"]
conv2d_forward = _REFERENCE["conv2d_forward"]
build_cnn = _REFERENCE["build_cnn"]

check_dense_activations = as_hidden_test(layers_and_cnn.check_dense_activations, "dense_layer_forward")
check_dense_other_sizes = as_hidden_test(layers_and_cnn.check_dense_other_sizes, "dense_layer_any_input")
check_cnn_other_inputs = as_hidden_test(layers_and_cnn.check_cnn_other_inputs, "cnn_layers")

def hidden_cases(grade_id, check):
    """The `cases` the hidden test of the notebook's cell `grade_id` passes to `check`."""
    (arguments,) = hidden_arguments(NOTEBOOK, grade_id, check)
    return arguments["cases"]


HIDDEN_SIZE_CASES = hidden_cases("conv_output_size_cases", layers_and_cnn.check_conv_output_size)
HIDDEN_VALID_CASES = hidden_cases("conv2d_forward_valid", layers_and_cnn.check_conv2d_forward)
HIDDEN_SAME_CASES = hidden_cases("conv2d_forward_same", layers_and_cnn.check_conv2d_forward)


# --------------------------------------------------------------------------------------
# DenseLayer: a factory with one flag per way of writing it; with no flag set it is correct.
# --------------------------------------------------------------------------------------


def make_dense_layer_class(
    *,
    product="@",
    kernel_initializer="glorot_uniform",
    bias_initializer="zeros",
    transposed_kernel=False,
    bias=True,
    trainable=True,
    config="full",
):
    """A `DenseLayer` class written as the flags say.

    product: "@", "ops.matmul" or "np.matmul" (NumPy on tensors); bias: False for no bias weight at all;
    config: "full", "auto" (no `get_config`, Keras 3 records the constructor arguments) or "no_activation".
    """

    class Base(keras.layers.Layer):
        def __init__(self, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.activation = keras.activations.get(activation)

        def build(self, input_shape):
            kernel_shape = (self.units, input_shape[-1]) if transposed_kernel else (input_shape[-1], self.units)
            self.kernel = self.add_weight(
                shape=kernel_shape, initializer=kernel_initializer, trainable=trainable, name="kernel"
            )
            if bias:
                self.bias = self.add_weight(
                    shape=(self.units,), initializer=bias_initializer, trainable=trainable, name="bias"
                )

        def call(self, inputs):
            if product == "@":
                outputs = inputs @ self.kernel
            elif product == "ops.matmul":
                outputs = keras.ops.matmul(inputs, self.kernel)
            else:
                outputs = np.matmul(inputs, self.kernel)
            return self.activation(outputs + self.bias if bias else outputs)

    if config == "auto":
        return type("DenseLayer", (Base,), {})

    class DenseLayer(Base):
        def get_config(self):
            base = super().get_config()
            if config == "full":
                base.update(units=self.units, activation=keras.activations.serialize(self.activation))
            else:
                base.update(units=self.units)
            return base

    return DenseLayer


class NotALayer:
    """A plain class with DenseLayer's constructor."""

    def __init__(self, units, activation=None):
        self.units = units
        self.activation = activation


DENSE_CHECKS = [
    layers_and_cnn.check_dense_weights,
    layers_and_cnn.check_dense_forward,
    check_dense_activations,
    layers_and_cnn.check_dense_in_sequential,
    check_dense_other_sizes,
    layers_and_cnn.check_dense_config,
]
DENSE_CHECK_IDS = [check.__name__ for check in DENSE_CHECKS]

CORRECT_DENSE_LAYERS = {
    "reference": DenseLayer,
    "factory_without_flags": make_dense_layer_class(),
    "alternative": submitted("alternative", "DenseLayer"),  # keras.ops.matmul, random-normal weights
    "other_initializers": make_dense_layer_class(kernel_initializer="random_normal", bias_initializer="ones"),
    "auto_config": make_dense_layer_class(config="auto"),
}

BROKEN_DENSE_LAYERS = {
    # The demo submissions' mistakes.
    "transposed_kernel": submitted("transposed_kernel", "DenseLayer"),  # transposed again in `call`
    "missing_bias": submitted("missing_bias", "DenseLayer"),  # created but never added
    "ignored_activation": submitted("ignored_activation", "DenseLayer"),
    "weights_in_init": submitted("weights_in_init", "DenseLayer"),
    # Others.
    "transposed_kernel_used_as_is": make_dense_layer_class(transposed_kernel=True),
    "no_bias_weight": make_dense_layer_class(bias=False),
    "not_trainable": make_dense_layer_class(trainable=False),
    "config_without_activation": make_dense_layer_class(config="no_activation"),
    "numpy_in_call": make_dense_layer_class(product="np.matmul"),
}


@pytest.mark.parametrize("check", DENSE_CHECKS, ids=DENSE_CHECK_IDS)
@pytest.mark.parametrize("name", list(CORRECT_DENSE_LAYERS))
def test_dense_check_passes_on_correct_dense_layer(check, name):
    assert current(check)(CORRECT_DENSE_LAYERS[name]) is None


@pytest.mark.parametrize("name", ["reference", "other_initializers"])
def test_check_dense_trains_passes_on_correct_dense_layer(name):
    assert layers_and_cnn.check_dense_trains(CORRECT_DENSE_LAYERS[name]) is None


def test_check_dense_forward_prints_the_relative_error(capsys):
    layers_and_cnn.check_dense_forward(DenseLayer)
    printed = capsys.readouterr().out
    assert "`DenseLayer(5, activation=None)` on 7-dimensional inputs: relative error " in printed
    assert "(tolerance 1e-05)" in printed


def test_check_dense_activations_takes_names_and_functions():
    assert layers_and_cnn.check_dense_activations(DenseLayer, ["sigmoid", keras.activations.tanh]) is None
    with pytest.raises(CheckFailure, match="activation is not applied"):
        layers_and_cnn.check_dense_activations(BROKEN_DENSE_LAYERS["ignored_activation"], [keras.activations.relu])


def test_check_dense_other_sizes_checks_each_size():
    assert layers_and_cnn.check_dense_other_sizes(DenseLayer, [(2, 3), (9, 1)]) is None
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_dense_other_sizes(BROKEN_DENSE_LAYERS["missing_bias"], [(2, 3)])
    assert "`DenseLayer(3, activation='relu')` on 2-dimensional inputs does not match" in str(failure.value)


_FIRST_OTHER_SIZE = check_dense_other_sizes.arguments["sizes"][0]

BROKEN_DENSE_CASES = [
    # (check, broken variant, fragments of the message)
    (
        layers_and_cnn.check_dense_weights, "transposed_kernel_used_as_is",
        ["raised", "the kernel has shape (5, 7) but the inputs have 7 features", "is it transposed?"],
    ),
    (
        layers_and_cnn.check_dense_weights, "transposed_kernel",
        ["the kernel of `DenseLayer(5)` on 7-dimensional inputs has the wrong shape: expected (7, 5), got (5, 7)",
         "the kernel is transposed"],
    ),
    (layers_and_cnn.check_dense_weights, "no_bias_weight", ["`DenseLayer` has no `self.bias` weight"]),
    (layers_and_cnn.check_dense_forward, "missing_bias", ["does not match", "the bias is not added"]),
    (layers_and_cnn.check_dense_forward, "ignored_activation", ["the activation is not applied"]),
    (check_dense_activations, "ignored_activation", ["the activation is not applied"]),
    (
        layers_and_cnn.check_dense_weights, "weights_in_init",
        ["`DenseLayer` has weights before it has seen any input", "create the weights there, not in `__init__`"],
    ),
    (
        check_dense_other_sizes, "weights_in_init",
        [
            "`keras.Sequential([keras.Input(shape=({},)), DenseLayer({})])` raised".format(*_FIRST_OTHER_SIZE),
            "build the weights from `input_shape[-1]`",
        ],
    ),
    (
        layers_and_cnn.check_dense_config, "weights_in_init",
        [
            "`keras.Sequential([keras.Input(shape=(7,)), DenseLayer(5, activation='relu')])` raised ValueError: "
            "Could not automatically infer",
            "build the weights from `input_shape[-1]`",
        ],
    ),
    (layers_and_cnn.check_dense_weights, "not_trainable", ["`self.kernel` is not trainable"]),
    (
        layers_and_cnn.check_dense_config, "config_without_activation",
        ["the output of the layer rebuilt from `get_config()` does not match",
         "`get_config()` must hold every constructor argument"],
    ),
]


@pytest.mark.parametrize(
    "check, variant, fragments", BROKEN_DENSE_CASES,
    ids=[f"{check.__name__}-{variant}" for check, variant, _ in BROKEN_DENSE_CASES],
)
def test_dense_check_fails_on_broken_dense_layer(check, variant, fragments):
    with pytest.raises(CheckFailure) as failure:
        current(check)(BROKEN_DENSE_LAYERS[variant])
    for fragment in fragments:
        assert fragment in str(failure.value)


def test_check_dense_trains_fails_on_numpy_in_call():
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_dense_trains(BROKEN_DENSE_LAYERS["numpy_in_call"])
    message = str(failure.value)
    assert "training a model of two DenseLayers raised" in message
    assert "write `call()` with `keras.ops` (not NumPy)" in message


@pytest.mark.parametrize("check", [*DENSE_CHECKS, layers_and_cnn.check_dense_trains],
                         ids=[*DENSE_CHECK_IDS, "check_dense_trains"])
def test_dense_check_fails_on_a_class_that_is_not_a_layer(check):
    with pytest.raises(CheckFailure, match="must be a class that subclasses `keras.layers.Layer`"):
        current(check)(NotALayer)


def test_dense_check_fails_on_a_layer_instance_instead_of_the_class():
    with pytest.raises(CheckFailure, match="must be a class that subclasses `keras.layers.Layer`"):
        layers_and_cnn.check_dense_weights(DenseLayer(5))


def test_a_bias_created_but_never_added_fails_the_weights_test_on_the_layers_values():
    """Created but unused, the bias has the right shape: the weights test rests on the values the layer computes,
    which name the mistake."""
    with pytest.raises(CheckFailure, match="the bias is not added"):
        layers_and_cnn.check_dense_weights(BROKEN_DENSE_LAYERS["missing_bias"])


# --------------------------------------------------------------------------------------
# conv_output_size.
# --------------------------------------------------------------------------------------


def conv_output_size_with_ceil(size, kernel_size, stride=1, padding="valid"):
    """Correct, written with `math.floor` and `math.ceil`."""
    if padding == "same":
        return math.ceil(size / stride)
    return math.floor((size - kernel_size) / stride) + 1


# Wrong for 'same': pads kernel_size // 2 on each side, right only for odd kernels.
conv_output_size_half_kernel_padding = submitted("same_padding_arithmetic", "conv_output_size")


def conv_output_size_float(size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel_size) / stride + 1


def conv_output_size_unwritten(size, kernel_size, stride=1, padding="valid"):
    raise NotImplementedError("write conv_output_size")


# The cases of the notebook's test cell: its visible call passes none (the check's default).
CONV_SIZE_CASES = {"visible": layers_and_cnn.CONV_SIZE_CASES, "hidden": HIDDEN_SIZE_CASES}


@pytest.mark.parametrize(
    ("size", "kernel_size", "stride", "padding", "layer", "expected"),
    [
        (28, 3, 1, "valid", "Conv2D", 26),
        (28, 3, 1, "same", "Conv2D", 28),
        (28, 3, 2, "same", "Conv2D", 14),
        (28, 5, 2, "valid", "Conv2D", 12),
        (7, 2, 2, "same", "Conv2D", 4),
        (26, 2, 2, "valid", "MaxPooling2D", 13),
        (13, 2, 2, "valid", "MaxPooling2D", 6),
        (13, 2, 2, "same", "MaxPooling2D", 7),
    ],
)
def test_keras_output_size_gives_known_lengths(size, kernel_size, stride, padding, layer, expected):
    assert references.keras_output_size(size, kernel_size, stride, padding, layer) == expected


@pytest.mark.parametrize("candidate", [conv_output_size, conv_output_size_with_ceil], ids=["reference", "ceil"])
@pytest.mark.parametrize("cases", list(CONV_SIZE_CASES))
def test_check_conv_output_size_passes_on_correct_function(cases, candidate):
    assert layers_and_cnn.check_conv_output_size(candidate, CONV_SIZE_CASES[cases]) is None


def test_check_conv_output_size_names_the_wrong_case_and_keras_length():
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_conv_output_size(conv_output_size_half_kernel_padding, [(28, 4, 1, "same", "Conv2D")])
    message = str(failure.value)
    assert "`conv_output_size(28, 4, stride=1, padding='same')` is wrong (Conv2D with these settings gives 28)" in (
        message
    )
    assert "expected 28, got 29" in message
    assert "the output length is ceil(size / stride), whatever the kernel size" in message


def test_half_kernel_same_padding_passes_visible_cases_but_fails_hidden_ones():
    """Right for odd kernels only: the visible cases (all odd kernels) cannot tell, the hidden ones must."""
    assert layers_and_cnn.check_conv_output_size(conv_output_size_half_kernel_padding) is None
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_conv_output_size(conv_output_size_half_kernel_padding, HIDDEN_SIZE_CASES)
    message = str(failure.value)
    assert re.search(r"`conv_output_size\(\d+, \d+, stride=\d+, padding='same'\)` is wrong \(Conv2D", message)
    assert "the output length is ceil(size / stride), whatever the kernel size" in message


def test_check_conv_output_size_fails_on_float_result():
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_conv_output_size(conv_output_size_float)
    message = str(failure.value)
    assert "`conv_output_size(28, 3, stride=1, padding='valid')` should return an int" in message
    assert "got float 26.0" in message
    assert "use integer division `//`" in message


@pytest.mark.parametrize("cases", list(CONV_SIZE_CASES))
def test_check_conv_output_size_fails_with_the_error_text_of_a_raising_function(cases):
    with pytest.raises(CheckFailure, match="raised NotImplementedError: write conv_output_size"):
        layers_and_cnn.check_conv_output_size(conv_output_size_unwritten, CONV_SIZE_CASES[cases])


# --------------------------------------------------------------------------------------
# conv2d_forward.
# --------------------------------------------------------------------------------------


def conv2d_forward_loops(x, kernel, bias, stride=1, padding="valid"):
    """Correct, written with a loop over output positions."""
    batch, height, width, _ = x.shape
    kernel_height, kernel_width, _, channels_out = kernel.shape
    if padding == "same":
        out_height, out_width = -(-height // stride), -(-width // stride)
        pad_height = max((out_height - 1) * stride + kernel_height - height, 0)
        pad_width = max((out_width - 1) * stride + kernel_width - width, 0)
        top, left = pad_height // 2, pad_width // 2
        x = np.pad(x, ((0, 0), (top, pad_height - top), (left, pad_width - left), (0, 0)))
    else:
        out_height, out_width = (height - kernel_height) // stride + 1, (width - kernel_width) // stride + 1
    out = np.zeros((batch, out_height, out_width, channels_out))
    for i in range(out_height):
        for j in range(out_width):
            window = x[:, i * stride:i * stride + kernel_height, j * stride:j * stride + kernel_width, :]
            out[:, i, j, :] = np.tensordot(window, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    return out


def conv2d_forward_float32(x, kernel, bias, stride=1, padding="valid"):
    """Correct, in float32 as a Keras layer would compute it."""
    return conv2d_forward(x.astype("float32"), kernel.astype("float32"), bias.astype("float32"), stride, padding)


# A true convolution: the kernel turned by 180 degrees.
conv2d_forward_flipped = submitted("flipped_kernel", "conv2d_forward")
# 'same' padding with the odd extra row and column at the top and left.
conv2d_forward_extra_padding_first = submitted("padding_side", "conv2d_forward")


def conv2d_forward_without_bias(x, kernel, bias, stride=1, padding="valid"):
    return conv2d_forward(x, kernel, np.zeros_like(bias), stride, padding)


def conv2d_forward_ignoring_stride(x, kernel, bias, stride=1, padding="valid"):
    return conv2d_forward(x, kernel, bias, 1, padding)


ALL_CONV_CASES = {
    "visible_valid": layers_and_cnn.CONV_VALID_CASES,
    "hidden_valid": HIDDEN_VALID_CASES,
    "visible_same": layers_and_cnn.CONV_SAME_CASES,
    "hidden_same": HIDDEN_SAME_CASES,
}
CORRECT_CONV2D = {"reference": conv2d_forward, "loops": conv2d_forward_loops, "float32": conv2d_forward_float32}


def output_shapes_ignoring_stride(cases):
    """The (expected, got) output shapes of the first case with a stride, where ignoring it first shows."""
    x_shape, kernel_shape, stride, padding = next(case for case in cases if case[2] > 1)

    def shape(stride):
        return (
            x_shape[0],
            *(references.keras_output_size(size, kernel_size, stride, padding)
              for size, kernel_size in zip(x_shape[1:3], kernel_shape[:2])),
            kernel_shape[-1],
        )

    return shape(stride), shape(1)


@pytest.mark.parametrize("cases", list(ALL_CONV_CASES))
@pytest.mark.parametrize("name", list(CORRECT_CONV2D))
def test_check_conv2d_forward_passes_on_correct_function(name, cases):
    assert layers_and_cnn.check_conv2d_forward(CORRECT_CONV2D[name], ALL_CONV_CASES[cases]) is None


def test_check_conv2d_forward_prints_the_relative_error(capsys):
    layers_and_cnn.check_conv2d_forward(conv2d_forward)
    assert "relative error " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("candidate", "cases", "fragment"),
    [
        (conv2d_forward_flipped, "visible_valid", "the kernel is flipped"),
        (conv2d_forward_flipped, "hidden_same", "the kernel is flipped"),
        (conv2d_forward_without_bias, "visible_valid", "the bias is not added"),
        (conv2d_forward_without_bias, "visible_same", "the bias is not added"),
        (conv2d_forward_extra_padding_first, "hidden_same", "the padding is on the wrong side"),
        (conv2d_forward_ignoring_stride, "hidden_valid",
         "wrong output shape: expected {}, got {}".format(*output_shapes_ignoring_stride(HIDDEN_VALID_CASES))),
        (conv2d_forward_ignoring_stride, "hidden_same",
         "wrong output shape: expected {}, got {}".format(*output_shapes_ignoring_stride(HIDDEN_SAME_CASES))),
    ],
    ids=["flipped-valid", "flipped-same", "no_bias-valid", "no_bias-same", "padding_first-same", "no_stride-valid",
         "no_stride-same"],
)
def test_check_conv2d_forward_fails_naming_the_mistake(candidate, cases, fragment):
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_conv2d_forward(candidate, ALL_CONV_CASES[cases])
    assert fragment in str(failure.value)


def test_output_shapes_ignoring_stride_of_a_known_case():
    assert output_shapes_ignoring_stride([((2, 9, 8, 2), (3, 3, 2, 3), 2, "valid")]) == ((2, 4, 3, 3), (2, 7, 6, 3))


@pytest.mark.parametrize("cases", ["visible_valid", "visible_same"])
def test_subtle_conv2d_mistakes_pass_the_visible_cases(cases):
    """The visible cases have stride 1 and an even total padding, so only the hidden ones can tell."""
    for candidate in (conv2d_forward_extra_padding_first, conv2d_forward_ignoring_stride):
        assert layers_and_cnn.check_conv2d_forward(candidate, ALL_CONV_CASES[cases]) is None


def test_check_conv2d_forward_fails_with_the_error_text_of_a_raising_function():
    def unwritten(x, kernel, bias, stride=1, padding="valid"):
        raise NotImplementedError("write conv2d_forward")

    with pytest.raises(CheckFailure, match="raised NotImplementedError: write conv2d_forward"):
        layers_and_cnn.check_conv2d_forward(unwritten)


# --------------------------------------------------------------------------------------
# build_cnn.
# --------------------------------------------------------------------------------------


def build_cnn_functional(input_shape=(28, 28, 1), num_classes=10):
    """Correct, with the Functional API, keyword arguments and an activation function instead of a name."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(filters=32, kernel_size=(3, 3), activation=keras.activations.relu)(inputs)
    x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = layers.Conv2D(filters=64, kernel_size=(3, 3), activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(rate=0.5)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def make_build_cnn(*, dropout_rate=0.5, first_activation="relu", hard_coded_input=False):
    """A `build_cnn` with the given mistakes; with no flag set it is correct."""

    def build(input_shape=(28, 28, 1), num_classes=10):
        return keras.Sequential([
            keras.Input(shape=(28, 28, 1) if hard_coded_input else input_shape),
            layers.Conv2D(32, 3, activation=first_activation),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(dropout_rate),
            layers.Dense(num_classes, activation="softmax"),
        ])

    return build


CNN_CHECKS = [layers_and_cnn.check_cnn_layers, check_cnn_other_inputs]
CNN_CHECK_IDS = [check.__name__ for check in CNN_CHECKS]
OTHER_INPUT_SHAPE = check_cnn_other_inputs.arguments["input_shape"]
BROKEN_BUILD_CNN = {
    # The demo submissions' mistakes.
    "no_dropout": submitted("no_dropout", "build_cnn"),
    "same_padding": submitted("same_padding_cnn", "build_cnn"),  # the first convolution only
    # Others.
    "no_relu": make_build_cnn(first_activation=None),
    "dropout_rate": make_build_cnn(dropout_rate=0.25),
}


def build_cnn_frozen(input_shape=(28, 28, 1), num_classes=10):
    """The table's layers, the first convolution frozen: its weights never learn."""
    model = build_cnn(input_shape, num_classes)
    model.layers[0].trainable = False
    return model


def build_cnn_scaled(input_shape=(28, 28, 1), num_classes=10):
    """The table's layers, the images doubled before the first convolution (an operation, no row of the table): every
    row matches, the values do not."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(32, 3, activation="relu")(inputs * 2.0)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Dropout(0.5)(layers.Flatten()(x))
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))


@pytest.mark.parametrize("check", CNN_CHECKS, ids=CNN_CHECK_IDS)
def test_a_cnn_with_the_tables_layers_fails_on_its_values_or_its_frozen_weights(check):
    """The layer table is the kernel's word; the points rest on the outputs on fixed weights, the table's CNN's."""
    with pytest.raises(CheckFailure, match="are not the table's"):
        current(check)(build_cnn_frozen)
    with pytest.raises(CheckFailure, match="on fixed weights does not match the reference"):
        current(check)(build_cnn_scaled)


def test_expected_cnn_summary_totals_the_parameters_of_the_assignment():
    assert sum(row.params for row in references.expected_cnn_summary()) == CNN_PARAMS == 34_826


@pytest.mark.parametrize("check", CNN_CHECKS, ids=CNN_CHECK_IDS)
@pytest.mark.parametrize(
    "candidate",
    [build_cnn, build_cnn_functional, submitted("alternative", "build_cnn"), make_build_cnn()],
    ids=["reference", "functional", "alternative", "factory"],
)
def test_cnn_check_passes_on_correct_build_cnn(check, candidate):
    assert current(check)(candidate) is None


@pytest.mark.parametrize(
    ("variant", "fragments"),
    [
        ("no_dropout", ["layer 5 (", "has the wrong layer class: expected Dropout, got Dense"]),
        ("no_relu", ["layer 0 (", "has the wrong activation: expected relu, got linear"]),
        ("dropout_rate", ["the dropout rate of layer", "is wrong: expected 0.5, got 0.25"]),
    ],
    ids=["no_dropout", "no_relu", "dropout_rate"],
)
@pytest.mark.parametrize("check", CNN_CHECKS, ids=CNN_CHECK_IDS)
def test_cnn_check_fails_naming_the_layer_and_field(check, variant, fragments):
    with pytest.raises(CheckFailure) as failure:
        current(check)(BROKEN_BUILD_CNN[variant])
    message = str(failure.value)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("check", "input_shape"),
    [(layers_and_cnn.check_cnn_layers, (28, 28, 1)), (check_cnn_other_inputs, OTHER_INPUT_SHAPE)],
    ids=CNN_CHECK_IDS,
)
def test_cnn_check_fails_on_same_padding_naming_the_output_shape_of_the_first_conv(check, input_shape):
    height, width, _ = input_shape
    with pytest.raises(CheckFailure) as failure:
        current(check)(BROKEN_BUILD_CNN["same_padding"])
    message = str(failure.value)
    assert message.startswith("layer 0 (")
    assert (
        f"has the wrong output shape: expected (None, {height - 2}, {width - 2}, 32), "
        f"got (None, {height}, {width}, 32)" in message
    )


def test_hard_coded_input_shape_passes_the_default_check_but_fails_other_inputs():
    build = make_build_cnn(hard_coded_input=True)
    assert layers_and_cnn.check_cnn_layers(build) is None
    with pytest.raises(CheckFailure) as failure:
        check_cnn_other_inputs(build)
    message = str(failure.value)
    assert f"cannot be called on images of shape {(None, *OTHER_INPUT_SHAPE)}" in message
    assert "start the model with `keras.Input(shape=input_shape)`" in message


def test_check_cnn_other_inputs_follows_the_number_of_classes():
    with pytest.raises(CheckFailure, match=r"has the wrong output shape: expected \(None, 3\), got \(None, 10\)"):
        layers_and_cnn.check_cnn_other_inputs(
            lambda input_shape, num_classes: build_cnn(input_shape), input_shape=(28, 28, 1), num_classes=3,
        )


@pytest.mark.parametrize("check", CNN_CHECKS, ids=CNN_CHECK_IDS)
def test_cnn_check_fails_when_build_cnn_returns_none(check):
    def build_without_return(input_shape=(28, 28, 1), num_classes=10):
        build_cnn(input_shape, num_classes)

    with pytest.raises(CheckFailure) as failure:
        current(check)(build_without_return)
    message = str(failure.value)
    assert "should return a Keras model: expected a keras.Model, got NoneType" in message
    assert "end with `return model`" in message


# --------------------------------------------------------------------------------------
# check_cnn_epoch_budget and check_cnn_accuracy.
# --------------------------------------------------------------------------------------


def history_of(epochs):
    """What `check_cnn_epoch_budget` reads of a `keras.callbacks.History`: its list of epochs."""
    return SimpleNamespace(epoch=list(range(epochs)))


def test_check_cnn_epoch_budget_passes_within_the_budget():
    assert layers_and_cnn.check_cnn_epoch_budget(history_of(CNN_EPOCH_BUDGET)) is None


def test_check_cnn_epoch_budget_fails_beyond_the_budget():
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_cnn_epoch_budget(history_of(CNN_EPOCH_BUDGET + 1))
    assert f"trained for too many epochs: expected at most {CNN_EPOCH_BUDGET}, got {CNN_EPOCH_BUDGET + 1}" in str(
        failure.value
    )


@pytest.mark.parametrize("history", [history_of(0), keras.callbacks.History(), None], ids=["empty", "unfit", "none"])
def test_check_cnn_epoch_budget_fails_without_epochs(history):
    with pytest.raises(CheckFailure, match="`history` holds no training epochs"):
        layers_and_cnn.check_cnn_epoch_budget(history)


@pytest.fixture(scope="module")
def constant_cnn():
    """The reference CNN with every weight zero: it always predicts class 0, right on 980 test images."""
    model = build_cnn()
    model.set_weights([np.zeros_like(weight) for weight in model.get_weights()])
    return model


def test_check_cnn_accuracy_fails_on_a_model_that_has_not_learned(constant_cnn):
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_cnn_accuracy(constant_cnn, history_of(1))
    message = str(failure.value)
    assert f"test accuracy too low on 10,000 images: expected at least {CNN_MIN_ACCURACY:.2%}, got 9.80%" in message
    assert "`loss='sparse_categorical_crossentropy'`" in message


def test_check_cnn_accuracy_checks_the_epoch_budget_first(constant_cnn):
    with pytest.raises(CheckFailure, match="trained for too many epochs"):
        layers_and_cnn.check_cnn_accuracy(constant_cnn, history_of(CNN_EPOCH_BUDGET + 1))
