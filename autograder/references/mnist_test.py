"""The MNIST test labels, which decide every accuracy test: read by the grader, never by the kernel of autograde."""


def labels():
    """The class of each MNIST test image, in order."""
    from autograder.data import load_raw_mnist

    return load_raw_mnist()[1][1].astype("int64")
