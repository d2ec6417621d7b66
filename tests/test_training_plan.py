"""Assignment 3 trained by the grader: the plan the kernel records (plan.py) and the grader's training (trainer.py).

During autograde the kernel's `fit()` only records its calls; the grader trains a fresh model
from that plan in a process of its own and counts the samples there. Each test runs the real
harness on the MNIST training split with the tiny model of `test_tune_training.py` and large
batches. Every refusal is tested both ways: the call the grader cannot replay fails with its
reason, in JupyterLab (the kernel trains) and when planning; a replayable variant of it trains.
"""

import json
import re

import keras
import numpy as np
import pytest
from keras import layers

import autograder  # noqa: F401  (sets KERAS_BACKEND and quiets TensorFlow before keras is imported)
from autograder.assignments.tune_training.checks import check_budget, read_record
from autograder.assignments.tune_training.grader.trainer import (
    GraderTraining,
    train_from_plan,
)
from autograder.assignments.tune_training.plan import (
    HISTORY_FILENAME,
    PLAN_FILENAME,
    PLANS_FOLDER,
    TRAINING_IMAGES,
    TRAINING_LABELS,
    build_model_from_config,
    check_plan_config,
    read_plan,
)
from autograder.assignments.tune_training.training import (
    ARTIFACTS,
    MODEL_FILENAME,
    TRAINING_CELL,
    train_within_budget,
)
from autograder.errors import CheckFailure
from autograder.isolation.sandbox import Limits
from autograder.settings import MNIST_TRAIN_SIZE, SEED, TUNE_MAX_SAMPLES
from tests.test_tune_training import LARGE_BATCH, build_tiny_model, compiled, fit_train


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(SEED)


def planned(tmp_path, train, build_model=build_tiny_model, again=False):
    """Run the training cell as during autograde; return (the plan's folder, model, history, record).

    `again`: the folder may hold earlier plans; the newest is returned."""
    model, history, record = train_within_budget(build_model, train, tmp_path, planning=True)
    plans = sorted((tmp_path / PLANS_FOLDER).iterdir())
    assert again or len(plans) == 1
    return plans[-1], model, history, record


def trained_by_grader(tmp_path, train, build_model=build_tiny_model):
    """Plan in `tmp_path/kernel`, train from the plan into `tmp_path/grader`; return the grader's record."""
    (tmp_path / "kernel").mkdir()
    (tmp_path / "grader").mkdir()
    plan_folder, *_ = planned(tmp_path / "kernel", train, build_model)
    return train_from_plan(plan_folder, tmp_path / "grader")


# --------------------------------------------------------------------------------------
# The kernel plans; it does not train.
# --------------------------------------------------------------------------------------


def test_planning_trains_nothing_in_the_kernel_and_writes_no_model(tmp_path, capsys):
    plan_folder, model, history, record = planned(tmp_path, fit_train(epochs=2))
    untrained = keras.models.clone_model(model)
    assert record.error is None and (record.samples_seen, record.fit_calls) == (0, 1)
    assert not any((tmp_path / name).exists() for name in ARTIFACTS)
    assert history.history == {}, "filled in only once the grader trained"
    assert "the grader trains your model" in capsys.readouterr().out
    plan = read_plan(plan_folder)
    assert plan.error is None and len(plan.fits) == 1 and plan.fits[0]["arguments"]["epochs"] == 2
    assert [w.shape for w in model.get_weights()] == [w.shape for w in untrained.get_weights()]


def test_the_training_split_handed_to_train_is_named_in_the_plan_not_copied(tmp_path):
    def train(model, x_train, y_train):
        return compiled(model).fit(x_train.reshape(-1, 28, 28, 1), y_train, batch_size=LARGE_BATCH, verbose=0)

    plan_folder, *_ = planned(tmp_path, train)
    assert read_plan(plan_folder).fits[0]["arrays"] == {"x": TRAINING_IMAGES, "y": TRAINING_LABELS}
    assert not list(plan_folder.glob("*.npy"))


def test_arrays_the_student_made_travel_with_the_plan(tmp_path):
    def train(model, x_train, y_train):
        return compiled(model).fit(x_train[:4000], y_train[:4000], batch_size=LARGE_BATCH, verbose=0)

    plan_folder, *_ = planned(tmp_path, train)
    arrays = read_plan(plan_folder).fits[0]["arrays"]
    assert arrays == {"x": "0-x.npy", "y": "0-y.npy"}
    assert np.load(plan_folder / "0-x.npy").shape == (4000, 28, 28, 1)


# --------------------------------------------------------------------------------------
# The grader trains from the plan and counts what the kernel would have counted.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("train, samples, calls", [
    (fit_train(epochs=1), MNIST_TRAIN_SIZE, 1),
    (fit_train(epochs=2, validation_split=0.5), MNIST_TRAIN_SIZE, 1),
    (lambda model, x, y: [compiled(model).fit(x, y, batch_size=LARGE_BATCH, verbose=0) for _ in range(2)][-1],
     2 * MNIST_TRAIN_SIZE, 2),
    (lambda model, x, y: compiled(model).fit(np.concatenate([x, x[:, :, ::-1]]), np.concatenate([y, y]),
                                             batch_size=LARGE_BATCH, verbose=0), 2 * MNIST_TRAIN_SIZE, 1),
], ids=["one epoch", "validation split", "two fit calls", "augmented copies"])
def test_the_grader_counts_what_the_kernel_counts(tmp_path, train, samples, calls):
    (tmp_path / "lab").mkdir()
    _, _, in_kernel = train_within_budget(build_tiny_model, train, tmp_path / "lab", planning=False)
    by_grader = trained_by_grader(tmp_path, train)
    assert (in_kernel.samples_seen, in_kernel.fit_calls) == (by_grader.samples_seen, by_grader.fit_calls) == (
        samples, calls)
    assert by_grader.error is None and by_grader.saved and (tmp_path / "grader" / MODEL_FILENAME).is_file()
    check_budget(read_record(tmp_path / "grader"))


def test_the_grader_stops_fit_past_the_budget(tmp_path):
    record = trained_by_grader(tmp_path, fit_train(epochs=6))
    assert record.stopped_at_budget and record.samples_seen == TUNE_MAX_SAMPLES + LARGE_BATCH
    with pytest.raises(CheckFailure, match="more samples than the budget"):
        check_budget(record)


def test_the_grader_compiles_as_the_student_did_and_replays_callbacks_and_validation_data(tmp_path):
    def train(model, x_train, y_train):
        schedule = keras.optimizers.schedules.CosineDecay(0.001, 60, warmup_target=0.004, warmup_steps=10)
        model.compile(optimizer=keras.optimizers.Adam(schedule),
                      loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1), metrics=["accuracy"])
        labels = keras.utils.to_categorical(y_train, 10)
        return model.fit(
            x_train[:50_000], labels[:50_000], validation_data=(x_train[50_000:], labels[50_000:]), epochs=3,
            batch_size=2_500, class_weight={digit: 1.0 for digit in range(10)}, verbose=0,
            callbacks=[keras.callbacks.EarlyStopping(patience=1), keras.callbacks.ReduceLROnPlateau(factor=0.5)],
        )

    record = trained_by_grader(tmp_path, train)
    assert record.error is None and record.samples_seen == 150_000
    history = json.loads((tmp_path / "grader" / HISTORY_FILENAME.format(index=0)).read_text())
    assert len(history["val_accuracy"]) == 3 and history["accuracy"][-1] > 0.8
    model = keras.models.load_model(tmp_path / "grader" / MODEL_FILENAME)
    assert type(model.loss).__name__ == "CategoricalCrossentropy" and model.loss.label_smoothing == 0.1


def test_the_grader_starts_from_fresh_weights_whatever_the_kernel_set(tmp_path):
    """A twin trained in the kernel, its weights copied into the model, reaches nothing of the grader's model."""
    def train_a_twin(model, x_train, y_train):
        twin = keras.models.clone_model(model)
        compiled(twin)
        keras.Model.fit(twin, x_train, y_train, batch_size=LARGE_BATCH, epochs=6, verbose=0)
        model.set_weights(twin.get_weights())
        return compiled(model).fit(x_train[:2000], y_train[:2000], batch_size=LARGE_BATCH, verbose=0)

    record = trained_by_grader(tmp_path, train_a_twin)
    assert (record.samples_seen, record.fit_calls) == (2000, 1)
    twin_trained = np.load(next((tmp_path / "kernel" / PLANS_FOLDER).iterdir()) / "0-x.npy").shape[0]
    assert twin_trained == 2000


def test_the_kernel_error_is_the_training_outcome(tmp_path):
    def build_model():
        raise ValueError("no model yet")

    record = trained_by_grader(tmp_path, fit_train(), build_model)
    assert record.error == "ValueError: no model yet" and not record.saved
    with pytest.raises(CheckFailure, match="training did not complete: ValueError: no model yet"):
        check_budget(read_record(tmp_path / "grader"))


# --------------------------------------------------------------------------------------
# What the grader cannot replay fails the same way in the kernel and when planning.
# --------------------------------------------------------------------------------------


def _lambda_model():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Lambda(lambda x: x * 2),
                             layers.Dense(10, activation="softmax")])


def _weights_in_the_config():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(
        10, activation="softmax", kernel_initializer=keras.initializers.Constant(np.full((784, 10), 0.01)))])


def _weights_in_nested_lists():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(
        10, activation="softmax", kernel_initializer=keras.initializers.Constant(np.full((784, 10), 0.01).tolist()))])


def _statistics_layer():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Normalization(mean=0.13, variance=0.09),
                             layers.Flatten(), layers.Dense(10, activation="softmax")])


def _just_under_the_budget():
    """99,989 parameters: under the budget alone, over it with the numbers of the configuration."""
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(127, use_bias=False),
                             layers.Dense(3, use_bias=False), layers.Dense(10, activation="softmax")])


def _strips_of_digits(model, x_train, y_train):
    """Five digits side by side in one "sample": five times the images for the budget of one."""
    strips = x_train[:5000].reshape(1000, 5, 28, 28, 1).transpose(0, 2, 1, 3, 4).reshape(1000, 28, 140, 1)
    return compiled(model).fit(strips, y_train[:1000], batch_size=LARGE_BATCH, verbose=0)


def _history_inside_train(model, x_train, y_train):
    history = compiled(model).fit(x_train, y_train, batch_size=LARGE_BATCH, verbose=0)
    print(history.history["accuracy"][-1])
    return history


def _fit_with(**kwargs):
    def train(model, x_train, y_train):
        return compiled(model).fit(x_train, y_train, batch_size=LARGE_BATCH, verbose=0, **kwargs)
    return train


class _PrintEpochs(keras.callbacks.Callback):
    pass


def _custom_loss(model, x_train, y_train):
    model.compile(optimizer="adam", loss=lambda y, p: keras.ops.mean((p - y) ** 2))
    return model.fit(x_train, keras.utils.to_categorical(y_train, 10), batch_size=LARGE_BATCH, verbose=0)


def _uncompiled(model, x_train, y_train):
    return model.fit(x_train, y_train, batch_size=LARGE_BATCH, verbose=0)


def _dataset(model, x_train, y_train):
    import tensorflow as tf

    return compiled(model).fit(tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(LARGE_BATCH), verbose=0)


_NOT_ONE_NUMBER = "Constant initializer that is not one number"
REFUSED = {
    "a tf.data dataset": (build_tiny_model, _dataset, "`x` as _BatchDataset"),
    "a custom callback": (build_tiny_model, _fit_with(callbacks=[_PrintEpochs()]), "the callback _PrintEpochs"),
    "a LearningRateScheduler": (build_tiny_model, _fit_with(callbacks=[keras.callbacks.LearningRateScheduler(
        lambda epoch: 0.001)]), "the callback LearningRateScheduler"),
    "a loss of its own": (build_tiny_model, _custom_loss, "compiled with objects that are not Keras's own"),
    "no compile": (build_tiny_model, _uncompiled, "a model that is not compiled"),
    "a Lambda layer": (_lambda_model, fit_train(), "`Lambda` layer"),
    "weights in the configuration": (_weights_in_the_config, fit_train(), _NOT_ONE_NUMBER),
    "weights in nested lists": (_weights_in_nested_lists, fit_train(), _NOT_ONE_NUMBER),
    "a layer carrying statistics": (_statistics_layer, fit_train(), "the layer 'Normalization'"),
    "a configuration's numbers over the budget": (_just_under_the_budget, fit_train(),
                                                   "numbers in its configuration"),
    "images of several digits": (build_tiny_model, _strips_of_digits, "`x` of shape (None, 28, 140, 1)"),
    "the History read inside train": (build_tiny_model, _history_inside_train, "History of `fit()` was read inside"),
}


@pytest.mark.parametrize("planning", [False, True], ids=["training", "planning for the grader"])
@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_what_the_grader_cannot_replay_fails_with_its_reason(tmp_path, case, planning):
    build_model, train, reason = REFUSED[case]
    _, _, record = train_within_budget(build_model, train, tmp_path, planning=planning)
    assert record.error is not None and reason in record.error, record.error
    if case != "the History read inside train":  # that one is known only once fit() trained
        assert record.samples_seen == 0


# --------------------------------------------------------------------------------------
# A plan is untrusted input.
# --------------------------------------------------------------------------------------


def _with_constant_weights(plan):
    """The plan with its Dense layer initialized from a nested list: trained weights, written in by hand."""
    text = json.dumps(plan["model"])
    dense = json.loads(text)["config"]["layers"][-1]
    assert dense["class_name"] == "Dense"
    dense["config"]["kernel_initializer"] = {"module": "keras.initializers", "class_name": "Constant",
                                             "config": {"value": np.full((784, 10), 0.01).tolist()},
                                             "registered_name": None}
    model = json.loads(text)
    model["config"]["layers"][-1] = dense
    return {**plan, "model": model}


@pytest.mark.parametrize("change", [
    lambda plan: "{not json",
    lambda plan: json.dumps({**plan, "fits": "all of them"}),
    lambda plan: json.dumps({**plan, "fits": [{**plan["fits"][0], "arrays": {"x": "../../mnist.npz"}}]}),
    lambda plan: json.dumps({**plan, "fits": [{**plan["fits"][0], "callbacks": [{"class_name": "os.system"}]}]}),
    lambda plan: json.dumps(plan) + " " * 5_000_000,
    lambda plan: json.dumps(_with_constant_weights(plan)),
    lambda plan: json.dumps({**plan, "fits": [{**plan["fits"][0], "trainable": [False, False, "yes"]}]}),
], ids=["not JSON", "no list of calls", "an array outside the plan", "a callback not replayable", "too large",
        "weights put in the model's configuration", "trainable flags of the wrong form"])
def test_a_plan_not_written_by_the_training_cell_trains_nothing(tmp_path, change):
    def train(model, x_train, y_train):
        return compiled(model).fit(x_train[:2000], y_train[:2000], batch_size=LARGE_BATCH, verbose=0)

    (tmp_path / "kernel").mkdir()
    (tmp_path / "grader").mkdir()
    plan_folder, *_ = planned(tmp_path / "kernel", train)
    plan = json.loads((plan_folder / PLAN_FILENAME).read_text())
    (plan_folder / PLAN_FILENAME).write_text(change(plan))
    record = train_from_plan(plan_folder, tmp_path / "grader")
    assert record.error is not None and record.samples_seen == 0 and not record.saved
    with pytest.raises(CheckFailure, match="training did not complete"):
        check_budget(read_record(tmp_path / "grader"))


@pytest.mark.parametrize(("text", "words"), [
    ('{"fits": []}' + " " * 4 * 2**20, "more than 4 MiB"),
    (json.dumps({"fits": [], "error": None, "model": [{}] * 100_000}), "more than 100,000 values"),
    ('{"fits": [], "error": null, "model": ' + "[" * 64 + "]" * 64 + "}", "values nested more than 64 deep"),
], ids=["too large", "too many values", "nested too deep"])
def test_a_plan_over_its_bounds_is_refused_before_it_is_parsed(tmp_path, text, words):
    (tmp_path / PLAN_FILENAME).write_text(text)
    with pytest.raises(CheckFailure, match=rf"not one the training cell writes \(OutOfBounds: {words}\)"):
        read_plan(tmp_path)


# --------------------------------------------------------------------------------------
# The grader's side during autograde: train after the cell, hand the History back, grade only its model.
# --------------------------------------------------------------------------------------


def test_grader_training_trains_one_plan_the_training_cells_and_delivers_only_its_own_model(tmp_path):
    kernel, grader, graded = tmp_path / "kernel", tmp_path / "grader", tmp_path / "graded"
    for folder in (kernel, grader, graded):
        folder.mkdir()
    training = GraderTraining(kernel, grader)
    assert training.after_cell(600, "build_model") is None, "no plan yet"
    planned(kernel, fit_train(epochs=2))
    assert training.after_cell(600, "train") is None, "a plan of another cell than the training cell is not trained"
    _, _, history, _ = planned(kernel, fit_train(epochs=1), again=True)
    log = training.after_cell(600, TRAINING_CELL)
    assert "The grader trained your model" in log and f"{MNIST_TRAIN_SIZE:,} training samples" in log, log
    assert len(history.history["loss"]) == 1, "the kernel's History reads the grader's: the newest plan's"
    assert training.after_cell(600, TRAINING_CELL) is None, "each plan is trained once"
    planned(kernel, fit_train(epochs=1), again=True)
    assert "which the grader does not train" in training.after_cell(600, "after"), "one plan per notebook"
    assert [path.name for path in grader.iterdir()] == [training.newest.name]
    # Files the notebook wrote as if trained: never graded.
    (graded / MODEL_FILENAME).write_text("a classmate's model")
    (graded / ARTIFACTS[1]).write_text(json.dumps({"samples_seen": 1}))
    (graded / PLANS_FOLDER).mkdir()
    training.after_notebook(graded)
    assert read_record(graded).samples_seen == MNIST_TRAIN_SIZE
    assert (graded / MODEL_FILENAME).read_bytes() == (training.newest / MODEL_FILENAME).read_bytes()
    assert not (graded / PLANS_FOLDER).exists()


def test_grader_training_without_a_plan_delivers_nothing(tmp_path):
    (tmp_path / MODEL_FILENAME).write_text("written by the kernel")
    training = GraderTraining(tmp_path, tmp_path / "grader")
    assert training.after_cell(600, TRAINING_CELL) is None
    training.after_notebook(tmp_path)
    assert not any((tmp_path / name).exists() for name in ARTIFACTS)


def _fit_first(count):
    """A student's `train` on the first `count` training images: its plan carries them as array files."""
    def train(model, x_train, y_train):
        return compiled(model).fit(x_train[:count], y_train[:count], batch_size=LARGE_BATCH, verbose=0)

    return train


def _oversized(plan_folder):
    (plan_folder / PLAN_FILENAME).write_text(json.dumps(read_plan_text(plan_folder)) + " " * 5 * 2**20)


def _nested_deep(plan_folder):
    deep = "[" * 100_000 + "]" * 100_000
    (plan_folder / PLAN_FILENAME).write_text('{"fits": [], "error": null, "model": ' + deep + "}")


def _with_arrays(plan_folder, name):
    plan = read_plan_text(plan_folder)
    plan["fits"][0]["arrays"]["x"] = name
    (plan_folder / PLAN_FILENAME).write_text(json.dumps(plan))


def _linked_out(plan_folder):
    (plan_folder / "0-x.npy").unlink()
    (plan_folder / "0-x.npy").symlink_to(plan_folder.parents[2] / "outside" / "secret.npy")


def _sparse(plan_folder):
    with open(plan_folder / "0-x.npy", "wb") as array:
        array.truncate(8 * 2**30)


def _lookup_layer(plan_folder):
    plan = read_plan_text(plan_folder)
    plan["model"]["config"]["layers"].insert(1, {
        "module": "keras.layers", "class_name": "IntegerLookup", "registered_name": None,
        "config": {"name": "lookup", "vocabulary": "/etc/passwd"}})
    (plan_folder / PLAN_FILENAME).write_text(json.dumps(plan))


def read_plan_text(plan_folder):
    return json.loads((plan_folder / PLAN_FILENAME).read_text())


@pytest.mark.parametrize(("change", "words"), [
    (_oversized, "more than 4 MiB"),
    (_nested_deep, "more than 100,000 values"),
    (lambda plan_folder: _with_arrays(plan_folder, "../../etc/passwd"), "names an array file that is not in it"),
    (_linked_out, "'0-x.npy', a link"),
    (_sparse, "a sparse file of 8 GiB"),
    (_lookup_layer, "the layer 'IntegerLookup'"),
], ids=["5 MiB", "nested 100,000 deep", "an array named ../../etc/passwd", "a link out of the plan", "8 GiB sparse",
        "a layer reading a file"])
def test_a_malformed_plan_is_refused_on_sight_before_any_training(tmp_path, change, words):
    """Each plan is refused by the grader's look at it, in words: no training process is started."""
    kernel, grader, outside = tmp_path / "kernel", tmp_path / "grader", tmp_path / "outside"
    for folder in (kernel, grader, outside):
        folder.mkdir()
    np.save(outside / "secret.npy", np.zeros((10, 28, 28, 1), "float32"))
    plan_folder, *_ = planned(kernel, _fit_first(3000))
    change(plan_folder)
    training = GraderTraining(kernel, grader, Limits())  # as in grading: sparse files are looked for in a sandbox
    log = training.after_cell(600, TRAINING_CELL)
    assert log.startswith("The grader refused your training plan before training it:") and words in log, log
    assert "Budget:" not in log, "no training process ran"
    record = read_record(training.newest)
    assert words in record.error and record.samples_seen == 0 and not record.saved
    with pytest.raises(CheckFailure, match="training did not complete"):
        check_budget(record)


def test_a_plan_as_written_passes_the_graders_look(tmp_path):
    """The other way: the same plan untouched is trained."""
    (tmp_path / "kernel").mkdir()
    planned(tmp_path / "kernel", _fit_first(3000))
    assert "3,000 training samples" in GraderTraining(tmp_path / "kernel", tmp_path / "grader").after_cell(
        600, TRAINING_CELL)


def test_grader_training_writes_no_history_through_a_link_the_kernel_planted(tmp_path):
    """The grader writes the History beside the plan: a link planted there must not lead it elsewhere."""
    kernel, grader, outside = tmp_path / "kernel", tmp_path / "grader", tmp_path / "outside"
    for folder in (kernel, grader, outside):
        folder.mkdir()
    plan_folder, *_ = planned(kernel, fit_train(epochs=1))
    (plan_folder / HISTORY_FILENAME.format(index=0)).symlink_to(outside / "victim")
    log = GraderTraining(kernel, grader).after_cell(600, TRAINING_CELL)
    assert "a link" in log and not (outside / "victim").exists(), "the History went through the link"
    # A plans folder that is a link is not read at all.
    linked = tmp_path / "linked_kernel"
    linked.mkdir()
    (linked / PLANS_FOLDER).symlink_to(kernel / PLANS_FOLDER)
    assert GraderTraining(linked, tmp_path / "grader2").after_cell(600, TRAINING_CELL) is None


# --------------------------------------------------------------------------------------
# What the student changes between fit calls, and what the grader refuses to train on.
# --------------------------------------------------------------------------------------


def test_a_learning_rate_set_between_fit_calls_is_followed_by_the_grader(tmp_path):
    def train(model, x_train, y_train):
        model.compile(optimizer=keras.optimizers.Adam(1e-7), loss="sparse_categorical_crossentropy")
        model.fit(x_train[:2000], y_train[:2000], batch_size=LARGE_BATCH, verbose=0)
        model.optimizer.learning_rate = 0.003
        return model.fit(x_train, y_train, batch_size=LARGE_BATCH, verbose=0)

    record = trained_by_grader(tmp_path, train)
    assert record.error is None and record.samples_seen == 62_000
    model = keras.models.load_model(tmp_path / "grader" / MODEL_FILENAME)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.003)


def test_a_layer_frozen_between_fit_calls_is_frozen_by_the_grader(tmp_path):
    def train(model, x_train, y_train):
        compiled(model).fit(x_train[:2000], y_train[:2000], batch_size=LARGE_BATCH, verbose=0)
        model.layers[-1].trainable = False
        return compiled(model).fit(x_train[:2000], y_train[:2000], batch_size=LARGE_BATCH, verbose=0)

    (tmp_path / "kernel").mkdir()
    plan_folder, *_ = planned(tmp_path / "kernel", train)
    assert [fit["trainable"] for fit in read_plan(plan_folder).fits] == [[True, True], [True, False]]
    assert len(list(plan_folder.glob("*.npy"))) == 2, "an array given to two fit calls is written once per array"
    (tmp_path / "grader").mkdir()
    record = train_from_plan(plan_folder, tmp_path / "grader")
    assert record.error is None
    model = keras.models.load_model(tmp_path / "grader" / MODEL_FILENAME)
    assert [layer.trainable for layer in model.layers] == [True, False]


@pytest.mark.parametrize("with_test_images", [True, False], ids=["test images added", "training images only"])
def test_the_grader_refuses_to_train_on_the_test_images(tmp_path, with_test_images):
    from autograder.assignments.tune_training.grader.trainer import test_image_digests
    from autograder.data import load_mnist_test

    def train(model, x_train, y_train):
        extra_images, extra_labels = load_mnist_test() if with_test_images else (x_train[:500] * 0.5, y_train[:500])
        images, labels = np.concatenate([x_train[:3000], extra_images[:100]]), np.concatenate([y_train[:3000],
                                                                                               extra_labels[:100]])
        return compiled(model).fit(images, labels, batch_size=LARGE_BATCH, verbose=0)

    (tmp_path / "kernel").mkdir()
    (tmp_path / "grader").mkdir()
    plan_folder, *_ = planned(tmp_path / "kernel", train)
    record = train_from_plan(plan_folder, tmp_path / "grader", test_image_digests())
    if with_test_images:
        assert "was given 100 of MNIST's test images" in record.error and record.samples_seen == 0
    else:
        assert record.error is None and record.samples_seen == 3100


# --------------------------------------------------------------------------------------
# What a plan's model may be: every rule of `check_plan_config`, both ways.
# --------------------------------------------------------------------------------------


def _augmented_residual_model():
    inputs = keras.Input((28, 28, 1))
    x = inputs
    for augmentation in (layers.RandomRotation(0.05), layers.RandomTranslation(0.1, 0.1), layers.RandomZoom(0.1)):
        x = augmentation(x)
    x = layers.Conv2D(16, 3, padding="same", kernel_regularizer=keras.regularizers.L2(1e-4),
                      kernel_constraint=keras.constraints.MaxNorm(3, axis=[0, 1, 2]),
                      kernel_initializer=keras.initializers.Orthogonal())(x)
    x = layers.LeakyReLU(0.1)(layers.BatchNormalization()(x))
    y = layers.Conv2D(16, 3, padding="same")(x)
    x = layers.Concatenate()([layers.Add()([x, y]), x])
    x = layers.GlobalAveragePooling2D()(layers.MaxPooling2D()(x))
    return keras.Model(inputs, layers.Dense(10, activation="softmax", bias_initializer=keras.initializers.Constant(0.1))(x))


def _rows_as_a_sequence():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Reshape((28, 28)), layers.LSTM(32),
                             layers.Dense(10, activation="softmax")])


def _fifty_residual_blocks():
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(12, 3, padding="same")(inputs)
    for _ in range(50):
        x = layers.Add()([x, layers.Conv2D(12, 3, padding="same", activation="relu")(x)])
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(layers.GlobalAveragePooling2D()(x)))


@pytest.mark.parametrize("build", [_augmented_residual_model, _rows_as_a_sequence, _fifty_residual_blocks],
                         ids=["augmentation, residuals, regularizers", "rows as a sequence (LSTM)", "50 residual blocks"])
def test_an_honest_model_is_a_plan(build):
    config = json.loads(build().to_json())
    check_plan_config(config)
    assert build_model_from_config(config).count_params() > 0


def _tiny_config():
    return json.loads(build_tiny_model().to_json())


def _dense_setting(key, value):
    config = _tiny_config()
    config["config"]["layers"][-1]["config"][key] = value
    return config


def _lowercase_constant():
    return _dense_setting("kernel_initializer", {"module": "keras.initializers", "class_name": "constant",
                                                 "config": {"value": np.full((784, 10), 0.01).tolist()},
                                                 "registered_name": None})


def _rescaling_by_an_image():
    config = _tiny_config()
    config["config"]["layers"].insert(0, {"module": "keras.layers", "class_name": "Rescaling", "registered_name": None,
                                          "config": {"name": "r", "scale": np.ones((28, 28, 1)).tolist(), "offset": 0}})
    return config


def _wrapped(config_object):
    return _dense_setting("kernel_initializer", config_object)


def _many_layers_of_constants():
    """Values smuggled a few at a time: 5,100 layers that each rescale by constants of their own."""
    config = _tiny_config()
    config["config"]["layers"][1:1] = [
        {"module": "keras.layers", "class_name": "Rescaling", "registered_name": None,
         "config": {"name": f"r{index}", "scale": [1 + index / 1e4], "offset": [index / 1e4]}} for index in range(5100)]
    return config


REFUSED_CONFIGS = {
    "constants spread over 5,100 layers": (_many_layers_of_constants, "holds too many numbers: expected at most 10,000"),
    "a lowercase constant of trained weights": (_lowercase_constant, "Constant initializer that is not one number"),
    "a rescaling by a whole image": (_rescaling_by_an_image, "holds a list of 784 numbers"),
    "a path": (lambda: _dense_setting("name", "../../gradebook.db"), "names a file"),
    "a NumPy array": (lambda: _wrapped({"class_name": "__numpy__", "config": {"value": [1.0]}}), "holds a NumPy array"),
    "a tensor": (lambda: _wrapped({"module": "keras", "class_name": "__tensor__", "config": {"value": [1.0]}}),
                 "holds the object '__tensor__'"),
    "another package's model": (lambda: {**_tiny_config(), "module": "keras_hub.models"}, "not Keras's own"),
    "an object of another module": (lambda: _wrapped({"module": "os", "class_name": "system", "config": {}}),
                                    "holds the object 'system'"),
}


@pytest.mark.parametrize("case", REFUSED_CONFIGS, ids=list(REFUSED_CONFIGS))
def test_a_configuration_that_is_more_than_a_plan_is_refused_in_words(case):
    make, words = REFUSED_CONFIGS[case]
    with pytest.raises(CheckFailure, match=re.escape(words)):
        check_plan_config(make())


def test_a_plan_of_another_name_is_never_trained(tmp_path):
    """The grader trains plans named as the training cell names them (PLAN_NAME) only."""
    plan_folder, *_ = planned(tmp_path, fit_train(epochs=1))
    plan_folder.rename(plan_folder.parent / "zzz")
    assert GraderTraining(tmp_path, tmp_path / "grader").after_cell(600, TRAINING_CELL) is None
