"""Tries to give itself and others marks by rewriting the gradebook database, with stub functions."""
EXTRA_CELLS = [(2, '''
import glob, sqlite3
for path in glob.glob("/work/**/gradebook.db", recursive=True) + glob.glob("../../gradebook.db") + glob.glob("/tmp/**/gradebook.db", recursive=True):
    try:
        db = sqlite3.connect(path)
        db.execute("UPDATE grade SET auto_score = 0")
        db.execute("UPDATE grade SET manual_score = 100")
        db.commit()
    except Exception as error:
        print("blocked:", error)
''')]
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    raise NotImplementedError()
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
