"""Benchmark: what `keras-course check` costs a student, against `nbgrader autograde` itself.

Run with `make benchmark-check`. Prints figures, asserts nothing. The baseline, measured
in the same run, is the instructor's `nbgrader autograde` of the same notebook in a
course where `generate_assignment` has already run. The check's figures are also given
as multiples of it:

- a cold check (its gradebook not cached yet: one `generate_assignment` more),
- a warm check of the whole notebook (the usual case),
- a warm `--question` check of one early test (the quick feedback loop).

The notebook is assignment 2's published solution, whose training cell runs one epoch.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.selfcheck.command import run_check
from autograder.settings import COURSE_ROOT

ASSIGNMENT = "02_layers_and_cnn"
NOTEBOOK = COURSE_ROOT / "solutions" / ASSIGNMENT / "layers_and_cnn.ipynb"
QUESTION = "conv_output_size_cases"


def timed(action):
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def autograde_seconds(workdir):
    """`nbgrader autograde` of NOTEBOOK for one student, after `generate_assignment` (not timed)."""
    course = copy_course(Path(workdir) / "course")
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    submitted = course / "submitted" / "student" / ASSIGNMENT
    submitted.mkdir(parents=True)
    shutil.copy(NOTEBOOK, submitted / NOTEBOOK.name)
    return timed(lambda: run_nbgrader(course, "autograde", ASSIGNMENT, "--student", "student", "--force"))


def main():
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["XDG_CACHE_HOME"] = str(Path(workdir) / "cache")  # a cold cache for the first check
        baseline = autograde_seconds(workdir)
        figures = [
            ("check, cold cache", timed(lambda: run_check(NOTEBOOK))),
            ("check, warm cache", timed(lambda: run_check(NOTEBOOK))),
            (f"check --question {QUESTION}", timed(lambda: run_check(NOTEBOOK, question=QUESTION))),
        ]
    print(f"{ASSIGNMENT} published solution, {os.cpu_count()} cores")
    print(f"{'nbgrader autograde (baseline)':<42} {baseline:7.1f} s   1.00x")
    for name, seconds in figures:
        print(f"{name:<42} {seconds:7.1f} s   {seconds / baseline:.2f}x")


if __name__ == "__main__":
    main()
