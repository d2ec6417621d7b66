"""JupyterHub for a class of the Keras course: `make hub` (`keras-course hub`) starts it with this file.

Each person of the roster (hub/roster.csv) logs in with their Unix account's password (PAM) and
gets a JupyterLab server running as that account: students the student view (the Assignment List
and Validate; no instructor tools, on the page or on the server), instructors theirs (the
Assignment List and the Course List, which links to the Formgrader). The course's Formgrader is
a hub service running as the account grader-COURSE in the course folder; instructors reach it,
students do not. nbgrader learns who is in which course from the hub's groups (its
JupyterHubAuthPlugin): formgrade-COURSE for the instructors, nbgrader-COURSE for the students.

`keras-course hub` made the accounts and folders (autograder/hub/) and hands this file the
settings below in KERAS_COURSE_HUB. A production hub changes a few lines here (docs/hub.md).
"""

import os
from pathlib import Path

from autograder.hub.launch import ENVIRONMENT_BIN, PROXY, HubSettings
from autograder.hub.roster import read_roster

hub = HubSettings.from_environment()
layout = hub.layout
roster = read_roster(hub.roster)
course = layout.course_id
LAB_VIEWS = Path(__file__).resolve().parent.parent / "lab"
HUB_VIEWS = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (JupyterHub provides it to its configuration file)

# Where it listens: this machine only, unless --ip says otherwise (then put TLS in front: docs/hub.md).
c.JupyterHub.bind_url = f"http://{hub.ip}:{hub.port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{hub.hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{hub.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]  # configurable-http-proxy from the npm registry (hub/package.json)
# The hub's own state, root's only (layout.state is 0700). It keeps who logged in; the class's work is elsewhere.
c.JupyterHub.db_url = f"sqlite:///{layout.state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(layout.state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(layout.state / "jupyterhub-proxy.pid")

# Log-in: each person's Unix account and password, checked by PAM; only the roster's people.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = {person.username for person in roster.people}
# Someone taken off the roster can no longer log in, though the hub's database remembers them.
c.Authenticator.allow_existing_users = False
# No hub admins: an admin may open anyone's server, which is running code as them.

# Each person's server runs as their own account, in their home (private), from the course's environment.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(ENVIRONMENT_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# A server starts in seconds, more when a class logs in at once on a busy machine.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
# What a server keeps of the hub's environment: PATH (the course's environment first), the language, and the
# OpenBLAS settings that numpy needs on some processors (where the machine sets them).
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "JUPYTERHUB_SINGLEUSER_APP", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

# A view is a list of Jupyter configuration folders (as lab/jupyter-lab's): what the server and the page offer.
# Every person's view reads the hub's nbgrader settings (layout.jupyter_config: the exchange, the hub's groups); every
# server's terminal is a shell that keeps the server's PATH, the course's environment first (servers/: not a login
# shell, which would take Debian's PATH instead).
VIEWS = {
    "student": [LAB_VIEWS / "student", layout.jupyter_config, HUB_VIEWS / "servers", LAB_VIEWS / "offline"],
    "instructor": [HUB_VIEWS / "instructor", layout.jupyter_config, HUB_VIEWS / "servers", LAB_VIEWS / "offline"],
    # The Formgrader reads the course folder's own nbgrader_config.py, where it runs.
    "formgrader": [HUB_VIEWS / "formgrader", HUB_VIEWS / "servers", LAB_VIEWS / "offline"],
}


def config_path(view):
    return os.pathsep.join(str(folder) for folder in VIEWS[view])


def choose_view(spawner):
    """The instructor view for the course's graders (the hub group formgrade-COURSE), the student view for others."""
    graders = {group.name for group in spawner.user.groups} & {layout.graders_group}
    spawner.environment = {**spawner.environment,
                           "JUPYTER_CONFIG_PATH": config_path("instructor" if graders else "student")}


c.Spawner.pre_spawn_hook = choose_view

# The course's people, as nbgrader's JupyterHubAuthPlugin reads them. The grader account is one of the graders: the
# Formgrader asks the hub for its own account's courses (it cannot log in: it has no password).
c.JupyterHub.load_groups = {
    layout.graders_group: {"users": [*roster.instructors, layout.grader]},
    layout.students_group: {"users": roster.students},
}

# The course's Formgrader: a server of its own, as the account that owns the course folder, behind the hub. It opens
# on the Formgrader's page (…/services/COURSE/formgrader), in a tab of its own: JupyterHub forbids framing its pages
# (a Content-Security-Policy of frame-ancestors 'none'), so nbgrader's Formgrader panel inside JupyterLab is blank.
c.JupyterHub.services = [{
    "name": course,
    "url": f"http://127.0.0.1:{hub.formgrader_port}",
    "command": [str(ENVIRONMENT_BIN / "jupyterhub-singleuser")],
    "user": layout.grader,
    "cwd": str(layout.course),
    "environment": {"JUPYTERHUB_DEFAULT_URL": "/formgrader", "JUPYTER_CONFIG_PATH": config_path("formgrader")},
    "oauth_no_confirm": True,
}]

c.JupyterHub.load_roles = [
    # What a person's server (and so its kernels) may ask of the hub: its owner's groups (nbgrader's course list)
    # and which services there are, no more than its owner may.
    {"name": "server", "scopes": ["users:activity!user", "access:servers!server", "read:users:groups!user",
                                  "list:services", "read:services"]},
    # The course's graders open its Formgrader.
    {"name": f"formgrade-{course}", "groups": [layout.graders_group],
     "scopes": [f"access:services!service={course}", "list:services", f"read:services!service={course}"]},
    {"name": f"nbgrader-{course}", "groups": [layout.students_group],
     "scopes": ["list:services", f"read:services!service={course}"]},
    # The Formgrader reads its own account's courses, and adds a student it is told of to the course's group.
    {"name": f"grader-{course}", "services": [course],
     "scopes": [f"read:users:groups!user={layout.grader}", "list:groups", f"read:groups!group={layout.students_group}",
                f"groups!group={layout.students_group}"]},
]
