"""Checks of assignment 1, "Fix the broken SimpleNet".

Each function takes what the student wrote (the `SimpleNet` class, the data arrays,
the trained model) and raises `CheckFailure` naming the cause when it is wrong. The
sizes of the hidden cases are written in the hidden tests of the source notebook,
not here: a student's kernel can import this module.
"""

import warnings

import numpy as np

from autograder import checks
from autograder.errors import CheckFailure, error_text
from autograder.settings import (
    DATA_ATOL,
    MNIST_CLASSES,
    MNIST_IMAGE_SHAPE,
    MNIST_TEST_SIZE,
    MNIST_TRAIN_SIZE,
    PROBABILITY_ATOL,
    SEED,
    SIMPLENET_EPOCH_BUDGET,
    SIMPLENET_MIN_ACCURACY,
    SIMPLENET_PARAMS,
    WEIGHT_PLOT_MIN_CORRELATION,
    WEIGHT_PLOT_MIN_IMAGES,
)

# Layer widths of SimpleNet() with its default sizes: 784 flattened pixels -> 128 -> 10.
_DEFAULT_SIZES = (int(np.prod(MNIST_IMAGE_SHAPE)), 128, MNIST_CLASSES)
_DEFAULT_INNER_WIDTHS = _DEFAULT_SIZES[1:-1]
_DEFAULT_WEIGHT_SHAPES = sorted(
    shape for fan_in, fan_out in zip(_DEFAULT_SIZES, _DEFAULT_SIZES[1:]) for shape in ((fan_in, fan_out), (fan_out,))
)

# Hints for the errors the tutorial's bugs raise, matched on the error's text.
_ERROR_HINTS = (
    ("{'axis'", "`keras.layers.Dropout` has no `axis` argument: use `Dropout(rate)`."),
    ("`Model.layers` attribute is reserved",
     "`self.layers` is Keras's own list of layers; store each layer under its own name "
     "(`self.hidden`, `self.dropout`, `self.classifier`)."),
    ("incompatible with the layer",
     "a layer received inputs of the wrong size: is one layer object used twice because "
     "two layers were stored under the same attribute?"),
    ("input_shape", "pass the input shape to `Flatten`/`keras.Input`, not as a required argument."),
)

def _hint_for(error):
    text = str(error)
    for needle, hint in _ERROR_HINTS:
        if needle in text:
            return hint
    return "run the cell that defines `SimpleNet` and read its traceback."


def _sample_images(input_shape=MNIST_IMAGE_SHAPE, batch_size=8):
    return np.random.default_rng(SEED).random((batch_size, *input_shape), dtype="float32")


def build_simplenet(SimpleNet, **kwargs):
    """Construct `SimpleNet(**kwargs)` and call it once on a small batch so it is built."""
    import keras

    if not (isinstance(SimpleNet, type) and issubclass(SimpleNet, keras.Model)):
        raise CheckFailure(
            "`SimpleNet` must be a class that subclasses `keras.models.Model`", "a subclass of keras.Model",
            repr(SimpleNet), "keep `class SimpleNet(keras.models.Model):`.",
        )
    arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = SimpleNet(**kwargs)
    except Exception as error:
        raise CheckFailure(
            f"`SimpleNet({arguments})` raised {error_text(error)}", hint=_hint_for(error)
        ) from None
    input_shape = kwargs.get("input_shape", MNIST_IMAGE_SHAPE)
    try:
        checks.call_model(model, _sample_images(input_shape))
    except Exception as error:
        raise CheckFailure(
            f"calling `SimpleNet({arguments})` on a batch of shape {(8, *input_shape)} raised {error_text(error)}",
            hint=_hint_for(error),
        ) from None
    return model


def _all_layers(model):
    """Every layer of `model`, nested models' layers included, in the order Keras tracks them."""
    for layer in model.layers:
        yield layer
        if isinstance(getattr(layer, "layers", None), list):
            yield from _all_layers(layer)


def _dense_layers(model):
    import keras

    # A layer replaced by another under the same attribute stays tracked but is never built.
    return [layer for layer in _all_layers(model) if isinstance(layer, keras.layers.Dense) and layer.built]


def expected_params(input_shape, hidden_layer_sizes, output_layer_sizes):
    """The parameter count of the repaired SimpleNet for these sizes."""
    sizes = [int(np.prod(input_shape)), *hidden_layer_sizes, output_layer_sizes[0]]
    return sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes, sizes[1:]))


def _params_hint(model, hidden_layer_sizes):
    dense_count = len(_dense_layers(model))
    wanted = len(hidden_layer_sizes) + 1
    if dense_count < wanted:
        return (
            f"the model holds {dense_count} Dense layer(s) but needs {wanted} (one per entry of "
            "`hidden_layer_sizes` plus the output): assigning to the same attribute twice "
            "replaces the first layer."
        )
    if dense_count > wanted:
        return f"the model holds {dense_count} Dense layers but needs {wanted}."
    return "flatten the images before the first Dense layer, and use the sizes passed to the constructor."


def check_data(train_images, train_labels, test_images, test_labels):
    """Are the four arrays MNIST, shaped (N, 28, 28, 1), scaled to [0, 1], with labels 0..9?"""
    from autograder.data import load_raw_mnist

    (raw_train_images, raw_train_labels), (raw_test_images, raw_test_labels) = load_raw_mnist()
    splits = (
        ("train", train_images, train_labels, MNIST_TRAIN_SIZE, raw_train_images, raw_train_labels),
        ("test", test_images, test_labels, MNIST_TEST_SIZE, raw_test_images, raw_test_labels),
    )
    for split, images, labels, size, raw_images, raw_labels in splits:
        images = np.asarray(images)
        if images.shape != (size, *MNIST_IMAGE_SHAPE):
            raise CheckFailure(
                f"`{split}_images` has the wrong shape", (size, *MNIST_IMAGE_SHAPE), images.shape,
                "add the channel axis: `images[..., np.newaxis]` or `images.reshape(-1, 28, 28, 1)`.",
            )
        if not np.issubdtype(images.dtype, np.floating):
            raise CheckFailure(
                f"`{split}_images` has the wrong dtype", "float32", images.dtype, "convert with `.astype('float32')`."
            )
        if images.min() < 0 or images.max() > 1 or images.max() < 0.5:
            raise CheckFailure(
                f"`{split}_images` is not scaled to [0, 1]", "values from 0 to 1",
                f"values from {images.min():.3g} to {images.max():.3g}", "divide the raw pixels (0..255) by 255.",
            )
        if not np.allclose(images[..., 0], raw_images / 255.0, atol=DATA_ATOL):
            raise CheckFailure(
                f"`{split}_images` are not the MNIST {split} images in their original order, divided by 255",
                hint="keep images and labels in the order `load_raw_mnist()` returns them.",
            )
        labels = np.asarray(labels)
        if labels.ndim == 2 and labels.shape[1] == MNIST_CLASSES:
            labels = labels.argmax(axis=1)
        if labels.shape != (size,):
            raise CheckFailure(
                f"`{split}_labels` has the wrong shape", f"({size},) or ({size}, {MNIST_CLASSES})", labels.shape
            )
        if not np.array_equal(labels, raw_labels):
            raise CheckFailure(
                f"`{split}_labels` are not the MNIST {split} labels in their original order",
                hint="keep images and labels together and do not shuffle or re-encode them by hand.",
            )


def check_builds(SimpleNet):
    """Can SimpleNet() be constructed and called on a batch of images?"""
    build_simplenet(SimpleNet)


def check_output_shape(SimpleNet):
    """Does SimpleNet map (N, 28, 28, 1) images to (N, 10) outputs?"""
    model = build_simplenet(SimpleNet)
    got = checks.output_shape(model, MNIST_IMAGE_SHAPE)
    if got == (None, *MNIST_IMAGE_SHAPE[:-1], MNIST_CLASSES):
        hint = "the first Dense layer sees 28x28x1 images; flatten them first (`keras.layers.Flatten`)."
    else:
        hint = "flatten the images, then end with a Dense layer of `output_layer_sizes[0]` units."
    checks.check_output_shape(model, MNIST_IMAGE_SHAPE, (None, MNIST_CLASSES), hint=hint)


def check_param_count(SimpleNet):
    """Does SimpleNet() have 101,770 parameters: 784 -> 128 -> 10 with biases?"""
    model = build_simplenet(SimpleNet)
    checks.check_param_count(model, SIMPLENET_PARAMS, hint=_params_hint(model, _DEFAULT_INNER_WIDTHS))


def check_probabilities(SimpleNet):
    """Does SimpleNet output one probability per class (softmax)?"""
    model = build_simplenet(SimpleNet)
    outputs = checks.call_model(model, _sample_images())
    checks.check_probabilities(
        outputs.reshape(-1, outputs.shape[-1]),
        hint="the output layer needs `activation='softmax'`.",
    )


def check_dropout(SimpleNet):
    """Does SimpleNet apply dropout while training (a training call differs from an inference call)?"""
    checks.check_dropout_active_in_training(
        build_simplenet(SimpleNet), _sample_images(),
        hint="keep a `keras.layers.Dropout(rate)` layer (created in `__init__`) between the Dense layers.",
    )


def check_inference_repeatable(SimpleNet):
    """Do two inference calls on the same images give the same outputs?"""
    checks.check_inference_deterministic(build_simplenet(SimpleNet), _sample_images())


def check_inference_deterministic(SimpleNet):
    """Do repeated predictions on the same images agree, including through `predict`?"""
    model = build_simplenet(SimpleNet)
    images = _sample_images()
    checks.check_inference_deterministic(model, images)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predicted = model.predict(images, verbose=0)
    except Exception as error:
        raise CheckFailure(
            f"`model.predict(images)` raised {type(error).__name__}: {str(error).splitlines()[0]}",
            hint="create every layer once in `__init__`; a layer created inside `call()` breaks `fit()` and `predict()`.",
        ) from None
    checks.check_close(
        predicted, checks.call_model(model, images), "`model.predict(images)` compared with `model(images)`",
        hint="dropout must depend on the `training` flag only.",
    )


def _reference_forward(images, values, sizes):
    """The repaired SimpleNet in NumPy: flatten, ReLU Dense layers, softmax Dense layer."""
    by_shape = {}
    for value in values:
        by_shape.setdefault(value.shape, []).append(value)
    activations = images.reshape(len(images), -1).astype("float64")
    for index, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        kernel = by_shape[(fan_in, fan_out)].pop(0)
        bias = by_shape[(fan_out,)].pop(0)
        activations = activations @ kernel + bias
        if index < len(sizes) - 2:
            activations = np.maximum(activations, 0)
    return _softmax(activations)


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _check_default_weight_shapes(model):
    shapes = sorted(tuple(variable.shape) for variable in model.weights)
    if shapes != _DEFAULT_WEIGHT_SHAPES:
        raise CheckFailure(
            "SimpleNet() has the wrong weights", _DEFAULT_WEIGHT_SHAPES, shapes,
            _params_hint(model, _DEFAULT_INNER_WIDTHS),
        )


def check_weight_shapes(SimpleNet):
    """Does SimpleNet() hold a (784, 128) kernel, a (128,) bias, a (128, 10) kernel and a (10,) bias?"""
    _check_default_weight_shapes(build_simplenet(SimpleNet))


def check_forward_pass(SimpleNet):
    """With fixed weights, does SimpleNet compute softmax(relu(x W1 + b1) W2 + b2)?

    Two properties that other tests own are set aside, so one bug loses one test: dropout is
    switched off (staying off at inference is the inference tests' property), and outputs that
    are not probabilities are passed through a softmax (the output activation is
    `check_probabilities`'s property).
    """
    import keras

    model = build_simplenet(SimpleNet)
    _check_default_weight_shapes(model)
    for layer in _all_layers(model):
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    values = checks.set_fixed_weights(model)
    images = _sample_images()
    outputs = checks.call_model(model, images)
    if not np.allclose(outputs.sum(axis=-1), 1, atol=PROBABILITY_ATOL) or outputs.min() < 0:
        outputs = _softmax(outputs.astype("float64"))
    checks.check_close(
        outputs, _reference_forward(images, values, _DEFAULT_SIZES), "the output of SimpleNet on fixed weights",
        hint="hidden layers use ReLU and the input is flattened row by row, and no other layer changes the values.",
    )


def check_output_size(SimpleNet):
    """Does `SimpleNet(output_layer_sizes=(5,))` output 5 probabilities per image?"""
    model = build_simplenet(SimpleNet, output_layer_sizes=(5,))
    checks.check_output_shape(
        model, MNIST_IMAGE_SHAPE, (None, 5), hint="use `output_layer_sizes[0]` units in the output layer instead of a fixed 10."
    )


def check_other_sizes(SimpleNet, input_shape, hidden_layer_sizes, output_layer_sizes):
    """Does SimpleNet honour `input_shape`, every entry of `hidden_layer_sizes` and `output_layer_sizes`?"""
    sizes = dict(input_shape=input_shape, hidden_layer_sizes=hidden_layer_sizes, output_layer_sizes=output_layer_sizes)
    model = build_simplenet(SimpleNet, **sizes)
    checks.check_output_shape(
        model, input_shape, (None, output_layer_sizes[0]),
        hint="use `output_layer_sizes[0]` units in the output layer instead of a fixed 10.",
    )
    checks.check_param_count(model, expected_params(**sizes), hint=_params_hint(model, hidden_layer_sizes))


def check_epoch_budget(history):
    """Does `history` come from `fit()` with at least one and at most the budgeted number of epochs?"""
    checks.check_epoch_budget(history, SIMPLENET_EPOCH_BUDGET)


def check_accuracy(model, history):
    """Did the trained model reach 97% on the MNIST test split within the epoch budget?"""
    check_epoch_budget(history)
    checks.check_min_accuracy(model, SIMPLENET_MIN_ACCURACY)


def _figure_images(figure):
    return [image.get_array() for axes in figure.axes for image in axes.get_images()]


def check_weight_plot(plot_first_layer_weights, model):
    """Does `plot_first_layer_weights(model)` draw 28x28 pictures of the first Dense layer's kernel columns?"""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    kernels = [layer.kernel for layer in _dense_layers(model) if tuple(layer.kernel.shape)[0] == 784]
    if not kernels:
        raise CheckFailure("the model has no Dense layer reading the 784 flattened pixels")
    kernel = np.asarray(kernels[0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            figure = plot_first_layer_weights(model)
    except Exception as error:
        raise CheckFailure(
            f"`plot_first_layer_weights(model)` raised {error_text(error)}",
            hint="Keras models have no `plot_weights`; draw the kernel with matplotlib's `imshow`.",
        ) from None
    if not isinstance(figure, Figure):
        raise CheckFailure(
            "`plot_first_layer_weights(model)` should return the matplotlib Figure it draws",
            "a matplotlib Figure", type(figure).__name__, "end the function with `return fig`.",
        )
    images = _figure_images(figure)
    plt.close(figure)
    wanted = min(WEIGHT_PLOT_MIN_IMAGES, kernel.shape[1])
    pictures = [np.asarray(image, dtype="float64") for image in images if np.shape(image) == (28, 28)]
    if len(pictures) < wanted:
        raise CheckFailure(
            "too few 28x28 pictures of first-layer weights", f"at least {wanted}", len(pictures),
            "draw one `imshow` per hidden unit: `kernel[:, j].reshape(28, 28)`.",
        )
    columns = kernel.T - kernel.T.mean(axis=1, keepdims=True)
    columns /= np.linalg.norm(columns, axis=1, keepdims=True) + 1e-12
    units = set()
    for index, picture in enumerate(pictures):
        flat = picture.ravel() - picture.mean()
        flat /= np.linalg.norm(flat) + 1e-12
        correlations = np.abs(columns @ flat)
        best = float(np.max(correlations))
        if best < WEIGHT_PLOT_MIN_CORRELATION:
            raise CheckFailure(
                f"picture {index} is not a column of the first Dense layer's kernel "
                f"(best correlation {best:.2f}, need {WEIGHT_PLOT_MIN_CORRELATION})",
                hint="show `kernel[:, j].reshape(28, 28)` for hidden unit j, taken from the trained model.",
            )
        units.add(int(np.argmax(correlations)))
    if len(units) < wanted:
        raise CheckFailure(
            "too few different hidden units pictured", f"at least {wanted}", len(units),
            "draw a different column `kernel[:, j]` in each picture (j = 0, 1, 2, ...).",
        )
