"""Assignment 1's references: the verdicts of its checks that need what only the grader may compute.

Each function takes the values the kernel observed (autograder/evidence.py) and raises
`CheckFailure` when they differ from the reference: the MNIST arrays as `load_raw_mnist` reads
them, the repaired SimpleNet as a NumPy forward pass, the parameter count of other sizes. The
kernel-side checks (`../checks.py`) call them where this folder is importable (a student's own
`check()`, the grader); in autograde's sandbox it is hidden, and the judge calls them.
"""

import functools

import numpy as np

from autograder import shared_checks as checks
from autograder.errors import CheckFailure
from autograder.references import mnist_test
from autograder.settings import DATA_ATOL, PROBABILITY_ATOL, WEIGHT_PLOT_MIN_ACCURACY


def check_same_images(split, pixels, samples):
    """Are the observed `pixels` those of the MNIST `split` images divided by 255, as far as they show?

    The sampled images must match pixel by pixel; every image's pixel sum must match up to the
    sum of the pixel tolerances (which a pixel-by-pixel match implies).
    """
    raw_images = _raw(split)[0]
    raw = raw_images.reshape(len(raw_images), -1)
    reference_sums = raw.sum(axis=1, dtype="float64") / 255.0
    tolerance = raw.shape[1] * DATA_ATOL + 2e-5 * np.abs(reference_sums)
    sums = np.asarray(pixels["sums"], dtype="float64")
    expected = raw_images[samples] / 255.0
    # Same shapes first: observed arrays are compared, never broadcast against the reference.
    same = (
        np.shape(pixels["samples"]) == expected.shape
        and np.allclose(pixels["samples"], expected, atol=DATA_ATOL)
        and sums.shape == reference_sums.shape
        and np.all(np.abs(sums - reference_sums) <= tolerance)
    )
    if not same:
        raise CheckFailure(
            f"`{split}_images` are not the MNIST {split} images in their original order, divided by 255",
            hint="keep images and labels in the order `load_raw_mnist()` returns them.",
        )


def check_same_labels(split, classes):
    """Are the observed label `classes` (None: not integers 0..255) the MNIST `split` labels, in order?"""
    if classes is None or not np.array_equal(classes, _raw(split)[1]):
        raise CheckFailure(
            f"`{split}_labels` are not the MNIST {split} labels in their original order",
            hint="keep images and labels together and do not shuffle or re-encode them by hand.",
        )


def _raw(split):
    train, test = _raw_mnist()
    return train if split == "train" else test


@functools.lru_cache(maxsize=1)
def _raw_mnist():
    """The raw MNIST arrays, read once per process (`check_data` compares both splits, images and labels)."""
    from autograder.data import load_raw_mnist

    return load_raw_mnist()


def expected_params(input_shape, hidden_layer_sizes, output_layer_sizes):
    """The parameter count of the repaired SimpleNet for these sizes."""
    sizes = [int(np.prod(input_shape)), *hidden_layer_sizes, output_layer_sizes[0]]
    return sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes, sizes[1:]))


def check_forward_pass(outputs, images, values, sizes):
    """Are the observed `outputs` of SimpleNet on `images`, with `values` as its weights, the reference's?

    Outputs that are not probabilities are passed through a softmax first: the output
    activation is `check_probabilities`'s property, so one bug loses one test.
    """
    if not np.allclose(outputs.sum(axis=-1), 1, atol=PROBABILITY_ATOL) or outputs.min() < 0:
        outputs = _softmax(outputs.astype("float64"))
    checks.check_close(
        outputs, reference_forward(images, values, sizes), "the output of SimpleNet on fixed weights",
        hint="hidden layers use ReLU and the input is flattened row by row, and no other layer changes the values.",
    )


def trained_forward(images, values, sizes):
    """SimpleNet with Dense layers between `sizes` (those of `SimpleNet()`), computed by the grader on `images` with the
    trained weights `values`, matched by shape; `CheckFailure` when `values` are not such a SimpleNet's weights."""
    shapes = sorted(shape for fan_in, fan_out in zip(sizes, sizes[1:]) for shape in ((fan_in, fan_out), (fan_out,)))
    got = sorted(tuple(np.shape(value)) for value in values)
    if got != shapes:
        raise CheckFailure(
            "the trained model's weights are not those of `SimpleNet()`", shapes, got,
            "train the model `SimpleNet()` builds, every layer trainable: the grader computes its predictions "
            "from those weights.",
        )
    return reference_forward(images, values, sizes)


def check_trained(values, sizes):
    """Are `values` the weights of a `SimpleNet()` (Dense layers between `sizes`) trained on MNIST, as far as its
    accuracy on the test split, computed by the grader, shows (`WEIGHT_PLOT_MIN_ACCURACY`)?"""
    from autograder.data import load_mnist_test

    images = load_mnist_test()[0]
    got = checks.accuracy(checks.classes_of(functools.partial(trained_forward, sizes=sizes), images, values),
                          mnist_test.labels())
    if got < WEIGHT_PLOT_MIN_ACCURACY:
        raise CheckFailure(
            f"the weights pictured are not a trained model's (the grader computed SimpleNet's accuracy from them on "
            f"{len(images):,} test images)", f"at least {WEIGHT_PLOT_MIN_ACCURACY:.0%}", f"{got:.1%}",
            "picture the weights of `model` after `model.fit(...)`.",
        )


def reference_forward(images, values, sizes):
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
