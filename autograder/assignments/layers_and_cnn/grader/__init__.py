"""Assignment 2's grader side: what only the grader computes, never the student's kernel during autograde.

`references.py` holds what the checks compare the student's observed values with (NumPy's dense
forward pass, Keras's own convolution and output lengths, the CNN's table). The sandbox hides
this folder, so in autograde the kernel only observes and the judge decides.
"""
