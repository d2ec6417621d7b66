"""Stage 2 of autograde: nbgrader's `Execute`, with the student's kernel in the sandbox.

The notebook runs as nbgrader's `Execute` runs it, but the kernel is started inside the
notebook's `Sandbox` (autograder/isolation/sandbox.py, limits from `c.SandboxSettings`), over
Unix sockets in its private folder. Around each cell:

- the notebook's own time budget (`notebook_seconds`) besides nbgrader's cell timeout;
- the assignment's hook after the cell (`GradingHooks.after_cell`, autograder/assignments/hooks.py:
  assignment 3's grader trains what the cell planned), its log shown under the cell;
- a test's hidden part run as a silent request, out of the kernel's input history and then out of
  its `linecache` (`run_cell`): a later cell that prints `In` or `linecache` finds no hidden test code;
- outputs cut to `output_bytes_per_cell` (nbgrader's `LimitOutput` counts lines, not bytes);
- the limits the cell ran into (processes refused, a full folder) noted in words.

A limit reached, a dead kernel or a notebook out of time costs that student the cells it stops,
each with the reason in words (`autograder.failures.stopped_output`), never the batch. When the
sandbox closes, `GradingHooks.after_notebook` puts what the grader made in the notebook's folder.

Two settings serve `keras-course check`: `progress` logs each cell before it runs, and
`only_grade_id` runs the notebook up to one test and that test only.
"""

import contextlib
import functools
import hashlib
import secrets
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import Any, Bool, Unicode

from autograder.assignments import assignment as find_assignment
from autograder.cells import grade_id_of, is_test, split_at_hidden_tests
from autograder.evidence import EVIDENCE_FOLDER, INPUTS_SEED_VARIABLE
from autograder.failures import stopped_output
from autograder.grading.stages import RunStage, record_executed, record_inputs_seed
from autograder.isolation.sandbox import Limits, Sandbox, SandboxSettings, describe_bytes, describe_cpus
from autograder.isolation.sandbox import mode as sandbox_mode

# What the student's kernel never sees of the `autograder` package (the sandbox hides it): the grader's side, as the
# kernel-side contract of pyproject.toml's import layers forbids it to import (tests/test_layers.py holds the two
# together). Every assignment's `grader/` folder is on this side.
GRADER_SIDE = ("grading", "isolation", "report", "selfcheck", "cli.py", "demo.py", "hub", "assignments/*/grader",
               "references")

# What comes back from the kernel's folder when its sandbox closes: the records the judge decides on, nothing else.
KEPT = (f"{EVIDENCE_FOLDER}/*.jsonl",)

# The log lines saying which cell runs (`keras-course check` reads them) and how long the grader's own step after
# a cell took (make benchmark reads them).
PROGRESS_PREFIX = "progress:"
# A cell held back this long for using more than its share of the processor gets a note saying so.
HELD_BACK_NOTE_SECONDS = 2
TRAINED_PREFIX = "trained outside the kernel:"
# Said once per notebook: which sandbox it runs in, and which limits hold there (the grading log names the mode).
SANDBOX_PREFIX = "sandbox:"


class SandboxedKernelManager(AsyncKernelManager):
    """A Jupyter kernel started inside a `Sandbox`, talking over Unix sockets in the sandbox's private folder.

    `inputs_seed` is the seed of the inputs the kernel's checks draw (`autograder.evidence.inputs_seed`)."""

    sandbox = Any(None)
    inputs_seed = Any(None)

    async def _async_pre_start_kernel(self, **kw):
        # A signal would reach bubblewrap, not the kernel: interrupt (at a cell's timeout) by message.
        self.kernel_spec.interrupt_mode = "message"
        self.transport = "ipc"
        self.ip = str(self.sandbox.sockets / "kernel")
        self.connection_file = str(self.sandbox.sockets / "connection.json")
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        # The connection file is written by now, readable by its writer only: the sandbox's user must read it.
        self.sandbox.give(self.connection_file)
        seed = {} if self.inputs_seed is None else {INPUTS_SEED_VARIABLE: str(self.inputs_seed)}
        return self.sandbox.command(super().format_kernel_cmd(extra_arguments), env=seed)


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


def forgetting(code):
    """Code that takes `code` out of the kernel's `linecache`, where IPython keeps every cell it ran, history or not.

    It names `code` by a digest only, and leaves no name behind in the notebook's namespace and no result."""
    digest = hashlib.sha256(code.strip().encode()).hexdigest()
    return ("if (lambda hashlib, linecache: [linecache.cache.pop(name, None) for name, entry in "
            "list(linecache.cache.items()) if len(entry) > 2 and "
            f"hashlib.sha256(''.join(entry[2]).strip().encode()).hexdigest() == '{digest}'])"
            "(__import__('hashlib'), __import__('linecache')):\n    pass\n")


def cells_to_run(nb, only_grade_id=""):
    """The indices of the code cells to execute: all, or those before test `only_grade_id` that are not tests, and it."""
    code = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    if not only_grade_id:
        return code
    target = next((index for index in code if grade_id_of(nb.cells[index]) == only_grade_id), None)
    if target is None:
        return []
    return [index for index in code if index == target or (index < target and not is_test(nb.cells[index]))]


class SandboxedExecute(RunStage, Execute):
    """nbgrader's `Execute` with the kernel in the sandbox, the notebook's time budget and the assignment's hooks."""

    progress = Bool(False, help="Log each code cell before it runs (for `keras-course check`).").tag(config=True)
    only_grade_id = Unicode(
        "", help="Run only the cells before this test, skipping the other tests, then this test; nothing after it."
    ).tag(config=True)

    def create_kernel_manager(self):
        if self._sandbox is None:
            return super().create_kernel_manager()
        # The course's kernel, whatever kernel the student's notebook names.
        self.km = SandboxedKernelManager(kernel_name=self.kernel_name or "python3", config=self.config)
        self.km.sandbox = self._sandbox
        self.km.inputs_seed = self._inputs_seed
        return self.km

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        self._to_run = cells_to_run(nb, self.only_grade_id)
        record_executed(resources, self._to_run)
        self._settings = SandboxSettings(config=self.config)
        limits = Limits.configured(self._settings)
        # A fresh seed for the inputs the checks draw, for the sandboxed kernel and the judge alone (autograder/
        # evidence.py); a kernel outside the sandbox (a trusted notebook) keeps the course's own.
        self._inputs_seed = secrets.randbelow(2**31) if limits else None
        if self._inputs_seed is not None:
            record_inputs_seed(resources, self._inputs_seed)
        self._stopped = ""
        self._reached = set()
        self._started = time.monotonic()
        self._sandbox = self._hooks = None
        owner = find_assignment(resources.get("nbgrader", {}).get("assignment", ""))
        # A notebook of no known assignment may not read MNIST's test split either.
        train_split_only = not (owner.kernel_reads_test_split if owner else False)
        sandboxed = Sandbox(folder, limits, train_split_only, hidden=GRADER_SIDE, keep=KEPT) if limits else (
            contextlib.nullcontext())
        self.log.info(f"{SANDBOX_PREFIX} {sandbox_mode() if limits else 'NO SANDBOX: the notebook runs as you'}")
        with tempfile.TemporaryDirectory(prefix="keras-course-grader-") as grader_folder:
            with sandboxed as sandbox:
                self._sandbox = sandbox
                kernel_folder = sandbox.work if sandbox is not None else folder
                hooks = owner.grading_hooks() if owner else None
                self._hooks = hooks(kernel_folder, grader_folder, limits) if hooks else None
                nb, resources = self._run_all(nb, resources, km)
            self._sandbox = None
            if self._hooks is not None:
                self._hooks.after_notebook(folder)  # what the grader made, never a file of the notebook's
            self._hooks = None
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

    def preprocess_cell(self, cell, resources, index):
        if index not in self._to_run:
            return cell, resources
        self._reached.add(index)
        if self._stopped:
            cell.outputs = [stopped_output(f"not run: {self._stopped}")]
            return cell, resources
        remaining = self._seconds_left()
        if remaining <= 0:
            self._stopped = f"the notebook ran longer than {self._settings.notebook_seconds} s, the limit for one notebook"
            cell.outputs = [stopped_output(f"not run: {self._stopped}")]
            return cell, resources
        if self.progress:
            position = self._to_run.index(index) + 1
            self.log.info(f"{PROGRESS_PREFIX} {position}/{len(self._to_run)} {grade_id_of(cell) or f'cell {index + 1}'}")
        configured = self.timeout
        self.timeout = int(min(configured or remaining, remaining)) + 1
        before = self._limits_so_far() if self._sandbox else None
        try:
            cell, resources = self.run_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = self._death_reason()
            cell.outputs = [*cell.get("outputs", []), stopped_output(f"stopped: {self._stopped}")]
        finally:
            self.timeout = configured
        if self._hooks is not None and not self._stopped:
            self._after_cell_hook(cell, index)
        cut_outputs(cell, self._settings.output_bytes_per_cell)
        if self._sandbox and not self._stopped:
            cell.outputs.extend(stopped_output(note) for note in self._limit_notes(*before[:2]))
        if self._sandbox:
            held_back = self._held_back_note(before[2])
            if held_back is not None:
                cell.outputs.append(held_back)
        return cell, resources

    def run_cell(self, cell, resources, index):
        """Run `cell` in the kernel, as one cell, within the cell's timeout (`self.timeout`).

        A test's hidden part runs after the rest of the cell (which ends with the line that opens it), as in the
        cell, but as a silent request: it stays out of the kernel's input history (`In`, `_ih`) and its
        `pre_run_cell` and `post_run_cell` events, and is then taken out of its `linecache`, so a later cell that
        prints them finds no hidden test code. (The judge runs the whole cell again; the feedback leaves the hidden
        part out.) A notebook that hooks the kernel's own machinery (input transformers, `pre_execute` events,
        audit hooks) still sees it while it runs: docs/threat-model.md says what that gains.
        """
        visible, hidden = split_at_hidden_tests(cell.source) if is_test(cell) else (cell.source, "")
        if not hidden:
            return super().preprocess_cell(cell, resources, index)
        whole, started, timeout = cell.source, time.monotonic(), self.timeout
        cell.source = visible
        part = new_code_cell(hidden)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            left = timeout - (time.monotonic() - started) if timeout else None
            if any(output.output_type == "error" for output in cell.outputs):  # as a failing line ends a cell
                return cell, resources
            if left is not None and left <= 0:
                cell.outputs.append(stopped_output(f"not run: the cell's hidden tests (the cell used its {timeout} s)"))
                return cell, resources
            self.timeout = None if left is None else int(left) + 1
            with self._silently():
                self.execute_cell(part, index, store_history=False)
                self.execute_cell(new_code_cell(forgetting(hidden)), index, store_history=False)
        finally:
            self.timeout = timeout
            cell.outputs.extend(part.outputs)  # what the hidden part wrote, even when its kernel died
            cell.source = whole
            self.nb.cells[index] = cell  # nbclient put each part in the cell's place
        return cell, resources

    @contextlib.contextmanager
    def _silently(self):
        """Within the block, nbclient's executions are silent requests (Jupyter's `silent`: no history, no events)."""
        self.kc.execute = functools.partial(self.kc.execute, silent=True)
        try:
            yield
        finally:
            del self.kc.execute  # the client's own method again

    def _seconds_left(self):
        return self._settings.notebook_seconds - (time.monotonic() - self._started)

    def _after_cell_hook(self, cell, index):
        """The assignment's hook after a cell; its log goes under the cell. Its failure costs this notebook only."""
        started = time.perf_counter()
        try:
            log = self._hooks.after_cell(self._seconds_left(), grade_id_of(cell) or "")
        except Exception as error:  # whatever the kernel's folder held, it costs this notebook, never autograde
            self.log.error(f"the grader's step after a cell failed: {type(error).__name__}: {error}")
            log = f"The grader could not train your model ({type(error).__name__}): it is not graded.\n"
        if log:
            cell.outputs.append(new_output("stream", name="stdout", text=log))
            self.log.info(f"{TRAINED_PREFIX} {grade_id_of(cell) or f'cell {index + 1}'} in "
                          f"{time.perf_counter() - started:.2f} s")

    def _limits_so_far(self):
        return self._sandbox.refused_processes(), self._sandbox.disk_full(), self._sandbox.held_back_seconds()

    def _held_back_note(self, held_back_before):
        """A note under the cell, when the sandbox held it back for using more than its processor share; or None.

        Only a note, never an error: a notebook that computes hard is slowed, not failed."""
        held_back = self._sandbox.held_back_seconds() - held_back_before
        if held_back < HELD_BACK_NOTE_SECONDS:
            return None
        return new_output("stream", name="stdout", text=(
            f"[sandbox] the notebook used more than its share of the processor "
            f"({describe_cpus(self._sandbox.limits.cpus)}); the sandbox held it back for {held_back:.0f} s\n"))

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
