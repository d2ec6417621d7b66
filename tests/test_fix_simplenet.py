"""Tests of autograder/fix_simplenet.py, the checks of assignment 1 ("Fix the broken SimpleNet").

Every check is run both ways on real Keras models: it passes on the reference solution
(copied from source/01_fix_simplenet/fix_simplenet.ipynb) and on other correct ways of
writing `SimpleNet`, and fails with a `CheckFailure` naming the cause on the tutorial's
bugs and on other broken variants. The only test that trains to 97% is marked `slow`.
"""

import matplotlib

matplotlib.use("Agg")

import autograder  # noqa: E402,F401  (sets KERAS_BACKEND and quiets TensorFlow before keras is imported)
import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from autograder import fix_simplenet  # noqa: E402
from autograder.data import load_mnist, load_raw_mnist  # noqa: E402
from autograder.errors import CheckFailure  # noqa: E402
from autograder.settings import (  # noqa: E402
    MNIST_CLASSES,
    SEED,
    SIMPLENET_EPOCH_BUDGET,
    SIMPLENET_MIN_ACCURACY,
    SIMPLENET_PARAMS,
    WEIGHT_PLOT_MIN_IMAGES,
)

OTHER_SIZES = dict(input_shape=(12, 12, 1), hidden_layer_sizes=(64, 32), output_layer_sizes=(5,))
# 144*64+64 + 64*32+32 + 32*5+5, counted by hand.
OTHER_SIZES_PARAMS = 11_525


# --------------------------------------------------------------------------------------
# The reference solution, copied from the notebook (cells "simplenet" and "plot_weights").
# --------------------------------------------------------------------------------------


class SimpleNet(keras.models.Model):
    """A dense MNIST classifier: flatten, ReLU hidden layers with dropout, softmax output."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.hidden_layers = [keras.layers.Dense(size, activation="relu") for size in hidden_layer_sizes]
        self.dropout = keras.layers.Dropout(0.2)
        self.classifier = keras.layers.Dense(output_layer_sizes[0], activation="softmax")
        self(keras.Input(shape=input_shape))

    def call(self, inputs, training=False):
        x = self.flatten(inputs)
        for layer in self.hidden_layers:
            x = layer(x)
        x = self.dropout(x, training=training)
        return self.classifier(x)


def plot_first_layer_weights(model, units=32):
    """Draw the 784 incoming weights of the first `units` hidden units as 28x28 pictures."""
    kernel = model.get_weights()[0]  # the first Dense layer's kernel, shape (784, hidden units)
    units = min(units, kernel.shape[1])
    figure, axes = plt.subplots(4, (units + 3) // 4, figsize=(units / 4 * 1.5, 6))
    for unit, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if unit < units:
            ax.imshow(kernel[:, unit].reshape(28, 28), cmap="RdBu")
    figure.suptitle(f"Incoming weights of {units} hidden units (red: negative, blue: positive)")
    return figure


def prepare_data():
    """The reference solution of the "prepare_data" cell."""
    (x_train, y_train), (x_test, y_test) = load_raw_mnist()
    train_images = (x_train.astype("float32") / 255.0)[..., np.newaxis]
    test_images = (x_test.astype("float32") / 255.0)[..., np.newaxis]
    return train_images, y_train.astype("int64"), test_images, y_test.astype("int64")


# --------------------------------------------------------------------------------------
# Other correct ways of writing SimpleNet.
# --------------------------------------------------------------------------------------


class WrappedSimpleNet(keras.models.Model):
    """Correct: a keras.Sequential inside, built lazily on the first call (no call in __init__)."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        self.net = keras.Sequential(
            [
                keras.layers.Flatten(),
                *[keras.layers.Dense(size, activation="relu") for size in hidden_layer_sizes],
                keras.layers.Dropout(0.3),
                keras.layers.Dense(output_layer_sizes[0], activation="softmax"),
            ]
        )

    def call(self, inputs, training=None):
        return self.net(inputs, training=training)


class LazySimpleNet(keras.models.Model):
    """Correct: classifier created first, dropout after every hidden layer, a separate softmax layer,
    `call` without a `training` argument (Keras passes the flag on to the Dropout layers), never built in
    __init__."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        self.logits = keras.layers.Dense(output_layer_sizes[0])
        self.softmax = keras.layers.Activation("softmax")
        self.flat = keras.layers.Reshape((int(np.prod(input_shape)),))
        self.denses = [keras.layers.Dense(size, activation="relu") for size in hidden_layer_sizes]
        self.dropouts = [keras.layers.Dropout(0.25) for _ in hidden_layer_sizes]

    def call(self, inputs):
        x = self.flat(inputs)
        for dense, dropout in zip(self.denses, self.dropouts):
            x = dropout(dense(x))
        return self.softmax(self.logits(x))


CORRECT_CLASSES = [SimpleNet, WrappedSimpleNet, LazySimpleNet]
CORRECT_IDS = ["reference", "wrapped_sequential", "lazy"]


# --------------------------------------------------------------------------------------
# Broken variants: the tutorial as published, and a factory with one flag per bug.
# --------------------------------------------------------------------------------------


class TutorialSimpleNet(keras.models.Model):
    """The tutorial's class exactly as published (the notebook's "The tutorial, as published")."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super(TutorialSimpleNet, self).__init__()
        self.layers = keras.layers.Dense(hidden_layer_sizes[0], activation="relu", input_shape=input_shape)
        self.layers = keras.layers.Dropout(0.2, axis=0)
        self.layers = keras.layers.Dense(output_layer_sizes[0], activation="softmax")

    def call(self, inputs):
        x = self.layers(inputs)
        x = keras.layers.Dropout(0.5, axis=0)(x)
        x = self.layers(x)
        return x


def make_simplenet(
    *,
    layers_attribute=False,
    dropout_axis=False,
    flatten=True,
    same_attribute=False,
    reuse_same_attribute=False,
    softmax=True,
    dropout=True,
    dropout_always_on=False,
    first_hidden_only=False,
    fixed_outputs=False,
    hidden_relu=True,
    dropout_in_call=False,
):
    """A SimpleNet with the given bugs; with no flag set it is correct."""

    class BrokenSimpleNet(keras.models.Model):
        def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
            super().__init__()
            sizes = hidden_layer_sizes[:1] if first_hidden_only else hidden_layer_sizes
            classes = 10 if fixed_outputs else output_layer_sizes[0]
            hidden = [keras.layers.Dense(size, activation="relu" if hidden_relu else None) for size in sizes]
            output = keras.layers.Dense(classes, activation="softmax" if softmax else None)
            self.flatten = keras.layers.Flatten() if flatten else None
            if layers_attribute:
                self.layers = hidden
            if dropout_axis:
                self.dropout = keras.layers.Dropout(0.2, axis=0)
            else:
                self.dropout = keras.layers.Dropout(0.2) if dropout and not dropout_in_call else None
            if same_attribute or reuse_same_attribute:
                # The tutorial's bug without the reserved name: the output layer replaces the hidden one.
                self.dense = hidden[0]
                self.dense = output
            else:
                self.hidden_layers = hidden
                self.classifier = output

        def call(self, inputs, training=False):
            x = inputs if self.flatten is None else self.flatten(inputs)
            if same_attribute or reuse_same_attribute:
                hidden, output = ([self.dense] if reuse_same_attribute else []), self.dense
            else:
                hidden, output = self.hidden_layers, self.classifier
            for layer in hidden:
                x = layer(x)
            if dropout_in_call:
                # The tutorial's `keras.layers.Dropout(0.5, axis=0)(x)` with only the `axis` removed.
                x = keras.layers.Dropout(0.5)(x)
            elif self.dropout is not None:
                x = self.dropout(x, training=True if dropout_always_on else training)
            return output(x)

    flags = [name for name, value in sorted(locals().items()) if value is True]
    BrokenSimpleNet.__name__ = BrokenSimpleNet.__qualname__ = "SimpleNet_" + "_".join(flags or ["correct"])
    return BrokenSimpleNet


class NotAModel:
    """A plain class with SimpleNet's signature."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        self.sizes = (input_shape, hidden_layer_sizes, output_layer_sizes)

    def __call__(self, inputs, training=False):
        return np.full((len(inputs), MNIST_CLASSES), 1 / MNIST_CLASSES, dtype="float32")


class LayerNotModel(keras.layers.Layer):
    """A Keras layer, not a Model."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.classifier = keras.layers.Dense(output_layer_sizes[0], activation="softmax")

    def call(self, inputs):
        return self.classifier(self.flatten(inputs))


def simplenet_function(input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
    """A function returning a correct Sequential model: correct model, but not the required class."""
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Flatten(),
            *[keras.layers.Dense(size, activation="relu") for size in hidden_layer_sizes],
            keras.layers.Dropout(0.2),
            keras.layers.Dense(output_layer_sizes[0], activation="softmax"),
        ]
    )


NOT_A_MODEL = {"plain_class": NotAModel, "keras_layer": LayerNotModel, "function": simplenet_function}

CLASS_CHECKS = [
    fix_simplenet.check_builds,
    fix_simplenet.check_output_shape,
    fix_simplenet.check_param_count,
    fix_simplenet.check_probabilities,
    fix_simplenet.check_dropout,
    fix_simplenet.check_inference_deterministic,
    fix_simplenet.check_forward_pass,
    fix_simplenet.check_other_sizes,
]
CLASS_CHECK_IDS = [check.__name__ for check in CLASS_CHECKS]


# --------------------------------------------------------------------------------------
# Fixtures.
# --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _seeded_and_closed():
    keras.utils.set_random_seed(SEED)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def raw_mnist():
    return load_raw_mnist()


@pytest.fixture(scope="module")
def prepared_data():
    return prepare_data()


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def reference_model():
    """A built (untrained) reference SimpleNet, shared by the weight-plot tests."""
    keras.utils.set_random_seed(SEED)
    return fix_simplenet.build_simplenet(SimpleNet)


@pytest.fixture(scope="module")
def wrapped_model():
    keras.utils.set_random_seed(SEED)
    return fix_simplenet.build_simplenet(WrappedSimpleNet)


def _compiled_simplenet():
    model = SimpleNet()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# --------------------------------------------------------------------------------------
# build_simplenet and expected_params.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("SimpleNetClass", CORRECT_CLASSES, ids=CORRECT_IDS)
def test_build_simplenet_returns_a_built_model(SimpleNetClass):
    model = fix_simplenet.build_simplenet(SimpleNetClass)
    assert isinstance(model, SimpleNetClass)
    assert model.built
    assert model.count_params() == SIMPLENET_PARAMS
    other = fix_simplenet.build_simplenet(SimpleNetClass, **OTHER_SIZES)
    assert other.count_params() == OTHER_SIZES_PARAMS
    assert tuple(np.asarray(other(np.zeros((3, 12, 12, 1), "float32"))).shape) == (3, 5)


@pytest.mark.parametrize("kind", [*NOT_A_MODEL, "model_instance"])
def test_build_simplenet_rejects_what_is_not_a_model_subclass(kind):
    candidate = SimpleNet() if kind == "model_instance" else NOT_A_MODEL[kind]
    with pytest.raises(CheckFailure, match="must be a class that subclasses `keras.models.Model`"):
        fix_simplenet.build_simplenet(candidate)


def test_build_simplenet_names_the_tutorials_reserved_layers_attribute():
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.build_simplenet(TutorialSimpleNet)
    message = str(failure.value)
    assert "`SimpleNet()` raised AttributeError" in message
    assert "`self.layers` is Keras's own" in message


def test_build_simplenet_names_dropout_axis_and_the_arguments():
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.build_simplenet(make_simplenet(dropout_axis=True), **OTHER_SIZES)
    message = str(failure.value)
    assert "no `axis` argument" in message
    assert "hidden_layer_sizes=(64, 32)" in message


def test_expected_params():
    assert fix_simplenet.expected_params((28, 28, 1), (128,), (10,)) == SIMPLENET_PARAMS == 101_770
    assert fix_simplenet.expected_params(**OTHER_SIZES) == OTHER_SIZES_PARAMS
    assert fix_simplenet.expected_params((4,), (), (3,)) == 4 * 3 + 3


@pytest.mark.parametrize(
    "sizes",
    [
        dict(input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)),
        dict(input_shape=(8, 8, 3), hidden_layer_sizes=(16, 16, 7), output_layer_sizes=(4,)),
        dict(input_shape=(5, 5, 1), hidden_layer_sizes=(), output_layer_sizes=(2,)),
    ],
    ids=["default", "three_hidden", "no_hidden"],
)
def test_expected_params_counts_the_reference_model(sizes):
    model = fix_simplenet.build_simplenet(SimpleNet, **sizes)
    assert model.count_params() == fix_simplenet.expected_params(**sizes)


def test_expected_params_differs_from_a_model_using_only_the_first_hidden_size():
    model = fix_simplenet.build_simplenet(make_simplenet(first_hidden_only=True), **OTHER_SIZES)
    assert model.count_params() != fix_simplenet.expected_params(**OTHER_SIZES)


# --------------------------------------------------------------------------------------
# The checks that take the SimpleNet class: pass on every correct way of writing it...
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("check", CLASS_CHECKS, ids=CLASS_CHECK_IDS)
@pytest.mark.parametrize("SimpleNetClass", CORRECT_CLASSES, ids=CORRECT_IDS)
def test_class_check_passes_on_correct_simplenet(check, SimpleNetClass):
    assert check(SimpleNetClass) is None


def test_factory_without_flags_is_correct():
    Correct = make_simplenet()
    for check in CLASS_CHECKS:
        check(Correct)


# ...and fail with the cause on broken ones.

BROKEN_CASES = [
    # (check, flags, fragment of the message)
    (fix_simplenet.check_builds, dict(layers_attribute=True), "`self.layers` is Keras's own"),
    (fix_simplenet.check_builds, dict(dropout_axis=True), "no `axis` argument"),
    (fix_simplenet.check_output_shape, dict(flatten=False), "flatten them first"),
    (fix_simplenet.check_param_count, dict(flatten=False), "flatten the images before the first Dense layer"),
    (fix_simplenet.check_forward_pass, dict(flatten=False), "has the wrong weights"),
    (fix_simplenet.check_param_count, dict(same_attribute=True), "assigning to the same attribute twice"),
    (fix_simplenet.check_forward_pass, dict(same_attribute=True), "assigning to the same attribute twice"),
    (fix_simplenet.check_probabilities, dict(softmax=False), "`activation='softmax'`"),
    (fix_simplenet.check_forward_pass, dict(softmax=False), "does not match the reference"),
    (fix_simplenet.check_dropout, dict(dropout=False), "no dropout is applied"),
    (fix_simplenet.check_dropout, dict(dropout_always_on=True), "two inference calls on the same inputs"),
    (fix_simplenet.check_inference_deterministic, dict(dropout_always_on=True), "two inference calls"),
    (fix_simplenet.check_other_sizes, dict(first_hidden_only=True), "wrong number of parameters"),
    (fix_simplenet.check_other_sizes, dict(fixed_outputs=True), "instead of a fixed 10"),
    (fix_simplenet.check_forward_pass, dict(hidden_relu=False), "hidden layers use ReLU"),
]


def _case_id(case):
    check, flags, _ = case
    return f"{check.__name__}-{'-'.join(f'{key}={value}' for key, value in flags.items())}"


@pytest.mark.parametrize("check, flags, fragment", BROKEN_CASES, ids=[_case_id(case) for case in BROKEN_CASES])
def test_class_check_fails_on_broken_simplenet(check, flags, fragment):
    with pytest.raises(CheckFailure) as failure:
        check(make_simplenet(**flags))
    assert fragment in str(failure.value)


@pytest.mark.parametrize("check", CLASS_CHECKS, ids=CLASS_CHECK_IDS)
def test_class_check_fails_on_the_tutorial_as_published(check):
    with pytest.raises(CheckFailure, match="`self.layers` is Keras's own"):
        check(TutorialSimpleNet)


@pytest.mark.parametrize("check", CLASS_CHECKS, ids=CLASS_CHECK_IDS)
@pytest.mark.parametrize("kind", list(NOT_A_MODEL))
def test_class_check_fails_on_what_is_not_a_model_subclass(check, kind):
    with pytest.raises(CheckFailure, match="must be a class that subclasses `keras.models.Model`"):
        check(NOT_A_MODEL[kind])


def test_check_other_sizes_names_the_missing_hidden_layer():
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_other_sizes(make_simplenet(first_hidden_only=True))
    message = str(failure.value)
    assert f"expected {OTHER_SIZES_PARAMS:,}" in message
    assert "holds 2 Dense layer(s) but needs 3" in message


@pytest.mark.parametrize(
    "flags",
    [dict(first_hidden_only=True), dict(fixed_outputs=True), dict(hidden_relu=False)],
    ids=["first_hidden_only", "fixed_outputs", "no_hidden_relu"],
)
def test_subtle_bugs_pass_the_default_size_checks(flags):
    """These bugs only show with other sizes or fixed weights, so the default-size checks must let them
    through: the failure comes from check_other_sizes / check_forward_pass alone."""
    Broken = make_simplenet(**flags)
    for check in (
        fix_simplenet.check_output_shape,
        fix_simplenet.check_param_count,
        fix_simplenet.check_probabilities,
        fix_simplenet.check_dropout,
    ):
        check(Broken)


# --------------------------------------------------------------------------------------
# check_data.
# --------------------------------------------------------------------------------------


def test_check_data_passes_on_prepared_arrays(prepared_data):
    assert fix_simplenet.check_data(*prepared_data) is None


def test_check_data_passes_on_one_hot_labels(prepared_data):
    train_images, train_labels, test_images, test_labels = prepared_data
    fix_simplenet.check_data(
        train_images,
        keras.utils.to_categorical(train_labels, MNIST_CLASSES),
        test_images,
        keras.utils.to_categorical(test_labels, MNIST_CLASSES),
    )


def test_check_data_passes_on_reshape_and_raw_uint8_labels(raw_mnist):
    (x_train, y_train), (x_test, y_test) = raw_mnist
    fix_simplenet.check_data(
        x_train.reshape(-1, 28, 28, 1) / 255.0, y_train, x_test.reshape(-1, 28, 28, 1) / 255.0, y_test
    )


def test_check_data_fails_on_unscaled_images(raw_mnist, prepared_data):
    (x_train, _), (x_test, _) = raw_mnist
    _, train_labels, _, test_labels = prepared_data
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_data(
            x_train[..., np.newaxis].astype("float32"), train_labels,
            x_test[..., np.newaxis].astype("float32"), test_labels,
        )
    message = str(failure.value)
    assert "`train_images` is not scaled to [0, 1]" in message
    assert "values from 0 to 255" in message


def test_check_data_fails_on_unscaled_test_images_only(raw_mnist, prepared_data):
    train_images, train_labels, _, test_labels = prepared_data
    (_, _), (x_test, _) = raw_mnist
    with pytest.raises(CheckFailure, match=r"`test_images` is not scaled to \[0, 1\]"):
        fix_simplenet.check_data(train_images, train_labels, x_test[..., np.newaxis].astype("float32"), test_labels)


def test_check_data_fails_without_channel_axis(prepared_data):
    train_images, train_labels, test_images, test_labels = prepared_data
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_data(train_images[..., 0], train_labels, test_images[..., 0], test_labels)
    message = str(failure.value)
    assert "`train_images` has the wrong shape" in message
    assert "add the channel axis" in message


def test_check_data_fails_on_shuffled_labels(prepared_data):
    train_images, train_labels, test_images, test_labels = prepared_data
    shuffled = np.random.default_rng(SEED).permutation(train_labels)
    with pytest.raises(CheckFailure, match="`train_labels` are not the MNIST train labels in their original order"):
        fix_simplenet.check_data(train_images, shuffled, test_images, test_labels)


def test_check_data_fails_on_images_and_labels_shuffled_together(prepared_data):
    train_images, train_labels, test_images, test_labels = prepared_data
    order = np.random.default_rng(SEED).permutation(len(test_labels))
    with pytest.raises(CheckFailure, match="`test_images` are not the MNIST test images in their original order"):
        fix_simplenet.check_data(train_images, train_labels, test_images[order], test_labels[order])


def test_check_data_fails_on_integer_images(raw_mnist, prepared_data):
    (x_train, _), (x_test, _) = raw_mnist
    _, train_labels, _, test_labels = prepared_data
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_data(x_train[..., np.newaxis], train_labels, x_test[..., np.newaxis], test_labels)
    message = str(failure.value)
    assert "`train_images` has the wrong dtype" in message
    assert "uint8" in message


def test_check_data_fails_on_wrong_label_shape(prepared_data):
    train_images, train_labels, test_images, test_labels = prepared_data
    with pytest.raises(CheckFailure, match="`train_labels` has the wrong shape"):
        fix_simplenet.check_data(train_images, train_labels[:, np.newaxis], test_images, test_labels)


def test_check_data_fails_on_images_shuffled_apart_from_labels(prepared_data):
    train_images, train_labels, test_images, test_labels = prepared_data
    shuffled_images = train_images[np.random.default_rng(SEED).permutation(len(train_images))]
    with pytest.raises(CheckFailure):
        fix_simplenet.check_data(shuffled_images, train_labels, test_images, test_labels)


# --------------------------------------------------------------------------------------
# check_weight_plot.
# --------------------------------------------------------------------------------------


def plot_sixteen_from_kernel_attribute(model):
    """Correct, written differently: the (784, units) kernel taken from `model.weights`, 16 units on a 4x4 grid."""
    kernel = next(keras.ops.convert_to_numpy(w) for w in model.weights if tuple(w.shape)[:1] == (784,))
    figure = plt.figure(figsize=(6, 6))
    for unit in range(16):
        ax = figure.add_subplot(4, 4, unit + 1)
        ax.imshow(np.reshape(kernel[:, unit], (28, 28)), cmap="gray", vmin=-0.1, vmax=0.1)
        ax.axis("off")
    return figure


def plot_returns_none(model):
    plot_first_layer_weights(model)


def plot_calls_plot_weights(model):
    model.plot_weights(show_shapes=True)
    return plt.gcf()


def plot_too_few(model):
    kernel = model.get_weights()[0]
    figure, axes = plt.subplots(2, 4)
    for unit, ax in enumerate(axes.flat):
        ax.imshow(kernel[:, unit].reshape(28, 28))
    return figure


def plot_noise(model):
    rng = np.random.default_rng(SEED)
    figure, axes = plt.subplots(4, 8)
    for ax in axes.flat:
        ax.imshow(rng.standard_normal((28, 28)))
    return figure


def plot_transposed(model):
    kernel = model.get_weights()[0]
    figure, axes = plt.subplots(4, 8)
    for unit, ax in enumerate(axes.flat):
        ax.imshow(kernel[:, unit].reshape(28, 28).T)
    return figure


def plot_same_unit(model):
    """A student's slip: the loop draws unit 0 every time."""
    kernel = model.get_weights()[0]
    figure, axes = plt.subplots(4, 8)
    for ax in axes.flat:
        ax.imshow(kernel[:, 0].reshape(28, 28))
    return figure


@pytest.mark.parametrize("plot", [plot_first_layer_weights, plot_sixteen_from_kernel_attribute])
@pytest.mark.parametrize("model_fixture", ["reference_model", "wrapped_model"])
def test_check_weight_plot_passes_on_kernel_columns(plot, model_fixture, request):
    assert fix_simplenet.check_weight_plot(plot, request.getfixturevalue(model_fixture)) is None


def test_reference_plot_draws_enough_images(reference_model):
    figure = plot_first_layer_weights(reference_model)
    assert isinstance(figure, Figure)
    assert sum(len(ax.get_images()) for ax in figure.axes) >= WEIGHT_PLOT_MIN_IMAGES


@pytest.mark.parametrize(
    "plot, fragment",
    [
        (plot_returns_none, "should return the matplotlib Figure"),
        (plot_calls_plot_weights, "raised AttributeError"),
        (plot_too_few, f"too few 28x28 pictures of first-layer weights: expected at least {WEIGHT_PLOT_MIN_IMAGES}, got 8"),
        (plot_noise, "picture 0 is not a column of the first Dense layer's kernel"),
        (plot_transposed, "is not a column of the first Dense layer's kernel"),
    ],
    ids=["returns_none", "calls_plot_weights", "too_few_images", "random_noise", "transposed"],
)
def test_check_weight_plot_fails(plot, fragment, reference_model):
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_weight_plot(plot, reference_model)
    assert fragment in str(failure.value)


def test_check_weight_plot_hint_for_plot_weights(reference_model):
    with pytest.raises(CheckFailure, match="Keras models have no `plot_weights`"):
        fix_simplenet.check_weight_plot(plot_calls_plot_weights, reference_model)


def test_check_weight_plot_fails_on_a_model_without_flattened_input():
    model = fix_simplenet.build_simplenet(make_simplenet(flatten=False))
    with pytest.raises(CheckFailure, match="no Dense layer reading the 784 flattened pixels"):
        fix_simplenet.check_weight_plot(plot_first_layer_weights, model)


def test_check_weight_plot_fails_on_pictures_of_another_model(reference_model):
    """Pictures of another (freshly initialised) model's kernel are not this model's columns."""
    keras.utils.set_random_seed(SEED + 1)  # the fixture's model was built right after seeding with SEED
    other = fix_simplenet.build_simplenet(SimpleNet)
    with pytest.raises(CheckFailure, match="is not a column"):
        fix_simplenet.check_weight_plot(lambda model: plot_first_layer_weights(other), reference_model)


def test_check_weight_plot_fails_when_every_picture_is_the_same_unit(reference_model):
    with pytest.raises(CheckFailure):
        fix_simplenet.check_weight_plot(plot_same_unit, reference_model)


# --------------------------------------------------------------------------------------
# check_accuracy.
# --------------------------------------------------------------------------------------


def test_check_accuracy_fails_on_an_untrained_model(mnist):
    (train_images, train_labels), _ = mnist
    model = _compiled_simplenet()
    history = model.fit(train_images[:32], train_labels[:32], epochs=1, batch_size=32, verbose=0)
    assert len(history.epoch) == 1
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_accuracy(model, history)
    message = str(failure.value)
    assert "test accuracy too low on 10,000 images" in message
    assert f"at least {SIMPLENET_MIN_ACCURACY:.2%}" in message


def test_check_accuracy_fails_beyond_the_epoch_budget(mnist):
    (train_images, train_labels), _ = mnist
    model = _compiled_simplenet()
    history = model.fit(
        train_images[:64], train_labels[:64], epochs=SIMPLENET_EPOCH_BUDGET + 1, batch_size=32,
        steps_per_epoch=1, verbose=0,
    )
    assert len(history.epoch) == SIMPLENET_EPOCH_BUDGET + 1
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_accuracy(model, history)
    message = str(failure.value)
    assert "trained for too many epochs" in message
    assert f"expected at most {SIMPLENET_EPOCH_BUDGET}, got {SIMPLENET_EPOCH_BUDGET + 1}" in message


def test_check_accuracy_fails_on_a_history_without_epochs(mnist):
    (train_images, train_labels), _ = mnist
    model = _compiled_simplenet()
    empty = model.fit(train_images[:32], train_labels[:32], epochs=0, verbose=0)
    for history in (empty, keras.callbacks.History(), None):
        with pytest.raises(CheckFailure, match="`history` holds no training epochs"):
            fix_simplenet.check_accuracy(model, history)


@pytest.mark.slow
def test_check_accuracy_and_weight_plot_pass_on_the_trained_reference(mnist):
    """The notebook's training cell: SIMPLENET_EPOCH_BUDGET epochs, batch 128, on the train split."""
    (train_images, train_labels), _ = mnist
    keras.utils.set_random_seed(SEED)
    model = _compiled_simplenet()
    history = model.fit(
        train_images, train_labels, epochs=SIMPLENET_EPOCH_BUDGET, batch_size=128, verbose=0
    )
    assert len(history.epoch) == SIMPLENET_EPOCH_BUDGET
    assert fix_simplenet.check_accuracy(model, history) is None
    assert fix_simplenet.check_weight_plot(plot_first_layer_weights, model) is None
    assert fix_simplenet.check_weight_plot(plot_sixteen_from_kernel_attribute, model) is None
    with pytest.raises(CheckFailure, match="is not a column"):
        fix_simplenet.check_weight_plot(plot_noise, model)


# --------------------------------------------------------------------------------------
# Finer-grained checks that fix_simplenet.py also defines (skipped if a refactor removes them).
# --------------------------------------------------------------------------------------


def _optional_check(name):
    check = getattr(fix_simplenet, name, None)
    if check is None:
        pytest.skip(f"autograder.fix_simplenet has no {name}")
    return check


OPTIONAL_CLASS_CHECKS = ["check_inference_repeatable", "check_weight_shapes", "check_output_size"]


@pytest.mark.parametrize("name", OPTIONAL_CLASS_CHECKS)
@pytest.mark.parametrize("SimpleNetClass", CORRECT_CLASSES, ids=CORRECT_IDS)
def test_optional_class_check_passes_on_correct_simplenet(name, SimpleNetClass):
    assert _optional_check(name)(SimpleNetClass) is None


@pytest.mark.parametrize(
    "name, flags, fragment",
    [
        ("check_inference_repeatable", dict(dropout_always_on=True), "two inference calls"),
        ("check_weight_shapes", dict(same_attribute=True), "assigning to the same attribute twice"),
        ("check_weight_shapes", dict(flatten=False), "has the wrong weights"),
        ("check_output_size", dict(fixed_outputs=True), "instead of a fixed 10"),
    ],
    ids=["repeatable-dropout_always_on", "weight_shapes-same_attribute", "weight_shapes-no_flatten",
         "output_size-fixed_outputs"],
)
def test_optional_class_check_fails_on_broken_simplenet(name, flags, fragment):
    check = _optional_check(name)
    with pytest.raises(CheckFailure) as failure:
        check(make_simplenet(**flags))
    assert fragment in str(failure.value)
    with pytest.raises(CheckFailure, match="`self.layers` is Keras's own"):
        check(TutorialSimpleNet)
    with pytest.raises(CheckFailure, match="must be a class that subclasses"):
        check(NotAModel)


def test_check_epoch_budget(mnist):
    check = _optional_check("check_epoch_budget")
    (train_images, train_labels), _ = mnist
    model = _compiled_simplenet()
    within = model.fit(
        train_images[:64], train_labels[:64], epochs=SIMPLENET_EPOCH_BUDGET, batch_size=32, steps_per_epoch=1,
        verbose=0,
    )
    assert check(within) is None
    beyond = model.fit(
        train_images[:64], train_labels[:64], epochs=SIMPLENET_EPOCH_BUDGET + 1, batch_size=32, steps_per_epoch=1,
        verbose=0,
    )
    with pytest.raises(CheckFailure, match="trained for too many epochs"):
        check(beyond)
    with pytest.raises(CheckFailure, match="`history` holds no training epochs"):
        check(keras.callbacks.History())


# --------------------------------------------------------------------------------------
# Problems the first version of the checks had, kept as regression tests.
# --------------------------------------------------------------------------------------


def test_build_simplenet_hint_for_one_layer_called_twice():
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.build_simplenet(make_simplenet(reuse_same_attribute=True))
    message = str(failure.value)
    assert "is incompatible with the layer" in message
    assert "two layers were stored under the same attribute" in message
    assert "no `axis` argument" not in message


def test_check_inference_deterministic_reports_dropout_created_in_call():
    with pytest.raises(CheckFailure):
        fix_simplenet.check_inference_deterministic(make_simplenet(dropout_in_call=True))


class SameNameSimpleNet(keras.models.Model):
    """Correct, but both Dense layers are given the same `name`, so their variables share a path."""

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.hidden_layers = [keras.layers.Dense(size, activation="relu", name="dense") for size in hidden_layer_sizes]
        self.dropout = keras.layers.Dropout(0.2)
        self.classifier = keras.layers.Dense(output_layer_sizes[0], activation="softmax", name="dense")

    def call(self, inputs, training=False):
        x = self.flatten(inputs)
        for layer in self.hidden_layers:
            x = layer(x)
        return self.classifier(self.dropout(x, training=training))


def test_same_name_simplenet_is_correct():
    model = fix_simplenet.build_simplenet(SameNameSimpleNet)
    assert model.count_params() == SIMPLENET_PARAMS
    for check in (fix_simplenet.check_param_count, fix_simplenet.check_probabilities, fix_simplenet.check_dropout):
        check(SameNameSimpleNet)


def test_check_forward_pass_passes_with_duplicate_layer_names():
    fix_simplenet.check_forward_pass(SameNameSimpleNet)
