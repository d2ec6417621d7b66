"""The wheel carries the course a self-learner checks against (`nbgrader_config.py`, the released notebooks) and
`keras_course_startup.pth`, which makes every Python of the environment import jsonschema's IRI parser only when
it is used (autograder/startup.py).

Everything else is in pyproject.toml. In a checkout these files stay where they are (the course
folder); a wheel built from it holds a copy under `autograder/course/`, which
`autograder/settings.py` takes as the course when the package is not in a checkout. Only
`release/` goes in (the students' notebooks, hidden tests stripped): never `source/` or `solutions/`.
"""

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithTheCourse(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads the checkout itself (make setup writes the .pth)
            return
        startup = runpy.run_path(str(HERE / "autograder" / "startup.py"))
        Path(self.build_lib, startup["PTH_NAME"]).write_text(startup["PTH_LINE"])
        course = Path(self.build_lib) / "autograder" / "course"
        shutil.rmtree(course, ignore_errors=True)
        (course / "release").mkdir(parents=True)
        shutil.copy2(HERE / "nbgrader_config.py", course / "nbgrader_config.py")
        for notebook in sorted((HERE / "release").glob("*/*.ipynb")):
            target = course / "release" / notebook.parent.name / notebook.name
            target.parent.mkdir(exist_ok=True)
            shutil.copy2(notebook, target)


setup(cmdclass={"build_py": BuildWithTheCourse})
