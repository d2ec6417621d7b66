"""Checks of assignment 2, "Build dense and CNN layers".

Each function takes what the student wrote (the `DenseLayer` class, `conv_output_size`,
`conv2d_forward`, `build_cnn`, the trained CNN) and raises `CheckFailure` naming the
cause when it is wrong. What the checks compare with (NumPy's dense layer, Keras's own
`Conv2D` and `MaxPooling2D`, the CNN's table) is the grader's side, `grader/references.py`,
whose forward-pass verdicts print the relative error they measured. Where it is importable (a
student's own `check()`, the grader) the checks call it; in autograde's sandbox it is hidden,
`references` is None, and the kernel only observes: the judge decides, outside it.
The hidden cases (other sizes, activations, strides) are written in the hidden tests of
the source notebook, not here: a student's kernel can import this module.

The student's code is only ever called inside `observe` (autograder/evidence.py): a probe builds
or calls it and returns plain data (weight shapes, outputs, losses), and the decisions are taken
on that data, so the grader takes them again outside the kernel. Objects a later probe needs
(the built layer) pass between probes in a `held` dict, which exists in the kernel only.
"""

import tempfile
import warnings
from pathlib import Path

import numpy as np

from autograder import shared_checks as checks
from autograder.errors import CheckFailure, error_text
from autograder.evidence import hidden_grader_side, inputs_seed, observe
from autograder.settings import CNN_DROPOUT_RATE, CNN_EPOCH_BUDGET, CNN_MIN_ACCURACY, MNIST_IMAGE_SHAPE, SEED

try:
    import autograder.assignments.layers_and_cnn.grader.references as references
except ModuleNotFoundError as error:
    references = hidden_grader_side(error, "autograder.assignments.layers_and_cnn.grader")


def _rng(offset=0):
    return np.random.default_rng(inputs_seed() + offset)


# The dense layer ------------------------------------------------------------------------

_DENSE_INPUT_DIM = 7
_DENSE_UNITS = 5
_DENSE_BATCH = 8
# The visible case of `check_dense_in_sequential`: (input dimension, units).
_DENSE_SEQUENTIAL_SIZES = ((3, 4),)
_WEIGHTS_HINT = (
    "create both weights in `build(input_shape)` with `self.add_weight`: "
    "`self.kernel` of shape `(input_shape[-1], self.units)` and `self.bias` of shape `(self.units,)`."
)


def make_dense_layer(DenseLayer, units, activation=None):
    """Construct `DenseLayer(units, activation=activation)`, with a clear failure if that raises."""
    import keras

    if not (isinstance(DenseLayer, type) and issubclass(DenseLayer, keras.layers.Layer)):
        raise CheckFailure(
            "`DenseLayer` must be a class that subclasses `keras.layers.Layer`", "a subclass of keras.layers.Layer",
            repr(DenseLayer), "keep `class DenseLayer(keras.layers.Layer):`.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return DenseLayer(units, activation=activation)
    except Exception as error:
        raise CheckFailure(
            f"`DenseLayer({units}, activation={activation!r})` raised {error_text(error)}",
            hint="the constructor is `__init__(self, units, activation=None, **kwargs)` and calls "
            "`super().__init__(**kwargs)`.",
        ) from None


def _call_layer(layer, inputs, description):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(layer(inputs))
    except Exception as error:
        hint = (
            "the kernel must take its input dimension from `input_shape[-1]` in `build()`, "
            "and `call()` must use `keras.ops` (for example `keras.ops.matmul(inputs, self.kernel)`)."
        )
        kernel = getattr(layer, "kernel", None)
        if kernel is not None and len(kernel.shape) == 2 and kernel.shape[0] != inputs.shape[-1]:
            hint = (
                f"the kernel has shape {tuple(kernel.shape)} but the inputs have {inputs.shape[-1]} features: "
                "`inputs @ kernel` needs a kernel of shape `(input_dim, units)` (is it transposed?)."
            )
        raise CheckFailure(
            f"calling {description} on inputs of shape {inputs.shape} raised {error_text(error)}", hint=hint
        ) from None


def _weight(layer, name):
    """`layer.<name>` if it is a variable (it has `assign`), else None."""
    variable = getattr(layer, name, None)
    return variable if variable is not None and hasattr(variable, "assign") else None


def _dense_facts(DenseLayer, input_dim, units, activation, held):
    """Probe: build `DenseLayer(units, activation)` by a first call on (batch, input_dim) inputs; its weights as data.

    The built layer is left in `held["layer"]` for the next probe.
    """
    layer = make_dense_layer(DenseLayer, units, activation)
    before = [tuple(variable.shape) for variable in layer.weights]
    if before:
        return {"weights before": before}
    inputs = _rng().standard_normal((_DENSE_BATCH, input_dim)).astype("float32")
    _call_layer(layer, inputs, f"`DenseLayer({units})`")
    trainable = {id(variable) for variable in layer.trainable_weights}
    facts = {"weights before": [], "parameters": layer.count_params()}
    for name in ("kernel", "bias"):
        variable = _weight(layer, name)
        facts[name] = None if variable is None else (tuple(variable.shape), id(variable) in trainable)
    held["layer"] = layer
    return facts


def built_dense_layer(DenseLayer, input_dim=_DENSE_INPUT_DIM, units=_DENSE_UNITS, activation=None):
    """Build a `DenseLayer(units, activation)` by a first call on (batch, input_dim) inputs and check its weights.

    Returns `held`, where `held["layer"]` is the built layer (in the student's kernel only).
    """
    held = {}
    facts = observe(
        f"DenseLayer({units}) built on {input_dim} features",
        lambda: _dense_facts(DenseLayer, input_dim, units, activation, held),
    )
    if facts["weights before"]:
        raise CheckFailure(
            "`DenseLayer` has weights before it has seen any input", "no weights until `build()`",
            facts["weights before"],
            "the input dimension is only known in `build(input_shape)`; create the weights there, "
            "not in `__init__`, so the layer works for any input size.",
        )
    for name in ("kernel", "bias"):
        if facts[name] is None:
            raise CheckFailure(f"`DenseLayer` has no `self.{name}` weight", hint=_WEIGHTS_HINT)
    (kernel_shape, kernel_trainable), (bias_shape, bias_trainable) = facts["kernel"], facts["bias"]
    if kernel_shape != (input_dim, units):
        hint = _WEIGHTS_HINT
        if kernel_shape == (units, input_dim):
            hint = "the kernel is transposed: `inputs @ kernel` needs shape `(input_dim, units)`."
        raise CheckFailure(
            f"the kernel of `DenseLayer({units})` on {input_dim}-dimensional inputs has the wrong shape",
            (input_dim, units), kernel_shape, hint,
        )
    if bias_shape != (units,):
        raise CheckFailure(
            f"the bias of `DenseLayer({units})` has the wrong shape", (units,), bias_shape,
            "one bias per unit: `shape=(self.units,)`.",
        )
    for name, trainable in (("kernel", kernel_trainable), ("bias", bias_trainable)):
        if not trainable:
            raise CheckFailure(
                f"`self.{name}` is not trainable", hint="create it with `self.add_weight(..., trainable=True)`, the default."
            )
    expected_count = input_dim * units + units
    if facts["parameters"] != expected_count:
        raise CheckFailure(
            f"`DenseLayer({units})` on {input_dim}-dimensional inputs has the wrong number of parameters",
            expected_count, facts["parameters"], "the layer holds exactly one kernel and one bias.",
        )
    return held


def check_dense_weights(DenseLayer):
    """Does `build()` create a trainable (input_dim, units) kernel and (units,) bias, and nothing else, that the
    layer computes with?

    The values are what the points rest on (`_dense_forward`, without an activation, which the forward test owns):
    weights of the right shapes are true of a stub that returns zeros, its outputs are not.
    """
    _dense_forward(DenseLayer, _DENSE_INPUT_DIM, _DENSE_UNITS, None)


def _dense_forward(DenseLayer, input_dim, units, activation, offset=0):
    """Check one `DenseLayer` forward pass on fixed weights against NumPy, diagnosing the usual mistakes."""
    held = built_dense_layer(DenseLayer, input_dim, units, activation)
    rng = _rng(offset + 1)
    kernel_value = rng.standard_normal((input_dim, units)).astype("float32")
    bias_value = rng.standard_normal(units).astype("float32")
    inputs = rng.standard_normal((_DENSE_BATCH, input_dim)).astype("float32")
    name = activation if isinstance(activation, str) or activation is None else activation.__name__

    def outputs():
        layer = held["layer"]
        layer.kernel.assign(kernel_value)
        layer.bias.assign(bias_value)
        return _call_layer(layer, inputs, f"`DenseLayer({units})`")

    got = observe(f"DenseLayer({units}, activation={name!r}) outputs", outputs)
    if references is not None:
        what = f"`DenseLayer({units}, activation={name!r})` on {input_dim}-dimensional inputs"
        references.check_dense_forward(got, inputs, kernel_value, bias_value, name, what)


def check_dense_forward(DenseLayer):
    """With fixed weights, does DenseLayer compute inputs @ kernel + bias, with and without an activation?"""
    _dense_forward(DenseLayer, _DENSE_INPUT_DIM, _DENSE_UNITS, None)
    _dense_forward(DenseLayer, _DENSE_INPUT_DIM, _DENSE_UNITS, "relu", offset=1)


def check_dense_activations(DenseLayer, activations):
    """Does DenseLayer apply each of `activations` (names, or functions of `keras.activations`)?"""
    for offset, activation in enumerate(activations, start=2):
        _dense_forward(DenseLayer, _DENSE_INPUT_DIM, _DENSE_UNITS, activation, offset=offset)


def _sequential(layer, input_dim, description):
    """`keras.Sequential([keras.Input(shape=(input_dim,)), layer])`, with a clear failure if that raises."""
    import keras

    try:
        return keras.Sequential([keras.Input(shape=(input_dim,)), layer])
    except Exception as error:
        raise CheckFailure(
            f"`keras.Sequential([keras.Input(shape=({input_dim},)), {description}])` raised {error_text(error)}",
            hint="build the weights from `input_shape[-1]`; the batch size (`input_shape[0]`) is unknown (None).",
        ) from None


def check_dense_in_sequential(DenseLayer, sizes=_DENSE_SEQUENTIAL_SIZES):
    """Inside `keras.Sequential`, does DenseLayer map (None, input_dim) to (None, units) for any batch size?"""
    batch_sizes = (1, 5)
    for input_dim, units in sizes:
        batches = [_rng(batch_size).standard_normal((batch_size, input_dim)).astype("float32")
                   for batch_size in batch_sizes]

        def output_shapes():
            model = _sequential(make_dense_layer(DenseLayer, units), input_dim, f"DenseLayer({units})")
            shapes = []
            for inputs in batches:
                shapes.append(_call_layer(model, inputs, f"a Sequential model with `DenseLayer({units})`").shape)
                if shapes[-1] != (len(inputs), units):
                    break
            return shapes

        shapes = observe(f"DenseLayer({units}) in Sequential on {input_dim} features: output shapes", output_shapes)
        for inputs, got in zip(batches, [*shapes, None]):
            if got != (len(inputs), units):
                raise CheckFailure(
                    f"`DenseLayer({units})` on a batch of shape {inputs.shape} gave the wrong output shape",
                    (len(inputs), units), got, "the output has one row per input row and `units` columns.",
                )


def check_dense_other_sizes(DenseLayer, sizes):
    """Does DenseLayer work, and compute the right values, for each (input dimension, units) of `sizes`?"""
    check_dense_in_sequential(DenseLayer, sizes)
    for offset, (input_dim, units) in enumerate(sizes):
        _dense_forward(DenseLayer, input_dim, units, "relu", offset=10 + offset)


def check_dense_config(DenseLayer):
    """Does `get_config()` describe the layer, so `from_config` and `keras.models.load_model` rebuild it?"""
    inputs = _rng(20).standard_normal((_DENSE_BATCH, _DENSE_INPUT_DIM)).astype("float32")
    held = {}

    def original_and_rebuilt():
        layer = make_dense_layer(DenseLayer, _DENSE_UNITS, "relu")
        model = held["model"] = _sequential(layer, _DENSE_INPUT_DIM, f"DenseLayer({_DENSE_UNITS}, activation='relu')")
        checks.set_fixed_weights(model)
        expected = _call_layer(model, inputs, "`DenseLayer(5, activation='relu')`")
        try:
            config = layer.get_config()
            clone = DenseLayer.from_config(config)
        except Exception as error:
            raise CheckFailure(
                f"`DenseLayer.from_config(layer.get_config())` raised {error_text(error)}",
                hint="`get_config()` returns `super().get_config()` updated with `units` and "
                "`activation` (serialized with `keras.activations.serialize`).",
            ) from None
        clone_model = _sequential(clone, _DENSE_INPUT_DIM, "the layer rebuilt by `from_config`")
        clone_model.set_weights(model.get_weights())
        return expected, _call_layer(clone_model, inputs, "the layer rebuilt by `from_config`")

    def reloaded():
        import keras

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dense.keras"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    held["model"].save(path)
                    loaded = keras.models.load_model(path, custom_objects={"DenseLayer": DenseLayer})
            except Exception as error:
                raise CheckFailure(
                    f"saving and reloading a model with a DenseLayer raised {error_text(error)}",
                    hint="`get_config()` must return plain values (numbers, strings) that `__init__` accepts back.",
                ) from None
        return _call_layer(loaded, inputs, "the reloaded model")

    expected, rebuilt = observe("outputs of a DenseLayer model and of its layer rebuilt from get_config()",
                                original_and_rebuilt)
    checks.check_close(
        rebuilt, expected,
        "the output of the layer rebuilt from `get_config()`", floor=checks.scaled_floor(expected),
        hint="`get_config()` must hold every constructor argument: `units` and `activation`.",
    )
    checks.check_close(
        observe("outputs of the model saved and reloaded", reloaded), expected,
        "the output of the saved and reloaded model",
        floor=checks.scaled_floor(expected), hint="the kernel and bias must be created with `add_weight`.",
    )
    # A rebuilt stub still returns a stub's outputs: the points rest on the layer's values too.
    _dense_forward(DenseLayer, _DENSE_INPUT_DIM, _DENSE_UNITS, None)


def check_dense_trains(DenseLayer):
    """Does a model of two DenseLayers learn under `fit()`: does its training loss go down?"""
    rng = _rng(30)
    inputs = rng.standard_normal((512, 10)).astype("float32")
    labels = np.argmax(inputs @ rng.standard_normal((10, 3)), axis=1)

    def training_losses():
        import keras

        keras.utils.set_random_seed(SEED)
        hidden, output = make_dense_layer(DenseLayer, 16, "relu"), make_dense_layer(DenseLayer, 3, "softmax")
        try:
            model = keras.Sequential([keras.Input(shape=(10,)), hidden, output])
            model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                history = model.fit(inputs, labels, epochs=5, batch_size=64, verbose=0)
            return [float(loss) for loss in history.history["loss"]]
        except Exception as error:
            raise CheckFailure(
                f"training a model of two DenseLayers raised {error_text(error)}",
                hint="write `call()` with `keras.ops` (not NumPy) so `fit()` can trace and differentiate it.",
            ) from None

    losses = observe("training losses of two DenseLayers", training_losses)
    if len(losses) != 5 or not np.all(np.isfinite(losses)) or losses[-1] > 0.8 * losses[0]:
        raise CheckFailure(
            "the training loss of a model of two DenseLayers did not go down over 5 epochs",
            "a final loss below 80% of the first", " -> ".join(f"{loss:.3f}" for loss in losses),
            "the weights must be trainable variables from `add_weight`, used in `call()` through `keras.ops`.",
        )
    # The losses are the kernel's word: the points rest on the values the layer computes too.
    _dense_forward(DenseLayer, _DENSE_INPUT_DIM, _DENSE_UNITS, None)


# Convolution arithmetic ------------------------------------------------------------------

# (size, kernel_size, stride, padding, layer): a convolution or a pooling window along one axis.
CONV_SIZE_CASES = (
    (28, 3, 1, "valid", "Conv2D"),
    (28, 3, 1, "same", "Conv2D"),
    (28, 5, 2, "valid", "Conv2D"),
    (28, 3, 2, "same", "Conv2D"),
    (28, 2, 2, "valid", "MaxPooling2D"),
    (26, 2, 2, "valid", "MaxPooling2D"),
)
_CONV_SIZE_HINTS = {
    "valid": "with 'valid' padding the window must fit inside: floor((size - kernel_size) / stride) + 1.",
    "same": "with 'same' padding Keras pads just enough that the output length is ceil(size / stride), "
    "whatever the kernel size.",
}


def with_drawn_sizes(cases):
    """`cases`, then each again with another input length drawn from the checks' seed (`inputs_seed`): the same
    kernel, stride, padding and layer, so a case drawn tests what its case tests, on a length no record made before
    grading holds."""
    rng = _rng(50)
    drawn = [(int(rng.integers(kernel_size, 49)), kernel_size, stride, padding, layer)
             for _, kernel_size, stride, padding, layer in cases]
    return [*cases, *drawn]


def check_conv_output_size(conv_output_size, cases=CONV_SIZE_CASES):
    """Does `conv_output_size` give Keras's output length on each case of `cases`, and on each with another length?"""
    for size, kernel_size, stride, padding, layer in with_drawn_sizes(cases):
        call = f"conv_output_size({size}, {kernel_size}, stride={stride}, padding={padding!r})"

        def answer():
            try:
                got = conv_output_size(size, kernel_size, stride=stride, padding=padding)
            except Exception as error:
                raise CheckFailure(f"`{call}` raised {error_text(error)}", hint=_CONV_SIZE_HINTS[padding]) from None
            if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
                return {"not an int": f"{type(got).__name__} {got!r}"[:200]}
            return int(got)

        got = observe(call, answer)
        if isinstance(got, dict):
            raise CheckFailure(
                f"`{call}` should return an int", "an int", got["not an int"],
                "use integer division `//` (or wrap the result in `int()`).",
            )
        if references is not None:
            references.check_output_size(got, (size, kernel_size, stride, padding, layer), call, _CONV_SIZE_HINTS[padding])


# The convolution forward pass ------------------------------------------------------------

# (input shape (N, H, W, C_in), kernel shape (kh, kw, C_in, C_out), stride, padding)
CONV_VALID_CASES = (((2, 7, 7, 3), (3, 3, 3, 4), 1, "valid"),)
CONV_SAME_CASES = (((2, 7, 7, 3), (3, 3, 3, 4), 1, "same"),)


def _as_numbers(value):
    """`value` as a float64 array; what is not numbers becomes NaN of the same shape (the comparison names it)."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        return np.full(array.shape, np.nan)
    return array.astype("float64")


def check_conv2d_forward(conv2d_forward, cases=CONV_VALID_CASES):
    """Does `conv2d_forward` return what `keras.layers.Conv2D` returns with the same weights, on each case?"""
    for index, (x_shape, kernel_shape, stride, padding) in enumerate(cases):
        rng = _rng(40 + index)
        x = rng.standard_normal(x_shape)
        kernel = rng.standard_normal(kernel_shape)
        bias = rng.standard_normal(kernel_shape[-1])
        call = (
            f"conv2d_forward(x of shape {x_shape}, kernel of shape {kernel_shape}, bias, "
            f"stride={stride}, padding={padding!r})"
        )

        def output():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    got = conv2d_forward(x.copy(), kernel.copy(), bias.copy(), stride=stride, padding=padding)
                    return _as_numbers(got)
            except Exception as error:
                raise CheckFailure(
                    f"`{call}` raised {error_text(error)}",
                    hint="x is (N, H, W, C_in), kernel (kh, kw, C_in, C_out), bias (C_out,).",
                ) from None

        got = observe(call, output)
        if references is not None:
            references.check_conv2d_forward(got, x, kernel, bias, stride, padding, call)


# The CNN -------------------------------------------------------------------------------


def make_cnn(build_cnn, **kwargs):
    """Call `build_cnn(**kwargs)` and return the built Keras model it makes."""
    import keras

    arguments = checks.call_arguments(kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = build_cnn(**kwargs)
    except Exception as error:
        raise CheckFailure(f"`build_cnn({arguments})` raised {error_text(error)}") from None
    if not isinstance(model, keras.Model):
        raise CheckFailure(
            f"`build_cnn({arguments})` should return a Keras model", "a keras.Model", type(model).__name__,
            "end with `return model` (a `keras.Sequential` or a Functional `keras.Model`).",
        )
    input_shape = kwargs.get("input_shape", MNIST_IMAGE_SHAPE)
    try:
        checks.output_shape(model, input_shape)
    except Exception as error:
        raise CheckFailure(
            f"the model of `build_cnn({arguments})` cannot be called on images of shape {(None, *input_shape)}: "
            f"{error_text(error)}",
            hint="start the model with `keras.Input(shape=input_shape)`.",
        ) from None
    return model


def _cnn_facts(build_cnn, kwargs):
    """Probe: the layers (`checks.layer_facts`) of the model `build_cnn(**kwargs)` makes, and its dropout rates."""
    import keras

    model = make_cnn(build_cnn, **kwargs)
    rates = [(layer.name, float(layer.rate)) for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    return checks.layer_facts(model), rates


def _cnn_outputs_on_fixed_weights(build_cnn, kwargs, images):
    """Probe: the outputs of the model `build_cnn(**kwargs)` makes on `images`, with fixed weights (at inference, where
    dropout is off), and the shapes of its trainable weights, in order."""
    model = make_cnn(build_cnn, **kwargs)
    values = checks.set_fixed_weights(model)
    return {"shapes": [value.shape for value in values], "outputs": checks.call_model(model, images)}


def _check_cnn(build_cnn, **kwargs):
    arguments = checks.call_arguments(kwargs)
    layers, rates = observe(f"layers of build_cnn({arguments})", lambda: _cnn_facts(build_cnn, kwargs))
    for name, rate in rates:
        if abs(rate - CNN_DROPOUT_RATE) > 1e-9:
            raise CheckFailure(f"the dropout rate of layer {name} is wrong", CNN_DROPOUT_RATE, rate)
    # The table is the kernel's word: the points rest on the values the model computes on fixed weights too.
    images = np.random.default_rng(inputs_seed()).random((4, *kwargs.get("input_shape", MNIST_IMAGE_SHAPE)),
                                                          dtype="float32")
    observed = observe(f"outputs of build_cnn({arguments}) on fixed weights",
                       lambda: _cnn_outputs_on_fixed_weights(build_cnn, kwargs, images))
    if references is None:
        return
    references.check_cnn_layers(layers, **kwargs)
    references.check_cnn_outputs(observed["outputs"], images, checks.fixed_weight_values(observed["shapes"]),
                                 f"build_cnn({arguments})", **kwargs)


def check_cnn_layers(build_cnn):
    """Does `build_cnn()` produce, layer by layer, the class, output shape, parameters and activation of the table?"""
    _check_cnn(build_cnn)


def check_cnn_other_inputs(build_cnn, input_shape, num_classes):
    """Does `build_cnn(input_shape, num_classes)` follow both, layer by layer?"""
    _check_cnn(build_cnn, input_shape=input_shape, num_classes=num_classes)


def check_cnn_epoch_budget(history):
    """Was the CNN trained with `fit()` for at most the epoch budget?"""
    checks.check_epoch_budget(history, CNN_EPOCH_BUDGET)


def check_cnn_accuracy(cnn, history):
    """Does the briefly trained CNN reach the minimum accuracy on the MNIST test split?

    The classes it predicts must be those its trained weights compute through the grader's CNN of the table."""
    check_cnn_epoch_budget(history)
    checks.check_min_accuracy(
        cnn, CNN_MIN_ACCURACY, None if references is None else references.trained_cnn_forward,
        hint="compile with `loss='sparse_categorical_crossentropy'` and the Adam optimizer, and train on the "
        "images scaled to [0, 1].",
    )
