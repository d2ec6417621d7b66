"""The stage of `generate_feedback` that says why each test lost points, without the grader's hidden code or paths.

Runs after nbgrader's `GetGrades`; the course's template (autograder/grading/student_feedback/)
lays out what it gathers.
"""

from dataclasses import replace
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests

from autograder.assignments import assignment as find_assignment
from autograder.cells import grade_id_of, is_test
from autograder.deadlines import ExtensionsError, late_rule, read_extensions
from autograder.grading.student_feedback.deadline import (
    deadline_lines,
    submission_times,
)
from autograder.grading.student_feedback.feedback import (
    FeedbackPage,
    feedback_page,
    gradebook_grades,
)
from autograder.grading.student_feedback.paths import (
    hide_paths_in_outputs,
    replacements,
)
from autograder.submission_problems import problem_sentence


class FeedbackForStudents(ClearHiddenTests):
    """What a student reads in `nbgrader generate_feedback`'s HTML: each test, why it lost points, no grader code.

    Runs after nbgrader's `GetGrades`. It reads the gradebook and the autograded notebook into a
    `FeedbackPage` (`resources["feedback"]`, laid out by the template in `autograder/grading/student_feedback/`):
    each test's question and points, the earlier cell behind a failure, the hint, a written answer
    "not graded yet" until a grader has graded it. In the notebook, a test cell keeps its visible code;
    its hidden region is removed (nbgrader would show it, jupyter/nbgrader#917), and its error shows
    as what the page says about it instead of a traceback into the grader's code and its hidden cases.
    No output keeps an instructor path (`autograder/grading/student_feedback/paths.py`). A test cell the
    handed-in notebook deleted, edited or re-marked, which nbgrader graded in the course's version, is
    said at the top in one sentence (`autograder/submission_problems.py`), and so is the due date, the
    student's own extension and whether the work came late (`autograder/grading/student_feedback/deadline.py`).
    """

    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        coursedir = CourseDirectory(config=self.config)
        paths = replacements(folder, Path(coursedir.root))
        for cell in nb.cells:
            hide_paths_in_outputs(cell, paths)
        nbgrader = resources["nbgrader"]
        owner = find_assignment(nbgrader["assignment"])
        grades = gradebook_grades(
            nbgrader["db_url"], nbgrader["notebook"], nbgrader["assignment"], nbgrader["student"]
        )
        page = feedback_page(nb, owner, grades) if owner else FeedbackPage({}, ())
        resources["feedback"] = replace(page, handed_in=handed_in_problem(coursedir, nbgrader),
                                        deadline=self.deadline(coursedir, nbgrader))
        return super().preprocess(nb, resources)

    def deadline(self, coursedir, nbgrader):
        """The due date, this student's own extension and its reason, on time or late (`deadline_lines`)."""
        try:
            reason = read_extensions(coursedir.root).get((nbgrader["student"], nbgrader["assignment"]))
        except ExtensionsError as error:
            self.log.warning("No extension reasons in feedback: %s", error)
            reason = None
        return deadline_lines(*submission_times(nbgrader["db_url"], nbgrader["assignment"], nbgrader["student"]),
                              reason.reason if reason else "", late_rule(self.config))

    def preprocess_cell(self, cell, resources, index):
        if not is_test(cell):
            return cell, resources
        self._remove_hidden_test_region(cell)
        test = resources["feedback"].tests.get(grade_id_of(cell))
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                said = [*test.lines, *([f"Hint: {test.hint}"] if test.hint else [])] if test else []
                output.traceback = said or [f"{output.ename}: {output.evalue}".strip()]
        return cell, resources


def handed_in_problem(coursedir, nbgrader):
    """What the student's notebook in `submitted/` did to the course's test cells, in one sentence, or ""."""
    filename = f"{nbgrader['notebook']}.ipynb"
    handed_in = Path(coursedir.format_path(coursedir.submitted_directory, nbgrader["student"],
                                           nbgrader["assignment"])) / filename
    course = Path(coursedir.format_path(coursedir.source_directory, ".", nbgrader["assignment"])) / filename
    if not (handed_in.is_file() and course.is_file()):
        return ""
    return problem_sentence(filename, handed_in.read_bytes(), nbformat.read(course, as_version=4), graded=True)
