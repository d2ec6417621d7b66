"""Assignment 3's training, run by the grader from the plan the student's kernel wrote (`plan.py`).

`python -I -m autograder.assignments.tune_training.grader.trainer PLAN OUT` builds a fresh model from
the plan's configuration (Keras's built-in layers, safe mode), compiles it as the student did,
runs each recorded `fit()` call under the budget (`training.BudgetGuard`: the count is taken
in this process, where no code of the student's runs), and writes to `OUT` the trained model,
the training record and each call's History. During grading it runs in a sandbox of its own
(`autograder.isolation.clean_process`), with the training split of MNIST only.

`GraderTraining` is the grader's side during `nbgrader autograde`, the assignment's grading hooks
(autograder/assignments/hooks.py): after the locked training cell it looks at the newest plan the
kernel wrote (`inspect_plan`), trains it, the one plan of the notebook, hands the History back to
the kernel (for the training curves), and after the notebook puts the model it trained, and
nothing else, where the tests grade it.
"""

import functools
import json
import os
import shutil
import stat
import sys
import time
from pathlib import Path

from autograder.assignments.hooks import GradingHooks
from autograder.assignments.tune_training.plan import (
    HISTORY_FILENAME,
    PLAN_FILENAME,
    PLAN_NAME,
    PLANS_FOLDER,
    TRAINING_IMAGES,
    TRAINING_LABELS,
    build_model_from_config,
    callbacks_of,
    check_not_test_images,
    check_plan_config,
    image_digests,
    parameter_budget_failure,
    read_plan,
    scalar_arguments,
)
from autograder.assignments.tune_training.training import (
    ARTIFACTS,
    TRAINING_CELL,
    BudgetGuard,
    TrainingRecord,
    built,
    save_quietly,
    write_record,
)
from autograder.errors import CheckFailure, error_text
from autograder.isolation.clean_process import clean_process
from autograder.isolation.no_links import open_folder
from autograder.isolation.sandbox import describe_bytes, is_sparse
from autograder.settings import SEED, TUNE_MAX_PARAMS, TUNE_MAX_SAMPLES

_VALIDATION = {"validation_x": 0, "validation_y": 1, "validation_sample_weight": 2}


class _KernelFailure(Exception):
    """The student's error, as the kernel recorded it in the plan (build_model or train raised)."""


def _fit_arguments(plan, fit, training_split, test_digests):
    arrays = plan.arrays(fit, training_split)
    made = {name: value for name, value in arrays.items() if fit["arrays"][name] not in (TRAINING_IMAGES, TRAINING_LABELS)}
    check_not_test_images(made, test_digests)  # the training split, named, needs no look
    arguments = {**scalar_arguments(fit), "callbacks": callbacks_of(fit)}
    arguments.update({name: arrays[name] for name in ("x", "y", "sample_weight") if name in arrays})
    validation = [arrays[name] for name in _VALIDATION if name in arrays]
    if validation:
        arguments["validation_data"] = tuple(validation)
    # One line per epoch in the cell's output: a progress bar would print a line per update.
    arguments["verbose"] = 0 if arguments.get("verbose") == 0 else 2
    return arguments


def _set_trainable(model, flags):
    """Each top-level layer trainable or frozen as the student had it at this fit call."""
    if len(flags) != len(model.layers):
        raise CheckFailure("the training plan's layers are not the model's")
    for layer, flag in zip(model.layers, flags):
        layer.trainable = flag


def _learning_rate(compile_config):
    try:
        rate = compile_config["optimizer"]["config"]["learning_rate"]
    except (KeyError, TypeError):
        return None
    return rate if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None


def _follow_learning_rate(model, previous, current):
    """A learning rate the student set between two fit calls without compiling again, set here too.

    Only a change between the two records counts: in the kernel nothing trained between them, so a
    change the grader's own callbacks made (ReduceLROnPlateau) is kept.
    """
    before, after = _learning_rate(previous), _learning_rate(current)
    if after is not None and before != after and not callable(getattr(model.optimizer, "_learning_rate", None)):
        model.optimizer.learning_rate = float(after)


def train_from_plan(plan_folder, out_folder, test_digests=frozenset()):
    """Train a fresh model as the plan in `plan_folder` says, under the budget; write the results to `out_folder`.

    Returns the `TrainingRecord`. The student's errors, the kernel's included, are kept in the record.
    A fit call given any image of `test_digests` (`plan.image_digests` of MNIST's test split) is refused.
    """
    import keras

    from autograder.data import load_mnist_train
    from autograder.data.feed import as_dataset

    out_folder = Path(out_folder)
    record = TrainingRecord()
    started = time.perf_counter()
    try:
        plan = read_plan(plan_folder)
        record.fit_calls = len(plan.fits)
        if plan.error is not None:
            raise _KernelFailure(plan.error)
        if plan.model_config is None:
            raise CheckFailure("the training plan holds no model")
        keras.utils.set_random_seed(SEED)
        model = built(build_model_from_config(plan.model_config))
        record.params = model.count_params()
        if record.params > TUNE_MAX_PARAMS:
            raise parameter_budget_failure(record.params)
        guard = BudgetGuard(model, TUNE_MAX_SAMPLES, as_dataset)
        training_split = load_mnist_train() if plan.fits else (None, None)
        compiled = previous = None
        try:
            for index, fit in enumerate(plan.fits):
                _set_trainable(model, fit["trainable"])
                if fit["compiled"] != compiled:
                    model.compile_from_config(fit["compile_config"])
                    compiled = fit["compiled"]
                else:
                    _follow_learning_rate(model, previous, fit["compile_config"])
                previous = fit["compile_config"]
                history = model.fit(**_fit_arguments(plan, fit, training_split, test_digests))
                logs = {key: [float(value) for value in values] for key, values in history.history.items()}
                (out_folder / HISTORY_FILENAME.format(index=index)).write_text(json.dumps(logs))
        finally:
            guard.count_into(record)
        save_quietly(model, out_folder)
        record.saved = True
    except Exception as error:
        record.error = str(error) if isinstance(error, (CheckFailure, _KernelFailure)) else error_text(error)
        print(f"Training failed: {record.error}")
    record.seconds = time.perf_counter() - started
    write_record(out_folder, record)
    print(f"Budget: {record.describe()}")
    return record


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        print("usage: python -I -m autograder.assignments.tune_training.grader.trainer PLAN_FOLDER OUT_FOLDER [TEST_DIGESTS]")
        return 2
    digests = frozenset(bytes.fromhex(line) for line in Path(argv[2]).read_text().split()) if len(argv) == 3 else frozenset()
    train_from_plan(argv[0], argv[1], digests)
    return 0


@functools.cache
def test_image_digests():
    """The digests of MNIST's test images (read by the grader: the training process has the training split only)."""
    from autograder.data import load_raw_mnist

    return frozenset(image_digests(load_raw_mnist()[1][0]))


class GraderTraining(GradingHooks):
    """The grader's side of one notebook's training: trains one plan, the newest when the training cell is done.

    A plan is untrusted input: it is refused on sight (`inspect_plan`), before any training process
    starts, when it is not one the training cell writes. Its results go to the grader's own folder,
    outside the notebook's reach.
    """

    files = (PLANS_FOLDER,)

    def __init__(self, kernel_folder, grader_folder, limits=None):
        super().__init__(kernel_folder, grader_folder, limits)
        self.workdir = self.kernel_folder
        self.results = self.grader_folder
        self.seen = set()  # the names of the plans the kernel wrote so far
        self.newest = None  # the folder of the training's results, once trained

    def after_cell(self, seconds_left, grade_id=""):
        """After the training cell (`TRAINING_CELL`), train the newest plan, once; return the log, or None.

        A plan written by another cell is never trained: before the training cell, the training cell's
        own is newer; after it, the grader has trained the one plan it trains per notebook.
        """
        names = [name for name in _plan_names(self.workdir) if PLAN_NAME.fullmatch(name)]
        new = [name for name in names if name not in self.seen]
        self.seen.update(new)
        if not new:
            return None
        if self.newest is not None:
            return ("This cell wrote a training plan, which the grader does not train: it trains one plan per "
                    "notebook, the one the training cell wrote.\n")
        if grade_id != TRAINING_CELL:
            return None
        name = new[-1]
        out = self.results / name
        out.mkdir(parents=True)
        self.newest = out
        timeout = max(int(seconds_left), 1)
        with clean_process(self.limits, train_split_only=True, keep=("out/*",)) as (folder, run):
            refused = _copy_plan(self.workdir, name, folder / "plan", self.limits) or inspect_plan(folder / "plan")
            if refused:
                write_record(out, TrainingRecord(error=refused))
                return f"The grader refused your training plan before training it: {refused}\n"
            (folder / "out").mkdir()
            (folder / "test_digests.txt").write_text("\n".join(sorted(digest.hex() for digest in test_image_digests())))
            try:
                log = run(["autograder.assignments.tune_training.grader.trainer", "plan", "out", "test_digests.txt"],
                          timeout).stdout
            except TimeoutError:
                error = f"training took longer than the {timeout} s left to this notebook"
                log = f"Training failed: {error}.\n"
                write_record(out, TrainingRecord(error=error))
            for path in (folder / "out").iterdir():
                if path.is_file() and not path.is_symlink():
                    shutil.copyfile(path, out / path.name)
        if not (out / ARTIFACTS[1]).is_file():
            write_record(out, TrainingRecord(error="the grader's training process ended without a record (out of memory?)"))
        # The kernel's History objects read the grader's History files (see `training.TrainingHistory`).
        for history in sorted(out.glob(HISTORY_FILENAME.format(index="*"))):
            _write_beside_plan(self.workdir, name, history.name, history.read_bytes())
        return "The grader trained your model (outside your kernel):\n" + log

    def after_notebook(self, folder):
        """Put the model and record the grader trained (the newest plan's), and only those, in `folder`.

        The plans the kernel wrote are removed from `folder`: they were data for the grader only.
        """
        shutil.rmtree(Path(folder) / PLANS_FOLDER, ignore_errors=True)
        for filename in ARTIFACTS:
            (Path(folder) / filename).unlink(missing_ok=True)
            if self.newest is not None and (self.newest / filename).is_file():
                shutil.copyfile(self.newest / filename, Path(folder) / filename)


# The kernel's folder belongs to the student's code, which may replace any file or folder in it by a link while
# the grader works: the grader reads and writes there only through folders opened without following links
# (autograder/isolation/no_links.py).


def _plan_names(workdir):
    """The names of the complete plans in the kernel's folder (a regular `plan.json` in them), sorted."""
    try:
        descriptor = open_folder(workdir, PLANS_FOLDER)
    except OSError:
        return []
    try:
        names = []
        for entry in os.scandir(descriptor):
            if entry.is_dir(follow_symlinks=False):
                try:
                    inner = open_folder(workdir, PLANS_FOLDER, entry.name)
                except OSError:
                    continue
                try:
                    if stat.S_ISREG(os.stat(PLAN_FILENAME, dir_fd=inner, follow_symlinks=False).st_mode):
                        names.append(entry.name)
                except OSError:
                    pass
                finally:
                    os.close(inner)
        return sorted(names)
    finally:
        os.close(descriptor)


def _copy_plan(workdir, name, target, limits):
    """Copy the files of the plan `name` into the new folder `target`; return why the plan is refused, or None.

    A plan holds regular files only: each is opened without following a link and without waiting, and a
    link, a folder or a pipe refuses the plan. In a sandbox of `limits`, so does a plan larger than its
    `disk_bytes`, or holding a sparse file (one larger than what it holds, which a copy would fill).
    """
    target.mkdir()
    try:
        descriptor = open_folder(workdir, PLANS_FOLDER, name)
    except OSError:
        return "the plan's folder could not be opened (is it a link?)"
    left = limits.disk_bytes if limits else float("inf")
    try:
        for entry in os.scandir(descriptor):
            shown = repr(entry.name[:40])
            try:
                source = os.open(entry.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=descriptor)
            except OSError:
                return f"the plan holds {shown}, a link or a file the grader may not read; a plan holds files only"
            with os.fdopen(source, "rb") as reading:
                status = os.fstat(reading.fileno())
                if not stat.S_ISREG(status.st_mode):
                    return f"the plan holds {shown}, which is not a file (a folder or a pipe); a plan holds files only"
                if limits and is_sparse(status):
                    return f"the plan holds {shown}, a sparse file of {describe_bytes(status.st_size)}"
                if status.st_size > left:
                    return (f"the plan is larger than the {describe_bytes(limits.disk_bytes)} a notebook's folder "
                            "may hold")
                left -= status.st_size
                with open(target / entry.name, "wb") as writing:
                    shutil.copyfileobj(reading, writing)
    finally:
        os.close(descriptor)
    return None


def inspect_plan(folder):
    """Why the plan copied to `folder` is refused before training, in words; None when it may be trained.

    Read in the grader's own process, as untrusted input: the plan's bounds (`read_plan`), the arrays
    it names (files of the plan, or the training split) and its model's configuration (`check_plan_config`).
    Keras rebuilds the model only in the sandboxed training process.
    """
    try:
        plan = read_plan(folder)
        plan.check_arrays_named()
        if plan.model_config is not None:
            check_plan_config(plan.model_config)
    except CheckFailure as failure:
        return str(failure)
    return None


def _write_beside_plan(workdir, name, filename, data):
    """Write a new file `filename` in the plan `name` of the kernel's folder; nothing if anything is in the way."""
    try:
        descriptor = open_folder(workdir, PLANS_FOLDER, name)
    except OSError:
        return
    try:
        file = os.open(filename, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=descriptor)
        with os.fdopen(file, "wb") as writing:
            writing.write(data)
    except OSError:
        pass
    finally:
        os.close(descriptor)


if __name__ == "__main__":
    sys.exit(main())
