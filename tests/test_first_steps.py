"""The README's first steps of an instructor, run as written in a copy of the course.

Between releasing and collecting, one student hands in the released notebook untouched with
`nbgrader submit`, as a student would (the README's block has no student in it). Every command
of the block must exit 0 and leave what it promises: the grade, the feedback released to the
exchange, the class report. The self-learner's steps are run by tests/test_self_learner.py, a
student's in JupyterLab by tests/test_browser.py.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import untouched
from autograder.demo import STUDENT_CACHE, nbgrader_submit, write_submissions
from autograder.grading.nbgrader_commands import copy_course
from autograder.settings import COURSE_ROOT

pytestmark = pytest.mark.slow


def instructor_commands():
    """The commands of the README's instructor block, in order, comments removed."""
    block = (COURSE_ROOT / "README.md").read_text().split("**Instructors**", 1)[1]
    commands = re.search(r"```sh\n(.*?)```", block, re.DOTALL).group(1)
    return [line.split("  #")[0].strip() for line in commands.splitlines() if line.strip()]


def test_the_instructors_first_steps_run_as_written(tmp_path):
    commands = instructor_commands()
    assert commands[0].startswith("make setup && export PATH=")  # this suite runs in the environment it sets up
    course = copy_course(tmp_path / "course")
    owner = find_assignment("01_fix_simplenet")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = []
    for command in commands[1:]:
        if command.startswith("nbgrader collect"):  # a student hands in the released notebook first
            with tempfile.TemporaryDirectory() as students:
                write_submissions(course, [untouched(owner)], root=students)
                nbgrader_submit(Path(students) / "untouched", owner.name, "untouched", course / "exchange",
                                course / STUDENT_CACHE)
        result = subprocess.run(command, shell=True, cwd=course, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-3000:])
        ran.append((command, result))
    assert [command.split()[:2] for command, _ in ran] == [
        ["nbgrader", "db"], ["nbgrader", "generate_assignment"], ["nbgrader", "release_assignment"], ["nbgrader", "collect"],
        ["keras-course", "grade"], ["nbgrader", "generate_feedback"], ["nbgrader", "release_feedback"],
        ["keras-course", "report"],
    ]
    graded = dict(ran)["keras-course grade 01_fix_simplenet"]
    assert "untouched: 0/12 points" in graded.stderr and "1 graded" in graded.stdout
    assert list((course / "exchange" / "keras-course" / "feedback").glob("*.html"))
    assert (course / "report" / "report.html").is_file()
    # The due date set first is the one the student version says.
    released = (course / "release" / owner.name / owner.filename).read_text()
    assert "**Due:** 2027-01-15 23:59 UTC." in released
