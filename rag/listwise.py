"""A listwise (softmax) fit: which item of each list is the right one. The ranker orders a question's candidates by
it, the note picker a record's sentences.

A pointwise logistic model learns whether each item is good on its own, and pays as much for a sure wrong item of
an easy list as for the one choice that matters. Fitting a softmax over each list instead spends the model on the
choice between the items that compete. Training-time only: a fitted model is stored as a :class:`Logistic`.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from rag.logistic import Logistic


def fit_listwise(lists: list[tuple[np.ndarray, np.ndarray]], l2: float) -> Logistic:
    """The weights that maximise each list's softmax share of its positive items, penalised by ``l2`` times their
    squared norm on standardised features. Each list is (features, labels) with at least one positive label.

    Stored as a :class:`Logistic` without bias: the sigmoid keeps the order of the scores, which is all it says.
    """
    features = np.vstack([rows for rows, _ in lists])
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    standardised = [((rows - mean) / scale, labels / labels.sum()) for rows, labels in lists]

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = l2 * float(weights @ weights), 2 * l2 * weights
        for rows, target in standardised:
            scores = rows @ weights
            shares = np.exp(scores - scores.max())
            shares /= shares.sum()
            total -= float(target @ np.log(shares + 1e-12))
            gradient = gradient - rows.T @ (target - shares)
        return total, gradient

    weights = minimize(loss, np.zeros(features.shape[1]), jac=True, method="L-BFGS-B").x
    return Logistic(mean, scale, weights, 0.0)
