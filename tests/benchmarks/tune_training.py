"""Benchmark: assignment 3's reference recipe against the Keras example "Simple MNIST convnet".

Run with `make benchmark-training` (about 20 minutes on 2 cores). Prints figures,
asserts nothing. Both recipes train in this process on the same machine: the Keras
example (Conv32-Conv64, batch 128, 15 epochs, Adam; about 99.2% in Keras's write-up)
once, as the baseline, and the reference solution of `source/03_tune_training` (its
own `build_model` and `train`, run through `train_within_budget` exactly as the
notebook does) on several seeds. For each: test accuracy, training seconds, and the
ratio to the baseline; then the reference's spread over seeds against the accuracy
tiers of the assignment.
"""

import statistics
import sys
import tempfile
import time

import keras
from keras import layers

from autograder.assignments.tune_training.training import train_within_budget
from autograder.checks import accuracy
from autograder.data import load_mnist, load_mnist_test
from autograder.settings import TUNE_ACCURACY_TIERS, TUNE_MAX_PARAMS, TUNE_MAX_SAMPLES
from tests.solutions import definitions

SEEDS = (1, 2, 3)


def keras_example(seed):
    """keras-io examples/vision/mnist_convnet.py, as published; returns (accuracy, seconds, params)."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(x_train, keras.utils.to_categorical(y_train, 10), batch_size=128, epochs=15, validation_split=0.1,
              verbose=0)
    return accuracy(model, x_test, y_test), time.perf_counter() - started, model.count_params()


def reference_functions():
    """`build_model` and `train` as the reference solution defines them, with the setup cell's imports."""
    namespace = definitions("03_tune_training", "build_model", "train")
    return namespace["build_model"], namespace["train"]


def reference(seed):
    """The reference recipe through `train_within_budget`; returns (accuracy, seconds, record)."""
    build_model, train = reference_functions()
    keras.utils.set_random_seed(seed)
    with tempfile.TemporaryDirectory() as folder:
        model, _, record = train_within_budget(build_model, train, folder)
    if record.error:
        sys.exit(f"the reference failed to train: {record.error}")
    return accuracy(model, *load_mnist_test()), record.seconds, record


def main():
    top_tier = max(TUNE_ACCURACY_TIERS)[0]
    print("Keras example 'Simple MNIST convnet' (15 epochs, batch 128), the baseline:", flush=True)
    base_accuracy, base_seconds, base_params = keras_example(SEEDS[0])
    print(f"  {base_params:,} parameters, test accuracy {base_accuracy:.2%}, training {base_seconds:.0f} s "
          f"({15 * 54_000:,} samples)", flush=True)
    print(f"\nReference recipe of 03_tune_training (budget {TUNE_MAX_PARAMS:,} parameters, "
          f"{TUNE_MAX_SAMPLES:,} samples), seeds {SEEDS}:", flush=True)
    accuracies, seconds = [], []
    for seed in SEEDS:
        test_accuracy, training_seconds, record = reference(seed)
        accuracies.append(test_accuracy)
        seconds.append(training_seconds)
        print(f"  seed {seed}: {record.params:,} parameters, {record.samples_seen:,} samples, test accuracy "
              f"{test_accuracy:.2%}, training {training_seconds:.0f} s "
              f"({training_seconds / base_seconds:.2f}x the baseline's time, "
              f"{(test_accuracy - base_accuracy) * 100:+.2f} points)", flush=True)
    print(f"\nReference over {len(SEEDS)} seeds: accuracy min {min(accuracies):.2%}, mean "
          f"{statistics.mean(accuracies):.2%}, max {max(accuracies):.2%} (spread "
          f"{(max(accuracies) - min(accuracies)) * 100:.2f} points); top tier {top_tier:.1%} cleared by "
          f"{(min(accuracies) - top_tier) * 100:+.2f} points at worst")
    print(f"Training time: median {statistics.median(seconds):.0f} s, "
          f"{statistics.median(seconds) / base_seconds:.2f}x the baseline's {base_seconds:.0f} s; "
          f"goal: 99.30% in under 60 s, reached: {min(accuracies) >= 0.993 and max(seconds) < 60}")


if __name__ == "__main__":
    main()
