"""Benchmark: what the sandbox costs as an ordinary user against root, and what a spinning neighbour costs.

Run with `make benchmark` (as root: it grades as root and as `tests.accounts.GRADER`). Prints
figures, asserts nothing; each is a ratio against a baseline measured in the same run.

1. Assignment 1's reference autograded by root and by an ordinary account, alternately (the
   sandbox with cgroups against the sandbox with a user namespace, rlimits and the watcher).
2. The same reference graded alone, then beside a notebook that spins on eight processes, both
   at once with one core each (`cpus=1`, as `keras-course grade` gives each of two workers on
   two cores), then with every core each (no share): the honest student's time beside the
   spinner over its time alone (goal: at most 1.5x with a share).
"""

import dataclasses
import os
import tempfile
import threading
import time
from pathlib import Path

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import reference, untouched
from autograder.demo import write_submissions
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from tests.accounts import GRADER, account, give, home_of, nbgrader_as, remove
from tests.benchmarks.autograde_time import alternated

A1 = "01_fix_simplenet"
REPEATS = 3
SPIN_SECONDS = 120
# A cell that keeps eight processes busy (each fork's child forks too) for `SPIN_SECONDS`, in the spinner's first answer cell.
SPINNER = (f"import os, time\nchildren = [pid for pid in (os.fork() for _ in range(3)) if pid]\n"
           f"end = time.monotonic() + {SPIN_SECONDS}\nwhile time.monotonic() < end:\n    pass\n"
           "if len(children) < 3:\n    os._exit(0)\nfor child in children:\n    os.waitpid(child, 0)")


def graded_in(parent, submissions, nbgrader=run_nbgrader, options=()):
    """Autograde `submissions` of assignment 1 in a fresh copy of the course under `parent`; the seconds it took."""
    course = copy_course(Path(tempfile.mkdtemp(dir=parent)) / "course")
    run_nbgrader(course, "generate_assignment", A1, "--force")
    write_submissions(course, submissions)
    if nbgrader is not run_nbgrader:
        give(course.parent, nbgrader.user)
        os.chmod(course.parent, 0o755)
    started = time.perf_counter()
    nbgrader(course, "autograde", A1, "--force", *options)
    return time.perf_counter() - started


def as_user_against_root(honest):
    user = account(GRADER)
    home = home_of(user)
    as_user = nbgrader_as(user, home)
    try:
        root, user_time = alternated(
            f"The sandbox as an ordinary user against root: `nbgrader autograde {A1}` of its reference", REPEATS,
            {"as root": lambda: graded_in(home, [honest]), "as an ordinary user": lambda: graded_in(home, [honest], as_user)})
    finally:
        remove(home)
    print(f"  ratio: {user_time / root:.2f}x root's time")


def spinner_beside(honest, nbgrader=run_nbgrader, parent=None, who="root"):
    """The honest student's time alone, and beside the spinner with one core each and with no share at all."""
    with tempfile.TemporaryDirectory(dir=parent) as folder:
        os.chmod(folder, 0o755)  # an ordinary user grades in it
        alone = graded_in(folder, [honest], nbgrader, options=["--SandboxSettings.cpus=1"])
        beside = {cpus: _beside_the_spinner(folder, honest, cpus, nbgrader) for cpus in ("1", f"{os.cpu_count()}")}
    print(f"\nA spinning neighbour, graded by {who}: the reference of {A1} graded alone, then beside a notebook "
          f"spinning on eight processes for {SPIN_SECONDS} s, each notebook with one core (cpus=1) of "
          f"{os.cpu_count()}, then with every core (cpus={os.cpu_count()}: no share):")
    print(f"  alone                          {alone:6.1f} s")
    for cpus, seconds in beside.items():
        print(f"  beside the spinner, cpus={cpus:<5} {seconds:6.1f} s  ({seconds / alone:.2f}x its time alone)")
    print("  goal: at most 1.5x with a share")


def _beside_the_spinner(parent, honest, cpus, nbgrader):
    spinner = dataclasses.replace(untouched(find_assignment(A1)), student_id="spinner", written={"prepare_data": SPINNER})
    options = [f"--SandboxSettings.cpus={cpus}"]
    neighbour = threading.Thread(target=lambda: graded_in(parent, [spinner], nbgrader, options=options))
    neighbour.start()
    time.sleep(5)  # the spinner's kernel is busy by now
    seconds = graded_in(parent, [honest], nbgrader, options=options)
    neighbour.join()
    return seconds


def main():
    honest = reference(find_assignment(A1))
    spinner_beside(honest)
    if os.geteuid() != 0:
        print("The sandbox as an ordinary user: skipped (run `make benchmark` as root, which grades as both)")
        return
    user = account(GRADER)
    home = home_of(user)
    try:
        spinner_beside(honest, nbgrader_as(user, home), home, "an ordinary user")
    finally:
        remove(home)
    as_user_against_root(honest)


if __name__ == "__main__":
    main()
