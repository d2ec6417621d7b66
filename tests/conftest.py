import os

# Kernels started by the tests inherit this; see nbgrader_config.py.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
