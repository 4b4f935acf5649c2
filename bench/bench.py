"""Benchmark: this project's ``make autograde`` against stock sequential ``nbgrader autograde``.

Ours: for each N (``--sizes``), a fresh course holds the N submissions of a class (the mix of
``bench/mix.py``: correct, partial, untouched, syntax error, raises and every mutant, in turn), graded cold by
``make autograde``; its time per submission is its wall time over N, with its phase times (intake, sandbox,
recording, reports) from the line the run ends with.

Stock: a stratified sample of the smallest class (``--stock-sample``, default one submission of every kind;
each kind in proportion to its count) is graded by stock nbgrader (hidden tests executed in the student's
kernel) twice: as submitted, and like-for-like, with the training cells (grade id ``run_...``, which ours
never runs) deleted from the submitted notebooks. Its time per submission at N is estimated from the
sample: nbgrader's start-up over N plus, for each kind, its mean time in the sample (the sample's mean for a
kind left out) weighted by the kind's share of the class of N.

Floor: bubblewrap, Python, numpy and the four reference functions on every case (``bench/floor.py``), per core
and per machine (per core / cores); ours is compared with the floor per machine.

Memory: the peak of the resident memory of the whole process tree, summed (``bench/load.py``'s sampler),
sandboxed processes and kernels included.

Verdicts: the sampled students are graded on both sides at every N; their per-function scores in the two stock
gradebooks must equal ours. A difference ends the bench with status 1, naming the student.

The figures are also written as JSON (``--json``).

Usage: ``python bench/bench.py [--sizes 100 1000] [--stock-sample K] [--json reports/bench.json]``
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.dirname(os.path.abspath(__file__))]

from floor import measure_floor  # noqa: E402
from measure import VENV, compare_verdicts, gradebook_scores, new_course, run_ours, run_stock  # noqa: E402
from mix import (composition, describe_composition, kind_counts, student_id, student_index,  # noqa: E402
                 stratified_sample, submission_mix, write_students, write_submissions)
from tests.notebooks import read_release  # noqa: E402

# bench/load.py imports write_submissions from here, bench/hostile.py VENV, new_course and scores.
__all__ = ["VENV", "new_course", "scores", "write_submissions", "main"]
scores = gradebook_scores

MB = 1e6
STOCK_SIDES = {"as_submitted": False, "like_for_like": True}  # side: whether training cells are deleted
SIDE_NAMES = {"as_submitted": "stock as submitted", "like_for_like": "stock like-for-like (training cells deleted)"}


def parse_args(argv):
    """The command line's options (see ``--help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="class sizes N")
    parser.add_argument("--stock-sample", type=int, default=None,
                        help="submissions graded by stock nbgrader (default: one of every kind of the mix)")
    parser.add_argument("--floor-runs", type=int, default=15, help="timed runs of the floor")
    parser.add_argument("--json", default=os.path.join(ROOT, "reports", "bench.json"), help="where the figures go")
    return parser.parse_args(argv)


def draw_sample(size, population, mix):
    """The sampled students' indices and the sample's description (``size``, ``population``, ``composition``)."""
    size = min(size or len(mix), population)
    indices = stratified_sample(population, size, len(mix))
    return indices, {"size": size, "population": population, "composition": composition(indices, mix),
                     "students": {student_id(i): mix[i % len(mix)][0] for i in indices}}


def run_stock_sides(parent, indices, release, mix):
    """Both stock runs on the sample: ``{side: run}`` (see :func:`measure.run_stock`), each with ``scores``."""
    sides = {}
    for side, without_training in STOCK_SIDES.items():
        course = new_course(parent, side)
        students = write_students(course, indices, release, mix, without_training)
        print(f"{SIDE_NAMES[side]}: grading {len(students)} submissions ...", flush=True)
        sides[side] = run_stock(course, without_training)
        sides[side]["scores"] = gradebook_scores(course, students)
        shutil.rmtree(course, ignore_errors=True)
    return sides


def stock_per_submission(run, count, mix):
    """Stock seconds per submission in a class of ``count``, estimated from the sampled run (see module doc)."""
    by_kind = {}
    for student, seconds in run["seconds"].items():
        by_kind.setdefault(student_index(student) % len(mix), []).append(seconds)
    overall = sum(run["seconds"].values()) / len(run["seconds"])
    means = {kind: sum(values) / len(values) for kind, values in by_kind.items()}
    members = kind_counts(count, len(mix))
    total = sum(members[kind] * means.get(kind, overall) for kind in range(len(mix)))
    return (run["startup"] + total) / count


def measure_size(parent, count, release, sample, stock, floor, mix):
    """Grade a class of ``count`` with ``make autograde`` and set its figures against stock and the floor."""
    course = new_course(parent, f"ours-{count}")
    students = write_submissions(course, count, release)
    print(f"ours: grading {count} submissions ...", flush=True)
    ours = run_ours(course, students)
    our_scores = gradebook_scores(course, [student for student in sample["students"] if student in students])
    shutil.rmtree(course, ignore_errors=True)
    per = ours["wall"] / count
    outside = ours["wall"] - sum(ours["phases"].values())
    figures = {"n": count, "ours": {"wall": ours["wall"], "per_submission": per, "phases": ours["phases"],
                                    "outside_phases": outside, "peak_mb": ours["peak_bytes"] / MB},
               "ours_over_floor_per_machine": per / floor["per_machine"], "stock": {}}
    for side, run in stock.items():
        stock_per = stock_per_submission(run, count, mix)
        identical, different = compare_verdicts(run["scores"], our_scores)
        figures["stock"][side] = {"per_submission": stock_per, "speed_up": stock_per / per,
                                  "peak_mb": run["peak_bytes"] / MB, "identical": identical,
                                  "different": {s: {"stock": a, "ours": b} for s, (a, b) in different.items()}}
    return figures


def print_preamble(floor, sample, stock, mix):
    """The lines on the floor, the stock sample and its runs, printed before the tables."""
    print(f"\nfloor (bwrap + python + numpy + the 4 reference functions on all {floor['calls']} cases, sandbox "
          f"command of graders.sandbox, median of {len(floor['runs'])} runs): {floor['per_core'] * 1000:.0f} ms "
          f"per core, {floor['per_machine'] * 1000:.0f} ms per machine ({floor['cores']} cores)")
    print(f"stock sample: {sample['size']} of the {sample['population']} submissions of N={sample['population']}, "
          f"stratified by kind (each in proportion to its count), the same students at every N: "
          f"{describe_composition(sample['composition'], mix)}")
    for side, run in stock.items():
        graded = len(run["seconds"])
        print(f"{SIDE_NAMES[side]}: {graded} submissions in {run['wall']:.1f} s (start-up {run['startup']:.1f} s, "
              f"{(run['wall'] - run['startup']) / graded:.2f} s each), peak {run['peak_bytes'] / MB:.0f} MB")
    missing = len(mix) - len(sample["composition"])
    print("stock s/submission at N: start-up / N + each kind's mean in the sample weighted by its share at N"
          + (f" (the sample's mean for the {missing} kinds not sampled)" if missing else ""))


def print_table(figures, floor):
    """One table for one N."""
    ours, stock, lfl = figures["ours"], figures["stock"]["as_submitted"], figures["stock"]["like_for_like"]
    print(f"\nN = {figures['n']}")
    print("|  | ours | stock (sampled) | stock like-for-like |")
    print("|---|---|---|---|")
    print(f"| s/submission | {ours['per_submission']:.3f} | {stock['per_submission']:.3f} | "
          f"{lfl['per_submission']:.3f} |")
    print(f"| speed-up of ours |  | {stock['speed_up']:.1f}x | {lfl['speed_up']:.1f}x |")
    print(f"| ours / floor per machine ({floor['per_machine'] * 1000:.0f} ms) | "
          f"{figures['ours_over_floor_per_machine']:.1f}x |  |  |")
    print(f"| peak MB, process tree | {ours['peak_mb']:.0f} | {stock['peak_mb']:.0f} | {lfl['peak_mb']:.0f} |")
    print(f"| verdicts against ours |  | {_verdicts(stock)} | {_verdicts(lfl)} |")
    phases = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in ours["phases"].items())
    print(f"ours: {figures['n']} submissions in {ours['wall']:.1f} s; phases: {phases}; outside them (make and "
          f"the interpreter starting and exiting) {ours['outside_phases']:.2f} s", flush=True)


def _verdicts(side):
    """The verdict counts of one stock side, as a table cell."""
    return f"{side['identical']} identical, {len(side['different'])} different"


def report_differences(figures, mix):
    """Print one line per student whose verdicts differ; return how many lines."""
    lines = 0
    for side, result in figures["stock"].items():
        for student, both in result["different"].items():
            kind = mix[student_index(student) % len(mix)][0]
            print(f"bench: N={figures['n']}: {student} ({kind}): {SIDE_NAMES[side]} scores {both['stock']}, "
                  f"ours {both['ours']}", file=sys.stderr)
            lines += 1
    return lines


def write_json(path, results):
    """Write ``results`` to ``path`` (its folder created)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, sort_keys=True)


def main(argv=None):
    args = parse_args(argv)
    mix, release = submission_mix(), read_release()
    indices, sample = draw_sample(args.stock_sample, min(args.sizes), mix)
    parent = tempfile.mkdtemp(prefix="bench-")
    results = {"cores": os.cpu_count(), "sample": sample, "sizes": []}
    try:
        results["floor"] = floor = measure_floor(args.floor_runs)
        stock = run_stock_sides(parent, indices, release, mix)
        results["stock"] = {side: {"wall": run["wall"], "startup": run["startup"], "seconds": run["seconds"],
                                   "peak_mb": run["peak_bytes"] / MB} for side, run in stock.items()}
        print_preamble(floor, sample, stock, mix)
        for count in args.sizes:
            figures = measure_size(parent, count, release, sample, stock, floor, mix)
            results["sizes"].append(figures)
            print_table(figures, floor)
            write_json(args.json, results)
            if report_differences(figures, mix):
                raise SystemExit(f"bench: verdicts differ between stock nbgrader and ours at N={count} "
                                 f"(students above; figures in {args.json})")
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
