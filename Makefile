# The Regularization assignment: source -> release -> submitted -> autograded -> feedback/reports.
# Run `make` for the whole pipeline on the sample submissions, `make test` for the tests.

PYTHON_BOOT ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
NBGRADER := $(VENV)/bin/nbgrader
ASSIGNMENT ?= regularization
export GRADER_ASSIGNMENT := $(ASSIGNMENT)
# REPORTS=dir overrides the reports folder of nbgrader_config.py (c.GradingPaths.reports, graders.settings).
REPORTS ?=
REPORTS_DIR = $(or $(REPORTS),reports)
PYTEST_ARGS ?=
JOBS ?=
SCHEDULER ?=
export PATH := $(abspath $(VENV))/bin:$(PATH)
export MPLBACKEND := Agg
# One BLAS/OpenMP thread: the same floating-point results on every machine.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: all venv sandbox browser database data expected release autograde feedback grades reports validate submit test bench bench-load mutation clean

all: release autograde grades

venv: $(VENV)/.installed sandbox

# $(call apt_install,PACKAGE): install a Debian package, as root or with password-less sudo.
apt_install = if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "Makefile: $(1) is missing: install it with 'sudo apt-get install $(1)'" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null

# The grader runs student code under bubblewrap; install it when missing (as root, or with password-less sudo).
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { $(call apt_install,bubblewrap); }

# requirements.txt pins every package the project needs, dependencies included: it is installed as it is.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.txt
	touch $@

data: venv
	$(PY) data/make_dataset.py

expected: venv
	$(PY) -m graders.make_expected

# The release carries the grader's own checks of the public case (graders.release_checks); then the
# assignment's own step after a release runs, if it has one (Regularization: a warning when the dataset no longer
# tells the notebook's story, graders.regularization.dataset_story).
release: venv
	$(PY) -m graders.release_checks
	$(NBGRADER) generate_assignment $(ASSIGNMENT) --force --log-level=WARN
	$(PY) -m graders.assignment

# Exits non-zero, after writing the reports, when a submission needs the instructor's attention (listed).
# STUDENT=id grades one student only, PART=K/N part K of N of the class (runs on different parts may go on at
# once); FORCE=1 grades and records again what is up to date.
autograde: venv
	$(PY) -m graders.autograde $(if $(REPORTS),--reports $(REPORTS)) $(if $(JOBS),--jobs $(JOBS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) \
		$(if $(STUDENT),--student '$(STUDENT)') $(if $(PART),--part '$(PART)') $(if $(filter 1,$(FORCE)),--force)

feedback: venv
	$(NBGRADER) generate_feedback $(ASSIGNMENT) --force --log-level=WARN

reports: venv
	$(PY) -m graders.reports $(if $(REPORTS),--out $(REPORTS))

# Students: make validate NB=path/to/Regularization.ipynb ; make submit NB=... STUDENT=id [REPLACE=1]
validate: venv
	@test -n "$(NB)" || { echo "make validate: give the notebook, e.g. make validate NB=release/regularization/Regularization.ipynb" >&2; exit 2; }
	$(PY) -m graders.validate "$(NB)"

submit: venv
	@test -n "$(NB)" -a -n "$(STUDENT)" || { echo "make submit: give NB=path and STUDENT=id" >&2; exit 2; }
	$(PY) -m graders.submit "$(NB)" "$(STUDENT)" $(if $(filter 1,$(REPLACE)),--replace)

grades: venv
	$(PY) -m graders.grade_table

# The feedback test renders pages in headless Chromium; install it when missing (as root or with sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(call apt_install,chromium); }

# PostgreSQL, for the test of a gradebook on a database server (GRADEBOOK_URL); install it when missing.
database:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { $(call apt_install,postgresql); }

# The tests run on every core (pytest-xdist): tests sharing a module's fixture on one worker, the rest spread
# (tests/conftest.py). PYTEST_WORKERS=0 runs them all in one process.
PYTEST_WORKERS ?= auto
# Python writes bytecode while testing, whatever the environment says: the processes of a test course then share
# the compiled graders/ (released copies carry it), and pytest keeps its rewritten test modules.
test: export PYTHONDONTWRITEBYTECODE :=
test: venv browser database
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

BENCH_SIZES ?= 100 1000
bench: venv
	$(PY) bench/bench.py --sizes $(BENCH_SIZES) --json $(REPORTS_DIR)/bench.json
	$(PY) bench/hostile.py
	$(PY) bench/kill_loop.py --trials 20 --students 40
	$(PY) bench/feedback.py --students 100 --rounds 3

# A large class graded cold: time and peak memory per phase (about half an hour on 2 cores).
LOAD_SIZES ?= 500 5000
bench-load: venv
	$(PY) bench/load.py --sizes $(LOAD_SIZES)

# Mutation testing on a copy of the project (the checkout is not written): each named check removed must fail
# tests/test_named_checks.py, and the score of AST mutants of the graders (MUTATION_ARGS, e.g. --mode removal).
MUTATION_ARGS ?=
mutation: venv
	$(PY) bench/mutation.py --json $(REPORTS_DIR)/mutation.json $(MUTATION_ARGS)

# The gradebook (manual grades, overrides) is never deleted: clean moves it to backups/ with a time stamp.
clean:
	@if [ -f gradebook.db ]; then mkdir -p backups && mv gradebook.db "backups/gradebook-$$(date -u +%Y%m%dT%H%M%SZ).db" \
		&& echo "gradebook.db moved to backups/"; fi
	rm -rf autograded/*/ feedback $(REPORTS_DIR)
