"""The record a kernel writes of what its checks observed, and the grader's verdict on a test cell from it.

These run in one process; tests/test_forgeries.py grades real forged notebooks end to end.
"""

import contextlib
import json
import subprocess
import sys

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_output

from autograder import shared_checks as checks
from autograder.assignments.fix_simplenet import checks as simplenet_checks
from autograder.errors import CheckFailure
from autograder.evidence import (
    CELL_EVIDENCE_BOUNDS,
    EVIDENCE_FOLDER,
    MissingEvidence,
    decode,
    encode,
    observe,
    read_cell_evidence,
    recording,
    replaying,
)
from autograder.grading.judge import DISPLAYED_IGNORED, StudentValue, judged_outputs, replayed_outputs
from autograder.settings import COURSE_ROOT
from tests.solutions import source_cells
from tests.trained_weights import nearest_centroid_weights

PLAIN = [
    None, True, 3, -2.5, "text", float("nan"), float("inf"), (1, (2, None)), [1, [2.0]],
    {"shape": (None, 10), "names": ["dense"]}, np.arange(6, dtype="float32").reshape(2, 3),
    np.array([True, False]), np.int64(7), np.float32(0.5), np.zeros((0, 3), "uint8"),
]


@pytest.mark.parametrize("value", PLAIN, ids=lambda value: type(value).__name__)
def test_plain_data_comes_back_as_it_was(value):
    back = decode(json.loads(json.dumps(encode(value))))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
    elif isinstance(value, float) and np.isnan(value):
        assert np.isnan(back)
    else:
        assert back == value and type(back) is type(value.item() if isinstance(value, np.generic) else value)


@pytest.mark.parametrize("value", [object(), np.array(["a"]), np.array([object()]), {1: 2}, {"a": print}, len],
                         ids=["object", "strings", "objects", "int keys", "function in a dict", "builtin"])
def test_anything_but_plain_data_cannot_be_recorded(value):
    with pytest.raises(TypeError):
        encode(value)


@pytest.mark.parametrize("data", [
    {"array": "|O", "shape": [1], "bytes": ""}, {"array": "<f8", "shape": [2], "bytes": "AAAA"},
    {"pickle": "..."}, {"tuple": "not a list"}, {"float": "1e999999"}, {"array": "<f8", "shape": [-1], "bytes": ""},
], ids=["object dtype", "short bytes", "unknown tag", "bad tuple", "odd float", "negative shape"])
def test_a_record_the_checks_never_write_is_refused(data):
    with pytest.raises((ValueError, TypeError)):
        decode(data)


def test_observe_calls_the_probe_and_hands_the_check_the_data_the_grader_will_see():
    with recording() as entries:
        got = observe("outputs", lambda: np.ones(2, "float32"))
    assert got.dtype == np.float32 and [entry["label"] for entry in entries] == ["outputs"]
    with replaying(entries):
        again = observe("outputs", lambda: pytest.fail("the grader never calls a probe"))
    np.testing.assert_array_equal(again, got)


def test_a_failure_in_a_probe_is_recorded_and_raised_again_by_the_grader():
    def probe():
        raise CheckFailure("`f()` raised ValueError", (1, 2), [3], "fix f")

    with recording() as entries, pytest.raises(CheckFailure) as in_kernel:
        observe("f", probe)
    with replaying(entries), pytest.raises(CheckFailure) as in_grader:
        observe("f", probe)
    assert str(in_grader.value) == str(in_kernel.value)


@pytest.mark.parametrize("entries", [[], [{"label": "other", "value": 1}], [{"label": "f", "failure": "no"}],
                                     [{"label": "f", "value": {"array": "|O", "shape": [], "bytes": ""}}]],
                         ids=["nothing", "another label", "unreadable failure", "unreadable value"])
def test_the_grader_fails_a_test_whose_observation_is_missing_or_unreadable(entries):
    with replaying(entries), pytest.raises(MissingEvidence, match="did not report|unreadable"):
        observe("f", lambda: 1)


def test_a_student_value_refuses_every_use():
    value = StudentValue("DenseLayer")
    for use in (lambda: value.units, lambda: value(3), lambda: len(value), lambda: bool(value), lambda: value[0]):
        with pytest.raises(RuntimeError, match="outside `observe`"):
            use()


def write_record(folder, count, entries):
    (folder / EVIDENCE_FOLDER).mkdir(exist_ok=True)
    (folder / EVIDENCE_FOLDER / f"{count}.jsonl").write_text("".join(json.dumps(entry) + "\n" for entry in entries))


CELL = '''"""Is `answer` 2?"""
from autograder.evidence import observe
from autograder import shared_checks as checks, evidence
from autograder.errors import CheckFailure
got = observe("answer", lambda: answer)
print(f"got {got}")
if got != 2:
    raise CheckFailure("wrong answer", 2, got)
'''


def test_the_grader_runs_the_test_cell_on_the_record(tmp_path):
    write_record(tmp_path, 5, [{"label": "answer", "value": 2}])
    said = new_output("stream", name="stdout", text="the kernel's own words\n")
    cell = new_code_cell(CELL, execution_count=5, outputs=[said])
    (printed,) = judged_outputs(cell, tmp_path)  # the grader's words replace the kernel's
    assert printed.text == "got 2\n"
    write_record(tmp_path, 5, [{"label": "answer", "value": 3}])
    printed, error = judged_outputs(cell, tmp_path)
    assert error.ename == "CheckFailure" and "expected 2, got 3" in error.evalue
    assert printed.text == "got 3\n"


def test_a_cell_without_its_record_fails(tmp_path):
    cell = new_code_cell(CELL, execution_count=1, outputs=[])
    assert judged_outputs(cell, tmp_path)[-1].ename == "MissingEvidence"


MIB = 2**20


def value_bomb(size):
    """A line of `size` bytes holding empty JSON objects, a value every 3 bytes: the record bomb."""
    return b"[" + b"{}," * (size // 3 - 1) + b"{}]"


def deep_bomb(depth):
    """A line of the record's form, an object whose value nests lists in it to `depth` levels in all."""
    return b'{"label": "answer", "value": ' + b"[" * (depth - 1) + b"2" + b"]" * (depth - 1) + b"}"


# Each bomb is followed by the kernel's honest observation, as the student's code would leave it before the check ran.
BOMBS = {
    "oversize": (value_bomb(CELL_EVIDENCE_BOUNDS.max_bytes + 3), "more than 16 MiB"),
    "many values": (value_bomb(CELL_EVIDENCE_BOUNDS.max_bytes - MIB), "more than 100,000 values"),
    "many strings": (b"[" + b'"",' * 100_000 + b'""]', "more than 100,000 values"),
    "many lines": (b"\n" * 100_000, "more than 100,000 values"),
    "deep nesting": (deep_bomb(CELL_EVIDENCE_BOUNDS.max_depth + 1), "values nested more than 32 deep"),
}


@pytest.mark.parametrize("bomb", BOMBS, ids=str)
def test_a_record_bomb_costs_its_test_with_the_bound_in_words(tmp_path, bomb):
    data, words = BOMBS[bomb]
    (tmp_path / EVIDENCE_FOLDER).mkdir()
    (tmp_path / EVIDENCE_FOLDER / "1.jsonl").write_bytes(data + b'\n{"label": "answer", "value": 2}\n')
    with pytest.raises(MissingEvidence, match=f"recorded {words} for this test"):
        read_cell_evidence(tmp_path, 1)
    (error,) = judged_outputs(new_code_cell(CELL, execution_count=1, outputs=[]), tmp_path)
    assert error.ename == "MissingEvidence"
    assert error.evalue.startswith(f"the notebook's kernel recorded {words} for this test")
    assert "far larger than asked for" in error.evalue


def weight_plot_record(folder, count, weights, pictures):
    """Write weight_plot's record as the kernel would for trained `weights` and the `pictures` drawn; its path.

    The kernel's probes are replaced by what they would return, and the real check records it.
    """
    plotted = {"figure": True, "type": "Figure", "pictures": pictures}
    with pytest.MonkeyPatch.context() as patch, recording() as entries, contextlib.suppress(CheckFailure):
        patch.setattr(simplenet_checks.checks, "trained_weights", lambda model: weights)
        patch.setattr(simplenet_checks, "_plotted_pictures", lambda plot, model: plotted)
        simplenet_checks.check_weight_plot(StudentValue("plot_first_layer_weights"), StudentValue("model"))
    folder.mkdir(parents=True, exist_ok=True)
    write_record(folder, count, entries)
    return folder / EVIDENCE_FOLDER / f"{count}.jsonl"


def widest_weight_plot(folder, count):
    """weight_plot's record of the widest first layer a student may try: 1,000 hidden units, trained (its first ten
    units nearest-centroid ones, tests/trained_weights.py), each drawn (8 MiB)."""
    weights = nearest_centroid_weights(1_000)
    return weight_plot_record(folder, count, weights, [column.reshape(28, 28) for column in weights[0].T])


def widened_kernel_bomb(folder, count, size):
    """weight_plot's record of the widest kernel of bytes (uint8) that fits in `size`, and the 16 pictures it needs."""
    units = (size - 100_000) * 3 // 4 // 784
    return weight_plot_record(folder, count, [np.ones((784, units), "uint8")], [np.zeros((28, 28), "float32")] * 16)


def weight_plot_cell(count):
    return new_code_cell(source_cells("01_fix_simplenet")["weight_plot"], execution_count=count, outputs=[])


def test_the_largest_honest_record_is_judged_within_the_bounds(tmp_path):
    """Is weight_plot's record of 1,000 units, every one drawn (8 MiB), read and judged to its last check: every picture
    a column of the kernel, then the model found not to be `SimpleNet()` (whose weights the test asks for)?"""
    record = widest_weight_plot(tmp_path, 16)
    assert 7 * MIB < record.stat().st_size < 9 * MIB < CELL_EVIDENCE_BOUNDS.max_bytes
    outputs = judged_outputs(weight_plot_cell(16), tmp_path)
    (error,) = [output for output in outputs if output.output_type == "error"]
    assert (error.ename, error.evalue.split(":")[0]) == (
        "CheckFailure", "the trained model's weights are not those of `SimpleNet()`"), error


# Run by a fresh Python per record: the judge on weight_plot's test cell, then the process's peak memory. The peak is
# VmHWM, its memory's own high-water mark: Linux carries `ru_maxrss` over from the parent through fork and exec.
JUDGE_AND_MEASURE = """
import json, sys
from pathlib import Path
import nbformat
from autograder.grading.judge import judged_outputs
outputs = judged_outputs(nbformat.from_dict(json.loads(sys.argv[2])), sys.argv[1])
(peak,) = [line.split()[1] for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:")]
print(json.dumps({"peak": int(peak) * 1024,
                  "errors": [output.evalue for output in outputs if output.output_type == "error"]}))
"""


def judged_in_a_process(folder, cell):
    """(peak memory in bytes, error messages) of a fresh process that judges `cell` on the record in `folder`."""
    ran = subprocess.run([sys.executable, "-c", JUDGE_AND_MEASURE, str(folder), json.dumps(cell)], cwd=COURSE_ROOT,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    measured = json.loads(ran.stdout.splitlines()[-1])
    return measured["peak"], measured["errors"]


def test_a_record_bomb_costs_the_judge_at_most_512_mib_more_than_an_honest_record(tmp_path):
    """Is the peak memory of a process judging a record bomb within 512 MiB of one judging the largest honest record?

    The bombs: the 64 MiB of empty objects that grew nbgrader's process by 1.6 GB when records were
    bounded by size alone; the same within the size; and the costliest records inside every bound: a
    string of 16 MiB with one character outside ASCII (4 bytes a character once decoded), and a first
    Dense kernel of 16 MiB of bytes, which the check widens to float64 (8 bytes each).
    """
    cell = weight_plot_cell(16)
    widest_weight_plot(tmp_path / "honest", 16)
    honest_peak, errors = judged_in_a_process(tmp_path / "honest", cell)
    # Judged to its last check (every picture compared), which finds 1,000 units are not `SimpleNet()`'s.
    assert [error.split(":")[0] for error in errors] == ["the trained model's weights are not those of `SimpleNet()`"]
    bombs = {
        "64 MiB of values": value_bomb(64 * MIB),
        "15 MiB of values": value_bomb(CELL_EVIDENCE_BOUNDS.max_bytes - MIB),
        "a 16 MiB string": b'{"label": "x", "value": "\\ud83d\\ude42'
                           + b"x" * (CELL_EVIDENCE_BOUNDS.max_bytes - 100) + b'"}',
    }
    for name, bomb in bombs.items():
        (tmp_path / name / EVIDENCE_FOLDER).mkdir(parents=True)
        (tmp_path / name / EVIDENCE_FOLDER / "16.jsonl").write_bytes(bomb + b"\n")
    widened = widened_kernel_bomb(tmp_path / "a 16 MiB kernel of bytes", 16, CELL_EVIDENCE_BOUNDS.max_bytes)
    assert CELL_EVIDENCE_BOUNDS.max_bytes - MIB < widened.stat().st_size < CELL_EVIDENCE_BOUNDS.max_bytes
    peaks = {}
    for name in [*bombs, widened.parent.parent.name]:
        peaks[name], errors = judged_in_a_process(tmp_path / name, cell)
        assert len(errors) == 1, (name, errors)
    said = {name: f"{(peak - honest_peak) / MIB:+.0f} MiB" for name, peak in peaks.items()}
    print(f"peak of the judge: honest {honest_peak / MIB:.0f} MiB; bombs {said}")
    assert all(peak - honest_peak <= 512 * MIB for peak in peaks.values()), (honest_peak / MIB, said)


@pytest.mark.parametrize("count", [None, True, -1, "../../other/.evidence/1", 1.0])
def test_only_a_plain_execution_count_names_a_record(tmp_path, count):
    write_record(tmp_path, 1, [{"label": "answer", "value": 2}])
    assert read_cell_evidence(tmp_path, count) == []


def test_a_record_nested_too_deep_for_json_says_so(tmp_path):
    (tmp_path / EVIDENCE_FOLDER).mkdir()
    record = tmp_path / EVIDENCE_FOLDER / "1.jsonl"
    record.write_text('{"label": "answer", "value": 2}\n' + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(MissingEvidence, match="more than 100,000 values"):
        read_cell_evidence(tmp_path, 1)
    record.write_bytes(deep_bomb(5_000) + b"\n")
    with pytest.raises(MissingEvidence, match="nested more than 32 deep"):
        read_cell_evidence(tmp_path, 1)


def test_observed_arrays_of_different_shapes_are_compared_as_shapes_never_broadcast():
    """A record of (N, 1) and (1, N) arrays must not make the grader build an N x N array."""
    tall, wide = np.zeros((3000, 1)), np.ones((1, 3000))
    entries = [{"label": "two inference calls", "value": encode((tall, wide))}]
    with replaying(entries), pytest.raises(CheckFailure, match="different shapes"):
        checks.check_inference_deterministic(StudentValue("model"), np.zeros((2, 2)))
    entries = [{"label": "inference and training calls", "value": encode((tall, wide))}]
    with replaying(entries):
        assert checks.check_dropout_active_in_training(StudentValue("model"), np.zeros((2, 2))) is None


def test_a_number_the_kernel_displayed_is_dropped_and_its_error_kept(tmp_path):
    write_record(tmp_path, 1, [{"label": "answer", "value": 2}])
    shown = new_output("execute_result", data={"text/plain": "1"}, execution_count=1)
    error = new_output("error", ename="NameError", evalue="name 'answer' is not defined", traceback=[])
    cell = new_code_cell(CELL, execution_count=1, outputs=[shown, error])
    note, kept = judged_outputs(cell, tmp_path)
    assert note.text == DISPLAYED_IGNORED and kept is error
    cell = new_code_cell(CELL, execution_count=1, outputs=[shown])
    assert [output.get("text") for output in judged_outputs(cell, tmp_path)] == [DISPLAYED_IGNORED, "got 2\n"]


def test_stderr_in_the_kernel_keeps_the_cell_at_zero(tmp_path):
    write_record(tmp_path, 1, [{"label": "answer", "value": 2}])
    noisy = new_output("stream", name="stderr", text="WARNING\n")
    cell = new_code_cell(CELL, execution_count=1, outputs=[noisy])
    assert judged_outputs(cell, tmp_path) == [noisy]


def test_the_grader_has_the_course_modules_and_stands_in_for_the_student_s_names():
    source = "import numpy\nassert keras.__name__ == 'keras' and np is numpy\nanswer.units\n"
    *_, error = replayed_outputs(source, [])
    assert error.ename == "RuntimeError" and "`answer`" in error.evalue


def test_a_test_cell_the_grader_passes_ends_with_its_pass_line(tmp_path):
    """Does a named test cell the grader's replay passes end with the line the kernel would print, and one it fails not?"""
    cell = new_code_cell('# Test "answer_is_two" (2 points)\n' + CELL, execution_count=5, outputs=[])
    write_record(tmp_path, 5, [{"label": "answer", "value": 2}])
    assert [output.text for output in judged_outputs(cell, tmp_path)] == [
        "got 2\n", '✔ Test "answer_is_two" passed (2 points)\n',
    ]
    write_record(tmp_path, 5, [{"label": "answer", "value": 3}])
    assert "passed" not in "".join(output.get("text", "") for output in judged_outputs(cell, tmp_path))
