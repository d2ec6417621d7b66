"""What a course folder's `nbgrader_config.py` says of it: its gradebook, its course id, its other settings.

Read without running nbgrader, by anything that reads a course's results (the grading results,
the class report).
"""

from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

CONFIG = "nbgrader_config.py"


def course_config(course_dir):
    """What `nbgrader_config.py` of `course_dir` sets: traitlets' `Config`, which each setting's class reads."""
    return PyFileConfigLoader(CONFIG, path=str(course_dir)).load_config()


def course_settings(course_dir):
    """`(gradebook URL, course id)` as `nbgrader_config.py` of `course_dir` sets them (else nbgrader's defaults)."""
    config = course_config(course_dir).CourseDirectory
    url = config.get("db_url") or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"
    return url, config.get("course_id") or Path(course_dir).resolve().name
