"""A notebook that spins on every core gets its share of the processor, no more, and is told so: as root and not.

Assignment 1's release with its first answer cell replaced by a spinner (eight processes busy
for `SPIN_SECONDS`), graded by the real `nbgrader autograde` with a quarter of a core per
notebook (`c.SandboxSettings.cpus`): as root, the sandbox's cgroup cpu quota holds it back, as an
ordinary user the watcher does (autograder/isolation/watched_limits.py); either way the cell
says so in words, in the graded notebook and in the student's feedback, and costs no point.
The share is small so that the spinner passes it even on a machine busy with other tests.
`make benchmark` measures what such a spinner costs an honest neighbour (tests/benchmarks/sandbox_time.py).
"""

import dataclasses

import nbformat
import pytest

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import untouched
from autograder.demo import write_submissions
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from tests.accounts import CPU_GRADER, account, give, home_of, nbgrader_as, remove

pytestmark = pytest.mark.slow

A1 = find_assignment("01_fix_simplenet")
SPIN_SECONDS = 5
SPINNER = (f"import os, time\nchildren = [pid for pid in (os.fork() for _ in range(3)) if pid]\n"
           f"end = time.monotonic() + {SPIN_SECONDS}\nwhile time.monotonic() < end:\n    pass\n"
           "if len(children) < 3:\n    os._exit(0)\nfor child in children:\n    os.waitpid(child, 0)\nprint('spun')")
NOTE = "the notebook used more than its share of the processor (0.25 cores); the sandbox held it back for"


def graded_cells(course):
    """{grade id: the text of its outputs} of the spinner's graded notebook, answer cells but the set-up cell."""
    nb = nbformat.read(course / "autograded" / "spinner" / A1.name / A1.filename, as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: "".join(output.get("text", "") for output in cell.get("outputs", []))
            for cell in nb.cells if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")}


def grade_the_spinner(course, nbgrader):
    run_nbgrader(course, "generate_assignment", A1.name, "--force")
    spinner = dataclasses.replace(untouched(A1), student_id="spinner", written={"prepare_data": SPINNER})
    write_submissions(course, [spinner])
    return nbgrader


@pytest.mark.parametrize("grader", ["root", "an ordinary user"])
def test_a_spinner_is_held_to_its_share_and_told_so(tmp_path, grader):
    if grader == "root":
        course = copy_course(tmp_path / "course")
        nbgrader = run_nbgrader
        home = None
    else:
        user = account(CPU_GRADER)
        home = home_of(user)
        course = copy_course(home / "course")
        nbgrader = nbgrader_as(user, home)
    try:
        grade_the_spinner(course, nbgrader)
        if home is not None:
            give(home, account(CPU_GRADER))
        for step in ("autograde", "generate_feedback"):
            nbgrader(course, step, A1.name, "--force", "--SandboxSettings.cpus=0.25", check=False)
        cells = graded_cells(course)
        feedback = (course / "feedback" / "spinner" / A1.name / f"{A1.notebook}.html").read_text()
    finally:
        if home is not None:
            remove(home)
    spinning = cells.pop("prepare_data")
    assert "spun" in spinning and NOTE in spinning, spinning
    assert NOTE in feedback
    assert cells and not [grade_id for grade_id, text in cells.items() if NOTE in text], cells  # the calm cells
