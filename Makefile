# The Regularization assignment: source -> release -> submitted -> autograded -> feedback/reports.
# Run `make` for the whole pipeline on the sample submissions, `make test` for the tests.

PYTHON_BOOT ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
NBGRADER := $(VENV)/bin/nbgrader
ASSIGNMENT := regularization
REPORTS ?= reports
PYTEST_ARGS ?=
export PATH := $(abspath $(VENV))/bin:$(PATH)
export MPLBACKEND := Agg

.PHONY: all venv data expected release autograde feedback grades test clean

all: release autograde grades

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

data: venv
	$(PY) data/make_dataset.py

expected: venv
	$(PY) -m graders.make_expected

release: venv
	$(NBGRADER) generate_assignment $(ASSIGNMENT) --force --log-level=WARN

autograde: venv
	$(NBGRADER) autograde $(ASSIGNMENT) --force --log-level=WARN
	mkdir -p $(REPORTS)
	$(NBGRADER) export --to $(REPORTS)/grades.csv --log-level=WARN

feedback: venv
	$(NBGRADER) generate_feedback $(ASSIGNMENT) --force --log-level=WARN

grades: venv
	$(PY) -m graders.grade_table

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf autograded/*/ feedback $(REPORTS) gradebook.db
