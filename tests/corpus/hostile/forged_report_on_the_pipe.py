"""Writes its own report on the grader's pipe: a garbage progress step and a record with wrong types, a cell
index of 100000 and JSON nested 100 000 deep. The report is malformed: every function scores 0."""
EXTRA_CELLS = [(2, '''
import json, os, struct, sys
try:
    with open(os.path.join(os.path.dirname(sys.argv[0]), "job.json")) as handle:
        pipe = json.load(handle)["result_fd"]
except (OSError, ValueError, KeyError):
    pipe = None

def send(kind, payload):
    os.write(pipe, kind + struct.pack("<Q", len(payload)) + payload)

def send_record(header):
    send(b"R", struct.pack("<Q", len(header)) + header)

if pipe is not None:
    send(b"P", b"cell x")
    send(b"P", b"call os.system")
    send_record(json.dumps({"record": {"cell_errors": 5, "functions": {}}, "arrays": []}).encode())
    send_record(json.dumps({"record": {"cell_errors": [{"cell": 100000, "error": "x" * 10 ** 6}],
                                       "functions": {"compute_cost_with_regularization": {"defined": True}}},
                            "arrays": [{"key": "a", "dtype": "|O", "shape": [1]}]}).encode())
    send_record(b'{"record": ' + b"[" * 100000 + b"]" * 100000 + b', "arrays": []}')
''')]
SOLUTIONS = {}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0, "backward_propagation_with_regularization": 0,
                   "forward_propagation_with_dropout": 0, "backward_propagation_with_dropout": 0}
