"""Assignment 2's references: the verdicts of its checks that need what only the grader may compute.

Each function takes the values the kernel observed (autograder/evidence.py) and the inputs the
check gave the student's code, and raises `CheckFailure` when they differ from the reference:
NumPy's dense layer in float64, the output lengths and the convolution Keras's own `Conv2D` and
`MaxPooling2D` compute, the CNN's table of layers. Forward-pass verdicts print the relative
error they measured. The kernel-side checks (`../checks.py`) call them where this folder is
importable (a student's own `check()`, the grader); in autograde's sandbox it is hidden, and the
judge calls them.
"""

import numpy as np

from autograder import shared_checks as checks
from autograder.errors import CheckFailure
from autograder.settings import FORWARD_PASS_RTOL, MNIST_CLASSES, MNIST_IMAGE_SHAPE
from autograder.shared_checks import LayerSummary


def _softmax(z):
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


NUMPY_ACTIVATIONS = {
    None: lambda z: z,
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "softmax": _softmax,
}


def _compare(got, expected, what, hint=None):
    """`check_close` with a floor for outputs that cross zero; print the relative error when it passes."""
    floor = checks.scaled_floor(expected)
    checks.check_close(got, expected, what, hint=hint, floor=floor)
    print(f"{what}: relative error {checks.relative_error(got, expected, floor):.1e} (tolerance {FORWARD_PASS_RTOL:.0e})")


def _matches(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    return checks.relative_error(got, expected, checks.scaled_floor(expected)) <= FORWARD_PASS_RTOL


# The dense layer ------------------------------------------------------------------------


def check_dense_forward(got, inputs, kernel, bias, activation, what):
    """Are the observed outputs `got` of a DenseLayer with these weights `activation(inputs @ kernel + bias)`?"""
    apply = NUMPY_ACTIVATIONS[activation]
    linear = inputs.astype("float64") @ kernel + bias
    hint = "compute `activation(inputs @ kernel + bias)`."
    if activation not in (None, "linear") and _matches(got, linear):
        hint = (
            "the activation is not applied: store `keras.activations.get(activation)` in `__init__` "
            "and return `self.activation(inputs @ self.kernel + self.bias)`."
        )
    elif _matches(got, apply(linear - bias)):
        hint = "the bias is not added: return `activation(inputs @ kernel + bias)`."
    _compare(got, apply(linear), what, hint)


# Convolution arithmetic ------------------------------------------------------------------


def keras_output_size(size, kernel_size, stride, padding, layer="Conv2D"):
    """The output length along one axis that Keras's `Conv2D` or `MaxPooling2D` really produces."""
    import keras

    if layer == "Conv2D":
        module = keras.layers.Conv2D(1, (kernel_size, 1), strides=(stride, 1), padding=padding)
    else:
        module = keras.layers.MaxPooling2D((kernel_size, 1), strides=(stride, 1), padding=padding)
    return int(np.asarray(module(np.zeros((1, size, 1, 1), "float32"))).shape[1])


def check_output_size(got, case, call, hint):
    """Is the observed length `got` of `conv_output_size` on `case` (size, kernel size, stride, padding, layer) Keras's?"""
    expected = keras_output_size(*case)
    if got != expected:
        raise CheckFailure(f"`{call}` is wrong ({case[-1]} with these settings gives {expected})", expected, got, hint)


# The convolution forward pass ------------------------------------------------------------


def keras_conv2d(x, kernel, bias, stride, padding):
    """What `keras.layers.Conv2D` computes with these weights, in float64."""
    import keras

    layer = keras.layers.Conv2D(
        kernel.shape[-1], kernel.shape[:2], strides=stride, padding=padding, dtype="float64"
    )
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    return np.asarray(layer(x))


def _same_padding_on_top_left(x, kernel, bias, stride):
    """'same' padding with the odd extra row and column before the image instead of after it."""
    pads = []
    for axis, kernel_size in ((1, kernel.shape[0]), (2, kernel.shape[1])):
        size = x.shape[axis]
        total = max((-(-size // stride) - 1) * stride + kernel_size - size, 0)
        pads.append((total - total // 2, total // 2))
    padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    return keras_conv2d(padded, kernel, bias, stride, "valid")


def _conv2d_hint(got, x, kernel, bias, stride, padding):
    """Name the usual mistake that `got` matches, if any."""
    if _matches(got, keras_conv2d(x, kernel[::-1, ::-1], bias, stride, padding)):
        return (
            "the kernel is flipped: that is a true convolution, but Keras's Conv2D computes a cross-correlation, "
            "`out[n, i, j, o] = sum(x[n, i*stride + a, j*stride + b, c] * kernel[a, b, c, o]) + bias[o]`, "
            "with no flipping."
        )
    if _matches(got, keras_conv2d(x, kernel, np.zeros_like(bias), stride, padding)):
        return "the bias is not added: add `bias[o]` to every output of channel o."
    if padding == "same" and _matches(got, _same_padding_on_top_left(x, kernel, bias, stride)):
        return (
            "the padding is on the wrong side: when the total padding along an axis is odd, Keras puts "
            "`total // 2` before the image and the extra row or column after it (bottom and right)."
        )
    return (
        "slide the kernel over the (padded) input with the given stride and sum over "
        "kh, kw and C_in; the output length per axis is `conv_output_size(...)`."
    )


def check_conv2d_forward(got, x, kernel, bias, stride, padding, call):
    """Is the observed output `got` of `conv2d_forward` on these inputs what Keras's `Conv2D` computes?"""
    expected = keras_conv2d(x, kernel, bias, stride, padding)
    if got.shape != expected.shape:
        raise CheckFailure(
            f"`{call}` has the wrong output shape", expected.shape, got.shape,
            "the output is (N, H_out, W_out, C_out), each length given by `conv_output_size`.",
        )
    _compare(got, expected, f"`{call}`", _conv2d_hint(got, x, kernel, bias, stride, padding))


# The CNN -------------------------------------------------------------------------------


def _pooled(size):
    return size // 2


def expected_cnn_summary(input_shape=MNIST_IMAGE_SHAPE, num_classes=MNIST_CLASSES):
    """The table of the assignment: each layer's class, output shape, parameter count and activation."""
    height, width, channels = input_shape
    rows = [LayerSummary("Conv2D", (None, height - 2, width - 2, 32), 3 * 3 * channels * 32 + 32, "relu")]
    height, width = _pooled(height - 2), _pooled(width - 2)
    rows.append(LayerSummary("MaxPooling2D", (None, height, width, 32), 0))
    rows.append(LayerSummary("Conv2D", (None, height - 2, width - 2, 64), 3 * 3 * 32 * 64 + 64, "relu"))
    height, width = _pooled(height - 2), _pooled(width - 2)
    rows.append(LayerSummary("MaxPooling2D", (None, height, width, 64), 0))
    flat = height * width * 64
    rows.append(LayerSummary("Flatten", (None, flat), 0))
    rows.append(LayerSummary("Dropout", (None, flat), 0))
    rows.append(LayerSummary("Dense", (None, num_classes), flat * num_classes + num_classes, "softmax"))
    return rows


def check_cnn_layers(layers, input_shape=MNIST_IMAGE_SHAPE, num_classes=MNIST_CLASSES):
    """Are the observed `layers` (`shared_checks.layer_facts` data) those of the table, for these arguments?"""
    checks.compare_layer_summary(*checks.layers_of(layers), expected_cnn_summary(input_shape, num_classes))


def cnn_forward(images, values, input_shape=MNIST_IMAGE_SHAPE, num_classes=MNIST_CLASSES):
    """The table's CNN (`expected_cnn_summary`) on `images`, its trainable weights `values` in order, at inference.

    Each row of the table is computed as its class computes it, in float64: Keras's own `Conv2D`,
    2x2 max pooling, flattening, dropout (nothing at inference), a dense layer; then the row's activation.
    """
    x = np.asarray(images, dtype="float64")
    weights = iter(np.asarray(value, dtype="float64") for value in values)
    for row in expected_cnn_summary(input_shape, num_classes):
        if row.class_name == "Conv2D":
            x = keras_conv2d(x, next(weights), next(weights), 1, "valid")
        elif row.class_name == "MaxPooling2D":
            count, height, width, channels = x.shape
            x = x[:, :height // 2 * 2, :width // 2 * 2].reshape(count, height // 2, 2, width // 2, 2, channels)
            x = x.max(axis=(2, 4))
        elif row.class_name == "Flatten":
            x = x.reshape(len(x), -1)
        elif row.class_name == "Dense":
            x = x @ next(weights) + next(weights)
        x = NUMPY_ACTIVATIONS[row.activation](x)
    return x


def trained_cnn_forward(images, values):
    """The table's CNN computed by the grader on `images` with the trained weights `values`, in order; `CheckFailure`
    when they are not its weights."""
    shapes, got = cnn_weight_shapes(), [tuple(np.shape(value)) for value in values]
    if got != shapes:
        raise CheckFailure(
            "the trained CNN's weights are not those of the table's layers", shapes, got,
            "train the model `build_cnn()` builds, every layer trainable: the grader computes its predictions "
            "from those weights.",
        )
    return cnn_forward(images, values)


def cnn_weight_shapes(input_shape=MNIST_IMAGE_SHAPE, num_classes=MNIST_CLASSES):
    """The shapes of the table's CNN's trainable weights, in order: each layer's kernel, then its bias."""
    shapes, channels, features = [], input_shape[-1], None
    for row in expected_cnn_summary(input_shape, num_classes):
        if row.class_name == "Conv2D":
            shapes += [(3, 3, channels, row.output_shape[-1]), (row.output_shape[-1],)]
        elif row.class_name == "Dense":
            shapes += [(features, row.output_shape[-1]), (row.output_shape[-1],)]
        channels, features = row.output_shape[-1], int(np.prod(row.output_shape[1:]))
    return shapes


def check_cnn_outputs(got, images, values, call, input_shape=MNIST_IMAGE_SHAPE, num_classes=MNIST_CLASSES):
    """Are the observed outputs `got` of the student's CNN, with weights `values`, the table's CNN's on `images`?

    Called once the layers match the table; a weight frozen (not trainable) is missing from `values`.
    """
    shapes = [tuple(np.shape(value)) for value in values]
    if shapes != cnn_weight_shapes(input_shape, num_classes):
        raise CheckFailure(f"the trainable weights of {call} are not the table's", cnn_weight_shapes(input_shape,
                           num_classes), shapes, "every layer learns: leave `trainable` at its default, True.")
    _compare(got, cnn_forward(images, values, input_shape, num_classes), f"the output of {call} on fixed weights",
             hint="each layer as the table says and in its order, with nothing else between them (no layer that "
             "changes the values at inference).")
