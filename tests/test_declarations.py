"""Each notebook of `source/` against its declaration in `autograder.assignments`: they cannot drift apart.

The comparison itself is `tests/consistency.py`. Here it runs on the real course, which must
give no problem, and on broken in-memory copies of a notebook or a declaration, which must
each give a problem naming the notebook and the cell (number and grade id). Fast: no kernel,
no Keras; the notebooks are read as JSON and the test cells parsed with `ast`.
"""

import ast
import copy
import dataclasses
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder.assignments import all_assignments, assignment, find_test, hint
from autograder.assignments.fix_simplenet import checks as simplenet_checks
from tests.consistency import (
    MAX_HINT_CHARS,
    called_checks,
    course_problems,
    hint_problems,
    notebook_problems,
    question_problem,
)

COURSE_ROOT = Path(__file__).resolve().parent.parent
SOURCE = COURSE_ROOT / "source"
ASSIGNMENTS = all_assignments()
TESTS = [(owner, test) for owner in ASSIGNMENTS for test in owner.tests()]


def _read(name):
    owner = assignment(name)
    return nbformat.read(SOURCE / owner.name / owner.filename, as_version=4)


NOTEBOOKS = {owner.name: _read(owner.name) for owner in ASSIGNMENTS}


def test_the_course_has_assignments_and_tests():
    """Does the scan find every folder of source/ and graded cells in each, so the tests below test something?"""
    folders = sorted(path.name for path in SOURCE.iterdir() if path.is_dir() and not path.name.startswith("."))
    assert folders and [owner.name for owner in ASSIGNMENTS] == folders
    for owner in ASSIGNMENTS:
        assert any(cell.metadata.get("nbgrader", {}).get("grade") for cell in NOTEBOOKS[owner.name].cells), owner.name


def test_the_course_and_its_declarations_agree():
    """Do all notebooks of source/ agree with their declarations (cells, points, questions, checks, uses, hints)?"""
    problems = course_problems(SOURCE, ASSIGNMENTS)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("owner", ASSIGNMENTS, ids=lambda owner: owner.name)
def test_each_notebook_agrees_with_its_declaration(owner):
    """Does each notebook, on its own, give no problem (the same check the broken copies below fail)?"""
    problems = notebook_problems(SOURCE / owner.name / owner.filename, owner)
    assert not problems, "\n".join(problems)


def test_grade_ids_are_unique_across_the_course():
    """Is every declared grade id declared once in the whole course, so `find_test` and `hint` are unambiguous?"""
    grade_ids = [test.grade_id for _, test in TESTS]
    assert len(grade_ids) == len(set(grade_ids)), sorted(grade_id for grade_id in grade_ids if grade_ids.count(grade_id) > 1)
    for owner, test in TESTS:
        assert find_test(test.grade_id) == (owner, test.declared)


@pytest.mark.parametrize("owner,test", TESTS, ids=[test.grade_id for _, test in TESTS])
def test_every_test_has_a_short_plain_hint_and_a_question(owner, test):
    """Has every graded cell a declared hint of one or two plain-text sentences, and a one-line question in the notebook?"""
    assert test.declared is not None
    assert hint_problems(test.hint) == []
    assert 0 < len(test.hint) < MAX_HINT_CHARS and "\n" not in test.hint and "`" not in test.hint
    assert test.hint.endswith((".", "?"))
    assert question_problem(test.question) is None
    assert hint(test.grade_id) == test.hint


def test_unknown_grade_id_has_no_hint():
    """Does `hint` return an empty string for a grade id the course does not have?"""
    assert hint("no_such_test") == ""


def test_tests_graded_outside_the_kernel_declare_what_they_grade():
    """Has every test with a grader the artifacts it grades, and no test artifacts without a grader?"""
    for _, test in TESTS:
        assert (test.grader is not None) == bool(test.artifacts), test.grade_id
        assert test.declared.graded_outside_kernel == (test.grader is not None)


# The rules themselves -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Does it work?",
    "Does it work? (more cases are hidden)",
    "Does f(x) match the table (class, shape)? (points: 1 from 98.0%, 2 from 98.5%)",
])
def test_a_question_may_end_in_a_remark(question):
    assert question_problem(question) is None


@pytest.mark.parametrize("question", [
    "Does it work.", "Does it work?\nAnd this?", "Does it work? more text", "Does it work? (a) (b)", " Does it work?", "",
])
def test_a_question_is_one_line_ending_in_a_question_mark(question):
    assert question_problem(question) is not None


@pytest.mark.parametrize("text,problem", [
    ("", "no hint"),
    ("Use `keras.ops`.", "backticks"),
    ("Use keras.ops", 'end in "."'),
    ("First line.\nSecond line.", "one line"),
    ("One. Two. Three.", "3 sentences"),
    ("A" * MAX_HINT_CHARS + ".", "characters"),
])
def test_a_bad_hint_is_named(text, problem):
    assert any(problem in found for found in hint_problems(text)), hint_problems(text)


def test_called_checks_resolve_imports_aliases_and_modules():
    """Are checks found however the cell imports them, and names from elsewhere or never called ignored?"""
    tree = ast.parse(
        "from autograder.assignments.fix_simplenet.checks import check_data as data, check_builds, _DEFAULT_SIZES\n"
        "from autograder.assignments.fix_simplenet import checks\n"
        "import autograder.assignments.layers_and_cnn.checks as cnn\n"
        "import numpy as np\n"
        "data(1)\nchecks.check_dropout(2)\ncnn.check_cnn_layers(3)\nnp.zeros(4)\nprint(_DEFAULT_SIZES)\n"
    )
    assert called_checks(tree) == {
        "autograder.assignments.fix_simplenet.checks.check_data",
        "autograder.assignments.fix_simplenet.checks.check_dropout",
        "autograder.assignments.layers_and_cnn.checks.check_cnn_layers",
    }


# Broken copies: each kind of drift, caught and named -------------------------------------------------------------


def _index(nb, grade_id):
    return next(i for i, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def worth_no_points(nb):
    index = _index(nb, "simplenet_dropout")
    nb.cells[index].metadata.nbgrader.points = 0
    return [f"cell {index + 1} (simplenet_dropout)", "a graded cell worth 0 points"]


def remove_test_cell(nb):
    del nb.cells[_index(nb, "simplenet_probabilities")]
    return ["fix_simplenet.ipynb, declared test 'simplenet_probabilities'", "no cell of the notebook has this grade id"]


def undeclared_grade_id(nb):
    index = _index(nb, "weight_plot")
    nb.cells[index].metadata.nbgrader.grade_id = "weight_plot_v2"
    return [f"cell {index + 1} (weight_plot_v2)", "has no declaration"]


def docstring_not_a_question(nb):
    index = _index(nb, "simplenet_param_count")
    cell = nb.cells[index]
    cell.source = cell.source.replace("101,770 parameters: 784 -> 128 -> 10 with biases?", "101,770 parameters.")
    return [f"cell {index + 1} (simplenet_param_count)", "is not one line ending in"]


def written_answer_without_a_question(nb):
    index = _index(nb, "tutorial_claims")
    nb.cells[index - 1].source = "## What the tutorial gets wrong\n\nList each claim that is wrong."
    return [f"cell {index + 1} (tutorial_claims)", "the question '' is not one line"]


def call_another_check(nb):
    index = _index(nb, "simplenet_builds")
    cell = nb.cells[index]
    cell.source = cell.source.replace("check_builds", "check_output_shape")
    return [
        f"cell {index + 1} (simplenet_builds)",
        "declared but not called: autograder.assignments.fix_simplenet.checks.check_builds",
        "called but not declared: autograder.assignments.fix_simplenet.checks.check_output_shape",
    ]


def add_a_hidden_check(nb):
    index = _index(nb, "simplenet_dropout")
    cell = nb.cells[index]
    cell.source = cell.source.replace(
        "check_dropout\n", "check_dropout, check_builds\n"
    ) + "\n### BEGIN HIDDEN TESTS\ncheck_builds(SimpleNet)\n### END HIDDEN TESTS"
    return [f"cell {index + 1} (simplenet_dropout)", "called but not declared"]


def uncovered_solution_cell(nb):
    index = _index(nb, "plot_weights") + 1
    cell = new_code_cell("### BEGIN SOLUTION\nextra = 1\n### END SOLUTION")
    cell.metadata["nbgrader"] = {
        "grade": False, "grade_id": "extra_answer", "locked": False, "schema_version": 3, "solution": True, "task": False,
    }
    nb.cells.insert(index, cell)
    return [f"cell {index + 1} (extra_answer)", "in no test's `uses`"]


def solution_cell_no_longer_a_solution(nb):
    index = _index(nb, "plot_weights")
    nb.cells[index].metadata.nbgrader.solution = False
    return [f"cell {index + 1} (plot_weights)", "`uses` names 'plot_weights', which is not a solution cell"]


def a_test_cell_made_a_written_answer(nb):
    index = _index(nb, "simplenet_builds")
    nb.cells[index].metadata.nbgrader.solution = True
    nb.cells[index].cell_type = "markdown"
    del nb.cells[index]["outputs"], nb.cells[index]["execution_count"]
    return [f"cell {index + 1} (simplenet_builds)", "a written answer graded by hand, but its declaration has checks"]


def duplicate_grade_id(nb):
    index = _index(nb, "simplenet_dropout")
    duplicate = copy.deepcopy(nb.cells[index])
    nb.cells.insert(index + 1, duplicate)
    return [f"cell {index + 2} (simplenet_dropout)", "grade id used by 2 cells"]


def ungraded_test_cell(nb):
    index = _index(nb, "simplenet_dropout")
    nb.cells[index].metadata.nbgrader.grade = False
    del nb.cells[index].metadata.nbgrader["points"]
    return [f"cell {index + 1} (simplenet_dropout)", "the cell is not graded"]


def starting_code_not_commented_out(nb):
    index = _index(nb, "simplenet")
    cell = nb.cells[index]
    cell.source = cell.source.replace("#         super(SimpleNet, self).__init__()", "        super(SimpleNet, self).__init__()")
    return [f"cell {index + 1} (simplenet)", "line 4: starting code must be commented out"]


def starting_code_apart_from_its_solution(nb):
    index = _index(nb, "simplenet")
    cell = nb.cells[index]
    cell.source = cell.source.replace("### END STARTING CODE\n", "### END STARTING CODE\nimport math\n")
    return [f"cell {index + 1} (simplenet)", "directly above the `### BEGIN SOLUTION` line"]


def starting_code_never_ended(nb):
    index = _index(nb, "simplenet")
    cell = nb.cells[index]
    cell.source = cell.source.replace("### END STARTING CODE\n", "")
    return [f"cell {index + 1} (simplenet)", "line 1: `### BEGIN STARTING CODE` without an `### END STARTING CODE`"]


def starting_code_in_a_test_cell(nb):
    index = _index(nb, "simplenet_builds")
    cell = nb.cells[index]
    cell.source = "### BEGIN STARTING CODE\n# SimpleNet = None\n### END STARTING CODE\n" + cell.source
    return [f"cell {index + 1} (simplenet_builds)", "starting code is only for code answer cells"]


BROKEN_NOTEBOOKS = [
    worth_no_points, remove_test_cell, undeclared_grade_id, docstring_not_a_question, written_answer_without_a_question,
    call_another_check, add_a_hidden_check, uncovered_solution_cell, solution_cell_no_longer_a_solution,
    a_test_cell_made_a_written_answer, duplicate_grade_id, ungraded_test_cell, starting_code_not_commented_out,
    starting_code_apart_from_its_solution,
    starting_code_never_ended, starting_code_in_a_test_cell,
]


@pytest.mark.parametrize("breakage", BROKEN_NOTEBOOKS, ids=lambda breakage: breakage.__name__)
def test_a_broken_copy_of_the_notebook_is_caught_and_named(breakage):
    """Does each kind of drift in the notebook give a problem naming the notebook, the cell and what drifted?"""
    owner = assignment("01_fix_simplenet")
    nb = copy.deepcopy(NOTEBOOKS[owner.name])
    expected = breakage(nb)
    problems = notebook_problems(nb, owner)
    assert problems, f"{breakage.__name__}: no problem found"
    assert any(
        "01_fix_simplenet/fix_simplenet.ipynb" in problem and all(text in problem for text in expected)
        for problem in problems
    ), f"no problem names {expected}:\n" + "\n".join(problems)
    # The real notebook is untouched.
    assert notebook_problems(NOTEBOOKS[owner.name], owner) == []


def _broken_test(grade_id, **changes):
    def breakage(owner):
        tests = tuple(dataclasses.replace(test, **changes) if test.grade_id == grade_id else test for test in owner.declared)
        return dataclasses.replace(owner, declared=tests)

    return breakage


def _without_test(grade_id):
    def breakage(owner):
        return dataclasses.replace(owner, declared=tuple(test for test in owner.declared if test.grade_id != grade_id))

    return breakage


BROKEN_DECLARATIONS = {
    "written_answer_with_checks": (
        "tutorial_claims", _broken_test("tutorial_claims", checks=(simplenet_checks.check_data,)),
        "a written answer graded by hand, but its declaration has checks",
    ),
    "check_left_out_of_declaration": (
        "simplenet_other_sizes",
        _broken_test("simplenet_other_sizes", checks=(simplenet_checks.check_output_size,)),
        "called but not declared: autograder.assignments.fix_simplenet.checks.check_other_sizes",
    ),
    "hint_with_backticks": ("weight_plot", _broken_test("weight_plot", hint="Use `imshow`."), "backticks"),
    "hint_too_long": ("weight_plot", _broken_test("weight_plot", hint="Long. " * 50), "characters"),
    "no_hint": ("weight_plot", _broken_test("weight_plot", hint=""), "has no hint"),
    "uses_an_unknown_cell": (
        "weight_plot", _broken_test("weight_plot", uses=("simplenet", "no_such_cell")), "'no_such_cell'",
    ),
    "uses_a_test_cell": (
        "weight_plot", _broken_test("weight_plot", uses=("simplenet_builds",)), "'simplenet_builds', which is not a solution",
    ),
    "grader_without_artifacts": (
        "simplenet_accuracy",
        _broken_test("simplenet_accuracy", grader=simplenet_checks.check_accuracy),
        "declares no artifacts",
    ),
    "artifacts_without_grader": (
        "simplenet_accuracy", _broken_test("simplenet_accuracy", artifacts=("model.keras",)), "but no grader",
    ),
    "grader_the_cell_does_not_call": (
        "simplenet_accuracy",
        _broken_test("simplenet_accuracy", grader=simplenet_checks.check_data, artifacts=("x",)),
        "is not one of the checks its cell calls",
    ),
    "test_not_declared": ("simplenet_dropout", _without_test("simplenet_dropout"), "has no declaration"),
}


@pytest.mark.parametrize("grade_id,breakage,expected", BROKEN_DECLARATIONS.values(), ids=list(BROKEN_DECLARATIONS))
def test_a_broken_declaration_is_caught_and_named(grade_id, breakage, expected):
    """Does each kind of drift in the declaration give a problem naming the notebook and the test's cell?"""
    owner = assignment("01_fix_simplenet")
    nb = NOTEBOOKS[owner.name]
    cell = f"01_fix_simplenet/fix_simplenet.ipynb, cell {_index(nb, grade_id) + 1} ({grade_id})"
    problems = notebook_problems(nb, breakage(owner))
    assert any(cell in problem and expected in problem for problem in problems), (
        f"no problem names {cell!r} and {expected!r}:\n" + "\n".join(problems)
    )


def test_a_folder_without_declaration_and_a_declaration_without_folder_are_named(tmp_path):
    """Does the course check name a source/ folder nobody declares, a declared folder that is missing, and duplicates?"""
    (tmp_path / "04_new").mkdir()
    (tmp_path / ASSIGNMENTS[0].name).mkdir()
    nbformat.write(NOTEBOOKS[ASSIGNMENTS[0].name], tmp_path / ASSIGNMENTS[0].name / ASSIGNMENTS[0].filename)
    twin = dataclasses.replace(ASSIGNMENTS[1], name="05_twin")
    problems = course_problems(tmp_path, (*ASSIGNMENTS, twin))
    text = "\n".join(problems)
    assert "source/04_new: 0 declarations" in text
    assert f"source/{ASSIGNMENTS[1].name}: declared in autograder.assignments but there is no such folder" in text
    assert "grade id 'dense_layer_weights' is declared by more than one assignment" in text
    assert not any(problem.startswith(f"{ASSIGNMENTS[0].name}/") for problem in problems), text


# The numbers a question quotes are the course's own settings ----------------------------------------------------


def test_the_questions_quote_the_thresholds_and_budgets_of_the_settings():
    """Does each question that quotes a threshold or budget quote the value of `autograder/settings.py`?"""
    from autograder.settings import (
        CNN_MIN_ACCURACY,
        SIMPLENET_MIN_ACCURACY,
        SIMPLENET_PARAMS,
        TUNE_ACCURACY_TIERS,
        TUNE_MAX_PARAMS,
        TUNE_MAX_SAMPLES,
    )

    questions = {test.grade_id: test.question for _, test in TESTS}
    assert f"reach {SIMPLENET_MIN_ACCURACY:.0%} on" in questions["simplenet_accuracy"]
    assert f"have {SIMPLENET_PARAMS:,} parameters" in questions["simplenet_param_count"]
    assert f"reach {CNN_MIN_ACCURACY:.0%} on" in questions["cnn_accuracy"]
    assert f"at most {TUNE_MAX_PARAMS:,} parameters and {TUNE_MAX_SAMPLES:,} samples" in questions["tuned_model_budget"]
    tiers = ", ".join(f"{points} from {minimum:.1%}" for minimum, points in TUNE_ACCURACY_TIERS)
    assert f"(points: {tiers})" in questions["tuned_accuracy"]
