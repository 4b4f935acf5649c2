"""The graders of the Regularization assignment: what the engine reads of it (see :mod:`graders.assignment`).

Nothing in this package is given to students except what ``make release`` bundles for the public case (the
checks and the catalogue's messages): the case table (:mod:`.cases`), the judges (:mod:`.checks`), the catalogue
of classic mistakes (:mod:`.mistakes`), the diagnosis from properties (:mod:`.diagnosis`), the numerical
gradient check (:mod:`.gradient_check`), the dataset's story told after a release (:mod:`.dataset_story`) and
the expected arrays generated from the reference solution (``expected/``).
"""
from graders.regularization.cases import CASES, case_arguments
from graders.regularization.checks import CHECK_NAMES, JUDGES, random_draw_failure
from graders.regularization.diagnosis import PROPERTIES, diagnose_cases
from graders.regularization.gradient_check import numerical_gradients
from graders.regularization.mistakes import MISTAKES

# Called by the gradient check with the reference solution, which the release does not hold: the release's
# public check reads their result on the public case from public_case.npz.
RELEASE_PRECOMPUTED = (numerical_gradients,)


def after_release(root):
    """After ``make release``: warn when a dropped-in dataset no longer tells the notebook's story."""
    from graders.regularization.dataset_story import main

    main([])
