"""The sandbox itself (autograder/isolation/sandbox.py), with real bubblewrap and cgroups, commands instead of kernels.

Each test runs a short command in a real `Sandbox` around a temporary folder and checks one
property; tests/test_hostile.py then grades whole hostile notebooks through nbgrader.
"""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_output

import autograder
from autograder.grading.stages.sandboxed_execute import cut_outputs
from autograder.isolation.sandbox import MIB, Limits, Sandbox, missing
from autograder.settings import COURSE_ROOT

LIMITS = Limits(memory_bytes=512 * MIB, processes=32, disk_bytes=16 * MIB)


def run(sandbox, code, timeout=60):
    """Run Python `code` in `sandbox`; return the finished process."""
    return subprocess.run(sandbox.command([sys.executable, "-I", "-c", code]), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "student" / "assignment"
    folder.mkdir(parents=True)
    (folder / "answer.txt").write_text("mine")
    return folder


def test_this_machine_can_run_the_sandbox():
    """Is everything the sandbox needs here (the suite installs bubblewrap; it runs as root)?"""
    assert missing() == []


def test_the_student_runs_as_nobody_in_its_own_folder(folder):
    with Sandbox(folder, LIMITS) as sandbox:
        process = run(sandbox, "import os; print(os.getuid(), os.getcwd(), sorted(os.listdir('.')))")
    assert process.stdout.split(" ", 2) == ["65534", str(folder), "['answer.txt']\n"], process.stderr


def test_only_the_package_of_the_course_is_there_read_only(folder):
    """Is the course (source/, the gradebook, the config) absent, and the package read-only?"""
    package = Path(autograder.__file__).parent
    code = (
        "import os, pathlib\n"
        f"print(sorted(os.listdir({str(COURSE_ROOT)!r})))\n"
        f"pathlib.Path({str(package / 'x.py')!r}).write_text('')\n"
    )
    with Sandbox(folder, LIMITS) as sandbox:
        process = run(sandbox, code)
    listed = process.stdout.strip()
    assert "source" not in listed and "nbgrader_config.py" not in listed and "autograder" in listed
    assert "Read-only file system" in process.stderr or "Permission denied" in process.stderr


def test_there_is_no_network(folder):
    """Does a connection to a server listening on the machine's loopback fail from inside?"""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as server, Sandbox(folder, LIMITS) as sandbox:
        port = server.getsockname()[1]
        process = run(sandbox, f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=3)")
    assert process.returncode != 0 and "Connection refused" in process.stderr


def test_what_the_notebook_wrote_comes_back_but_not_through_links(folder):
    code = "import os; open('result.txt', 'w').write('done'); os.symlink('/etc/passwd', 'link.txt')"
    with Sandbox(folder, LIMITS) as sandbox:
        run(sandbox, code)
    assert (folder / "result.txt").read_text() == "done"
    assert not (folder / "link.txt").exists() and not (folder / "link.txt").is_symlink()


def test_a_sparse_file_does_not_come_back_but_a_full_one_does(folder):
    """A file with holes costs the private folder nothing: copied back, it would be written out in full."""
    code = ("import os; f = open('sparse.bin', 'wb'); f.truncate(2 * 1024**3); f.close(); "
            "open('full.bin', 'wb').write(b'x' * 1024 * 1024)")
    with Sandbox(folder, LIMITS) as sandbox:
        assert run(sandbox, code).returncode == 0
    assert not (folder / "sparse.bin").exists()
    assert (folder / "full.bin").stat().st_size == 1024 * 1024


def test_a_sandbox_that_cannot_be_set_up_leaves_nothing_behind(folder):
    """A student folder larger than the private folder: entering fails, and no mount or cgroup is left."""
    (folder / "too_big.bin").write_bytes(b"x" * (LIMITS.disk_bytes + MIB))
    sandbox = Sandbox(folder, LIMITS)
    with pytest.raises(OSError):
        sandbox.__enter__()
    assert not sandbox.scratch.exists()
    assert not any(cgroup.exists() for cgroup in sandbox.cgroups)


def test_the_folder_is_size_limited(folder):
    code = "open('big.bin', 'wb').write(b'x' * (64 * 1024 * 1024))"
    with Sandbox(folder, LIMITS) as sandbox:
        process = run(sandbox, code)
        assert sandbox.disk_full()
    assert "No space left on device" in process.stderr


def test_memory_beyond_the_limit_kills_the_process_and_is_named(folder):
    code = "blocks = [bytearray(64 * 1024 * 1024) for _ in range(16)]\nfor block in blocks: block[::4096] = b'x' * len(block[::4096])"
    with Sandbox(folder, LIMITS) as sandbox:
        process = run(sandbox, code)
        assert sandbox.memory_exceeded()
    assert process.returncode != 0


def test_processes_beyond_the_limit_are_refused_and_counted(folder):
    code = "import os, time\nfor _ in range(100):\n    if os.fork() == 0:\n        time.sleep(30)\n        os._exit(0)"
    with Sandbox(folder, LIMITS) as sandbox:
        process = run(sandbox, code)
        assert sandbox.processes_exceeded()
    assert "Resource temporarily unavailable" in process.stderr


def test_nothing_it_started_outlives_it(folder):
    """Are a detached child and the sandbox's cgroups gone when the sandbox closes?"""
    code = "import subprocess, time; subprocess.Popen(['sleep', '300'], start_new_session=True); time.sleep(300)"
    with Sandbox(folder, LIMITS) as sandbox:
        running = subprocess.Popen(sandbox.command([sys.executable, "-I", "-c", code]))
        time.sleep(2)
        started = sandbox.processes_left()
        assert len(started) >= 3, "bwrap, the command and its detached child run"
        cgroups = list(sandbox.cgroups)
    running.wait(timeout=10)
    assert not any(cgroup.exists() for cgroup in cgroups)
    assert not [pid for pid in started if alive(pid)]


def alive(pid):
    """Does process `pid` still run (a killed one can stay a zombie until the machine's init reaps it)?"""
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State"))
    except (FileNotFoundError, StopIteration):
        return False
    return "zombie" not in state


def test_assignment_3_sees_the_training_split_only(folder):
    from autograder.settings import MNIST_PATH

    code = f"import numpy; print(sorted(numpy.load({str(MNIST_PATH)!r}).files))"
    with Sandbox(folder, LIMITS, train_split_only=True) as sandbox:
        process = run(sandbox, code)
    assert process.stdout.strip() == "['x_train', 'y_train']", process.stderr


def test_a_long_line_is_cut_to_the_limit_with_a_note():
    cell = new_code_cell("print('x' * 60_000_000)", outputs=[new_output("stream", name="stdout", text="x" * 60_000_000)])
    cut_outputs(cell, MIB)
    assert len(cell.outputs[0].text) < MIB + 200 and "output cut" in cell.outputs[0].text


def test_a_short_output_is_kept_whole():
    cell = new_code_cell("print('hi')", outputs=[new_output("stream", name="stdout", text="hi\n")])
    cut_outputs(cell, MIB)
    assert cell.outputs[0].text == "hi\n"


def test_a_students_kernel_sees_none_of_the_graders_side(folder):
    """With the grader's side hidden (as for every kernel), do its modules and references fail to import, and the
    kernel's side work?"""
    from autograder.grading.stages.sandboxed_execute import GRADER_SIDE

    code = (
        "import importlib\n"
        "for name in ('autograder.grading.judge', 'autograder.isolation.sandbox', 'autograder.report',\n"
        "             'autograder.assignments.tune_training.grader.trainer', 'autograder.cli'):\n"
        "    try:\n"
        "        module = importlib.import_module(name)\n"
        "        print('seen', name, len(vars(module)) > 10)\n"
        "    except ImportError as error:\n"
        "        print('hidden', name, type(error).__name__)\n"
        "import autograder.shared_checks, autograder.assignments.fix_simplenet.checks\n"
        "import autograder.assignments.layers_and_cnn.checks\n"
        "import autograder.assignments.tune_training.checks, autograder.assignments.tune_training.training\n"
        "print('kernel side imported')\n"
        "print('references', [module is None for module in (autograder.shared_checks.mnist_test,\n"
        "      autograder.assignments.fix_simplenet.checks.references, autograder.assignments.layers_and_cnn.checks.references)])\n"
    )
    with Sandbox(folder, LIMITS, hidden=GRADER_SIDE) as sandbox:
        hidden = run(sandbox, code)
    with Sandbox(folder, LIMITS) as sandbox:
        shown = run(sandbox, code)
    assert hidden.stdout.splitlines() == [
        "hidden autograder.grading.judge ModuleNotFoundError", "hidden autograder.isolation.sandbox ModuleNotFoundError",
        "seen autograder.report False",  # an empty folder in its place: a namespace package holding nothing
        "hidden autograder.assignments.tune_training.grader.trainer ModuleNotFoundError",
        "hidden autograder.cli ModuleNotFoundError",  # /dev/null in its place
        "kernel side imported",
        "references [True, True, True]",  # every check only observes: the judge decides, outside the kernel
    ], hidden.stderr
    assert shown.stdout.count("seen") == 5 and "seen autograder.cli True" in shown.stdout, shown.stderr
    assert "references [False, False, False]" in shown.stdout
