"""What a course folder's `nbgrader_config.py` says of it: its gradebook and its course id.

Read without running nbgrader, by anything that reads a course's results (the grading results,
the class report).
"""

from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

CONFIG = "nbgrader_config.py"


def course_settings(course_dir):
    """`(gradebook URL, course id)` as `nbgrader_config.py` of `course_dir` sets them (nbgrader's defaults otherwise)."""
    config = PyFileConfigLoader(CONFIG, path=str(course_dir)).load_config().CourseDirectory
    url = config.get("db_url") or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"
    return url, config.get("course_id") or Path(course_dir).resolve().name
