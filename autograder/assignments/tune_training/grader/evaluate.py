"""Measure a saved model on the MNIST test split, in a process of its own.

`python -I -m autograder.assignments.tune_training.grader.evaluate MODEL.keras` loads the model (Keras's built-in layers
only, safe mode) and the test split, and prints one line of JSON: the accuracy, the
parameter count and the mistakes per (true, predicted) class. It is started fresh for
every grade, on a copy of the model file (`autograder.isolation.clean_process`): whatever a
notebook did to `keras`, `numpy` or `autograder` in its own kernel cannot reach it.
"""

import json
import shutil
import sys
import warnings
from pathlib import Path

from autograder.errors import CheckFailure
from autograder.isolation.clean_process import clean_process
from autograder.settings import CLEAN_EVALUATION_TIMEOUT_SECONDS, MNIST_CLASSES, PREDICT_BATCH_SIZE


class WrongOutputShape(ValueError):
    """The saved model does not output one score per MNIST class."""


def evaluate_model_file(path):
    """Load the model at `path` and measure it on the test split; return the result as a dict."""
    import keras
    import numpy as np

    from autograder.data import load_mnist_test

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = keras.models.load_model(path, compile=False, safe_mode=True)
    images, labels = load_mnist_test()
    outputs = [
        np.asarray(model(images[start:start + PREDICT_BATCH_SIZE], training=False))
        for start in range(0, len(images), PREDICT_BATCH_SIZE)
    ]
    if outputs[0].shape[1:] != (MNIST_CLASSES,):
        raise WrongOutputShape(f"the model outputs shape {(None, *outputs[0].shape[1:])}, not (None, {MNIST_CLASSES})")
    predictions = np.concatenate([np.argmax(batch, axis=-1) for batch in outputs])
    confusion = np.zeros((MNIST_CLASSES, MNIST_CLASSES), dtype=int)
    np.add.at(confusion, (labels, predictions), 1)
    return {
        "accuracy": float(np.mean(predictions == labels)),
        "params": int(model.count_params()),
        "test_images": int(len(labels)),
        "confusion": confusion.tolist(),
    }


def evaluate_in_clean_process(path, timeout=CLEAN_EVALUATION_TIMEOUT_SECONDS, limits=None):
    """Run `evaluate_model_file(path)` in a fresh, isolated Python process (`clean_process`) and return its result.

    The process runs in a sandbox with `limits`, or unsandboxed when None (a student's own check).
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise CheckFailure(
            f"no saved model at {path.name}",
            hint="run the training cell above: it trains your model and saves it for grading.",
        )
    with clean_process(limits) as (folder, run):
        shutil.copyfile(path, folder / path.name)
        try:
            process = run([__name__, path.name], timeout)
        except TimeoutError:
            raise CheckFailure(f"evaluating the saved model took longer than {timeout} s") from None
    lines = process.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": (process.stderr.strip().splitlines() or ["no output"])[-1]}
    if "error" in result:
        if result["error"].startswith(WrongOutputShape.__name__):
            hint = f"end the model with `Dense({MNIST_CLASSES}, activation='softmax')`."
        elif process.returncode not in (0, 1):
            hint = f"the evaluating process ended with exit code {process.returncode} (out of memory?)."
        else:
            hint = (
                "`build_model()` must use Keras's built-in layers only (no custom classes or Lambda layers), "
                "so the model can be loaded without your code."
            )
        raise CheckFailure(f"the saved model could not be evaluated: {result['error']}", hint=hint)
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(json.dumps({"error": "usage: python -I -m autograder.assignments.tune_training.grader.evaluate MODEL.keras"}))
        return 2
    try:
        result = evaluate_model_file(argv[0])
    except Exception as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        print(json.dumps({"error": f"{type(error).__name__}: {first_line}"}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
