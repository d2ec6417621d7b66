"""Every threshold, tolerance, seed and budget of the course, defined once."""

from pathlib import Path

# The course folder: the checkout that holds the package (`nbgrader_config.py`, `source/`, `release/`), or, in a
# package installed from a wheel, the copy the wheel carries (`nbgrader_config.py` and `release/`; setup.py).
_CHECKOUT = Path(__file__).resolve().parent.parent
COURSE_ROOT = _CHECKOUT if (_CHECKOUT / "nbgrader_config.py").is_file() else Path(__file__).resolve().parent / "course"

SEED = 1234

MNIST_PATH = Path(__file__).parent / "data" / "mnist.npz"
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
MNIST_IMAGE_SHAPE = (28, 28, 1)
MNIST_CLASSES = 10
MNIST_TRAIN_SIZE = 60_000
MNIST_TEST_SIZE = 10_000

# A float32 forward pass agrees with a float64 NumPy reference to about 1e-7.
FORWARD_PASS_RTOL = 1e-5
# Outputs that can cross zero (a linear layer's, a convolution's) are compared relative to
# at least this fraction of the largest reference value, so rounding near zero is no failure.
FORWARD_PASS_FLOOR = 0.05
PROBABILITY_ATOL = 1e-5
# Scale of the fixed weights injected for forward-pass checks.
FIXED_WEIGHT_SCALE = 0.05
PREDICT_BATCH_SIZE = 1_000
# The accuracy tests score the classes the grader computes from the trained model's weights with its own forward pass
# of the answer, on every test image; the classes the kernel reported must be the same for this share of them (an
# honest model's are, but for a rare near-tie between float32 and float64): the test labels reported as predictions,
# or weights made up beside them, earn nothing.
PREDICTIONS_MIN_AGREEMENT = 0.99
# Prepared images may differ from raw / 255 by rounding, not by a different scaling.
DATA_ATOL = 1e-3

# The accuracy thresholds of assignments 1 and 2 sit at least one point below the lowest accuracy that the correct
# answers the course knows reached over 10 seeds (1234 and 1-9), rounded down to a whole percent: each answer trained
# by the notebook's own training cell, measured on the test split (`make benchmark-thresholds`, 2026-12-07;
# tests/accuracy_variants.py holds the answers). Correct answers written afterwards, in other styles, were not used to
# set them and must clear them; wrong ones must not (tests/test_thresholds.py trains each once).

# Assignment 1: the repaired SimpleNet. Its reference trains all 5 epochs (Adam, batch 128): over the 10 seeds the
# reference reaches 97.07-97.35%, the wrapped-Sequential and lazy variants 97.01-97.32% and 96.94-97.33%, so 95%
# keeps 1.94 points below the lowest. Held out: a Functional model inside (dropout 0.3, He-initialized) reaches
# 96.97-97.21% (it would have failed the former 97% threshold), keras.ops in `call` (dropout 0.1) 97.07-97.41%, batch
# 64 without a validation split 97.40-97.76%; wrong: a hidden layer without ReLU at most 92.56%, one epoch on 1,000
# images at most 65.61%. (The 5 epochs were set against the former 97%: 4 reached 97.01-97.10% over seeds 1234, 1
# and 2; they stay, so every correct answer keeps its margin.)
SIMPLENET_PARAMS = 101_770
SIMPLENET_EPOCH_BUDGET = 5
SIMPLENET_MIN_ACCURACY = 0.95
WEIGHT_PLOT_MIN_IMAGES = 16
WEIGHT_PLOT_MIN_CORRELATION = 0.99
# The weights pictured are a trained model's: computed by the grader from them, SimpleNet() reaches this accuracy on the
# test split. Random weights reach about 10%; one epoch on 1,000 images already reaches 59-66%, so a model that fails
# the accuracy test, however far, keeps this one.
WEIGHT_PLOT_MIN_ACCURACY = 0.50

# Assignment 2: dense and CNN layers. The CNN trains briefly: one epoch on part of the data.
# One epoch (Adam, batch 64) over seeds 1234, 1 and 2 reaches 94.06-94.37% on 10,000 images,
# 94.56-95.12% on 12,000, 95.30-95.78% on 15,000 and 95.96-96.42% on 20,000: 15,000 was chosen
# against the former 94% for three quarters of the training time, and stays. Over the 10 seeds the reference and the
# three correct variants reach 94.91-95.78%, so 93% keeps 1.91 points below the lowest. Held out: a Sequential grown
# with `add` and He-initialized reaches 95.81-96.49%, batch 32 95.68-96.63%; wrong: a tenth of the images at most
# 75.64%.
CNN_PARAMS = 34_826
CNN_DROPOUT_RATE = 0.5
CNN_TRAIN_IMAGES = 15_000
CNN_EPOCH_BUDGET = 1
CNN_MIN_ACCURACY = 0.93

# Assignment 3: tune training. The budget is the same on every machine: model size and
# training samples consumed by `fit()` (augmented copies included), not seconds.
TUNE_MAX_PARAMS = 100_000
TUNE_MAX_EPOCHS = 5
TUNE_MAX_SAMPLES = TUNE_MAX_EPOCHS * MNIST_TRAIN_SIZE
# (minimum test accuracy, points): the accuracy test scores the highest tier reached. Set
# from `make benchmark-training` (3 seeds): the Keras example "Simple MNIST convnet", untuned,
# within the budget (5 epochs) reaches 98.70-98.79%, over the middle tier; a tuned recipe
# (the previous reference: BatchNormalization, warm-up and cosine decay, 5 passes) reaches
# 99.10-99.32%, so the top tier sits 0.1 point under its worst seed; the worked example of
# the published solution reaches 99.32-99.39% in 3 passes. The notebook's introduction says so.
TUNE_ACCURACY_TIERS = ((0.980, 1), (0.985, 2), (0.990, 3))
# The saved model is evaluated in a fresh process; loading and predicting takes seconds.
CLEAN_EVALUATION_TIMEOUT_SECONDS = 120

# nbgrader runs each cell at most this long; the longest cell trains assignment 3's model
# (about 30 s for the reference on 2 cores; a student may spend the whole sample budget on a
# bigger model, and the machine may be slower or busier).
CELL_TIMEOUT_SECONDS = 600
