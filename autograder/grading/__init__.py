"""Grading: running nbgrader and reading its results, the course's nbgrader preprocessors, the clean evaluation process."""
