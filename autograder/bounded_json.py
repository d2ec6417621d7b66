"""Reading JSON that a student's code may have written: bounded before it is parsed.

The grader parses files the student's kernel wrote: each test cell's record of observations
(`autograder/evidence.py`) and assignment 3's training plan and training record. Their size
alone bounds neither the memory nor the recursion of `json.loads`: it builds a Python object of
some 70 bytes for every value, however few bytes the value takes in the file (`{},` is 3:
64 MiB of them grew nbgrader's process by 1.6 GB), and recurses once per level of nesting. So
`read_json` and `read_json_lines` check a file against the `JsonBounds` of its kind, in this
order, and parse it only within them:

- its size, reading no further than the bound;
- the number of values and the depth of nesting, in a scan of its bytes that builds nothing per
  value: counts of bytes, then the brackets outside strings, which are few once the values are.

A file over a bound raises `OutOfBounds`, whose message names the bound in words.
"""

import itertools
import json
import os
import stat
from dataclasses import dataclass

_QUOTE, _BACKSLASH, _NEWLINE = b'"', b"\\", b"\n"
_OPENING, _CLOSING = b"[{", b"]}"
# Each value of a JSON text but the first of a line follows an opening bracket, a comma or a colon, and each key an
# opening brace or a comma: so these bytes outside strings, and the lines, count every value and key at least once.
_BEFORE_A_VALUE = (b"[", b"{", b",", b":")
_NOT_A_BRACKET = bytes(byte for byte in range(256) if byte not in _OPENING + _CLOSING)
_STEP = [1 if byte in _OPENING else -1 for byte in range(256)]


@dataclass(frozen=True)
class JsonBounds:
    """What the reader of a kind of file parses at most: its bytes, its values and the depth of their nesting.

    Values count each value, each key of an object and each line; `[[1]]` is nested 2 deep.
    """

    max_bytes: int
    max_values: int
    max_depth: int


class OutOfBounds(ValueError):
    """A file over one of its `JsonBounds`, left unparsed; `what` names the bound in words ("more than 16 MiB")."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


def read_json(path, bounds):
    """The JSON value the file at `path` holds, parsed only within `bounds`.

    Raises `OutOfBounds` for a file over a bound, OSError for one that cannot be opened (a link is
    never followed), ValueError for one that is not a regular file or not JSON.
    """
    data = _read_at_most(path, bounds.max_bytes)
    check_bounds(data, bounds)
    return json.loads(data)


def read_json_lines(path, bounds):
    """The JSON values of the lines of the file at `path` (JSON Lines), parsed only within `bounds`.

    Raises as `read_json` does; a line that is not JSON makes the whole file so.
    """
    data = _read_at_most(path, bounds.max_bytes)
    check_bounds(data, bounds)
    lines = data.split(_NEWLINE)
    if lines[-1] == b"":
        lines.pop()
    return [json.loads(line) for line in lines]


def check_bounds(data, bounds):
    """Raise `OutOfBounds` if the JSON text `data` (bytes) is over `bounds`, ValueError if its brackets do not match.

    Nothing is built per value: the bytes are counted, and only the brackets outside strings, at
    most twice `bounds.max_values` of them by then, are walked one by one.
    """
    if len(data) > bounds.max_bytes:
        raise OutOfBounds(f"more than {_in_words(bounds.max_bytes)}")
    too_many = OutOfBounds(f"more than {bounds.max_values:,} values")
    # Each string is a value or a key: its two quotes are checked before the strings are cut out, one piece each.
    if data.count(_QUOTE) > 2 * bounds.max_values:
        raise too_many
    unescaped = data.replace(_BACKSLASH * 2, b"").replace(_BACKSLASH + _QUOTE, b"")
    outside_strings = b"".join(unescaped.split(_QUOTE)[::2])
    if sum(outside_strings.count(byte) for byte in _BEFORE_A_VALUE) + data.count(_NEWLINE) + 1 > bounds.max_values:
        raise too_many
    brackets = outside_strings.translate(None, _NOT_A_BRACKET)
    depths = list(itertools.accumulate(_STEP[byte] for byte in brackets))
    if min(depths, default=0) < 0:
        raise ValueError("not JSON: a bracket closes what was never opened")
    if max(depths, default=0) > bounds.max_depth:
        raise OutOfBounds(f"values nested more than {bounds.max_depth} deep")


def _read_at_most(path, max_bytes):
    """The bytes of the regular file at `path`, opened without following a link or waiting on a pipe.

    Raises `OutOfBounds` for a file of more than `max_bytes` bytes, read no further.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise ValueError(f"{os.fspath(path)} is not a regular file")
        if status.st_size > max_bytes:
            raise OutOfBounds(f"more than {_in_words(max_bytes)}")
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OutOfBounds(f"more than {_in_words(max_bytes)}")
    return data


def _in_words(size):
    """A number of bytes as people write it: 16 MiB, 64 KiB, 1,000 bytes."""
    for unit, name in ((2**20, "MiB"), (2**10, "KiB")):
        if size % unit == 0:
            return f"{size // unit:,} {name}"
    return f"{size:,} bytes"
