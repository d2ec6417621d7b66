"""The Formgrader's page of a submission shows the student's Markdown and outputs cleaned, as their feedback does.

nbgrader's template of that page renders each Markdown cell as it is, and nbconvert's writes an
image output's width and height unquoted: a `<script>` in a written answer, or an `onerror` smuggled
in an image's width, would run in the grader's browser, on the Formgrader's own address, where it
could change grades. `CleanMarkdownCells`, a preprocessor of the Formgrader's exporter
(nbgrader_config.py), renders each Markdown cell and cleans it (`autograder/grading/student_html.py`),
as one line of HTML the template's own Markdown rendering passes through whole (a blank line would
end it and hand the rest to Markdown again), and keeps of an output's metadata only numeric sizes.
The course's own cells (`ReferenceAnswers`, added after this step) are the course's, and stay as written.
"""

import re

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor

from autograder.grading.student_html import clean_html

SIZE = re.compile(r"^\d{1,5}(\.\d{1,3})?$")


def cleaned_markdown(cell):
    """The cell's Markdown as cleaned HTML on one line (its line breaks as character references)."""
    renderer = IPythonRenderer(escape=False, attachments=cell.get("attachments") or {}, exclude_anchor_links=True)
    html = clean_html(MarkdownWithMath(renderer=renderer).render(cell.source))
    return "<div>" + html.replace("\r", "").replace("\n", "&#10;") + "</div>"


def cleaned_output_metadata(metadata):
    """An output's metadata with, per type, only a numeric width and height (nbconvert writes them unquoted)."""
    return {mimetype: {key: value for key, value in fields.items() if key in ("width", "height")
                       and SIZE.match(str(value))}
            for mimetype, fields in metadata.items() if isinstance(fields, dict)}


class CleanMarkdownCells(Preprocessor):
    """Each Markdown cell as cleaned HTML, each output's metadata reduced to sizes (the Formgrader's page only)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = cleaned_markdown(cell)
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output.metadata = cleaned_output_metadata(output.metadata)
        return cell, resources
