"""The grading stages of `nbgrader_config.py` (autograder/grading/stages/), each on a notebook built in memory.

As nbgrader tests its own preprocessors: no kernel is started. `SandboxedExecute` runs with the
sandbox off and nbgrader's cell execution replaced by a stand-in that writes one output per
cell, so its own work around each cell (time budget, output cut, the assignment's hooks) is
what is tested; the sandboxed kernel itself is tested end to end (test_sandbox.py, test_hostile.py).
"""

from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.preprocessors import Execute
from nbgrader.utils import determine_grade
from traitlets.config import Config

from autograder import assignments
from autograder.assignments import Assignment, GradedTest
from autograder.assignments.hooks import GradingHooks
from autograder.assignments.tune_training import ASSIGNMENT as TUNE_TRAINING
from autograder.assignments.tune_training.plan import PLANS_FOLDER
from autograder.assignments.tune_training.training import MODEL_FILENAME, RECORD_FILENAME
from autograder.cells import header_line
from autograder.evidence import EVIDENCE_FOLDER
from autograder.failures import STOPPED
from autograder.grading.stages import (
    executed_cells,
    judge_outside_kernel,
    record_executed,
    sandboxed_execute,
)
from autograder.grading.stages.judge_outside_kernel import JudgeOutsideKernel
from autograder.grading.stages.name_test_cells import NameTestCells
from autograder.grading.stages.remove_grading_files import RemoveGradingFiles
from autograder.grading.stages.sandboxed_execute import SandboxedExecute, cells_to_run, cut_outputs


def graded_test_cell(grade_id, source="pass", points=1, outputs=(), execution_count=None):
    cell = new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": grade_id, "points": points,
        "schema_version": 3,
    }})
    cell.outputs = list(outputs)
    cell.execution_count = execution_count
    return cell


def answer_cell(grade_id, source="x = 1"):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "grade_id": grade_id, "schema_version": 3,
    }})


def resources(folder, assignment=""):
    return {"metadata": {"path": str(folder)}, "nbgrader": {"assignment": assignment}}


def no_sandbox(**settings):
    config = Config()
    config.SandboxSettings.enabled = False
    for name, value in settings.items():
        setattr(config.SandboxSettings, name, value)
    return config


# --------------------------------------------------------------------------------------
# RemoveGradingFiles
# --------------------------------------------------------------------------------------


def test_remove_grading_files_deletes_what_the_assignment_declares_and_the_evidence(tmp_path):
    """Are a handed-in model, record, training plan and evidence all gone, and the student's other files kept?"""
    (tmp_path / MODEL_FILENAME).write_text("a model trained elsewhere")
    (tmp_path / RECORD_FILENAME).write_text('{"samples_seen": 1}')
    (tmp_path / PLANS_FOLDER / "0001").mkdir(parents=True)
    (tmp_path / PLANS_FOLDER / "0001" / "plan.json").write_text("{}")
    (tmp_path / EVIDENCE_FOLDER).mkdir()
    (tmp_path / EVIDENCE_FOLDER / "7.jsonl").write_text("{}")
    (tmp_path / "tune_training.ipynb").write_text("{}")
    (tmp_path / "notes.txt").write_text("mine")
    RemoveGradingFiles().preprocess(new_notebook(), resources(tmp_path, TUNE_TRAINING.name))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt", "tune_training.ipynb"]


def test_remove_grading_files_removes_a_link_without_following_it(tmp_path):
    """Is a handed-in link named like a grading file removed as a link, its target left alone?"""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("not the student's")
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / MODEL_FILENAME).symlink_to(outside / "precious")
    (folder / EVIDENCE_FOLDER).symlink_to(outside, target_is_directory=True)
    RemoveGradingFiles().preprocess(new_notebook(), resources(folder, TUNE_TRAINING.name))
    assert list(folder.iterdir()) == []
    assert (outside / "precious").read_text() == "not the student's"


def test_remove_grading_files_of_an_assignment_without_any_removes_the_evidence_only(tmp_path):
    """Does an assignment that declares no grading files keep a file named like assignment 3's?"""
    (tmp_path / MODEL_FILENAME).write_text("just a file here")
    (tmp_path / EVIDENCE_FOLDER).mkdir()
    RemoveGradingFiles().preprocess(new_notebook(), resources(tmp_path, "01_fix_simplenet"))
    assert [path.name for path in tmp_path.iterdir()] == [MODEL_FILENAME]


def test_every_grading_file_is_one_nbgrader_never_copies():
    """Does nbgrader_config.py's ignore list hold every file that any assignment's grading writes?"""
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.settings import COURSE_ROOT

    ignored = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config().CourseDirectory.ignore
    assert set(assignments.grading_files()) <= set(ignored)
    assert {MODEL_FILENAME, RECORD_FILENAME, PLANS_FOLDER} <= set(assignments.grading_files())


# --------------------------------------------------------------------------------------
# SandboxedExecute
# --------------------------------------------------------------------------------------


def test_cells_to_run_are_every_code_cell_or_those_up_to_one_test():
    """With `only_grade_id`, are the other tests skipped and nothing after the test run?"""
    nb = new_notebook(cells=[
        answer_cell("a"), graded_test_cell("first"), new_markdown_cell("text"), answer_cell("b"), graded_test_cell("second"),
        answer_cell("c"),
    ])
    assert cells_to_run(nb) == [0, 1, 3, 4, 5]
    assert cells_to_run(nb, "second") == [0, 3, 4]
    assert cells_to_run(nb, "no_such_test") == []


class FakeKernel:
    """Stands in for nbgrader's cell execution: each cell run prints its index; `die_at` kills the kernel there."""

    def __init__(self, die_at=None, text="ran"):
        self.ran = []
        self.die_at = die_at
        self.text = text

    def install(self, monkeypatch):
        kernel = self

        def preprocess(self, nb, resources=None, km=None):
            for index, cell in enumerate(nb.cells):
                self.preprocess_cell(cell, resources, index)
            return nb, resources

        def preprocess_cell(self, cell, resources, index):
            from nbclient.exceptions import DeadKernelError

            if index == kernel.die_at:
                raise DeadKernelError("the kernel died")
            kernel.ran.append(index)
            cell.outputs = [new_output("stream", name="stdout", text=f"{kernel.text} {index}\n")]
            return cell, resources

        monkeypatch.setattr(Execute, "preprocess", preprocess)
        monkeypatch.setattr(Execute, "preprocess_cell", preprocess_cell)
        return self


def test_sandboxed_execute_runs_the_cells_and_says_which_it_ran(tmp_path, monkeypatch):
    """Are exactly the code cells run, and recorded in the resources for the stages after it?"""
    kernel = FakeKernel().install(monkeypatch)
    nb = new_notebook(cells=[answer_cell("a"), new_markdown_cell("text"), graded_test_cell("t")])
    found = resources(tmp_path)
    SandboxedExecute(config=no_sandbox()).preprocess(nb, found)
    assert kernel.ran == [0, 2]
    assert executed_cells(found, nb) == [0, 2]


def test_sandboxed_execute_stops_a_notebook_out_of_time(tmp_path, monkeypatch):
    """With no time left, is every cell marked not run, with the reason in words?"""
    kernel = FakeKernel().install(monkeypatch)
    nb = new_notebook(cells=[answer_cell("a"), graded_test_cell("t")])
    SandboxedExecute(config=no_sandbox(notebook_seconds=0)).preprocess(nb, resources(tmp_path))
    assert kernel.ran == []
    for cell in nb.cells:
        assert [(output.ename, output.evalue) for output in cell.outputs] == [
            (STOPPED, "not run: the notebook ran longer than 0 s, the limit for one notebook")]


def test_sandboxed_execute_after_a_dead_kernel_marks_the_rest_not_run(tmp_path, monkeypatch):
    """Does a kernel that dies cost the cells after it, each saying why, and not the stage?"""
    FakeKernel(die_at=1).install(monkeypatch)
    nb = new_notebook(cells=[answer_cell("a"), answer_cell("b"), graded_test_cell("t")])
    SandboxedExecute(config=no_sandbox()).preprocess(nb, resources(tmp_path))
    assert nb.cells[0].outputs[0].text == "ran 0\n"
    died = "the notebook's kernel died (it crashed, exited or was killed)"
    assert nb.cells[1].outputs[-1].evalue == f"stopped: {died}"
    assert nb.cells[2].outputs[0].evalue == f"not run: {died}"
    assert determine_grade(nb.cells[2]) == (0, 1)


def test_sandboxed_execute_cuts_a_cell_output_to_its_limit(tmp_path, monkeypatch):
    """Is a cell's printed text cut to `output_bytes_per_cell`, saying so?"""
    FakeKernel(text="x" * 5000).install(monkeypatch)
    nb = new_notebook(cells=[answer_cell("a")])
    SandboxedExecute(config=no_sandbox(output_bytes_per_cell=1024)).preprocess(nb, resources(tmp_path))
    text = nb.cells[0].outputs[0].text
    assert text == "x" * 1024 + "\n[output cut: more than 1 KiB in one cell]\n"


def test_cut_outputs_keeps_a_small_output_whole():
    """Is an output under the limit left as it is?"""
    cell = new_code_cell("print('hi')")
    cell.outputs = [new_output("stream", name="stdout", text="hi\n")]
    cut_outputs(cell, 1024)
    assert cell.outputs[0].text == "hi\n"


class RecordingHooks(GradingHooks):
    """Assignment hooks that record every call the stage makes, and answer with a log after the second cell."""

    calls = []

    def after_cell(self, seconds_left, grade_id=""):
        RecordingHooks.calls.append(("after_cell", round(seconds_left) > 0, grade_id))
        return "the grader did its work\n" if len(RecordingHooks.calls) == 2 else None

    def after_notebook(self, folder):
        RecordingHooks.calls.append(("after_notebook", Path(folder)))


class MadeHooks(GradingHooks):
    """Assignment hooks that record how the stage made them."""

    made = []

    def __init__(self, kernel_folder, grader_folder, limits=None):
        super().__init__(kernel_folder, grader_folder, limits)
        MadeHooks.made.append((self.kernel_folder, self.grader_folder, limits))


class FailingHooks(GradingHooks):
    def after_cell(self, seconds_left, grade_id=""):
        raise OSError("the kernel's folder held a trap")


def with_hooks(monkeypatch, hooks):
    """Make the notebook's assignment one whose grading has `hooks`."""
    owner = Assignment("09_hooked", "hooked", "Hooked", (GradedTest("t", hint="Look again."),), __name__,
                       hooks=f"{__name__}:{hooks.__name__}")
    monkeypatch.setattr(sandboxed_execute, "find_assignment", lambda name: owner if name == owner.name else None)
    return owner


def test_sandboxed_execute_calls_the_assignments_hooks_after_each_cell_and_after_the_notebook(tmp_path, monkeypatch):
    """Are the hook points called in order, and a log the hook returns shown under its cell?"""
    FakeKernel().install(monkeypatch)
    owner = with_hooks(monkeypatch, RecordingHooks)
    RecordingHooks.calls = []
    nb = new_notebook(cells=[answer_cell("a"), answer_cell("b"), graded_test_cell("t")])
    SandboxedExecute(config=no_sandbox()).preprocess(nb, resources(tmp_path, owner.name))
    assert RecordingHooks.calls == [("after_cell", True, "a"), ("after_cell", True, "b"), ("after_cell", True, "t"),
                                    ("after_notebook", tmp_path)]
    assert [output.text for output in nb.cells[1].outputs] == ["ran 1\n", "the grader did its work\n"]
    assert [output.text for output in nb.cells[2].outputs] == ["ran 2\n"]


def test_a_failing_hook_costs_the_notebook_and_not_the_stage(tmp_path, monkeypatch):
    """Does an exception in the assignment's hook become words under the cell instead of stopping autograde?"""
    FakeKernel().install(monkeypatch)
    owner = with_hooks(monkeypatch, FailingHooks)
    nb = new_notebook(cells=[answer_cell("a")])
    SandboxedExecute(config=no_sandbox()).preprocess(nb, resources(tmp_path, owner.name))
    assert nb.cells[0].outputs[-1].text == "The grader could not train your model (OSError): it is not graded.\n"


def test_the_hooks_get_the_sandbox_limits_as_a_parameter(tmp_path, monkeypatch):
    """Without the sandbox, are the hooks made with no limits (and the grader's own folder outside the notebook's)?"""
    FakeKernel().install(monkeypatch)
    made = MadeHooks.made = []
    Hooks = MadeHooks
    owner = with_hooks(monkeypatch, Hooks)
    SandboxedExecute(config=no_sandbox()).preprocess(new_notebook(cells=[answer_cell("a")]),
                                                     resources(tmp_path, owner.name))
    [(kernel_folder, grader_folder, limits)] = made
    assert kernel_folder == tmp_path and limits is None
    assert tmp_path not in grader_folder.parents and not grader_folder.exists()


# --------------------------------------------------------------------------------------
# JudgeOutsideKernel
# --------------------------------------------------------------------------------------


def judge(nb, folder, assignment="", executed=None):
    found = resources(folder, assignment)
    if executed is not None:
        record_executed(found, executed)
    JudgeOutsideKernel(config=no_sandbox()).preprocess(nb, found)
    return nb


def test_a_test_the_grader_passes_scores_full_points_in_the_graders_words(tmp_path):
    """When the replay passes, does the cell score full points, with the grader's printed lines, not the kernel's?"""
    cell = graded_test_cell("t", "print('measured by the grader')", execution_count=3,
                            outputs=[new_output("stream", name="stdout", text="the kernel's own words\n")])
    judge(new_notebook(cells=[cell]), tmp_path)
    assert [output.text for output in cell.outputs] == ["measured by the grader\n"]
    assert determine_grade(cell) == (1, 1)


def test_a_test_that_passed_in_the_kernel_fails_with_the_graders_words(tmp_path):
    """When the kernel passed a test (it only observes) and the grader fails it, does the cell score 0 in its words?"""
    cell = graded_test_cell("t", "raise AssertionError('the values differ')", execution_count=3,
                            outputs=[new_output("stream", name="stdout", text="the kernel's own words\n")])
    judge(new_notebook(cells=[cell]), tmp_path)
    assert [output.output_type for output in cell.outputs] == ["error"]
    assert (cell.outputs[-1].ename, cell.outputs[-1].evalue) == ("AssertionError", "the values differ")
    assert determine_grade(cell) == (0, 1)


def test_a_number_the_kernel_displayed_never_sets_the_score(tmp_path):
    """Is a partial score displayed by the kernel dropped, so the grader's verdict decides?"""
    cell = graded_test_cell("t", "raise AssertionError('wrong')", points=3, execution_count=1,
                     outputs=[new_output("execute_result", data={"text/plain": "3"}, execution_count=1)])
    judge(new_notebook(cells=[cell]), tmp_path)
    assert not any(output.output_type == "execute_result" for output in cell.outputs)
    assert determine_grade(cell) == (0, 3)


def test_only_the_cells_the_kernel_ran_are_judged(tmp_path):
    """Is a test cell the kernel was not asked to run left as it was?"""
    skipped = graded_test_cell("skipped", "raise AssertionError('never judged')",
                        outputs=[new_output("stream", name="stdout", text="as handed in\n")])
    ran = graded_test_cell("ran", "raise AssertionError('judged')", execution_count=1)
    judge(new_notebook(cells=[skipped, ran]), tmp_path, executed=[1])
    assert [output.text for output in skipped.outputs] == ["as handed in\n"]
    assert ran.outputs[-1].evalue == "judged"


def test_a_declared_grader_decides_its_test_from_the_files(tmp_path):
    """Is assignment 3's accuracy test decided by its grader, from the files (none here), not by the kernel?"""
    cell = graded_test_cell("tuned_accuracy", "grade_accuracy()", points=3, execution_count=5,
                     outputs=[new_output("execute_result", data={"text/plain": "3"}, execution_count=5)])
    judge(new_notebook(cells=[cell]), tmp_path, TUNE_TRAINING.name)
    assert [output.output_type for output in cell.outputs] == ["error"]
    assert cell.outputs[0].ename == "CheckFailure" and "did not run to its end" in cell.outputs[0].evalue
    assert determine_grade(cell) == (0, 3)


def test_a_grader_that_breaks_costs_its_cell_only(tmp_path, monkeypatch):
    """Does an error inside the judge become the cell's 0 with words, and the next test still get judged?"""
    def broken(cell, folder, inputs_seed=None):
        raise MemoryError("a record bomb")

    monkeypatch.setattr(judge_outside_kernel, "judged_outputs", broken)
    first, second = graded_test_cell("first", execution_count=1), graded_test_cell("second", execution_count=2)
    judge(new_notebook(cells=[first, second]), tmp_path)
    for cell in (first, second):
        assert cell.outputs[0].evalue == "the grader could not decide this test (MemoryError)"
        assert determine_grade(cell) == (0, 1)


def test_the_evidence_is_removed_once_judged(tmp_path):
    """Is the kernel's `.evidence/` gone after the stage, so it never reaches the autograded folder?"""
    (tmp_path / EVIDENCE_FOLDER).mkdir()
    (tmp_path / EVIDENCE_FOLDER / "1.jsonl").write_text("{}\n")
    judge(new_notebook(cells=[graded_test_cell("t", execution_count=1)]), tmp_path)
    assert not (tmp_path / EVIDENCE_FOLDER).exists()


# --------------------------------------------------------------------------------------
# NameTestCells
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("points, header", [(1, '# Test "t" (1 point)'), (2.5, '# Test "t" (2.5 points)')])
def test_name_test_cells_writes_the_name_and_points_once(points, header):
    """Does each test cell start with its name and points, written once however often the stage runs?"""
    cell = graded_test_cell("t", '"""Is it?"""\ncheck_it()', points=points)
    nb = new_notebook(cells=[cell, answer_cell("a")])
    for _ in range(2):
        NameTestCells().preprocess(nb, {})
    assert cell.source == f'{header}\n"""Is it?"""\ncheck_it()'
    assert header_line(cell) == header
    assert nb.cells[1].source == "x = 1"


# --------------------------------------------------------------------------------------
# The one writer replays the run's stages (autograder/grading/gradebook_writer.py)
# --------------------------------------------------------------------------------------


def test_the_writer_replays_the_run_in_place_of_its_stages_and_keeps_nbgraders_own():
    """Are the stages that ran and judged the notebook one replay, so the writer never runs or judges again?"""
    from nbgrader.preprocessors import Execute, IgnorePattern, SaveAutoGrades
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.grading.gradebook_writer import ReplayOutputs, replaying_the_run
    from autograder.settings import COURSE_ROOT

    configured = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    steps = configured.Autograde.autograde_preprocessors
    assert steps[:3] == [RemoveGradingFiles, SandboxedExecute, JudgeOutsideKernel]
    assert replaying_the_run(steps) == [ReplayOutputs, *steps[3:]]
    assert replaying_the_run([IgnorePattern, Execute, SaveAutoGrades]) == [IgnorePattern, ReplayOutputs, SaveAutoGrades]
