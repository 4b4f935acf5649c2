"""Generate the football-field dataset of the Regularization assignment.

Each example is the position (two coordinates, roughly in [-0.75, 0.75]) where
the goalkeeper's kick came down, labelled 1 when one of our players won the
header (blue) and 0 when the other team did (red). Our players are stronger on
one side of a wavy diagonal; positions near the line are contested, and a few
labels are flipped as recording noise. The file follows the original layout:
a MATLAB v5 .mat file with X (211, 2), y (211, 1), Xval (200, 2), yval (200, 1).

The draw uses a local generator with a fixed seed, and the .mat header carries
a fixed text instead of a timestamp, so every run writes identical bytes.

Usage: ``python data/make_dataset.py [OUTPUT]`` (default: data.mat beside this script).
"""
import argparse
import io
import os

import numpy as np
import scipy.io

SEED = 9
TRAIN_SIZE = 211
TEST_SIZE = 200
FIELD_HALF_WIDTH = 0.75
CONTESTED_WIDTH = 0.12
FLIP_RATE_NEAR_LINE = 0.35
FLIP_RATE_ELSEWHERE = 0.03
HEADER_TEXT = b"MATLAB 5.0 MAT-file, Platform: posix, Created by make_dataset.py (Regularization assignment)"


def boundary_offset(points):
    """Signed distance-like score of each point from the wavy diagonal; positive on our side."""
    x1, x2 = points[:, 0], points[:, 1]
    return x2 - 0.9 * x1 - 0.08 * np.sin(4.0 * x1) + 0.05


def draw_examples(rng, count):
    """``count`` positions and their labels (float 0/1), with noise near the line and a little elsewhere."""
    points = rng.uniform(-FIELD_HALF_WIDTH, FIELD_HALF_WIDTH, size=(count, 2))
    offset = boundary_offset(points)
    labels = (offset > 0).astype(float)
    flip_rate = np.where(np.abs(offset) < CONTESTED_WIDTH, FLIP_RATE_NEAR_LINE, FLIP_RATE_ELSEWHERE)
    flipped = rng.uniform(size=count) < flip_rate
    labels[flipped] = 1 - labels[flipped]
    return points, labels.reshape(-1, 1)


def make_dataset(seed=SEED):
    """The four arrays of the dataset: ``{"X", "y", "Xval", "yval"}``."""
    rng = np.random.RandomState(seed)
    train_X, train_y = draw_examples(rng, TRAIN_SIZE)
    test_X, test_y = draw_examples(rng, TEST_SIZE)
    return {"X": train_X, "y": train_y, "Xval": test_X, "yval": test_y}


def mat_bytes(arrays):
    """MATLAB v5 bytes of ``arrays`` with a fixed 116-byte header text (no creation date)."""
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, arrays, format="5", oned_as="column")
    content = bytearray(buffer.getvalue())
    content[:116] = HEADER_TEXT.ljust(116, b" ")
    return bytes(content)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                  "data.mat"))
    args = parser.parse_args(argv)
    with open(args.output, "wb") as handle:
        handle.write(mat_bytes(make_dataset()))


if __name__ == "__main__":
    main()
