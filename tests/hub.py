"""A class on a real JupyterHub, for tests/test_hub.py: `keras-course hub` started on free loopback ports, with real
Unix accounts of its own, driven in Debian's Chromium.

The hub, its proxy, the Formgrader service and every person's server are the ones `make hub`
starts; only the roster (kc-hub-* accounts), the folders (a fresh root) and the ports are the
test's. The accounts are removed before and after, so each run logs in with new passwords.
"""

import csv
import json
import os
import pwd
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from playwright.sync_api import expect

from autograder.hub.launch import HubSettings
from autograder.settings import COURSE_ROOT
from tests.network import free_port

# The class: one instructor, two students. Their accounts exist only for the test.
INSTRUCTOR = "kc-hub-teacher"
STUDENTS = ("kc-hub-alice", "kc-hub-bob")
ROSTER = ["username,role,first_name,last_name", f"{INSTRUCTOR},instructor,Ada,Teacher",
          f"{STUDENTS[0]},student,Alice,Student", f"{STUDENTS[1]},student,Bob,Student"]
HUB_START_TIMEOUT = 180
SPAWN_TIMEOUT = 240  # a person's server, from logging in to their JupyterLab
HUB_STOP_TIMEOUT = 60
ARTIFACTS = COURSE_ROOT / "test-artifacts" / "hub"

# What each test person's JupyterLab is told beyond the course's view (their own ~/.jupyter, as any user may set):
# every cell in the page, for locators to find cells out of view; the page's `window.jupyterapp`, to run commands.
USER_SETTINGS = {
    "lab/user-settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "jupyter_server_config.json": {"LabApp": {"expose_app_in_browser": True}},
}


def remove_accounts(names):
    """Remove the accounts `names` (and their groups), ending their processes first; missing ones are skipped."""
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        time.sleep(0.2)
        subprocess.run(["userdel", name], capture_output=True, check=True)


class ClassHub:
    """`keras-course hub` running for the test class; `restart()` stops it and starts it on the same folders."""

    def __init__(self, folder):
        self.folder = Path(folder)
        (self.folder / "roster.csv").write_text("\n".join(ROSTER) + "\n")
        self.settings = HubSettings(root=str(self.folder / "root"), roster=str(self.folder / "roster.csv"),
                                    homes=str(self.folder / "home"), port=free_port(), hub_port=free_port(),
                                    proxy_api_port=free_port(), formgrader_port=free_port())
        self.layout = self.settings.layout
        self.url = f"http://127.0.0.1:{self.settings.port}"
        self.log = self.folder / "hub.log"
        self.process = None
        self.started_in = None

    def command(self):
        settings = self.settings
        return [str(Path(sys.executable).parent / "keras-course"), "hub", "--root", settings.root, "--roster",
                settings.roster, "--homes", settings.homes, "--port", str(settings.port), "--internal-ports",
                f"{settings.hub_port},{settings.proxy_api_port},{settings.formgrader_port}"]

    def start(self):
        started = time.monotonic()
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=COURSE_ROOT,
                                            start_new_session=True)
        deadline = started + HUB_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"`keras-course hub` exited {self.process.returncode}:\n{self.log_tail()}")
            if self.status("services/keras-course/") in (200, 302) and "JupyterHub is now running" in self.log_text():
                self.started_in = time.monotonic() - started
                for person in (INSTRUCTOR, *STUDENTS):
                    give_settings(person)
                return
            time.sleep(0.5)
        pytest.fail(f"the hub did not answer within {HUB_START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(HUB_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self):
        self.stop()
        self.start()

    def status(self, path):
        """The HTTP status of GET `path` on the hub (redirects not followed)."""
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            with urllib.request.build_opener(NoRedirect).open(f"{self.url}/{path}", timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def password(self, user):
        with open(self.layout.passwords) as file:
            return {row["username"]: row["password"] for row in csv.DictReader(file)}[user]

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines=60):
        return "\n".join(self.log_text().splitlines()[-lines:])


def new_hub_folder():
    """A fresh folder every account can pass through (the homes and the hub's root go in it)."""
    folder = Path(tempfile.mkdtemp(prefix="keras-course-hub-"))
    os.chmod(folder, 0o755)
    return folder


def give_settings(user):
    """USER_SETTINGS in `user`'s ~/.jupyter, theirs."""
    entry = pwd.getpwnam(user)
    for relative, values in USER_SETTINGS.items():
        path = Path(entry.pw_dir) / ".jupyter" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
        for part in [path, *path.relative_to(entry.pw_dir).parents]:
            os.chown(Path(entry.pw_dir) / part, entry.pw_uid, entry.pw_gid)


def log_in(browser, hub, user, shots=None):
    """A page of `browser` (a context of its own) logged in to `hub` as `user`; the hub starts their server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(hub.password(user))
    if shots:
        shots.take(f"{user}-log-in")
    page.locator("#login_submit").click()
    page.wait_for_url(f"**/user/{user}/lab**", timeout=SPAWN_TIMEOUT * 1000)
    expect(page.locator(".lm-MenuBar-item").filter(has_text="Nbgrader")).to_be_visible(timeout=SPAWN_TIMEOUT * 1000)
    return page


@contextmanager
def kept_umask():
    """Run the block, then put this process's umask back: the hub's course configuration sets the graders' umask in
    whatever process loads it (autograder/hub/layout.py), which in the test process would leak into later tests."""
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        yield
    finally:
        os.umask(umask)


def home_of(user):
    return Path(pwd.getpwnam(user).pw_dir)
