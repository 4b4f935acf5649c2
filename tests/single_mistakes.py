"""Single-place mistakes, each a rewrite of one reference function, and the diagnosis each must get.

- ``SINGLE_MISTAKES``: one mistake written in one place (one line, or one layer's block); the diagnosis must
  name its property and the keys where it starts;
- ``NEAR_MISSES``: wrong answers for which no single property is the right answer (two mistakes in different
  places, noise, a mistake no property describes, one that shows in some cases only); no diagnosis.

Rewrites are ``(old, new)`` replacements of the reference source, applied like the catalogue's
(:func:`graders.mistakes.apply_rewrites`): each ``old`` must occur in the solution cell.
"""
from dataclasses import dataclass

COST = "compute_cost_with_regularization"
L2_BACKWARD = "backward_propagation_with_regularization"
DROPOUT_FORWARD = "forward_propagation_with_dropout"
DROPOUT_BACKWARD = "backward_propagation_with_dropout"
PENALTY = "lambd / (2 * m)"
D1_DRAW = "D1 = np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob"
D2_DRAW = "D2 = np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob"
D1_BLOCK = "    dA1 = dA1 * D1\n    dA1 = dA1 / keep_prob\n"
D2_BLOCK = "    dA2 = dA2 * D2\n    dA2 = dA2 / keep_prob\n"
CROSS_ENTROPY = "compute_cost(A3, Y)"


@dataclass(frozen=True)
class SingleMistake:
    """A rewritten reference function and the diagnosis it must get (property None: no diagnosis)."""

    name: str
    function: str
    property: str | None
    origin: tuple
    rewrites: tuple


def near_miss(name, function, rewrites):
    """A rewritten reference function that must get no diagnosis."""
    return SingleMistake(name, function, None, (), rewrites)


SINGLE_MISTAKES = (
    # compute_cost_with_regularization
    SingleMistake("cost_precedence", COST, "penalty_factor", ("cost",),
                  ((PENALTY, "lambd / 2 * m"),)),
    SingleMistake("cost_quarter", COST, "penalty_factor", ("cost",),
                  ((PENALTY, "lambd / (4 * m)"),)),
    SingleMistake("cost_without_lambd", COST, "penalty_factor", ("cost",),
                  ((PENALTY, "1 / (2 * m)"),)),
    SingleMistake("cost_zero_penalty", COST, "penalty_missing", ("cost",),
                  (("L2_regularization_cost = lambd", "L2_regularization_cost = 0 * lambd"),)),
    SingleMistake("cost_negated_penalty", COST, "penalty_sign", ("cost",),
                  (("L2_regularization_cost = lambd", "L2_regularization_cost = -lambd"),)),
    SingleMistake("cost_without_W2", COST, "penalty_missing_layer", ("cost",),
                  ((" + np.sum(np.square(W2))", ""),)),
    SingleMistake("cost_with_b2", COST, "penalty_on_bias", ("cost",),
                  (("np.sum(np.square(W2))", "np.sum(np.square(W2)) + np.sum(np.square(parameters['b2']))"),)),
    SingleMistake("cost_cross_entropy_sum", COST, "cross_entropy_wrong", ("cost",),
                  ((CROSS_ENTROPY, "-np.sum(Y * np.log(A3) + (1 - Y) * np.log(1 - A3))"),)),
    SingleMistake("cost_cross_entropy_sign", COST, "cross_entropy_wrong", ("cost",),
                  ((CROSS_ENTROPY, "np.mean(Y * np.log(A3) + (1 - Y) * np.log(1 - A3))"),)),
    SingleMistake("cost_cross_entropy_one_term", COST, "cross_entropy_wrong", ("cost",),
                  ((CROSS_ENTROPY, "-np.mean(Y * np.log(A3))"),)),
    # backward_propagation_with_regularization
    SingleMistake("l2_dW2_half_penalty", L2_BACKWARD, "penalty_factor", ("dW2",),
                  (("lambd / m * W2", "lambd / (2 * m) * W2"),)),
    SingleMistake("l2_dW1_lambd_only", L2_BACKWARD, "penalty_factor", ("dW1",),
                  (("lambd / m * W1", "lambd * W1"),)),
    SingleMistake("l2_dW3_without_lambd", L2_BACKWARD, "penalty_factor", ("dW3",),
                  (("lambd / m * W3", "1 / m * W3"),)),
    SingleMistake("l2_dW2_no_penalty", L2_BACKWARD, "penalty_missing", ("dW2",),
                  ((" + lambd / m * W2", ""),)),
    SingleMistake("l2_dW3_subtracted", L2_BACKWARD, "penalty_sign", ("dW3",),
                  (("+ lambd / m * W3", "- lambd / m * W3"),)),
    SingleMistake("l2_db2_penalised", L2_BACKWARD, "penalty_on_bias", ("db2",),
                  (("db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)",
                    "db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True) + lambd / m * b2"),)),
    SingleMistake("l2_dW3_transposed_weights", L2_BACKWARD, "penalty_wrong_weights", ("dW3",),
                  (("lambd / m * W3", "lambd / m * W3.T"),)),
    SingleMistake("l2_dW1_squared_weights", L2_BACKWARD, "penalty_wrong_weights", ("dW1",),
                  (("lambd / m * W1", "lambd / m * np.square(W1)"),)),
    SingleMistake("l2_dW2_data_term_sum", L2_BACKWARD, "gradient_factor", ("dW2",),
                  (("dW2 = 1.0 / m * np.dot", "dW2 = np.dot"),)),
    SingleMistake("l2_dW1_no_mean", L2_BACKWARD, "gradient_factor", ("dW1",),
                  (("dW1 = 1.0 / m * np.dot(dZ1, X.T) + lambd / m * W1", "dW1 = np.dot(dZ1, X.T) + lambd * W1"),)),
    SingleMistake("l2_dZ3_sign", L2_BACKWARD, "gradient_factor", ("dZ3",),
                  (("dZ3 = A3 - Y", "dZ3 = Y - A3"),)),
    SingleMistake("l2_db1_sum", L2_BACKWARD, "gradient_factor", ("db1",),
                  (("db1 = 1.0 / m * np.sum", "db1 = np.sum"),)),
    SingleMistake("l2_dA1_over_m", L2_BACKWARD, "gradient_factor", ("dA1",),
                  (("dA1 = np.dot(W2.T, dZ2)", "dA1 = np.dot(W2.T, dZ2) / m"),)),
    SingleMistake("l2_relu_derivative_ge", L2_BACKWARD, "activation_derivative", ("dZ1",),
                  (("np.int64(A1 > 0)", "np.int64(A1 >= 0)"),)),
    SingleMistake("l2_relu_value", L2_BACKWARD, "activation_derivative", ("dZ2",),
                  (("np.multiply(dA2, np.int64(A2 > 0))", "np.multiply(dA2, A2)"),)),
    # forward_propagation_with_dropout
    SingleMistake("forward_D1_greater", DROPOUT_FORWARD, "mask_comparison_flipped", ("D1",),
                  ((D1_DRAW, D1_DRAW.replace("<", ">")),)),
    SingleMistake("forward_D2_greater_equal", DROPOUT_FORWARD, "mask_comparison_flipped", ("D2",),
                  ((D2_DRAW, D2_DRAW.replace("<", ">=")),)),
    SingleMistake("forward_no_seed", DROPOUT_FORWARD, "no_seed", ("D1", "D2"),
                  (("    np.random.seed(1)\n", ""),)),
    SingleMistake("forward_seed_2", DROPOUT_FORWARD, "no_seed", ("D1", "D2"),
                  (("np.random.seed(1)", "np.random.seed(2)"),)),
    SingleMistake("forward_D2_randn", DROPOUT_FORWARD, "wrong_distribution", ("D2",),
                  ((D2_DRAW, D2_DRAW.replace("rand(", "randn(")),)),
    SingleMistake("forward_D1_transposed_draw", DROPOUT_FORWARD, "wrong_distribution", ("D1",),
                  (("np.random.rand(A1.shape[0], A1.shape[1])", "np.random.rand(A1.shape[1], A1.shape[0]).T"),)),
    SingleMistake("forward_D1_one_draw_per_unit", DROPOUT_FORWARD, "wrong_distribution", ("D1", "D2"),
                  (("np.random.rand(A1.shape[0], A1.shape[1])", "np.random.rand(A1.shape[0], 1)"),)),
    SingleMistake("forward_A2_unscaled", DROPOUT_FORWARD, "scaling_missing", ("A2",),
                  (("    A2 = A2 / keep_prob\n", ""),)),
    SingleMistake("forward_A1_times_keep_prob", DROPOUT_FORWARD, "scaling_inverted", ("A1",),
                  (("A1 = A1 / keep_prob", "A1 = A1 * keep_prob"),)),
    SingleMistake("forward_A1_unmasked", DROPOUT_FORWARD, "mask_not_applied", ("A1",),
                  (("    A1 = A1 * D1\n", ""),)),
    SingleMistake("forward_cache_masks_swapped", DROPOUT_FORWARD, "wrong_layer_mask", ("D1", "D2"),
                  (("cache = (Z1, D1, A1, W1, b1, Z2, D2,", "cache = (Z1, D2, A1, W1, b1, Z2, D1,"),)),
    SingleMistake("forward_A2_masked_with_D1", DROPOUT_FORWARD, "wrong_layer_mask", ("A2",),
                  (("A2 = A2 * D2", "A2 = A2 * D1"),)),
    SingleMistake("forward_Z2_before_dropout", DROPOUT_FORWARD, "wrong_order", ("Z2",),
                  (("    Z2 = np.dot(W2, A1) + b2\n", ""),
                   ("    A1 = relu(Z1)\n", "    A1 = relu(Z1)\n    Z2 = np.dot(W2, A1) + b2\n"))),
    SingleMistake("forward_Z1_masked_before_relu", DROPOUT_FORWARD, "wrong_order", ("Z1",),
                  (("    A1 = relu(Z1)\n", ""),
                   ("np.random.rand(A1.shape[0], A1.shape[1])", "np.random.rand(Z1.shape[0], Z1.shape[1])"),
                   ("    A1 = A1 * D1\n", "    Z1 = Z1 * D1\n    A1 = relu(Z1)\n"))),
    # backward_propagation_with_dropout
    SingleMistake("backward_dA1_unscaled", DROPOUT_BACKWARD, "scaling_missing", ("dA1",),
                  (("    dA1 = dA1 / keep_prob\n", ""),)),
    SingleMistake("backward_dA2_times_keep_prob", DROPOUT_BACKWARD, "scaling_inverted", ("dA2",),
                  (("dA2 = dA2 / keep_prob", "dA2 = dA2 * keep_prob"),)),
    SingleMistake("backward_dA2_unmasked", DROPOUT_BACKWARD, "mask_not_applied", ("dA2",),
                  (("    dA2 = dA2 * D2\n", ""),)),
    SingleMistake("backward_dA1_masked_with_D2", DROPOUT_BACKWARD, "wrong_layer_mask", ("dA1",),
                  (("dA1 = dA1 * D1", "dA1 = dA1 * D2"),)),
    SingleMistake("backward_dA1_fresh_mask", DROPOUT_BACKWARD, "fresh_draws", ("dA1",),
                  (("dA1 = dA1 * D1", "dA1 = dA1 * (np.random.rand(*dA1.shape) < keep_prob)"),)),
    SingleMistake("backward_dA2_reseeded_mask", DROPOUT_BACKWARD, "fresh_draws", ("dA2",),
                  (("    dA2 = dA2 * D2\n", "    np.random.seed(1)\n"
                    "    dA2 = dA2 * (np.random.rand(dA2.shape[0], dA2.shape[1]) < keep_prob)\n"),)),
    SingleMistake("backward_dZ2_before_dropout", DROPOUT_BACKWARD, "wrong_order", ("dZ2",),
                  ((D2_BLOCK, ""),
                   ("    dZ2 = np.multiply(dA2, np.int64(A2 > 0))\n",
                    "    dZ2 = np.multiply(dA2, np.int64(A2 > 0))\n" + D2_BLOCK))),
    SingleMistake("backward_dropout_folded_into_dZ1", DROPOUT_BACKWARD, "wrong_order", ("dA1",),
                  ((D1_BLOCK, ""),
                   ("np.multiply(dA1, np.int64(A1 > 0))", "np.multiply(dA1, np.int64(A1 > 0)) * D1 / keep_prob"))),
    SingleMistake("backward_dW2_no_mean", DROPOUT_BACKWARD, "gradient_factor", ("dW2",),
                  (("dW2 = 1.0 / m * np.dot", "dW2 = np.dot"),)),
    SingleMistake("backward_relu_inverted", DROPOUT_BACKWARD, "activation_derivative", ("dZ1",),
                  (("np.int64(A1 > 0)", "np.int64(A1 <= 0)"),)),
    SingleMistake("backward_relu_of_gradient", DROPOUT_BACKWARD, "activation_derivative", ("dZ2",),
                  (("np.multiply(dA2, np.int64(A2 > 0))", "np.maximum(dA2, 0)"),)),
)

NEAR_MISSES = (
    near_miss("two_penalty_mistakes", L2_BACKWARD,
              ((" + lambd / m * W3", ""), ("+ lambd / m * W1", "- lambd / m * W1"))),
    near_miss("penalty_and_relu_mistakes", L2_BACKWARD,
              (("lambd / m * W2", "lambd / (2 * m) * W2"), ("np.int64(A1 > 0)", "np.int64(A1 >= 0)"))),
    near_miss("flipped_mask_and_unscaled_A2", DROPOUT_FORWARD,
              ((D1_DRAW, D1_DRAW.replace("<", ">")), ("    A2 = A2 / keep_prob\n", ""))),
    near_miss("unscaled_dA2_and_dW1_sum", DROPOUT_BACKWARD,
              (("    dA2 = dA2 / keep_prob\n", ""), ("dW1 = 1.0 / m * np.dot", "dW1 = np.dot"))),
    near_miss("cost_noise", COST,
              (("cost = cross_entropy_cost + L2_regularization_cost",
                "cost = cross_entropy_cost + L2_regularization_cost + 1e-3 * np.random.RandomState(7).randn()"),)),
    near_miss("l2_dW2_noise", L2_BACKWARD,
              (("+ lambd / m * W2", "+ lambd / m * W2 + 1e-3 * np.random.RandomState(7).randn(*W2.shape)"),)),
    near_miss("forward_A1_noise", DROPOUT_FORWARD,
              (("A1 = A1 / keep_prob", "A1 = A1 / keep_prob + 1e-3 * np.random.RandomState(7).rand(*A1.shape)"),)),
    near_miss("backward_dZ2_noise", DROPOUT_BACKWARD,
              (("dZ2 = np.multiply(dA2, np.int64(A2 > 0))",
                "dZ2 = np.multiply(dA2, np.int64(A2 > 0)) + 1e-3 * np.random.RandomState(7).randn(*dA2.shape)"),)),
    near_miss("cost_weights_not_squared", COST, (("np.square", "np.abs"),)),
    near_miss("l2_dW2_penalty_tripled", L2_BACKWARD, (("lambd / m * W2", "3 * lambd / m * W2"),)),
    near_miss("forward_threshold_one_minus_keep_prob", DROPOUT_FORWARD, (("< keep_prob", "< 1 - keep_prob"),)),
    near_miss("forward_masks_drawn_in_reverse", DROPOUT_FORWARD,
              (("    A1 = relu(Z1)\n", "    A1 = relu(Z1)\n    R2 = np.random.rand(W2.shape[0], A1.shape[1])\n"),
               (D2_DRAW, "D2 = R2 < keep_prob"))),
    # binomial(1, p) flips its draws for p <= 0.5 only: a flipped comparison in one case, right in the others
    near_miss("forward_D1_binomial", DROPOUT_FORWARD,
              ((D1_DRAW, "D1 = np.random.binomial(1, keep_prob, size=A1.shape)"),)),
    near_miss("backward_dA2_scaled_twice", DROPOUT_BACKWARD,
              (("dA2 = dA2 / keep_prob", "dA2 = dA2 / keep_prob ** 2"),)),
)
