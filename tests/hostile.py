"""Hostile submissions: notebooks that attack their surroundings while `nbgrader autograde` runs them.

Each is an assignment's released notebook (assignment 2's unless it says otherwise) with one
answer cell replaced by an attack, as a student could hand it in. Every attack is bounded (a fixed amount of memory, processes,
disk, output or time), so the suite cannot harm the machine that runs it even where a
defence failed. `reason` is what the attacker's graded notebook must say in words.

Paths are those a notebook sees during grading: its folder is
`<course>/autograded/<student>/<assignment>/`, so the course root is `Path.cwd().parents[2]`.
The package's source and the venv are at `autograder.__file__` and `sys.prefix`.
"""

from dataclasses import dataclass

from tests.solutions import solution_text

A2 = "02_layers_and_cnn"
# The honest student graded after the attackers of each assignment, the one their leftovers (a process, a file planted,
# a package edited) could harm: assignment 2's reference solution (every test passes), and for the other two, the
# release untouched (no test passes, graded in seconds where their references would train for minutes). The one
# graded before them hands in the release untouched: what an attacker could do to an earlier student's grades and
# files (delete them, forge a grade by hand) shows on any notebook; lowering its points would not.
HONEST = {"01_fix_simplenet": "untouched", A2: "reference", "03_tune_training": "untouched"}

# Limits of the hostile batch, small so that each attack reaches them quickly.
LIMITS = dict(memory_bytes=1536 * 1024**2, processes=128, disk_bytes=256 * 1024**2,
              output_bytes_per_cell=64 * 1024, notebook_seconds=240)
CELL_TIMEOUT_SECONDS = 10

_COURSE = "from pathlib import Path\nCOURSE = Path.cwd().parents[2]\n"
# Assignment 1's data prepared as the reference does, then 15 MiB of empty JSON objects (five million values) left as
# the record of the next cell, the test of that data, whose check appends its honest observations to it.
_RECORD_BOMB = (solution_text("01_fix_simplenet", "prepare_data") + "\nimport os\nos.makedirs('.evidence', exist_ok=True)\n"
                "with open(f'.evidence/{get_ipython().execution_count}.jsonl', 'wb') as record:\n"
                "    record.write(b'[' + b'{},' * (5 * 2**20) + b'{}]\\n')")


# Assignment 2's DenseLayer as the reference writes it (so its tests' hidden parts run), then a hook that prints, before
# every later cell, each line calling a check that the kernel's input history (`In`, `_ih`) and `linecache` (where
# IPython keeps the code of every cell it ran, under ipykernel's names) hold: a hidden test line among them would reach
# the feedback.
READ_HISTORY_HEADING = "the kernel's history:"
_READ_HISTORY = (solution_text(A2, "dense_layer") + f"""
import linecache
from IPython import get_ipython

def _history(*args):
    shell = get_ipython()
    places = {{"In": list(shell.user_ns.get("In", [])) + list(shell.user_ns.get("_ih", [])),
              "linecache": ["".join(entry[2]) for name, entry in list(linecache.cache.items()) if "ipykernel" in name]}}
    lines = sorted({{f"{{place}}: {{line.strip()}}" for place, texts in places.items() for text in texts
                     for line in text.splitlines() if line.strip().startswith("check_")}})
    print({READ_HISTORY_HEADING!r}, *lines, sep="\\n")

get_ipython().events.register("pre_run_cell", _history)
""")


@dataclass(frozen=True)
class Hostile:
    """One attack: its code, in the answer cell `cell` of the hostile assignment, and the reason it must get."""

    student_id: str
    attack: str
    code: str
    reason: str
    assignment: str = A2
    cell: str = "dense_layer"
    # The reason when an ordinary user grades, where the same defence says it in other words (the sandbox's user is
    # then the grader's own account, in a user namespace: what root's folders refused, a read-only one refuses).
    as_user: str = ""
    # False for an attack stopped the same way whoever grades, which only root's batch grades: by the grader outside
    # the sandbox (the output cut, the cell timeout, the records' bounds, the hidden part's silent run), by what the
    # sandbox does not show (bubblewrap binds the same folders for root and for an ordinary user), by the
    # environment it clears, or by noticing a kernel that died.
    differs_without_root: bool = True

    @property
    def reason_as_user(self):
        return self.as_user or self.reason


HOSTILE = (
    # The gradebook.
    Hostile("gradebook_forge", "sets a manual score in the course's gradebook",
            _COURSE + "import sqlite3\nsqlite3.connect(COURSE / 'gradebook.db').execute(\n"
            "    'update grade set manual_score = 99').connection.commit()", "unable to open database file"),
    Hostile("gradebook_zero", "empties the gradebook file",
            _COURSE + "open(COURSE / 'gradebook.db', 'w').close()", "Permission denied"),
    Hostile("gradebook_later", "leaves a process behind that empties the gradebook after the kernel exits",
            "import subprocess\nsubprocess.Popen(['sh', '-c', 'sleep 15; : > ../../../gradebook.db; "
            ": > /tmp/keras-course-hostile-was-here'], start_new_session=True)\nprint('left behind')",
            "left behind"),
    # Other students and the course's files.
    Hostile("read_classmates", "reads another student's submission",
            _COURSE + "print(list((COURSE / 'submitted').iterdir()))", "FileNotFoundError", differs_without_root=False),
    Hostile("delete_classmates", "deletes other students' autograded notebooks and feedback",
            _COURSE + "import shutil\nshutil.rmtree(COURSE / 'autograded' / 'aaa_honest')\n"
            "shutil.rmtree(COURSE / 'feedback')", "FileNotFoundError", differs_without_root=False),
    Hostile("overwrite_classmate", "overwrites a classmate's notebook in its own autograded folder",
            "from pathlib import Path\ntarget = Path.cwd().parent.parent / 'zzz_honest'\n"
            "print(sorted(path.name for path in target.parent.iterdir()))\n"
            "(target / 'layers_and_cnn.ipynb').write_text('{}')", "FileNotFoundError", differs_without_root=False),
    Hostile("read_hidden_tests", "reads the hidden tests in source/",
            "import autograder\nfrom pathlib import Path\n"
            "root = Path(autograder.__file__).resolve().parents[1]\n"
            "print(list((root / 'source').glob('*/*.ipynb')), (root / 'source').exists())\n"
            "open(root / 'source' / '02_layers_and_cnn' / 'layers_and_cnn.ipynb').read()", "FileNotFoundError",
            differs_without_root=False),
    Hostile("rewrite_release", "rewrites the course's source/ and release/ notebooks",
            _COURSE + "for stage in ('source', 'release'):\n"
            "    (COURSE / stage / '02_layers_and_cnn' / 'layers_and_cnn.ipynb').write_text('{}')",
            "FileNotFoundError", differs_without_root=False),
    Hostile("delete_exchange", "deletes the exchange",
            _COURSE + "import shutil\nshutil.rmtree(COURSE / 'exchange')", "FileNotFoundError",
            differs_without_root=False),
    Hostile("config_append", "appends Python to nbgrader_config.py, which the next nbgrader command runs",
            _COURSE + "with open(COURSE / 'nbgrader_config.py', 'a') as config:\n"
            "    config.write('\\nimport os; os.system(\"touch /tmp/keras-course-hostile-was-here\")\\n')",
            "Permission denied"),
    Hostile("home_folder", "reads the instructor's home folder",
            "import os\nprint(os.listdir(os.path.expanduser('~')))\nprint(os.listdir('/root'))\n"
            "open('/root/.bash_history').read()", "No such file or directory", differs_without_root=False),
    Hostile("host_tmp", "writes to the machine's /tmp, where other graders keep files",
            "from pathlib import Path\nPath('/tmp/keras-course-hostile-was-here').write_text('pwned')\n"
            "print(sorted(path.name for path in Path('/tmp').iterdir()))\nraise SystemExit('wrote /tmp')",
            "wrote /tmp"),
    # The environment everyone after this student is graded with.
    Hostile("edit_package", "edits the installed autograder package's checks",
            "import autograder.shared_checks\nopen(autograder.shared_checks.__file__, 'a').write('\\nraise SystemExit\\n')",
            "Permission denied"),
    Hostile("edit_nbgrader", "edits the installed nbgrader package",
            "import nbgrader.utils\nopen(nbgrader.utils.__file__, 'a').write('\\ndetermine_grade = None\\n')",
            "Permission denied"),
    Hostile("new_module", "drops a module into the venv's site-packages, imported before the real one",
            "import site, sys\nopen(site.getsitepackages()[0] + '/sitecustomize.py', 'w').write('import os')",
            "Read-only file system"),
    Hostile("remount", "remounts the package read-write",
            "import subprocess\nresult = subprocess.run(['mount', '-o', 'remount,rw', '/usr'], capture_output=True, "
            "text=True)\nraise PermissionError(result.stderr.strip() or result.returncode)", "PermissionError"),
    Hostile("environment_secrets", "reads the grader's environment variables",
            "import os\nsecret = os.environ.get('KERAS_COURSE_GRADER_SECRET')\n"
            "raise LookupError(f'grader secret: {secret}')", "grader secret: None", differs_without_root=False),
    # The grading processes.
    # As root the kernel's parent in the sandbox is root's; as an ordinary user it is the grader's own account, there
    # to be killed: the kernel's link to nbgrader ends with it, nbgrader itself is out of reach (another namespace).
    Hostile("kill_parent", "kills its parent process, which it hopes is nbgrader",
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nimport time; time.sleep(5)",
            "Operation not permitted", as_user="the notebook's kernel died"),
    Hostile("kill_all", "kills every process it may signal",
            "import os, signal\nos.kill(-1, signal.SIGKILL)\nimport time; time.sleep(5)\n"
            "print('still running after killing every process it may signal')",
            "still running after killing every process it may signal", as_user="the notebook's kernel died"),
    Hostile("kill_by_name", "looks for nbgrader's process by name and kills it",
            "import os, signal\nfound = []\nfor pid in filter(str.isdigit, os.listdir('/proc')):\n"
            "    try:\n        command = open(f'/proc/{pid}/cmdline').read()\n    except OSError:\n        continue\n"
            "    if 'nbgrader' in command:\n        found.append(pid)\n"
            "raise LookupError(f'nbgrader processes seen: {found}')", "nbgrader processes seen: []"),
    Hostile("exit_kernel", "exits its own kernel", "import os\nos._exit(3)", "the notebook's kernel died",
            differs_without_root=False),
    Hostile("hang", "sleeps forever", "import time\ntime.sleep(3600)", "CellTimeoutError", differs_without_root=False),
    # The machine.
    Hostile("memory_hog", "allocates 6 GiB",
            "blocks = []\nfor _ in range(24):\n    blocks.append(bytearray(256 * 1024 * 1024))\n"
            "    blocks[-1][::4096] = b'x' * len(blocks[-1][::4096])", "more than 1.5 GiB of memory"),
    Hostile("fork_bomb", "forks hundreds of processes",
            "import os, time\nchildren = []\nfor _ in range(400):\n    pid = os.fork()\n    if pid == 0:\n"
            "        time.sleep(60)\n        os._exit(0)\n    children.append(pid)", "more than 128 processes"),
    Hostile("thread_bomb", "starts hundreds of threads",
            "import threading, time\nfor _ in range(400):\n"
            "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()", "more than 128 processes"),
    Hostile("disk_filler", "writes 2 GiB into its folder",
            "block = b'x' * (64 * 1024 * 1024)\nwith open('filler.bin', 'wb') as out:\n    for _ in range(32):\n"
            "        out.write(block)", "folder is full"),
    Hostile("tmp_filler", "writes 2 GiB into /tmp",
            "block = b'x' * (64 * 1024 * 1024)\nwith open('/tmp/filler.bin', 'wb') as out:\n    for _ in range(32):\n"
            "        out.write(block)", "No space left on device"),
    Hostile("many_files", "makes 100,000 empty files for the grader to copy back",
            "import os\nos.makedirs('many', exist_ok=True)\nfor index in range(100_000):\n"
            "    open(f'many/{index}.txt', 'w').close()\nprint('made 100,000 files')", "made 100,000 files"),
    Hostile("deep_tree", "makes a folder tree 1,500 deep for the grader to walk",
            "import os\nstart = os.getcwd()\nos.makedirs('deep', exist_ok=True)\nos.chdir('deep')\n"
            "for _ in range(1500):\n    os.mkdir('d')\n    os.chdir('d')\nos.chdir(start)\nprint('made a tree 1,500 deep')",
            "made a tree 1,500 deep"),
    Hostile("long_line", "prints a single 60 MB line", "print('x' * 60_000_000)", "output cut",
            differs_without_root=False),
    Hostile("network_loopback", "connects to a server on the machine's loopback",
            "import socket\nsocket.create_connection(('127.0.0.1', PORT), timeout=5)", "Connection refused"),
    Hostile("poison_data", "overwrites the course's copy of MNIST that every later student reads",
            "from autograder.settings import MNIST_PATH\nopen(MNIST_PATH, 'r+b').write(b'0' * 1024)",
            "Permission denied", assignment="01_fix_simplenet", cell="prepare_data"),
    Hostile("record_bomb", "leaves a record bomb for the grader: 15 MiB of empty JSON objects as the next test's record",
            _RECORD_BOMB, "recorded more than 100,000 values", assignment="01_fix_simplenet", cell="prepare_data",
            differs_without_root=False),
    Hostile("read_test_split", "reads MNIST's test split to train on it (assignment 3's kernel has the training split only)",
            "import numpy as np\nfrom autograder.settings import MNIST_PATH\nx_test = np.load(MNIST_PATH)['x_test']",
            "x_test is not a file in the archive", assignment="03_tune_training", cell="build_model"),
    Hostile("read_history", "prints the kernel's input history and linecache before every cell, hidden tests included",
            _READ_HISTORY, READ_HISTORY_HEADING, differs_without_root=False),
    Hostile("symlink_out", "leaves a symlink to the gradebook for the grader to copy back through",
            "import os\nos.symlink('../../../gradebook.db', 'tuned_model.keras')\n"
            "os.symlink('/etc/passwd', 'notes.txt')\nprint('links made')", "links made"),
)


def hostile_code(hostile, port):
    """The attack's code as handed in, with the loopback server's port filled in."""
    return hostile.code.replace("PORT", str(port))
