"""Running a student's code isolated: the sandbox (sandbox.py) and fresh processes for the grader's own work (clean_process.py)."""
