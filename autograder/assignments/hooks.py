"""Where an assignment plugs its own steps into grading: named hook points, called by the grading stages.

Most assignments need none: their tests are replayed by the judge on what the kernel observed.
An assignment that must do more outside the student's kernel (assignment 3: the grader trains
the model the kernel only planned) subclasses `GradingHooks` and names the class in its
declaration (`Assignment(hooks=...)`). The `SandboxedExecute` stage
(autograder/grading/stages/sandboxed_execute.py) makes one per notebook and calls:

- `after_cell(seconds_left, grade_id)` after each cell the kernel ran (`grade_id` its nbgrader id,
  "" for a cell without one): its return value, when not None, is shown under that cell (the
  grader's log);
- `after_notebook(folder)` once the sandbox is closed: put what the grader made where the
  tests grade it, in the notebook's folder.

`files` names what the hooks own in the notebook's folder: the `RemoveGradingFiles` stage
deletes a handed-in copy before the notebook runs.
"""

from abc import ABC
from pathlib import Path


class GradingHooks(ABC):
    """An assignment's own steps in autograde, outside the student's kernel; every hook point does nothing by default.

    `kernel_folder` is the folder the kernel writes (inside the sandbox when there is one),
    `grader_folder` a folder of the grader's own, outside the notebook's reach, and `limits` the
    sandbox's limits (`autograder.isolation.sandbox.Limits`), or None when grading runs unsandboxed:
    any process the hooks start on the student's files runs in a sandbox with these limits.
    """

    files: tuple[str, ...] = ()

    def __init__(self, kernel_folder: Path, grader_folder: Path, limits=None):
        self.kernel_folder = Path(kernel_folder)
        self.grader_folder = Path(grader_folder)
        self.limits = limits

    def after_cell(self, seconds_left: float, grade_id: str = "") -> str | None:
        """Called after each cell the kernel ran, with the seconds left to the notebook and the cell's grade id;
        returns text to show under the cell, or None."""
        return None

    def after_notebook(self, folder: Path) -> None:
        """Called once the kernel is gone: put what the hooks made in the notebook's `folder`."""
