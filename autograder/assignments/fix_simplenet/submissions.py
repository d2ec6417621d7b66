"""Demo submissions of assignment 1: the tutorial's bugs, one at a time."""

import dataclasses

from autograder.assignments.fix_simplenet import ASSIGNMENT
from autograder.assignments.fix_simplenet.checks import weight_shapes
from autograder.assignments.forgeries import forgeries, labels_forger, replay_forger
from autograder.assignments.submission import FORGERY_RAN, Submission, reference, untouched

_A1 = dict(assignment=ASSIGNMENT.name, notebook=ASSIGNMENT.notebook)
# Every test that needs a working SimpleNet.
_A1_MODEL_TESTS = ASSIGNMENT.tests_using("simplenet")
# Trained on 1,000 images for one epoch (59-66% over 10 seeds, far below the 95% the test asks), then the accuracy forged in
# the kernel: each must lose the accuracy test as the short training alone does.
_SHORT_TRAINING = ("train_images, train_labels, epochs=SIMPLENET_EPOCH_BUDGET", "train_images[:1000], train_labels[:1000], epochs=1")
_TRAINED = "validation_split=0.1, verbose=2\n)"
# Mistakes whose tests are decided whatever the training train briefly (`_SHORT_TRAINING`), which loses the accuracy
# test as well: five epochs on the whole training split would add their seconds of processor time to each such
# notebook's grading and prove nothing these tests look at.
_BRIEF_TRAINING = {"train_simplenet": [_SHORT_TRAINING]}


def _forged_accuracy(student_id, description, code):
    return Submission(
        student_id, description,
        edits={"train_simplenet": [_SHORT_TRAINING, (_TRAINED, f"{_TRAINED}\n{code}print({f'{FORGERY_RAN} {description}'!r})\n")]},
        expected_lost={"simplenet_accuracy"}, message_contains={"simplenet_accuracy": "accuracy too low"},
        forged_in_kernel={"simplenet_accuracy"}, in_demo=False, **_A1,
    )


SUBMISSIONS = (
    reference(ASSIGNMENT),
    # Its `simplenet` cell is the tutorial's class as released, which Python cannot read (a missing parenthesis).
    dataclasses.replace(untouched(ASSIGNMENT), message_contains={"simplenet_builds": "SyntaxError"}),
    Submission(
        "syntax_error", "the tutorial's missing parenthesis in the constructor signature",
        edits={"simplenet": [("output_layer_sizes=(10,)):", "output_layer_sizes=(10,):")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "SimpleNet"}, in_demo=False, **_A1,
    ),
    Submission(
        "layers_attribute", "the tutorial's `self.layers = ...`, which Keras reserves",
        edits={"simplenet": [("self.hidden_layers", "self.layers")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "`self.layers` is Keras's own"}, in_demo=False, **_A1,
    ),
    Submission(
        "overwritten_layers", "the hidden Dense layer overwritten by the output layer (same attribute)",
        edits={"simplenet": [(
            'self.hidden_layers = [keras.layers.Dense(size, activation="relu") for size in hidden_layer_sizes]',
            'self.hidden_layers = []\n'
            '        self.classifier = keras.layers.Dense(hidden_layer_sizes[0], activation="relu")',
        )], **_BRIEF_TRAINING},
        # Every test that rests on SimpleNet's values, the weight plot's too: the model left (Flatten, Dropout and the
        # output layer) trains, but its weights are not those of `SimpleNet()`, which the grader computes.
        expected_lost=_A1_MODEL_TESTS,
        message_contains={"simplenet_param_count": "assigning to the same attribute twice",
                          "simplenet_builds": "has the wrong weights"}, in_demo=False, **_A1,
    ),
    Submission(
        "dropout_axis", "the tutorial's `Dropout(0.2, axis=0)`",
        edits={"simplenet": [("keras.layers.Dropout(0.2)", "keras.layers.Dropout(0.2, axis=0)")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "no `axis` argument"}, in_demo=False, **_A1,
    ),
    Submission(
        "no_flatten", "the tutorial's Dense layer fed 28x28x1 images without Flatten",
        edits={"simplenet": [("x = self.flatten(inputs)", "x = inputs")]},
        expected_lost=_A1_MODEL_TESTS,
        message_contains={"simplenet_output_shape": "flatten them first", "simplenet_other_sizes": "flatten them first",
                          "simplenet_param_count": "flatten the images", "simplenet_forward_pass": "flatten the images",
                          "simplenet_builds": "flatten the images"},
        late_hours=26, extension_hours=48, extension_reason="illness, with a doctor's note", **_A1,
    ),
    Submission(
        "plot_weights", "the tutorial's nonexistent `model.plot_weights(show_shapes=True)`",
        edits={"plot_weights": [(
            "kernel = model.get_weights()[0]",
            "return model.plot_weights(show_shapes=True)",
        )], **_BRIEF_TRAINING},
        expected_lost={"weight_plot", "simplenet_accuracy"}, message_contains={"weight_plot": "no `plot_weights`"},
        in_demo=False, **_A1,
    ),
    # Trained too little for the accuracy test, and for nothing else: a batch's quick student who passes 10 points.
    Submission(
        "little_data", "trained for one epoch on 1,000 images, too little for the accuracy asked",
        edits=_BRIEF_TRAINING, expected_lost={"simplenet_accuracy"},
        message_contains={"simplenet_accuracy": "accuracy too low"}, in_demo=False, **_A1,
    ),
    _forged_accuracy("forged_helpers", "one short epoch, the accuracy helper patched to say 100%",
                     "import autograder.shared_checks\nautograder.shared_checks.accuracy = lambda *args, **kwargs: 1.0\n"),
    _forged_accuracy("forged_numpy", "one short epoch, np.mean patched to say 100%",
                     "np.mean = lambda *args, **kwargs: 1.0\n"),
    *forgeries(ASSIGNMENT),
    replay_forger(ASSIGNMENT),
    labels_forger(ASSIGNMENT, "model", weight_shapes(), {
        "simplenet_accuracy": "not those of the model's own trained weights",
        "weight_plot": "the weights pictured are not a trained model's"}),
)
