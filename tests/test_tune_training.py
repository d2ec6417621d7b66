"""Tests of assignment 3 ("Tune training"): its training harness (autograder/assignments/tune_training/training.py)
and its budget and grading checks (autograder/assignments/tune_training/checks.py).

`train_within_budget` is run for real on the MNIST training split with a tiny model
(Flatten + Dense(10), 7,850 parameters) and large batches, so each run takes seconds:
the counts it records are the samples that went through `fit()`, whatever `train` does.
Every check is run both ways: it passes on a record within budget and fails with a
`CheckFailure` naming the cause on each way of going over it. Only one test evaluates a
saved model in a clean process; the others stand in for the evaluation.
"""

import json
from dataclasses import asdict
from types import SimpleNamespace

import keras
import matplotlib
import numpy as np
import pytest
from keras import layers

import autograder  # noqa: F401  (sets KERAS_BACKEND and quiets TensorFlow before keras is imported)

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from autograder import shared_checks as checks  # noqa: E402
from autograder.assignments.tune_training import ASSIGNMENT  # noqa: E402
from autograder.assignments.tune_training import checks as tune_checks  # noqa: E402
from autograder.assignments.tune_training.checks import (  # noqa: E402
    accuracy_points,
    check_budget,
    check_training_budget,
    confusion_summary,
    grade_accuracy,
    read_record,
)
from autograder.assignments.tune_training.training import (  # noqa: E402
    MODEL_FILENAME,
    RECORD_FILENAME,
    TrainingRecord,
    plot_training_curves,
    train_within_budget,
)
from autograder.data import load_mnist_test  # noqa: E402
from autograder.errors import CheckFailure  # noqa: E402
from autograder.settings import (  # noqa: E402
    MNIST_TRAIN_SIZE,
    SEED,
    SIMPLENET_PARAMS,
    TUNE_ACCURACY_TIERS,
    TUNE_MAX_PARAMS,
    TUNE_MAX_SAMPLES,
)

TINY_PARAMS = 7_850
# Divides the training split (30 steps an epoch) and the budget (150 steps), so counts are exact.
LARGE_BATCH = 2_000


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(SEED)


def build_tiny_model():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10, activation="softmax")])


def compiled(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit_train(epochs=1, batch_size=LARGE_BATCH, **fit_kwargs):
    """A student's `train`: one `fit()` call with these arguments."""

    def train(model, x_train, y_train):
        return compiled(model).fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0, **fit_kwargs)

    return train


def write_record(folder, **fields):
    """A training record as the training cell writes it, with `fields` changed from a good run's."""
    record = TrainingRecord(params=TINY_PARAMS, samples_seen=MNIST_TRAIN_SIZE, fit_calls=1, seconds=3.0, saved=True)
    for name, value in fields.items():
        setattr(record, name, value)
    (folder / RECORD_FILENAME).write_text(json.dumps(asdict(record)))
    return record


@pytest.fixture(scope="module")
def one_epoch_run(tmp_path_factory):
    """`train_within_budget` with the tiny model and one epoch of batch 600: (folder, model, history, record)."""
    keras.utils.set_random_seed(SEED)
    folder = tmp_path_factory.mktemp("one_epoch")
    model, history, record = train_within_budget(build_tiny_model, fit_train(epochs=1, batch_size=600), folder)
    return folder, model, history, record


# --------------------------------------------------------------------------------------
# train_within_budget: what it counts.
# --------------------------------------------------------------------------------------


def test_one_epoch_of_fit_counts_the_training_split_and_saves_the_model(one_epoch_run):
    folder, model, history, record = one_epoch_run
    assert record.error is None
    assert (record.params, record.samples_seen, record.fit_calls) == (TINY_PARAMS, MNIST_TRAIN_SIZE, 1)
    assert record.saved and not record.stopped_at_budget
    assert record.seconds > 0
    assert len(history.history["loss"]) == 1
    assert (folder / MODEL_FILENAME).is_file()
    assert read_record(folder) == record
    check_budget(record)
    check_training_budget(folder)


def test_the_saved_model_is_the_trained_model(one_epoch_run):
    folder, model, _, _ = one_epoch_run
    saved = keras.models.load_model(folder / MODEL_FILENAME, compile=False)
    for trained_weights, saved_weights in zip(model.get_weights(), saved.get_weights(), strict=True):
        np.testing.assert_array_equal(trained_weights, saved_weights)


def test_train_is_handed_the_training_split_only(tmp_path):
    handed = {}

    def train(model, x_train, y_train):
        handed.update(x_shape=x_train.shape, y_shape=y_train.shape, x_max=float(x_train.max()))
        return None

    train_within_budget(build_tiny_model, train, tmp_path)
    assert handed == {"x_shape": (MNIST_TRAIN_SIZE, 28, 28, 1), "y_shape": (MNIST_TRAIN_SIZE,), "x_max": 1.0}


def test_validation_split_counts_only_the_training_samples(tmp_path):
    _, _, record = train_within_budget(build_tiny_model, fit_train(validation_split=0.5), tmp_path)
    assert record.error is None
    assert (record.samples_seen, record.fit_calls) == (MNIST_TRAIN_SIZE // 2, 1)


def test_every_fit_call_counts(tmp_path):
    def train_twice(model, x_train, y_train):
        compiled(model).fit(x_train, y_train, epochs=1, batch_size=LARGE_BATCH, verbose=0)
        return model.fit(x_train, y_train, epochs=1, batch_size=LARGE_BATCH, verbose=0)

    _, _, record = train_within_budget(build_tiny_model, train_twice, tmp_path)
    assert (record.samples_seen, record.fit_calls) == (2 * MNIST_TRAIN_SIZE, 2)
    check_budget(record)


def test_augmented_copies_count(tmp_path):
    def train_on_flipped_copies_too(model, x_train, y_train):
        images = np.concatenate([x_train, x_train[:, :, ::-1]])
        labels = np.concatenate([y_train, y_train])
        return compiled(model).fit(images, labels, epochs=1, batch_size=LARGE_BATCH, verbose=0)

    _, _, record = train_within_budget(build_tiny_model, train_on_flipped_copies_too, tmp_path)
    assert (record.samples_seen, record.fit_calls) == (2 * MNIST_TRAIN_SIZE, 1)


@pytest.mark.parametrize("planning", [False, True], ids=["training", "planning for the grader"])
def test_train_on_batch_is_refused_as_the_grader_cannot_replay_it(tmp_path, planning):
    def train_by_batches(model, x_train, y_train):
        compiled(model)
        for start in range(0, 1_000, 100):
            model.train_on_batch(x_train[start:start + 100], y_train[start:start + 100])

    _, _, record = train_within_budget(build_tiny_model, train_by_batches, tmp_path, planning=planning)
    assert "`train_on_batch` cannot be replayed by the grader" in record.error
    assert record.samples_seen == 0


def test_a_custom_loop_without_fit_counts_nothing_and_fails_the_budget_check(tmp_path):
    import tensorflow as tf

    def train_with_gradient_tape(model, x_train, y_train):
        optimizer = keras.optimizers.Adam()
        loss_fn = keras.losses.SparseCategoricalCrossentropy()
        for start in range(0, 500, 100):
            with tf.GradientTape() as tape:
                loss = loss_fn(y_train[start:start + 100], model(x_train[start:start + 100], training=True))
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_weights), model.trainable_weights))

    _, _, record = train_within_budget(build_tiny_model, train_with_gradient_tape, tmp_path)
    assert record.error is None and record.saved
    assert (record.samples_seen, record.fit_calls, record.stopped_at_budget) == (0, 0, False)
    with pytest.raises(CheckFailure, match="no training samples went through `model.fit\\(\\)`"):
        check_budget(record)
    with pytest.raises(CheckFailure, match="no training samples went through"):
        check_training_budget(tmp_path)


# --------------------------------------------------------------------------------------
# train_within_budget: the budget stops fit().
# --------------------------------------------------------------------------------------


def test_fit_asking_for_more_epochs_is_stopped_one_batch_past_the_budget_and_fails_the_budget_check(tmp_path):
    _, history, record = train_within_budget(build_tiny_model, fit_train(epochs=6), tmp_path)
    assert record.error is None and record.saved
    assert record.samples_seen == TUNE_MAX_SAMPLES + LARGE_BATCH
    assert record.stopped_at_budget
    assert len(history.history["loss"]) == TUNE_MAX_SAMPLES // MNIST_TRAIN_SIZE + 1
    with pytest.raises(CheckFailure, match="training consumed more samples than the budget"):
        check_budget(record)


def test_fit_of_exactly_the_budget_is_within_it(tmp_path):
    _, history, record = train_within_budget(build_tiny_model, fit_train(epochs=5), tmp_path)
    assert record.samples_seen == TUNE_MAX_SAMPLES and not record.stopped_at_budget
    check_budget(record)


def test_fit_past_a_spent_budget_is_stopped_after_one_batch_and_fails_the_budget_check(tmp_path):
    def train_then_train_again(model, x_train, y_train):
        epochs = TUNE_MAX_SAMPLES // MNIST_TRAIN_SIZE
        compiled(model).fit(x_train, y_train, epochs=epochs, batch_size=LARGE_BATCH, verbose=0)
        return model.fit(x_train, y_train, epochs=1, batch_size=LARGE_BATCH, verbose=0)

    _, history, record = train_within_budget(build_tiny_model, train_then_train_again, tmp_path)
    assert record.error is None and record.saved
    assert (record.samples_seen, record.fit_calls) == (TUNE_MAX_SAMPLES + LARGE_BATCH, 2)
    assert record.stopped_at_budget
    with pytest.raises(CheckFailure) as failure:
        check_budget(record)
    message = str(failure.value)
    assert "training consumed more samples than the budget" in message
    assert "expected at most 300,000 (5 passes over 60,000 images)" in message
    assert "got 302,000 in 2 `fit()` call(s)" in message
    assert "every `fit()` call and every augmented copy counts" in message


# --------------------------------------------------------------------------------------
# train_within_budget: the student's errors are recorded, not raised.
# --------------------------------------------------------------------------------------


def test_a_model_over_the_parameter_budget_is_not_trained(tmp_path, capsys):
    called = []

    def build_large_model():
        return keras.Sequential([
            keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(10),
        ])

    model, history, record = train_within_budget(build_large_model, lambda *args: called.append(args), tmp_path)
    assert called == [] and history is None
    assert record.params == SIMPLENET_PARAMS > TUNE_MAX_PARAMS
    assert (record.samples_seen, record.saved) == (0, False)
    assert "over the parameter budget, so it was not trained" in record.error
    assert f"expected at most {TUNE_MAX_PARAMS:,} parameters, got {SIMPLENET_PARAMS:,}" in record.error
    assert not (tmp_path / MODEL_FILENAME).exists()
    assert "Training failed: the model is over the parameter budget" in capsys.readouterr().out
    with pytest.raises(CheckFailure, match="training did not complete: the model is over the parameter budget"):
        check_budget(record)
    with pytest.raises(CheckFailure, match="over the parameter budget"):
        check_training_budget(tmp_path)


def test_build_model_raising_is_recorded_as_the_error(tmp_path):
    def build_model():
        raise NotImplementedError()

    model, history, record = train_within_budget(build_model, fit_train(), tmp_path)
    assert model is None and history is None
    assert record.error == "NotImplementedError (the `raise NotImplementedError()` placeholder is still there)"
    assert (record.samples_seen, record.saved) == (0, False)
    with pytest.raises(CheckFailure, match="training did not complete: NotImplementedError"):
        check_training_budget(tmp_path)


def test_build_model_returning_no_model_is_an_error(tmp_path):
    _, _, record = train_within_budget(lambda: "a model", fit_train(), tmp_path)
    assert record.error == "`build_model()` should return a Keras model: expected a keras.Model, got str."
    assert not record.saved
    with pytest.raises(CheckFailure, match="should return a Keras model"):
        check_budget(record)


def test_train_raising_keeps_the_samples_it_consumed(tmp_path):
    def train_then_fail(model, x_train, y_train):
        compiled(model).fit(x_train, y_train, epochs=1, batch_size=LARGE_BATCH, verbose=0)
        raise ValueError("learning rate schedule went wrong\nsecond line")

    _, _, record = train_within_budget(build_tiny_model, train_then_fail, tmp_path)
    assert record.error == "ValueError: learning rate schedule went wrong"
    assert (record.samples_seen, record.fit_calls, record.saved) == (MNIST_TRAIN_SIZE, 1, False)
    assert not (tmp_path / MODEL_FILENAME).exists()
    with pytest.raises(CheckFailure, match="training did not complete: ValueError: learning rate schedule"):
        check_budget(record)


def test_files_of_an_earlier_run_are_removed_before_training(tmp_path):
    (tmp_path / MODEL_FILENAME).write_bytes(b"a model from an earlier run")
    write_record(tmp_path, samples_seen=MNIST_TRAIN_SIZE)

    def build_model():
        raise ValueError("not written yet")

    train_within_budget(build_model, fit_train(), tmp_path)
    assert not (tmp_path / MODEL_FILENAME).exists()
    assert read_record(tmp_path).error == "ValueError: not written yet"


# --------------------------------------------------------------------------------------
# check_budget and check_training_budget on hand-written records.
# --------------------------------------------------------------------------------------


def test_check_budget_passes_at_exactly_the_budget():
    check_budget(TrainingRecord(params=TUNE_MAX_PARAMS, samples_seen=TUNE_MAX_SAMPLES, fit_calls=1, saved=True))


@pytest.mark.parametrize(
    ("fields", "phrases"),
    [
        ({"error": "ValueError: boom"}, ["training did not complete: ValueError: boom"]),
        ({"params": TUNE_MAX_PARAMS + 1}, ["over the parameter budget", "expected at most 100,000, got 100,001"]),
        ({"samples_seen": 0, "fit_calls": 0}, ["no training samples went through", "`model.fit(...)`"]),
        ({"samples_seen": TUNE_MAX_SAMPLES + 1}, ["more samples than the budget", "got 300,001 in 1 `fit()` call(s)"]),
        ({"saved": False}, ["the trained model was not saved"]),
    ],
    ids=["error", "over_params", "no_fit", "over_samples", "not_saved"],
)
def test_check_budget_fails_naming_the_cause(fields, phrases):
    record = TrainingRecord(params=TINY_PARAMS, samples_seen=MNIST_TRAIN_SIZE, fit_calls=1, saved=True)
    for name, value in fields.items():
        setattr(record, name, value)
    with pytest.raises(CheckFailure) as failure:
        check_budget(record)
    for phrase in phrases:
        assert phrase in str(failure.value)


def test_check_training_budget_reads_the_record_in_the_folder(tmp_path):
    write_record(tmp_path)
    check_training_budget(tmp_path)
    write_record(tmp_path, samples_seen=400_000)
    with pytest.raises(CheckFailure, match="more samples than the budget"):
        check_training_budget(tmp_path)


@pytest.mark.parametrize(("text", "words"), [
    ('{"error": "' + "x" * 2**16 + '"}', "more than 64 KiB"),
    ("[" + "{}," * 1_000 + "{}]", "more than 1,000 values"),
    ('{"params": ' + "[" * 8 + "]" * 8 + "}", "values nested more than 8 deep"),
], ids=["too large", "too many values", "nested too deep"])
def test_a_training_record_over_its_bounds_is_refused_before_it_is_parsed(tmp_path, text, words):
    (tmp_path / RECORD_FILENAME).write_text(text)
    with pytest.raises(CheckFailure, match=rf"not the one the training cell writes \(OutOfBounds: {words}\)"):
        check_training_budget(tmp_path)


def test_check_training_budget_without_a_record_says_the_cell_did_not_finish(tmp_path):
    with pytest.raises(CheckFailure) as failure:
        check_training_budget(tmp_path)
    assert "the training cell did not run to its end (no training record)" in str(failure.value)
    assert "train_within_budget(build_model, train)" in str(failure.value)


# --------------------------------------------------------------------------------------
# accuracy_points and confusion_summary.
# --------------------------------------------------------------------------------------


def _tier_edges():
    """(accuracy, points) at each tier's minimum and just below it, from the declared tiers."""
    edges, below = [(0.0, 0), (1.0, max(points for _, points in TUNE_ACCURACY_TIERS))], 0
    for minimum, points in sorted(TUNE_ACCURACY_TIERS):
        edges += [(minimum - 1e-4, below), (minimum, points)]
        below = points
    return edges


@pytest.mark.parametrize(("accuracy", "points"), _tier_edges())
def test_accuracy_points_at_the_tier_edges(accuracy, points):
    assert accuracy_points(accuracy) == points


def confusion_with_mistakes(mistakes):
    """A confusion matrix with 100 right per digit and `mistakes[(true, predicted)]` wrong."""
    confusion = np.diag(np.full(10, 100))
    for (true, predicted), count in mistakes.items():
        confusion[true, predicted] = count
    return confusion


def test_confusion_summary_names_the_worst_digits_and_what_they_are_read_as():
    confusion = confusion_with_mistakes({(4, 9): 7, (4, 1): 2, (7, 1): 3, (5, 3): 1, (8, 3): 1})
    assert confusion_summary(confusion) == [
        "  digit 4: 9 of 109 wrong, mostly read as 9 (7), 1 (2)",
        "  digit 7: 3 of 103 wrong, mostly read as 1 (3)",
        "  digit 5: 1 of 101 wrong, mostly read as 3 (1)",
    ]
    assert len(confusion_summary(confusion, worst=1)) == 1


def test_confusion_summary_of_a_perfect_model_is_empty():
    assert confusion_summary(confusion_with_mistakes({})) == []


# --------------------------------------------------------------------------------------
# grade_accuracy.
# --------------------------------------------------------------------------------------


def test_grade_accuracy_of_the_tiny_model_is_below_the_lowest_tier(one_epoch_run, capsys):
    folder, model, _, _ = one_epoch_run
    test_images, test_labels = load_mnist_test()
    accuracy = checks.accuracy(checks.predicted_classes(model, test_images), test_labels)
    assert 0.8 < accuracy < 0.98
    capsys.readouterr()
    with pytest.raises(CheckFailure) as failure:
        grade_accuracy(folder)
    assert f"test accuracy below the lowest tier: expected at least {TUNE_ACCURACY_TIERS[0][0]:.1%}" in str(failure.value)
    assert f"got {accuracy:.2%}" in str(failure.value)
    printed = capsys.readouterr().out
    assert f"Test accuracy {accuracy:.2%} on 10,000 images (measured in a clean process)." in printed
    tiers = ", ".join(f"{minimum:.1%}: {points}" for minimum, points in TUNE_ACCURACY_TIERS)
    assert f"Points by tier ({tiers}): 0 of {max(points for _, points in TUNE_ACCURACY_TIERS)}." in printed
    assert "Most mistakes:\n  digit " in printed


@pytest.fixture
def evaluations(monkeypatch):
    """Stand in for the clean-process evaluation: returns `result`, records the paths asked for."""
    fake = SimpleNamespace(paths=[], limits=[], result={
        "accuracy": 0.987, "params": TINY_PARAMS, "test_images": 10_000,
        "confusion": confusion_with_mistakes({(4, 9): 7}).tolist(),
    })

    def evaluate(path, limits=None):
        fake.paths.append(path)
        fake.limits.append(limits)
        return fake.result

    monkeypatch.setattr(tune_checks, "evaluate_in_clean_process", evaluate)
    return fake


def test_grade_accuracy_returns_the_points_of_the_tier_reached(tmp_path, evaluations, capsys):
    write_record(tmp_path)
    assert grade_accuracy(tmp_path, "the sandbox's limits") == 2
    assert evaluations.paths == [tmp_path / MODEL_FILENAME]
    assert evaluations.limits == ["the sandbox's limits"], "the evaluation runs in a sandbox with the notebook's limits"
    printed = capsys.readouterr().out
    assert "Test accuracy 98.70% on 10,000 images" in printed
    assert ": 2 of 3." in printed
    assert "Most mistakes:\n  digit 4: 7 of 107 wrong, mostly read as 9 (7)" in printed


def test_grade_accuracy_over_the_sample_budget_fails_without_evaluating(tmp_path, evaluations):
    write_record(tmp_path, samples_seen=400_000)
    with pytest.raises(CheckFailure) as failure:
        grade_accuracy(tmp_path)
    assert "more samples than the budget" in str(failure.value)
    assert "got 400,000" in str(failure.value)
    assert evaluations.paths == []


def test_grade_accuracy_without_a_record_fails_without_evaluating(tmp_path, evaluations):
    with pytest.raises(CheckFailure, match="did not run to its end"):
        grade_accuracy(tmp_path)
    assert evaluations.paths == []


def test_grade_accuracy_fails_when_the_saved_model_is_over_the_parameter_budget(tmp_path, evaluations):
    write_record(tmp_path)
    evaluations.result["params"] = TUNE_MAX_PARAMS + 1
    with pytest.raises(CheckFailure, match="the saved model is over the parameter budget: expected at most 100,000"):
        grade_accuracy(tmp_path)


# --------------------------------------------------------------------------------------
# plot_training_curves.
# --------------------------------------------------------------------------------------


def test_plot_training_curves_draws_training_and_validation_loss_and_accuracy():
    history = SimpleNamespace(history={
        "loss": [0.9, 0.5, 0.3], "val_loss": [0.8, 0.6, 0.5],
        "accuracy": [0.7, 0.85, 0.9], "val_accuracy": [0.75, 0.8, 0.82],
    })
    try:
        figure = plot_training_curves(history)
        assert isinstance(figure, Figure)
        loss_axes, accuracy_axes = figure.axes
        assert [line.get_label() for line in loss_axes.lines] == ["training loss", "validation loss"]
        assert [line.get_label() for line in accuracy_axes.lines] == ["training accuracy", "validation accuracy"]
        np.testing.assert_array_equal(loss_axes.lines[1].get_xydata(), [[1, 0.8], [2, 0.6], [3, 0.5]])
    finally:
        plt.close("all")


@pytest.mark.parametrize("history", [SimpleNamespace(history={}), None], ids=["empty_history", "none"])
def test_plot_training_curves_of_an_empty_history_says_what_is_missing(history):
    try:
        figure = plot_training_curves(history)
        assert isinstance(figure, Figure)
        loss_axes, accuracy_axes = figure.axes
        assert not loss_axes.lines and not accuracy_axes.lines
        assert [text.get_text() for text in loss_axes.texts] == ["no 'loss' in the History"]
        assert [text.get_text() for text in accuracy_axes.texts] == ["no 'accuracy' in the History"]
    finally:
        plt.close("all")


# --------------------------------------------------------------------------------------
# Training outside `train`, and the ways `fit()` may be called.
# --------------------------------------------------------------------------------------


def test_training_done_inside_build_model_does_not_carry_over(tmp_path):
    """Is the model handed to `train` a freshly initialized copy, so only `train`'s fit() counts?"""
    constant = 0.125
    received = {}

    def build_and_preset():
        model = build_tiny_model()
        model.set_weights([np.full(weight.shape, constant, "float32") for weight in model.get_weights()])
        return compiled(model)

    def train_nothing(model, x_train, y_train):
        received["weights"] = model.get_weights()
        return model.fit(x_train[:LARGE_BATCH], y_train[:LARGE_BATCH], batch_size=LARGE_BATCH, verbose=0)

    _, _, record = train_within_budget(build_and_preset, train_nothing, tmp_path)
    assert record.error is None and record.samples_seen == LARGE_BATCH
    kernel = received["weights"][0]
    assert not np.allclose(kernel, constant), "the weights set in build_model reached train"


def test_a_model_compiled_in_build_model_stays_compiled_for_train(tmp_path):
    def train_without_compiling(model, x_train, y_train):
        return model.fit(x_train, y_train, epochs=1, batch_size=LARGE_BATCH, verbose=0)

    _, history, record = train_within_budget(lambda: compiled(build_tiny_model()), train_without_compiling, tmp_path)
    assert record.error is None and record.samples_seen == MNIST_TRAIN_SIZE
    assert "accuracy" in history.history


@pytest.mark.parametrize("callbacks", [
    keras.callbacks.TerminateOnNaN(), [keras.callbacks.TerminateOnNaN()], None,
], ids=["one callback object", "a list", "None"])
def test_fit_accepts_callbacks_as_keras_does(tmp_path, callbacks):
    def train(model, x_train, y_train):
        return compiled(model).fit(x_train, y_train, batch_size=LARGE_BATCH, callbacks=callbacks, verbose=0)

    _, _, record = train_within_budget(build_tiny_model, train, tmp_path)
    assert record.error is None and record.samples_seen == MNIST_TRAIN_SIZE


def test_fit_with_positional_arguments_is_counted(tmp_path):
    def train(model, x_train, y_train):
        return compiled(model).fit(x_train, y_train, LARGE_BATCH, 1, 0)

    _, _, record = train_within_budget(build_tiny_model, train, tmp_path)
    assert record.error is None and (record.samples_seen, record.fit_calls) == (MNIST_TRAIN_SIZE, 1)


@pytest.mark.parametrize("content", ["{not json", json.dumps({"params": 1, "unknown_field": 2}), "x" * 70_000])
def test_a_record_not_written_by_the_training_cell_fails_the_budget_check(tmp_path, content):
    (tmp_path / RECORD_FILENAME).write_text(content)
    with pytest.raises(CheckFailure, match="not the one the training cell writes"):
        check_training_budget(tmp_path)


def test_the_accuracy_cell_is_worth_the_top_tier():
    """Do the notebook's points for the accuracy test equal the highest tier's (nbgrader rejects a higher score)?"""
    import nbformat

    from autograder.cells import grade_id_of
    from autograder.settings import COURSE_ROOT, TUNE_ACCURACY_TIERS

    top = max(points for _, points in TUNE_ACCURACY_TIERS)
    notebook = nbformat.read(COURSE_ROOT / "source" / ASSIGNMENT.name / ASSIGNMENT.filename, as_version=4)
    (cell,) = [cell for cell in notebook.cells if grade_id_of(cell) == "tuned_accuracy"]
    assert cell.metadata["nbgrader"]["points"] == top
