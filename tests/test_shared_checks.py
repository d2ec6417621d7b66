"""Unit tests of autograder.shared_checks and autograder.errors on small real Keras models."""

import numpy as np
import keras
import pytest

from autograder import shared_checks as checks
from autograder.shared_checks import LayerSummary
from autograder.data import load_mnist
from autograder.errors import CheckFailure
from autograder.settings import FIXED_WEIGHT_SCALE, SEED

CNN_INPUT_SHAPE = (8, 8, 1)
CNN_SUMMARY = [
    LayerSummary("Conv2D", (None, 6, 6, 2), 20, "relu"),
    LayerSummary("Flatten", (None, 72), 0),
    LayerSummary("Dense", (None, 10), 730, "softmax"),
]
CNN_PARAMS = 750


def cnn(*layers):
    """A Sequential model on 8x8x1 images; the default layers match CNN_SUMMARY."""
    layers = layers or (
        keras.layers.Conv2D(2, 3, activation="relu", name="conv"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(10, activation="softmax", name="scores"),
    )
    return keras.Sequential([keras.Input(CNN_INPUT_SHAPE), *layers])


def dense_model(units, activation, kernel, bias=None):
    """A one-Dense-layer model with the given kernel (inputs x units) and bias."""
    kernel = np.asarray(kernel, dtype="float32")
    model = keras.Sequential([keras.Input((kernel.shape[0],)), keras.layers.Dense(units, activation=activation)])
    model.layers[0].set_weights([kernel, np.zeros(units, "float32") if bias is None else np.asarray(bias, "float32")])
    return model


class AlwaysDropout(keras.layers.Layer):
    """Dropout that ignores the training flag: the bug check_inference_deterministic looks for."""

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.dropout = keras.layers.Dropout(rate)

    def call(self, inputs):
        return self.dropout(inputs, training=True)


def dropout_model(dropout_layer):
    return keras.Sequential([keras.Input((16,)), keras.layers.Dense(16, activation="relu"), dropout_layer, keras.layers.Dense(4)])


@pytest.fixture
def batch():
    return np.random.default_rng(0).uniform(0.5, 1.5, size=(8, 16)).astype("float32")


# CheckFailure


def test_check_failure_message_has_what_expected_got_and_hint():
    failure = CheckFailure("wrong thing", 3, 4, "do it right")
    assert str(failure) == "wrong thing: expected 3, got 4.\nHint: do it right"
    assert (failure.what, failure.expected, failure.got, failure.hint) == ("wrong thing", 3, 4, "do it right")


def test_check_failure_is_an_assertion_error_for_nbgrader():
    with pytest.raises(AssertionError):
        raise CheckFailure("wrong thing")


def test_check_failure_without_values_or_hint_is_what_with_a_period():
    assert str(CheckFailure("wrong thing")) == "wrong thing."


def test_check_failure_keeps_existing_final_punctuation():
    assert str(CheckFailure("is it right?")) == "is it right?"
    assert str(CheckFailure("wrong thing.", hint="fix it")) == "wrong thing.\nHint: fix it"


def test_check_failure_shows_falsy_expected_and_got_values():
    assert str(CheckFailure("wrong count", 0, 0)) == "wrong count: expected 0, got 0."


# summarize and LayerSummary


def test_summarize_lists_class_output_shape_params_and_activation_per_layer():
    assert checks.summarize(cnn()) == CNN_SUMMARY


def test_summarize_reports_linear_activation_of_a_plain_dense_layer():
    (row,) = checks.summarize(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
    assert row == LayerSummary("Dense", (None, 2), 8, "linear")


def test_layer_summary_describe_names_class_shape_params_and_activation():
    assert LayerSummary("Dense", (None, 10), 1290, "softmax").describe() == (
        "Dense with output shape (None, 10), 1,290 parameters, activation softmax"
    )
    assert LayerSummary("Flatten", (None, 784), 0).describe() == "Flatten with output shape (None, 784), 0 parameters"


# check_layer_summary


def test_check_layer_summary_passes_on_matching_model():
    assert checks.check_layer_summary(cnn(), CNN_SUMMARY) is None


def test_check_layer_summary_ignores_activation_when_expected_is_none():
    expected = [LayerSummary(row.class_name, row.output_shape, row.params) for row in CNN_SUMMARY]
    model = cnn(
        keras.layers.Conv2D(2, 3, activation="tanh"), keras.layers.Flatten(), keras.layers.Dense(10, activation="relu")
    )
    assert checks.check_layer_summary(model, expected) is None


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (
            (
                keras.layers.Conv2D(2, 3, activation="relu", name="conv"),
                keras.layers.Reshape((72,), name="flat"),
                keras.layers.Dense(10, activation="softmax", name="scores"),
            ),
            "layer 1 (flat) has the wrong layer class: expected Flatten, got Reshape.\n"
            "Hint: layer 1 should be a Flatten with output shape (None, 72), 0 parameters",
        ),
        (
            (
                keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="conv"),
                keras.layers.Flatten(name="flat"),
                keras.layers.Dense(10, activation="softmax", name="scores"),
            ),
            "layer 0 (conv) has the wrong output shape: expected (None, 6, 6, 2), got (None, 8, 8, 2).\n"
            "Hint: layer 0 should be a Conv2D with output shape (None, 6, 6, 2), 20 parameters, activation relu",
        ),
        (
            (
                keras.layers.Conv2D(2, 3, use_bias=False, activation="relu", name="conv"),
                keras.layers.Flatten(name="flat"),
                keras.layers.Dense(10, activation="softmax", name="scores"),
            ),
            "layer 0 (conv) has the wrong parameter count: expected 20, got 18.\n"
            "Hint: layer 0 should be a Conv2D with output shape (None, 6, 6, 2), 20 parameters, activation relu",
        ),
        (
            (
                keras.layers.Conv2D(2, 3, activation="relu", name="conv"),
                keras.layers.Flatten(name="flat"),
                keras.layers.Dense(10, activation="relu", name="scores"),
            ),
            "layer 2 (scores) has the wrong activation: expected softmax, got relu.\n"
            "Hint: layer 2 should be a Dense with output shape (None, 10), 730 parameters, activation softmax",
        ),
    ],
    ids=["class", "output-shape", "params", "activation"],
)
def test_check_layer_summary_fails_naming_first_differing_layer_and_field(layers, message):
    with pytest.raises(CheckFailure) as failure:
        checks.check_layer_summary(cnn(*layers), CNN_SUMMARY)
    assert str(failure.value) == message + "."


def test_check_layer_summary_fails_on_one_layer_too_many():
    model = cnn(
        keras.layers.Conv2D(2, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
        keras.layers.Dense(10, activation="softmax"),
    )
    with pytest.raises(CheckFailure) as failure:
        checks.check_layer_summary(model, CNN_SUMMARY)
    assert str(failure.value) == (
        "the model has the wrong number of layers: expected 3, got 4.\n"
        "Hint: remove the extra layers: Dense with output shape (None, 10), 110 parameters, activation softmax."
    )


def test_check_layer_summary_fails_on_one_layer_too_few():
    model = cnn(keras.layers.Conv2D(2, 3, activation="relu"), keras.layers.Flatten())
    with pytest.raises(CheckFailure) as failure:
        checks.check_layer_summary(model, CNN_SUMMARY)
    assert str(failure.value) == (
        "the model has the wrong number of layers: expected 3, got 2.\n"
        "Hint: the model stops early; missing: Dense with output shape (None, 10), 730 parameters, activation softmax."
    )


# output_shape and check_output_shape


@pytest.mark.parametrize("batch_size", [1, 2, 5])
def test_output_shape_shows_batch_axis_as_none(batch_size):
    assert checks.output_shape(cnn(), CNN_INPUT_SHAPE, batch_size=batch_size) == (None, 10)


def test_output_shape_keeps_all_non_batch_axes():
    model = cnn(keras.layers.Conv2D(3, 3, padding="same"))
    assert checks.output_shape(model, CNN_INPUT_SHAPE) == (None, 8, 8, 3)


def test_check_output_shape_passes_on_matching_shape_given_as_tuple_or_list():
    assert checks.check_output_shape(cnn(), CNN_INPUT_SHAPE, (None, 10)) is None
    assert checks.check_output_shape(cnn(), CNN_INPUT_SHAPE, [None, 10]) is None


def test_check_output_shape_fails_with_input_shape_expected_got_and_hint():
    with pytest.raises(CheckFailure) as failure:
        checks.check_output_shape(cnn(), CNN_INPUT_SHAPE, (None, 5), hint="use 5 output units.")
    assert str(failure.value) == (
        "wrong output shape for inputs of shape (None, 8, 8, 1): expected (None, 5), got (None, 10).\n"
        "Hint: use 5 output units."
    )


# check_param_count


def test_check_param_count_passes_on_exact_count():
    assert checks.check_param_count(cnn(), CNN_PARAMS) is None


def test_check_param_count_fails_with_expected_and_got():
    with pytest.raises(CheckFailure) as failure:
        checks.check_param_count(cnn(), 101_770, hint="use 128 hidden units.")
    assert str(failure.value) == "wrong number of parameters: expected 101,770, got 750.\nHint: use 128 hidden units."


# relative_error and check_close


@pytest.mark.parametrize(
    ("got", "expected", "error"),
    [
        ([1.0, 2.0], [1.0, 2.0], 0.0),
        ([0.0, 0.0], [0.0, 0.0], 0.0),
        ([1.0, 1.1], [1.0, 0.9], 0.1),
        ([-1.0], [1.0], 1.0),
        ([[3.0, 1.0]], [[1.0, 1.0]], 0.5),
    ],
)
def test_relative_error_is_largest_elementwise_cs231n_error(got, expected, error):
    assert checks.relative_error(got, expected) == pytest.approx(error)


def test_check_close_passes_within_tolerance():
    expected = np.array([[0.2, 0.8], [0.5, 0.5]])
    assert checks.check_close((expected * (1 + 1e-7)).astype("float32"), expected, "the outputs") is None
    assert checks.check_close(expected * 1.1, expected, "the outputs", rtol=0.1) is None


def test_check_close_fails_with_relative_error_and_tolerance():
    with pytest.raises(CheckFailure) as failure:
        checks.check_close([1.0, 1.1], [1.0, 0.9], "the outputs", hint="use softmax.")
    assert str(failure.value) == (
        "the outputs does not match the reference (relative error 1.0e-01, tolerance 1e-05).\nHint: use softmax."
    )


def test_check_close_fails_on_wrong_shape_with_expected_and_got():
    with pytest.raises(CheckFailure) as failure:
        checks.check_close(np.zeros((3, 2)), np.zeros((2, 3)), "the outputs")
    assert str(failure.value) == "the outputs has the wrong shape: expected (2, 3), got (3, 2)."


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_close_fails_on_nan_or_infinite_values(bad):
    with pytest.raises(CheckFailure) as failure:
        checks.check_close([1.0, bad], [1.0, 1.0], "the outputs")
    assert str(failure.value) == "the outputs contains NaN or infinite values: expected finite numbers, got NaN/inf."


# check_probabilities


def test_check_probabilities_passes_on_softmax_model_outputs():
    outputs = checks.call_model(cnn(), np.random.default_rng(0).uniform(size=(4, *CNN_INPUT_SHAPE)).astype("float32"))
    assert checks.check_probabilities(outputs) is None


def test_check_probabilities_passes_within_tolerance():
    assert checks.check_probabilities([[0.5, 0.5 + 1e-6], [1.0, 0.0]]) is None


def test_check_probabilities_fails_on_relu_outputs_with_range_and_softmax_hint():
    outputs = checks.call_model(dense_model(3, "relu", [[1, 0, -1], [1, 0, -1]]), np.ones((2, 2), "float32"))
    with pytest.raises(CheckFailure) as failure:
        checks.check_probabilities(outputs)
    assert str(failure.value) == (
        "outputs are not probabilities: expected values in [0, 1], got values from 0 to 2.\n"
        "Hint: end with a softmax activation."
    )


def test_check_probabilities_fails_on_negative_outputs():
    with pytest.raises(CheckFailure, match=r"got values from -0\.5 to 0\.9"):
        checks.check_probabilities([[-0.5, 0.9]])


def test_check_probabilities_fails_on_rows_not_summing_to_one():
    with pytest.raises(CheckFailure) as failure:
        checks.check_probabilities([[0.5, 0.5], [0.2, 0.3]])
    assert str(failure.value) == (
        "each row of outputs should sum to 1: expected 1.0, got a row summing to 0.5.\n"
        "Hint: end with a softmax activation."
    )


def test_check_probabilities_fails_on_sigmoid_outputs_summing_past_one():
    outputs = checks.call_model(dense_model(3, "sigmoid", np.zeros((2, 3))), np.ones((2, 2), "float32"))
    with pytest.raises(CheckFailure, match="got a row summing to 1.5"):
        checks.check_probabilities(outputs)


def test_check_probabilities_fails_on_non_2d_outputs():
    with pytest.raises(CheckFailure) as failure:
        checks.check_probabilities([0.5, 0.5])
    assert str(failure.value) == "outputs should be a 2-D array (batch, classes): expected 2, got 1 dimensions."


def test_check_probabilities_uses_given_hint():
    with pytest.raises(CheckFailure, match="Hint: apply softmax to the scores.$"):
        checks.check_probabilities([[0.5, 0.6]], hint="apply softmax to the scores.")


def test_check_probabilities_fails_on_nan_outputs():
    with pytest.raises(CheckFailure):
        checks.check_probabilities(np.full((2, 3), np.nan))


# call_model


def test_call_model_returns_numpy_array_in_inference_mode(batch):
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dropout(0.5)])
    outputs = checks.call_model(model, batch)
    assert isinstance(outputs, np.ndarray)
    np.testing.assert_array_equal(outputs, batch)


def test_call_model_passes_training_flag(batch):
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dropout(0.5)])
    outputs = checks.call_model(model, batch, training=True)
    assert (outputs == 0).any()
    np.testing.assert_allclose(outputs[outputs != 0], 2 * batch[outputs != 0], rtol=1e-6)


# check_inference_deterministic and check_dropout_active_in_training


def test_check_inference_deterministic_passes_on_model_with_dropout(batch):
    assert checks.check_inference_deterministic(dropout_model(keras.layers.Dropout(0.5)), batch) is None


def test_check_inference_deterministic_fails_on_dropout_always_in_training_mode(batch):
    with pytest.raises(CheckFailure) as failure:
        checks.check_inference_deterministic(dropout_model(AlwaysDropout(0.5)), batch)
    message = str(failure.value)
    assert message.startswith("two inference calls on the same inputs gave different outputs (largest difference ")
    assert message.endswith("Hint: dropout must only be active in training; do not pass `training=True` to it.")


def test_check_inference_deterministic_uses_given_hint(batch):
    with pytest.raises(CheckFailure, match="Hint: use the training flag.$"):
        checks.check_inference_deterministic(dropout_model(AlwaysDropout(0.5)), batch, hint="use the training flag.")


def test_check_dropout_active_in_training_passes_on_model_with_dropout(batch):
    assert checks.check_dropout_active_in_training(dropout_model(keras.layers.Dropout(0.5)), batch) is None


def test_check_dropout_active_in_training_fails_on_model_without_dropout(batch):
    with pytest.raises(CheckFailure) as failure:
        checks.check_dropout_active_in_training(dropout_model(keras.layers.Identity()), batch)
    assert str(failure.value) == (
        "outputs in training mode equal outputs in inference mode, so no dropout is applied.\n"
        "Hint: add a `keras.layers.Dropout` layer and call it with the `training` flag."
    )


def test_check_dropout_active_in_training_uses_given_hint(batch):
    with pytest.raises(CheckFailure, match="Hint: add dropout after the hidden layer.$"):
        checks.check_dropout_active_in_training(
            dropout_model(keras.layers.Identity()), batch, hint="add dropout after the hidden layer."
        )


# set_fixed_weights


def test_set_fixed_weights_returns_assigned_values_in_trainable_weights_order():
    model = cnn()
    values = checks.set_fixed_weights(model)
    assert len(values) == len(model.trainable_weights)
    for variable, value in zip(model.trainable_weights, values):
        np.testing.assert_array_equal(variable.numpy(), value)
        assert value.dtype == np.float32


def test_the_grader_draws_the_values_set_fixed_weights_assigns_from_the_shapes_alone():
    model = cnn()
    values = checks.set_fixed_weights(model, seed=3)
    drawn = checks.fixed_weight_values([tuple(variable.shape) for variable in model.trainable_weights], seed=3)
    for value, again in zip(values, drawn, strict=True):
        np.testing.assert_array_equal(value, again)


def test_call_arguments_names_the_call_as_written():
    assert checks.call_arguments({"input_shape": (32, 32, 3), "num_classes": 5}) == "input_shape=(32, 32, 3), num_classes=5"
    assert checks.call_arguments({}) == ""


def test_set_fixed_weights_draws_scaled_normal_values_from_seed():
    model = cnn()
    values = checks.set_fixed_weights(model, seed=7, scale=0.5)
    rng = np.random.default_rng(7)
    for value in values:
        np.testing.assert_array_equal(value, (rng.standard_normal(value.shape) * 0.5).astype("float32"))


def test_set_fixed_weights_default_seed_and_scale_come_from_settings():
    default = checks.set_fixed_weights(cnn())
    explicit = checks.set_fixed_weights(cnn(), seed=SEED, scale=FIXED_WEIGHT_SCALE)
    for got, expected in zip(default, explicit, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_set_fixed_weights_makes_outputs_independent_of_initializers():
    images = np.random.default_rng(0).uniform(size=(3, *CNN_INPUT_SHAPE)).astype("float32")
    models = [
        cnn(
            keras.layers.Conv2D(2, 3, activation="relu", kernel_initializer=initializer, bias_initializer=initializer),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", kernel_initializer=initializer, bias_initializer=initializer),
        )
        for initializer in ("zeros", "ones")
    ]
    for model in models:
        checks.set_fixed_weights(model)
    np.testing.assert_array_equal(checks.call_model(models[0], images), checks.call_model(models[1], images))


def test_set_fixed_weights_with_another_seed_gives_other_values():
    first = checks.set_fixed_weights(cnn(), seed=1)
    second = checks.set_fixed_weights(cnn(), seed=2)
    assert not np.array_equal(first[0], second[0])


def test_set_fixed_weights_keeps_batch_normalization_outputs_finite():
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8), keras.layers.BatchNormalization(), keras.layers.Dense(3)]
    )
    checks.set_fixed_weights(model)
    assert np.isfinite(checks.call_model(model, np.ones((2, 4), "float32"))).all()


# accuracy and check_min_accuracy


@pytest.fixture
def argmax_model():
    """Predicts the index of the largest of its 3 inputs."""
    return dense_model(3, None, np.eye(3))


IMAGES = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]], dtype="float32")
LABELS = np.array([0, 1, 2, 0])


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_accuracy_is_fraction_of_argmax_predictions_equal_to_labels(argmax_model, batch_size):
    predictions = checks.predicted_classes(argmax_model, IMAGES, batch_size=batch_size)
    assert predictions.tolist() == [0, 1, 2, 2]
    assert checks.accuracy(predictions, LABELS) == 0.75


def test_accuracy_is_one_on_all_correct_and_zero_on_all_wrong(argmax_model):
    predictions = checks.predicted_classes(argmax_model, IMAGES)
    assert checks.accuracy(predictions, [0, 1, 2, 2]) == 1.0
    assert checks.accuracy(predictions, [1, 2, 0, 0]) == 0.0


def test_accuracy_with_column_labels_equals_accuracy_with_flat_labels(argmax_model):
    predictions = checks.predicted_classes(argmax_model, IMAGES)
    assert checks.accuracy(predictions, LABELS.reshape(-1, 1)) == 0.75 == checks.accuracy(predictions, np.eye(3)[LABELS])


def test_accuracy_needs_one_prediction_per_label():
    with pytest.raises(CheckFailure, match="one prediction per image"):
        checks.accuracy(np.array([0, 1, 2]), LABELS)


def test_check_min_accuracy_passes_at_or_above_minimum(argmax_model):
    assert checks.check_min_accuracy(argmax_model, 0.75, images=IMAGES, labels=LABELS) is None
    assert checks.check_min_accuracy(argmax_model, 0.5, images=IMAGES, labels=LABELS) is None


def test_check_min_accuracy_fails_below_minimum_with_expected_got_and_hint(argmax_model):
    with pytest.raises(CheckFailure) as failure:
        checks.check_min_accuracy(argmax_model, 0.8, images=IMAGES, labels=LABELS)
    assert str(failure.value) == (
        "test accuracy too low on 4 images: expected at least 80.00%, got 75.00%.\n"
        "Hint: train longer within the budget, or check the data scaling and the model."
    )


def test_check_min_accuracy_uses_given_hint(argmax_model):
    with pytest.raises(CheckFailure, match="Hint: train for 5 epochs.$"):
        checks.check_min_accuracy(argmax_model, 1.0, images=IMAGES, labels=LABELS, hint="train for 5 epochs.")


def mnist_model(kernel, bias):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.layers[1].set_weights([np.asarray(kernel, "float32"), np.asarray(bias, "float32")])
    return model


def linear_forward(images, values):
    """The grader's forward pass of `mnist_model`."""
    kernel, bias = values
    return images.reshape(len(images), -1) @ kernel + bias


def test_check_min_accuracy_by_default_fails_untrained_model_on_mnist_test_split():
    untrained = mnist_model(np.zeros((784, 10)), np.zeros(10))  # always predicts 0, which is 980 test images
    with pytest.raises(CheckFailure) as failure:
        checks.check_min_accuracy(untrained, 0.97, linear_forward)
    assert str(failure.value).startswith(
        "test accuracy too low on 10,000 images: expected at least 97.00%, got 9.80%.\nHint: "
    )


def test_check_min_accuracy_by_default_passes_nearest_centroid_model_on_mnist_test_split():
    (images, labels), _ = load_mnist()
    centroids = np.stack([images[labels == digit].reshape(-1, 784).mean(axis=0) for digit in range(10)])
    nearest_centroid = mnist_model(centroids.T, -0.5 * (centroids**2).sum(axis=1))  # about 82% on the test split
    assert checks.check_min_accuracy(nearest_centroid, 0.8, linear_forward) is None


class LabelsAsPredictions:
    """A stand-in for a model whose calls answer the test labels, one-hot, and whose weights are `model`'s."""

    def __init__(self, model):
        self.trainable_weights = model.trainable_weights
        self.answers = iter(np.array_split(np.eye(10, dtype="float32")[load_mnist()[1][1]], 10))

    def __call__(self, images, training=False):
        return next(self.answers)


def test_check_min_accuracy_fails_predictions_that_the_weights_do_not_compute():
    """The test labels reported as predictions reach 100%, but the weights beside them compute other classes."""
    stand_in = LabelsAsPredictions(mnist_model(np.zeros((784, 10)), np.zeros(10)))
    with pytest.raises(CheckFailure) as failure:
        checks.check_min_accuracy(stand_in, 0.97, linear_forward)
    assert str(failure.value).startswith(
        "the predicted classes are not those of the model's own trained weights (the grader computed them from the "
        "weights): expected at least 99% the same, got 9.8% the same."
    )


def test_check_min_accuracy_on_the_test_split_needs_the_answers_forward_pass():
    with pytest.raises(ValueError, match="forward"):
        checks.check_min_accuracy(mnist_model(np.zeros((784, 10)), np.zeros(10)), 0.97)


# summarize on a Functional model and on a Sequential built without keras.Input


def functional_cnn(dense_activation="softmax"):
    """The Functional equivalent of `cnn()`: same layers, same names, plus Keras's InputLayer."""
    inputs = keras.Input(CNN_INPUT_SHAPE)
    x = keras.layers.Conv2D(2, 3, activation="relu", name="conv")(inputs)
    x = keras.layers.Flatten(name="flat")(x)
    outputs = keras.layers.Dense(10, activation=dense_activation, name="scores")(x)
    return keras.Model(inputs, outputs)


def test_summarize_leaves_out_the_input_layer_of_a_functional_model():
    model = functional_cnn()
    assert type(model.layers[0]).__name__ == "InputLayer"
    assert checks.summarize(model) == checks.summarize(cnn()) == CNN_SUMMARY


def test_check_layer_summary_counts_layers_of_a_functional_model_without_the_input_layer():
    with pytest.raises(CheckFailure) as failure:
        checks.check_layer_summary(functional_cnn(dense_activation="relu"), CNN_SUMMARY)
    assert str(failure.value).startswith("layer 2 (scores) has the wrong activation: expected softmax, got relu.")


def test_summarize_shows_batch_axis_as_none_for_a_sequential_built_by_calling_it():
    model = keras.Sequential(
        [
            keras.layers.Conv2D(2, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model(np.zeros((4, *CNN_INPUT_SHAPE), "float32"))
    assert model.layers[0].output.shape[0] == 4  # Keras keeps the batch size of the first call
    assert checks.summarize(model) == CNN_SUMMARY


# relative_error and check_close with a floor, scaled_floor


def test_relative_error_floor_bounds_the_denominator_near_zero():
    got, expected = [1e-6, 1.0], [0.0, 1.0]
    assert checks.relative_error(got, expected) == pytest.approx(1.0)
    assert checks.relative_error(got, expected, floor=1e-2) == pytest.approx(1e-4)


def test_relative_error_floor_leaves_errors_of_larger_values_unchanged():
    assert checks.relative_error([1.0, 1.1], [1.0, 0.9], floor=1e-2) == pytest.approx(0.1)


@pytest.mark.parametrize(("expected", "floor"), [([-4.0, 2.0], 0.04), ([[0.5], [-0.25]], 0.005)])
def test_scaled_floor_is_a_fraction_of_the_largest_absolute_reference_value(expected, floor):
    assert checks.scaled_floor(expected, fraction=1e-2) == pytest.approx(floor)


def test_scaled_floor_default_fraction_comes_from_settings():
    assert checks.scaled_floor([-4.0, 2.0]) == pytest.approx(4.0 * checks.FORWARD_PASS_FLOOR)


@pytest.mark.parametrize("expected", [np.zeros(3), np.zeros(0)], ids=["zeros", "empty"])
def test_scaled_floor_is_never_below_1e_8(expected):
    assert checks.scaled_floor(expected) == 1e-8


def test_check_close_with_scaled_floor_passes_on_rounding_near_zero():
    """An output that crosses zero: a 1e-8 rounding error on a 1e-9 value is no failure with a floor."""
    expected = np.array([1e-9, 1.0, -1.0])
    got = expected + 1e-8
    with pytest.raises(CheckFailure, match="does not match the reference"):
        checks.check_close(got, expected, "the outputs")
    assert checks.check_close(got, expected, "the outputs", floor=checks.scaled_floor(expected)) is None


def test_check_close_with_scaled_floor_still_fails_on_wrong_values():
    expected = np.array([1e-9, 1.0, -1.0])
    with pytest.raises(CheckFailure, match=r"relative error 4\.8e-02"):
        checks.check_close(expected * 1.1, expected, "the outputs", floor=checks.scaled_floor(expected))


# check_epoch_budget


class FitHistory:
    """What `check_epoch_budget` reads of the History that `fit()` returns: the list of epochs run."""

    def __init__(self, epochs):
        self.epoch = list(range(epochs))


@pytest.mark.parametrize("epochs", [1, 3])
def test_check_epoch_budget_passes_from_one_epoch_up_to_the_budget(epochs):
    assert checks.check_epoch_budget(FitHistory(epochs), 3) is None


def test_check_epoch_budget_fails_beyond_the_budget_with_expected_and_got():
    with pytest.raises(CheckFailure) as failure:
        checks.check_epoch_budget(FitHistory(4), 3)
    assert str(failure.value) == (
        "trained for too many epochs: expected at most 3, got 4.\n"
        "Hint: reach the accuracy within the budget: check the data scaling and the optimizer."
    )


@pytest.mark.parametrize(
    "history", [FitHistory(0), keras.callbacks.History(), None], ids=["no_epochs", "never_fit", "none"]
)
def test_check_epoch_budget_fails_without_epochs(history):
    with pytest.raises(CheckFailure) as failure:
        checks.check_epoch_budget(history, 3)
    assert str(failure.value) == "`history` holds no training epochs.\nHint: keep `history = model.fit(...)`."


def test_check_epoch_budget_reads_the_history_returned_by_fit(argmax_model):
    argmax_model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = argmax_model.fit(IMAGES, LABELS, epochs=2, verbose=0)
    assert checks.check_epoch_budget(history, 2) is None
    with pytest.raises(CheckFailure, match="expected at most 1, got 2"):
        checks.check_epoch_budget(history, 1)


def test_error_text_skips_the_keras_preamble_and_terminal_colours():
    from autograder.errors import error_text

    error = ValueError("Exception encountered when calling Dense.call().\n\n\x1b[1mCould not infer the shape\x1b[0m\n")
    assert error_text(error) == "ValueError: Could not infer the shape"
    assert error_text(NotImplementedError()) == (
        "NotImplementedError (the `raise NotImplementedError()` placeholder is still there)"
    )
