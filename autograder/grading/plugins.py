"""nbgrader preprocessors of the course, configured in `nbgrader_config.py`.

`ExecuteThenGradeInCleanProcess` replaces nbgrader's `Execute` in autograde. It runs the
notebook as `Execute` does, then decides every test outside the student's kernel, in
nbgrader's own process: a test declared with a `grader` (assignment 3) gets the outputs of
that function (which evaluates the saved model in a fresh process); every other test cell is
run again by `autograder/grading/judge.py` on what the kernel observed of the student's code
(`autograder/evidence.py`). A notebook that monkeypatches Keras, NumPy or the checks in its
kernel only changes what it sees while it runs, never its grade.

`NameTestCells` writes each test's name at the top of its cell in the student version, and
`FeedbackForStudents` says in the returned feedback why each test lost points, without the grader's
hidden code, tracebacks or paths.

Every kernel runs in a sandbox (`autograder/grading/sandbox.py`, limits in
`c.SandboxSettings`): a limit reached, a dead kernel or a notebook out of time costs that
student the tests not reached, with the reason in words in the cells, never the batch.

Two settings serve `keras-course check` (autograder/check/command.py), which runs the real
`nbgrader autograde` on one notebook: `progress` logs each cell before it runs, and
`only_grade_id` runs the notebook up to one test and that test only.
"""

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor
from traitlets import Any, Bool, Unicode

from autograder.assignments import assignment as find_assignment
from autograder.assignments import graded_outside_kernel
from autograder.evidence import EVIDENCE_FOLDER
from autograder.grading.judge import judged_outputs
from autograder.grading.student_feedback.paths import hide_paths_in_outputs, replacements
from autograder.grading.nbgrader import STOPPED, grade_id_of, is_test
from autograder.grading.sandbox import SANDBOX_LIMITS, Limits, Sandbox, SandboxSettings, describe_bytes


def clean_process_outputs(grade, folder):
    """The outputs a test cell gets from `grade(folder)`: printed text, then its points (if not None) or its error."""
    import io

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            points = grade(folder)
        endings = [] if points is None else [
            new_output("execute_result", data={"text/plain": repr(points)}, execution_count=None)
        ]
    except Exception as error:
        # Any error scores 0, as in the kernel: the graded files were written by the student's kernel and may
        # hold anything, which must cost this cell, not stop autograde.
        name = type(error).__name__
        endings = [new_output("error", ename=name, evalue=str(error), traceback=[f"{name}: {error}"])]
    outputs = [new_output("stream", name="stdout", text=printed.getvalue())] if printed.getvalue() else []
    return [*outputs, *endings]


PROGRESS_PREFIX = "progress:"
# The log lines saying how long the grader took to decide the tests from the kernel's record, and to train what
# the kernel planned (make benchmark reads them).
JUDGED_PREFIX = "judged outside the kernel:"
TRAINED_PREFIX = "trained outside the kernel:"


class SandboxedKernelManager(AsyncKernelManager):
    """A Jupyter kernel started inside a `Sandbox`, talking over Unix sockets in the sandbox's private folder."""

    sandbox = Any(None)

    async def _async_pre_start_kernel(self, **kw):
        # A signal would reach bubblewrap, not the kernel: interrupt (at a cell's timeout) by message.
        self.kernel_spec.interrupt_mode = "message"
        self.transport = "ipc"
        self.ip = str(self.sandbox.sockets / "kernel")
        self.connection_file = str(self.sandbox.sockets / "connection.json")
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        # The connection file is written by now, readable by root only: the sandbox's user must read it.
        os.chown(self.connection_file, self.sandbox.limits.uid, self.sandbox.limits.uid)
        return self.sandbox.command(super().format_kernel_cmd(extra_arguments))


def stopped_output(reason):
    """The error output of a cell that was stopped or not run, saying why in words."""
    return new_output("error", ename=STOPPED, evalue=reason, traceback=[f"{STOPPED}: {reason}"])


def cut_outputs(cell, limit):
    """Keep at most `limit` bytes of a cell's text outputs (nbgrader's LimitOutput counts lines, not bytes)."""
    kept = 0
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            room = max(limit - kept, 0)
            if len(output.text) > room:
                output.text = output.text[:room] + f"\n[output cut: more than {describe_bytes(limit)} in one cell]\n"
            kept += len(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            for kind, value in list(output.get("data", {}).items()):
                if isinstance(value, str) and len(value) > limit:
                    output.data[kind] = value[:limit] + f"[output cut: more than {describe_bytes(limit)}]"


class ExecuteThenGradeInCleanProcess(Execute):
    """nbgrader's `Execute` in a sandbox, then every test decided here, outside the student's kernel."""

    progress = Bool(False, help="Log each code cell before it runs (for `keras-course check`).").tag(config=True)
    only_grade_id = Unicode(
        "", help="Run only the cells before this test, skipping the other tests, then this test; nothing after it."
    ).tag(config=True)

    def _runs(self, nb):
        """The indices of the cells to execute."""
        code = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        if not self.only_grade_id:
            return code
        target = next((index for index in code if grade_id_of(nb.cells[index]) == self.only_grade_id), None)
        if target is None:
            return []
        return [index for index in code if index == target or (index < target and not is_test(nb.cells[index]))]

    def create_kernel_manager(self):
        if self._sandbox is None:
            return super().create_kernel_manager()
        # The course's kernel, whatever kernel the student's notebook names.
        self.km = SandboxedKernelManager(kernel_name=self.kernel_name or "python3", config=self.config)
        self.km.sandbox = self._sandbox
        return self.km

    def preprocess_cell(self, cell, resources, index):
        if index not in self._to_run:
            return cell, resources
        self._reached.add(index)
        if self._stopped:
            cell.outputs = [stopped_output(f"not run: {self._stopped}")]
            return cell, resources
        remaining = self._settings.notebook_seconds - (time.monotonic() - self._started)
        if remaining <= 0:
            self._stopped = f"the notebook ran longer than {self._settings.notebook_seconds} s, the limit for one notebook"
            cell.outputs = [stopped_output(f"not run: {self._stopped}")]
            return cell, resources
        if self.progress:
            position = self._to_run.index(index) + 1
            name = grade_id_of(cell) or f"cell {index + 1}"
            self.log.info(f"{PROGRESS_PREFIX} {position}/{len(self._to_run)} {name}")
        configured = self.timeout
        self.timeout = int(min(configured or remaining, remaining)) + 1
        before = (self._sandbox.refused_processes(), self._sandbox.disk_full()) if self._sandbox else None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = self._death_reason()
            cell.outputs = [*cell.get("outputs", []), stopped_output(f"stopped: {self._stopped}")]
        finally:
            self.timeout = configured
        if self._training is not None and not self._stopped:
            # An assignment that trains outside the kernel: the grader trains what this cell planned, if anything.
            started = time.perf_counter()
            try:
                log = self._training.after_cell(self._settings.notebook_seconds - (time.monotonic() - self._started))
            except Exception as error:  # whatever the kernel's folder held, it costs this notebook, never autograde
                self.log.error(f"training outside the kernel failed: {type(error).__name__}: {error}")
                log = f"The grader could not train your model ({type(error).__name__}): it is not graded.\n"
            if log:
                cell.outputs.append(new_output("stream", name="stdout", text=log))
                self.log.info(f"{TRAINED_PREFIX} {grade_id_of(cell) or f'cell {index + 1}'} in "
                              f"{time.perf_counter() - started:.2f} s")
        cut_outputs(cell, self._settings.output_bytes_per_cell)
        if self._sandbox and not self._stopped:
            cell.outputs.extend(stopped_output(note) for note in self._limit_notes(*before))
        return cell, resources

    def _limit_notes(self, refused_before, full_before):
        """Limits the cell ran into without the kernel dying, in words."""
        notes = []
        if self._sandbox.refused_processes() > refused_before:
            notes.append(f"the notebook tried to run more than {self._sandbox.limits.processes} processes and "
                         "threads at once; the sandbox refused the rest")
        if self._sandbox.disk_full() and not full_before:
            notes.append(f"the notebook's folder is full: it may hold {describe_bytes(self._sandbox.limits.disk_bytes)}")
        return notes

    def _death_reason(self):
        """Why the kernel died, in words: a limit of the sandbox, or the notebook itself."""
        sandbox = self._sandbox
        if sandbox is not None:
            if sandbox.memory_exceeded():
                return f"the notebook used more than {describe_bytes(sandbox.limits.memory_bytes)} of memory"
            if sandbox.processes_exceeded():
                return f"the notebook started more than {sandbox.limits.processes} processes"
        return "the notebook's kernel died (it crashed, exited or was killed)"

    def preprocess(self, nb, resources=None, km=None):
        folder = Path((resources or {}).get("metadata", {}).get("path") or ".")
        self._to_run = self._runs(nb)
        self._settings = SandboxSettings(config=self.config)
        self._stopped = ""
        self._reached = set()
        self._started = time.monotonic()
        outside = graded_outside_kernel()
        graded_here = [
            cell for index, cell in enumerate(nb.cells)
            if grade_id_of(cell) in outside and cell.cell_type == "code" and index in self._to_run
        ]
        # Grading files handed in with a submission must never be graded.
        for cell in graded_here:
            for name in outside[grade_id_of(cell)].artifacts:
                (folder / name).unlink(missing_ok=True)
        shutil.rmtree(folder / EVIDENCE_FOLDER, ignore_errors=True)
        self._sandbox = self._training = None
        owner = find_assignment((resources or {}).get("nbgrader", {}).get("assignment", ""))
        # The grader's own processes (training, evaluating) run in sandboxes of their own when the kernel does.
        token = SANDBOX_LIMITS.set(Limits.from_settings(self._settings) if self._settings.enabled else None)
        try:
            test_split = owner.kernel_reads_test_split if owner else False
            sandboxed = (Sandbox(folder, Limits.from_settings(self._settings), train_split_only=not test_split)
                         if self._settings.enabled else contextlib.nullcontext())
            with tempfile.TemporaryDirectory(prefix="keras-course-grader-") as grader_files:
                with sandboxed as sandbox:
                    self._sandbox = sandbox
                    workdir = sandbox.work if sandbox is not None else folder  # the kernel's working folder
                    self._training = owner.trainer(workdir, grader_files) if owner and owner.trainer else None
                    nb, resources = self._run_all(nb, resources, km)
                self._sandbox = None
                if self._training is not None:
                    self._training.deliver(folder)  # what the grader trained, never a file of the notebook's
                self._training = None
                for cell in graded_here:
                    cell.outputs = clean_process_outputs(outside[grade_id_of(cell)].grader, folder)
        finally:
            SANDBOX_LIMITS.reset(token)
        # Every other test is decided here too, from what the kernel observed of the student's code.
        started, judged = time.perf_counter(), 0
        for index in self._to_run:
            cell = nb.cells[index]
            if is_test(cell) and grade_id_of(cell) not in outside:
                try:
                    cell.outputs = judged_outputs(cell, folder)
                except Exception as error:  # whatever the record held, it costs this cell, never autograde
                    self.log.error(f"judging {grade_id_of(cell)} failed: {type(error).__name__}: {error}")
                    cell.outputs = [stopped_output(f"the grader could not decide this test ({type(error).__name__})")]
                judged += 1
        shutil.rmtree(folder / EVIDENCE_FOLDER, ignore_errors=True)
        self.log.info(f"{JUDGED_PREFIX} {judged} test cells in {time.perf_counter() - started:.2f} s")
        return nb, resources

    def _run_all(self, nb, resources, km):
        try:
            return super().preprocess(nb, resources, km)
        except (DeadKernelError, CellTimeoutError, RuntimeError) as error:  # before the first cell, or between cells
            if not isinstance(error, DeadKernelError):
                self.log.error(f"the notebook stopped: {type(error).__name__}: {error}")
            self._stopped = self._stopped or self._death_reason()
            # A cell never run keeps the outputs the student handed in: nbgrader would grade those.
            for index in set(self._to_run) - self._reached:
                nb.cells[index].outputs = [stopped_output(f"not run: {self._stopped}")]
            return nb, resources


def header_line(cell):
    """The first line of a test cell in the student's version: the test's name and points."""
    points = float(cell.metadata.nbgrader["points"])
    return f'# Test "{grade_id_of(cell)}" ({points:g} point{"" if points == 1 else "s"})'


class NameTestCells(NbGraderPreprocessor):
    """Start each test cell with its name and points, from its nbgrader metadata (the one place they are written).

    Runs first in `generate_assignment` and `generate_solution`, so the gradebook, `release/`
    and `solutions/` all show it and students know what to pass to `check(...)`.
    """

    def preprocess_cell(self, cell, resources, index):
        if is_test(cell) and not cell.source.startswith("# Test "):
            cell.source = f"{header_line(cell)}\n{cell.source}"
        return cell, resources


class FeedbackForStudents(ClearHiddenTests):
    """What a student reads in `nbgrader generate_feedback`'s HTML: each test, why it lost points, no grader code.

    Runs after nbgrader's `GetGrades`. It reads the gradebook and the autograded notebook into a
    `FeedbackPage` (`resources["feedback"]`, laid out by the template in `autograder/grading/student_feedback/`):
    each test's question and points, the earlier cell behind a failure, the hint, a written answer
    "not graded yet" until a grader has graded it. In the notebook, a test cell keeps its visible code;
    its hidden region is removed (nbgrader would show it, jupyter/nbgrader#917), and its error shows
    as what the page says about it instead of a traceback into the grader's code and its hidden cases.
    No output keeps an instructor path (`autograder/grading/student_feedback/paths.py`).
    """

    def preprocess(self, nb, resources):
        # Imported here: it reads outcomes from the class report's package, which loads matplotlib.
        from autograder.grading.student_feedback.page import FeedbackPage, feedback_page, gradebook_grades

        folder = Path(resources.get("metadata", {}).get("path") or ".")
        paths = replacements(folder, Path(CourseDirectory(config=self.config).root))
        for cell in nb.cells:
            hide_paths_in_outputs(cell, paths)
        nbgrader = resources["nbgrader"]
        owner = find_assignment(nbgrader["assignment"])
        grades = gradebook_grades(
            nbgrader["db_url"], nbgrader["notebook"], nbgrader["assignment"], nbgrader["student"]
        )
        resources["feedback"] = feedback_page(nb, owner, grades) if owner else FeedbackPage({}, ())
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if not is_test(cell):
            return cell, resources
        self._remove_hidden_test_region(cell)
        test = resources["feedback"].tests.get(grade_id_of(cell))
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                said = [*test.lines, *([f"Hint: {test.hint}"] if test.hint else [])] if test else []
                output.traceback = said or [f"{output.ename}: {output.evalue}".strip()]
        return cell, resources
