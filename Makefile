# The two commands of the README: `make demo` and `make test`.
# Both create .venv on first use, so a fresh clone needs nothing but Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# Keep TensorFlow's C++ INFO/WARNING logs out of every kernel we start (errors still show).
export TF_CPP_MIN_LOG_LEVEL := 2
export KERAS_BACKEND := tensorflow

.PHONY: setup demo test test-fast benchmark benchmark-training release clean-demo

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

demo: $(INSTALLED)
	$(BIN)/python -m autograder demo

test: $(INSTALLED)
	$(BIN)/python -m pytest

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not slow"

benchmark: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks.autograde_time

# Assignment 3's reference recipe against the Keras example, on 3 seeds (about 20 minutes).
benchmark-training: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks.tune_training

# After editing a notebook in source/: regenerate the student and published versions.
release: $(INSTALLED)
	for assignment in $$(ls source); do \
		PATH=$(abspath $(BIN)):$$PATH $(BIN)/nbgrader generate_assignment $$assignment --force && \
		PATH=$(abspath $(BIN)):$$PATH $(BIN)/nbgrader generate_solution $$assignment --force || exit 1; \
	done

clean-demo:
	rm -rf submitted autograded feedback exchange gradebook.db grades.csv
