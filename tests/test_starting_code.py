"""Starting code (autograder/starting_code.py): an answer cell of the student version that begins with code to fix.

nbgrader's own `ClearSolutions`, then the course's `StartingCode`, run on small in-memory
notebooks, as `generate_assignment` runs them (no kernel); then the course's own notebooks:
assignment 1's student version starts from the tutorial's broken `SimpleNet`.
"""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.preprocessors import ClearSolutions
from traitlets.config import Config

from autograder.assignments.submission import solution_source
from autograder.cells import grade_id_of
from autograder.grading.stages.starting_code import StartingCode
from autograder.settings import COURSE_ROOT
from autograder.starting_code import BEGIN, END, has_starting_code, without_starting_code

STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TUTORIAL_CLASS_LINES = (
    "class SimpleNet(keras.models.Model):",
    "    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,):",
    "        self.layers = keras.layers.Dropout(0.2, axis=0)",
)


def answer(source, grade_id="answer"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": True, "task": False,
    }
    return cell


def test_cell(source, grade_id="a_test"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True, "grade_id": grade_id, "locked": True, "points": 1, "schema_version": 3, "solution": False,
        "task": False,
    }
    return cell


test_cell.__test__ = False  # a cell maker, not a test


def student_version(*cells, stub=STUB, language="python"):
    """The cells' sources after `ClearSolutions` then `StartingCode`, with `stub` as the course's code stub."""
    config = Config()
    config.ClearSolutions.code_stub = {language: stub}
    kernel = {"name": language, "display_name": language, "language": language}
    nb = new_notebook(cells=list(cells), metadata={"kernelspec": kernel})
    nb, resources = ClearSolutions(config=config).preprocess(nb, {})
    nb, resources = StartingCode(config=config).preprocess(nb, resources)
    return [cell.source for cell in nb.cells]


def test_a_block_becomes_the_answer_cells_code_in_place_of_the_stub():
    """Does the block's code, uncommented, replace nbgrader's stub, with the rest of the cell kept and no marker left?"""
    source = (
        f"{BEGIN}\n# def f(x):\n#     return x +\n{END}\n"
        "### BEGIN SOLUTION\ndef f(x):\n    return x + 1\n### END SOLUTION\nprint(f(1))"
    )
    assert student_version(answer(source)) == ["def f(x):\n    return x +\nprint(f(1))"]


def test_an_indented_block_keeps_its_indentation_and_its_empty_lines():
    """Inside a function, is the code indented as the markers, with empty lines (a lone `#`) kept empty?"""
    source = (
        'def scale(images):\n    """Scale to [0, 1]."""\n'
        f"    {BEGIN}\n    # images = images / 255\n    #\n    # return images\n    {END}\n"
        "    ### BEGIN SOLUTION\n    return images.astype('float32') / 255.0\n    ### END SOLUTION"
    )
    assert student_version(answer(source)) == [
        'def scale(images):\n    """Scale to [0, 1]."""\n    images = images / 255\n\n    return images'
    ]


def test_each_block_replaces_the_stub_of_the_solution_region_below_it():
    """With two regions and one block, does only the region under the block start from code, the other from the stub?"""
    source = (
        f"### BEGIN SOLUTION\na = 1\n### END SOLUTION\n{BEGIN}\n# b = a +\n{END}\n"
        "### BEGIN SOLUTION\nb = a + 1\n### END SOLUTION"
    )
    assert student_version(answer(source)) == [f"{STUB}\nb = a +"]


def test_answer_cells_without_a_block_keep_nbgraders_stub():
    """Are answer cells without starting code, and every other cell, left as nbgrader makes them?"""
    cells = [
        answer("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
        answer("x = 1", grade_id="whole_cell"),
        test_cell("assert x == 1"),
        new_markdown_cell(f"Text that mentions {BEGIN} is left alone."),
    ]
    assert student_version(*cells) == [STUB, STUB, "assert x == 1", f"Text that mentions {BEGIN} is left alone."]


def test_the_courses_configured_stub_is_the_one_replaced():
    """With another `ClearSolutions.code_stub`, is that stub replaced (the block is read after nbgrader's step)?"""
    source = f"{BEGIN}\n# x = 1\n{END}\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"
    assert student_version(answer(source), stub="raise NotImplementedError('answer here')") == ["x = 1"]


@pytest.mark.parametrize("cell, expected", [
    (answer(f"{BEGIN}\nx = 1\n{END}\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"), "line 2: starting code must be commented"),
    (answer(f"{BEGIN}\n#x = 1\n{END}\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"), "line 2: starting code must be commented"),
    (answer(f"{BEGIN}\n# x = 1\n{END}\nx = 0\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"), "directly above"),
    (answer(f"{BEGIN}\n# x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"), f"without an `{END}`"),
    (answer(f"{BEGIN}\n#\n{END}\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"), "holds no code"),
    (test_cell(f"{BEGIN}\n# x = 1\n{END}\nassert x == 1"), "only for code answer cells"),
], ids=["not_commented", "no_space_after_the_comment_mark", "not_above_its_solution", "no_end", "empty", "test_cell"])
def test_starting_code_that_cannot_be_read_stops_the_release_naming_the_cell(cell, expected):
    """Does a block that cannot be read stop `generate_assignment`, naming the cell, its grade id and the problem?"""
    with pytest.raises(RuntimeError, match=expected) as raised:
        student_version(new_markdown_cell("# Title"), cell)
    assert f"cell 2 ({grade_id_of(cell)})" in str(raised.value)


def test_a_notebook_in_another_language_is_refused():
    """Is starting code in a notebook of a language whose comments the course does not read refused, in words?"""
    source = f"{BEGIN}\n# x <- 1\n{END}\n### BEGIN SOLUTION\nx <- 2\n### END SOLUTION"
    with pytest.raises(RuntimeError, match="cell 1 \\(answer\\): starting code is supported for Python notebooks only"):
        student_version(answer(source), stub="# YOUR CODE HERE\nfail()", language="R")
    assert student_version(answer("### BEGIN SOLUTION\nx <- 2\n### END SOLUTION"), stub="fail()", language="R") == ["fail()"]


def test_without_starting_code_drops_the_blocks_and_nothing_else():
    """Is a source cell, without its blocks, the solution as a student writes it (what the demo's reference hands in)?"""
    source = f"x = 0\n{BEGIN}\n# x = 1\n{END}\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"
    assert without_starting_code(source) == "x = 0\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"
    assert solution_source(answer(source)) == "x = 0\nx = 2\n"
    assert has_starting_code(source) and not has_starting_code(without_starting_code(source))


# The course's notebooks ---------------------------------------------------------------------------------------------


def cell_of(kind, grade_id):
    path = COURSE_ROOT / kind / "01_fix_simplenet" / "fix_simplenet.ipynb"
    return next(cell for cell in nbformat.read(path, as_version=4).cells if grade_id_of(cell) == grade_id)


def test_assignment_1_releases_simplenet_as_the_tutorial_published_it():
    """Does the student's `simplenet` cell start with the tutorial's broken class, which Python cannot even read?"""
    released = cell_of("release", "simplenet").source
    assert released.startswith(TUTORIAL_CLASS_LINES[0]) and all(line in released for line in TUTORIAL_CLASS_LINES)
    assert "NotImplementedError" not in released and "STARTING CODE" not in released
    with pytest.raises(SyntaxError):
        compile(released, "simplenet", "exec")
    # The other answer cells still start from nbgrader's stub.
    assert "raise NotImplementedError()" in cell_of("release", "train_simplenet").source


def test_assignment_1s_reference_answer_holds_no_starting_code():
    """Is the reference `simplenet` answer the repaired class only, without the tutorial's lines?"""
    reference = solution_source(cell_of("source", "simplenet"))
    assert "self.layers = " not in reference and "axis=0" not in reference
    compile(reference, "simplenet", "exec")
