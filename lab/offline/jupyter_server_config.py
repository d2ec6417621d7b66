"""Both views of lab/jupyter-lab load custom/custom.css beside this file (Validate's progress and wrapping).

JupyterLab serves custom.css from the server's `static_custom_path`, which is not a configurable trait
of its own: it is one of the Tornado settings, which `ServerApp.tornado_settings` overrides.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (traitlets provides it to configuration files)
c.LabApp.custom_css = True
# A dict of its own, not `.update()` on the trait (a lazy value then): jupyterhub-singleuser, on the hub, reads the
# setting as a dict before the server starts.
c.ServerApp.tornado_settings = {"static_custom_path": [str(Path(__file__).resolve().parent / "custom")]}
