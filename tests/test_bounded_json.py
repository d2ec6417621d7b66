"""JSON a student's code may have written, checked against its bounds before it is parsed.

The real records (the judge on a record bomb, nbgrader's memory) are in tests/test_evidence.py;
assignment 3's plan and training record in tests/test_training_plan.py and tests/test_tune_training.py.
"""

import json
import os
import time

import pytest

from autograder.bounded_json import JsonBounds, OutOfBounds, check_bounds, read_json, read_json_lines

BOUNDS = JsonBounds(max_bytes=2**20, max_values=1_000, max_depth=8)


@pytest.mark.parametrize(("data", "words"), [
    (b"[" + b"{}," * 400_000 + b"{}]", "more than 1 MiB"),
    (b"[" + b"{}," * 1_000 + b"{}]", "more than 1,000 values"),
    (b"[" + b"0," * 1_000 + b"0]", "more than 1,000 values"),
    (b'{"a":' * 600 + b"0" + b"}" * 600, "more than 1,000 values"),
    (b"[" + b'"",' * 1_200 + b'""]', "more than 1,000 values"),
    (b'"' * 5_000, "more than 1,000 values"),
    (b"\n" * 5_000, "more than 1,000 values"),
    (b"[" * 9 + b"]" * 9, "values nested more than 8 deep"),
    (b'{"label": "a", "value": {"dict": {"a": ' + b"[" * 9 + b"]" * 9 + b"}}}", "values nested more than 8 deep"),
], ids=["oversize", "many objects", "many numbers", "many keys", "many strings", "quotes", "lines", "deep",
        "deep in an entry"])
def test_a_bomb_is_refused_before_it_is_parsed_with_the_bound_in_words(data, words):
    with pytest.raises(OutOfBounds) as refused:
        check_bounds(data, BOUNDS)
    assert refused.value.what == words


@pytest.mark.parametrize("value", [
    [[[[[[[["eight deep"]]]]]]]],
    {"text": "[[[[[[[[[[{{{{{{{{{{ ,,,,,,,,,,,,:::::::::: " * 200},
    {"quoted": 'a "quoted" word, a backslash \\ and "[[[[[[[[[[[[" ' * 50},
    ["\\" * 99, "\\\"[[[[[[[[[[[[[[[[", "é ☃ 🙂"],
    list(range(990)),
], ids=["eight deep", "brackets in a string", "escaped quotes", "backslashes", "990 numbers"])
def test_what_strings_hold_does_not_count_and_json_within_the_bounds_is_read(tmp_path, value):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(value))
    assert read_json(path, BOUNDS) == value


def test_json_lines_are_read_line_by_line(tmp_path):
    path = tmp_path / "record.jsonl"
    path.write_text('{"label": "a"}\n[1, 2]\n')
    assert read_json_lines(path, BOUNDS) == [{"label": "a"}, [1, 2]]
    path.write_text('{"label": "a"}\n[1, 2]')
    assert read_json_lines(path, BOUNDS) == [{"label": "a"}, [1, 2]]


@pytest.mark.parametrize("data", [b"]" * 20 + b"[" * 20, b"{not json", b'{"a": 1}\n\n{"b": 2}\n'],
                         ids=["closed before opened", "not JSON", "an empty line"])
def test_what_is_not_json_is_refused(tmp_path, data):
    path = tmp_path / "record.jsonl"
    path.write_bytes(data)
    with pytest.raises(ValueError) as refused:
        read_json_lines(path, BOUNDS)
    assert not isinstance(refused.value, OutOfBounds)


def test_a_file_over_the_size_is_read_no_further(tmp_path):
    path = tmp_path / "record.json"
    with open(path, "wb") as file:
        file.truncate(2**30)  # sparse: a gibibyte that costs the disk nothing, and would cost a read all of it
    started = time.perf_counter()
    with pytest.raises(OutOfBounds, match="more than 1 MiB"):
        read_json(path, BOUNDS)
    assert time.perf_counter() - started < 1


def test_a_link_is_not_followed_and_a_pipe_not_waited_on(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("[1]")
    (tmp_path / "link.json").symlink_to(target)
    with pytest.raises(OSError):
        read_json(tmp_path / "link.json", BOUNDS)
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(ValueError, match="not a regular file"):
        read_json(tmp_path / "pipe.json", BOUNDS)


def test_the_scan_of_the_largest_record_takes_a_fraction_of_a_second():
    """Does the scan stay cheap at 16 MiB of values, the case it exists for?"""
    data = b"[" + b"{}," * (16 * 2**20 // 3 - 1) + b"{}]"
    started = time.perf_counter()
    with pytest.raises(OutOfBounds):
        check_bounds(data, JsonBounds(max_bytes=len(data), max_values=100_000, max_depth=32))
    assert time.perf_counter() - started < 1
