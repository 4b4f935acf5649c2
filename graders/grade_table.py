"""Print the grade table of the gradebook: one row per student, one column per graded function."""
import argparse

from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, ROOT

NOTEBOOK = "Regularization"


def grade_rows(db_url):
    """``[(student_id, {function: score}, total, max_score)]`` sorted by student id."""
    rows = []
    with Gradebook(db_url) as gradebook:
        for student in sorted(gradebook.students, key=lambda s: s.id):
            try:
                notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student.id)
            except Exception:
                continue
            scores = {grade.name[len("test_"):]: grade.score for grade in notebook.grades}
            rows.append((student.id, scores, notebook.score, notebook.max_score))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=f"sqlite:///{ROOT}/gradebook.db")
    args = parser.parse_args(argv)
    rows = grade_rows(args.db)
    width = max([len("student")] + [len(row[0]) for row in rows])
    short = [name.replace("_propagation", "_prop").replace("_with_", "_") for name in GRADED_FUNCTIONS]
    print(f"{'student':<{width}}  " + "  ".join(short) + "  total")
    for student_id, scores, total, max_score in rows:
        cells = [f"{scores.get(name, 0):>{len(label)}g}" for name, label in zip(GRADED_FUNCTIONS, short)]
        print(f"{student_id:<{width}}  " + "  ".join(cells) + f"  {total:g}/{max_score:g}")


if __name__ == "__main__":
    main()
