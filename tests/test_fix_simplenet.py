"""Tests of autograder/assignments/fix_simplenet/checks.py, the checks of assignment 1 ("Fix the broken SimpleNet").

Every check is run both ways on real Keras models: it passes on the reference solution
(taken from source/01_fix_simplenet/fix_simplenet.ipynb by tests/solutions.py, never
retyped here) and on other correct ways of writing `SimpleNet`, and fails with a
`CheckFailure` naming the cause on the tutorial's bugs (the demo submissions' edits of
autograder/assignments/fix_simplenet/submissions.py) and on other broken variants. Each
bug fails exactly the checks of the property it breaks. The hidden cases come from the
hidden tests of the source notebook. The only test that trains to the threshold is marked `slow`.
"""

import ast

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import autograder  # noqa: E402,F401  (sets KERAS_BACKEND and quiets TensorFlow before keras is imported)
from autograder.assignments.fix_simplenet import ASSIGNMENT  # noqa: E402
from autograder.assignments.fix_simplenet import checks as fix_simplenet  # noqa: E402
from autograder.assignments.fix_simplenet.grader import references  # noqa: E402
from autograder.cells import grade_id_of  # noqa: E402
from autograder.data import load_mnist, load_raw_mnist  # noqa: E402
from autograder.errors import CheckFailure  # noqa: E402
from autograder.settings import (  # noqa: E402
    COURSE_ROOT,
    MNIST_CLASSES,
    SEED,
    SIMPLENET_EPOCH_BUDGET,
    SIMPLENET_MIN_ACCURACY,
    SIMPLENET_PARAMS,
    WEIGHT_PLOT_MIN_IMAGES,
)
from autograder.starting_code import blocks_of  # noqa: E402
from tests.both_ways import current, kernel_and_grader  # noqa: E402
from tests.solutions import definitions, hidden_arguments, run_solutions, submission_definitions  # noqa: E402
from tests.trained_weights import set_nearest_centroid_weights  # noqa: E402

NOTEBOOK = ASSIGNMENT.name
SUBMISSIONS = {submission.student_id: submission for submission in ASSIGNMENT.submissions}

# Sizes for the tests of `build_simplenet` and `expected_params` themselves:
# 144*64+64 + 64*32+32 + 32*5+5, counted by hand.
TWO_HIDDEN = dict(input_shape=(12, 12, 1), hidden_layer_sizes=(64, 32), output_layer_sizes=(5,))
TWO_HIDDEN_PARAMS = 11_525

# Every call of a check of the assignment, in every test here, runs as the student's kernel runs it
# (recording) and as the grader replays it, and must reach the same verdict (tests/both_ways.py).
_checks_both_ways = kernel_and_grader(ASSIGNMENT)


# --------------------------------------------------------------------------------------
# The source notebook: its reference solution, its hidden cases, the tutorial it quotes.
# --------------------------------------------------------------------------------------



def run_cells(*cell_ids):
    """The namespace after the notebook's setup cell and the named cells, run whole as the notebook runs them."""
    return run_solutions(NOTEBOOK, definitions(NOTEBOOK), *cell_ids)


def tutorial_simplenet():
    """The tutorial's class exactly as published: the starting code of the notebook's `simplenet` cell.

    Its missing parenthesis is put back (the `syntax_error` demo submission's edit undone) so the
    class can be defined; its other bugs stay.
    """
    (path,) = (COURSE_ROOT / "source" / NOTEBOOK).glob("*.ipynb")
    (cell,) = [cell for cell in nbformat.read(path, as_version=4).cells if grade_id_of(cell) == "simplenet"]
    code = "\n".join(line for block in blocks_of(cell.source)[0] for line in block.student_lines)
    ((fixed, published),) = SUBMISSIONS["syntax_error"].edits["simplenet"]
    assert published in code, "the syntax_error submission no longer reproduces the tutorial's bug"
    tree = ast.parse(code.replace(published, fixed))
    namespace = {"keras": keras}
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    exec(compile(ast.Module(classes, type_ignores=[]), "<the tutorial, as published>", "exec"), namespace)
    return namespace["SimpleNet"]


_REFERENCE = definitions(NOTEBOOK, "simplenet", "plot_weights")
SimpleNet = _REFERENCE["SimpleNet"]
plot_first_layer_weights = _REFERENCE["plot_first_layer_weights"]
TutorialSimpleNet = tutorial_simplenet()
(OTHER_SIZES,) = hidden_arguments(NOTEBOOK, "simplenet_other_sizes", fix_simplenet.check_other_sizes)


def submitted(student_id, name="SimpleNet"):
    """`name` as the demo submission `student_id` wrote it: the reference with that submission's edits."""
    return submission_definitions(SUBMISSIONS[student_id], "simplenet", "plot_weights")[name]


def prepare_data():
    """The four arrays of the notebook's "prepare_data" cell."""
    namespace = run_cells("prepare_data")
    return tuple(namespace[name] for name in ("train_images", "train_labels", "test_images", "test_labels"))


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
# Broken variants: the demo submissions' bugs, and a factory with one flag per other bug.
# --------------------------------------------------------------------------------------


def make_simplenet(
    *,
    reuse_same_attribute=False,
    softmax=True,
    dropout=True,
    dropout_always_on=False,
    first_hidden_only=False,
    fixed_outputs=False,
    hidden_relu=True,
    dropout_in_call=False,
    hard_coded_input=False,
):
    """A SimpleNet with the given bugs; with no flag set it is correct."""

    class BrokenSimpleNet(keras.models.Model):
        def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
            super().__init__()
            sizes = hidden_layer_sizes[:1] if first_hidden_only else hidden_layer_sizes
            classes = 10 if fixed_outputs else output_layer_sizes[0]
            hidden = [keras.layers.Dense(size, activation="relu" if hidden_relu else None) for size in sizes]
            output = keras.layers.Dense(classes, activation="softmax" if softmax else None)
            # A hard-coded 28x28x1 input: works for the default sizes only.
            self.flatten = keras.layers.Reshape((784,)) if hard_coded_input else keras.layers.Flatten()
            self.dropout = keras.layers.Dropout(0.2) if dropout and not dropout_in_call else None
            if reuse_same_attribute:
                # The tutorial's bug without the reserved name: the output layer replaces the hidden one,
                # and `call` uses that one layer twice.
                self.dense = hidden[0]
                self.dense = output
            else:
                self.hidden_layers = hidden
                self.classifier = output

        def call(self, inputs, training=False):
            x = self.flatten(inputs)
            if reuse_same_attribute:
                hidden, output = [self.dense], self.dense
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


# name -> a broken SimpleNet class
BROKEN_SIMPLENETS = {
    # The demo submissions' bugs, built from their edits of the reference solution.
    "layers_attribute": submitted("layers_attribute"),
    "dropout_axis": submitted("dropout_axis"),
    "overwritten_layers": submitted("overwritten_layers"),
    "no_flatten": submitted("no_flatten"),
    # Other bugs.
    "reuse_same_attribute": make_simplenet(reuse_same_attribute=True),
    "no_softmax": make_simplenet(softmax=False),
    "no_dropout": make_simplenet(dropout=False),
    "dropout_always_on": make_simplenet(dropout_always_on=True),
    "dropout_in_call": make_simplenet(dropout_in_call=True),
    "first_hidden_only": make_simplenet(first_hidden_only=True),
    "fixed_outputs": make_simplenet(fixed_outputs=True),
    "no_hidden_relu": make_simplenet(hidden_relu=False),
    "hard_coded_input": make_simplenet(hard_coded_input=True),
}


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


def check_other_sizes(SimpleNet):
    """`check_other_sizes` with the sizes the notebook's hidden test passes."""
    return fix_simplenet.check_other_sizes(SimpleNet, **OTHER_SIZES)


# Every check that takes the SimpleNet class, as the notebook's test cells call it.
CLASS_CHECKS = [
    fix_simplenet.check_builds,
    fix_simplenet.check_output_shape,
    fix_simplenet.check_param_count,
    fix_simplenet.check_probabilities,
    fix_simplenet.check_dropout,
    fix_simplenet.check_output_size,
    check_other_sizes,
    fix_simplenet.check_inference_repeatable,
    fix_simplenet.check_inference_deterministic,
    fix_simplenet.check_weight_shapes,
    fix_simplenet.check_forward_pass,
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
    """A built reference SimpleNet that knows digits (tests/trained_weights.py), shared by the weight-plot tests."""
    keras.utils.set_random_seed(SEED)
    return set_nearest_centroid_weights(fix_simplenet.build_simplenet(SimpleNet))


@pytest.fixture(scope="module")
def wrapped_model():
    keras.utils.set_random_seed(SEED)
    return set_nearest_centroid_weights(fix_simplenet.build_simplenet(WrappedSimpleNet))


def _compiled_simplenet():
    model = SimpleNet()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# --------------------------------------------------------------------------------------
# The notebook's test cells call every check tested here, with the hidden cases read above.
# --------------------------------------------------------------------------------------


def test_every_check_of_the_simplenet_tests_is_tested_here():
    declared = {check.__name__ for test in ASSIGNMENT.declared if test.uses == ("simplenet",) for check in test.checks}
    assert declared == set(CLASS_CHECK_IDS)


def test_the_hidden_sizes_differ_from_the_defaults_in_every_argument():
    """Else check_other_sizes could not tell a hard-coded size from the argument."""
    assert OTHER_SIZES["input_shape"] != (28, 28, 1)
    assert len(OTHER_SIZES["hidden_layer_sizes"]) > 1
    assert OTHER_SIZES["output_layer_sizes"][0] != MNIST_CLASSES


# --------------------------------------------------------------------------------------
# build_simplenet and expected_params.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("SimpleNetClass", CORRECT_CLASSES, ids=CORRECT_IDS)
def test_build_simplenet_returns_a_built_model(SimpleNetClass):
    model = fix_simplenet.build_simplenet(SimpleNetClass)
    assert isinstance(model, SimpleNetClass)
    assert model.built
    assert model.count_params() == SIMPLENET_PARAMS
    other = fix_simplenet.build_simplenet(SimpleNetClass, **TWO_HIDDEN)
    assert other.count_params() == TWO_HIDDEN_PARAMS
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
        fix_simplenet.build_simplenet(BROKEN_SIMPLENETS["dropout_axis"], **TWO_HIDDEN)
    message = str(failure.value)
    assert "no `axis` argument" in message
    assert "hidden_layer_sizes=(64, 32)" in message


def test_expected_params():
    assert references.expected_params((28, 28, 1), (128,), (10,)) == SIMPLENET_PARAMS == 101_770
    assert references.expected_params(**TWO_HIDDEN) == TWO_HIDDEN_PARAMS
    assert references.expected_params((4,), (), (3,)) == 4 * 3 + 3


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
    assert model.count_params() == references.expected_params(**sizes)
    assert fix_simplenet.check_other_sizes(SimpleNet, **sizes) is None


def test_expected_params_differs_from_a_model_using_only_the_first_hidden_size():
    model = fix_simplenet.build_simplenet(BROKEN_SIMPLENETS["first_hidden_only"], **TWO_HIDDEN)
    assert model.count_params() != references.expected_params(**TWO_HIDDEN)


# --------------------------------------------------------------------------------------
# The checks that take the SimpleNet class: pass on every correct way of writing it...
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("check", CLASS_CHECKS, ids=CLASS_CHECK_IDS)
@pytest.mark.parametrize("SimpleNetClass", CORRECT_CLASSES, ids=CORRECT_IDS)
def test_class_check_passes_on_correct_simplenet(check, SimpleNetClass):
    assert current(check)(SimpleNetClass) is None


def test_factory_without_flags_is_correct():
    Correct = make_simplenet()
    for check in CLASS_CHECKS:
        current(check)(Correct)


# ...and fail with the cause on broken ones...

BROKEN_CASES = [
    # (check, broken variant, fragment of the message)
    (fix_simplenet.check_builds, "layers_attribute", "`self.layers` is Keras's own"),
    (fix_simplenet.check_builds, "dropout_axis", "no `axis` argument"),
    (fix_simplenet.check_output_shape, "no_flatten", "flatten them first"),
    (fix_simplenet.check_param_count, "no_flatten", "flatten the images before the first Dense layer"),
    (fix_simplenet.check_weight_shapes, "no_flatten", "has the wrong weights"),
    (fix_simplenet.check_forward_pass, "no_flatten", "has the wrong weights"),
    (fix_simplenet.check_param_count, "overwritten_layers", "holds 1 Dense layer(s) but needs 2"),
    (fix_simplenet.check_param_count, "overwritten_layers", "assigning to the same attribute twice"),
    (fix_simplenet.check_weight_shapes, "overwritten_layers", "assigning to the same attribute twice"),
    (fix_simplenet.check_forward_pass, "overwritten_layers", "assigning to the same attribute twice"),
    (fix_simplenet.check_probabilities, "no_softmax", "`activation='softmax'`"),
    (fix_simplenet.check_dropout, "no_dropout", "no dropout is applied"),
    (fix_simplenet.check_inference_repeatable, "dropout_always_on", "two inference calls on the same inputs"),
    (fix_simplenet.check_inference_deterministic, "dropout_always_on", "two inference calls"),
    (fix_simplenet.check_inference_deterministic, "dropout_in_call", "a layer created inside `call()`"),
    (fix_simplenet.check_output_size, "fixed_outputs", "instead of a fixed 10"),
    (fix_simplenet.check_output_size, "no_flatten", "flatten them first"),
    (check_other_sizes, "no_flatten", "sees 12x12x1 images; flatten them first"),
    (check_other_sizes, "first_hidden_only", "wrong number of parameters"),
    (check_other_sizes, "fixed_outputs", "instead of a fixed 10"),
    (check_other_sizes, "hard_coded_input", "raised"),
    (fix_simplenet.check_forward_pass, "no_hidden_relu", "hidden layers use ReLU"),
]


@pytest.mark.parametrize(
    "check, variant, fragment", BROKEN_CASES,
    ids=[f"{check.__name__}-{variant}" for check, variant, _ in BROKEN_CASES],
)
def test_class_check_fails_on_broken_simplenet(check, variant, fragment):
    with pytest.raises(CheckFailure) as failure:
        current(check)(BROKEN_SIMPLENETS[variant])
    assert fragment in str(failure.value)


# ...each bug failing exactly the checks of the property it breaks (one property per test), except a bug in the values
# SimpleNet computes: every test rests on those values (a stub with the right shapes and constant outputs must earn
# nothing), so such a bug fails every check but the weights' shapes, where those are right.
VALUE_CHECKS = set(CLASS_CHECK_IDS) - {"check_weight_shapes"}

FAILING_CHECKS = {
    # A class that cannot be built fails every check.
    "layers_attribute": set(CLASS_CHECK_IDS),
    "dropout_axis": set(CLASS_CHECK_IDS),
    "reuse_same_attribute": set(CLASS_CHECK_IDS),
    # Its weights and values are wrong.
    "overwritten_layers": set(CLASS_CHECK_IDS),
    "no_flatten": set(CLASS_CHECK_IDS),
    "no_softmax": {"check_probabilities"},
    "no_dropout": {"check_dropout"},
    # check_dropout passes: dropout is active while training. The forward pass is measured at inference,
    # where this dropout still drops.
    "dropout_always_on": {"check_inference_repeatable", "check_inference_deterministic"},
    # Only `predict` shows a layer created inside `call()`.
    "dropout_in_call": {"check_inference_deterministic"},
    "first_hidden_only": {"check_other_sizes"},
    "fixed_outputs": {"check_output_size", "check_other_sizes"},
    "no_hidden_relu": VALUE_CHECKS,
    "hard_coded_input": {"check_other_sizes"},
}


def test_a_simplenet_with_a_frozen_layer_fails_every_check_saying_so():
    """Frozen weights never learn: each check names them, none stops on the grader's side with an error of its own."""

    class FrozenSimpleNet(make_simplenet()):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.hidden_layers[0].trainable = False

    for check in CLASS_CHECKS:
        with pytest.raises(CheckFailure, match="not trainable"):
            current(check)(FrozenSimpleNet)


@pytest.mark.parametrize("variant", list(FAILING_CHECKS))
def test_each_bug_fails_exactly_the_checks_of_its_property(variant):
    failing = set()
    for check in CLASS_CHECKS:
        try:
            current(check)(BROKEN_SIMPLENETS[variant])
        except CheckFailure:
            failing.add(check.__name__)
    assert failing == FAILING_CHECKS[variant]


@pytest.mark.parametrize("check", CLASS_CHECKS, ids=CLASS_CHECK_IDS)
def test_class_check_fails_on_the_tutorial_as_published(check):
    with pytest.raises(CheckFailure, match="`self.layers` is Keras's own"):
        current(check)(TutorialSimpleNet)


@pytest.mark.parametrize("check", CLASS_CHECKS, ids=CLASS_CHECK_IDS)
@pytest.mark.parametrize("kind", list(NOT_A_MODEL))
def test_class_check_fails_on_what_is_not_a_model_subclass(check, kind):
    with pytest.raises(CheckFailure, match="must be a class that subclasses `keras.models.Model`"):
        current(check)(NOT_A_MODEL[kind])


def test_check_other_sizes_names_the_missing_hidden_layer():
    with pytest.raises(CheckFailure) as failure:
        check_other_sizes(BROKEN_SIMPLENETS["first_hidden_only"])
    message = str(failure.value)
    assert f"expected {references.expected_params(**OTHER_SIZES):,}" in message
    needed = len(OTHER_SIZES["hidden_layer_sizes"]) + 1
    assert f"holds 2 Dense layer(s) but needs {needed}" in message


def test_check_other_sizes_names_the_arguments_a_hard_coded_input_cannot_take():
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_other_sizes(BROKEN_SIMPLENETS["hard_coded_input"], **TWO_HIDDEN)
    message = str(failure.value)
    assert (
        "calling `SimpleNet(input_shape=(12, 12, 1), hidden_layer_sizes=(64, 32), output_layer_sizes=(5,))`" in message
    )
    assert "on a batch of shape (8, 12, 12, 1) raised" in message


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


# The tutorial's `model.plot_weights(show_shapes=True)`, as the demo submission writes it.
plot_calls_plot_weights = submitted("plot_weights", "plot_first_layer_weights")


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


@pytest.mark.parametrize("SimpleNetClass", CORRECT_CLASSES, ids=CORRECT_IDS)
def test_the_grader_computes_every_correct_simplenet_from_its_weights_in_whatever_order_keras_keeps_them(
        SimpleNetClass):
    """The lazy SimpleNet creates its output layer first, so its weights come in another order: the grader's forward
    pass of a trained model matches them by shape, and gives the classes the model itself gives."""
    model = set_nearest_centroid_weights(fix_simplenet.build_simplenet(SimpleNetClass))
    values = [np.asarray(variable) for variable in model.trainable_weights]
    images = load_mnist()[1][0][:500]
    computed = np.argmax(references.trained_forward(images, values, (784, 128, 10)), axis=-1)
    assert np.array_equal(computed, np.argmax(np.asarray(model(images)), axis=-1))
    assert fix_simplenet.check_weight_plot(plot_sixteen_from_kernel_attribute, model) is None


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
    model = fix_simplenet.build_simplenet(BROKEN_SIMPLENETS["no_flatten"])
    with pytest.raises(CheckFailure, match="no Dense layer reading the 784 flattened pixels"):
        fix_simplenet.check_weight_plot(plot_first_layer_weights, model)


def test_check_weight_plot_fails_on_the_weights_of_an_untrained_model():
    """The pictures are the kernel's columns, but the kernel is the one Keras drew: no trained model's."""
    keras.utils.set_random_seed(SEED)
    untrained = fix_simplenet.build_simplenet(SimpleNet)
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.check_weight_plot(plot_first_layer_weights, untrained)
    assert str(failure.value).startswith(
        "the weights pictured are not a trained model's (the grader computed SimpleNet's accuracy from them on "
        "10,000 test images): expected at least 50%, got ")


def test_check_weight_plot_fails_on_pictures_of_another_model(reference_model):
    """Pictures of another (freshly initialised) model's kernel are not this model's columns."""
    keras.utils.set_random_seed(SEED + 1)
    other = fix_simplenet.build_simplenet(SimpleNet)
    with pytest.raises(CheckFailure, match="is not a column"):
        fix_simplenet.check_weight_plot(lambda model: plot_first_layer_weights(other), reference_model)


def test_check_weight_plot_fails_when_every_picture_is_the_same_unit(reference_model):
    with pytest.raises(CheckFailure, match="too few different hidden units pictured"):
        fix_simplenet.check_weight_plot(plot_same_unit, reference_model)


# --------------------------------------------------------------------------------------
# check_epoch_budget and check_accuracy.
# --------------------------------------------------------------------------------------


def test_check_epoch_budget(mnist):
    (train_images, train_labels), _ = mnist
    model = _compiled_simplenet()
    within = model.fit(
        train_images[:64], train_labels[:64], epochs=SIMPLENET_EPOCH_BUDGET, batch_size=32, steps_per_epoch=1,
        verbose=0,
    )
    assert fix_simplenet.check_epoch_budget(within) is None
    beyond = model.fit(
        train_images[:64], train_labels[:64], epochs=SIMPLENET_EPOCH_BUDGET + 1, batch_size=32, steps_per_epoch=1,
        verbose=0,
    )
    with pytest.raises(CheckFailure, match="trained for too many epochs"):
        fix_simplenet.check_epoch_budget(beyond)
    with pytest.raises(CheckFailure, match="`history` holds no training epochs"):
        fix_simplenet.check_epoch_budget(keras.callbacks.History())


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
def test_check_accuracy_and_weight_plot_pass_on_the_trained_reference():
    """The notebook's own cells, run whole: prepare the data, define SimpleNet, train it, plot its weights."""
    keras.utils.set_random_seed(SEED)
    notebook = run_cells("prepare_data", "simplenet", "train_simplenet", "plot_weights")
    model, history = notebook["model"], notebook["history"]
    assert len(history.epoch) == SIMPLENET_EPOCH_BUDGET
    assert fix_simplenet.check_accuracy(model, history) is None
    assert fix_simplenet.check_weight_plot(notebook["plot_first_layer_weights"], model) is None
    assert fix_simplenet.check_weight_plot(plot_sixteen_from_kernel_attribute, model) is None
    with pytest.raises(CheckFailure, match="is not a column"):
        fix_simplenet.check_weight_plot(plot_noise, model)


# --------------------------------------------------------------------------------------
# Problems the first version of the checks had, kept as regression tests.
# --------------------------------------------------------------------------------------


def test_build_simplenet_hint_for_one_layer_called_twice():
    with pytest.raises(CheckFailure) as failure:
        fix_simplenet.build_simplenet(BROKEN_SIMPLENETS["reuse_same_attribute"])
    message = str(failure.value)
    assert "is incompatible with the layer" in message
    assert "two layers were stored under the same attribute" in message
    assert "no `axis` argument" not in message


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
