"""The course's grading steps as nbgrader preprocessors, one module each, listed in order in `nbgrader_config.py`.

`nbgrader autograde` runs, for each notebook (`c.Autograde.autograde_preprocessors`):

1. `RemoveGradingFiles` (remove_grading_files.py): handed-in files that grading writes are deleted.
2. `SandboxedExecute` (sandboxed_execute.py): the notebook runs in the student's sandboxed kernel;
   after each cell, its time budget, output cut, the limits it ran into, and the assignment's
   own hook (autograder/assignments/hooks.py: assignment 3's grader trains the planned model).
3. `JudgeOutsideKernel` (judge_outside_kernel.py): every test is decided here, outside the
   kernel: a declared grader on the files, or the test cell replayed on what the kernel observed.
4. nbgrader's own: `IgnorePattern`, `ClearMetadataPreprocessor`, `LimitOutput`, `SaveAutoGrades`,
   `AssignLatePenalties`, `CheckCellMetadata`.

`NameTestCells` (name_test_cells.py) runs in `generate_assignment` and `generate_solution`,
`StartingCode` (starting_code.py) in `generate_assignment`, and `FeedbackForStudents`
(feedback_for_students.py) in `generate_feedback`. The stages talk to each
other only through nbgrader's `resources` (`RESOURCES_KEY`), and none imports another.
"""

import shutil


class RunStage:
    """A stage of the run that makes a notebook's graded outputs: on a worker, or in `nbgrader autograde` itself.

    The one writer of a course (autograder/grading/gradebook_writer.py) records a student graded
    elsewhere: it replays that run's outputs in place of these stages, and runs nbgrader's own after them.
    """


# Where a stage leaves what a later stage needs, in nbgrader's `resources`.
RESOURCES_KEY = "autograder"


def record_executed(resources, indices):
    """Say which cells (indices) the kernel was asked to run: a later stage judges only those."""
    resources.setdefault(RESOURCES_KEY, {})["executed"] = sorted(indices)


def record_inputs_seed(resources, seed):
    """Say from which seed the kernel's checks drew their inputs: the judge replays them with the same."""
    resources.setdefault(RESOURCES_KEY, {})["inputs_seed"] = seed


def inputs_seed_of(resources):
    """The seed the kernel's checks drew their inputs from, or None when no stage said (the course's own seed)."""
    return resources.get(RESOURCES_KEY, {}).get("inputs_seed")


def executed_cells(resources, nb):
    """The indices of the cells the kernel was asked to run (every code cell when no stage said)."""
    executed = resources.get(RESOURCES_KEY, {}).get("executed")
    return executed if executed is not None else [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def remove(path):
    """Delete the file, link or folder at `path`, if there is one, without following a link."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
