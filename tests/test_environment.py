"""The environment every process of the course runs with: quiet TensorFlow, and no start-up notice in a kernel."""

import json
import subprocess
import sys

from autograder.environment import START_UP_NOTICE

NOTICES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796630916.890670     894 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors from different computation orders.",
)
# What must still reach the student: TensorFlow's warnings and errors, and anything else written to stderr.
KEPT = (
    "W0000 00:00:1796630916.890670     894 cpu_allocator_impl.cc:83] Allocation of 376320000 exceeds 10% of free memory.",
    "E0000 00:00:1796630916.890670     894 cuda_executor.cc:1228] could not open file to read NUMA node",
    "Traceback (most recent call last):",
    "I think, therefore I am",
)


def test_only_the_start_up_notices_are_held_back():
    assert all(START_UP_NOTICE.match(line) for line in NOTICES)
    assert not any(START_UP_NOTICE.match(line) for line in KEPT)


def test_tensorflow_imported_quietly_writes_no_notice_to_stderr():
    """Does TensorFlow's import, held back, leave stderr free of its notices (which a plain import writes)?"""
    code = "from autograder.environment import import_tensorflow_quietly; print(import_tensorflow_quietly())"
    environment = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}  # no TF_CPP_MIN_LOG_LEVEL
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.strip() == "[]" and "oneDNN" not in quiet.stderr and "absl" not in quiet.stderr
    plain = subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True, text=True,
                           env=environment, timeout=300)
    assert "oneDNN custom operations are on" in plain.stderr  # the notice the quiet import held back


def test_the_course_environment_imports_no_iri_parser_until_one_is_used():
    """In `make setup`'s environment, does `import nbgrader.apps` leave jsonschema's IRI parser (rfc3987_syntax's 35
    Lark parsers) unimported, while an `iri` format is still checked by it? Without the start-up module it is
    imported (the check can fail)."""
    from tests.test_self_learner import PARSER_USE

    ran = subprocess.run([sys.executable, "-c", PARSER_USE], capture_output=True, text=True, timeout=120)
    assert ran.stdout.split() == ["[]", "True", "False", "True"], ran.stdout + ran.stderr
    # `-S`: no site-packages processing, so no .pth file runs; the same folders are put on the path by hand.
    paths = json.dumps(sys.path)
    without = subprocess.run([sys.executable, "-S", "-c", f"import sys; sys.path[:] = {paths}; {PARSER_USE}"],
                             capture_output=True, text=True, timeout=120)
    assert without.returncode == 0 and without.stdout.split()[0] != "[]", without.stdout + without.stderr


def test_the_start_up_line_does_nothing_where_the_package_is_gone():
    """Does the .pth line run silently (no error on stderr at every start of Python) where `autograder` is not found?"""
    from autograder.startup import PTH_LINE

    # `-S`, from a folder without the package: the standard library only, no .pth, no `autograder`.
    ran = subprocess.run([sys.executable, "-S", "-c", f"{PTH_LINE.strip()}; print('ok')"], cwd="/",
                         capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stdout.strip(), ran.stderr) == (0, "ok", "")
