"""The step of autograde before nbgrader's `AssignLatePenalties`: the student's extension, if any, into the gradebook.

nbgrader counts a submission late after the assignment's due date plus the submission's
`extension`, a gradebook field that nothing of nbgrader's sets. This step sets it from the
course's extensions file (`autograder/deadlines.py`), and clears it for a student the file no
longer names, so the file is the one place extensions are decided. A file that cannot be read
stops grading with the line that is wrong: grading on without it would penalize excused work.
"""

from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.deadlines import read_extensions


class ApplyExtensions(NbGraderPreprocessor):
    """Write the student's extension of this assignment (or none) into the gradebook, for nbgrader's late penalty."""

    def preprocess(self, nb, resources):
        nbgrader = resources["nbgrader"]
        found = read_extensions(Path(CourseDirectory(config=self.config).root)).get(
            (nbgrader["student"], nbgrader["assignment"]))
        with Gradebook(nbgrader["db_url"]) as gradebook:
            submission = gradebook.find_submission(nbgrader["assignment"], nbgrader["student"])
            duedate = submission.assignment.duedate
            extension = found.beyond(duedate) if found and duedate else None
            if found and not extension:
                self.log.warning("The extension of %s in %s extends nothing: %s", nbgrader["student"],
                                 nbgrader["assignment"], "the assignment has no due date" if duedate is None else
                                 "its new due date is not after the assignment's")
            if submission.extension != extension:
                submission.extension = extension
                gradebook.db.commit()
        return nb, resources
