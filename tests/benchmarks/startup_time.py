"""Benchmark: what a process of the course pays before it does anything (`make benchmark-startup`).

Prints figures, asserts nothing. Each figure is the median of REPEATS fresh processes, in this
process's environment (`make setup`'s), against a baseline measured in the same run:

- `import nbgrader.apps` with the course's start-up module (autograder/startup.py, which makes
  jsonschema's IRI parser load only when used) and without it (`python -S`, the same folders on
  the path, so no .pth file runs): the ratio is what the start-up module saves;
- an nbgrader command in the course (`nbgrader db assignment list`, which reads
  nbgrader_config.py and so imports the course's stages), and the part of its imports that is
  the course's own (`-X importtime`: every `autograder` module, self time summed);
- `keras-course report` on the demo class, when `make demo` has graded one (demo/);
- `check("conv_output_size_cases")` in a fresh kernel that ran assignment 2's published solution
  up to that answer: its first call (imports included) against its second.

The issue's goals here: an nbgrader command in at most 2.5 s, the course's hooks at most 0.2 s,
the report of the demo class in at most 3 s, `check("id")` under 1 s from its first call.
"""

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.environment import child_environment
from autograder.settings import COURSE_ROOT

REPEATS = 5


def median_seconds(command, cwd=COURSE_ROOT):
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=child_environment(), capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def course_import_seconds(command, cwd=COURSE_ROOT):
    """The self time of every `autograder` module `command` imports (`-X importtime`), in seconds."""
    ran = subprocess.run([sys.executable, "-X", "importtime", *command], cwd=cwd, env=child_environment(),
                         capture_output=True, text=True, check=True)
    total = 0
    for line in ran.stderr.splitlines():
        if line.startswith("import time:") and line.split("|")[-1].strip().startswith("autograder"):
            total += int(line.split("|")[0].split(":")[1])
    return total / 1e6


def kernel_run(client, source):
    """Run `source` in the kernel of `client`; return (seconds, what it printed or raised)."""
    started, said = time.perf_counter(), []
    message_id = client.execute(source)
    while True:
        message = client.get_iopub_msg(timeout=600)
        if message["parent_header"].get("msg_id") != message_id:
            continue
        if message["msg_type"] in ("stream", "error"):
            said.append(message["content"].get("text") or message["content"].get("evalue", ""))
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return time.perf_counter() - started, "".join(said)


def check_in_a_fresh_kernel(grade_id="conv_output_size_cases", answer="conv_output_size"):
    """Seconds of the first and the second `check(grade_id)` in a kernel that ran the solution's set-up and answer."""
    from jupyter_client.manager import start_new_kernel

    with tempfile.TemporaryDirectory() as folder:
        notebook = COURSE_ROOT / "solutions" / "02_layers_and_cnn" / "layers_and_cnn.ipynb"
        shutil.copy(notebook, folder)
        cells = nbformat.read(notebook, as_version=4).cells
        setup = next(cell.source for cell in cells if cell.cell_type == "code")
        solution = next(cell.source for cell in cells if cell.metadata.get("nbgrader", {}).get("grade_id") == answer)
        manager, client = start_new_kernel(kernel_name="python3", cwd=folder, env=child_environment())
        try:
            kernel_run(client, setup)
            kernel_run(client, solution)
            first, said = kernel_run(client, f"check({grade_id!r})")
            second, _ = kernel_run(client, f"check({grade_id!r})")
        finally:
            manager.shutdown_kernel(now=True)
    return first, second, said.strip().splitlines()[0]


def main():
    paths = json.dumps(sys.path)
    with_startup = median_seconds([sys.executable, "-c", "import nbgrader.apps"])
    without = median_seconds([sys.executable, "-S", "-c", f"import sys; sys.path[:] = {paths}; import nbgrader.apps"])
    print(f"import nbgrader.apps: {with_startup:.2f} s with the course's start-up module, {without:.2f} s without it "
          f"(ratio {with_startup / without:.2f}; median of {REPEATS})")
    nbgrader = [sys.executable, "-m", "nbgrader", "db", "assignment", "list"]
    command = median_seconds(nbgrader)
    hooks = course_import_seconds(["-m", "nbgrader", "db", "assignment", "list"])
    print(f"nbgrader db assignment list in the course: {command:.2f} s (goal: at most 2.5 s); "
          f"the course's own modules imported by it: {hooks:.2f} s (goal: at most 0.2 s)")
    demo = COURSE_ROOT / "demo"
    if (demo / "gradebook.db").is_file():
        report = median_seconds([sys.executable, "-m", "autograder", "report", "--course", str(demo),
                                 "--out", str(Path("/tmp") / "keras-course-report-benchmark")])
        print(f"keras-course report on the demo class: {report:.2f} s (goal: at most 3 s; baseline: "
              f"the import above, {with_startup:.2f} s)")
    else:
        print("keras-course report: no graded demo class (run `make demo` first)")
    first, second, said = check_in_a_fresh_kernel()
    print(f"check(\"conv_output_size_cases\") in a fresh kernel: first call {first:.2f} s (goal: under 1 s), "
          f"second {second:.2f} s ({said})")


if __name__ == "__main__":
    main()
