"""Assignment 1, "Fix the broken SimpleNet": what its tests need besides the notebook, declared once."""

from autograder.assignments import Assignment, GradedTest
from autograder.assignments.fix_simplenet import checks

_MODEL = ("simplenet",)

TESTS = (
    GradedTest(
        "data_prepared",
        hint=(
            "Layers expect float inputs on a small scale with an explicit channel axis: change the dtype, rescale the "
            "0-255 pixels and add a last axis of length 1, keeping every image next to its label."
        ),
        checks=(checks.check_data,),
        uses=("prepare_data",),
    ),
    GradedTest(
        "simplenet_builds",
        hint=(
            "A subclassed keras.Model creates its layers once in __init__, each under its own attribute "
            "(self.layers is Keras's own list), and chains them in call(); read the traceback from its first line."
        ),
        checks=(checks.check_builds,),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_output_shape",
        hint=(
            "A Dense layer acts on the last axis only, so a 28x28x1 image must become a vector of 784 values first "
            "(keras.layers.Flatten); the width of the last Dense layer sets the number of outputs."
        ),
        checks=(checks.check_output_shape,),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_param_count",
        hint=(
            "A Dense layer from n inputs to m units holds n*m weights plus m biases; count 784 -> 128 -> 10 by hand "
            "and compare with model.summary() to find the missing or extra layer."
        ),
        checks=(checks.check_param_count,),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_probabilities",
        hint=(
            "The loss reads each output row as a probability distribution: non-negative values that sum to 1. "
            "Which activation of the last Dense layer guarantees that?"
        ),
        checks=(checks.check_probabilities,),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_dropout",
        hint=(
            "Keras calls a model with training=True inside fit(); a Dropout layer created once in __init__ and called "
            "with that flag zeroes a different random part of the activations on every training call."
        ),
        checks=(checks.check_dropout,),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_other_sizes",
        hint=(
            "The constructor's arguments are the specification: one hidden layer per entry of hidden_layer_sizes and "
            "output_layer_sizes[0] classes; any 128 or 10 written in the class breaks other sizes."
        ),
        checks=(checks.check_output_size, checks.check_other_sizes),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_inference_deterministic",
        hint=(
            "At inference a model must be a pure function of its input: Keras calls it with training=False in predict() "
            "and evaluate(), so randomness only where training is True, and every layer created once in __init__."
        ),
        checks=(checks.check_inference_repeatable, checks.check_inference_deterministic),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_forward_pass",
        hint=(
            "The reference is softmax(relu(x W1 + b1) W2 + b2) on the image flattened row by row: check each layer's "
            "activation, and that no other layer changes the values at inference."
        ),
        checks=(checks.check_weight_shapes, checks.check_forward_pass),
        uses=_MODEL,
    ),
    GradedTest(
        "simplenet_accuracy",
        hint=(
            "Keep the History that fit() returns and stay within SIMPLENET_EPOCH_BUDGET epochs; a dense network with "
            "Adam on scaled images passes 95% in a few, so a low score points at the data or the loss."
        ),
        checks=(checks.check_epoch_budget, checks.check_accuracy),
        uses=("prepare_data", "simplenet", "train_simplenet"),
    ),
    GradedTest(
        "weight_plot",
        hint=(
            "The first Dense kernel has shape (784, units): column j holds what hidden unit j responds to, and "
            "reshaped to 28x28 it is an image; plt.subplots gives one axis per picture for imshow."
        ),
        checks=(checks.check_weight_plot,),
        # The data too: the weights pictured must be a trained model's.
        uses=("prepare_data", "simplenet", "train_simplenet", "plot_weights"),
    ),
    GradedTest(
        "tutorial_claims",
        hint=(
            "Check each claim against the Keras documentation: the backends Keras 3 runs on, the arguments of "
            "Dropout, the methods of keras.Model, and whether SimpleNet has any convolution at all."
        ),
        rubric=(
            "Five claims are wrong: a convolutional network, Theano/ONNX/CNTK as backends, Dropout(axis=0), BERT or "
            "XLNet against overfitting, model.plot_weights(). 2 points: at least four named, each with what is true "
            "instead. 1 point: two or three, or four named without the corrections. 0: fewer than two. A true claim "
            "called false costs one of the points earned."
        ),
    ),
)

ASSIGNMENT = Assignment("01_fix_simplenet", "fix_simplenet", "Fix the broken SimpleNet", TESTS, __name__,
                        training_cells=("train_simplenet",))
