"""Checks of assignment 4, "New assignment".

Each function takes what the student wrote (here the function `my_function`) and raises
`CheckFailure` naming the cause when it is wrong; it returns None when it passes. The
hidden cases are written in the hidden tests of the source notebook, not here: a
student's kernel can import this module.

The student's function is only called inside `observe` (autograder/evidence.py), whose probe
returns plain data: the grader runs the test cell again outside the kernel on that data, with
its own NumPy, so the comparisons below must not touch `my_function` itself. What they compare
with is the grader's side (`grader/references.py`): in autograde's sandbox it is hidden,
`references` is None, and the kernel only observes; the judge decides.
"""

import warnings

import numpy as np

from autograder.errors import CheckFailure, error_text
from autograder.evidence import hidden_grader_side, observe
from autograder.settings import SEED

try:
    import autograder.assignments.new_assignment.grader.references as references
except ModuleNotFoundError as error:
    references = hidden_grader_side(error, "autograder.assignments.new_assignment.grader")

# The visible case of `check_my_function`: the shapes of the image batches it tries.
_VISIBLE_SHAPES = ((4, 28, 28, 1),)


def _images(shape, offset=0):
    return np.random.default_rng(SEED + offset).integers(0, 256, size=shape, dtype="uint8")


def _call(my_function, images):
    try:
        # Warnings would go to stderr, and nbgrader scores a test cell that writes to stderr 0.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(my_function(images.copy()))
    except Exception as error:
        # "Not attempted" is told apart from "wrong": the placeholder gets its own hint.
        hint = "call `my_function` on a small uint8 array in a cell of your own to see the whole traceback."
        if isinstance(error, NotImplementedError):
            hint = "write `my_function` in its cell above, then run that cell again."
        raise CheckFailure(
            f"`my_function` on uint8 images of shape {images.shape} raised {error_text(error)}", hint=hint
        ) from None


def check_my_function(my_function, shapes=_VISIBLE_SHAPES):
    """Does `my_function` turn uint8 images of each shape in `shapes` into float32 values in [0, 1]?"""
    for offset, shape in enumerate(shapes):
        images = _images(shape, offset)
        got = observe(f"my_function on images of shape {shape}", lambda: _call(my_function, images))
        if got.dtype != np.float32:
            raise CheckFailure(
                f"`my_function` on images of shape {shape} returned the wrong dtype", "float32", got.dtype,
                'convert with `images.astype("float32")`: Keras layers compute in float32.',
            )
        if references is not None:
            references.check_scaled(got, images, f"`my_function` on images of shape {shape}")
