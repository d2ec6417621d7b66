"""Stage 3 of autograde: every test decided here, in nbgrader's process, outside the student's kernel.

For each test cell the kernel ran (the cells `SandboxedExecute` was asked to run):
- a test declared with a `grader` (assignment 3) gets the outputs of `grader(folder, limits)`,
  which reads the files the grader's own hooks made (and starts any process on them in a
  sandbox with the notebook's limits);
- every other test cell is run again by the judge (autograder/grading/judge.py) on what the
  kernel observed of the student's code (autograder/evidence.py).

A notebook that monkeypatches Keras, NumPy or the checks in its kernel only changes what it sees
while it runs, never its grade. Whatever a record or a file holds, it costs that cell, never
autograde. The kernel's `.evidence/` records are removed once judged.
"""

import time
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.assignments import assignment as find_assignment
from autograder.cells import grade_id_of, is_test
from autograder.evidence import EVIDENCE_FOLDER
from autograder.failures import stopped_output
from autograder.grading.judge import grader_outputs, judged_outputs
from autograder.grading.stages import RunStage, executed_cells, inputs_seed_of, remove
from autograder.isolation.sandbox import Limits, SandboxSettings

# The log line saying how long the grader took to decide the tests (make benchmark reads it).
JUDGED_PREFIX = "judged outside the kernel:"


class JudgeOutsideKernel(RunStage, NbGraderPreprocessor):
    """Decide every test cell the kernel ran from the grader's side: a declared grader, else the judge's replay."""

    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        owner = find_assignment(resources.get("nbgrader", {}).get("assignment", ""))
        limits = Limits.configured(SandboxSettings(config=self.config))
        started, judged = time.perf_counter(), 0
        for index in executed_cells(resources, nb):
            cell = nb.cells[index]
            if not is_test(cell):
                continue
            test = owner.test(grade_id_of(cell)) if owner else None
            try:
                if test is not None and test.grader is not None:
                    cell.outputs = grader_outputs(test.grader, folder, limits)
                else:
                    cell.outputs = judged_outputs(cell, folder, inputs_seed_of(resources))
            except Exception as error:  # whatever the record held, it costs this cell, never autograde
                self.log.error(f"judging {grade_id_of(cell)} failed: {type(error).__name__}: {error}")
                cell.outputs = [stopped_output(f"the grader could not decide this test ({type(error).__name__})")]
            judged += 1
        remove(folder / EVIDENCE_FOLDER)
        self.log.info(f"{JUDGED_PREFIX} {judged} test cells in {time.perf_counter() - started:.2f} s")
        return nb, resources
