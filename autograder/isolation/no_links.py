"""Reaching into a folder a student's code may change while the grader works: no part of a path is a followed link.

A sandbox's folder belongs to the student's code, which may replace any file or folder in it by
a link at any moment: the grader reads and writes there only through folders opened without
following links (`open_folder`), and files opened the same way (`read_regular_file`).
"""

import os


def open_folder(base, *parts):
    """A file descriptor of `base/parts...`, each part opened without following a link (OSError if one is)."""
    descriptor = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    for part in parts:
        try:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor)
        finally:
            os.close(descriptor)
        descriptor = inner
    return descriptor


def read_regular_file(base, parts, name, size):
    """At most `size` bytes of the file `base/parts.../name`, opened without following links; None if it cannot be."""
    try:
        parent = open_folder(base, *parts)
        try:
            descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=parent)
        finally:
            os.close(parent)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        return file.read(size)
