"""The feedback a student gets back (`nbgrader generate_feedback`): what it says, and the template that lays it out.

`FeedbackForStudents` (autograder/grading/stages/feedback_for_students.py) builds a `FeedbackPage`
(`feedback.py`) from the
autograded notebook and the gradebook, keeps instructor paths out of the outputs (`paths.py`), and the
nbconvert template `feedback_page/index.html.j2` in this folder lays it out: a summary of every test
at the top, then the notebook. `nbgrader_config.py` points `GenerateFeedback`'s exporter at it.
"""

from pathlib import Path

# nbconvert finds a template by name in a base folder: this folder holds the template `feedback_page/`.
TEMPLATE_FOLDER = str(Path(__file__).resolve().parent)
TEMPLATE_NAME = "feedback_page"
