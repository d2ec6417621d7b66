"""What a notebook cell is to the course: a test, an answer, its grade id, the header a student sees.

The one place these facts are read from a cell's nbgrader metadata, or from the first line of a
test cell in the student version (`# Test "ID" (N points)`, written by the `NameTestCells` stage
of `generate_assignment`). The kernel, the grader, the feedback and the report all ask here.
Cells may be nbformat nodes or the plain JSON dicts a report reads by the hundred.
"""

import re

# The first line of every test cell in the student version and the gradebook.
TEST_HEADER = re.compile(r'# Test "(?P<grade_id>[A-Za-z0-9_-]+)" \((?P<points>[0-9.]+ points?)\)')
# What opens a test cell's hidden tests (nbgrader's `ClearHiddenTests.begin_test_delimiter`): the release leaves them
# out, and under `nbgrader autograde` the cell holds them again (from the gradebook), after this line.
HIDDEN_TESTS_MARKER = "BEGIN HIDDEN TESTS"


def nbgrader_metadata(cell):
    """The cell's nbgrader metadata, or {}."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id_of(cell):
    """The nbgrader id of a cell, or None."""
    return nbgrader_metadata(cell).get("grade_id")


def points_of(cell):
    """The points a graded cell is worth (0.0 for a cell that is not graded)."""
    return float(nbgrader_metadata(cell).get("points") or 0.0)


def is_answer(cell):
    """Is the cell a student's answer (an nbgrader `solution` cell, code or text)?"""
    return bool(nbgrader_metadata(cell).get("solution"))


def is_test(cell):
    """Is the cell an autograded test (a graded code cell that is not an answer)?"""
    metadata = nbgrader_metadata(cell)
    return cell.get("cell_type") == "code" and bool(metadata.get("grade")) and not metadata.get("solution")


def split_at_hidden_tests(source):
    """A test cell's `source` as (its code up to the line that opens its hidden tests, that line included, the code
    after it); the second is "" for a cell without hidden tests."""
    lines = source.splitlines(keepends=True)
    start = next((index + 1 for index, line in enumerate(lines) if HIDDEN_TESTS_MARKER in line), len(lines))
    return "".join(lines[:start]), "".join(lines[start:])


def hidden_tests_follow(source):
    """Does `source` end with the line that opens hidden tests: is it a test cell's part that runs before them?"""
    lines = source.rstrip().splitlines()
    return bool(lines) and HIDDEN_TESTS_MARKER in lines[-1]


def autograded_cells(nb):
    """The autograded test cells of a notebook, in order."""
    return [cell for cell in nb["cells"] if is_test(cell)]


def cell_prompt(number):
    """How every page of the course names a code cell: by its prompt, `In [N]` (its execution count), as JupyterLab and
    nbconvert show it beside the cell; None for a cell that never ran."""
    return f"In [{number}]" if isinstance(number, int) and not isinstance(number, bool) else None


def cell_name(cell_id, number):
    """A code cell as a student finds it: its id, and its prompt (`In [N]`) when it ran."""
    prompt = cell_prompt(number)
    if cell_id:
        return f"`{cell_id}` ({prompt})" if prompt else f"`{cell_id}`"
    return prompt or "a cell that never ran"


def header_line(cell):
    """The first line of a test cell in the student's version: the test's name and points."""
    points = points_of(cell)
    return f'# Test "{grade_id_of(cell)}" ({points:g} point{"" if points == 1 else "s"})'


def joined(text):
    """Text of a notebook's JSON as one string: a source or an output's text may be a list of lines."""
    return "".join(text) if isinstance(text, list) else (text or "")


def cell_source(cell):
    """A cell's source as one string."""
    return joined(cell.get("source"))


def is_graded_by_hand(cell):
    """Is the cell an answer a person grades (an nbgrader `solution` cell that is also `grade`d)?"""
    metadata = nbgrader_metadata(cell)
    return bool(metadata.get("grade")) and bool(metadata.get("solution"))


def is_graded(cell):
    """Is the cell worth points: an autograded test, or an answer graded by hand?"""
    return bool(nbgrader_metadata(cell).get("grade"))


_DOCSTRING = re.compile(r'^\s*(?:#[^\n]*\n\s*)*(?:"""|\'\'\')(?P<text>.*?)(?:"""|\'\'\')', re.S)


def question_of(cells, index):
    """The question the graded cell `cells[index]` asks, as the notebook writes it (one line), or "".

    A test cell asks it in its docstring, under its header line; an answer graded by hand answers the
    last line ending in "?" of the text cell above it (markdown emphasis removed).
    """
    cell = cells[index]
    if cell.get("cell_type") == "code" and not is_answer(cell):
        found = _DOCSTRING.match(cell_source(cell))
        return " ".join(found["text"].split()) if found else ""
    for above in reversed(cells[:index]):
        if above.get("cell_type") == "markdown" and not is_graded(above):
            asked = [line.strip().strip("*_ ").strip() for line in cell_source(above).splitlines()]
            return next((line for line in reversed(asked) if line.endswith("?")), "")
    return ""
