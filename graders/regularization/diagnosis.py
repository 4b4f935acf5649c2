"""Diagnoses from properties: where a wrong output starts going wrong, and how it relates to the right one.

A failing output is read key by key along the computation (the cost; the gradients
``dZ3 -> dW3, db3, dA2 -> dZ2 -> dW2, db2, dA1 -> dZ1 -> dW1, db1``; the forward pass
``Z1 -> D1 -> A1 -> Z2 -> D2 -> A2 -> Z3 -> A3``), in four steps:

1. **Wrong keys**: those whose value differs from the expected one.
2. **Origins**: the wrong keys whose value is not what the right formula gives from the student's
   *own* inputs of that key (dW2 from their dZ2, A1 from their Z1 and D1). A key that is wrong only
   because its inputs are is the error propagating, not starting. Masks are drawn, not computed: a
   wrong mask is always an origin.
3. **Relations**: at each origin, the values that named mistakes would give, built from the student's
   inputs of the key and from what the case's arguments let us recompute: the L2 term ``lambd / m * W``,
   the cross-entropy, the cache's masks, ``keep_prob``, the seeded draws. A relation holds when the
   student's value equals its candidate within ``SCALE_RTOL`` of the values' own scale, and the candidate
   stands clearly apart from the right value (``SEPARATION`` tolerances), so that a relation never holds
   by being indistinguishable from the right answer.
4. **Conclusion**: a case keeps the relations that hold at *every* origin; several cases keep those that
   hold in every case whose output is wrong (a case where the call raised says nothing). A relation must
   also be silent wherever the student is right: at its keys in a case the function got right (a mistake
   that would show there is not the student's), and, for a way of drawing masks, at the mask it says is
   drawn right. A diagnosis is given only when exactly one relation is left, and it names a property: two
   mistakes, noise, or a mistake no relation describes leave none or several, and get no diagnosis. Some
   known mistakes outside the properties (masks drawn in reverse order, a threshold of 1 - keep_prob,
   binomial draws) are relations without a property: where one explains an output as well as a property
   does, the property is not certain. A wrong diagnosis is worse than none.

Only trusted data is read: the expected outputs, the case's arguments and the student's output as plain
numbers, already validated by the grader. The worker's ``random_draws`` flag tells masks drawn afresh in
the backward pass from a mask that is merely wrong; its ``mutated`` flag is not needed, since the worker
calls the function on a copy of the arguments, so the output still relates to the original ones.

Messages name the origin keys and the relation, never a number taken from a case (a hidden case must not
leak), only symbolic factors such as "twice" or "m times".

The catalogue of whole-function rewrites (:mod:`graders.regularization.mistakes`) stays beside these diagnoses: each
catalogued mistake declares the property its outputs show, and :mod:`graders.grading` names both when they
agree. When they disagree, the catalogue's message is kept and the property dropped: a catalogued rewrite
that reproduces every output of every case is the stronger evidence, and a property is shown only when
nothing contradicts it (the tests check that no catalogued mistake gets another property).

To add a property: add its name to :data:`PROPERTIES`, then yield a :class:`Relation` and its candidate
value from the relations of the key(s) where the mistake starts (``_cost_relations``,
``_backward_relations``, ``_forward_relations``), or add a way of drawing masks to :data:`DRAW_MISTAKES`.
"""
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from graders.mistakes import CaseOutcome, Diagnosis
from graders.plain import CALL_SEED

PROPERTIES = (
    "penalty_factor", "penalty_missing", "penalty_sign", "penalty_missing_layer", "penalty_on_bias",
    "penalty_wrong_weights", "gradient_factor", "cross_entropy_wrong", "scaling_missing", "scaling_inverted",
    "mask_comparison_flipped", "mask_not_applied", "wrong_layer_mask", "no_seed", "fresh_draws",
    "wrong_distribution", "activation_derivative", "wrong_order",
)
SCALE_RTOL = 1e-6  # of the scale of the values compared: far above rounding, far below any mistake
SCALE_ATOL = 1e-12
SEPARATION = 10  # a candidate must differ from the right value by this many tolerances
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
L2_CACHE_NAMES = ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
DROPOUT_CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
FORWARD_KEYS = PARAMETER_NAMES + ("Z1", "D1", "A1", "Z2", "D2", "A2", "Z3", "A3", "cache A3")
# Seeds tried for masks drawn after another seed than 1 (a function that sets none draws after CALL_SEED).
OTHER_SEEDS = tuple(range(101)) + (123, 321, 1234, 4321, 12345, 54321, 123456) + tuple(range(2015, 2031))


@dataclass(frozen=True)
class Relation:
    """How a wrong value relates to the right one.

    Attributes
    ----------
    property : str or None
        None for a known mistake no property describes: it explains an output as well as a property would,
        so where it holds no property is certain, and alone it gives no diagnosis.
    detail : str
        Names the relation exactly (the factor, the layer, the way the mask is drawn): relations are
        matched across keys and cases by ``(property, detail)``.
    sentence : str
        What the value is and what to do, to follow "<keys>: ".
    scope : tuple of str
        Keys the relation speaks for besides those where it holds (both masks, for a way of drawing them):
        where the student is right, the relation must be too.
    """

    property: str
    detail: str
    sentence: str
    scope: tuple = ()


@dataclass(frozen=True)
class Factor:
    """A constant a value can be wrongly multiplied by: a name, words for it, its value ``(m, hyper) -> k``."""

    name: str
    words: str
    value: object


PENALTY_FACTORS = (
    Factor("2", "twice", lambda m, h: 2.0),
    Factor("1/2", "half", lambda m, h: 0.5),
    Factor("m", "m times (m, the number of examples)", lambda m, h: float(m)),
    Factor("2m", "2m times (m, the number of examples)", lambda m, h: 2.0 * m),
    Factor("m^2", "m squared times (m, the number of examples)", lambda m, h: float(m) ** 2),
    Factor("1/m", "1/m times (m, the number of examples)", lambda m, h: 1.0 / m),
    Factor("1/lambd", "1/lambd times", lambda m, h: 1.0 / h),
    Factor("lambd", "lambd times", lambda m, h: float(h)),
)
GRADIENT_FACTORS = (
    Factor("m", "m times (m, the number of examples)", lambda m, h: float(m)),
    Factor("1/m", "1/m times (m, the number of examples)", lambda m, h: 1.0 / m),
    Factor("-1", "the negative of", lambda m, h: -1.0),
    Factor("2", "twice", lambda m, h: 2.0),
    Factor("1/2", "half", lambda m, h: 0.5),
)


def diagnose(function_name, output, expected, arguments, random_draws=None):
    """The diagnosis of one case, or None.

    Parameters
    ----------
    function_name : str
        One of the four graded functions.
    output : object
        The student's output as plain data.
    expected : object
        The reference output.
    arguments : tuple
        The case's arguments (the last one is ``lambd`` or ``keep_prob``).
    random_draws : bool, optional
        Whether the call drew random numbers (the worker's record).

    Returns
    -------
    Diagnosis or None
        None when the output is right or when the evidence does not single out one relation.
    """
    return diagnose_cases(function_name, [CaseOutcome(output, expected, arguments, random_draws)])


def diagnose_cases(function_name, outcomes):
    """The diagnosis on which every case with a wrong output agrees, or None.

    Parameters
    ----------
    function_name : str
    outcomes : iterable of CaseOutcome
        Cases whose call raised (``output`` None) are skipped; a case with a right output adds no relation,
        and removes those that would have shown in it.

    Returns
    -------
    Diagnosis or None
    """
    layout = LAYOUTS[function_name]
    readings = [_read_case(layout, outcome) for outcome in outcomes if outcome.output is not None]
    if not readings or any(reading is None for reading in readings):
        return None
    common = None
    for reading in readings:
        if reading.wrong:
            findings = _case_findings(layout, reading)
            common = findings if common is None else _intersect(common, findings)
    silent = {identity: (relation, origin) for identity, (relation, origin) in (common or {}).items()
              if all(_silent(layout, reading, relation, origin) for reading in readings)}
    return _conclude(silent, layout.keys)


def _intersect(kept, findings):
    """Relations held in both; the origin of a relation is the union of its origins in each."""
    return {identity: (relation, origin | findings[identity][1])
            for identity, (relation, origin) in kept.items() if identity in findings}


def _conclude(findings, key_order):
    """The diagnosis of the one relation left, its origin keys in the order of the computation."""
    if len(findings) != 1:
        return None
    (relation, origin), = findings.values()
    if relation.property is None:
        return None
    keys = tuple(key for key in key_order if key in origin)
    named = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
    return Diagnosis(relation.property, keys, f"{named}: {relation.sentence}.")


# --- one case ------------------------------------------------------------------------------------------------


@dataclass
class Case:
    """The trusted data of one case: its arguments, the expected values by key, the random-draws flag."""

    arguments: tuple
    expected: dict
    random_draws: bool | None
    memo: dict = field(default_factory=dict)


@dataclass
class Reading:
    """The student's output of one case read key by key: its values, the case, the keys it gets wrong."""

    values: dict
    case: Case
    wrong: list


def _read_case(layout, outcome):
    """The :class:`Reading` of one outcome, or None when the output does not have the function's form."""
    values, expected = layout.read(outcome.output), layout.read(outcome.expected)
    if values is None or expected is None:
        return None
    case = Case(tuple(outcome.arguments), expected, outcome.random_draws)
    return Reading(values, case, [key for key in layout.keys if not _within_scale(values[key], expected[key])])


def _case_findings(layout, reading):
    """``{(property, detail): (Relation, origin keys)}`` of the relations held at every origin of a case."""
    values, case = reading.values, reading.case
    rights = {key: _attempt(layout.right_value, key, values, case) for key in reading.wrong}
    origins = [key for key in reading.wrong if not _within_scale(values[key], rights[key])]
    held = None
    for key in origins:
        at_key = {}
        for relation, candidate in _relations_at(layout, key, values, case):
            if _holds(values[key], candidate, rights[key]):
                at_key.setdefault((relation.property, relation.detail), relation)
        held = at_key if held is None else {identity: held[identity] for identity in held if identity in at_key}
    return {identity: (relation, frozenset(origins)) for identity, relation in (held or {}).items()}


def _silent(layout, reading, relation, origin):
    """Whether ``relation`` gives the right value at each of its keys the student has right in this case."""
    identity = (relation.property, relation.detail)
    for key in (origin | set(relation.scope)) - set(reading.wrong):
        right = reading.case.expected[key]
        for other, candidate in _relations_at(layout, key, reading.values, reading.case):
            if (other.property, other.detail) == identity and _apart(candidate, right):
                return False
    return True


def _relations_at(layout, key, values, case):
    """The relations at ``key`` as a list; none when the student's values break the shapes they need."""
    relations = _attempt(lambda: list(layout.relations(key, values, case)))
    return relations or []


def _attempt(function, *arguments):
    """``function(*arguments)``, or None when the shapes do not fit."""
    try:
        with np.errstate(all="ignore"):
            return function(*arguments)
    except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError):
        return None


def _scale(*arrays):
    return max(float(np.max(np.abs(array), initial=0.0)) for array in arrays)


def _within_scale(actual, target):
    """Same shape, and equal within ``SCALE_RTOL`` of the target's scale (NaN never agrees)."""
    if target is None or actual.shape != np.shape(target):
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(actual - target) <= SCALE_RTOL * _scale(target) + SCALE_ATOL))


def _holds(actual, candidate, right):
    """Whether ``actual`` is ``candidate``, and ``candidate`` clearly not the ``right`` value."""
    if candidate is None:
        return False
    candidate = np.asarray(candidate, dtype=np.float64)
    if actual.shape != candidate.shape or not np.isfinite(candidate).all():
        return False
    tolerance = SCALE_RTOL * (_scale(candidate) if right is None else _scale(candidate, right)) + SCALE_ATOL
    with np.errstate(all="ignore"):
        if not np.all(np.abs(actual - candidate) <= tolerance):
            return False
    return right is None or _apart(candidate, right)


def _apart(candidate, right):
    """Whether ``candidate`` stands clearly apart from the ``right`` value (``SEPARATION`` tolerances)."""
    if candidate is None:
        return False
    candidate = np.asarray(candidate, dtype=np.float64)
    if candidate.shape != np.shape(right):
        return True
    tolerance = SCALE_RTOL * _scale(candidate, right) + SCALE_ATOL
    with np.errstate(all="ignore"):
        return not bool(np.max(np.abs(candidate - right), initial=0.0) <= SEPARATION * tolerance)


def _number_array(value):
    """A numeric value as a float64 array, or None."""
    if isinstance(value, (bool, int, float, np.bool_, np.number)):
        return np.asarray(value, dtype=np.float64)
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    return None


def _relu(values):
    return np.maximum(values, 0.0)


def _sigmoid(values):
    return 1.0 / (1.0 + np.exp(-values))


def _factor_relations(property_name, part, sentence, factors, m, hyperparameter, candidate_for):
    """One relation per factor k: ``candidate_for(k)``, the value when ``part`` of it is k times too large."""
    for factor in factors:
        relation = Relation(property_name, f"{part} {factor.name}", sentence.format(words=factor.words))
        yield relation, _attempt(candidate_for, factor.value(m, hyperparameter))


# --- compute_cost_with_regularization ------------------------------------------------------------------------


def _read_cost(output):
    value = _number_array(output)
    return None if value is None or value.size != 1 else {"cost": value.reshape(())}


def _right_cost(key, values, case):
    return case.expected["cost"]


def _cost_relations(key, values, case):
    """Ways of getting ``compute_cost(A3, Y) + lambd / (2 * m) * (sum of the squared weights)`` wrong."""
    A3, Y, parameters, lambd = case.arguments
    A3, Y = np.asarray(A3, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    m = Y.shape[1]
    weight_squares = [float(np.sum(np.square(parameters[f"W{layer}"]))) for layer in (1, 2, 3)]
    bias_squares = [float(np.sum(np.square(parameters[f"b{layer}"]))) for layer in (1, 2, 3)]
    per_square = lambd / (2 * m)
    l2_term = per_square * sum(weight_squares)
    right = case.expected["cost"]
    cross_entropy = right - l2_term
    yield from _factor_relations("penalty_factor", "L2 term", "the L2 term is {words} what it should be: it is "
                                 "lambd / (2 * m) times the sum of the squared weights", PENALTY_FACTORS, m, lambd,
                                 lambda k: cross_entropy + k * l2_term)
    yield (Relation("penalty_missing", "", "the L2 term is missing: add lambd / (2 * m) times the sum of the "
                    "squared weights to the cross-entropy"), cross_entropy)
    yield (Relation("penalty_sign", "", "the L2 term is subtracted from the cross-entropy: add it"),
           cross_entropy - l2_term)
    for layer, square in zip((1, 2, 3), weight_squares):
        yield (Relation("penalty_missing_layer", f"W{layer}", f"the L2 term leaves out W{layer}: sum the squares "
                        "of W1, W2 and W3"), right - per_square * square)
    yield (Relation("penalty_on_bias", "all", "the L2 term also sums the squared biases: penalise the weights "
                    "W1, W2 and W3 only"), right + per_square * sum(bias_squares))
    for layer, square in zip((1, 2, 3), bias_squares):
        yield (Relation("penalty_on_bias", f"b{layer}", f"the L2 term also sums the squares of b{layer}: "
                        "penalise the weights W1, W2 and W3 only"), right + per_square * square)
    for detail, words, wrong_cross_entropy in _wrong_cross_entropies(A3, Y):
        yield (Relation("cross_entropy_wrong", detail, f"the cross-entropy part is {words} while the L2 term is "
                        "right: the cross-entropy is compute_cost(A3, Y)"), wrong_cross_entropy + l2_term)


def _wrong_cross_entropies(A3, Y):
    """``(detail, words, value)`` of the classic ways of getting the cross-entropy wrong."""
    m = Y.shape[1]
    with np.errstate(all="ignore"):
        positive = np.nansum(-Y * np.log(A3)) / m
        negative = np.nansum(-(1 - Y) * np.log(1 - A3)) / m
        swapped = np.nansum(-(1 - Y) * np.log(A3) - Y * np.log(1 - A3)) / m
    right = positive + negative
    yield "sum", "m times too large (a sum instead of a mean over the examples)", m * right
    yield "sign", "of the wrong sign", -right
    yield "half", "half what it should be", right / 2
    yield "missing", "missing", 0.0
    yield "log10", "computed with np.log10 instead of np.log", right / np.log(10)
    yield "Y = 1 term only", "only its Y = 1 term", positive
    yield "Y = 0 term only", "only its Y = 0 term", negative
    yield "labels swapped", "computed with Y and 1 - Y swapped", swapped


# --- backward_propagation_with_regularization and backward_propagation_with_dropout --------------------------


def _read_gradients(output):
    if not isinstance(output, dict):
        return None
    values = {key: _number_array(output.get(key)) for key in GRADIENT_KEYS}
    return None if any(value is None for value in values.values()) else values


def _network(case, dropout):
    """The arguments of a backward case: ``(X, Y, cache values by name, lambd or keep_prob, m)``."""
    X, Y, cache, hyperparameter = case.arguments
    names = DROPOUT_CACHE_NAMES if dropout else L2_CACHE_NAMES
    net = {name: np.asarray(value, dtype=np.float64) for name, value in zip(names, cache)}
    X = np.asarray(X, dtype=np.float64)
    return X, np.asarray(Y, dtype=np.float64), net, hyperparameter, X.shape[1]


def _layer_input(net, X, layer):
    return X if layer == 1 else net[f"A{layer - 1}"]


def _unmasked_gradient(net, grads, layer):
    """``W.T @ dZ`` of the next layer: dA before dropout, from the student's own dZ."""
    return net[f"W{layer + 1}"].T @ grads[f"dZ{layer + 1}"]


def _right_gradient(key, grads, case, dropout):
    """The right value of ``key`` from the student's own gradients it is computed from."""
    X, Y, net, hyperparameter, m = _network(case, dropout)
    kind, layer = key[:-1], int(key[-1])
    if key == "dZ3":
        return net["A3"] - Y
    if kind == "dW":
        data_term = grads[f"dZ{layer}"] @ _layer_input(net, X, layer).T / m
        return data_term if dropout else data_term + hyperparameter / m * net[f"W{layer}"]
    if kind == "db":
        return np.sum(grads[f"dZ{layer}"], axis=1, keepdims=True) / m
    if kind == "dA":
        unmasked = _unmasked_gradient(net, grads, layer)
        return unmasked * net[f"D{layer}"] / hyperparameter if dropout else unmasked
    return grads[f"dA{layer}"] * (net[f"A{layer}"] > 0)


def _backward_relations(key, grads, case, dropout):
    X, _, net, hyperparameter, m = _network(case, dropout)
    kind, layer = key[:-1], int(key[-1])
    right = _attempt(_right_gradient, key, grads, case, dropout)
    if kind == "dW" and not dropout:
        yield from _weight_penalty_relations(layer, grads, net, X, hyperparameter, m)
    if kind == "db" and not dropout and right is not None:
        yield from _bias_penalty_relations(right, net[f"b{layer}"], hyperparameter, m)
    if kind == "dA" and dropout:
        yield from _dropout_gradient_relations(layer, grads, case, net, hyperparameter)
    if kind == "dZ" and layer < 3:
        yield from _activation_relations(layer, grads, net)
        if dropout:
            yield (Relation("wrong_order", "dZ before dropout", "it is computed from dA before dA's mask and "
                            "1 / keep_prob are applied: compute dZ from the masked, scaled dA"),
                   _attempt(lambda: _unmasked_gradient(net, grads, layer) * (net[f"A{layer}"] > 0)))
    if right is not None:
        yield from _factor_relations("gradient_factor", "whole", "the value is {words} what it should be: check "
                                     "its constant factor (the 1 / m, the sign)", GRADIENT_FACTORS, m,
                                     hyperparameter, lambda k: k * right)


def _weight_penalty_relations(layer, grads, net, X, lambd, m):
    """Ways of getting ``dW = np.dot(dZ, A_prev.T) / m + lambd / m * W`` wrong, with the student's own dZ."""
    data_term = _attempt(lambda: grads[f"dZ{layer}"] @ _layer_input(net, X, layer).T / m)
    if data_term is None:
        return
    l2_term = lambd / m * net[f"W{layer}"]
    yield from _factor_relations("penalty_factor", "L2 term", "the L2 term is {words} what it should be: it is "
                                 "lambd / m times the layer's weights W", PENALTY_FACTORS, m, lambd,
                                 lambda k: data_term + k * l2_term)
    yield (Relation("penalty_missing", "", "the L2 term lambd / m * W of the layer is missing: add it"), data_term)
    yield (Relation("penalty_sign", "", "the L2 term lambd / m * W is subtracted: add it"),
           _attempt(lambda: data_term - l2_term))
    for detail, words, matrix in _wrong_weights(layer, net, data_term):
        yield (Relation("penalty_wrong_weights", detail, f"the L2 term is computed from {words}: it is lambd / m "
                        "times the layer's own weights W"), _attempt(lambda: data_term + lambd / m * matrix))
    yield from _factor_relations("gradient_factor", "data term", "the term np.dot(dZ, A_prev.T) / m is {words} "
                                 "what it should be while the L2 term is right: check the 1 / m", GRADIENT_FACTORS,
                                 m, lambd, lambda k: k * data_term + l2_term)


def _wrong_weights(layer, net, data_term):
    """``(detail, words, matrix)`` of the matrices a weight gradient's penalty is wrongly computed from."""
    weights = net[f"W{layer}"]
    yield "squared", "the squared weights W ** 2", np.square(weights)
    yield "transposed", "the transposed weights W.T", weights.T
    yield "gradient", "the gradient instead of the weights", data_term
    for other in (1, 2, 3):
        if other != layer:
            yield f"W{other}", f"W{other}, another layer's weights", net[f"W{other}"]
            yield f"W{other}.T", f"W{other}.T, another layer's weights", net[f"W{other}"].T


def _bias_penalty_relations(right, bias, lambd, m):
    for detail, factor in (("lambd / m", 1.0), ("lambd / (2 m)", 0.5)):
        yield (Relation("penalty_on_bias", detail, "the bias gradient gets an L2 term: biases are not penalised, "
                        "db is np.sum(dZ, axis=1, keepdims=True) / m"),
               _attempt(lambda: right + factor * lambd / m * bias))


def _activation_relations(layer, grads, net):
    """Ways of getting ReLU's derivative wrong in ``dZ = dA * (A > 0)``."""
    dA, A, Z, other_A = grads[f"dA{layer}"], net[f"A{layer}"], net[f"Z{layer}"], net[f"A{3 - layer}"]
    candidates = (
        ("missing", "it is not applied", lambda: dA),
        ("activation", "dA is multiplied by A instead of (A > 0)", lambda: dA * A),
        ("pre-activation", "dA is multiplied by Z instead of (A > 0)", lambda: dA * Z),
        ("inverted", "(A <= 0) is used instead of (A > 0)", lambda: dA * (A <= 0)),
        ("relu of dA", "relu is applied to dA instead", lambda: _relu(dA)),
        ("sigmoid", "the sigmoid's derivative A * (1 - A) is used", lambda: dA * A * (1 - A)),
        ("other layer", "the other layer's activation is used", lambda: dA * (other_A > 0)),
    )
    for detail, words, candidate in candidates:
        yield (Relation("activation_derivative", detail, f"ReLU's derivative is wrong ({words}): dZ is "
                        "dA * (A > 0) with the same layer's A"), _attempt(candidate))


def _dropout_gradient_relations(layer, grads, case, net, keep_prob):
    """Ways of getting ``dA = W.T @ dZ * D / keep_prob`` wrong, with the student's own dZ of the next layer.

    The mask is redundant in ``dZ = dA * (A > 0)`` (A is the masked activation), so a right dZ after a wrong
    dA tells a mask or scaling applied later (an order mistake) from one that is missing.
    """
    unmasked = _attempt(_unmasked_gradient, net, grads, layer)
    if unmasked is None:
        return
    mask, other_mask = net[f"D{layer}"], net[f"D{3 - layer}"]
    yield (Relation("mask_not_applied", "scaled only", "the cache's mask is not applied (the gradient is only "
                    "divided by keep_prob): multiply it by the mask D of the same layer"), unmasked / keep_prob)
    yield (Relation("wrong_layer_mask", "other layer's mask", "the gradient is masked with the other layer's "
                    "mask: dA1 goes with D1 and dA2 with D2"), _attempt(lambda: unmasked * other_mask / keep_prob))
    if case.random_draws is True:
        drawn = _drawn_mask(grads[f"dA{layer}"], unmasked, keep_prob)
        yield (Relation("fresh_draws", "", "the gradient is masked with newly drawn random numbers: reuse the "
                        "mask D of the same layer from the cache"), _attempt(lambda: unmasked * drawn / keep_prob))
    if _within_scale(grads[f"dZ{layer}"], case.expected[f"dZ{layer}"]):
        later = "so the returned dA lacks {0} although dZ is right: apply {0} to dA itself, before computing dZ"
        yield (Relation("wrong_order", "unmasked, dZ right", "the mask and 1 / keep_prob are applied after dA, "
                        + later.format("them")), unmasked)
        yield (Relation("wrong_order", "unscaled, dZ right", "1 / keep_prob is applied after dA, "
                        + later.format("it")), _attempt(lambda: unmasked * mask))
        return
    yield (Relation("scaling_missing", "", "the masked gradient is not divided by keep_prob"),
           _attempt(lambda: unmasked * mask))
    yield (Relation("scaling_inverted", "", "the masked gradient is multiplied by keep_prob: divide it by "
                    "keep_prob"), _attempt(lambda: unmasked * mask * keep_prob))
    yield (Relation("mask_not_applied", "neither", "neither the cache's mask D nor 1 / keep_prob is applied to "
                    "the gradient"), unmasked)


def _drawn_mask(actual, unmasked, keep_prob):
    """The 0/1 mask that ``actual = unmasked * mask / keep_prob`` implies, when it drops something; else None.

    Entries where ``unmasked`` is 0 tell nothing and count as 0. The mask may equal a mask of the cache by
    chance (another layer's, drawn after the same seed): the other cases tell them apart.
    """
    if actual.shape != unmasked.shape:
        return None
    informative = np.abs(unmasked) > SCALE_RTOL * _scale(unmasked)
    with np.errstate(all="ignore"):
        mask = np.where(informative, np.round(actual * keep_prob / np.where(informative, unmasked, 1.0)), 0.0)
    if not np.isin(mask, (0.0, 1.0)).all() or mask[informative].all():
        return None
    return mask


# --- forward_propagation_with_dropout ------------------------------------------------------------------------


def _read_forward(output):
    if not isinstance(output, (tuple, list)) or len(output) != 2:
        return None
    A3, cache = output
    if not isinstance(cache, (tuple, list)) or len(cache) != len(DROPOUT_CACHE_NAMES):
        return None
    values = {("cache A3" if name == "A3" else name): _number_array(value)
              for name, value in zip(DROPOUT_CACHE_NAMES, cache)}
    values["A3"] = _number_array(A3)
    return None if any(value is None for value in values.values()) else values


def _right_forward(key, values, case):
    """The right value of ``key`` from the student's own values it is computed from."""
    parameters, keep_prob = case.arguments[1:]
    if key in PARAMETER_NAMES:
        return np.asarray(parameters[key], dtype=np.float64)
    if key in ("D1", "D2"):
        return case.expected[key]
    if key in ("A1", "A2"):
        return _relu(values["Z" + key[1]]) * values["D" + key[1]] / keep_prob
    if key in ("A3", "cache A3"):
        return _sigmoid(values["Z3"])
    return _linear(int(key[1]), values, case)


def _linear(layer, values, case):
    """``W @ A_prev + b`` of a layer, from the student's own previous activation."""
    X, parameters = case.arguments[:2]
    previous = np.asarray(X, dtype=np.float64) if layer == 1 else values[f"A{layer - 1}"]
    return np.asarray(parameters[f"W{layer}"]) @ previous + np.asarray(parameters[f"b{layer}"])


def _forward_relations(key, values, case):
    if key in ("A1", "A2"):
        yield from _dropout_activation_relations(int(key[1]), values, case.arguments[-1])
    elif key in ("D1", "D2"):
        for relation, masks in _all_mask_draws(case):
            yield relation, masks[int(key[1]) - 1]
    elif key in ("Z1", "Z2", "Z3"):
        yield from _preactivation_relations(int(key[1]), values, case)


def _dropout_activation_relations(layer, values, keep_prob):
    """Ways of getting ``A = relu(Z) * D / keep_prob`` wrong, with the student's own Z and masks."""
    activation, mask, other_mask = _relu(values[f"Z{layer}"]), values[f"D{layer}"], values[f"D{3 - layer}"]
    yield (Relation("scaling_missing", "", "the masked activation is not divided by keep_prob"),
           _attempt(lambda: activation * mask))
    yield (Relation("scaling_inverted", "", "the masked activation is multiplied by keep_prob: divide it by "
                    "keep_prob"), _attempt(lambda: activation * mask * keep_prob))
    yield (Relation("mask_not_applied", "scaled only", "the mask is not applied (the activation is only divided by "
                    "keep_prob): multiply it by the mask D of the same layer"), activation / keep_prob)
    yield (Relation("mask_not_applied", "neither", "no dropout is applied: multiply the activation by its mask D "
                    "and divide it by keep_prob"), activation)
    yield (Relation("wrong_layer_mask", "other layer's mask", "the activation is masked with the other layer's "
                    "mask: A1 goes with D1 and A2 with D2"), _attempt(lambda: activation * other_mask / keep_prob))


def _preactivation_relations(layer, values, case):
    """A Z computed from the previous activation before its dropout, or stored masked or scaled."""
    keep_prob = case.arguments[-1]
    if layer > 1:
        previous, previous_mask = _relu(values[f"Z{layer - 1}"]), values[f"D{layer - 1}"]
        before = {"before the previous dropout": ("its mask and 1 / keep_prob are", previous),
                  "before the previous scaling": ("1 / keep_prob is", _attempt(lambda: previous * previous_mask))}
        for detail, (missing, activation) in before.items():
            yield (Relation("wrong_order", detail, f"it is computed from A{layer - 1} before {missing} applied: "
                            "compute Z from the activation after its dropout"),
                   _attempt(_linear, layer, {f"A{layer - 1}": activation}, case))
    if layer < 3:
        right, mask = _attempt(_linear, layer, values, case), values[f"D{layer}"]
        stored = {"masked Z": ("masked", lambda: right * mask), "scaled Z": ("scaled", lambda: right / keep_prob),
                  "masked, scaled Z": ("masked and scaled", lambda: right * mask / keep_prob)}
        for detail, (words, candidate) in stored.items():
            yield (Relation("wrong_order", detail, f"it is stored {words}: the cache keeps Z as computed, dropout "
                            "applies to the activation A"), _attempt(candidate))


class LayerDraw(NamedTuple):
    """How one mask is drawn: the generator's method, the shape drawn and the comparison that keeps a unit.

    ``method`` is "rand", "randn" or "binomial" (a Bernoulli draw of keep_prob, no comparison); ``shape`` is
    "activation" (units, m), "transposed" (m, units, then transposed), "per unit" (units, 1) or "per example"
    (1, m); a unit is kept when its number is below ``threshold`` ("keep_prob" or "1 - keep_prob"), or above
    it when ``flipped``.
    """

    method: str = "rand"
    shape: str = "activation"
    threshold: str = "keep_prob"
    flipped: bool = False


RIGHT_DRAW = LayerDraw()
DRAW_MISTAKES = (
    (LayerDraw(flipped=True), Relation(
        "mask_comparison_flipped", "flipped", "the mask keeps the units whose random number is above keep_prob: "
        "keep those below it, np.random.rand(...) < keep_prob")),
    (LayerDraw(method="randn"), Relation(
        "wrong_distribution", "randn", "the mask is drawn from a normal distribution (np.random.randn): draw "
        "uniform numbers with np.random.rand")),
    (LayerDraw(shape="transposed"), Relation(
        "wrong_distribution", "transposed", "the mask's random numbers are drawn in the transposed shape: draw "
        "them in the activation's shape")),
    (LayerDraw(shape="per unit"), Relation(
        "wrong_distribution", "per unit", "one random number is drawn per unit and shared by all examples: draw "
        "one per entry of the activation")),
    (LayerDraw(shape="per example"), Relation(
        "wrong_distribution", "per example", "one random number is drawn per example and shared by all units: "
        "draw one per entry of the activation")),
    (LayerDraw(threshold="1 - keep_prob"), Relation(None, "threshold 1 - keep_prob", "")),
    (LayerDraw(method="binomial"), Relation(None, "binomial", "")),
)
MASKS = ("D1", "D2")
UNSEEDED = Relation("no_seed", "unseeded", "the masks are valid but not the draws that follow np.random.seed(1): "
                    "seed the generator with 1 at the start of the function", MASKS)
RESEEDED = Relation("no_seed", "another seed", "the masks are valid but drawn after another seed than "
                    "np.random.seed(1): seed the generator with 1", MASKS)
SWAPPED = Relation("wrong_layer_mask", "swapped", "D1 and D2 are swapped in the cache, which holds "
                   "(Z1, D1, A1, W1, b1, Z2, D2, A2, ...)", MASKS)
DRAWN_IN_REVERSE = Relation(None, "D2 drawn first", "", MASKS)


def _all_mask_draws(case):
    """``[(Relation, (D1, D2))]`` of :func:`_mask_draws`, drawn once per case and process (read-only arrays).

    The draws depend only on the case (its ``keep_prob``, its expected masks) and on whether the student's call
    drew random numbers at all: a process grading many submissions draws them once.
    """
    if "mask draws" not in case.memo:
        key = _mask_draws_key(case)
        if key not in _MASK_DRAWS:
            draws = [(relation, tuple(_read_only(mask) for mask in masks)) for relation, masks in _mask_draws(case)]
            if len(_MASK_DRAWS) >= MAX_CASES_KEPT:
                _MASK_DRAWS.clear()
            _MASK_DRAWS[key] = draws
        case.memo["mask draws"] = _MASK_DRAWS[key]
    return case.memo["mask draws"]


MAX_CASES_KEPT = 256  # distinct cases whose mask draws a process keeps
_MASK_DRAWS = {}  # {_mask_draws_key: draws}


def _mask_draws_key(case):
    """What :func:`_mask_draws` depends on, as a hashable value."""
    masks = (np.asarray(case.expected["D1"]), np.asarray(case.expected["D2"]))
    return (repr(float(case.arguments[-1])), case.random_draws is False,
            *((mask.dtype.str, mask.shape, mask.tobytes()) for mask in masks))


def _read_only(array):
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


def _mask_draws(case):
    """``(Relation, (D1, D2))`` of every way of drawing the masks with one mistake: in D1's draw, D2's or
    both, in their order, the masks swapped in the cache, no seed or another seed."""
    keep_prob = case.arguments[-1]
    shapes = (case.expected["D1"].shape, case.expected["D2"].shape)
    for draw, relation in DRAW_MISTAKES:
        for masks, draws in (("D1", (draw, RIGHT_DRAW)), ("D2", (RIGHT_DRAW, draw)), ("D1, D2", (draw, draw))):
            yield (Relation(relation.property, f"{relation.detail}: {masks}", relation.sentence, MASKS),
                   _draw_masks(1, draws, shapes, keep_prob))
    yield SWAPPED, (case.expected["D2"], case.expected["D1"])
    yield DRAWN_IN_REVERSE, _draw_masks(1, (RIGHT_DRAW, RIGHT_DRAW), shapes, keep_prob, reverse=True)
    if case.random_draws is False:
        return
    yield UNSEEDED, _draw_masks(CALL_SEED, (RIGHT_DRAW, RIGHT_DRAW), shapes, keep_prob)
    for seed in OTHER_SEEDS:
        if seed not in (1, CALL_SEED):
            yield RESEEDED, _draw_masks(seed, (RIGHT_DRAW, RIGHT_DRAW), shapes, keep_prob)


def _draw_masks(seed, draws, shapes, keep_prob, reverse=False):
    """The masks ``(D1, D2)`` of two :class:`LayerDraw`, drawn after ``seed`` in that order (or reversed)."""
    generator = np.random.RandomState(seed)
    masks = {}
    for layer in ((1, 0) if reverse else (0, 1)):
        masks[layer] = _draw_mask(generator, draws[layer], shapes[layer], keep_prob)
    return masks[0], masks[1]


def _draw_mask(generator, draw, shape, keep_prob):
    units, m = shape
    drawn_shape = {"activation": (units, m), "transposed": (m, units), "per unit": (units, 1),
                   "per example": (1, m)}[draw.shape]
    if draw.method == "binomial":
        return generator.binomial(1, keep_prob, size=drawn_shape).astype(np.float64)
    numbers = getattr(generator, draw.method)(*drawn_shape)
    numbers = numbers.T if draw.shape == "transposed" else numbers
    threshold = keep_prob if draw.threshold == "keep_prob" else 1 - keep_prob
    return (numbers > threshold if draw.flipped else numbers < threshold).astype(np.float64)


@dataclass(frozen=True)
class Layout:
    """How to read a graded function's output.

    Attributes
    ----------
    keys : tuple of str
        The keys of the output, in the order of the computation.
    read : callable
        ``output -> {key: float array}``, or None when the output does not have the function's form.
    right_value : callable
        ``(key, values, case) -> array``: the right value of a key from the given values it is computed from.
    relations : callable
        ``(key, values, case) -> iterable of (Relation, candidate array)`` at a key where an error starts.
    """

    keys: tuple
    read: object
    right_value: object
    relations: object


LAYOUTS = {
    "compute_cost_with_regularization": Layout(("cost",), _read_cost, _right_cost, _cost_relations),
    "backward_propagation_with_regularization": Layout(
        GRADIENT_KEYS, _read_gradients, functools.partial(_right_gradient, dropout=False),
        functools.partial(_backward_relations, dropout=False)),
    "forward_propagation_with_dropout": Layout(FORWARD_KEYS, _read_forward, _right_forward, _forward_relations),
    "backward_propagation_with_dropout": Layout(
        GRADIENT_KEYS, _read_gradients, functools.partial(_right_gradient, dropout=True),
        functools.partial(_backward_relations, dropout=True)),
}
