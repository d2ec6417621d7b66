"""Tests of autograder/layers_and_cnn.py, the checks of assignment 2 ("Build dense and CNN layers").

Every check is run both ways: it passes on the reference solution (DenseLayer, conv_output_size,
conv2d_forward, build_cnn) and on other correct ways of writing it, and fails with a `CheckFailure`
naming the cause on the usual mistakes. Nothing here trains a CNN on MNIST.
"""

import math
from types import SimpleNamespace

import autograder  # noqa: F401  (sets KERAS_BACKEND and quiets TensorFlow before keras is imported)
import keras
import numpy as np
import pytest
from keras import layers

from autograder import layers_and_cnn
from autograder.errors import CheckFailure
from autograder.settings import CNN_EPOCH_BUDGET, CNN_MIN_ACCURACY, CNN_PARAMS, SEED


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(SEED)


# --------------------------------------------------------------------------------------
# The reference solution.
# --------------------------------------------------------------------------------------


class DenseLayer(keras.layers.Layer):
    """A fully connected layer: `activation(inputs @ kernel + bias)`."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return self.activation(inputs @ self.kernel + self.bias)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=keras.activations.serialize(self.activation))
        return config


def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return (size - kernel_size) // stride + 1
    if padding == "same":
        return (size + stride - 1) // stride
    raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")


def conv2d_forward(x, kernel, bias, stride=1, padding="valid"):
    kernel_height, kernel_width = kernel.shape[:2]
    if padding == "same":
        pads = []
        for size, kernel_size in ((x.shape[1], kernel_height), (x.shape[2], kernel_width)):
            total = max((conv_output_size(size, kernel_size, stride, "same") - 1) * stride + kernel_size - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    elif padding != "valid":
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel_height, kernel_width), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]
    return np.einsum("nhwcij,ijco->nhwo", windows, kernel) + bias


def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])


# --------------------------------------------------------------------------------------
# DenseLayer: a factory with one flag per way of writing it; with no flag set it is the reference.
# --------------------------------------------------------------------------------------


def make_dense_layer_class(
    *,
    product="@",
    kernel_initializer="glorot_uniform",
    bias_initializer="zeros",
    transposed_kernel=False,
    transpose_in_call=False,
    bias="added",
    apply_activation=True,
    weights_in_init=False,
    trainable=True,
    config="full",
):
    """A `DenseLayer` class written as the flags say.

    product: "@", "ops.matmul" or "np.matmul" (NumPy on tensors); bias: "added", "not_added" or "missing";
    config: "full", "auto" (no `get_config`, Keras 3 records the constructor arguments) or "no_activation".
    """

    def add_weights(layer, input_dim):
        kernel_shape = (layer.units, input_dim) if transposed_kernel else (input_dim, layer.units)
        layer.kernel = layer.add_weight(
            shape=kernel_shape, initializer=kernel_initializer, trainable=trainable, name="kernel"
        )
        if bias != "missing":
            layer.bias = layer.add_weight(
                shape=(layer.units,), initializer=bias_initializer, trainable=trainable, name="bias"
            )

    class Base(keras.layers.Layer):
        def __init__(self, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.activation = keras.activations.get(activation)
            if weights_in_init:
                add_weights(self, 784)

        def build(self, input_shape):
            if not weights_in_init:
                add_weights(self, input_shape[-1])

        def call(self, inputs):
            kernel = keras.ops.transpose(self.kernel) if transpose_in_call else self.kernel
            if product == "@":
                outputs = inputs @ kernel
            elif product == "ops.matmul":
                outputs = keras.ops.matmul(inputs, kernel)
            else:
                outputs = np.matmul(inputs, kernel)
            if bias == "added":
                outputs = outputs + self.bias
            return self.activation(outputs) if apply_activation else outputs

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
    layers_and_cnn.check_dense_activations,
    layers_and_cnn.check_dense_in_sequential,
    layers_and_cnn.check_dense_other_sizes,
    layers_and_cnn.check_dense_config,
]
DENSE_CHECK_IDS = [check.__name__ for check in DENSE_CHECKS]

CORRECT_DENSE_LAYERS = {
    "reference": DenseLayer,
    "factory_without_flags": make_dense_layer_class(),
    "ops_matmul": make_dense_layer_class(product="ops.matmul"),
    "other_initializers": make_dense_layer_class(kernel_initializer="random_normal", bias_initializer="ones"),
    "auto_config": make_dense_layer_class(config="auto"),
}


@pytest.mark.parametrize("check", DENSE_CHECKS, ids=DENSE_CHECK_IDS)
@pytest.mark.parametrize("name", list(CORRECT_DENSE_LAYERS))
def test_dense_check_passes_on_correct_dense_layer(check, name):
    assert check(CORRECT_DENSE_LAYERS[name]) is None


@pytest.mark.parametrize("name", ["reference", "other_initializers"])
def test_check_dense_trains_passes_on_correct_dense_layer(name):
    assert layers_and_cnn.check_dense_trains(CORRECT_DENSE_LAYERS[name]) is None


def test_check_dense_forward_prints_the_relative_error(capsys):
    layers_and_cnn.check_dense_forward(DenseLayer)
    printed = capsys.readouterr().out
    assert "`DenseLayer(5, activation=None)` on 7-dimensional inputs: relative error " in printed
    assert "(tolerance 1e-05)" in printed


BROKEN_DENSE_CASES = [
    # (check, flags, fragments of the message)
    (
        layers_and_cnn.check_dense_weights, dict(transposed_kernel=True),
        ["raised", "the kernel has shape (5, 7) but the inputs have 7 features", "is it transposed?"],
    ),
    (
        layers_and_cnn.check_dense_weights, dict(transposed_kernel=True, transpose_in_call=True),
        ["the kernel of `DenseLayer(5)` on 7-dimensional inputs has the wrong shape: expected (7, 5), got (5, 7)",
         "the kernel is transposed"],
    ),
    (layers_and_cnn.check_dense_weights, dict(bias="missing"), ["`DenseLayer` has no `self.bias` weight"]),
    (layers_and_cnn.check_dense_forward, dict(bias="not_added"), ["does not match", "the bias is not added"]),
    (layers_and_cnn.check_dense_forward, dict(apply_activation=False), ["the activation is not applied"]),
    (layers_and_cnn.check_dense_activations, dict(apply_activation=False), ["the activation is not applied"]),
    (
        layers_and_cnn.check_dense_weights, dict(weights_in_init=True),
        ["`DenseLayer` has weights before it has seen any input", "create the weights there, not in `__init__`"],
    ),
    (
        layers_and_cnn.check_dense_other_sizes, dict(weights_in_init=True),
        [
            "`keras.Sequential([keras.Input(shape=(3,)), DenseLayer(4)])` raised",
            "build the weights from `input_shape[-1]`",
        ],
    ),
    (
        layers_and_cnn.check_dense_config, dict(weights_in_init=True),
        [
            "`keras.Sequential([keras.Input(shape=(7,)), DenseLayer(5, activation='relu')])` raised ValueError: "
            "Could not automatically infer",
            "build the weights from `input_shape[-1]`",
        ],
    ),
    (layers_and_cnn.check_dense_weights, dict(trainable=False), ["`self.kernel` is not trainable"]),
    (
        layers_and_cnn.check_dense_config, dict(config="no_activation"),
        ["the output of the layer rebuilt from `get_config()` does not match",
         "`get_config()` must hold every constructor argument"],
    ),
]


def _dense_case_id(case):
    check, flags, _ = case
    return f"{check.__name__}-{'-'.join(f'{key}={value}' for key, value in flags.items())}"


@pytest.mark.parametrize(
    "check, flags, fragments", BROKEN_DENSE_CASES, ids=[_dense_case_id(case) for case in BROKEN_DENSE_CASES]
)
def test_dense_check_fails_on_broken_dense_layer(check, flags, fragments):
    with pytest.raises(CheckFailure) as failure:
        check(make_dense_layer_class(**flags))
    for fragment in fragments:
        assert fragment in str(failure.value)


def test_check_dense_trains_fails_on_numpy_in_call():
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_dense_trains(make_dense_layer_class(product="np.matmul"))
    message = str(failure.value)
    assert "training a model of two DenseLayers raised" in message
    assert "write `call()` with `keras.ops` (not NumPy)" in message


@pytest.mark.parametrize("check", [*DENSE_CHECKS, layers_and_cnn.check_dense_trains],
                         ids=[*DENSE_CHECK_IDS, "check_dense_trains"])
def test_dense_check_fails_on_a_class_that_is_not_a_layer(check):
    with pytest.raises(CheckFailure, match="must be a class that subclasses `keras.layers.Layer`"):
        check(NotALayer)


def test_dense_check_fails_on_a_layer_instance_instead_of_the_class():
    with pytest.raises(CheckFailure, match="must be a class that subclasses `keras.layers.Layer`"):
        layers_and_cnn.check_dense_weights(DenseLayer(5))


def test_bias_not_added_passes_the_weight_checks():
    """Created but unused, the bias has the right shape: only the forward pass can tell."""
    assert layers_and_cnn.check_dense_weights(make_dense_layer_class(bias="not_added")) is None


# --------------------------------------------------------------------------------------
# conv_output_size.
# --------------------------------------------------------------------------------------


def conv_output_size_with_ceil(size, kernel_size, stride=1, padding="valid"):
    """Correct, written with `math.floor` and `math.ceil`."""
    if padding == "same":
        return math.ceil(size / stride)
    return math.floor((size - kernel_size) / stride) + 1


def conv_output_size_half_kernel_padding(size, kernel_size, stride=1, padding="valid"):
    """Wrong for 'same': pads kernel_size // 2 on each side, right only for odd kernels."""
    pad = kernel_size // 2 if padding == "same" else 0
    return (size + 2 * pad - kernel_size) // stride + 1


def conv_output_size_float(size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel_size) / stride + 1


def conv_output_size_unwritten(size, kernel_size, stride=1, padding="valid"):
    raise NotImplementedError("write conv_output_size")


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
    assert layers_and_cnn.keras_output_size(size, kernel_size, stride, padding, layer) == expected


@pytest.mark.parametrize("candidate", [conv_output_size, conv_output_size_with_ceil], ids=["reference", "ceil"])
@pytest.mark.parametrize(
    "check",
    [layers_and_cnn.check_conv_output_size, layers_and_cnn.check_conv_output_size_hidden],
    ids=["visible", "hidden"],
)
def test_check_conv_output_size_passes_on_correct_function(check, candidate):
    assert check(candidate) is None


def test_half_kernel_same_padding_passes_visible_cases_but_fails_hidden_ones():
    """Right for odd kernels only: the visible cases (all odd kernels) cannot tell, the hidden ones must."""
    assert layers_and_cnn.check_conv_output_size(conv_output_size_half_kernel_padding) is None
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_conv_output_size_hidden(conv_output_size_half_kernel_padding)
    message = str(failure.value)
    assert "`conv_output_size(28, 4, stride=1, padding='same')` is wrong (Conv2D with these settings gives 28)" in (
        message
    )
    assert "expected 28, got 29" in message
    assert "the output length is ceil(size / stride), whatever the kernel size" in message


def test_check_conv_output_size_fails_on_float_result():
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_conv_output_size(conv_output_size_float)
    message = str(failure.value)
    assert "`conv_output_size(28, 3, stride=1, padding='valid')` should return an int" in message
    assert "got float 26.0" in message
    assert "use integer division `//`" in message


@pytest.mark.parametrize(
    "check",
    [layers_and_cnn.check_conv_output_size, layers_and_cnn.check_conv_output_size_hidden],
    ids=["visible", "hidden"],
)
def test_check_conv_output_size_fails_with_the_error_text_of_a_raising_function(check):
    with pytest.raises(CheckFailure, match="raised NotImplementedError: write conv_output_size"):
        check(conv_output_size_unwritten)


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


def conv2d_forward_flipped(x, kernel, bias, stride=1, padding="valid"):
    """A true convolution: the kernel turned by 180 degrees."""
    return conv2d_forward(x, kernel[::-1, ::-1], bias, stride, padding)


def conv2d_forward_without_bias(x, kernel, bias, stride=1, padding="valid"):
    return conv2d_forward(x, kernel, np.zeros_like(bias), stride, padding)


def conv2d_forward_ignoring_stride(x, kernel, bias, stride=1, padding="valid"):
    return conv2d_forward(x, kernel, bias, 1, padding)


def conv2d_forward_extra_padding_first(x, kernel, bias, stride=1, padding="valid"):
    """'same' padding with the odd extra row and column at the top and left."""
    if padding == "same":
        pads = []
        for size, kernel_size in zip(x.shape[1:3], kernel.shape[:2]):
            total = max((-(-size // stride) - 1) * stride + kernel_size - size, 0)
            pads.append((total - total // 2, total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    return conv2d_forward(x, kernel, bias, stride, "valid")


ALL_CONV_CASES = {
    "visible_valid": layers_and_cnn.CONV_VALID_CASES,
    "hidden_valid": layers_and_cnn.HIDDEN_CONV_VALID_CASES,
    "visible_same": layers_and_cnn.CONV_SAME_CASES,
    "hidden_same": layers_and_cnn.HIDDEN_CONV_SAME_CASES,
}
CORRECT_CONV2D = {"reference": conv2d_forward, "loops": conv2d_forward_loops, "float32": conv2d_forward_float32}


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
        (conv2d_forward_ignoring_stride, "hidden_valid", "wrong output shape: expected (2, 4, 3, 3), got (2, 7, 6, 3)"),
        (conv2d_forward_ignoring_stride, "hidden_same", "wrong output shape: expected (2, 4, 4, 3), got (2, 8, 8, 3)"),
    ],
    ids=["flipped-valid", "flipped-same", "no_bias-valid", "no_bias-same", "padding_first-same", "no_stride-valid",
         "no_stride-same"],
)
def test_check_conv2d_forward_fails_naming_the_mistake(candidate, cases, fragment):
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_conv2d_forward(candidate, ALL_CONV_CASES[cases])
    assert fragment in str(failure.value)


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


def make_build_cnn(*, dropout=True, dropout_rate=0.5, first_activation="relu", padding="valid", hard_coded_input=False):
    """A `build_cnn` with the given mistakes; with no flag set it is correct."""

    def build(input_shape=(28, 28, 1), num_classes=10):
        return keras.Sequential([
            keras.Input(shape=(28, 28, 1) if hard_coded_input else input_shape),
            layers.Conv2D(32, 3, activation=first_activation, padding=padding),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu", padding=padding),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            *([layers.Dropout(dropout_rate)] if dropout else []),
            layers.Dense(num_classes, activation="softmax"),
        ])

    return build


CNN_CHECKS = [layers_and_cnn.check_cnn_layers, layers_and_cnn.check_cnn_other_inputs]
CNN_CHECK_IDS = [check.__name__ for check in CNN_CHECKS]


def test_expected_cnn_summary_totals_the_parameters_of_the_assignment():
    assert sum(row.params for row in layers_and_cnn.expected_cnn_summary()) == CNN_PARAMS == 34_826


@pytest.mark.parametrize("check", CNN_CHECKS, ids=CNN_CHECK_IDS)
@pytest.mark.parametrize(
    "candidate", [build_cnn, build_cnn_functional, make_build_cnn()], ids=["reference", "functional", "factory"]
)
def test_cnn_check_passes_on_correct_build_cnn(check, candidate):
    assert check(candidate) is None


@pytest.mark.parametrize(
    ("flags", "fragments"),
    [
        (dict(dropout=False), ["layer 5 (", "has the wrong layer class: expected Dropout, got Dense"]),
        (dict(first_activation=None), ["layer 0 (", "has the wrong activation: expected relu, got linear"]),
        (dict(dropout_rate=0.25), ["the dropout rate of layer", "is wrong: expected 0.5, got 0.25"]),
    ],
    ids=["no_dropout", "no_relu", "dropout_rate"],
)
@pytest.mark.parametrize("check", CNN_CHECKS, ids=CNN_CHECK_IDS)
def test_cnn_check_fails_naming_the_layer_and_field(check, flags, fragments):
    with pytest.raises(CheckFailure) as failure:
        check(make_build_cnn(**flags))
    message = str(failure.value)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("check", "size"), [(layers_and_cnn.check_cnn_layers, 28), (layers_and_cnn.check_cnn_other_inputs, 32)],
    ids=CNN_CHECK_IDS,
)
def test_cnn_check_fails_on_same_padding_naming_the_output_shape_of_the_first_conv(check, size):
    with pytest.raises(CheckFailure) as failure:
        check(make_build_cnn(padding="same"))
    message = str(failure.value)
    assert message.startswith("layer 0 (")
    assert (
        f"has the wrong output shape: expected (None, {size - 2}, {size - 2}, 32), got (None, {size}, {size}, 32)"
        in message
    )


def test_hard_coded_input_shape_passes_the_default_check_but_fails_other_inputs():
    build = make_build_cnn(hard_coded_input=True)
    assert layers_and_cnn.check_cnn_layers(build) is None
    with pytest.raises(CheckFailure) as failure:
        layers_and_cnn.check_cnn_other_inputs(build)
    message = str(failure.value)
    assert "cannot be called on images of shape (None, 32, 32, 3)" in message
    assert "start the model with `keras.Input(shape=input_shape)`" in message


@pytest.mark.parametrize("check", CNN_CHECKS, ids=CNN_CHECK_IDS)
def test_cnn_check_fails_when_build_cnn_returns_none(check):
    def build_without_return(input_shape=(28, 28, 1), num_classes=10):
        build_cnn(input_shape, num_classes)

    with pytest.raises(CheckFailure) as failure:
        check(build_without_return)
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
