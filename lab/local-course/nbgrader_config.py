"""nbgrader's settings in the local student view (lab/jupyter-lab student), whose server starts in the student's own folder.

The Assignment List reads nbgrader's settings from the server's folder and from Jupyter's
configuration folders, this one among them. A student's folder holds only the student's files,
so the two settings fetching and submitting need are read here from the course's own
nbgrader_config.py, in the folder lab/jupyter-lab was started in (KERAS_COURSE_ROOT): the course
id and the exchange. Nothing else of the course is set for the student.
"""

import os

from traitlets.config.loader import PyFileConfigLoader

_course = PyFileConfigLoader("nbgrader_config.py", path=os.environ["KERAS_COURSE_ROOT"]).load_config()

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)
c.CourseDirectory.course_id = _course.CourseDirectory.course_id
c.Exchange.root = _course.Exchange.root
