"""The Formgrader's page of a submission, as the course serves it: nbgrader's own, fetching nothing from outside.

nbgrader's template "formgrade" loads MathJax from a CDN. The template `course-formgrade/` in this
folder is nbgrader's, with a `mathjax()` macro first on its path that loads none (TeX in a
student's answer then shows as written). `nbgrader_config.py` names it for the Formgrader's exporter.
"""

from pathlib import Path

import nbgrader

# nbconvert finds a template by name in a base folder: this folder holds the template `course-formgrade/`, which
# extends nbgrader's "formgrade" in the Formgrader's own template folder (its handlers' `template_path`).
TEMPLATE_FOLDERS = [
    str(Path(__file__).resolve().parent),
    str(Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"),
]
TEMPLATE_NAME = "course-formgrade"
