"""Reports for instructors and CI, read from the gradebook and the autograded notebooks.

Writes into ``reports/``:

- ``grades.csv``: one row per student (id, total, max, one column per graded function), for an LMS;
- ``report.json``: every verdict, and the class summary (pass rates, most frequent diagnoses);
- ``grade_distribution.png``: totals, pass rate per function and the most frequent mistakes;
- ``junit/<student>.xml``: one JUnit test suite per submission, one test case per function.

Usage: ``python -m graders.reports [--out DIR]``
"""
import argparse
import collections
import csv
import json
import os
import re
import xml.etree.ElementTree as ElementTree

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from graders.faults import fault_point
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, ROOT, grade_id, gradebook_url

NOTEBOOK = "Regularization"
VERDICT_KEY = "regularization_verdict"


def collect(root=ROOT):
    """Per-student records: ``[{"student", "total", "max", "functions": {name: {...}}}]`` sorted by id.

    Scores are the gradebook's (manual grades included), each capped at its maximum; see :func:`final_total`.
    """
    records = []
    with Gradebook(gradebook_url(root)) as gradebook:
        for student in sorted(gradebook.students, key=lambda s: s.id):
            try:
                submission = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student.id)
            except MissingEntry:
                continue
            scores = {g.name[len("test_"):]: (min(g.score, g.max_score), g.max_score) for g in submission.grades}
            verdicts = _verdicts(root, student.id)
            functions = {name: {"score": scores[name][0], "max": scores[name][1], **verdicts.get(name, {})}
                         for name in GRADED_FUNCTIONS if name in scores}
            records.append({"student": student.id, **final_total(submission), "functions": functions})
    return records


def final_total(submission):
    """``{"total", "raw_total", "late_penalty", "max"}`` of a submitted notebook, as ``nbgrader export`` scores it.

    The gradebook's score (manual grades and overrides included) is capped at the maximum, then the late
    penalty is taken off, never below 0: the total an LMS imports is the one nbgrader's own export gives.
    """
    maximum = submission.max_score
    raw = min(submission.score, maximum)
    penalty = submission.late_submission_penalty or 0.0
    return {"total": max(0.0, raw - penalty), "raw_total": raw, "late_penalty": penalty, "max": maximum}


def _verdicts(root, student_id):
    path = os.path.join(root, "autograded", student_id, ASSIGNMENT, NOTEBOOK + ".ipynb")
    if not os.path.exists(path):
        return {}
    verdicts = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if VERDICT_KEY in cell.get("metadata", {}):
            verdicts[grade_id(cell)[len("test_"):]] = dict(cell.metadata[VERDICT_KEY])
    return verdicts


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


def write_csv(records, path):
    """One row per student: id (as text, see :func:`spreadsheet_text`), total (after the late penalty), max, each
    function's score, and the late penalty."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "total", "max", *GRADED_FUNCTIONS, "late_penalty"])
        for r in records:
            writer.writerow([spreadsheet_text(r["student"]), f"{r['total']:g}", f"{r['max']:g}",
                             *[f"{r['functions'].get(name, {}).get('score', 0):g}" for name in GRADED_FUNCTIONS],
                             f"{r['late_penalty']:g}"])


#: Characters XML 1.0 does not allow anywhere in a document, not even as character references.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text):
    """``text`` with each character XML 1.0 forbids written as a Python escape (``\\x1b``, ``\\x00``, ``\\ud800``).

    Error messages quote what a student's code raised, terminal colour codes and NUL bytes included;
    ElementTree would write them as they are, and no XML parser reads the file back.
    """
    return XML_ILLEGAL.sub(lambda match: ascii(match.group())[1:-1], str(text))


def write_junit(record, path):
    """One JUnit test suite for the student, one test case per function; every string made XML-safe."""
    student = xml_text(record["student"])
    suite = ElementTree.Element("testsuite", name=f"regularization.{student}",
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
    ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def write_plot(records, stats, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (totals, rates, mistakes) = plt.subplots(1, 3, figsize=(16, 4.8))
    maximum = max((r["max"] for r in records), default=0)
    totals.hist(stats["totals"], bins=[x - 0.5 for x in range(int(maximum) + 2)], color="#4c72b0", edgecolor="k")
    totals.set(title=f"Total score ({stats['students']} students)", xlabel="points", ylabel="students")
    short = [name.replace("_propagation", "").replace("_with", "") for name in GRADED_FUNCTIONS]
    rates.barh(short, [100 * stats["pass_rate"][name] for name in GRADED_FUNCTIONS], color="#55a868")
    rates.set(title="Pass rate per function", xlabel="% of students", xlim=(0, 100))
    rates.invert_yaxis()
    frequent = stats["most_frequent_diagnoses"] or [("no diagnosed mistake", 0)]
    mistakes.barh([name for name, _ in frequent], [n for _, n in frequent], color="#c44e52")
    mistakes.set(title="Most frequent mistakes", xlabel="students")
    mistakes.invert_yaxis()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_reports(out_dir, root=ROOT):
    """Write every report into ``out_dir``; return the records."""
    records = collect(root)
    stats = summary(records)
    os.makedirs(os.path.join(out_dir, "junit"), exist_ok=True)
    write_csv(records, os.path.join(out_dir, "grades.csv"))
    fault_point("reports")
    with open(os.path.join(out_dir, "report.json"), "w", encoding="utf-8") as handle:
        json.dump({"summary": stats, "students": records}, handle, indent=1, sort_keys=True)
    write_plot(records, stats, os.path.join(out_dir, "grade_distribution.png"))
    for record in records:
        write_junit(record, os.path.join(out_dir, "junit", record["student"] + ".xml"))
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "reports"))
    args = parser.parse_args(argv)
    records = write_reports(args.out)
    print(f"wrote reports for {len(records)} student(s) to {args.out}")


if __name__ == "__main__":
    main()
