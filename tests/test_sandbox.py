"""The sandbox itself (autograder/isolation/sandbox.py), with real bubblewrap and cgroups, commands instead of kernels.

Each test runs a short command in a real `Sandbox` around a temporary folder and checks one
property; tests/test_hostile.py then grades whole hostile notebooks through nbgrader.
"""

import dataclasses
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_output

import autograder
from autograder.grading.stages.sandboxed_execute import cut_outputs
from autograder.isolation.sandbox import MAX_KEPT_FILES, MIB, Limits, Sandbox, missing
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
    """As root, the sandbox's user is nobody; as an ordinary user, that user in a user namespace of its own."""
    with Sandbox(folder, LIMITS) as sandbox:
        process = run(sandbox, "import os; print(os.getuid(), os.getcwd(), sorted(os.listdir('.')))")
    user = "65534" if os.geteuid() == 0 else str(os.geteuid())
    assert process.stdout.split(" ", 2) == [user, str(folder), "['answer.txt']\n"], process.stderr


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


def test_what_keep_names_comes_back_but_not_through_links_and_nothing_else(folder):
    code = ("import os; open('result.txt', 'w').write('done'); os.symlink('/etc/passwd', 'link.txt'); "
            "open('other.dat', 'w').write('not asked for'); os.makedirs('records'); open('records/1.jsonl', 'w').write('{}')")
    with Sandbox(folder, LIMITS, keep=("*.txt", "records/*.jsonl")) as sandbox:
        run(sandbox, code)
    assert (folder / "result.txt").read_text() == "done"
    assert (folder / "records" / "1.jsonl").read_text() == "{}"
    assert not (folder / "link.txt").exists() and not (folder / "link.txt").is_symlink()
    assert not (folder / "other.dat").exists()


def test_copy_back_is_bounded_in_count_and_never_walks_the_students_tree(folder):
    """100,000 files and a 1,500-deep tree made by the notebook: at most MAX_KEPT_FILES come back, the tree never."""
    code = ("import os\nos.makedirs('many')\nfor index in range(100_000):\n    open(f'many/{index}.jsonl', 'w').close()\n"
            "os.makedirs('deep')\nos.chdir('deep')\nfor _ in range(1500):\n    os.mkdir('d')\n    os.chdir('d')\n")
    limits = dataclasses.replace(LIMITS, disk_bytes=256 * MIB)
    with Sandbox(folder, limits, keep=("many/*.jsonl", "deep/*")) as sandbox:
        assert run(sandbox, code, timeout=300).returncode == 0
    kept = sorted(path.name for path in (folder / "many").iterdir())
    assert len(kept) == MAX_KEPT_FILES and "0.jsonl" in kept and "999.jsonl" in kept
    assert not (folder / "deep").exists()  # a folder is no file: nothing of the tree came back


def test_a_sparse_file_does_not_come_back_but_a_full_one_does(folder):
    """A file with holes costs the private folder nothing: copied back, it would be written out in full."""
    code = ("import os; f = open('sparse.bin', 'wb'); f.truncate(LIMIT - 1); f.close(); "
            "open('full.bin', 'wb').write(b'x' * 1024 * 1024)").replace("LIMIT", str(LIMITS.disk_bytes))
    with Sandbox(folder, LIMITS, keep=("*.bin",)) as sandbox:
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
    code = "import os, time\nfor _ in range(100):\n    if os.fork() == 0:\n        time.sleep(3)\n        os._exit(0)"
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
        assert len(started) >= 2, "the command and its detached child run"
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


# Writes every place inside the sandbox that is a folder its user may write, until 1.5 GiB or an error; prints
# "place: bytes written, error" for each.
WRITE_EVERYWHERE = """
import os
places = set()
for line in open('/proc/self/mountinfo'):
    fields = line.split()
    mount_point, options = fields[4], fields[5]
    if 'rw' in options.split(',') and os.path.isdir(mount_point) and os.access(mount_point, os.W_OK):
        places.add(mount_point)
for top in ('/', '/tmp', '/var', os.getcwd(), os.path.expanduser('~')):
    for root, folders, files in os.walk(top):
        if os.access(root, os.W_OK):
            places.add(root)
        folders[:] = [folder for folder in folders if not os.path.ismount(os.path.join(root, folder))
                      and os.path.join(root, folder) not in ('/proc', '/sys', '/dev/shm')]
block = b'x' * (64 * 1024 * 1024)
for place in sorted(places):
    if place.startswith('/proc'):
        continue
    written, error = 0, ''
    try:
        with open(os.path.join(place, 'filler.bin'), 'wb') as out:
            while written < 1536 * 1024 * 1024:
                out.write(block)
                out.flush()
                written += len(block)
    except OSError as failure:
        error = failure.strerror
    finally:
        try:
            os.remove(os.path.join(place, 'filler.bin'))
        except OSError:
            pass
    print(f'{place}: {written}, {error}')
"""


def test_every_writable_place_is_inside_a_quota(folder):
    """1.5 GiB written anywhere the sandbox's user may write fails: each such place is a size-limited tmpfs."""
    limits = dataclasses.replace(LIMITS, memory_bytes=3 * 1024 * MIB)
    with Sandbox(folder, limits) as sandbox:
        process = run(sandbox, WRITE_EVERYWHERE, timeout=300)
    places = dict(line.split(": ", 1) for line in process.stdout.splitlines())
    assert process.returncode == 0 and {str(folder), "/tmp", "/dev/shm", "/tmp/matplotlib"} <= places.keys(), (
        process.stdout, process.stderr)
    unbounded = {place: result for place, result in places.items() if not result.split(", ")[1]}
    assert unbounded == {}, "places that took 1.5 GiB"
    assert all(int(result.split(",")[0]) <= 256 * MIB for result in places.values()), places


# Four processes that each spin for 0.75 s of processor time; the first prints the processor time of all four and the
# wall time they took.
SPIN = """import os, time
started = time.monotonic()
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        children = None
        break
    children.append(pid)
while time.process_time() < 0.75:
    pass
if children is None:
    os._exit(0)
used = time.process_time()
for pid in children:
    usage = os.wait4(pid, 0)[2]
    used += usage.ru_utime + usage.ru_stime
print(used, time.monotonic() - started)
"""


def test_a_spinning_notebook_gets_its_share_of_the_processor_and_no_more(folder):
    """Four processes spinning 3 s of processor time in all, in a sandbox of half a core: held back (root: CFS quota;
    else the watcher), they take at least 1.6 times as long on the clock (twice, less a quarter for the watcher's
    50 ms steps), whatever else the machine runs (when it is busy they get less than their share anyway); with no
    share they take about 1.5 s on two free cores."""
    limits = dataclasses.replace(LIMITS, cpus=0.5)
    with Sandbox(folder, limits) as sandbox:
        used, took = map(float, run(sandbox, SPIN).stdout.split())
        held_back = sandbox.held_back_seconds()
    assert held_back > 0 and used >= 3, (held_back, used)
    assert used <= 0.5 * took * 1.25, (used, took)


def test_the_sandbox_of_a_killed_grader_is_removed_by_the_next_one(tmp_path, folder):
    """A grader killed (SIGKILL) with a sandbox open leaves no process; the next sandbox removes its folder and cgroups."""
    code = (
        "import subprocess, sys, time\n"
        "from autograder.isolation.sandbox import Sandbox, Limits\n"
        f"sandbox = Sandbox({str(folder)!r}, Limits(memory_bytes={LIMITS.memory_bytes}, processes=32, "
        f"disk_bytes={LIMITS.disk_bytes})).__enter__()\n"
        "subprocess.Popen(sandbox.command(['sleep', '301']))\n"
        "print(sandbox.scratch, *sandbox.cgroups, flush=True)\n"
        "time.sleep(300)\n"
    )
    grader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        scratch, *cgroups = grader.stdout.readline().split()
        sleeping = _wait_for_command("sleep\x00301\x00")
    finally:
        grader.kill()
        grader.wait()
    assert sleeping and Path(scratch).exists()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in sleeping) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in sleeping if alive(pid)], "the sandbox's processes outlived their grader"
    assert Path(scratch).exists() and all(Path(cgroup).exists() for cgroup in cgroups)  # what the kill left
    with Sandbox(folder, LIMITS):
        pass
    assert not Path(scratch).exists() and not any(Path(cgroup).exists() for cgroup in cgroups)


def _wait_for_command(command_line, seconds=20):
    """The processes whose command line is `command_line` (NUL-separated), once there is one, or []."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if _command_line(pid) == command_line]
        if found:
            return found
        time.sleep(0.1)
    return []


def _command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def test_the_kernel_imports_the_package_nbgrader_imported(tmp_path, folder):
    """A course folder with its own copy of `autograder` (nbgrader runs there, `python -m`, the folder first on its
    path): the sandbox binds that copy, and the kernel's interpreter imports it, not the one of its environment."""
    course = tmp_path / "course"
    shutil.copytree(Path(autograder.__file__).parent, course / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import subprocess, sys\n"
        "import autograder\n"
        "from autograder.isolation.sandbox import Sandbox, Limits\n"
        f"with Sandbox({str(folder)!r}, Limits(memory_bytes={LIMITS.memory_bytes}, processes=32, "
        f"disk_bytes={LIMITS.disk_bytes})) as sandbox:\n"
        "    inside = subprocess.run(sandbox.command([sys.executable, '-c', 'import autograder; print(autograder.__file__)']),\n"
        "                            capture_output=True, text=True)\n"
        "print(autograder.__file__)\n"
        "print(inside.stdout.strip() or inside.stderr)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], cwd=course, capture_output=True, text=True, timeout=120)
    grader_side, kernel_side = ran.stdout.splitlines()[-2:]
    assert grader_side == str(course / "autograder" / "__init__.py"), ran.stderr
    assert kernel_side == grader_side


def test_a_tmpfs_of_its_own_is_no_way_around_the_limits(folder):
    """A notebook that makes a user and mount namespace of its own to mount a tmpfs without a size: as an ordinary
    user's sandbox it cannot make one; as root's, its pages count against the memory limit."""
    code = ("import subprocess\nmade = subprocess.run(['unshare', '-U', '-m', '--map-root-user', 'sh', '-c', "
            "'mount -t tmpfs none /tmp && head -c 1610612736 /dev/zero > /tmp/filler && echo wrote 1.5 GiB'], "
            "capture_output=True, text=True)\nprint(made.stdout, made.stderr)")
    with Sandbox(folder, LIMITS) as sandbox:
        process = run(sandbox, code, timeout=120)
    assert "wrote 1.5 GiB" not in process.stdout, process.stdout
    if os.geteuid() != 0:
        assert "unshare failed" in process.stdout, process.stdout
