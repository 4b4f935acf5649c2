"""Leaves a process of its own, detached with setsid, holding the grader's pipe open and sleeping: grading
must neither wait for it nor let it outlive the run. Correct functions."""
EXTRA_CELLS = [(2, '''
import json, os, sys, time
try:
    with open(os.path.join(os.path.dirname(sys.argv[0]), "job.json")) as handle:
        pipe = json.load(handle)["result_fd"]
except (OSError, ValueError, KeyError):
    pipe = None
if pipe is not None and os.fork() == 0:
    os.setsid()
    kept = os.dup(pipe)
    time.sleep(1000)
    os._exit(0)
''')]
SOLUTIONS = {}
