"""The student's kernel: what importing `autograder` adds to it (autograder/kernel/watch.py, tracebacks.py)."""
