"""Assignment 3's training plan: what `train` asked `fit()` to do, as data the grader trains from.

During `nbgrader autograde` the student's kernel does not train. Each `model.fit(...)` call
of the student's `train` is recorded (`fit_call`): its arguments, the compile configuration
in force, the callbacks, and its arrays (the training split handed to `train` is named, not
copied). The locked training cell writes the plan, with the model's configuration (layers
only, no weights), to `.training/<n>/` in the notebook's folder, and the grader trains a
fresh model from it in a process of its own (`trainer.py`), counting the samples there.
Nothing the kernel does to Keras, to a twin model or to a counter reaches that count, and no
model file the notebook writes or copies is graded.

Outside autograde (JupyterLab, a self-learner's run) the kernel trains itself, but every
`fit()` call is first checked here, so a call the grader could not replay fails the same way
with the same message.

What the grader can replay: NumPy arrays (or tensors) for `x`, `y`, `sample_weight` and
`validation_data`; the scalar arguments of `fit()`; Keras's built-in layers, optimizers
(learning-rate schedules included), losses and metrics; the callbacks of `REPLAYABLE_CALLBACKS`.
"""

import hashlib
import inspect
import json
import math
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.bounded_json import JsonBounds, read_json
from autograder.errors import CheckFailure, error_text
from autograder.settings import MNIST_CLASSES, MNIST_IMAGE_SHAPE, TUNE_MAX_PARAMS

PLANS_FOLDER = ".training"
# Each plan is a folder of `PLANS_FOLDER` named by the time it was written, in nanoseconds, 20 digits: the newest sorts
# last. The grader trains no folder of another name.
PLAN_NAME = re.compile(r"\d{20}")
PLAN_FILENAME = "plan.json"
# The History of fit call number `index`, written next to the plan by the grader once it trained.
HISTORY_FILENAME = "history-{index}.json"
# A plan is read as untrusted input, parsed only within these bounds: the reference solution's plan takes 14 KB in
# 1,500 values nested 11 deep (Keras's configurations), and a model of many layers trained by several fit calls a few
# times that. A plan over them is not one the training cell wrote.
PLAN_BOUNDS = JsonBounds(max_bytes=4 * 2**20, max_values=100_000, max_depth=64)
# What the plan calls the arrays handed to `train` when `fit()` is given them unchanged.
TRAINING_IMAGES, TRAINING_LABELS = "training images", "training labels"

SCALAR_ARGUMENTS = (
    "batch_size", "epochs", "verbose", "validation_split", "shuffle", "initial_epoch", "steps_per_epoch",
    "validation_steps", "validation_batch_size", "validation_freq",
)
REPLAYABLE_CALLBACKS = ("EarlyStopping", "ReduceLROnPlateau", "TerminateOnNaN")
_REPLAYABLE = (
    "the grader trains your model from the arguments of `fit()`, outside your kernel: give `fit()` NumPy arrays, "
    "Keras's built-in layers, optimizers, losses and metrics, and only the callbacks "
    + ", ".join(REPLAYABLE_CALLBACKS) + " (a learning-rate schedule goes in the optimizer: keras.optimizers.schedules)."
)


def parameter_budget_failure(params, numbers=0):
    """The failure of a model of `params` parameters, over the budget with the `numbers` its configuration holds
    (which count too: `config_numbers`): it is not trained."""
    got = f"{params:,}" + (f" and {numbers:,} numbers in its configuration" if numbers else "")
    return CheckFailure(
        "the model is over the parameter budget, so it was not trained", f"at most {TUNE_MAX_PARAMS:,} parameters", got,
        "use fewer filters or units, or replace Flatten + Dense by GlobalAveragePooling2D.",
    )


def _refuse(what):
    raise CheckFailure(f"{what}, which the grader cannot train from", hint=_REPLAYABLE)


@dataclass
class FitCall:
    """One `fit()` call as data: JSON-able `arguments`, `arrays` by name, callbacks and compile configuration.

    `compiled` counts the `compile()` calls before this one: the grader compiles again when it changed.
    An entry of `arrays` is a NumPy array, or `TRAINING_IMAGES`/`TRAINING_LABELS` for the split handed to `train`.
    """

    arguments: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    callbacks: list = field(default_factory=list)
    compile_config: dict | None = None
    compiled: int = 0
    trainable: list = field(default_factory=list)  # each top-level layer's `trainable`, in order


def _array(name, value, training_split):
    """`value` as a numeric NumPy array, or the name of the training array it is."""
    images, labels = training_split
    if value is images:
        return TRAINING_IMAGES
    if value is labels:
        return TRAINING_LABELS
    if not isinstance(value, np.ndarray) and hasattr(value, "__array__") and not isinstance(value, (list, tuple, dict)):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        _refuse(f"`fit()` was given `{name}` as {type(value).__name__}, not a NumPy array")
    if value.dtype.kind not in "biuf" or value.ndim == 0:
        _refuse(f"`fit()` was given `{name}` as an array of {value.dtype} with shape {value.shape}")
    for known, kind in ((images, TRAINING_IMAGES), (labels, TRAINING_LABELS)):
        if value.shape == known.shape and value.dtype == known.dtype and np.array_equal(value, known):
            return kind
    return value


# What each array of a fit call may be: a sample is one MNIST image, with one label (a class or 10 scores).
_SHAPES = {
    "x": ((*MNIST_IMAGE_SHAPE,),), "validation_x": ((*MNIST_IMAGE_SHAPE,),),
    "y": ((), (1,), (MNIST_CLASSES,)), "validation_y": ((), (1,), (MNIST_CLASSES,)),
    "sample_weight": ((), (1,)), "validation_sample_weight": ((), (1,)),
}


def image_digests(images):
    """A short digest of each image of `images` (N, 28, 28[, 1]), taken on its pixels as bytes 0..255.

    Images scaled to [0, 1] and raw ones give the same digests, so a copy of a test image is
    recognized however it was scaled (not once it was changed).
    """
    images = np.asarray(images)
    if images.dtype.kind == "f" and images.size and float(np.max(images)) <= 1.0 + 1e-6:
        images = images * 255.0
    pixels = np.clip(np.rint(images), 0, 255).astype(np.uint8).reshape(len(images), -1)
    return {hashlib.blake2b(row.tobytes(), digest_size=8).digest() for row in pixels}


def check_not_test_images(arrays, test_digests):
    """Raise `CheckFailure` if the fit call's images hold any of MNIST's test images (`test_digests`)."""
    for name in ("x", "validation_x"):
        if name in arrays and test_digests:
            found = len(image_digests(arrays[name]) & test_digests)
            if found:
                raise CheckFailure(
                    f"`fit()` was given {found:,} of MNIST's test images in `{name}`",
                    hint="the model is graded on the test split: it may train on the training split only.",
                )


def check_shapes(arrays):
    """Raise `CheckFailure` unless each array of a fit call holds one MNIST image, label or weight per sample."""
    for prefix in ("", "validation_"):
        lengths = set()
        for name in ("x", "y", "sample_weight"):
            value = arrays.get(prefix + name)
            if value is None:
                continue
            if tuple(value.shape[1:]) not in _SHAPES[prefix + name]:
                expected = " or ".join(str((None, *shape)) for shape in _SHAPES[prefix + name])
                raise CheckFailure(
                    f"`fit()` was given `{prefix + name}` of shape {(None, *value.shape[1:])}, not {expected}",
                    hint="every training sample is one MNIST image of shape (28, 28, 1) with its label: the budget "
                         "counts samples, so an image may not hold several digits.",
                )
            lengths.add(len(value))
        if len(lengths) > 1:
            raise CheckFailure(f"`fit()` was given {prefix or 'training '}arrays of different lengths {sorted(lengths)}")


def _callback(callback):
    import keras

    name = type(callback).__name__
    if name not in REPLAYABLE_CALLBACKS or type(callback) is not getattr(keras.callbacks, name):
        _refuse(f"`fit()` was given the callback {name}")
    parameters = inspect.signature(type(callback).__init__).parameters
    config = {key: getattr(callback, key) for key in parameters if key not in ("self", "kwargs") and hasattr(callback, key)}
    if not all(value is None or isinstance(value, (bool, int, float, str)) for value in config.values()):
        _refuse(f"`fit()` was given the callback {name} with settings that are not plain numbers or words")
    return {"class_name": name, "config": config}


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not plain data")


def compile_config_of(model):
    """The model's compile configuration as plain data, checked to be rebuilt by Keras in safe mode."""
    import keras

    with warnings.catch_warnings():  # Keras warns about a lambda it serializes: the refusal below says why
        warnings.simplefilter("ignore")
        config = model.get_compile_config() if model.compiled else None
    if config is None:
        raise CheckFailure(
            "`fit()` was called on a model that is not compiled",
            hint="call `model.compile(optimizer=..., loss=..., metrics=['accuracy'])` in `build_model` or `train` first.",
        )
    try:
        text = json.dumps(config, default=_jsonable)
        config, rebuilt = json.loads(text), json.loads(text)  # Keras's from_config may change what it is given
        for key in ("optimizer", "loss", "metrics", "loss_weights", "weighted_metrics"):
            if rebuilt.get(key) is not None:
                keras.saving.deserialize_keras_object(rebuilt[key], safe_mode=True)
    except Exception as error:
        _refuse(f"the model was compiled with objects that are not Keras's own ({error_text(error)})")
    return config


def fit_call(model, arguments, training_split, compiled):
    """The `FitCall` of `model.fit` called with `arguments` (bound by name); raises `CheckFailure` if not replayable."""
    call = FitCall(compile_config=compile_config_of(model), compiled=compiled,
                   trainable=[bool(layer.trainable) for layer in model.layers])
    for name, value in arguments.items():
        if value is None:
            continue
        if name in ("x", "y", "sample_weight"):
            call.arrays[name] = _array(name, value, training_split)
        elif name == "validation_data":
            if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
                _refuse(f"`fit()` was given `validation_data` as {type(value).__name__}, not a tuple of arrays")
            for part, item in zip(("x", "y", "sample_weight"), value):
                if item is not None:
                    call.arrays[f"validation_{part}"] = _array("validation_data", item, training_split)
        elif name == "callbacks":
            callbacks = value if isinstance(value, (list, tuple)) else [value]
            call.callbacks = [_callback(callback) for callback in callbacks]
        elif name == "class_weight":
            if not isinstance(value, dict):
                _refuse(f"`fit()` was given `class_weight` as {type(value).__name__}, not a dict")
            call.arguments[name] = {str(int(key)): float(weight) for key, weight in value.items()}
        elif name in SCALAR_ARGUMENTS:
            value = value.item() if isinstance(value, np.generic) else value
            if not (value is None or isinstance(value, (bool, int, float, str))):
                _refuse(f"`fit()` was given `{name}` as {type(value).__name__}")
            call.arguments[name] = value
        else:
            _refuse(f"`fit()` was given `{name}`")
    if "x" not in call.arrays:
        _refuse("`fit()` was given no training images (`x`)")
    named = {TRAINING_IMAGES: training_split[0], TRAINING_LABELS: training_split[1]}
    check_shapes({name: named.get(value, value) if isinstance(value, str) else value
                  for name, value in call.arrays.items()})
    return call


_NO_WEIGHTS = ("the graded model starts from the random weights of its layers: weights, masks or tables "
               "cannot come with its configuration, only from training.")

# What a plan's model may be made of: Keras's built-in layers that compute, pool, normalize by batch, reshape, merge,
# regularize or augment images, in Sequential or Functional models. Left out are the layers that carry values or read
# files of their own (Normalization's statistics, Embedding, IntegerLookup's vocabulary, TextVectorization, ...) and
# any custom code: what the graded model knows comes from training under the budget only.
PLAN_LAYERS = frozenset({
    "InputLayer", "Dense", "EinsumDense", "Conv1D", "Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Conv2DTranspose",
    "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Reshape", "Permute",
    "ZeroPadding2D", "Cropping2D", "UpSampling2D", "Resizing", "CenterCrop", "Dropout", "SpatialDropout2D",
    "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "BatchNormalization",
    "LayerNormalization", "GroupNormalization", "UnitNormalization", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU",
    "Softmax", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Rescaling", "RandomFlip",
    "RandomRotation", "RandomTranslation", "RandomZoom", "RandomContrast", "RandomCrop",
    "RandomBrightness", "RandomErasing", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "Identity",
})
PLAN_MODELS = frozenset({"Sequential", "Functional", "Model"})
# What else a configuration may name: Keras's dtype policies and models (module "keras"), and, holding single numbers
# or short lists only, initializers, regularizers and constraints.
_KERAS_OBJECTS = frozenset({"DTypePolicy", "FloatDTypePolicy", *PLAN_MODELS})
_SETTING_MODULES = ("keras.initializers", "keras.regularizers", "keras.constraints")
# Every number a model's configuration holds (sizes, strides, rates, shapes, the links between layers) counts against
# the parameter budget, and there may be at most this many: the reference solution's configuration holds 147 numbers,
# a residual network of 50 blocks about 2,500. No list of numbers in it, nested or not, holds more than
# `MAX_NUMBERS_IN_LIST` (a kernel size, a shape, a padding).
MAX_CONFIG_NUMBERS = 10_000
MAX_NUMBERS_IN_LIST = 8


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def config_numbers(config):
    """How many numbers `config` (a model's configuration as plain data) holds, at any depth."""
    if isinstance(config, dict):
        return sum(config_numbers(value) for value in config.values())
    if isinstance(config, (list, tuple)):
        return sum(config_numbers(item) for item in config)
    return int(_is_number(config))


def numbers_in_list(value):
    """How many numbers the list `value` holds when it holds nothing else (numbers, None, lists of those); else None."""
    if not isinstance(value, (list, tuple)):
        return 1 if _is_number(value) else (0 if value is None else None)
    counts = [numbers_in_list(item) for item in value]
    return None if None in counts else sum(counts)


def _is_keras_module(module):
    return module == "keras" or str(module).startswith("keras.")


def _refuse_object(config, where, shown):
    raise CheckFailure(f"the configuration of {where} holds the object {shown}, which a training plan may not hold",
                       hint=_NO_WEIGHTS)


def _check_object(config, where):
    """Raise `CheckFailure` if the object `config` (a dict with a class name) is not one a plan may hold."""
    name, module = config.get("class_name"), config.get("module")
    shown = f"{str(name)[:40]!r}" + (f" of {str(module)[:40]}" if module else "")
    inner = config.get("config") if isinstance(config.get("config"), dict) else {}
    if name == "__numpy__":
        raise CheckFailure(f"the configuration of {where} holds a NumPy array", hint=_NO_WEIGHTS)
    if module is None:
        if name != "__keras_tensor__":
            _refuse_object(config, where, shown)
    elif str(module).startswith(("keras.layers", "keras.src.layers")):
        if name not in PLAN_LAYERS:
            raise CheckFailure(
                f"the model holds the layer {shown}, which a training plan may not hold",
                hint="build the model from Keras's layers that compute, pool, normalize by batch, reshape, recur or "
                     "augment images (Conv2D, Dense, MaxPooling2D, BatchNormalization, Dropout, LSTM, RandomRotation, "
                     "...): " + _NO_WEIGHTS,
            )
    elif name in PLAN_MODELS:
        if not _is_keras_module(module):
            raise CheckFailure(f"the configuration of {where} names the model {shown}, not Keras's own")
    elif module == "keras":
        if name not in _KERAS_OBJECTS:
            _refuse_object(config, where, shown)
    elif module in _SETTING_MODULES:
        if str(name).lower() == "constant" and not _is_number(inner.get("value", 0)):
            raise CheckFailure(f"the configuration of {where} holds a Constant initializer that is not one number",
                               hint=_NO_WEIGHTS)
    else:
        _refuse_object(config, where, shown)


def _looks_like_a_path(text):
    return text.startswith(("/", "~", "file:")) or "../" in text or "\\" in text


def check_plan_config(config):
    """Raise `CheckFailure`, in words, unless `config` is only a plan: Keras's layers of `PLAN_LAYERS` in Keras's
    models, with no weights, tables or file paths, and at most `MAX_CONFIG_NUMBERS` numbers in all.

    Returns how many numbers it holds (`config_numbers`), which count against the parameter budget."""
    numbers = config_numbers(config)
    if numbers > MAX_CONFIG_NUMBERS:
        raise CheckFailure(
            "the model's configuration holds too many numbers", f"at most {MAX_CONFIG_NUMBERS:,}", f"{numbers:,}",
            hint="a plan names its layers and their sizes, in far fewer numbers: " + _NO_WEIGHTS,
        )
    _check_plan_part(config, "the model")
    return numbers


def _check_plan_part(config, where):
    if isinstance(config, dict):
        if "class_name" in config:
            _check_object(config, where)
            inner = config.get("config") if isinstance(config.get("config"), dict) else {}
            name = inner.get("name")
            if isinstance(name, str) and str(config.get("module", "")).startswith("keras.layers"):
                where = f"layer {name[:40]!r}"
        for value in config.values():
            _check_plan_part(value, where)
    elif isinstance(config, (list, tuple)):
        numbers = numbers_in_list(config)
        if numbers is not None and numbers > MAX_NUMBERS_IN_LIST:
            raise CheckFailure(f"the configuration of {where} holds a list of {numbers} numbers", hint=_NO_WEIGHTS)
        if numbers is None:  # a list of layers, links or names: each item looked at in turn
            for item in config:
                _check_plan_part(item, where)
    elif isinstance(config, str) and _looks_like_a_path(config):
        raise CheckFailure(f"the configuration of {where} names a file ({config[:60]!r})", hint=_NO_WEIGHTS)


def model_config_of(model):
    """The model's configuration as plain data (no weights), checked to be rebuilt from Keras's built-in layers."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = json.loads(model.to_json())
    except Exception as error:
        raise CheckFailure(
            f"the model's configuration cannot be saved ({error_text(error)})",
            hint="return a `keras.Sequential` or Functional `keras.Model` made of Keras's built-in layers.",
        ) from None
    config.pop("compile_config", None)  # compiling is part of each fit call (`compile_config_of`)
    build_model_from_config(config)
    return config


def build_model_from_config(config):
    """A model with fresh weights from `config`, with Keras's built-in layers only (safe mode); `CheckFailure` if not.

    A configuration that is more than a plan is refused (`check_plan_config`); so is a model that does not take
    MNIST's images, and one whose parameters and configuration's numbers together are over the budget.
    """
    import keras

    numbers = check_plan_config(config)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = keras.models.model_from_json(json.dumps(config))
    except Exception as error:
        raise CheckFailure(
            f"the model cannot be rebuilt from its configuration ({error_text(error)})",
            hint="`build_model()` must use Keras's built-in layers only (no custom classes or Lambda layers), "
                 "so the grader can train it without your code.",
        ) from None
    try:
        if not model.built:
            model.build((None, *MNIST_IMAGE_SHAPE))
        shapes = model.input_shape if isinstance(model.input_shape, list) else [model.input_shape]
    except Exception as error:
        raise CheckFailure(f"the model does not take MNIST's images ({error_text(error)})") from None
    if len(shapes) != 1 or tuple(shapes[0])[1:] not in ((*MNIST_IMAGE_SHAPE,), (None, None, 1)):
        raise CheckFailure("the model does not take MNIST's images", "inputs of shape (None, 28, 28, 1)",
                           str(model.input_shape))
    if model.count_params() + numbers > TUNE_MAX_PARAMS:
        raise parameter_budget_failure(model.count_params(), numbers)
    return model


# Writing and reading plans ------------------------------------------------------------


def new_plan_name():
    """The name of a plan written now (`PLAN_NAME`)."""
    return f"{time.time_ns():020d}"


def write_plan(folder, model_config, calls, error=None):
    """Write a plan to `folder` (created): `plan.json` last, once its arrays are written."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    fits, written = [], {}  # an array given to several fit calls is written once
    for index, call in enumerate(calls):
        arrays = {}
        for name, value in call.arrays.items():
            if isinstance(value, str):
                arrays[name] = value
                continue
            digest = hashlib.sha256(f"{value.dtype}{value.shape}".encode() + value.tobytes()).hexdigest()
            if digest not in written:
                written[digest] = f"{index}-{name}.npy"
                np.save(folder / written[digest], value, allow_pickle=False)
            arrays[name] = written[digest]
        fits.append({"arguments": call.arguments, "arrays": arrays, "callbacks": call.callbacks,
                     "compile_config": call.compile_config, "compiled": call.compiled, "trainable": call.trainable})
    plan = {"model": model_config, "fits": fits, "error": error}
    (folder / PLAN_FILENAME).write_text(json.dumps(plan, default=_jsonable))


@dataclass
class Plan:
    """A plan read back, by the grader: the model's configuration, the fit calls, the kernel's error if any."""

    folder: Path
    model_config: dict | None
    fits: list
    error: str | None

    def array_file(self, name):
        """The path of the array file `name` of this plan; `CheckFailure` unless it is a file in the plan's folder."""
        path = self.folder / name
        if Path(name).name != name or name in ("", ".", "..") or not path.is_file() or path.is_symlink():
            raise CheckFailure(f"the training plan names an array file that is not in it ({name[:40]!r})")
        return path

    def check_arrays_named(self):
        """Raise `CheckFailure` unless every array the fit calls name is the training split or a file of the plan."""
        for fit in self.fits:
            for value in fit["arrays"].values():
                if value not in (TRAINING_IMAGES, TRAINING_LABELS):
                    self.array_file(value)

    def arrays(self, fit, training_split):
        """The arrays of one fit call, loaded (the training split by name from `training_split`)."""
        images, labels = training_split
        named = {TRAINING_IMAGES: images, TRAINING_LABELS: labels}
        loaded = {}
        for name, value in fit["arrays"].items():
            loaded[name] = named[value] if value in named else np.load(self.array_file(value), allow_pickle=False)
        if not all(isinstance(value, np.ndarray) and value.dtype.kind in "biuf" for value in loaded.values()):
            raise CheckFailure("the training plan holds an array that is not numbers")
        check_shapes(loaded)
        return loaded


def read_plan(folder):
    """The plan in `folder`, read as untrusted input; `CheckFailure` if it is not one the training cell wrote."""
    path = Path(folder) / PLAN_FILENAME
    try:
        plan = read_json(path, PLAN_BOUNDS)
        fits = plan["fits"]
        if not isinstance(fits, list) or not all(isinstance(fit, dict) for fit in fits):
            raise ValueError("no list of fit calls")
        for fit in fits:
            if not (isinstance(fit["arguments"], dict) and isinstance(fit["arrays"], dict)
                    and isinstance(fit["callbacks"], list) and isinstance(fit["compiled"], int)
                    and isinstance(fit["trainable"], list) and all(isinstance(flag, bool) for flag in fit["trainable"])):
                raise ValueError("a fit call of the wrong form")
            if not all(isinstance(value, str) for value in fit["arrays"].values()):
                raise ValueError("an array named by something else than a file name")
        error = plan["error"]
        if error is not None and not isinstance(error, str):
            raise ValueError("an error that is not text")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckFailure(f"the training plan is not one the training cell writes ({error_text(error)})") from None
    return Plan(Path(folder), plan.get("model"), fits, error)


def scalar_arguments(fit):
    """The scalar arguments of a fit call, as `fit()` takes them, with the class weights' keys as numbers."""
    arguments = {name: value for name, value in fit["arguments"].items() if name in SCALAR_ARGUMENTS}
    if "class_weight" in fit["arguments"]:
        arguments["class_weight"] = {int(key): float(value) for key, value in fit["arguments"]["class_weight"].items()}
    for name, value in arguments.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise CheckFailure(f"`fit()` was given `{name}` = {value}")
    return arguments


def callbacks_of(fit):
    """The callbacks of a fit call, rebuilt from `REPLAYABLE_CALLBACKS` only."""
    import keras

    callbacks = []
    for entry in fit["callbacks"]:
        name = entry.get("class_name") if isinstance(entry, dict) else None
        if name not in REPLAYABLE_CALLBACKS or not isinstance(entry.get("config"), dict):
            _refuse(f"the training plan names the callback {str(name)[:40]}")
        try:
            callbacks.append(getattr(keras.callbacks, name)(**entry["config"]))
        except (TypeError, ValueError) as error:
            _refuse(f"the callback {name} cannot be made with the settings it was given ({error_text(error)})")
    return callbacks
