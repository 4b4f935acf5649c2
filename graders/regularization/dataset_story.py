"""Whether the dataset the release ships still tells the notebook's story: regularization raises test accuracy.

``make release`` runs this last. It trains the notebook's three models (its ``model``, seeds and
hyper-parameters, with the reference solution) on the dataset beside the source notebook and, when L2
regularization or dropout does not reach a higher test accuracy than the model without regularization,
prints one warning line on stderr naming the measured accuracies. It never stops the release (exit status 0).

Training takes a few seconds, so a measurement is kept under ``.cache/dataset-story/``, named by the dataset's
content hash: a release with an unchanged dataset trains nothing. The bundled dataset's measurement is the table
of ``data/README.md``, which names the file's hash (``tests/test_dataset.py`` checks that table against a fresh
training), so a fresh copy of the course does not train either.

Usage: ``python -m graders.regularization.dataset_story [--dataset PATH]``
"""
import argparse
import hashlib
import json
import os
import re
import sys

from graders.notebook import ROOT, SOURCE_DIR

DATASET = os.path.join(SOURCE_DIR, "datasets", "data.mat")
DATA_README = os.path.join(ROOT, "data", "README.md")
CACHE_DIR = os.path.join(ROOT, ".cache", "dataset-story")
# The notebook's three training runs, in its order (the first is the baseline).
RUNS = ({}, {"lambd": 0.7}, {"keep_prob": 0.86})


def run_label(options):
    """The model's name, as the notebook prints it (``reg_utils.describe_model``)."""
    return _reg_utils().describe_model(options.get("lambd", 0), options.get("keep_prob", 1))


def _reg_utils():
    if SOURCE_DIR not in sys.path:
        sys.path.insert(0, SOURCE_DIR)
    import reg_utils

    return reg_utils


def measure(path):
    """Train the three models on the dataset at ``path``: ``{label: (train accuracy, test accuracy)}``."""
    from graders.reference import reference_namespace

    reference = reference_namespace()
    train_X, train_Y, test_X, test_Y = reference["load_2D_dataset"](path)
    results = {}
    for options in RUNS:
        parameters = reference["model"](train_X, train_Y, print_cost=False, **options)
        results[run_label(options)] = (reference["accuracy"](parameters, train_X, train_Y),
                                       reference["accuracy"](parameters, test_X, test_Y))
    return results


def content_hash(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def documented(readme=DATA_README):
    """``(sha256, {label: (train, test)})`` that data/README.md documents for the bundled dataset, or None."""
    try:
        with open(readme, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return None
    digest = re.search(r"sha256 `([0-9a-f]{64})`", text)
    table = {}
    for options in RUNS:
        label = run_label(options)
        row = re.search(rf"^\| {re.escape(label)} \| ([0-9.]+) \| ([0-9.]+) \|", text, re.M)
        if row:
            table[label] = (float(row.group(1)), float(row.group(2)))
    return (digest.group(1), table) if digest and len(table) == len(RUNS) else None


def measured(path, cache_dir=CACHE_DIR, readme=DATA_README):
    """The accuracies of the three models on ``path``: documented, cached, or trained now (and cached)."""
    digest = content_hash(path)
    known = documented(readme)
    if known is not None and known[0] == digest:
        return known[1]
    cache = os.path.join(cache_dir, digest + ".json")
    labels = [run_label(options) for options in RUNS]
    try:
        with open(cache, encoding="utf-8") as handle:
            stored = json.load(handle)
        if stored.get("runs") == list(RUNS) and list(stored["accuracy"]) == labels:
            return {label: tuple(value) for label, value in stored["accuracy"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    results = measure(path)
    os.makedirs(cache_dir, exist_ok=True)
    temporary = f"{cache}.{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({"runs": list(RUNS), "accuracy": results}, handle, ensure_ascii=False)
    os.replace(temporary, cache)
    return results


def story_problem(results):
    """One sentence saying which regularized model does not raise the test accuracy, or None."""
    labels = list(results)
    baseline = results[labels[0]][1]
    failing = [label for label in labels[1:] if not results[label][1] > baseline]
    if not failing:
        return None
    accuracies = "; ".join(f"{label}: train {train:.4f}, test {test:.4f}" for label, (train, test) in results.items())
    return (f"{' and '.join(failing)} {'does' if len(failing) == 1 else 'do'} not raise the test accuracy over "
            f"{labels[0]} ({accuracies})")


def check(path=DATASET, cache_dir=CACHE_DIR, readme=DATA_README):
    """The warning line for the dataset at ``path``, or None when it tells the story."""
    shown = os.path.relpath(os.path.realpath(path), ROOT)
    try:
        problem = story_problem(measured(path, cache_dir, readme))
    except ValueError as error:  # load_2D_dataset names the file and what is wrong with it
        return f"make release: warning: the dataset could not be measured: {error}"
    if problem is None:
        return None
    return (f"make release: warning: {shown} no longer tells the notebook's story: {problem}; its text about "
            "overfitting and regularization will not match what students see")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=DATASET, help="the .mat file (default: the one the release ships)")
    args = parser.parse_args(argv)
    warning = check(args.dataset)
    if warning is not None:
        print(warning, file=sys.stderr)


if __name__ == "__main__":
    main()
