"""A stage of `generate_assignment`: the student version says when it is due, and the course's late penalty in words.

The due date is the gradebook's (nbgrader's own, set before `generate_assignment` with `nbgrader db
assignment add NAME --duedate=...` or in the Formgrader). It is written as a paragraph of the
notebook's first cell, under its title and description (a cell of its own where the notebook starts
with code), and in the notebook's metadata
(`autograder.deadlines.METADATA_KEY`), where `check()` reads it without a gradebook. An assignment
without a due date is released without either. A student's own extension is never written here: each
student reads it in their own feedback.
"""

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.deadlines import METADATA_KEY, late_rule, when

EXTENSION_NOTE = "An extension granted to you is shown in your own feedback."


def due_paragraph(duedate, rule):
    """The paragraph the first cell gains: the due date, the late penalty, where an extension is shown."""
    return f"**Due:** {when(duedate)}. {rule} {EXTENSION_NOTE}"


class DueDate(NbGraderPreprocessor):
    """Write the assignment's due date and late penalty into the notebook's first cell and its metadata."""

    def preprocess(self, nb, resources):
        nbgrader = resources["nbgrader"]
        with Gradebook(nbgrader["db_url"]) as gradebook:
            try:
                duedate = gradebook.find_assignment(nbgrader["assignment"]).duedate
            except MissingEntry:
                duedate = None
        nb.metadata.pop(METADATA_KEY, None)
        if duedate is None:
            return nb, resources
        rule = late_rule(self.config)
        nb.metadata[METADATA_KEY] = {"due": when(duedate), "late_rule": rule}
        if not nb.cells or nb.cells[0].cell_type != "markdown":
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(due_paragraph(duedate, rule)))
            return nb, resources
        paragraphs = nb.cells[0].source.split("\n\n")
        # Under the title and its description, or at the end of a shorter cell.
        paragraphs.insert(min(2, len(paragraphs)), due_paragraph(duedate, rule))
        nb.cells[0].source = "\n\n".join(paragraphs)
        return nb, resources
