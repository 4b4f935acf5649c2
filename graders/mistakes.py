"""The catalogue of classic mistakes, each one a small rewrite of the reference solution.

``make expected`` applies every rewrite to the reference source, runs the
mistaken function on every case and stores its outputs beside the expected
ones. A failing student output that equals a mistake's output (by the same
checks that grade it) is diagnosed with that mistake's message.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """One classic mistake.

    Attributes
    ----------
    mistake_id : str
    function : str
        The graded function it belongs to.
    property : str or None
        The property of :mod:`graders.diagnosis` its outputs show (None when none of them describes it):
        a diagnosis from properties that names another one is not shown beside this mistake.
    message : str
        One sentence for the student: what the code most likely does wrong.
    rewrites : tuple of (str, str)
        Replacements applied to the reference source; each must match.
    """

    mistake_id: str
    function: str
    property: str | None
    message: str
    rewrites: tuple


COST = "compute_cost_with_regularization"
L2_BACKWARD = "backward_propagation_with_regularization"
DROPOUT_FORWARD = "forward_propagation_with_dropout"
DROPOUT_BACKWARD = "backward_propagation_with_dropout"
SUM_OF_SQUARES = ("(np.sum(np.square(W1)) + np.sum(np.square(W2))\n"
                  "                                                + np.sum(np.square(W3)))")

MISTAKES = (
    Mistake("cost_lambda_over_m", COST, "penalty_factor",
            "the penalty uses lambd / m instead of lambd / (2 * m)",
            (("lambd / (2 * m)", "lambd / m"),)),
    Mistake("cost_missing_one_over_m", COST, "penalty_factor",
            "the penalty is missing the 1/m factor (lambd / 2 instead of lambd / (2 * m))",
            (("lambd / (2 * m)", "lambd / 2"),)),
    Mistake("cost_includes_biases", COST, "penalty_on_bias",
            "the penalty also sums the squared biases b1, b2, b3; only the weights are penalised",
            ((SUM_OF_SQUARES, SUM_OF_SQUARES[:-1] + " + np.sum(np.square(parameters['b1'])) + "
              "np.sum(np.square(parameters['b2'])) + np.sum(np.square(parameters['b3'])))"),)),
    Mistake("cost_missing_W3", COST, "penalty_missing_layer",
            "the penalty leaves out W3; it must sum over W1, W2 and W3",
            (("\n                                                + np.sum(np.square(W3))", ""),)),
    Mistake("cost_missing_W1", COST, "penalty_missing_layer",
            "the penalty leaves out W1; it must sum over W1, W2 and W3",
            (("np.sum(np.square(W1)) + ", ""),)),
    Mistake("cost_wrong_sign", COST, "penalty_sign",
            "the penalty is subtracted from the cross-entropy instead of added",
            (("cross_entropy_cost + L2_regularization_cost", "cross_entropy_cost - L2_regularization_cost"),)),
    Mistake("cost_no_penalty", COST, "penalty_missing",
            "the result is the plain cross-entropy: the L2 penalty is missing",
            (("cross_entropy_cost + L2_regularization_cost", "cross_entropy_cost"),)),
    Mistake("cost_weights_not_squared", COST, None,
            "the penalty sums the weights (or their absolute values) instead of their squares",
            (("np.square", "np.abs"),)),
    Mistake("cost_norm_not_squared", COST, None,
            "the penalty uses the norm of each weight matrix, not its square (np.linalg.norm(W) must be squared)",
            tuple((f"np.sum(np.square({W}))", f"np.linalg.norm({W})") for W in ("W1", "W2", "W3"))),
    Mistake("cost_penalty_only", COST, "cross_entropy_wrong",
            "the result is the L2 penalty alone: add the cross-entropy from compute_cost(A3, Y)",
            (("cross_entropy_cost + L2_regularization_cost", "L2_regularization_cost"),)),
    Mistake("l2grad_lambda_over_2m", L2_BACKWARD, "penalty_factor",
            "the weight gradients add lambd / (2 * m) * W; the derivative of the penalty is lambd / m * W",
            (("lambd / m", "lambd / (2 * m)"),)),
    Mistake("l2grad_missing_one_over_m", L2_BACKWARD, "penalty_factor",
            "the weight gradients add lambd * W; the 1/m factor is missing",
            (("lambd / m * ", "lambd * "),)),
    Mistake("l2grad_wrong_sign", L2_BACKWARD, "penalty_sign",
            "the weight gradients subtract lambd / m * W instead of adding it",
            (("+ lambd / m", "- lambd / m"),)),
    Mistake("l2grad_no_term", L2_BACKWARD, "penalty_missing",
            "the gradients are those of the unregularized network: add lambd / m * W to dW1, dW2 and dW3",
            (("+ lambd / m * W3", ""), ("+ lambd / m * W2", ""),
             ("+ lambd / m * W1", ""))),
    Mistake("l2grad_missing_dW1", L2_BACKWARD, "penalty_missing",
            "dW1 lacks the regularization term lambd / m * W1",
            (("+ lambd / m * W1", ""),)),
    Mistake("l2grad_missing_dW3", L2_BACKWARD, "penalty_missing",
            "dW3 lacks the regularization term lambd / m * W3",
            (("+ lambd / m * W3", ""),)),
    Mistake("l2grad_added_to_db", L2_BACKWARD, "penalty_on_bias",
            "the regularization term is also added to the bias gradients; db must stay unchanged",
            (("db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)",
              "db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True) + lambd / m * b3"),
             ("db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)",
              "db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True) + lambd / m * b2"),
             ("db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)",
              "db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True) + lambd / m * b1"))),
    Mistake("l2grad_squared_weights", L2_BACKWARD, "penalty_wrong_weights",
            "the weight gradients add lambd / m * W**2; the derivative of W**2 / 2 is W",
            (("lambd / m * W3", "lambd / m * W3 ** 2"),
            ("lambd / m * W2", "lambd / m * W2 ** 2"),
            ("lambd / m * W1", "lambd / m * W1 ** 2"))),
    Mistake("dropout_no_scaling", DROPOUT_FORWARD, "scaling_missing",
            "the kept activations are not divided by keep_prob (inverted dropout scales them by 1 / keep_prob)",
            (("A1 = A1 / keep_prob", ""),
            ("A2 = A2 / keep_prob", ""))),
    Mistake("dropout_divide_by_drop_prob", DROPOUT_FORWARD, None,
            "the activations are divided by 1 - keep_prob; divide by keep_prob",
            (("A1 / keep_prob", "A1 / (1 - keep_prob)"),
             ("A2 / keep_prob", "A2 / (1 - keep_prob)"))),
    Mistake("dropout_multiply_by_keep_prob", DROPOUT_FORWARD, "scaling_inverted",
            "the activations are multiplied by keep_prob; divide by it",
            (("A1 / keep_prob", "A1 * keep_prob"), ("A2 / keep_prob", "A2 * keep_prob"))),
    Mistake("dropout_mask_greater", DROPOUT_FORWARD, "mask_comparison_flipped",
            "the masks keep a unit when the random number is above keep_prob; keep it when it is below (rand < "
            "keep_prob)",
            ((") < keep_prob", ") > keep_prob"),)),
    Mistake("dropout_randn", DROPOUT_FORWARD, "wrong_distribution",
            "the masks are drawn with np.random.randn (normal); use np.random.rand (uniform on [0, 1))",
            (("np.random.rand(", "np.random.randn("),)),
    Mistake("dropout_masks_swapped_order", DROPOUT_FORWARD, None,
            "the masks are drawn in the wrong order: draw D1 first, then D2",
            (("    A1 = relu(Z1)\n",
              "    A1 = relu(Z1)\n    D2_first = np.random.rand(W2.shape[0], A1.shape[1])\n"),
             ("D2 = np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob",
              "D2 = D2_first < keep_prob"))),
    Mistake("dropout_on_input", DROPOUT_FORWARD, None,
            "dropout is also applied to the input X; only the hidden layers A1 and A2 are dropped",
            (("    Z1 = np.dot(W1, X) + b1",
              "    X = X * (np.random.rand(*X.shape) < keep_prob) / keep_prob\n"
              "    Z1 = np.dot(W1, X) + b1"),)),
    Mistake("dropout_on_output", DROPOUT_FORWARD, None,
            "dropout is also applied to the output A3; the output layer must be left untouched",
            (("    A3 = sigmoid(Z3)\n",
              "    A3 = sigmoid(Z3)\n"
              "    A3 = A3 * (np.random.rand(*A3.shape) < keep_prob) / keep_prob\n"),)),
    Mistake("dropout_only_first_layer", DROPOUT_FORWARD, "mask_not_applied",
            "dropout is applied to A1 only; A2 must be dropped too",
            (("    A2 = A2 * D2\n    A2 = A2 / keep_prob\n", ""),)),
    Mistake("dropout_backward_no_scaling", DROPOUT_BACKWARD, "scaling_missing",
            "dA1 and dA2 are masked but not divided by keep_prob",
            (("dA2 = dA2 / keep_prob", ""), ("dA1 = dA1 / keep_prob", ""))),
    Mistake("dropout_backward_divide_by_drop_prob", DROPOUT_BACKWARD, None,
            "dA1 and dA2 are divided by 1 - keep_prob; divide by keep_prob",
            (("dA2 / keep_prob", "dA2 / (1 - keep_prob)"),
             ("dA1 / keep_prob", "dA1 / (1 - keep_prob)"))),
    Mistake("dropout_backward_no_mask", DROPOUT_BACKWARD, "mask_not_applied",
            "the masks D1 and D2 from the cache are not applied to dA1 and dA2",
            (("dA2 = dA2 * D2", ""), ("dA1 = dA1 * D1", ""))),
    Mistake("dropout_backward_new_masks", DROPOUT_BACKWARD, "fresh_draws",
            "new masks are drawn in the backward pass; reuse D1 and D2 from the cache",
            (("dA2 = dA2 * D2",
              "dA2 = dA2 * (np.random.rand(*dA2.shape) < keep_prob)"),
             ("dA1 = dA1 * D1",
              "dA1 = dA1 * (np.random.rand(*dA1.shape) < keep_prob)"))),
    Mistake("dropout_backward_swapped_masks", DROPOUT_BACKWARD, "wrong_layer_mask",
            "each mask is applied to the wrong layer: D2 goes with dA2 and D1 with dA1",
            (("dA2 = dA2 * D2", "dA2 = dA2 * D1"),
             ("dA1 = dA1 * D1", "dA1 = dA1 * D2"))),
    Mistake("dropout_backward_only_dA2", DROPOUT_BACKWARD, "mask_not_applied",
            "only dA2 is masked and scaled; dA1 needs D1 and keep_prob too",
            (("    dA1 = dA1 * D1\n    dA1 = dA1 / keep_prob\n", ""),)),
    Mistake("dropout_backward_masked_dZ", DROPOUT_BACKWARD, "wrong_order",
            "the mask and scaling are applied after dZ is computed; apply them to dA2 and dA1 themselves",
            (("    dA2 = dA2 * D2\n    dA2 = dA2 / keep_prob\n", ""),
             ("    dZ2 = np.multiply(dA2, np.int64(A2 > 0))\n",
              "    dZ2 = np.multiply(dA2, np.int64(A2 > 0)) * D2 / keep_prob\n"),
             ("    dA1 = dA1 * D1\n    dA1 = dA1 / keep_prob\n", ""),
             ("    dZ1 = np.multiply(dA1, np.int64(A1 > 0))\n",
              "    dZ1 = np.multiply(dA1, np.int64(A1 > 0)) * D1 / keep_prob\n"))),
)


def apply_rewrites(source, mistake):
    """The reference source with the mistake's rewrites applied; raises if one does not match."""
    for old, new in mistake.rewrites:
        if old not in source:
            raise ValueError(f"mistake {mistake.mistake_id}: {old!r} is not in the reference source")
        source = source.replace(old, new)
    return source
