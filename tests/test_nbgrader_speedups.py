"""nbgrader's recording without its idle work: the same engine, tables and refusals, done once."""
import json
import os
import subprocess
import sys

import jsonschema
import pytest

from graders import nbgrader_speedups
from graders.notebook import ROOT

GOOD = {"grade": True, "grade_id": "test_cost", "locked": True, "points": 2, "schema_version": 3,
        "solution": False, "task": False}
BAD = {
    "points-as-text": {**GOOD, "points": "two"},
    "grade-id-not-text": {**GOOD, "grade_id": 7},
    "unknown-key": {**GOOD, "surprise": 1},
    "grade-missing": {key: value for key, value in GOOD.items() if key != "grade"},
}


@pytest.fixture(scope="module")
def schema():
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    return MetadataValidatorV3().schema


def _error(validate, instance, schema):
    try:
        validate(instance, schema)
    except jsonschema.ValidationError as error:
        return error.message, list(error.path), error.validator
    return None


@pytest.mark.parametrize("metadata", [GOOD, *BAD.values()], ids=["good", *BAD])
def test_a_checked_schema_accepts_and_refuses_as_jsonschema_does(schema, metadata):
    checked = nbgrader_speedups.CheckedSchemas(jsonschema)
    assert _error(checked.validate, metadata, schema) == _error(jsonschema.validate, metadata, schema)
    assert _error(checked.validate, metadata, schema) == _error(jsonschema.validate, metadata, schema)  # cached


@pytest.mark.parametrize("as_given", [lambda schema: schema, lambda schema: json.loads(json.dumps(schema))],
                         ids=["the-same-schema", "a-copy-each-time"])
def test_a_schema_is_checked_once(schema, monkeypatch, as_given):
    """nbgrader reads a new copy of its metadata schema for every notebook: a copy is the schema checked before."""
    checked = nbgrader_speedups.CheckedSchemas(jsonschema)
    cls = jsonschema.validators.validator_for(schema)
    calls = []
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda klass, value: calls.append(value)))
    for _ in range(5):
        checked.validate(GOOD, as_given(schema))
    assert len(calls) == 1


def _validated(checked, schema, instances, monkeypatch):
    """``(errors, validations)``: what validating each of ``instances`` in turn raised, and how many were validated
    (the check of the schema itself not counted)."""
    cls = jsonschema.validators.validator_for(schema)
    validations = []
    iter_errors = cls.iter_errors

    def counted(self, instance):
        if instance is not schema:
            validations.append(1)
        return iter_errors(self, instance)

    monkeypatch.setattr(cls, "iter_errors", counted)
    return [_error(checked.validate, instance, schema) for instance in instances], len(validations)


def test_metadata_found_valid_is_valid_again_without_being_validated(schema, monkeypatch):
    checked = nbgrader_speedups.CheckedSchemas(jsonschema)
    errors, validations = _validated(checked, schema, [GOOD, dict(GOOD), json.loads(json.dumps(GOOD))], monkeypatch)
    assert errors == [None] * 3 and validations == 1


@pytest.mark.parametrize("metadata", BAD.values(), ids=list(BAD))
def test_invalid_metadata_is_validated_every_time_with_the_same_error(schema, monkeypatch, metadata):
    checked = nbgrader_speedups.CheckedSchemas(jsonschema)
    errors, validations = _validated(checked, schema, [metadata] * 3, monkeypatch)
    assert errors == [_error(jsonschema.validate, metadata, schema)] * 3 and errors[0] is not None
    assert validations == 3


def test_an_instance_whose_json_text_is_another_value_is_not_taken_for_it(monkeypatch):
    schema = {"type": "object", "properties": {"1": {"type": "string"}, "t": {"type": "array"}}}
    checked = nbgrader_speedups.CheckedSchemas(jsonschema)
    valid_as_they_are, invalid = [{1: 5}, {"t": (1,)}], [{"1": 5}, {"t": [1]}]
    assert [_error(checked.validate, value, schema) is None for value in valid_as_they_are] == [True, False]
    assert [_error(checked.validate, value, schema) for value in invalid] == [
        _error(jsonschema.validate, value, schema) for value in invalid]
    assert _error(checked.validate, invalid[0], schema) is not None


@pytest.mark.parametrize("value, text", [
    ({"b": [1, 2.0, True, None], "a": "x"}, '{"a": "x", "b": [1, 2.0, true, null]}'),
    ({1: "x"}, None), ({"t": (1,)}, None), (float("nan"), None), ({1, 2}, None)])
def test_json_text_is_the_text_that_reads_back_as_the_value(value, text):
    assert nbgrader_speedups.json_text(value) == text


def _with_venv_path():
    """This process's environment with the virtualenv's ``bin`` first on ``PATH``, where nbgrader finds ``alembic``."""
    return {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}


@pytest.fixture(scope="module")
def alembic_command_head():
    """The revision nbgrader's own ``get_alembic_version`` reads: the first word of what ``alembic heads`` prints
    first, for nbgrader's migration scripts."""
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as alembic_ini:
        output = subprocess.run(["alembic", "-c", alembic_ini, "heads"], capture_output=True, text=True, check=True,
                                env=_with_venv_path(), timeout=120).stdout
    return output.split("\n")[0].split(" ")[0]


def test_the_head_revision_read_in_process_is_the_one_the_alembic_command_names(alembic_command_head):
    assert alembic_command_head
    assert nbgrader_speedups.alembic_head() == alembic_command_head


APPLIED_NBGRADER = """
import copy, json, sys
import jsonschema, nbformat
from graders import nbgrader_speedups
nbgrader_speedups.apply()
from nbgrader.api import Gradebook
from nbgrader.preprocessors import CheckCellMetadata

url, good, bad = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
with Gradebook(url) as first, Gradebook(url) as second:
    shared = first.engine is second.engine
    first.add_student("ada")
    seen = [student.id for student in second.students]
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
refused = []
for metadata in (bad, good):
    notebook.cells[0].metadata.nbgrader = copy.deepcopy(metadata)
    try:
        CheckCellMetadata().preprocess(notebook, {})
        refused.append(False)
    except jsonschema.ValidationError:
        refused.append(True)
print(json.dumps({"shared": shared, "seen": seen, "refused": refused}))
"""


def test_after_apply_nbgrader_shares_one_engine_and_still_refuses_bad_metadata(tmp_path):
    # In a process of its own, as in nbgrader's: the patches last as long as the process.
    result = subprocess.run([sys.executable, "-c", APPLIED_NBGRADER, f"sqlite:///{tmp_path}/gradebook.db",
                             json.dumps(GOOD), json.dumps(BAD["points-as-text"])], cwd=ROOT, capture_output=True,
                            text=True, check=True, env=_with_venv_path())
    assert json.loads(result.stdout) == {"shared": True, "seen": ["ada"], "refused": [True, False]}


READ_CONFIG = """
import sys
{preload}
from traitlets.config.loader import PyFileConfigLoader
config = PyFileConfigLoader("nbgrader_config.py", path={root!r}).load_config()
from graders import nbgrader_speedups
print(bool(nbgrader_speedups.APPLIED), "nbgrader.api" in sys.modules)
"""


@pytest.mark.parametrize("preload, expected", [("import nbgrader.apps.nbgraderapp", "True True"), ("", "False False")],
                         ids=["nbgrader-process", "grader-process"])
def test_the_course_configuration_speeds_up_nbgrader_only_where_nbgrader_runs(preload, expected):
    """In nbgrader's own process the patches apply; the grader reads the same file without loading nbgrader."""
    result = subprocess.run([sys.executable, "-c", READ_CONFIG.format(preload=preload, root=ROOT)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected.split()


GRADEBOOKS_IN_TURN = """
import json, subprocess, sys
import sqlalchemy
from alembic.script import ScriptDirectory
from graders import nbgrader_speedups
nbgrader_speedups.apply()
from nbgrader.api import Course, Gradebook

url, other_url, connects, inspected, course_reads = sys.argv[1], sys.argv[2], [], [], []
started, script_reads, stamps = [], [], []
popen_init, from_config = subprocess.Popen.__init__, ScriptDirectory.from_config
subprocess.Popen.__init__ = lambda self, *args, **kwargs: started.append(args) or popen_init(self, *args, **kwargs)
ScriptDirectory.from_config = lambda config: script_reads.append(1) or from_config(config)
for new_url in (other_url, url):  # new gradebooks: their tables are made and stamped here
    with Gradebook(new_url) as first:
        stamps.append(first.db.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalar_one())
sqlalchemy.event.listen(first.engine, "connect", lambda *args: connects.append(1))
sqlalchemy.event.listen(sqlalchemy.engine.Engine, "before_cursor_execute",
                        lambda conn, cursor, statement, *args: "FROM course" in statement and course_reads.append(1))
table_names = sqlalchemy.engine.reflection.Inspector.get_table_names
sqlalchemy.engine.reflection.Inspector.get_table_names = (
    lambda self, *args, **kwargs: inspected.append(1) or table_names(self, *args, **kwargs))
for student in ("ada", "grace", "alan"):
    with Gradebook(url) as gradebook:
        gradebook.add_student(student)
with Gradebook(url) as gradebook:
    seen = sorted(student.id for student in gradebook.students)
    course = gradebook.check_course("default_course").id  # called by hand, it is nbgrader's own
with Gradebook(url, "another") as gradebook:
    courses = sorted(course.id for course in gradebook.db.query(Course))
print(json.dumps({"connects": len(connects), "inspected": len(inspected), "seen": seen, "course": course,
                  "course_reads": len(course_reads), "courses": courses, "started": len(started),
                  "script_reads": len(script_reads), "stamps": stamps}))
"""


def test_after_apply_gradebooks_in_turn_reuse_one_connection_read_the_tables_and_check_the_course_once(
        tmp_path, alembic_command_head):
    result = subprocess.run([sys.executable, "-c", GRADEBOOKS_IN_TURN, f"sqlite:///{tmp_path}/gradebook.db",
                             f"sqlite:///{tmp_path}/other.db"], cwd=ROOT, capture_output=True, text=True, check=True,
                            env=_with_venv_path())
    # the names are read once the tables exist (after the first gradebook made them), then never again; the course
    # is read by the first gradebook, then only when asked for by hand (twice: the read, then its id after the
    # commit) and for a new course, which is still added; two new gradebooks are stamped with the revision the
    # alembic command names, read from the migration scripts once, and no command is started
    assert json.loads(result.stdout) == {"connects": 0, "inspected": 1, "seen": ["ada", "alan", "grace"],
                                         "course": "default_course", "course_reads": 4,
                                         "courses": ["another", "default_course"], "started": 0, "script_reads": 1,
                                         "stamps": [alembic_command_head] * 2}


EXPORT_VALIDATIONS = """
import os, sys
from unittest import mock
import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config.loader import PyFileConfigLoader

config = PyFileConfigLoader("nbgrader_config.py", path={root!r}).load_config()

class Step(Preprocessor):
    def preprocess(self, nb, resources):
        if os.environ.get("BREAK") == "1":
            nb.cells[0]["outputs"] = "not a list"  # an invalid notebook, whichever step made it
        return nb, resources

exporter = NotebookExporter(config=config, preprocessors=[Step(), Step(), Step()])
counted = []
real = nbformat.validate
with mock.patch("nbconvert.exporters.exporter.nbformat.validate",
                side_effect=lambda *args, **kwargs: counted.append(1) or real(*args, **kwargs)):
    try:
        exporter.from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))
        refused = False
    except nbformat.ValidationError:
        refused = True
print(len(counted), len(exporter._preprocessors), refused)
"""


def _validations(stock, broken):
    """``(validations, preprocessors, refused)`` of one export configured by the course's nbgrader_config.py."""
    result = subprocess.run([sys.executable, "-c", EXPORT_VALIDATIONS.format(root=ROOT)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "NBGRADER_STOCK_EXECUTE": stock, "BREAK": broken,
                                 "NBGRADER_STOCK_EXECUTE_WARNED": "1"})
    assert result.returncode == 0, result.stderr
    validations, preprocessors, refused = result.stdout.split()[-3:]
    return int(validations), int(preprocessors), refused == "True"


def test_the_course_validates_each_exported_notebook_once_and_still_refuses_an_invalid_one():
    """With the course's configuration nbconvert validates after the last preprocessor only, where stock mode
    validates after each one; a notebook a preprocessor made invalid is still refused."""
    course, preprocessors, refused = _validations("0", "0")
    stock, _, stock_refused = _validations("1", "0")
    assert preprocessors > 1 and not refused and not stock_refused
    assert stock - course == preprocessors - 1
    assert _validations("0", "1")[2]


SESSIONS_OF_GRADEBOOKS = """
import json, sys
from graders import nbgrader_speedups
nbgrader_speedups.apply()
from nbgrader.api import Gradebook, Student

url = sys.argv[1]
with Gradebook(url) as first, Gradebook(url) as second:
    shared_factory = first.db.session_factory is second.db.session_factory
    first.db.add(Student(id="ada"))  # pending in the first gradebook's session only
    second.add_student("grace")  # committed by the second's
    first.db.rollback()
with Gradebook(url) as third:
    seen = sorted(student.id for student in third.students)
print(json.dumps({"shared_factory": shared_factory, "seen": seen}))
"""


def test_after_apply_gradebooks_share_a_session_factory_and_keep_sessions_of_their_own(tmp_path):
    result = subprocess.run([sys.executable, "-c", SESSIONS_OF_GRADEBOOKS, f"sqlite:///{tmp_path}/gradebook.db"],
                            cwd=ROOT, capture_output=True, text=True, check=True, env=_with_venv_path())
    assert json.loads(result.stdout) == {"shared_factory": True, "seen": ["grace"]}
