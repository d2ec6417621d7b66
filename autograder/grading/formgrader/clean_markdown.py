"""The Formgrader's page of a submission shows the student's Markdown cleaned, as their feedback does.

nbgrader's template of that page renders each Markdown cell as it is: a `<script>` in a written
answer would run in the grader's browser, on the Formgrader's own address, where it could change
grades. `CleanMarkdownCells`, a preprocessor of the Formgrader's exporter (nbgrader_config.py),
renders each Markdown cell the student could write and cleans it (`autograder/grading/student_html.py`);
the template's own Markdown rendering then passes that HTML through unchanged. The course's own
cells (`ReferenceAnswers`, added after this step) are the course's, and stay as written.
"""

from nbconvert.filters import markdown2html
from nbconvert.preprocessors import Preprocessor

from autograder.grading.student_html import clean_html


class CleanMarkdownCells(Preprocessor):
    """Each Markdown cell of the notebook as cleaned HTML (the Formgrader's page only)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = clean_html(markdown2html(cell.source))
        return cell, resources
