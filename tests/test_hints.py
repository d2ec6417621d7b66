"""Tests of autograder/hints.py: one short hint per graded cell of the source notebooks, and none for others."""

import nbformat
import pytest

from autograder.course import COURSE_ROOT
from autograder.hints import HINTS, hint

# A hint sits beside the failure message: one or two sentences, not a paragraph.
MAX_HINT_CHARS = 250


def graded_cell_ids():
    """The `grade_id` of every cell with `nbgrader.grade` set, notebook by notebook, in notebook order."""
    grade_ids = []
    for path in sorted((COURSE_ROOT / "source").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            nbgrader = cell.metadata.get("nbgrader", {})
            if nbgrader.get("grade"):
                grade_ids.append(nbgrader["grade_id"])
    return grade_ids


GRADE_IDS = graded_cell_ids()


def test_the_notebooks_have_graded_cells():
    """Does the notebook scan find graded cells, so the tests below test something?"""
    assert len(GRADE_IDS) > 0 and len(GRADE_IDS) == len(set(GRADE_IDS)), GRADE_IDS


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_every_graded_cell_has_a_hint(grade_id):
    """Does every graded cell of every source notebook have a hint?"""
    assert hint(grade_id), f"no hint for {grade_id!r}: add one to autograder/hints.py"


def test_no_hint_for_a_grade_id_that_does_not_exist():
    """Is every hint for a graded cell that exists (no stale hints after a cell is renamed or removed)?"""
    stale = sorted(set(HINTS) - set(GRADE_IDS))
    assert not stale, f"hints for grade ids no notebook has: {stale}"


def test_hints_follow_notebook_order():
    """Are the hints listed in the order the notebooks present their graded cells?"""
    assert [grade_id for grade_id in HINTS if grade_id in GRADE_IDS] == [
        grade_id for grade_id in GRADE_IDS if grade_id in HINTS
    ]


@pytest.mark.parametrize("grade_id", sorted(HINTS))
def test_hint_is_short_plain_text(grade_id):
    """Is the hint one short paragraph of plain text, with no surrounding space?"""
    text = HINTS[grade_id]
    assert 0 < len(text) < MAX_HINT_CHARS, f"{len(text)} characters"
    assert "\n" not in text and text == text.strip()
    assert "`" not in text, "hints are plain text, not Markdown"
    assert text.endswith((".", "?")), "a hint is written as full sentences"


def test_unknown_grade_id_has_no_hint():
    """Does `hint` return an empty string for a grade id the course does not have?"""
    assert hint("no_such_test") == ""
