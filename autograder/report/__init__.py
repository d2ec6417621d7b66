"""`keras-course report`: a graded class at a glance, as one HTML page with plots, PNG figures and CSV tables.

Reading order: `gradebook.py` (the scores, from nbgrader's gradebook), `autograder/failures.py` (why each
test failed, and which earlier cell caused it, from the autograded notebooks), `groups.py`
(failures grouped by cause), `flags.py` (submissions that reach for the grader), `similarity.py`
(students whose answers are alike), `classreport.py` (one assignment put together), then `figures.py` and
`html_page.py` (the files).
"""

from pathlib import Path

from autograder.assignments import all_assignments
from autograder.assignments import assignment as find_assignment
from autograder.course import course_settings
from autograder.deadlines import ExtensionsError, read_extensions
from autograder.report.classreport import gather
from autograder.report.gradebook import ReportError, assignment_names, describe
from autograder.report.similarity import configured_threshold

__all__ = ["ReportError", "gather_class", "write_report"]


def gather_class(course_dir, names=(), db_url=None):
    """One `AssignmentReport` per assignment named (default: every assignment of the course in the gradebook)."""
    course_dir = Path(course_dir)
    db_url = db_url or course_settings(course_dir)[0]
    in_gradebook = assignment_names(db_url)
    if names:
        unknown = [name for name in names if find_assignment(name) is None]
        if unknown:
            known = ", ".join(found.name for found in all_assignments())
            raise ReportError(f"no assignment {', '.join(unknown)} in this course (it has {known})")
        missing = [name for name in names if name not in in_gradebook]
        if missing:
            raise ReportError(f"the gradebook has no {', '.join(missing)}: run `nbgrader generate_assignment` "
                              "and `nbgrader autograde` for it first")
        chosen = [find_assignment(name) for name in names]
    else:
        chosen = [found for found in all_assignments() if found.name in in_gradebook]
        if not chosen:
            raise ReportError(f"the gradebook ({describe(db_url)}) has no assignment of this course yet")
    threshold = configured_threshold(course_dir)
    try:
        extensions = read_extensions(course_dir)
    except ExtensionsError as error:
        raise ReportError(str(error)) from None
    return [gather(course_dir, found, db_url, extensions, threshold) for found in chosen]


def write_report(course_dir, names=(), out=None, db_url=None):
    """Write the class report of the course at `course_dir` into `out` (default `COURSE/report`); return the page."""
    course_dir = Path(course_dir)
    configured_url, course_id = course_settings(course_dir)
    db_url = db_url or configured_url
    from autograder.report.html_page import write_page  # matplotlib: loaded only to draw

    reports = gather_class(course_dir, names, db_url)
    return write_page(reports, out or course_dir / "report", course_id, describe(db_url))
