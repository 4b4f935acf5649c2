"""The reports read every score from the gradebook, as ``nbgrader export`` does: late penalties and manual
grades included, totals never above the maximum. They name the functions as the notebook does, count students in
whole numbers, show mistakes by a readable label and plot each function's scores."""
import csv
import os
import subprocess
import sys

import matplotlib.axes
import matplotlib.image
import matplotlib.text
import pytest
from nbgrader.api import Gradebook

from graders import grade_table, reports
from graders.regularization.mistakes import MISTAKES
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, points_by_function, read_source_notebook
from tests.conftest import make
from tests.notebooks import make_submission, reference_solutions, write_submission

NBGRADER = os.path.join(os.path.dirname(sys.executable), "nbgrader")
DUE = "2026-01-01 00:00:00 UTC"
TIMESTAMPS = {"a-on-time": "2025-12-31 10:00:00 UTC", "b-late": "2026-01-02 10:00:00 UTC",
              "c-overridden": "2025-12-31 11:00:00 UTC"}


def _rows(path, key):
    with open(path, encoding="utf-8") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def test_grades_csv_gives_the_totals_nbgrader_export_gives(released_course):
    course = released_course
    with open(os.path.join(course, "nbgrader_config.py"), "a", encoding="utf-8") as handle:
        handle.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    subprocess.run([NBGRADER, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}"], cwd=course, check=True,
                   capture_output=True)
    for student_id, timestamp in TIMESTAMPS.items():
        path = write_submission(make_submission(reference_solutions()), course, student_id)
        with open(os.path.join(os.path.dirname(path), "timestamp.txt"), "w", encoding="utf-8") as stamp:
            stamp.write(timestamp)
    make(course, "autograde")
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        grade = gradebook.find_grade("test_compute_cost_with_regularization", "Regularization", ASSIGNMENT,
                                     "c-overridden")
        grade.manual_score = 100.0
        gradebook.db.commit()
    make(course, "reports")
    export = os.path.join(course, "export.csv")
    subprocess.run([NBGRADER, "export", f"--to={export}"], cwd=course, check=True, capture_output=True)

    ours, theirs = _rows(os.path.join(course, "reports", "grades.csv"), "student_id"), _rows(export, "student_id")
    assert ours["a-on-time"]["total"] == "10" and ours["a-on-time"]["late_penalty"] == "0"
    assert ours["b-late"]["total"] == "0" and ours["b-late"]["late_penalty"] == "10"
    assert float(theirs["b-late"]["score"]) == 0.0 and float(theirs["b-late"]["late_submission_penalty"]) == 10.0
    assert ours["c-overridden"]["total"] == "10" and ours["c-overridden"]["compute_cost_with_regularization"] == "2"
    assert float(theirs["c-overridden"]["score"]) > 10  # nbgrader's own export does not cap
    for student_id in ("a-on-time", "b-late"):
        assert float(ours[student_id]["total"]) == float(theirs[student_id]["score"])

    # The same spreadsheet through nbgrader's export-plugin API, for the whole class and for one student.
    plugin = os.path.join(course, "plugin.csv")
    subprocess.run([NBGRADER, "export", "--exporter=graders.export.GradesExport", f"--to={plugin}"], cwd=course,
                   check=True, capture_output=True)
    with open(plugin, encoding="utf-8") as exported, open(os.path.join(course, "reports", "grades.csv"),
                                                          encoding="utf-8") as reported:
        assert exported.read() == reported.read()
    subprocess.run([NBGRADER, "export", "--exporter=graders.export.GradesExport", f"--to={plugin}",
                    "--student=b-late"], cwd=course, check=True, capture_output=True)
    assert list(_rows(plugin, "student_id")) == ["b-late"]


# One naming scheme, integer counts and readable mistakes, in the spreadsheet, the grade table and the plots.

POINTS = points_by_function(read_source_notebook())
CLASS_DIAGNOSES = {"ada": {}, "bob": {"compute_cost_with_regularization": "cost_lambda_over_m"},
                   "cy": {"compute_cost_with_regularization": "cost_lambda_over_m",
                          "backward_propagation_with_dropout": "dropout_backward_no_mask"}}


def _class():
    """Three students; each function they have no diagnosis for is passed."""
    records = []
    for student, diagnoses in CLASS_DIAGNOSES.items():
        functions = {name: {"score": 0.0 if name in diagnoses else points, "max": points,
                            "passed": name not in diagnoses, "check": "values" if name in diagnoses else None,
                            "diagnosis": diagnoses.get(name), "message": "m"} for name, points in POINTS.items()}
        total = sum(function["score"] for function in functions.values())
        records.append({"student": student, "total": total, "raw_total": total, "late_penalty": 0.0,
                        "max": sum(POINTS.values()), "functions": functions})
    return records


def _axes(figure):
    """``{title: axes}`` of a figure, its subfigures' included."""
    return {axes.get_title(): axes for axes in figure.findobj(matplotlib.axes.Axes)}


def _figures():
    records = _class()
    stats = reports.summary(records)
    figures = {"distribution": reports.distribution_figure(records, stats),
               "functions": reports.function_scores_figure(records, POINTS)}
    for figure in figures.values():
        figure.canvas.draw()
    return figures


@pytest.fixture(scope="module")
def figures():
    import matplotlib.pyplot as plt

    drawn = _figures()
    yield drawn
    for figure in drawn.values():
        plt.close(figure)


def test_the_graded_functions_are_the_notebooks_in_its_order():
    assert list(GRADED_FUNCTIONS) == list(POINTS)


def test_csv_table_and_plots_name_the_functions_alike(tmp_path, figures):
    records = _class()
    reports.write_csv(records, tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == reports.grade_columns() == ["student_id", "total", "max", *POINTS, "late_penalty"]
    assert grade_table.table_lines(records)[0].split() == header
    rates = _axes(figures["distribution"])["Pass rate per function"]
    assert [label.get_text() for label in rates.get_yticklabels()] == list(POINTS)
    assert [title.split(" (")[0] for title in _axes(figures["functions"])] == list(POINTS)


def test_grade_table_rows_hold_the_csv_values(tmp_path):
    records = _class()
    reports.write_csv(records, tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [line.split() for line in grade_table.table_lines(records)[1:]] == rows


def _count_ticks(figures, figure, title, axis):
    axes = _axes(figures[figure])[title]
    scale = axes.yaxis if axis == "y" else axes.xaxis
    low, high = sorted(scale.get_view_interval())
    return [tick for tick in scale.get_majorticklocs() if low <= tick <= high]


@pytest.mark.parametrize("figure, title, axis", [
    ("distribution", "Total score (3 students)", "x"),
    ("distribution", "Total score (3 students)", "y"),
    ("distribution", "Most frequent mistakes", "x"),
    *[("functions", f"{name} ({points:g} points)", axis) for name, points in POINTS.items() for axis in "xy"],
], ids=lambda value: value.replace(" ", "-") if isinstance(value, str) else value)
def test_points_and_counts_have_integer_ticks(figures, figure, title, axis):
    ticks = _count_ticks(figures, figure, title, axis)
    assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks), ticks


def test_each_function_has_a_score_histogram_from_zero_to_its_points(figures):
    panels = _axes(figures["functions"])
    assert list(panels) == [f"{name} ({points:g} points)" for name, points in POINTS.items()]
    for (name, points), axes in zip(POINTS.items(), panels.values()):
        assert _count_ticks(figures, "functions", f"{name} ({points:g} points)", "x") == list(range(int(points) + 1))
        counts = [round(bar.get_height()) for bar in axes.patches]
        failed = sum(name in diagnoses for diagnoses in CLASS_DIAGNOSES.values())
        assert counts[0] == failed and counts[-1] == len(CLASS_DIAGNOSES) - failed and sum(counts) == 3


def test_mistakes_are_shown_by_their_labels_never_their_ids(figures):
    mistakes = _axes(figures["distribution"])["Most frequent mistakes"]
    assert [label.get_text() for label in mistakes.get_yticklabels()] == [
        reports.mistake_label("cost_lambda_over_m"), reports.mistake_label("dropout_backward_no_mask")]
    texts = " ".join(text.get_text() for figure in figures.values() for text in figure.findobj(matplotlib.text.Text))
    assert not any(mistake.mistake_id in texts for mistake in MISTAKES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda mistake: mistake.mistake_id)
def test_a_mistake_label_is_its_message_first_clause_and_its_function(mistake):
    lines = reports.mistake_label(mistake.mistake_id).split("\n")
    assert lines[-1] == f"({mistake.function})"
    assert mistake.message.startswith(" ".join(lines[:-1]))
    assert all(len(line) <= reports.LABEL_WIDTH for line in lines[:-1]) and len(lines) <= 4


def test_a_label_for_an_id_the_catalogue_lacks_is_the_id():
    assert reports.mistake_label("not_catalogued") == "not_catalogued"


def test_write_plots_writes_both_figures(tmp_path):
    records = _class()
    reports.write_plots(records, reports.summary(records), tmp_path, POINTS)
    for name in ("grade_distribution.png", "function_scores.png"):
        assert matplotlib.image.imread(tmp_path / name).shape[0] > 100


def test_write_plots_draws_a_plot_again_only_when_what_it_shows_or_its_file_changed(tmp_path, monkeypatch):
    records = _class()
    assert reports.write_plots(records, reports.summary(records), tmp_path, POINTS) == [
        "grade_distribution.png", "function_scores.png"]
    drawn = (tmp_path / "function_scores.png").read_bytes()
    assert reports.write_plots(_class(), reports.summary(_class()), tmp_path, POINTS) == []

    records[0]["functions"]["compute_cost_with_regularization"]["score"] = 1.0  # the total is not plotted anew
    assert reports.write_plots(records, reports.summary(records), tmp_path, POINTS) == ["function_scores.png"]
    assert (tmp_path / "function_scores.png").read_bytes() != drawn

    (tmp_path / "grade_distribution.png").write_bytes(b"not the plot drawn")
    assert reports.write_plots(records, reports.summary(records), tmp_path, POINTS) == ["grade_distribution.png"]
    assert matplotlib.image.imread(tmp_path / "grade_distribution.png").shape[0] > 100

    monkeypatch.setattr("graders.fingerprint.grader_version", lambda: "another grader")
    assert len(reports.write_plots(records, reports.summary(records), tmp_path, POINTS)) == 2


def test_a_plot_is_drawn_from_the_data_its_key_is_made_of():
    """What decides whether a plot is drawn again (plot_key) covers everything its drawing reads."""
    records = _class()
    stats = reports.summary(records)
    data = reports.distribution_data(records, stats)
    figure = reports.draw_distribution(data)
    figure.canvas.draw()
    assert _axes(figure)["Total score (3 students)"] is not None
    assert [label.get_text() for label in _axes(figure)["Most frequent mistakes"].get_yticklabels()] == [
        label for label, _ in data["mistakes"]]
    assert reports.plot_key("a.png", data) == reports.plot_key("a.png", reports.distribution_data(records, stats))
    assert reports.plot_key("a.png", data) != reports.plot_key("a.png", {**data, "max": data["max"] + 1})


def test_a_report_file_is_written_again_only_when_its_content_changed(tmp_path):
    records = _class()
    paths = {"csv": tmp_path / "grades.csv", "junit": tmp_path / "ada.xml"}
    reports.write_csv(records, paths["csv"])
    reports.write_junit(records[0], paths["junit"])
    written = {name: path.read_bytes() for name, path in paths.items()}
    for path in paths.values():
        os.utime(path, ns=(0, 0))
    reports.write_csv(records, paths["csv"])
    reports.write_junit(records[0], paths["junit"])
    assert all(path.stat().st_mtime_ns == 0 for path in paths.values())  # left alone

    records[0]["functions"]["compute_cost_with_regularization"].update(score=1.0, passed=False, message="new")
    reports.write_csv(records, paths["csv"])
    reports.write_junit(records[0], paths["junit"])
    assert all(path.stat().st_mtime_ns > 0 and path.read_bytes() != written[name] for name, path in paths.items())
    assert reports.write_if_changed(tmp_path / "new.txt", b"x") and not reports.write_if_changed(tmp_path / "new.txt",
                                                                                                  b"x")
    assert reports.write_if_changed(tmp_path / "new.txt", b"") and (tmp_path / "new.txt").read_bytes() == b""


class _SavesItsProcess:
    """Stands for a figure: saving writes the id of the process that saved it (and fails where told to)."""

    def __init__(self, fail_in=()):
        self.fail_in = fail_in

    def savefig(self, path, dpi, **options):
        if "child" in self.fail_in and os.getpid() != PARENT[0] or "parent" in self.fail_in and os.getpid() == PARENT[0]:
            raise RuntimeError("could not draw")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))


PARENT = [os.getpid()]


def test_two_plots_are_drawn_at_once_one_in_a_forked_process(tmp_path):
    jobs = [(lambda data: _SavesItsProcess(), None, tmp_path / name) for name in ("a.png", "b.png", "c.png")]
    reports.draw_plots(jobs)
    savers = [int((tmp_path / name).read_text()) for name in ("a.png", "b.png", "c.png")]
    assert savers[-1] == os.getpid() and os.getpid() not in savers[:-1] and len(set(savers)) == 3


@pytest.mark.parametrize("fail_in, raised", [(("child",), False), (("child", "parent"), True)],
                         ids=["fails-when-forked", "fails-everywhere"])
def test_a_plot_a_forked_process_did_not_save_is_drawn_here(tmp_path, fail_in, raised):
    jobs = [(lambda data: _SavesItsProcess(fail_in), None, tmp_path / "a.png"),
            (lambda data: _SavesItsProcess(), None, tmp_path / "b.png")]
    if raised:
        with pytest.raises(RuntimeError, match="could not draw"):
            reports.draw_plots(jobs)
    else:
        reports.draw_plots(jobs)
        assert int((tmp_path / "a.png").read_text()) == os.getpid()


def test_plots_drawn_at_once_are_the_bytes_drawn_one_after_the_other(tmp_path):
    records = _class()
    stats = reports.summary(records)
    jobs = [(reports.draw_distribution, reports.distribution_data(records, stats)),
            (reports.draw_function_scores, reports.function_scores_data(records, POINTS))]
    reports.draw_plots([(draw, data, tmp_path / f"together-{index}.png") for index, (draw, data) in enumerate(jobs)])
    for index, (draw, data) in enumerate(jobs):
        reports.draw_plots([(draw, data, tmp_path / f"alone-{index}.png")])
        assert (tmp_path / f"together-{index}.png").read_bytes() == (tmp_path / f"alone-{index}.png").read_bytes()


def _plot_jobs(records):
    """``{file name: (draw, data)}`` of the plots of ``records``."""
    return {name: (draw, data) for name, data, draw in reports.plot_jobs(records, reports.summary(records), POINTS)}


@pytest.mark.parametrize("name, students", [
    ("grade_distribution.png", ("ada", "bob", "cy")),
    ("grade_distribution.png", ("ada",)),  # no mistake: a line of text in place of the bars
    ("function_scores.png", ("ada", "bob", "cy")),
], ids=["distribution", "distribution-without-mistakes", "function-scores"])
def test_a_plot_has_the_pixels_of_matplotlibs_own_title_placement_and_png(tmp_path, monkeypatch, name, students):
    """Titles set at the top of their axes, and the fastest PNG compression, change nothing a reader sees."""
    draw, data = _plot_jobs([record for record in _class() if record["student"] in students])[name]
    reports.draw_plots([(draw, data, tmp_path / "ours.png")])
    monkeypatch.setattr(reports, "_title", lambda axes, text: axes.set_title(text))
    draw(data).savefig(tmp_path / "matplotlibs.png", dpi=100)
    ours, matplotlibs = (matplotlib.image.imread(tmp_path / file) for file in ("ours.png", "matplotlibs.png"))
    assert ours.shape == matplotlibs.shape and (ours == matplotlibs).all()


# Plots drawn while nbgrader records, from the scores the verdicts give; used only when the gradebook agrees.

def _outcome(passed_functions, diagnosis=None):
    """Verdict fields of every function: passed for those named, else failed (with ``diagnosis``)."""
    return {name: {"function": name, "passed": name in passed_functions, "check": None if name in passed_functions
                   else "values", "message": "m", "diagnosis": None if name in passed_functions else diagnosis,
                   "property": None} for name in GRADED_FUNCTIONS}


def test_expected_records_score_each_verdict_as_nbgrader_scores_its_test_cell():
    records = _class()
    records[1]["late_penalty"] = 1.0  # bob: kept, and taken off the new total
    outcomes = {"bob": _outcome(set(GRADED_FUNCTIONS)),
                "ada": _outcome(set(GRADED_FUNCTIONS) - {"forward_propagation_with_dropout"}, "dropout_no_scaling"),
                "dee": _outcome({"compute_cost_with_regularization"})}
    expected = {record["student"]: record for record in reports.expected_records(records, outcomes, POINTS)}
    full = float(sum(POINTS.values()))
    assert list(expected) == ["ada", "bob", "cy", "dee"]
    assert expected["bob"]["raw_total"] == full and expected["bob"]["total"] == full - 1.0
    assert all(f["passed"] and f["score"] == POINTS[name] for name, f in expected["bob"]["functions"].items())
    lost = POINTS["forward_propagation_with_dropout"]
    assert expected["ada"]["total"] == full - lost
    assert expected["ada"]["functions"]["forward_propagation_with_dropout"] == {
        "score": 0.0, "max": lost, "passed": False, "check": "values", "diagnosis": "dropout_no_scaling",
        "property": None, "message": "m"}
    assert expected["cy"] == records[2]  # not recorded: as read
    assert expected["dee"]["total"] == POINTS["compute_cost_with_regularization"] and expected["dee"]["max"] == full


def _ahead(records, folder):
    """Both plots of ``records`` drawn into ``folder``, as draw_ahead gives them: ``{name: (key, path)}``."""
    stats = reports.summary(records)
    folder.mkdir()
    drawn = {}
    for name, data, draw in reports.plot_jobs(records, stats, POINTS):
        reports.draw_plots([(draw, data, folder / name)])
        drawn[name] = (reports.plot_key(name, data), str(folder / name))
    return drawn


def test_a_plot_drawn_ahead_from_the_same_data_is_moved_into_place_and_never_drawn_again(tmp_path, monkeypatch):
    records = _class()
    ahead = _ahead(records, tmp_path / "ahead")
    expected = {name: open(path, "rb").read() for name, (_, path) in ahead.items()}
    drawn = []
    monkeypatch.setattr(reports, "draw_plots", lambda jobs: drawn.extend(jobs))
    out = tmp_path / "reports"
    out.mkdir()
    assert reports.write_plots(records, reports.summary(records), str(out), POINTS, ahead) == list(expected)
    assert drawn == [] and {name: (out / name).read_bytes() for name in expected} == expected
    monkeypatch.undo()
    assert reports.write_plots(records, reports.summary(records), str(out), POINTS) == []  # recorded as drawn


def test_a_plot_drawn_ahead_from_other_data_is_not_used(tmp_path, monkeypatch):
    guessed = _class()
    guessed[0]["functions"]["compute_cost_with_regularization"].update(score=0.0, passed=False)  # a wrong guess
    ahead = _ahead(guessed, tmp_path / "ahead")
    drawn = []
    monkeypatch.setattr(reports, "draw_plots", lambda jobs: drawn.extend(path for _, _, path in jobs))
    records = _class()
    reports.write_plots(records, reports.summary(records), str(tmp_path), POINTS, ahead)
    assert sorted(os.path.basename(path) for path in drawn) == sorted(ahead)


def test_folders_drawn_ahead_are_removed_by_their_process_or_once_it_ended(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True).stdout.strip()
    for owner in (str(os.getpid()), ended, str(os.getppid())):
        (tmp_path / f"{reports.AHEAD_PREFIX}{owner}").mkdir()
    reports.remove_ahead(str(tmp_path), only_ended=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{reports.AHEAD_PREFIX}{owner}" for owner in (str(os.getpid()), str(os.getppid())))
    reports.remove_ahead(str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == [f"{reports.AHEAD_PREFIX}{os.getppid()}"]


RUN_COUNTING_PLOTS_DRAWN_AFTER_RECORDING = """
import os

import graders.autograde as autograde
import graders.reports

drawn = []
write_plots, draw_plots = graders.reports.write_plots, graders.reports.draw_plots


def counting_what_write_plots_draws(*arguments):
    graders.reports.draw_plots = lambda jobs, **options: (drawn.extend(jobs), draw_plots(jobs, **options))
    try:
        return write_plots(*arguments)
    finally:
        graders.reports.draw_plots = draw_plots


graders.reports.write_plots = counting_what_write_plots_draws
autograde.DRAW_AHEAD_MAX_STUDENTS = int(os.environ.get("DRAW_AHEAD_MAX_STUDENTS", autograde.DRAW_AHEAD_MAX_STUDENTS))
try:
    autograde.main([])
finally:
    print("plots drawn after recording:", len(drawn))
"""


def test_a_rerun_that_changes_a_score_draws_its_plots_while_nbgrader_records(released_template, tmp_path):
    """The plots come from the drawing done ahead, and are the bytes ``make reports`` draws from the gradebook."""
    import shutil

    course = str(tmp_path / "course")
    shutil.copytree(released_template, course, symlinks=True)
    solutions = reference_solutions()
    write_submission(make_submission(solutions), course, "ada")
    wrong = {**solutions, "compute_cost_with_regularization": solutions["compute_cost_with_regularization"].replace(
        "return cost", "return 2 * cost")}
    assert wrong != solutions
    write_submission(make_submission(wrong), course, "bob")
    make(course, "autograde")
    write_submission(make_submission(solutions), course, "bob")  # bob's score changes
    result = subprocess.run([sys.executable, "-c", RUN_COUNTING_PLOTS_DRAWN_AFTER_RECORDING], cwd=course, text=True,
                            capture_output=True, env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT}, check=True)
    assert "plots drawn after recording: 0" in result.stdout, result.stdout + result.stderr
    names = ("grade_distribution.png", "function_scores.png")
    ahead = {name: open(os.path.join(course, "reports", name), "rb").read() for name in names}
    assert not [name for name in os.listdir(os.path.join(course, "reports")) if name.startswith(reports.AHEAD_PREFIX)]
    os.remove(os.path.join(course, "reports", reports.PLOTS_DRAWN))
    make(course, "reports")
    assert {name: open(os.path.join(course, "reports", name), "rb").read() for name in names} == ahead

    # A run that records more students than DRAW_AHEAD_MAX_STUDENTS draws its plots after recording
    write_submission(make_submission(wrong), course, "bob")
    result = subprocess.run([sys.executable, "-c", RUN_COUNTING_PLOTS_DRAWN_AFTER_RECORDING], cwd=course, text=True,
                            capture_output=True, check=True,
                            env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT, "DRAW_AHEAD_MAX_STUDENTS": "0"})
    assert "plots drawn after recording: 2" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("outcomes, redrawn", [
    ({}, []),
    ({"ada": _outcome(set(GRADED_FUNCTIONS))}, []),  # what she had: the same data
    ({"bob": _outcome(set(GRADED_FUNCTIONS))}, ["grade_distribution.png", "function_scores.png"]),
], ids=["no-one", "same-scores", "new-scores"])
def test_only_the_plots_whose_data_changes_are_drawn_ahead(tmp_path, monkeypatch, outcomes, redrawn):
    records = _class()
    reports.write_plots(records, reports.summary(records), str(tmp_path), POINTS)
    monkeypatch.setattr(reports, "collect", lambda root: _class())
    loaded = []
    monkeypatch.setattr(reports, "load_plotting", lambda: loaded.append(True))
    ahead = reports.draw_ahead(str(tmp_path), str(tmp_path), outcomes, POINTS)
    assert sorted(ahead) == sorted(redrawn) and bool(loaded) == bool(redrawn)
    assert all(os.path.isfile(path) for _, path in ahead.values())


def test_reading_the_report_keys_loads_no_grader():
    """nbgrader's recording process reads this module's metadata keys: the assignment's graders (and numpy) stay
    unloaded until a mistake's label is made."""
    code = ("import sys\nfrom graders.reports import VERDICT_KEY\n"
            f"print(sorted(m for m in ('numpy', 'graders.{ASSIGNMENT}') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=reports.ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
