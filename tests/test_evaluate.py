"""Tests of autograder/assignments/tune_training/grader/evaluate.py and of the clean-process grading in autograder/grading/stages/.

A small model (Flatten + Dense(10)) is trained briefly and saved once; it is evaluated in a
fresh process, and the result is compared with the same measurement made here. Each
evaluation starts Python and TensorFlow, so only a few tests do one. The nbgrader side is
tested without a kernel: `grader_outputs` is fed to nbgrader's own `determine_grade`.
"""

import json

import keras
import numpy as np
import pytest
from keras import layers
from nbformat.v4 import new_code_cell
from nbgrader.utils import determine_grade

import autograder  # noqa: F401  (sets KERAS_BACKEND and quiets TensorFlow before keras is imported)
from autograder import shared_checks as checks
from autograder.assignments import graded_outside_kernel
from autograder.assignments.tune_training import checks as tune_checks
from autograder.assignments.tune_training.grader import evaluate
from autograder.assignments.tune_training.grader.evaluate import evaluate_in_clean_process
from autograder.assignments.tune_training.training import ARTIFACTS, RECORD_FILENAME
from autograder.data import load_mnist_test, load_mnist_train
from autograder.errors import CheckFailure
from autograder.grading.judge import grader_outputs
from autograder.settings import MNIST_CLASSES, MNIST_TEST_SIZE, SEED


def build_tiny_model():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10, activation="softmax")])


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    """A tiny model trained one epoch on 10,000 training images, saved: (path, model)."""
    keras.utils.set_random_seed(SEED)
    x_train, y_train = load_mnist_train()
    model = build_tiny_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train[:10_000], y_train[:10_000], epochs=1, batch_size=100, verbose=0)
    path = tmp_path_factory.mktemp("evaluate") / "tiny.keras"
    model.save(path)
    return path, model


@pytest.fixture(scope="module")
def clean_result(saved_model):
    return evaluate_in_clean_process(saved_model[0])


# --------------------------------------------------------------------------------------
# evaluate_in_clean_process: the measurement.
# --------------------------------------------------------------------------------------


def test_clean_process_accuracy_equals_the_accuracy_measured_here(saved_model, clean_result):
    _, model = saved_model
    test_images, test_labels = load_mnist_test()
    assert clean_result["accuracy"] == checks.accuracy(checks.predicted_classes(model, test_images), test_labels)
    assert 0.8 < clean_result["accuracy"] < 0.98
    assert clean_result["params"] == model.count_params() == 7_850
    assert clean_result["test_images"] == MNIST_TEST_SIZE


def test_clean_process_confusion_counts_every_test_image_once(clean_result):
    confusion = np.asarray(clean_result["confusion"])
    _, test_labels = load_mnist_test()
    assert confusion.shape == (MNIST_CLASSES, MNIST_CLASSES)
    assert confusion.sum() == MNIST_TEST_SIZE
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(test_labels, minlength=MNIST_CLASSES))
    assert np.trace(confusion) / MNIST_TEST_SIZE == clean_result["accuracy"]


def test_clean_process_cannot_be_fooled_from_the_calling_process(saved_model, clean_result, monkeypatch, tmp_path):
    """Patched Keras, NumPy and autograder here, a fake `numpy` in the folder and on PYTHONPATH: same result."""

    def garbage(*args, **kwargs):
        return np.zeros(1)

    monkeypatch.setattr(keras.Model, "__call__", garbage)
    monkeypatch.setattr(keras.Model, "predict", garbage)
    monkeypatch.setattr(np, "argmax", garbage)
    monkeypatch.setattr(checks, "accuracy", lambda *args, **kwargs: 1.0)
    monkeypatch.setattr(evaluate, "evaluate_model_file", lambda path: {"accuracy": 1.0})
    (tmp_path / "numpy.py").write_text("raise SystemExit('the fake numpy was imported')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert evaluate_in_clean_process(saved_model[0]) == clean_result


# --------------------------------------------------------------------------------------
# evaluate_in_clean_process: models it cannot evaluate.
# --------------------------------------------------------------------------------------


def test_a_missing_model_file_fails_with_no_saved_model(tmp_path):
    with pytest.raises(CheckFailure) as failure:
        evaluate_in_clean_process(tmp_path / "tuned_model.keras")
    assert "no saved model at tuned_model.keras" in str(failure.value)
    assert "run the training cell above" in str(failure.value)


def test_a_corrupt_model_file_could_not_be_evaluated(tmp_path):
    path = tmp_path / "tuned_model.keras"
    path.write_bytes(np.random.default_rng(SEED).bytes(2_000))
    with pytest.raises(CheckFailure, match="the saved model could not be evaluated: "):
        evaluate_in_clean_process(path)


class Doubling(keras.layers.Layer):
    """A custom layer the clean process cannot know: it is not registered, and lives only here."""

    def call(self, inputs):
        return 2 * inputs


def test_a_model_with_a_custom_layer_could_not_be_evaluated(tmp_path):
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), Doubling(), layers.Dense(10)])
    path = tmp_path / "tuned_model.keras"
    model.save(path)
    with pytest.raises(CheckFailure) as failure:
        evaluate_in_clean_process(path)
    message = str(failure.value)
    assert "the saved model could not be evaluated: " in message
    assert "`build_model()` must use Keras's built-in layers only (no custom classes or Lambda layers)" in message


def test_an_evaluation_over_the_timeout_fails(saved_model):
    with pytest.raises(CheckFailure, match="evaluating the saved model took longer than 0.01 s"):
        evaluate_in_clean_process(saved_model[0], timeout=0.01)


# --------------------------------------------------------------------------------------
# main(): the command the clean process runs.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [[], ["a.keras", "b.keras"]], ids=["no_argument", "two_arguments"])
def test_main_with_wrong_arguments_exits_2_with_a_json_error(argv, capsys):
    assert evaluate.main(argv) == 2
    assert json.loads(capsys.readouterr().out) == {"error": "usage: python -I -m autograder.assignments.tune_training.grader.evaluate MODEL.keras"}


def test_main_on_a_missing_file_exits_1_with_the_error_type(tmp_path, capsys):
    assert evaluate.main([str(tmp_path / "missing.keras")]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error.startswith("ValueError: ") and "\n" not in error


def test_main_prints_the_result_as_one_json_line(saved_model, clean_result, capsys):
    assert evaluate.main([str(saved_model[0])]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1
    assert json.loads(printed[0]) == clean_result


# --------------------------------------------------------------------------------------
# grader_outputs: the grade of a test cell decided by a declared grader, outside the kernel.
# --------------------------------------------------------------------------------------


def graded_cell(outputs, points=3):
    cell = new_code_cell(
        source="grade_accuracy()",
        metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "grade_id": "tuned_accuracy",
            "points": points, "schema_version": 3,
        }},
    )
    cell.outputs = outputs
    return cell


def grade_two_points(folder, limits=None):
    print("Test accuracy 98.70% on 10,000 images.")
    return 2


def grade_below_the_lowest_tier(folder, limits=None):
    raise CheckFailure("test accuracy below the lowest tier", "at least 98.0%", "91.20%")


def test_grader_outputs_of_a_grade_are_its_printed_text_and_points(tmp_path):
    outputs = grader_outputs(grade_two_points, tmp_path)
    assert [output.output_type for output in outputs] == ["stream", "execute_result"]
    assert (outputs[0].name, outputs[0].text) == ("stdout", "Test accuracy 98.70% on 10,000 images.\n")
    assert outputs[1].data == {"text/plain": "2"}
    assert determine_grade(graded_cell(outputs)) == (2, 3)


def test_grader_outputs_of_a_failed_check_are_an_error(tmp_path):
    outputs = grader_outputs(grade_below_the_lowest_tier, tmp_path)
    assert [output.output_type for output in outputs] == ["error"]
    assert outputs[0].ename == "CheckFailure"
    assert outputs[0].evalue == "test accuracy below the lowest tier: expected at least 98.0%, got 91.20%."
    assert determine_grade(graded_cell(outputs)) == (0, 3)


def test_grader_outputs_keep_what_was_printed_before_a_failure(tmp_path):
    def grade(folder, limits=None):
        print("Test accuracy 91.20%.")
        grade_below_the_lowest_tier(folder)

    outputs = grader_outputs(grade, tmp_path)
    assert [output.output_type for output in outputs] == ["stream", "error"]
    assert determine_grade(graded_cell(outputs)) == (0, 3)


def test_grader_outputs_pass_the_folder_and_limits_to_the_grade(tmp_path):
    folders = []
    grader_outputs(lambda folder, limits: folders.append((folder, limits)) or 1, tmp_path, "the limits")
    assert folders == [(tmp_path, "the limits")]


def test_grader_outputs_of_a_garbage_record_score_zero_with_a_message(tmp_path):
    """A record the student's kernel overwrote with garbage must cost the cell, not crash nbgrader."""
    (tmp_path / RECORD_FILENAME).write_text("not json")
    outputs = grader_outputs(tune_checks.grade_accuracy, tmp_path)
    assert [output.output_type for output in outputs] == ["error"]
    assert outputs[0].ename == "CheckFailure" and "not the one the training cell writes" in outputs[0].evalue
    assert determine_grade(graded_cell(outputs)) == (0, 3)


def test_grader_outputs_of_an_unexpected_error_score_zero_instead_of_stopping_autograde(tmp_path):
    def grade(folder, limits=None):
        raise OSError("disk full")

    outputs = grader_outputs(grade, tmp_path)
    assert [(output.output_type, output.ename) for output in outputs] == [("error", "OSError")]
    assert determine_grade(graded_cell(outputs)) == (0, 3)


def test_tuned_accuracy_is_graded_in_a_clean_process():
    test = graded_outside_kernel()["tuned_accuracy"]
    assert (test.artifacts, test.grader) == (ARTIFACTS, tune_checks.grade_accuracy)


def test_grader_outputs_of_a_check_returning_none_have_no_score_output(tmp_path):
    """A passing check (None) leaves no execute_result, so nbgrader gives the cell full points."""
    outputs = grader_outputs(lambda folder, limits: print("within budget"), tmp_path)
    assert [output.output_type for output in outputs] == ["stream"]


def test_the_budget_test_is_also_scored_outside_the_kernel():
    outside = graded_outside_kernel()
    assert set(outside) == {"tuned_model_budget", "tuned_accuracy"}
    test = outside["tuned_model_budget"]
    assert (test.artifacts, test.grader) == (ARTIFACTS, tune_checks.check_training_budget)
