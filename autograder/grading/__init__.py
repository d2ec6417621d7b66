"""Grading: the course's nbgrader stages (`stages/`), one student graded in a private course (`one_student.py`), a
class graded on Dask (`batch.py`) and recorded by one writer (`gradebook_writer.py`), results read back
(`results.py`), and the feedback students get (`student_feedback/`)."""
