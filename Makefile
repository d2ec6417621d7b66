# The two commands of the README: `make demo` and `make test`.
# Both create .venv on first use, so a fresh clone needs nothing but Python 3.11 to 3.13 (Debian 12's own
# /usr/bin/python3 is enough): tools/pick-python picks an interpreter every account can run, or says why none
# fits and what to install. `make setup PYTHON=/path/to/python3.12` names one by hand.
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BROWSER := $(VENV)/.browser
SANDBOX := $(VENV)/.sandbox
POSTGRES := $(VENV)/.postgres
PROXY := hub/node_modules/.bin/configurable-http-proxy

# The browser test drives Debian's chromium: Playwright must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: setup demo test test-fast coverage lab lab-instructor hub benchmark benchmark-thresholds benchmark-check benchmark-grade benchmark-training benchmark-report benchmark-similarity benchmark-startup release clean-demo

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || { interpreter=$$(PYTHON="$(PYTHON)" tools/pick-python) && "$$interpreter" -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[instructor,hub,test]'
	$(BIN)/python -c 'import sysconfig; from autograder.startup import write_pth; write_pth(sysconfig.get_paths()["purelib"])'
	touch $@

demo: $(INSTALLED) $(SANDBOX)
	$(BIN)/python -m autograder demo

# Debian's bubblewrap: every student's kernel runs in its sandbox (autograder/isolation/sandbox.py).
$(SANDBOX): | $(INSTALLED)
	command -v bwrap >/dev/null || \
		{ apt-get update && apt-get install -y --no-install-recommends bubblewrap; }
	touch $@

# Debian's chromium for tests/test_browser.py, with a font so pages render text.
$(BROWSER): | $(INSTALLED)
	command -v chromium >/dev/null || \
		{ apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation; }
	touch $@

# Debian's PostgreSQL binaries for the tests, which start a server of their own on 127.0.0.1
# (tests/postgres.py). No cluster of Debian's own is created, so none is started as a service.
$(POSTGRES): | $(INSTALLED)
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		mkdir -p /etc/postgresql-common && \
		echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf && \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			-o Dpkg::Options::=--force-confold postgresql; }
	touch $@

# JupyterHub's proxy, configurable-http-proxy from the npm registry at the version hub/package-lock.json pins.
$(PROXY): hub/package-lock.json
	npm ci --prefix hub --no-audit --no-fund --loglevel=error
	touch $@

# On both cores: each test file (and every test of the graded class) runs whole on one worker (tests/conftest.py).
PARALLEL := -n 2 --dist loadscope

test: $(INSTALLED) $(BROWSER) $(SANDBOX) $(POSTGRES) $(PROXY)
	$(BIN)/python -m pytest $(PARALLEL)

test-fast: $(INSTALLED) $(SANDBOX)
	$(BIN)/python -m pytest $(PARALLEL) -m "not slow"

# Line and branch coverage of the package by the whole suite, per module (in this process and its workers).
coverage: $(INSTALLED) $(BROWSER) $(SANDBOX) $(POSTGRES) $(PROXY)
	$(BIN)/python -m pytest $(PARALLEL) --cov=autograder --cov-branch --cov-report=term

# The course in JupyterLab, as a student sees it (nbgrader's Assignment List and Validate button)
# or as the instructor does (the Formgrader and Create Assignment too): lab/jupyter-lab applies
# the view's configuration, in lab/, to this launch only.
# Jupyter refuses to run as root (a container, CI) unless told to.
JUPYTER_LAB = PATH=$(abspath $(BIN)):$$PATH lab/jupyter-lab
AS_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(INSTALLED)
	$(JUPYTER_LAB) student $(AS_ROOT)

lab-instructor: $(INSTALLED)
	$(JUPYTER_LAB) instructor $(AS_ROOT)

# A class on JupyterHub (README: Run a class on JupyterHub), as root: the accounts of hub/roster.csv, the course's
# folders under HUB_ROOT, then the hub on http://127.0.0.1:8000 until Ctrl+C. Each person's server runs as them.
HUB_ROOT ?= /srv/keras-course
hub: $(INSTALLED) $(SANDBOX) $(PROXY)
	$(BIN)/keras-course hub --root $(HUB_ROOT)

benchmark: $(INSTALLED) $(SANDBOX)
	$(BIN)/python -m tests.benchmarks.autograde_time
	$(BIN)/python -m tests.benchmarks.sandbox_time
	$(BIN)/python -m tests.benchmarks.thresholds
	$(BIN)/python -m tests.benchmarks.similarity_time

# The accuracy thresholds of assignments 1 and 2 against every answer they are measured on, over 10 seeds (about
# 12 minutes): the margins of the correct answers above them, of the wrong ones below.
benchmark-thresholds: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks.thresholds

# What `keras-course check` costs against `nbgrader autograde` of the same notebook (about 3 minutes).
benchmark-check: $(INSTALLED) $(SANDBOX)
	$(BIN)/python -m tests.benchmarks.check_time

# Assignment 3's reference recipe against the Keras example, on 3 seeds (about 20 minutes).
benchmark-training: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks.tune_training

# A class of 8 graded by serial `nbgrader autograde` and by `keras-course grade` on Dask (about 4 minutes).
benchmark-grade: $(INSTALLED) $(SANDBOX)
	$(BIN)/python -m tests.benchmarks.grade_time

# The class report of 300 generated students and 3 assignments against nbgrader's CSV export (about 1 minute).
benchmark-report: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks.report_time

# Answers alike between 300 generated students in each of 3 assignments, against reading their notebooks (under a
# minute).
benchmark-similarity: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks.similarity_time

# What a process of the course pays before it does anything: imports, an nbgrader command, the report (about 1 minute).
benchmark-startup: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks.startup_time

# After editing a notebook in source/: regenerate the student and published versions.
release: $(INSTALLED)
	for assignment in $$(ls source); do \
		PATH=$(abspath $(BIN)):$$PATH $(BIN)/nbgrader generate_assignment $$assignment --force && \
		PATH=$(abspath $(BIN)):$$PATH $(BIN)/nbgrader generate_solution $$assignment --force || exit 1; \
	done

clean-demo:
	rm -rf demo
