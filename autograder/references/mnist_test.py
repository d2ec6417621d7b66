"""The MNIST test labels, which decide every accuracy test: read by the grader, never by the kernel of autograde."""

import numpy as np

from autograder.settings import MNIST_TEST_SIZE, PREDICTIONS_CHECKED


def labels():
    """The class of each MNIST test image, in order."""
    from autograder.data import load_raw_mnist

    return load_raw_mnist()[1][1].astype("int64")


def drawn_indices(count=PREDICTIONS_CHECKED):
    """`count` indices of test images, drawn afresh each time: from no seed that a student's kernel could know."""
    return np.random.default_rng().choice(MNIST_TEST_SIZE, size=count, replace=False)
