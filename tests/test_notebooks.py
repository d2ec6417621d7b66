"""The committed notebooks: release/ and solutions/ are what nbgrader makes of source/.

That each source notebook passes its own tests, hidden ones included, and that nothing passes
in the untouched student version, is shown by grading its reference and untouched
submissions once in tests/test_pipeline.py (an nbgrader validate here would run the
same notebooks, assignment 3's training included, a second time). The same run grades one
submission per answer cell left as released, with nbgrader's stub or with its starting code
(autograder/starting_code.py): each loses every test that uses the cell.
"""

import nbformat
import pytest
from nbgrader.utils import is_solution

from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.settings import COURSE_ROOT
from autograder.starting_code import BEGIN, END, blocks_of

NOTEBOOKS = sorted(path.relative_to(COURSE_ROOT / "source") for path in (COURSE_ROOT / "source").glob("*/*.ipynb"))
pytestmark = pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
# The course's generate_solution steps without `Execute`: the solutions' sources, without running them again.
NO_EXECUTE = (
    "\nfrom nbgrader.preprocessors import Execute\n"
    "c.GenerateSolution.preprocessors = [step for step in c.GenerateSolution.preprocessors if step is not Execute]\n"
)


def cells_by_id(path):
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in nbformat.read(path, as_version=4).cells if "nbgrader" in cell.metadata
    }


def test_source_is_committed_without_outputs(notebook):
    """Are source notebooks committed with no outputs and no execution counts?"""
    for cell in nbformat.read(COURSE_ROOT / "source" / notebook, as_version=4).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]


def test_release_is_what_generate_assignment_makes(notebook, tmp_path):
    """Is release/ exactly what `nbgrader generate_assignment` produces from source/ (never edited by hand)?"""
    course = copy_course(tmp_path)
    (course / "release" / notebook).unlink()
    run_nbgrader(course, "generate_assignment", str(notebook.parent), "--force")
    regenerated = (course / "release" / notebook).read_text()
    assert regenerated == (COURSE_ROOT / "release" / notebook).read_text(), (
        "release/ is stale: run `make release` and commit the result"
    )


def test_release_has_no_solutions_or_hidden_tests(notebook):
    """Are solutions and hidden tests removed from the student version?"""
    text = (COURSE_ROOT / "release" / notebook).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", BEGIN, END):
        assert marker not in text


def test_each_answer_cell_starts_from_its_starting_code_or_nbgraders_stub(notebook):
    """Does each released answer cell hold its source's starting code, uncommented, or else nbgrader's stub?"""
    released = cells_by_id(COURSE_ROOT / "release" / notebook)
    for grade_id, cell in cells_by_id(COURSE_ROOT / "source" / notebook).items():
        if cell.cell_type != "code" or not is_solution(cell):
            continue
        blocks, problems = blocks_of(cell.source)
        assert not problems, (grade_id, problems)
        stubs = cell.source.count("### BEGIN SOLUTION") - len(blocks)
        assert released[grade_id].source.count("raise NotImplementedError()") == stubs, grade_id
        for block in blocks:
            code = "\n".join(block.student_lines)
            assert code in released[grade_id].source, (grade_id, code)


def test_published_solutions_leave_out_hidden_tests(notebook):
    """Do solutions/ keep the hidden tests secret, so they can be reused next term?"""
    published = cells_by_id(COURSE_ROOT / "solutions" / notebook)
    for grade_id, cell in cells_by_id(COURSE_ROOT / "source" / notebook).items():
        if "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        for line in filter(None, (line.strip() for line in hidden.splitlines())):
            assert line not in published[grade_id].source, (grade_id, line)


def test_published_solutions_are_what_generate_solution_makes(notebook, tmp_path):
    """Does `nbgrader generate_solution` reproduce solutions/ cell by cell (sources; outputs vary by run)?"""
    course = copy_course(tmp_path)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(NO_EXECUTE)
    run_nbgrader(course, "generate_assignment", str(notebook.parent), "--force")
    run_nbgrader(course, "generate_solution", str(notebook.parent), "--force")
    regenerated = cells_by_id(course / "solutions" / notebook)
    committed = cells_by_id(COURSE_ROOT / "solutions" / notebook)
    assert {key: cell.source for key, cell in regenerated.items()} == {key: cell.source for key, cell in committed.items()}


def test_published_solutions_ran_without_errors(notebook):
    """Did every cell of the published solutions run without an error, or a word on stderr (TensorFlow's start-up
    notices included), when `make release` executed them?"""
    for cell in nbformat.read(COURSE_ROOT / "solutions" / notebook, as_version=4).cells:
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"
                  or (output.output_type == "stream" and output.name == "stderr")]
        assert not errors, f"{cell.source[:80]}: {errors}"
        assert cell.cell_type != "code" or cell.execution_count is not None, cell.source[:80]


def test_the_set_up_cell_prints_nothing_in_a_fresh_kernel(notebook, tmp_path, monkeypatch):
    """Does the released notebook's first cell (imports, TensorFlow's start-up) leave no output, stderr included?

    The kernel starts without the course's TensorFlow variables, as a student's JupyterLab may start it.
    """
    from nbclient import NotebookClient

    released = nbformat.read(COURSE_ROOT / "release" / notebook, as_version=4)
    first = next(cell for cell in released.cells if cell.cell_type == "code")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(first.source)], metadata=released.metadata)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    # ipykernel shows what reaches the kernel's C-level stderr, as in JupyterLab, unless it runs under pytest.
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs == [], nb.cells[0].outputs
