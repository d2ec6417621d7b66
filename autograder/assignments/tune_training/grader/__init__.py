"""Assignment 3's grader side: what only the grader runs, never the student's kernel (the sandbox hides it).

`trainer.py` trains the model the kernel planned, in a sandboxed process of its own, and
`evaluate.py` measures a trained model on the test split, in another.
"""
