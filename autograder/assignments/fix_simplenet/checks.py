"""Checks of assignment 1, "Fix the broken SimpleNet".

Each function takes what the student wrote (the `SimpleNet` class, the data arrays,
the trained model) and raises `CheckFailure` naming the cause when it is wrong. The
sizes of the hidden cases are written in the hidden tests of the source notebook,
not here: a student's kernel can import this module.

The student's code is only ever called inside `observe` (autograder/evidence.py): a probe builds
`SimpleNet` or calls the student's function and returns plain data (shapes, counts, outputs, a
summary of the data arrays, the plotted pictures), and the decisions are taken on that data, so
the grader takes them again outside the kernel. References (the MNIST arrays, the NumPy forward
pass, the fixed weights) are computed outside the probes. A model a later probe needs passes
between probes in a `held` dict, which is filled in the kernel only.

What a check compares the observations with (the MNIST arrays, the NumPy forward pass, the
parameter counts of other sizes) is the grader's side, `grader/references.py`. Where it is
importable (a student's own `check()`, the grader) the checks call it; in autograde's sandbox it
is hidden, `references` is None, and the kernel only observes: the judge decides, outside it.
"""

import functools
import warnings

import numpy as np

from autograder import shared_checks as checks
from autograder.errors import CheckFailure, error_text
from autograder.evidence import hidden_grader_side, inputs_seed, observe
from autograder.settings import (
    MNIST_CLASSES,
    MNIST_IMAGE_SHAPE,
    MNIST_TEST_SIZE,
    MNIST_TRAIN_SIZE,
    SIMPLENET_EPOCH_BUDGET,
    SIMPLENET_MIN_ACCURACY,
    SIMPLENET_PARAMS,
    WEIGHT_PLOT_MIN_CORRELATION,
    WEIGHT_PLOT_MIN_IMAGES,
)

try:
    import autograder.assignments.fix_simplenet.grader.references as references
except ModuleNotFoundError as error:
    references = hidden_grader_side(error, "autograder.assignments.fix_simplenet.grader")


def _layer_sizes(input_shape=MNIST_IMAGE_SHAPE, hidden_layer_sizes=(128,), output_layer_sizes=(MNIST_CLASSES,)):
    """The widths SimpleNet's Dense layers map between (flattened pixels, each hidden size, the output size), for the
    sizes given to its constructor (its defaults otherwise)."""
    return (int(np.prod(input_shape)), *hidden_layer_sizes, output_layer_sizes[0])


# Layer widths of SimpleNet() with its default sizes: 784 flattened pixels -> 128 -> 10.
_DEFAULT_SIZES = _layer_sizes()


def weight_shapes(layer_sizes=_DEFAULT_SIZES):
    """The shapes of the kernels and biases of Dense layers between `layer_sizes` (`SimpleNet()`'s by default), layer
    by layer: each kernel, then its bias."""
    return [shape for fan_in, fan_out in zip(layer_sizes, layer_sizes[1:]) for shape in ((fan_in, fan_out), (fan_out,))]


def _weight_shapes(layer_sizes):
    """`weight_shapes(layer_sizes)`, sorted."""
    return sorted(weight_shapes(layer_sizes))
_DEFAULT_INNER_WIDTHS = _DEFAULT_SIZES[1:-1]
# Whole images per split that `check_data` compares pixel by pixel (the others by their pixel sums).
_DATA_SAMPLES = 16

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
    return np.random.default_rng(inputs_seed()).random((batch_size, *input_shape), dtype="float32")


def build_simplenet(SimpleNet, **kwargs):
    """Construct `SimpleNet(**kwargs)` and call it once on a small batch so it is built."""
    import keras

    if not (isinstance(SimpleNet, type) and issubclass(SimpleNet, keras.Model)):
        raise CheckFailure(
            "`SimpleNet` must be a class that subclasses `keras.models.Model`", "a subclass of keras.Model",
            repr(SimpleNet), "keep `class SimpleNet(keras.models.Model):`.",
        )
    arguments = checks.call_arguments(kwargs)
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


def _observe_simplenet(SimpleNet, what, measure=None, **kwargs):
    """Observe `measure(model)` (None without one) of `model = build_simplenet(SimpleNet, **kwargs)`.

    Returns the observed data and the model, for the probes of the shared checks: the built model
    in the student's kernel, None in the grader (which only ever hands it to `observe`, unused).
    """
    held = {}

    def probe():
        model = held["model"] = build_simplenet(SimpleNet, **kwargs)
        return None if measure is None else measure(model)

    data = observe(f"SimpleNet({checks.call_arguments(kwargs)}): {what}", probe)
    return data, held.get("model")


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


def _dense_count(model):
    return len(_dense_layers(model))


def _params_hint(dense_count, hidden_layer_sizes):
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


def _image_facts(images):
    """Probe: the shape and dtype kind of `images`."""
    images = np.asarray(images)
    return tuple(images.shape), images.dtype.kind, str(images.dtype)


def _pixel_facts(images, samples):
    """Probe: the range and per-image pixel sums of (N, 28, 28, 1) float `images`, and the images `samples` whole."""
    images = np.asarray(images)
    with np.errstate(all="ignore"):
        sums = images.reshape(len(images), -1).sum(axis=1, dtype="float64").astype("float32")
    return {"min": float(images.min()), "max": float(images.max()), "sums": sums, "samples": images[samples, ..., 0]}


def _label_classes(labels, one_hot):
    """Probe: `labels` (their argmax if `one_hot`) as uint8, or None if they are not all integers 0..255."""
    labels = np.asarray(labels)
    if one_hot:
        labels = labels.argmax(axis=1)
    if labels.dtype.kind not in "biuf":
        return None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        classes = labels.astype("uint8")
    return classes if np.array_equal(classes, labels) else None


def check_data(train_images, train_labels, test_images, test_labels):
    """Are the four arrays MNIST, shaped (N, 28, 28, 1), scaled to [0, 1], with labels 0..9?"""
    splits = (("train", train_images, train_labels, MNIST_TRAIN_SIZE), ("test", test_images, test_labels, MNIST_TEST_SIZE))
    for split, images, labels, size in splits:
        shape, kind, dtype = observe(f"`{split}_images`: shape and dtype", lambda: _image_facts(images))
        if shape != (size, *MNIST_IMAGE_SHAPE):
            raise CheckFailure(
                f"`{split}_images` has the wrong shape", (size, *MNIST_IMAGE_SHAPE), shape,
                "add the channel axis: `images[..., np.newaxis]` or `images.reshape(-1, 28, 28, 1)`.",
            )
        if kind != "f":
            raise CheckFailure(
                f"`{split}_images` has the wrong dtype", "float32", dtype, "convert with `.astype('float32')`."
            )
        samples = np.sort(np.random.default_rng(inputs_seed()).choice(size, _DATA_SAMPLES, replace=False))
        pixels = observe(f"`{split}_images`: range, pixel sums, sampled images", lambda: _pixel_facts(images, samples))
        if pixels["min"] < 0 or pixels["max"] > 1 or pixels["max"] < 0.5:
            raise CheckFailure(
                f"`{split}_images` is not scaled to [0, 1]", "values from 0 to 1",
                f"values from {pixels['min']:.3g} to {pixels['max']:.3g}", "divide the raw pixels (0..255) by 255.",
            )
        if references is not None:
            references.check_same_images(split, pixels, samples)
        labels_shape = observe(f"`{split}_labels`: shape", lambda: tuple(np.asarray(labels).shape))
        one_hot = len(labels_shape) == 2 and labels_shape[1] == MNIST_CLASSES
        if (labels_shape[:1] if one_hot else labels_shape) != (size,):
            raise CheckFailure(
                f"`{split}_labels` has the wrong shape", f"({size},) or ({size}, {MNIST_CLASSES})",
                labels_shape[:1] if one_hot else labels_shape,
            )
        classes = observe(f"`{split}_labels`: classes", lambda: _label_classes(labels, one_hot))
        if references is not None:
            references.check_same_labels(split, classes)


def check_builds(SimpleNet):
    """Can SimpleNet() be constructed and called on a batch of images, and compute what its layers compute?"""
    _, model = _observe_simplenet(SimpleNet, "built")
    _check_outputs_on_fixed_weights(model)


def _output_shape_hint(input_shape, otherwise):
    """The hint for a wrong output shape: `otherwise`, unless the outputs kept the images' axes (no Flatten)."""
    def hint(got):
        if len(got) == len(input_shape) + 1 and tuple(got[1:-1]) == tuple(input_shape[:-1]):
            sizes = "x".join(str(size) for size in input_shape)
            return f"the first Dense layer sees {sizes} images; flatten them first (`keras.layers.Flatten`)."
        return otherwise
    return hint


_OUTPUT_SIZE_HINT = "use `output_layer_sizes[0]` units in the output layer instead of a fixed 10."


def check_output_shape(SimpleNet):
    """Does SimpleNet map (N, 28, 28, 1) images to (N, 10) outputs?"""
    _, model = _observe_simplenet(SimpleNet, "built")
    checks.check_output_shape(model, MNIST_IMAGE_SHAPE, (None, MNIST_CLASSES), hint=_output_shape_hint(
        MNIST_IMAGE_SHAPE, "flatten the images, then end with a Dense layer of `output_layer_sizes[0]` units."))
    _check_outputs_on_fixed_weights(model)


def check_param_count(SimpleNet):
    """Does SimpleNet() have 101,770 parameters: 784 -> 128 -> 10 with biases?"""
    dense_count, model = _observe_simplenet(SimpleNet, "Dense layers", _dense_count)
    checks.check_param_count(model, SIMPLENET_PARAMS, hint=_params_hint(dense_count, _DEFAULT_INNER_WIDTHS))
    _check_outputs_on_fixed_weights(model)


def check_probabilities(SimpleNet):
    """Does SimpleNet output one probability per class (softmax)?"""
    images = _sample_images()
    outputs, model = _observe_simplenet(
        SimpleNet, f"outputs on {len(images)} images", lambda model: checks.call_model(model, images)
    )
    checks.check_probabilities(
        outputs.reshape(-1, outputs.shape[-1]),
        hint="the output layer needs `activation='softmax'`.",
    )
    _check_outputs_on_fixed_weights(model)


def check_dropout(SimpleNet):
    """Does SimpleNet apply dropout while training (a training call differs from an inference call)?"""
    _, model = _observe_simplenet(SimpleNet, "built")
    checks.check_dropout_active_in_training(
        model, _sample_images(),
        hint="keep a `keras.layers.Dropout(rate)` layer (created in `__init__`) between the Dense layers.",
    )
    _check_outputs_on_fixed_weights(model)


def check_inference_repeatable(SimpleNet):
    """Do two inference calls on the same images give the same outputs?"""
    _, model = _observe_simplenet(SimpleNet, "built")
    checks.check_inference_deterministic(model, _sample_images())
    _check_outputs_on_fixed_weights(model)


def _predict_and_call(model, images):
    """Probe: `model.predict(images)` and `model(images)`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predicted = np.asarray(model.predict(images, verbose=0))
    except Exception as error:
        raise CheckFailure(
            f"`model.predict(images)` raised {type(error).__name__}: {str(error).splitlines()[0]}",
            hint="create every layer once in `__init__`; a layer created inside `call()` breaks `fit()` and `predict()`.",
        ) from None
    return predicted, checks.call_model(model, images)


def check_inference_deterministic(SimpleNet):
    """Do repeated predictions on the same images agree, including through `predict`?"""
    _, model = _observe_simplenet(SimpleNet, "built")
    images = _sample_images()
    checks.check_inference_deterministic(model, images)
    predicted, called = observe("model.predict(images) and model(images)", lambda: _predict_and_call(model, images))
    checks.check_close(
        predicted, called, "`model.predict(images)` compared with `model(images)`",
        hint="dropout must depend on the `training` flag only.",
    )
    _check_outputs_on_fixed_weights(model)


def _weight_facts(model):
    """Probe: the shapes of `model.weights` and of `model.trainable_weights`, and its number of Dense layers."""
    return {
        "weights": [tuple(variable.shape) for variable in model.weights],
        "trainable": [tuple(variable.shape) for variable in model.trainable_weights],
        "dense layers": _dense_count(model),
    }


def _check_weight_shapes(facts, called, layer_sizes):
    shapes = sorted(facts["weights"])
    if shapes != _weight_shapes(layer_sizes):
        raise CheckFailure(f"{called} has the wrong weights", _weight_shapes(layer_sizes), shapes,
                           _params_hint(facts["dense layers"], layer_sizes[1:-1]))
    if sorted(facts["trainable"]) != shapes:
        raise CheckFailure(f"some weights of {called} are not trainable", shapes, sorted(facts["trainable"]),
                           "every layer learns: leave `trainable` at its default, True.")


def check_weight_shapes(SimpleNet):
    """Does SimpleNet() hold a (784, 128) kernel, a (128,) bias, a (128, 10) kernel and a (10,) bias?"""
    facts, _ = _observe_simplenet(SimpleNet, "weights", _weight_facts)
    _check_weight_shapes(facts, "SimpleNet()", _DEFAULT_SIZES)


def _outputs_on_fixed_weights(model, values, images):
    """Probe: `model(images)` with dropout off and `values` assigned to `model.trainable_weights`."""
    import keras

    for layer in _all_layers(model):
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    for variable, value in zip(model.trainable_weights, values):
        variable.assign(value)
    return checks.call_model(model, images)


def _check_outputs_on_fixed_weights(model, **sizes):
    """Are `model`'s outputs on fixed weights the repaired SimpleNet's (built with `sizes`)?

    The values every SimpleNet test rests on: shapes, counts and repeatable outputs are true of a stub
    that returns constants, these are not. Two properties that other tests own are set aside, so one bug
    costs what it breaks: dropout is switched off (staying off at inference is the inference tests'
    property), and outputs that are not probabilities are passed through a softmax (the output
    activation is `check_probabilities`'s property).
    """
    layer_sizes = _layer_sizes(**sizes)
    called = f"SimpleNet({checks.call_arguments(sizes)})"
    facts = observe(f"{called}: weights", lambda: _weight_facts(model))
    if references is None and not sorted(facts["weights"]) == sorted(facts["trainable"]) == _weight_shapes(layer_sizes):
        return  # the grader fails it, maybe on an earlier check that needs the references (a parameter count)
    _check_weight_shapes(facts, called, layer_sizes)
    values = checks.fixed_weight_values(facts["trainable"])
    images = _sample_images(sizes.get("input_shape", MNIST_IMAGE_SHAPE))
    outputs = observe(f"{called}: outputs on fixed weights, dropout off",
                      lambda: _outputs_on_fixed_weights(model, values, images))
    if references is None:
        return
    try:
        references.check_forward_pass(outputs, images, values, layer_sizes)
    except CheckFailure as failure:
        raise CheckFailure(f"{called}: {failure.what}", failure.expected, failure.got, failure.hint) from None


def check_forward_pass(SimpleNet):
    """With fixed weights, does SimpleNet compute softmax(relu(x W1 + b1) W2 + b2)?"""
    _, model = _observe_simplenet(SimpleNet, "built")
    _check_outputs_on_fixed_weights(model)


def check_output_size(SimpleNet):
    """Does `SimpleNet(output_layer_sizes=(5,))` output 5 probabilities per image?"""
    _, model = _observe_simplenet(SimpleNet, "built", output_layer_sizes=(5,))
    checks.check_output_shape(
        model, MNIST_IMAGE_SHAPE, (None, 5), hint=_output_shape_hint(MNIST_IMAGE_SHAPE, _OUTPUT_SIZE_HINT)
    )
    _check_outputs_on_fixed_weights(model, output_layer_sizes=(5,))


def check_other_sizes(SimpleNet, input_shape, hidden_layer_sizes, output_layer_sizes):
    """Does SimpleNet honour `input_shape`, every entry of `hidden_layer_sizes` and `output_layer_sizes`?"""
    sizes = dict(input_shape=input_shape, hidden_layer_sizes=hidden_layer_sizes, output_layer_sizes=output_layer_sizes)
    dense_count, model = _observe_simplenet(SimpleNet, "Dense layers", _dense_count, **sizes)
    checks.check_output_shape(model, input_shape, (None, output_layer_sizes[0]),
                              hint=_output_shape_hint(input_shape, _OUTPUT_SIZE_HINT))
    expected = None if references is None else references.expected_params(**sizes)
    checks.check_param_count(model, expected, hint=_params_hint(dense_count, hidden_layer_sizes))
    _check_outputs_on_fixed_weights(model, **sizes)


def check_epoch_budget(history):
    """Does `history` come from `fit()` with at least one and at most the budgeted number of epochs?"""
    checks.check_epoch_budget(history, SIMPLENET_EPOCH_BUDGET)


def check_accuracy(model, history):
    """Did the trained model reach `SIMPLENET_MIN_ACCURACY` on the MNIST test split within the epoch budget?

    The classes the model predicts must be those its trained weights compute through the grader's SimpleNet."""
    check_epoch_budget(history)
    forward = None if references is None else functools.partial(references.trained_forward, sizes=_DEFAULT_SIZES)
    checks.check_min_accuracy(model, SIMPLENET_MIN_ACCURACY, forward)


def _figure_images(figure):
    return [image.get_array() for axes in figure.axes for image in axes.get_images()]


def _first_kernel(values):
    """The first of the trained weights `values` that is a kernel reading 784 flattened pixels, or None."""
    return next((value for value in values if np.ndim(value) == 2 and np.shape(value)[0] == 784), None)


def _plotted_pictures(plot_first_layer_weights, model):
    """Probe: what `plot_first_layer_weights(model)` returns (is it a Figure, its type) and its 28x28 pictures."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

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
        return {"figure": False, "type": type(figure).__name__, "pictures": []}
    images = _figure_images(figure)
    plt.close(figure)
    pictures = [np.asarray(image, dtype="float32") for image in images if np.shape(image) == (28, 28)]
    return {"figure": True, "type": type(figure).__name__, "pictures": pictures}


def check_weight_plot(plot_first_layer_weights, model):
    """Does `plot_first_layer_weights(model)` draw 28x28 pictures of the first Dense layer's kernel columns, the
    kernel of a trained SimpleNet (its accuracy computed by the grader from `model`'s weights)?"""
    values = observe("the trained weights of `model`", lambda: checks.trained_weights(model))
    kernel = _first_kernel(values)
    if kernel is None:
        raise CheckFailure("the model has no Dense layer reading the 784 flattened pixels")
    plotted = observe(
        "the pictures of `plot_first_layer_weights(model)`", lambda: _plotted_pictures(plot_first_layer_weights, model)
    )
    if not plotted["figure"]:
        raise CheckFailure(
            "`plot_first_layer_weights(model)` should return the matplotlib Figure it draws",
            "a matplotlib Figure", plotted["type"], "end the function with `return fig`.",
        )
    wanted = min(WEIGHT_PLOT_MIN_IMAGES, kernel.shape[1])
    pictures = [np.asarray(picture, dtype="float64") for picture in plotted["pictures"]]
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
    if references is not None:
        references.check_trained(values, _DEFAULT_SIZES)
