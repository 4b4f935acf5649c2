"""Reports for instructors and CI, read from the gradebook and the autograded notebooks.

Writes into ``reports/``:

- ``grades.csv``: one row per student (id, total, max, one column per graded function, late penalty), for an
  LMS; ``make grades`` prints the same columns (:func:`grade_columns`, :func:`grade_row`);
- ``report.json``: every verdict, and the class summary (pass rates, most frequent diagnoses);
- ``grade_distribution.png``: totals, pass rate per function and the most frequent mistakes;
- ``function_scores.png``: the distribution of each function's score, one panel per function;
- ``junit/<student>.xml``: one JUnit test suite per submission, one test case per function.

A plot is drawn again only when what it shows, the grader or matplotlib changed (:func:`write_plots`).

Every report names the functions as the notebook does, in the notebook's order (``GRADED_FUNCTIONS``); a
catalogued mistake is shown by a label made from its message (:func:`mistake_label`).

Usage: ``python -m graders.reports [--out DIR]``
"""
import argparse
import collections
import csv
import functools
import hashlib
import io
import json
import os
import re
import textwrap
import xml.etree.ElementTree as ElementTree


from graders.faults import fault_point
from graders.gradebook import submission_scores
from graders.assignment import graders_module
from graders.notebook import (ASSIGNMENT, FUNCTION_POINTS, GRADED_FUNCTIONS, NOTEBOOK_NAME, ROOT, grade_id,
                              gradebook_url)
from graders.settings import paths

NOTEBOOK = os.path.splitext(NOTEBOOK_NAME)[0]
VERDICT_KEY = "grader_verdict"  # a test cell's verdict, in its metadata
CELL_ERROR_KEY = "grader_cell_error"  # the error of a cell that failed when graded, in its metadata


def collect(root=ROOT, url=None):
    """Per-student records: ``[{"student", "total", "max", "functions": {name: {...}}}]`` sorted by id.

    Scores are the gradebook's at ``url`` (default: the course's; manual grades included), each capped at its
    maximum; see :func:`final_total`.
    """
    records = []
    submissions = submission_scores(url or gradebook_url(root), ASSIGNMENT, NOTEBOOK)
    for student, submission in sorted(submissions.items()):
        cells = submission["cells"]
        scores = {name[len("test_"):]: (min(score, maximum), maximum) for name, (score, maximum) in cells.items()}
        verdicts = _verdicts(root, student)
        functions = {name: {"score": scores[name][0], "max": scores[name][1], **verdicts.get(name, {})}
                     for name in GRADED_FUNCTIONS if name in scores}
        raw, maximum = sum(score for score, _ in cells.values()), sum(maximum for _, maximum in cells.values())
        records.append({"student": student, **final_total(raw, maximum, submission["late_penalty"]),
                        "functions": functions})
    return records


def final_total(raw_score, max_score, late_penalty):
    """``{"total", "raw_total", "late_penalty", "max"}`` of a submitted notebook, as ``nbgrader export`` scores it.

    The gradebook's score (manual grades and overrides included) is capped at the maximum, then the late
    penalty is taken off, never below 0: the total an LMS imports is the one nbgrader's own export gives.
    """
    raw = min(raw_score, max_score)
    penalty = late_penalty or 0.0
    return {"total": max(0.0, raw - penalty), "raw_total": raw, "late_penalty": penalty, "max": max_score}


def _verdicts(root, student_id):
    """The verdicts kept in the metadata of a student's autograded notebook (a file nbgrader wrote)."""
    path = os.path.join(root, "autograded", student_id, ASSIGNMENT, NOTEBOOK + ".ipynb")
    try:
        with open(path, encoding="utf-8") as handle:
            cells = json.load(handle)["cells"]
    except (OSError, ValueError, KeyError):
        return {}
    return {grade_id(cell)[len("test_"):]: dict(cell["metadata"][VERDICT_KEY]) for cell in cells
            if VERDICT_KEY in cell.get("metadata", {}) and grade_id(cell)}


def summary(records):
    """Pass rate per function, the most frequent diagnoses and failed checks, and the totals."""
    count = len(records)
    passed = {name: sum(r["functions"].get(name, {}).get("passed", False) for r in records) for name in GRADED_FUNCTIONS}
    diagnoses = collections.Counter(f["diagnosis"] for r in records for f in r["functions"].values()
                                    if f.get("diagnosis"))
    checks = collections.Counter(f"{name}: {f['check']}" for r in records for name, f in r["functions"].items()
                                 if not f.get("passed") and f.get("check"))
    return {"students": count,
            "pass_rate": {name: (passed[name] / count if count else 0.0) for name in GRADED_FUNCTIONS},
            "most_frequent_diagnoses": diagnoses.most_common(10),
            "most_frequent_failed_checks": checks.most_common(10),
            "totals": [r["total"] for r in records]}


#: First characters that make a spreadsheet read a cell as a formula (or, tab and CR, hide one behind them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text):
    """``text`` as a spreadsheet cell that stays text: a leading ``'`` when it would start a formula.

    A student id such as ``=HYPERLINK("http://x","y")`` would otherwise be a live formula once the CSV is
    opened in a spreadsheet. The ``'`` is the usual mark of a text cell; it is shown, so the id stays
    recognisable. Only text columns go through here: scores are written as numbers.
    """
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def grade_columns():
    """The columns of the grade spreadsheet and of the printed grade table: id, total, max, each function (named and
    ordered as in the notebook), late penalty."""
    return ["student_id", "total", "max", *GRADED_FUNCTIONS, "late_penalty"]


def grade_row(record):
    """A student's values for :func:`grade_columns`, as text: the id as it is, every score as a number."""
    scores = [record["functions"].get(name, {}).get("score", 0) for name in GRADED_FUNCTIONS]
    return [record["student"], *(f"{value:g}" for value in (record["total"], record["max"], *scores,
                                                             record["late_penalty"]))]


def write_csv(records, path):
    """One row per student, :func:`grade_columns`: the id as text (see :func:`spreadsheet_text`), total (after the
    late penalty), max, each function's score, and the late penalty."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(grade_columns())
    for record in records:
        student, *numbers = grade_row(record)
        writer.writerow([spreadsheet_text(student), *numbers])
    write_if_changed(path, text.getvalue().encode("utf-8"))


def write_if_changed(path, content):
    """Write ``content`` (bytes) into the file ``path`` unless it holds exactly that already; whether it wrote.

    Writing a report again as it is changes nothing but its time, and costs: truncating a file makes the file
    system write it back to disk at once (ext4), a millisecond or more for each of a class's JUnit files.
    """
    try:
        with open(path, "rb") as handle:
            if handle.read(len(content) + 1) == content:
                return False
    except OSError:
        pass
    with open(path, "wb") as handle:
        handle.write(content)
    return True


#: Characters XML 1.0 does not allow anywhere in a document, not even as character references: a pattern compiled
#: (by :mod:`re`, which keeps it) at its first use, since nbgrader's processes import this module for its metadata
#: keys and never write XML.
XML_ILLEGAL = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def xml_text(text):
    """``text`` with each character XML 1.0 forbids written as a Python escape (``\\x1b``, ``\\x00``, ``\\ud800``).

    Error messages quote what a student's code raised, terminal colour codes and NUL bytes included;
    ElementTree would write them as they are, and no XML parser reads the file back.
    """
    return re.sub(XML_ILLEGAL, lambda match: ascii(match.group())[1:-1], str(text))


def write_junit(record, path):
    """One JUnit test suite for the student, one test case per function; every string made XML-safe."""
    student = xml_text(record["student"])
    suite = ElementTree.Element("testsuite", name=f"{ASSIGNMENT}.{student}",
                                tests=str(len(GRADED_FUNCTIONS)),
                                failures=str(sum(not f.get("passed") for f in record["functions"].values())))
    for name in GRADED_FUNCTIONS:
        verdict = record["functions"].get(name, {})
        case = ElementTree.SubElement(suite, "testcase", classname=student, name=name)
        if not verdict.get("passed"):
            message = xml_text(verdict.get("message", "not graded"))
            failure = ElementTree.SubElement(case, "failure", type=xml_text(verdict.get("check") or "missing"),
                                             message=message)
            failure.text = message
    write_if_changed(path, ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True))


LABEL_WIDTH = 60  # characters per line of a mistake's label


@functools.lru_cache(maxsize=None)
def mistakes_by_id():
    """``{mistake id: mistake}`` of the assignment's catalogue, read when a label is first made: the modules that
    only read this module's keys (nbgrader's recording process) never load the assignment's graders."""
    return {mistake.mistake_id: mistake for mistake in graders_module(ASSIGNMENT).MISTAKES}


def mistake_label(mistake_id, width=LABEL_WIDTH):
    """A short label of a catalogued mistake for a plot: the first clause of its message, then its function.

    A mistake whose message is "the penalty uses lambd / m instead of lambd / (2 * m)" gets that clause, wrapped at
    ``width``, and its function's name in parentheses below. An id the catalogue does not hold is shown as it is.
    """
    mistake = mistakes_by_id().get(mistake_id)
    if mistake is None:
        return mistake_id
    clause = re.split(r"[;:] ", mistake.message, maxsplit=1)[0]
    return textwrap.fill(clause, width) + f"\n({mistake.function})"


def load_plotting():
    """Import the parts of matplotlib and Pillow that drawing and saving the plots use (about a third of a second).

    A run calls it in the background while it waits for nbgrader, when a plot is likely to be drawn again
    (:func:`draw_ahead`), and :func:`draw_plots` before it forks: a process forked then imports nothing.
    """
    from PIL import Image

    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.ticker  # noqa: F401

    Image.preinit()  # the image formats Pillow loads when it first saves one


def _figure(**options):
    """A matplotlib figure drawn by the Agg backend, made without pyplot (whose import costs half a second)."""
    load_plotting()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(**options)
    FigureCanvasAgg(figure)
    return figure


def _margins(figure, size, left, right, top, bottom, column_gap=0.0, columns=1, rows=1):
    """Place the axes of ``figure`` (a figure or subfigure of ``size`` inches) with margins in inches: around
    them, ``column_gap`` between columns, and between rows the room of a title and an axis label."""
    width, height = size
    row_gap = top + bottom
    axes_width = (width - left - right - column_gap * (columns - 1)) / columns
    axes_height = (height - top - bottom - row_gap * (rows - 1)) / rows
    figure.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                           bottom=bottom / height, wspace=column_gap / axes_width, hspace=row_gap / axes_height)


def _count_axis(axis):
    """Integer ticks on an axis that counts students (never half a student)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _title(axes, text):
    """Title ``axes`` at its top edge, where matplotlib places a title when no tick label is above the axes; set
    there, it is not placed again when the plot is drawn (which measures the y axis's tick labels once more)."""
    axes.set_title(text, y=1.0)


def _score_histogram(axes, scores, maximum, color):
    """A histogram of ``scores`` with one bar per whole point from 0 to ``maximum``, integer axes."""
    top = max(int(round(maximum)), 1)
    axes.hist(scores, bins=[x - 0.5 for x in range(top + 2)], color=color, edgecolor="k")
    axes.set_xticks(range(top + 1))
    axes.set_xlim(-0.5, top + 0.5)
    _count_axis(axes.yaxis)


def distribution_data(records, stats):
    """What :func:`distribution_figure` draws, as JSON-able values: the totals and their maximum, the pass rate
    per function and the most frequent mistakes (label and count)."""
    return {"students": stats["students"], "totals": stats["totals"],
            "max": max((r["max"] for r in records), default=0),
            "pass_rate": [[name, stats["pass_rate"][name]] for name in GRADED_FUNCTIONS],
            "mistakes": [[mistake_label(mistake_id), count] for mistake_id, count in stats["most_frequent_diagnoses"]]}


def distribution_figure(records, stats):
    """The class at a glance: totals, pass rate per function, most frequent mistakes (:func:`mistake_label`)."""
    return draw_distribution(distribution_data(records, stats))


def draw_distribution(data):
    """The figure of :func:`distribution_figure`, drawn from its :func:`distribution_data` only."""
    frequent = data["mistakes"]
    mistakes_height = 1.2 + 0.75 * max(len(frequent), 1)
    figure = _figure(figsize=(15, 4.5 + mistakes_height))
    top, bottom = figure.subfigures(2, 1, height_ratios=(4.5, mistakes_height))
    totals, rates = top.subplots(1, 2)
    # Fixed margins in inches, room for the longest labels (a layout engine would double the drawing time)
    _margins(top, (15, 4.5), left=0.8, right=0.4, top=0.5, bottom=0.75, column_gap=4.4, columns=2)
    mistakes = bottom.subplots()
    _margins(bottom, (15, mistakes_height), left=4.6, right=0.4, top=0.5, bottom=0.75)
    _score_histogram(totals, data["totals"], data["max"], "#4c72b0")
    _title(totals, f"Total score ({data['students']} students)")
    totals.set(xlabel="points", ylabel="students")
    rates.barh([name for name, _ in data["pass_rate"]], [100 * rate for _, rate in data["pass_rate"]],
               color="#55a868")
    _title(rates, "Pass rate per function")
    rates.set(xlabel="% of students", xlim=(0, 100))
    rates.invert_yaxis()
    if frequent:
        mistakes.barh([label for label, _ in frequent], [count for _, count in frequent], color="#c44e52")
        mistakes.invert_yaxis()
    else:
        mistakes.text(0.5, 0.5, "no catalogued mistake was recognised", ha="center", va="center",
                      transform=mistakes.transAxes)
        mistakes.set_yticks([])
    _title(mistakes, "Most frequent mistakes")
    mistakes.set(xlabel="students")
    _count_axis(mistakes.xaxis)
    return figure


def function_scores_data(records, points):
    """What :func:`function_scores_figure` draws, as JSON-able values: each function (notebook order) with its
    points and every student's score."""
    return [[name, points[name], [r["functions"][name]["score"] for r in records if name in r["functions"]]]
            for name in GRADED_FUNCTIONS]


def function_scores_figure(records, points):
    """One panel per function (notebook order): how many students got each score, from 0 to its points."""
    return draw_function_scores(function_scores_data(records, points))


def draw_function_scores(data):
    """The figure of :func:`function_scores_figure`, drawn from its :func:`function_scores_data` only."""
    columns = 2
    rows = -(-len(data) // columns)
    figure = _figure(figsize=(12, 3.6 * rows))
    panels = figure.subplots(rows, columns, squeeze=False)
    _margins(figure, (12, 3.6 * rows), left=0.8, right=0.3, top=0.45, bottom=0.65, column_gap=1.0,
             columns=columns, rows=rows)
    for panel, (name, points, scores) in zip(panels.flat, data):
        _score_histogram(panel, scores, points, "#8172b2")
        _title(panel, f"{name} ({points:g} points)")
        panel.set(xlabel="points", ylabel="students")
    for panel in list(panels.flat)[len(data):]:
        panel.remove()
    return figure


#: Which data each plot of the folder was drawn from, and the digest of the file drawn (see :func:`write_plots`).
PLOTS_DRAWN = ".plots.json"


def draw_plots(jobs, wait_for_threads=True):
    """Draw and save each plot of ``jobs`` (``[(draw, data, path)]``: ``draw(data)`` is saved to ``path``).

    Drawing is CPU-bound: with two plots or more, all but the last are drawn in processes forked now, each on a
    core of its own, the last here. Before forking, matplotlib is imported here and, with ``wait_for_threads``,
    every other thread that is not a daemon (imports in the background) is waited for, so that no import is
    half done in a forked process (:func:`draw_ahead`, itself such a thread, imports nothing in another one). A
    plot a forked process did not save is drawn again here, where its error, if any, is raised.
    """
    import threading

    forked = []
    if len(jobs) > 1 and hasattr(os, "fork"):
        load_plotting()
        for thread in threading.enumerate() if wait_for_threads else []:
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
        for job in jobs[:-1]:
            forked.append((os.fork(), job))
            if forked[-1][0] == 0:
                _draw_and_exit(*job)
    for job in jobs[len(forked):]:
        _draw_plot(*job)
    for pid, job in forked:
        if os.waitpid(pid, 0)[1] != 0:
            _draw_plot(*job)


#: zlib's level for the plots' PNG files: the fastest; Pillow's default (6) takes half as long again for files 10
#: to 15 % smaller. The pixels are the same at every level.
PNG_COMPRESS_LEVEL = 1


def _draw_plot(draw, data, path):
    draw(data).savefig(path, dpi=100, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})


def _draw_and_exit(draw, data, path):
    """In a forked process: draw one plot, then end at once with status 0 when it is saved, else 1."""
    status = 1
    try:
        _draw_plot(draw, data, path)
        status = 0
    finally:
        os._exit(status)


def plot_jobs(records, stats, points):
    """``[(file name, data, draw)]`` of the plots: ``draw(data)`` is the figure saved under the file name."""
    return [("grade_distribution.png", distribution_data(records, stats), draw_distribution),
            ("function_scores.png", function_scores_data(records, points), draw_function_scores)]


def write_plots(records, stats, out_dir, points, ahead=None):
    """Write ``grade_distribution.png`` and ``function_scores.png`` into ``out_dir``, each unless it is there
    already, drawn from the same data.

    A plot is drawn again unless the folder's :data:`PLOTS_DRAWN` says it was drawn from the same data (its
    :func:`plot_key`: the values plotted, as read from the gradebook now, the grader version and matplotlib's)
    and the file still has the digest it had when drawn. Drawing takes most of a second; a run that recorded
    submissions without changing a value the plots show draws neither. A plot drawn ahead (:func:`draw_ahead`)
    from data with the same key is the same file: it is moved into place instead of being drawn again.

    Parameters
    ----------
    ahead : dict, optional
        ``{file name: (plot key, path of the file drawn ahead)}``.

    Returns
    -------
    list of str
        The plots written.
    """
    drawn_path = os.path.join(out_dir, PLOTS_DRAWN)
    drawn = _read_json(drawn_path)
    ahead = ahead or {}
    jobs = []
    for name, data, draw in plot_jobs(records, stats, points):
        path = os.path.join(out_dir, name)
        key = plot_key(name, data)
        if not _drawn_from(drawn, name, key, path):
            drawn.pop(name, None)
            jobs.append((name, key, draw, data, path))
    to_draw = []
    for name, key, draw, data, path in jobs:
        if ahead.get(name, (None, None))[0] == key and _moved(ahead[name][1], path):
            continue
        to_draw.append((draw, data, path))
    draw_plots(to_draw)
    redrawn = []
    for name, key, _, _, path in jobs:
        drawn[name] = {"data": key, "file": _file_digest(path)}
        redrawn.append(name)
    if redrawn:
        temporary = f"{drawn_path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(drawn, handle, sort_keys=True)
        os.replace(temporary, drawn_path)
    return redrawn


def _drawn_from(drawn, name, key, path):
    """Whether the plot ``name`` at ``path`` is the file drawn from the data of ``key``, as ``drawn`` (the folder's
    :data:`PLOTS_DRAWN`) recorded it: the same key, and the file unchanged since."""
    return drawn.get(name) == {"data": key, "file": _file_digest(path)}


def _moved(source, destination):
    """Move the file ``source`` to ``destination``; whether it was there to move."""
    try:
        os.replace(source, destination)
    except FileNotFoundError:
        return False
    return True


#: Folders of plots drawn ahead, one per process (``.ahead-<pid>``) in the reports folder.
AHEAD_PREFIX = ".ahead-"


def expected_records(records, outcomes, points):
    """The records of ``records`` as they will be once the students of ``outcomes`` are recorded.

    A student's function is scored as nbgrader scores its autograded test cell: its points when its verdict
    passed, else 0; the student's total changes by as much (a new student's total is the sum), the late
    penalty stays. A manual grade the gradebook holds would make the guess wrong; what is drawn from a wrong
    guess is never used (:func:`write_plots` compares keys made from the gradebook's own values).

    Parameters
    ----------
    records : list of dict
        As :func:`collect` gives them.
    outcomes : dict
        ``{student: {function: verdict fields}}`` (the verdicts as graded: ``passed``, ``check``,
        ``diagnosis``, ``property``, ``message``).
    points : dict
        ``{function: points}``.

    Returns
    -------
    list of dict
        Sorted by student, as :func:`collect` sorts them.
    """
    by_student = {record["student"]: record for record in records}
    for student, verdicts in outcomes.items():
        old = by_student.get(student, {"raw_total": 0.0, "late_penalty": 0.0, "max": float(sum(points.values())),
                                       "functions": {}})
        functions = {}
        for name in GRADED_FUNCTIONS:
            if name in verdicts and name in points:
                fields = {key: verdicts[name].get(key) for key in ("passed", "check", "diagnosis", "property",
                                                                     "message")}
                functions[name] = {"score": float(points[name]) if fields["passed"] else 0.0,
                                   "max": float(points[name]), **fields}
        change = sum(f["score"] for f in functions.values()) - sum(
            old["functions"].get(name, {}).get("score", 0.0) for name in functions)
        by_student[student] = {"student": student, **final_total(old["raw_total"] + change, old["max"],
                                                                 old["late_penalty"]),
                               "functions": functions}
    return [by_student[student] for student in sorted(by_student)]


def draw_ahead(out_dir, root, outcomes, points=FUNCTION_POINTS):
    """Draw the plots as they will be once the students of ``outcomes`` are recorded, while nbgrader records them.

    The records are read now (:func:`collect`) and changed by :func:`expected_records`. A plot whose data would
    stay what it was drawn from is left alone (matplotlib is not even loaded when neither changes); the others
    go into this process's folder ``out_dir/.ahead-<pid>`` (the folders of processes that ended are removed
    first), drawn at once as :func:`draw_plots` draws them: the core nbgrader leaves when it is done takes one.

    Parameters
    ----------
    outcomes : dict
        ``{student: {function: verdict fields}}``.

    Returns
    -------
    dict
        ``{file name: (plot key, path)}``, for :func:`write_plots`.
    """
    records = expected_records(collect(root), outcomes, points)
    stats = summary(records)
    remove_ahead(out_dir, only_ended=True)
    folder = os.path.join(out_dir, f"{AHEAD_PREFIX}{os.getpid()}")
    drawn = _read_json(os.path.join(out_dir, PLOTS_DRAWN))
    jobs = []
    for name, data, draw in plot_jobs(records, stats, points):
        key = plot_key(name, data)
        if not _drawn_from(drawn, name, key, os.path.join(out_dir, name)):
            jobs.append((name, key, draw, data, os.path.join(folder, name)))  # it will change: drawn now
    if jobs:
        load_plotting()
        os.makedirs(folder, exist_ok=True)
        draw_plots([(draw, data, path) for _, _, draw, data, path in jobs], wait_for_threads=False)
    return {name: (key, path) for name, key, _, _, path in jobs}


def remove_ahead(out_dir, only_ended=False):
    """Remove this process's folder of plots drawn ahead; with ``only_ended``, those of processes that ended."""
    import shutil

    for name in os.listdir(out_dir) if os.path.isdir(out_dir) else []:
        if not name.startswith(AHEAD_PREFIX):
            continue
        owner = name[len(AHEAD_PREFIX):]
        mine = owner == str(os.getpid())
        if (not only_ended and mine) or (only_ended and not mine and not _running(owner)):
            shutil.rmtree(os.path.join(out_dir, name), ignore_errors=True)


def _running(pid_text):
    """Whether the process of id ``pid_text`` (text) is running."""
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def plot_key(name, data):
    """Digest of what a plot shows: its file name, the data it is drawn from, the grader version (the code that
    draws it, :mod:`graders.fingerprint`) and matplotlib's version."""
    from importlib.metadata import version

    from graders.fingerprint import grader_version

    text = json.dumps([name, data, grader_version(), version("matplotlib")], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(path):
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def write_reports(out_dir, root=ROOT, ahead=None):
    """Write every report into ``out_dir`` (a file that would be written as it is is left alone); return the
    records. ``ahead``: plots drawn ahead (:func:`draw_ahead`), used where the gradebook gives the same data."""
    records = collect(root)
    stats = summary(records)
    os.makedirs(os.path.join(out_dir, "junit"), exist_ok=True)
    write_csv(records, os.path.join(out_dir, "grades.csv"))
    fault_point("reports")
    write_if_changed(os.path.join(out_dir, "report.json"),
                     json.dumps({"summary": stats, "students": records}, indent=1, sort_keys=True).encode("utf-8"))
    write_plots(records, stats, out_dir, FUNCTION_POINTS, ahead)
    for record in records:
        write_junit(record, os.path.join(out_dir, "junit", record["student"] + ".xml"))
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="default: c.GradingPaths.reports of nbgrader_config.py")
    args = parser.parse_args(argv)
    out = args.out or paths().resolve("reports")
    records = write_reports(out)
    print(f"wrote reports for {len(records)} student(s) to {out}")


if __name__ == "__main__":
    main()
