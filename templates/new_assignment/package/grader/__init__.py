"""Assignment 4's grader side: what only the grader computes, never the student's kernel during autograde.

`references.py` holds what the checks compare the student's observed values with. The sandbox
hides this folder, so in autograde the kernel only observes and the judge decides.
"""
