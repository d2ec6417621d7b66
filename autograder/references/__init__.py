"""The grader's side shared by every assignment: references that no assignment's kernel side may hold.

Like each assignment's `grader/` folder, the sandbox hides this package from the student's
kernel during autograde (GRADER_SIDE in autograder/grading/stages/sandboxed_execute.py).
"""
