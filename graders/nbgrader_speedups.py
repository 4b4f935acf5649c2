"""Costs of nbgrader's recording that do no work, removed inside the ``nbgrader`` process.

``nbgrader autograde`` records each student through several ``Gradebook()`` objects, and each one:

- makes a new SQLAlchemy engine, so the statements compiled for one student are compiled again for the next
  (an engine's compiled cache lives as long as the engine);
- makes a new session factory (``sessionmaker``), whose new session class sets up its event dispatch again when
  its first session is used;
- asks the database for the names of its tables, and for every table, to create those missing;
- disposes of its engine's connections when it is closed, so that the next one connects again;
- reads (and commits) its course's row, to add it when missing;
- on a new database, starts the ``alembic heads`` command to learn the revision it stamps the gradebook with: a
  second Python that imports nbgrader again (about a second of CPU).

And ``CheckCellMetadata`` validates every cell's metadata with ``jsonschema.validate``, which checks the schema itself
before each cell. :func:`apply` keeps one engine per database URL and one session factory per engine (each
``Gradebook()`` still has sessions of its own), creates the tables once per engine, reads the table names once they
exist, keeps the engine's pooled connection open for the next ``Gradebook()``, checks a course once per database URL
(nbgrader never deletes a course), reads the head revision from nbgrader's migration scripts in this process, once
(:func:`alembic_head`), and validates with one checked validator per schema, which passes metadata it found valid
before (:class:`CheckedSchemas`). What is written, and what is refused, is unchanged: the same statements run, the
same metadata fails validation with the same error.
``nbgrader_config.py`` applies it (unless ``NBGRADER_STOCK_EXECUTE=1``).
"""
import functools
import json

APPLIED = []
# How many schema objects CheckedSchemas knows by identity (nbgrader reads a new copy for each notebook), and how
# many valid instances it remembers per schema.
RECENT_SCHEMAS_KEPT = 8
VALID_INSTANCES_KEPT = 4096


def apply():
    """Patch the nbgrader modules loaded in this process (once)."""
    if APPLIED:
        return
    import nbgrader.api
    import nbgrader.nbgraderformat.common

    nbgrader.api.create_engine = _one_engine_per_url(nbgrader.api.create_engine)
    nbgrader.api.sessionmaker = functools.lru_cache(maxsize=None)(nbgrader.api.sessionmaker)
    nbgrader.api.Base.metadata.create_all = _once_per_engine(nbgrader.api.Base.metadata.create_all)
    nbgrader.api.inspect = _table_names_read_once(nbgrader.api.inspect)
    nbgrader.api.Gradebook.__init__ = _course_checked_once(nbgrader.api.Gradebook.__init__)
    nbgrader.api.get_alembic_version = alembic_head
    nbgrader.nbgraderformat.common.jsonschema = CheckedSchemas(nbgrader.nbgraderformat.common.jsonschema)
    APPLIED.append(True)


@functools.lru_cache(maxsize=None)
def alembic_head():
    """The revision nbgrader stamps a new gradebook with, read in this process (once).

    ``nbgrader.api.get_alembic_version`` runs ``alembic heads`` on nbgrader's migration scripts and keeps the
    first word of its first line: the first of the script directory's heads, which is read here with alembic's
    own :class:`alembic.script.ScriptDirectory`, without starting the command.

    Returns
    -------
    str
        The revision id, e.g. ``"e43177bfe90b"``.
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_heads()[0]


def _one_engine_per_url(create_engine):
    @functools.lru_cache(maxsize=None)
    def cached(url, **options):
        engine = create_engine(url, **options)
        engine.dispose = _keep_connections  # ``Gradebook.close`` would close the pool the next one reuses
        return engine

    def one_engine_per_url(url, **options):
        return cached(str(url), **options)

    return one_engine_per_url


def _keep_connections(*args, **kwargs):
    """Stands for ``Engine.dispose`` on a shared engine: its pooled connections stay open for the next user."""


class _KnownTables:
    """What ``Gradebook()`` asks of ``sqlalchemy.inspect(engine)``: the table names, read until some exist."""

    def __init__(self, names):
        self._names = names

    def get_table_names(self):
        return list(self._names)


def _table_names_read_once(inspect):
    known = {}

    def table_names_read_once(subject, *args, **kwargs):
        if id(subject) in known:
            return known[id(subject)]
        inspector = inspect(subject, *args, **kwargs)
        if not hasattr(inspector, "get_table_names"):
            return inspector
        names = inspector.get_table_names()
        if names:  # nbgrader never drops a table: once there, the names stay
            known[id(subject)] = _KnownTables(names)
        return _KnownTables(names)

    return table_names_read_once


def _course_checked_once(init):
    """``Gradebook.__init__`` that checks its course only the first time a database URL and course id meet."""
    checked = set()

    @functools.wraps(init)
    def course_checked_once(self, db_url, course_id="default_course", authenticator=None):
        key = (str(db_url), course_id)
        if key in checked:
            self.check_course = _course_known  # for this call only: the method stays nbgrader's
            try:
                init(self, db_url, course_id, authenticator)
            finally:
                del self.check_course
            return
        init(self, db_url, course_id, authenticator)
        checked.add(key)

    return course_checked_once


def _course_known(*args, **kwargs):
    """Stands for ``Gradebook.check_course`` of a course already checked in this process."""


def _once_per_engine(create_all):
    done = set()

    def once_per_engine(bind=None, **options):
        if bind is None or id(bind) not in done:
            create_all(bind=bind, **options)
            if bind is not None:
                done.add(id(bind))

    return once_per_engine


class CheckedSchemas:
    """Stands for the ``jsonschema`` module: ``validate`` validates as ``jsonschema.validate`` does (the schema is
    checked, the best-matching error is raised), with what it found before.

    A schema is known by its JSON text: nbgrader reads a copy of its metadata schema for every notebook, and each
    copy is the schema checked the first time. An instance found valid is known by its JSON text too, when that
    text reads back as the instance itself: the same text is valid again under the same schema, without being
    validated. An invalid instance is validated every time, and raises the same error.
    """

    def __init__(self, jsonschema):
        self._jsonschema = jsonschema
        self._by_text = {}
        self._recent = {}

    def validate(self, instance, schema):
        checked = self._checked(schema)
        if checked is None:
            self._jsonschema.validate(instance, schema)
            return
        key = json_text(instance)
        if key is not None and key in checked.valid:
            return
        error = self._jsonschema.exceptions.best_match(checked.validator.iter_errors(instance))
        if error is not None:
            raise error
        if key is not None and len(checked.valid) < VALID_INSTANCES_KEPT:
            checked.valid.add(key)

    def _checked(self, schema):
        """The :class:`_CheckedSchema` of ``schema`` (None when it has no JSON text)."""
        recent = self._recent.get(id(schema))
        if recent is not None and recent[0] is schema:
            return recent[1]
        text = json_text(schema)
        checked = None if text is None else self._by_text.get(text)
        if text is not None and checked is None:
            cls = self._jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            checked = self._by_text[text] = _CheckedSchema(cls(schema))
        if len(self._recent) >= RECENT_SCHEMAS_KEPT:
            self._recent.clear()
        self._recent[id(schema)] = (schema, checked)  # held, so that its id is not another's while it is here
        return checked

    def __getattr__(self, name):
        return getattr(self._jsonschema, name)


class _CheckedSchema:
    """A checked schema's validator, and the JSON texts of the instances it found valid."""

    def __init__(self, validator):
        self.validator = validator
        self.valid = set()


def json_text(value):
    """``value`` as JSON text with sorted keys, when that text reads back as ``value`` (equal, with the same keys
    and no tuple for a list); None otherwise (a value JSON cannot hold, or would change: a key that is not a
    string, NaN)."""
    try:
        text = json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == value else None
