"""The `tf.data` feed of assignment 3's harness: the same samples as NumPy arrays, other calls left alone."""

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.trainers.data_adapters.array_slicing import train_validation_split  # noqa: E402

from autograder.assignments.tune_training.training import arrays_as_given, train_within_budget  # noqa: E402
from autograder.data.feed import as_dataset  # noqa: E402
from autograder.settings import MNIST_TRAIN_SIZE  # noqa: E402

SAMPLES = 103  # not a multiple of any batch size below: the last batch is partial


def arrays(samples=SAMPLES):
    images = np.arange(samples * 4, dtype="float32").reshape(samples, 2, 2, 1)
    return images, np.arange(samples, dtype="int64")


def batches(dataset):
    return [tuple(np.asarray(part) for part in batch) for batch in dataset]


def test_numpy_arrays_become_a_dataset_of_the_same_samples_shuffled_in_batches():
    x, y = arrays()
    fed = as_dataset({"x": x, "y": y, "batch_size": 10, "epochs": 2})
    assert fed.keys() == {"x", "epochs", "shuffle"} and fed["epochs"] == 2 and fed["shuffle"] is False
    epochs = [batches(fed["x"]), batches(fed["x"])]
    for epoch in epochs:
        assert [len(labels) for _, labels in epoch] == [10] * 10 + [3]
        labels = np.concatenate([labels for _, labels in epoch])
        images = np.concatenate([images for images, _ in epoch])
        assert sorted(labels) == list(y)
        np.testing.assert_array_equal(images, x[labels])  # every image stays with its label
        assert list(labels) != list(y)  # shuffled
    assert [labels.tolist() for _, labels in epochs[0]] != [labels.tolist() for _, labels in epochs[1]]


def test_shuffle_false_keeps_the_order_and_the_default_batch_size_is_keras_s():
    x, y = arrays()
    fed = as_dataset({"x": x, "y": y, "shuffle": False})
    fed_batches = batches(fed["x"])
    assert [len(labels) for _, labels in fed_batches] == [32, 32, 32, 7]
    np.testing.assert_array_equal(np.concatenate([labels for _, labels in fed_batches]), y)


def test_validation_split_takes_the_same_last_samples_as_keras():
    x, y = arrays()
    fed = as_dataset({"x": x, "y": y, "batch_size": 16, "validation_split": 0.15})
    (keras_x, keras_y), (keras_val_x, keras_val_y) = train_validation_split((x, y), validation_split=0.15)
    val_x, val_y = fed["validation_data"]
    np.testing.assert_array_equal(val_x, keras_val_x)
    np.testing.assert_array_equal(val_y, keras_val_y)
    assert sorted(np.concatenate([labels for _, labels in batches(fed["x"])])) == list(keras_y)
    assert "validation_split" not in fed


def test_validation_data_given_wins_over_a_split_as_in_keras():
    x, y = arrays()
    given = (x[:5], y[:5])
    fed = as_dataset({"x": x, "y": y, "validation_split": 0.5, "validation_data": given})
    assert fed["validation_data"] is given
    assert sum(len(labels) for _, labels in batches(fed["x"])) == SAMPLES


def test_sample_weights_travel_with_their_samples():
    x, y = arrays()
    weights = y.astype("float32") * 2
    fed = as_dataset({"x": x, "y": y, "sample_weight": weights, "batch_size": 50})
    for _, labels, batch_weights in batches(fed["x"]):
        np.testing.assert_array_equal(batch_weights, labels * 2)


@pytest.mark.parametrize("call", [
    pytest.param(lambda x, y: {"x": tf.data.Dataset.from_tensor_slices((x, y)).batch(8)}, id="a dataset"),
    pytest.param(lambda x, y: {"x": iter([(x[:8], y[:8])])}, id="a generator"),
    pytest.param(lambda x, y: {"x": {"image": x}, "y": y}, id="dict inputs"),
    pytest.param(lambda x, y: {"x": list(x), "y": list(y)}, id="lists"),
    pytest.param(lambda x, y: {"x": x, "y": y[:-1]}, id="lengths that differ (Keras's own error)"),
    pytest.param(lambda x, y: {"x": x, "y": y, "steps_per_epoch": 3}, id="steps_per_epoch"),
    pytest.param(lambda x, y: {"x": x, "y": y, "sample_weight": {"a": 1}}, id="odd sample weights"),
    pytest.param(lambda x, y: {"x": x, "y": None}, id="no labels"),
])
def test_other_calls_are_left_to_keras_unchanged(call):
    arguments = call(*arrays())
    assert as_dataset(arguments) is arguments


def test_arrays_as_given_changes_nothing():
    arguments = {"x": arrays()[0], "y": arrays()[1]}
    assert arrays_as_given(arguments) is arguments


def _build_tiny_model():
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])


def _train(model, x_train, y_train):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(x_train, y_train, epochs=1, batch_size=2_000, validation_split=0.25, verbose=0)


def test_the_harness_counts_the_same_samples_and_validates_the_same_way_whatever_the_feed(tmp_path):
    """The budget counts what fit() trains on: the tf.data feed and Keras's own slicing agree, validation apart."""
    results = {}
    for feed in (as_dataset, arrays_as_given):
        folder = tmp_path / feed.__name__
        folder.mkdir()
        keras.utils.set_random_seed(1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Python never prints a ResourceWarning by default, and the garbage collector can raise
            # one here for a process another test left behind: only warnings a kernel would show count.
            warnings.simplefilter("ignore", ResourceWarning)
            _, history, record = train_within_budget(_build_tiny_model, _train, folder, feed=feed)
        # A warning would reach the kernel's stderr, which costs a graded cell its points.
        assert [str(warning.message) for warning in caught] == []
        assert record.error is None
        results[feed.__name__] = (record.samples_seen, record.fit_calls, sorted(history.history))
    assert results["as_dataset"] == results["arrays_as_given"] == (
        MNIST_TRAIN_SIZE * 3 // 4, 1, ["accuracy", "loss", "val_accuracy", "val_loss"]
    )
