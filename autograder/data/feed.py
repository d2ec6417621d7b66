"""Feed `fit()` from a `tf.data` pipeline when it is handed NumPy arrays, the same samples either way.

`as_dataset(arguments)` takes the arguments of one `keras.Model.fit` call (by name, as
`inspect.signature(...).bind` gives them) and, when they hold in-memory NumPy arrays
that Keras would slice itself, returns them with `x` replaced by a shuffled, batched,
prefetched `tf.data.Dataset` of the same samples: `batch_size` (default 32, as Keras),
`shuffle`, `sample_weight` and `validation_split` (the last fraction of the arrays,
taken before shuffling, as Keras does) are carried into the pipeline. Any other call
(a dataset or generator already, `steps_per_epoch`, dict inputs, ...) is returned
unchanged, so a student's own pipeline is never rewritten. What `fit()` trains on, and
so what the budget counts, is the same; only the way the batches are made differs.
"""

import math

import numpy as np

_KERAS_DEFAULT_BATCH_SIZE = 32
# Calls with any of these set are left to Keras: their meaning depends on Keras's own adapter.
_LEFT_TO_KERAS = ("steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq")


def _is_array(value):
    return isinstance(value, np.ndarray) and value.ndim >= 1


def as_dataset(arguments):
    """`arguments` of a `fit()` call with NumPy `x`/`y` fed as a `tf.data.Dataset`; other calls unchanged."""
    x, y, weights = arguments.get("x"), arguments.get("y"), arguments.get("sample_weight")
    if not (_is_array(x) and _is_array(y) and len(x) == len(y)) or len(x) == 0:
        return arguments
    if weights is not None and not (_is_array(weights) and len(weights) == len(x)):
        return arguments
    if any(arguments.get(name) is not None for name in _LEFT_TO_KERAS):
        return arguments
    import tensorflow as tf

    arguments = dict(arguments)
    samples = (x, y) if weights is None else (x, y, weights)
    split = arguments.pop("validation_split", 0.0) or 0.0
    if split and arguments.get("validation_data") is None:
        keep = int(math.floor(len(x) * (1.0 - split)))
        if keep in (0, len(x)):
            return {**arguments, "validation_split": split}  # Keras's own error or no-op for such a split
        arguments["validation_data"] = tuple(part[keep:] for part in samples)
        samples = tuple(part[:keep] for part in samples)
    batch_size = arguments.pop("batch_size", None) or _KERAS_DEFAULT_BATCH_SIZE
    shuffle = arguments.pop("shuffle", True)
    dataset = tf.data.Dataset.from_tensor_slices(samples)
    if shuffle:
        dataset = dataset.shuffle(len(samples[0]), reshuffle_each_iteration=True)
    arguments["x"] = dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    # The pipeline shuffles; Keras warns on stderr when `fit()` is asked to shuffle a dataset (its default).
    arguments["shuffle"] = False
    arguments.pop("y", None)
    arguments.pop("sample_weight", None)
    return arguments
