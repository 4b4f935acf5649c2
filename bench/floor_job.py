"""The floor's job, run inside the sandbox by ``bench/floor.py``: the four reference functions on every case.

Reads ``job.json`` (the functions' sources and the argument specs of their cases) and ``arguments.npz`` from
its own folder, defines the functions on top of the helper module of the working folder, calls each on every
case and prints the number of calls, nothing else.
"""
import json
import os
import sys

import numpy as np

from plain import unflatten


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "job.json"), encoding="utf-8") as handle:
        job = json.load(handle)
    with np.load(os.path.join(here, "arguments.npz"), allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    sys.path.insert(0, os.getcwd())
    import reg_utils

    namespace = {**vars(reg_utils), "np": np}
    calls = 0
    for name, source in job["functions"].items():
        exec(compile(source, name, "exec"), namespace)
        for spec in job["cases"][name].values():
            namespace[name](*unflatten(arrays, spec))
            calls += 1
    print(calls)


if __name__ == "__main__":
    main()
