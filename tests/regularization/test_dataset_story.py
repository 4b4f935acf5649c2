"""graders.regularization.dataset_story: `make release` warns, once measured, when a dataset no longer tells the notebook's story."""
import ast
import os

import numpy as np
import pytest
import scipy.io

from graders.regularization import dataset_story
from graders.notebook import grade_id, read_source_notebook
from tests.conftest import copy_course, make

NO, L2, DROPOUT = (dataset_story.run_label(options) for options in dataset_story.RUNS)


def _write_separable(path, seed=0, examples=50):
    """A noise-free, linearly separable dataset with a margin: nothing to overfit, nothing to gain. It has
    ``examples`` training and as many test examples: few, as each of the fixed number of training iterations takes
    the longer the more examples there are."""
    rng = np.random.RandomState(seed)

    def draw(count):
        points = rng.uniform(-0.75, 0.75, (4 * count, 2))
        points = points[np.abs(points[:, 0] - points[:, 1]) > 0.15][:count]
        return points, (points[:, 0] > points[:, 1]).astype(float).reshape(-1, 1)

    X, y = draw(examples)
    Xval, yval = draw(examples)
    scipy.io.savemat(path, {"X": X, "y": y, "Xval": Xval, "yval": yval})


def _never_trains(path):
    raise AssertionError("trained although the measurement was known")


@pytest.mark.parametrize("results, problem", [
    ({NO: (0.95, 0.91), L2: (0.94, 0.93), DROPOUT: (0.94, 0.935)}, None),
    ({NO: (1.0, 1.0), L2: (1.0, 1.0), DROPOUT: (1.0, 0.995)},
     f"{L2} and {DROPOUT} do not raise the test accuracy over {NO} ({NO}: train 1.0000, test 1.0000; "
     f"{L2}: train 1.0000, test 1.0000; {DROPOUT}: train 1.0000, test 0.9950)"),
    ({NO: (0.95, 0.91), L2: (0.94, 0.93), DROPOUT: (0.97, 0.90)},
     f"{DROPOUT} does not raise the test accuracy over {NO} ({NO}: train 0.9500, test 0.9100; "
     f"{L2}: train 0.9400, test 0.9300; {DROPOUT}: train 0.9700, test 0.9000)"),
], ids=["story", "nothing_to_gain", "dropout_loses"])
def test_story_problem(results, problem):
    assert dataset_story.story_problem(results) == problem


def test_the_bundled_dataset_is_measured_by_its_documented_table(monkeypatch, tmp_path):
    monkeypatch.setattr(dataset_story, "measure", _never_trains)
    assert dataset_story.check(cache_dir=str(tmp_path)) is None
    assert os.listdir(tmp_path) == []


def test_the_runs_are_the_notebooks():
    runs = []
    for cell in read_source_notebook().cells:
        if (grade_id(cell) or "").startswith("run_"):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "train_and_measure":
                    runs.append({keyword.arg: ast.literal_eval(keyword.value) for keyword in node.keywords})
    assert runs == list(dataset_story.RUNS)


@pytest.fixture(scope="module")
def separable_release(tmp_path_factory):
    """``(course, what make release printed)``: a course with a separable data.mat, released once (its three models
    trained once, by that release)."""
    course = copy_course(tmp_path_factory.mktemp("course") / "course")
    _write_separable(os.path.join(course, "data", "data.mat"))
    return course, make(course, "release")


def test_make_release_warns_in_one_line_and_goes_on(separable_release):
    separable_course, result = separable_release
    lines = [line for line in result.stderr.splitlines() if "Removing existing assignment" not in line]
    [warning] = lines
    assert warning.startswith("make release: warning: data/data.mat no longer tells the notebook's story: ")
    assert f"{L2} and {DROPOUT} do not raise the test accuracy over {NO} ({NO}: train 1.0000, test 1.0000; " \
        in warning
    assert os.path.exists(os.path.join(separable_course, "release", "regularization", "Regularization.ipynb"))
    [cached] = os.listdir(os.path.join(separable_course, ".cache", "dataset-story"))
    assert cached == dataset_story.content_hash(os.path.join(separable_course, "data", "data.mat")) + ".json"


def test_a_measured_dataset_is_not_trained_again(separable_release, monkeypatch):
    separable_course, _ = separable_release
    monkeypatch.setattr(dataset_story, "measure", _never_trains)
    path = os.path.join(separable_course, "source", "regularization", "datasets", "data.mat")
    warning = dataset_story.check(path, cache_dir=os.path.join(separable_course, ".cache", "dataset-story"),
                                  readme=os.path.join(separable_course, "data", "README.md"))
    assert f"do not raise the test accuracy over {NO} ({NO}: train 1.0000, test 1.0000;" in warning


def test_an_unreadable_dataset_is_named_and_the_release_goes_on(tmp_path):
    path = tmp_path / "data.mat"
    path.write_text("not a matlab file")
    warning = dataset_story.check(str(path), cache_dir=str(tmp_path / "cache"))
    assert warning.startswith("make release: warning: the dataset could not be measured: ")
    assert "data.mat: not a readable .mat file" in warning
