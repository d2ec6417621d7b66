"""Benchmark: what the sandbox costs as an ordinary user against root, and what a spinning neighbour costs.

Run with `make benchmark` (as root: it grades as root and as `tests.accounts.GRADER`). Prints
figures, asserts nothing; each is a ratio against a baseline measured in the same run.

1. Assignment 1's reference autograded by root and by an ordinary account, alternately (the
   sandbox with cgroups against the sandbox with a user namespace, rlimits and the watcher).
2. The same reference graded alone, then beside a notebook that spins on four processes, both
   at once with one core each (`cpus=1`, as `keras-course grade` gives each of two workers on
   two cores): the honest student's time beside the spinner over its time alone (goal: 1.5x).
"""

import dataclasses
import functools
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import reference, untouched
from autograder.demo import write_submissions
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from tests.accounts import GRADER, account, give, home_of, nbgrader_as, remove

A1 = "01_fix_simplenet"
REPEATS = 3
SPIN_SECONDS = 120
# A cell that keeps four processes busy for `SPIN_SECONDS`, in the spinner's first answer cell.
SPINNER = (f"import os, time\nchildren = [pid for pid in (os.fork() for _ in range(3)) if pid]\n"
           f"end = time.monotonic() + {SPIN_SECONDS}\nwhile time.monotonic() < end:\n    pass\n"
           "if len(children) < 3:\n    os._exit(0)\nfor child in children:\n    os.waitpid(child, 0)")


def graded_in(parent, submissions, nbgrader=run_nbgrader, options=()):
    """Autograde `submissions` of assignment 1 in a fresh copy of the course under `parent`; the seconds it took."""
    course = copy_course(Path(tempfile.mkdtemp(dir=parent)) / "course")
    run_nbgrader(course, "generate_assignment", A1, "--force")
    write_submissions(course, submissions)
    if nbgrader is not run_nbgrader:
        give(course.parent, nbgrader.keywords["user"])
    started = time.perf_counter()
    nbgrader(course, "autograde", A1, "--force", *options)
    return time.perf_counter() - started


def as_user_against_root(honest):
    user = account(GRADER)
    home = home_of(user)
    as_user = functools.partial(_nbgrader_as, user=user, home=home)
    times = {"as root": [], "as an ordinary user": []}
    try:
        for _ in range(REPEATS):
            times["as root"].append(graded_in(home, [honest]))
            times["as an ordinary user"].append(graded_in(home, [honest], as_user))
    finally:
        remove(home)
    root, user_time = (statistics.median(values) for values in times.values())
    print(f"The sandbox as an ordinary user against root: `nbgrader autograde {A1}` of its reference "
          f"(median of {REPEATS}, alternated):")
    for name, values in times.items():
        print(f"  {name:<20} {statistics.median(values):6.1f} s  ({', '.join(f'{value:.1f}' for value in values)})")
    print(f"  ratio: {user_time / root:.2f}x root's time")


def _nbgrader_as(course, *args, user, home):
    return nbgrader_as(user, home, course, *args)


def spinner_beside(honest):
    spinner = dataclasses.replace(untouched(find_assignment(A1)), student_id="spinner", written={"prepare_data": SPINNER})
    one_core = ["--SandboxSettings.cpus=1"]
    with tempfile.TemporaryDirectory() as parent:
        alone = graded_in(parent, [honest], options=one_core)
        beside = {}
        neighbour = threading.Thread(target=lambda: graded_in(parent, [spinner], options=one_core))
        neighbour.start()
        time.sleep(5)  # the spinner's kernel is busy by now
        beside["honest"] = graded_in(parent, [honest], options=one_core)
        neighbour.join()
    print(f"\nA spinning neighbour: the reference of {A1} graded alone, then beside a notebook spinning on four "
          f"processes for {SPIN_SECONDS} s, each with one core (cpus=1) of {os.cpu_count()}:")
    print(f"  alone                {alone:6.1f} s")
    print(f"  beside the spinner   {beside['honest']:6.1f} s")
    print(f"  ratio: {beside['honest'] / alone:.2f}x its time alone (goal: at most 1.5x)")


def main():
    honest = reference(find_assignment(A1))
    if os.geteuid() == 0:
        as_user_against_root(honest)
    else:
        print("The sandbox as an ordinary user against root: skipped (run `make benchmark` as root to compare)")
    spinner_beside(honest)


if __name__ == "__main__":
    main()
