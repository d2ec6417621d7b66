"""`python -m autograder.hub.gradebook_roster COURSE_FOLDER`: the roster's students into the course's gradebook.

`keras-course hub` runs it as the grader account, never as root: reading the course's settings runs the course
folder's nbgrader_config.py, which every grader may edit. The students come as JSON on standard input:
`[[username, first_name, last_name], ...]`.
"""

import json
import os
import sys
from pathlib import Path


def add_students(course, students):
    """Put `students` in the gradebook of `course` (the Formgrader's list of students), names included."""
    from nbgrader.api import Gradebook

    from autograder.course import course_settings

    db_url, course_id = course_settings(course)
    with Gradebook(db_url, course_id) as gradebook:
        for username, first_name, last_name in students:
            gradebook.update_or_create_student(username, first_name=first_name, last_name=last_name)
    database = Path(db_url.removeprefix("sqlite:///"))
    if db_url.startswith("sqlite:///") and database.stat().st_uid == os.geteuid():
        os.chmod(database, 0o660)  # SQLite makes it 0644 less the umask: every grader writes it


if __name__ == "__main__":
    add_students(sys.argv[1], json.load(sys.stdin))
