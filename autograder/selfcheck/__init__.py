"""`keras-course check NOTEBOOK` and `check("id")` in the notebook: a student's score before submitting."""
