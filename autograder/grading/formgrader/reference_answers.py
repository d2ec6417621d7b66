"""The Formgrader's page of a submission shows, under each answer graded by hand, the instructor's answer and rubric.

nbgrader's Formgrader shows the student's written answer and a box for points and a comment,
with nothing to grade it against. `ReferenceAnswers`, an nbconvert preprocessor of the
Formgrader's exporter (`c.HTMLExporter.preprocessors` in nbgrader_config.py), puts a cell after
each such answer: the answer of the course's own notebook (`source/`, where the solution is) and
the rubric its declaration gives (`GradedTest.rubric`). It acts only on the Formgrader's page of a
submission (its resources name a `submission_id`): a student's feedback never holds either.
"""

from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell

from autograder.assignments import assignment as find_assignment
from autograder.cells import grade_id_of, is_graded_by_hand

# The mark of the cells this preprocessor adds (the tests look for it), in their metadata.
REFERENCE_CELL = "keras_course_reference"


def reference_cell(grade_id, answer, rubric):
    """The cell that shows the grader the instructor's `answer` to `grade_id` and its `rubric`."""
    parts = [f"**For the grader: the course's answer to `{grade_id}`** (students never see this)", "", answer.strip()]
    if rubric:
        parts += ["", f"**Rubric:** {rubric}"]
    return new_markdown_cell("\n".join(parts), metadata={REFERENCE_CELL: grade_id})


class ReferenceAnswers(Preprocessor):
    """After each answer graded by hand: the course notebook's answer and the declared rubric (the Formgrader only)."""

    def preprocess(self, nb, resources):
        if "submission_id" not in resources:  # not the Formgrader's page of a submission
            return nb, resources
        # The autograded notebook is `autograded/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb` of the course.
        folder = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        if len(folder.parents) < 3:
            return nb, resources
        source = folder.parents[2] / "source" / resources["assignment_id"] / f"{resources['notebook_id']}.ipynb"
        if not source.is_file():
            return nb, resources
        answers = {grade_id_of(cell): cell.source for cell in nbformat.read(source, as_version=4).cells
                   if is_graded_by_hand(cell)}
        owner = find_assignment(resources["assignment_id"])
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            grade_id = grade_id_of(cell)
            if is_graded_by_hand(cell) and grade_id in answers:
                declared = owner.test(grade_id) if owner else None
                cells.append(reference_cell(grade_id, answers[grade_id], declared.rubric if declared else ""))
        nb.cells = cells
        return nb, resources
