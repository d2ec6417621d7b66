"""The record a kernel writes of what its checks observed, and the grader's verdict on a test cell from it.

These run in one process; tests/test_forgeries.py grades real forged notebooks end to end.
"""

import json

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_output

from autograder import shared_checks as checks, evidence
from autograder.errors import CheckFailure
from autograder.evidence import (
    EVIDENCE_FOLDER,
    MAX_CELL_EVIDENCE_BYTES,
    MissingEvidence,
    decode,
    encode,
    observe,
    read_cell_evidence,
    recording,
    replaying,
)
from autograder.grading.judge import DISPLAYED_IGNORED, StudentValue, judged_outputs, replayed_outputs

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


def test_a_record_too_large_is_not_read_and_the_test_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_CELL_EVIDENCE_BYTES", 1000)
    write_record(tmp_path, 1, [{"label": "answer", "value": "x" * 1000}])
    with pytest.raises(MissingEvidence, match="more than"):
        read_cell_evidence(tmp_path, 1)
    (error,) = judged_outputs(new_code_cell(CELL, execution_count=1, outputs=[]), tmp_path)
    assert error.ename == "MissingEvidence" and "recorded more than" in error.evalue


def test_the_cap_on_a_record_leaves_room_for_a_wide_first_layer():
    assert MAX_CELL_EVIDENCE_BYTES > 4 * 784 * 1_000 * 4 / 3 * 2  # its float32 kernel in base64, twice over


@pytest.mark.parametrize("count", [None, True, -1, "../../other/.evidence/1", 1.0])
def test_only_a_plain_execution_count_names_a_record(tmp_path, count):
    write_record(tmp_path, 1, [{"label": "answer", "value": 2}])
    assert read_cell_evidence(tmp_path, count) == []


def test_a_record_nested_too_deep_for_json_is_no_record(tmp_path):
    (tmp_path / EVIDENCE_FOLDER).mkdir()
    (tmp_path / EVIDENCE_FOLDER / "1.jsonl").write_text('{"label": "answer", "value": 2}\n' + "[" * 100_000 + "]" * 100_000)
    assert read_cell_evidence(tmp_path, 1) == []
    assert judged_outputs(new_code_cell(CELL, execution_count=1, outputs=[]), tmp_path)[-1].ename == "MissingEvidence"


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
