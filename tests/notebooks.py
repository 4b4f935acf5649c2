"""One factory for test notebooks: submissions built from the release and solution sources.

``python -m tests.notebooks`` rewrites the bundled sample submissions under ``submitted/``.
"""
import copy
import os
import re

import nbformat

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, RELEASE_NOTEBOOK, ROOT, grade_id, read_source_notebook

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
SAMPLES = {
    "sample_correct": GRADED_FUNCTIONS,
    "sample_partial": ("compute_cost_with_regularization", "forward_propagation_with_dropout"),
    "sample_untouched": (),
}



def solution_region_lines():
    """Non-trivial lines (more than 8 characters) written inside the solution regions of the source notebook."""
    lines = set()
    for cell in read_source_notebook().cells:
        inside = False
        for line in cell.source.splitlines():
            if SOLUTION_MARKER.match(line):
                inside = "BEGIN" in line
            elif inside and len(line.strip()) > 8:
                lines.add(line.strip())
    return lines

def reference_solutions():
    """Source of each solution cell of the source notebook, solution markers removed."""
    solutions = {}
    for cell in read_source_notebook().cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            lines = [line for line in cell.source.splitlines() if not SOLUTION_MARKER.match(line)]
            solutions[grade_id(cell)] = "\n".join(lines)
    return solutions


def read_release():
    """The student release notebook."""
    return nbformat.read(RELEASE_NOTEBOOK, as_version=4)


def make_submission(solutions, extra_cells=(), release=None):
    """A release notebook with some solution cells filled in.

    Parameters
    ----------
    solutions : dict
        grade_id of a solution cell -> the source a student wrote there.
    extra_cells : iterable of (int, str)
        ``(index, source)`` code cells inserted at that position (a student's own cells).
    release : nbformat.NotebookNode, optional
        Defaults to the current release notebook.

    Returns
    -------
    nbformat.NotebookNode
    """
    notebook = copy.deepcopy(release if release is not None else read_release())
    for cell in notebook.cells:
        if grade_id(cell) in solutions:
            cell.source = solutions[grade_id(cell)]
    for index, source in sorted(extra_cells, reverse=True):
        notebook.cells.insert(index, nbformat.v4.new_code_cell(source))
    return notebook


def write_submission(notebook, course_root, student_id):
    """Write ``notebook`` as ``<course_root>/submitted/<student_id>/regularization/Regularization.ipynb``."""
    folder = os.path.join(course_root, "submitted", student_id, ASSIGNMENT)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "Regularization.ipynb")
    nbformat.write(notebook, path)
    return path


def write_class(course_root, mutants=6):
    """Write the bundled samples and the first ``mutants`` entries of the mutant corpus; return the student ids."""
    from tests.corpus import entry_solutions, load_entries

    write_samples(course_root)
    students = list(SAMPLES)
    solutions = reference_solutions()
    release = read_release()
    for name, entry in list(load_entries("mutants").items())[:mutants]:
        notebook = make_submission(entry_solutions(entry, solutions), release=release)
        write_submission(notebook, course_root, "mutant-" + name)
        students.append("mutant-" + name)
    return students


def declared_scores(students):
    """``{(student, grade cell): score}`` of a class of :func:`tests.notebooks.write_class`, as the samples and the
    mutant corpus declare them (each mutant graded by ``make autograde`` in tests/test_corpora.py)."""
    from graders.notebook import points_by_function
    from tests.corpus import load_entries

    points = points_by_function(read_source_notebook())
    entries = load_entries("mutants")
    scores = {}
    for student in students:
        if student in SAMPLES:
            declared = {name: points[name] if name in SAMPLES[student] else 0 for name in points}
        else:
            declared = {**points, **entries[student[len("mutant-"):]].EXPECTED_SCORES}
        scores.update({(student, f"test_{name}"): declared[name] for name in points})
    return scores


def write_samples(course_root=ROOT):
    """Write the bundled samples: fully correct, partially correct and the untouched release."""
    solutions = reference_solutions()
    for student_id, correct in SAMPLES.items():
        notebook = make_submission({name: solutions[name] for name in correct})
        write_submission(notebook, course_root, student_id)


if __name__ == "__main__":
    write_samples()
