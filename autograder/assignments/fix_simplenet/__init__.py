"""Assignment 1, "Fix the broken SimpleNet": its tests, declared once."""

from autograder.assignments import Assignment, GradedTest
from autograder.assignments.fix_simplenet import checks
from autograder.settings import SIMPLENET_MIN_ACCURACY

_MODEL = ("simplenet",)

TESTS = (
    GradedTest(
        "data_prepared", 1, "Are the four arrays MNIST, shaped (N, 28, 28, 1), scaled to [0, 1], with labels 0..9?",
        "Layers expect float inputs on a small scale with an explicit channel axis: change the dtype, rescale the "
        "0-255 pixels and add a last axis of length 1, keeping every image next to its label.",
        (checks.check_data,), ("prepare_data",),
    ),
    GradedTest(
        "simplenet_builds", 1, "Can SimpleNet() be constructed and called on a batch of images?",
        "A subclassed keras.Model creates its layers once in __init__, each under its own attribute "
        "(self.layers is Keras's own list), and chains them in call(); read the traceback from its first line.",
        (checks.check_builds,), _MODEL,
    ),
    GradedTest(
        "simplenet_output_shape", 1, "Does SimpleNet map (N, 28, 28, 1) images to (N, 10) outputs?",
        "A Dense layer acts on the last axis only, so a 28x28x1 image must become a vector of 784 values first "
        "(keras.layers.Flatten); the width of the last Dense layer sets the number of outputs.",
        (checks.check_output_shape,), _MODEL,
    ),
    GradedTest(
        "simplenet_param_count", 1, "Does SimpleNet() have 101,770 parameters: 784 -> 128 -> 10 with biases?",
        "A Dense layer from n inputs to m units holds n*m weights plus m biases; count 784 -> 128 -> 10 by hand "
        "and compare with model.summary() to find the missing or extra layer.",
        (checks.check_param_count,), _MODEL,
    ),
    GradedTest(
        "simplenet_probabilities", 1, "Does SimpleNet output one probability per class?",
        "The loss reads each output row as a probability distribution: non-negative values that sum to 1. "
        "Which activation of the last Dense layer guarantees that?",
        (checks.check_probabilities,), _MODEL,
    ),
    GradedTest(
        "simplenet_dropout", 1, "Does SimpleNet apply dropout while training?",
        "Keras calls a model with training=True inside fit(); a Dropout layer created once in __init__ and called "
        "with that flag zeroes a different random part of the activations on every training call.",
        (checks.check_dropout,), _MODEL,
    ),
    GradedTest(
        "simplenet_other_sizes", 1, "Does SimpleNet honour other input, hidden and output sizes? (more cases are hidden)",
        "The constructor's arguments are the specification: one hidden layer per entry of hidden_layer_sizes and "
        "output_layer_sizes[0] classes; any 128 or 10 written in the class breaks other sizes.",
        (checks.check_output_size, checks.check_other_sizes), _MODEL,
    ),
    GradedTest(
        "simplenet_inference_deterministic", 1, "Do repeated predictions on the same images agree? (more cases are hidden)",
        "At inference a model must be a pure function of its input: Keras calls it with training=False in predict() "
        "and evaluate(), so randomness only where training is True, and every layer created once in __init__.",
        (checks.check_inference_repeatable, checks.check_inference_deterministic), _MODEL,
    ),
    GradedTest(
        "simplenet_forward_pass", 1,
        "With fixed weights, does SimpleNet compute softmax(relu(x W1 + b1) W2 + b2)? "
        "(the values are checked by a hidden test)",
        "The reference is softmax(relu(x W1 + b1) W2 + b2) on the image flattened row by row: check each layer's "
        "activation, and that no other layer changes the values at inference.",
        (checks.check_weight_shapes, checks.check_forward_pass), _MODEL,
    ),
    GradedTest(
        "simplenet_accuracy", 2,
        f"Does the trained model reach {SIMPLENET_MIN_ACCURACY:.0%} on the MNIST test split within the epoch budget? "
        "(the accuracy is checked by a hidden test)",
        "Keep the History that fit() returns and stay within SIMPLENET_EPOCH_BUDGET epochs; a dense network with "
        "Adam on scaled images passes 97% in a few, so a low score points at the data or the loss.",
        (checks.check_epoch_budget, checks.check_accuracy), ("prepare_data", "simplenet", "train_simplenet"),
    ),
    GradedTest(
        "weight_plot", 1, "Does plot_first_layer_weights(model) draw 28x28 pictures of the first layer's weights?",
        "The first Dense kernel has shape (784, units): column j holds what hidden unit j responds to, and "
        "reshaped to 28x28 it is an image; plt.subplots gives one axis per picture for imshow.",
        (checks.check_weight_plot,), ("simplenet", "train_simplenet", "plot_weights"),
    ),
    GradedTest(
        "tutorial_claims", 2, "Which claims of the tutorial's text are wrong, and what is true instead?",
        "Check each claim against the Keras documentation: the backends Keras 3 runs on, the arguments of "
        "Dropout, the methods of keras.Model, and whether SimpleNet has any convolution at all.",
        (), (), manual=True,
    ),
)

ASSIGNMENT = Assignment("01_fix_simplenet", "fix_simplenet", "Fix the broken SimpleNet", TESTS, __name__)
