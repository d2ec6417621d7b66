"""JupyterLab on a copy of the course, driven by Debian's Chromium through Playwright.

The helpers of `tests/test_browser.py`: a Lab server on localhost with a random token and
all its state under a temporary folder, a headless browser page, numbered screenshots,
and a watch over every process the test starts, so that none is left behind.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import expect, sync_playwright

from autograder.environment import child_environment
from autograder.settings import COURSE_ROOT
from tests.network import free_port

# Kept after the test, for a person to look at.
ARTIFACTS = COURSE_ROOT / "test-artifacts" / "browser"

# Seconds. Generous: the machine has 2 cores, and other test runs may share them.
SERVER_START_TIMEOUT = 180
SERVER_STOP_TIMEOUT = 60
PROCESS_EXIT_TIMEOUT = 30
UI_TIMEOUT = 60
CELL_TIMEOUT = 180
VALIDATE_TIMEOUT = 600

VIEWPORT = {"width": 1400, "height": 1000}

# `make lab`'s launcher: JupyterLab with the configuration of a view ("student" or "instructor").
LAB_LAUNCHER = COURSE_ROOT / "lab" / "jupyter-lab"

# User settings of the Lab under test: every cell in the page (locators find cells out of view too).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def chromium_path():
    """Debian's `chromium`; without it the test fails in CI (it must run there) and is skipped elsewhere."""
    path = shutil.which("chromium")
    if path is None:
        message = ("Debian's chromium is not installed: run `make test`, which installs it "
                   "(`apt-get install --no-install-recommends chromium fonts-liberation`)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


# Processes ------------------------------------------------------------------------------


class ProcessWatch:
    """Every process started below this one while the watch is on, sampled in a thread.

    Kernels run in sessions of their own and would outlive a killed server as orphans,
    out of reach of its process tree: they are remembered while their parent still lives.
    On exit the watch waits for them all to end, records the `survivors` and kills those.
    """

    def __init__(self, interval=0.2):
        self._root = psutil.Process()
        self._interval = interval
        self._before = set(self._root.children(recursive=True))
        self._seen = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self.survivors = []

    @property
    def started(self):
        """`pid name cmdline` of every process seen."""
        return list(self._seen.values())

    def _sample(self):
        for process in set(self._root.children(recursive=True)) - self._before - self._seen.keys():
            self._seen[process] = describe(process)

    def _watch(self):
        while not self._stop.wait(self._interval):
            self._sample()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self._sample()
        _, alive = psutil.wait_procs(list(self._seen), timeout=PROCESS_EXIT_TIMEOUT)
        self.survivors = [describe(process) for process in alive]
        for process in alive:
            with suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(alive, timeout=PROCESS_EXIT_TIMEOUT)
        return False


def describe(process):
    """`pid name cmdline` of a process, for a failure message."""
    try:
        return f"{process.pid} {process.name()} {' '.join(process.cmdline())[:200]}"
    except psutil.Error:
        return f"{process.pid} (gone)"


# The Lab server --------------------------------------------------------------------------


@dataclass(frozen=True)
class LabServer:
    """A running `jupyter lab` and how to reach it."""

    process: subprocess.Popen
    url: str
    token: str
    log: Path

    def request(self, path, method="GET"):
        """A request for `path` of the server, with the token."""
        return urllib.request.Request(f"{self.url}/{path}", method=method,
                                      headers={"Authorization": f"token {self.token}"})

    def api(self, path, method="GET", timeout=10):
        """Call the server's REST API; return the HTTP status."""
        with urllib.request.urlopen(self.request(f"api/{path}", method), timeout=timeout) as response:
            return response.status

    def get_json(self, path, timeout=10):
        """GET `path` of the server, as JSON."""
        with urllib.request.urlopen(self.request(path), timeout=timeout) as response:
            return json.loads(response.read())

    def status_of(self, path, timeout=10):
        """The HTTP status of GET `path` (a page of the server, such as `formgrader`), errors included."""
        try:
            with urllib.request.urlopen(self.request(path), timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def log_tail(self, lines=40):
        """The last `lines` lines the server logged."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def lab_environment(state_dir, token):
    """nbgrader's environment, with Jupyter's and IPython's state (and $HOME) under `state_dir`."""
    env = child_environment()
    # ipykernel shows what reaches a kernel's C-level stderr in the cell, as for a student, unless it runs under pytest.
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(
        HOME=str(state_dir / "home"),
        JUPYTER_CONFIG_DIR=str(state_dir / "config"),
        JUPYTER_DATA_DIR=str(state_dir / "data"),
        JUPYTER_RUNTIME_DIR=str(state_dir / "runtime"),
        IPYTHONDIR=str(state_dir / "ipython"),
        JUPYTER_TOKEN=token,
    )
    return env


def write_lab_settings(settings_dir):
    """Write `LAB_SETTINGS` as JupyterLab user settings under `settings_dir`."""
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def lab_command(port, state_dir, view):
    """`make lab`'s `jupyter lab` in `view` ("student" or "instructor"), on 127.0.0.1:`port` only,
    with no browser, and settings and workspaces under `state_dir`.

    `--allow-root`: CI runs as root, and Jupyter refuses to start as root without it.
    `expose_app_in_browser`: the page's `window.jupyterapp`, for the test to ask which plugins
    and commands the view has; it changes nothing that is shown.
    """
    return [
        str(LAB_LAUNCHER), view, "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--LabApp.user_settings_dir={state_dir / 'settings'}",
        f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]


def wait_until_answering(server):
    """Wait until the server answers its status API; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"jupyter lab exited {server.process.returncode}:\n{server.log_tail()}")
        try:
            if server.api("status") == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s:\n{server.log_tail()}")


def stop_lab(server):
    """Shut the server down through its API, as its "Shut Down" menu does (it shuts its kernels
    down first), else terminate it, else kill it."""
    try:
        server.api("shutdown", method="POST", timeout=SERVER_STOP_TIMEOUT)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        pass  # it may stop before it has answered
    if exits(server.process):
        return
    server.process.terminate()
    if exits(server.process):
        return
    server.process.kill()
    server.process.wait()


def exits(process):
    """Whether `process` exits within `SERVER_STOP_TIMEOUT`."""
    try:
        process.wait(SERVER_STOP_TIMEOUT)
        return True
    except subprocess.TimeoutExpired:
        return False


@contextmanager
def running_lab(course_dir, state_dir, view="student"):
    """`jupyter lab` in `view` serving `course_dir` (its root, as `make lab` and `make
    lab-instructor` do), stopped on exit."""
    token = secrets.token_hex(24)
    port = free_port()
    write_lab_settings(state_dir / "settings")
    log = state_dir / "lab.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            lab_command(port, state_dir, view), cwd=course_dir, env=lab_environment(state_dir, token),
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    server = LabServer(process, f"http://127.0.0.1:{port}", token, log)
    try:
        wait_until_answering(server)
        yield server
    finally:
        stop_lab(server)


# Any URL but the machine's own: matched by the browser's driver (a regular expression), so requests to the Lab
# never wait for this process, which handles a route only while it calls Playwright.
OFF_THE_MACHINE = re.compile(r"^(?!(?:http|ws)://127\.0\.0\.1[:/]|data:|blob:)")


def requests_leaving_the_machine(page):
    """Every URL `page` requests from now on that is not on 127.0.0.1 (nor data: or blob:), each aborted."""
    leaving = []

    def route(request_route):
        leaving.append(request_route.request.url)
        request_route.abort()

    page.route(OFF_THE_MACHINE, route)
    return leaving


# The answer the browser tests leave unanswered -------------------------------------------------


def stub_failure():
    """The `CheckFailure` that `check_conv_output_size` raises for the untouched `raise NotImplementedError()` stub."""
    from autograder.assignments.layers_and_cnn.checks import check_conv_output_size
    from autograder.errors import CheckFailure

    def conv_output_size(size, kernel_size, stride=1, padding="valid"):
        raise NotImplementedError()

    with pytest.raises(CheckFailure) as failure:
        check_conv_output_size(conv_output_size)
    return failure.value


# The browser -------------------------------------------------------------------------------


@contextmanager
def browser_page(chromium, home):
    """A page of a headless `chromium` (Debian's binary: Playwright downloads nothing), closed on exit.

    The browser's $HOME is `home`: Chromium writes caches there (dconf) besides its profile.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             env={**os.environ, "HOME": str(home)})
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(UI_TIMEOUT * 1000)
            expect.set_options(timeout=UI_TIMEOUT * 1000)
            yield page
        finally:
            browser.close()


class Screenshots:
    """Numbered screenshots of a page in `folder`, emptied first: `01-notebook-opened.png`, ..."""

    def __init__(self, page, folder=ARTIFACTS):
        self.page = page
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.count = 0

    def take(self, step):
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{step}.png")


# JupyterLab ------------------------------------------------------------------------------------


def wait_until_restored(page):
    """Wait until JupyterLab has started every plugin and restored its layout (news pop-ups come then);
    its commands are all there then."""
    page.wait_for_function("() => window.jupyterapp !== undefined")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")


def code_cell(page, text):
    """The notebook's one code cell whose source contains `text`."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").filter(has=page.locator(".cm-content", has_text=text))
    expect(cell).to_have_count(1)
    return cell


def run_cell(cell):
    """Select `cell`, run it with Ctrl+Enter and wait until its prompt shows a new execution count."""
    prompt = cell.locator(".jp-InputArea-prompt")
    before = prompt.inner_text()
    prompt.click()
    cell.page.keyboard.press("Control+Enter")
    expect(prompt).not_to_have_text(before, timeout=CELL_TIMEOUT * 1000)
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=CELL_TIMEOUT * 1000)


def replace_source(cell, source):
    """Replace the code of `cell` by `source`, inserted as one edit (no auto-closed brackets, no auto-indent)."""
    cell.locator(".cm-content").click()
    cell.page.keyboard.press("Control+a")
    cell.page.keyboard.insert_text(source)
    cell.page.keyboard.press("Control+Home")
    cell.page.keyboard.press("Escape")


def editor_source(cell):
    """The code in the editor of `cell`, one line per CodeMirror line (an empty line shows as a lone line break)."""
    return "\n".join(line.rstrip("\n") for line in cell.locator(".cm-line").all_inner_texts())


def scroll_to(element, block="start"):
    """Scroll so that `element` starts ("start") or ends ("end") at the edge of its view, for a screenshot."""
    element.evaluate("(element, block) => element.scrollIntoView({block})", block)
