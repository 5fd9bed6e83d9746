"""Listwise fits: which item of each list is the right one. The ranker orders a question's candidates by a softmax
fit, the note picker a record's sentences by boosted trees (LambdaRank).

A pointwise logistic model learns whether each item is good on its own, and pays as much for a sure wrong item of
an easy list as for the one choice that matters. Fitting a softmax over each list instead spends the model on the
choice between the items that compete. Training-time only: the softmax fit is stored as a :class:`Logistic`, the
trees as a :class:`rag.trees.TreeEnsemble` that answering walks without LightGBM.
"""

from __future__ import annotations

import lightgbm
import numpy as np
from scipy.optimize import minimize

from rag.logistic import Logistic
from rag.trees import TreeEnsemble, from_lightgbm

# The note picker's order trees, chosen on the training questions out of fold (right sentence first of 1,957 lists:
# the softmax fit 1,526; 600 trees of 15 leaves at rate 0.03, each on 60% of the features, 1,544 to 1,562 over three
# seeds; 300 trees 1,552; 7 leaves 1,542; 4 leaves 1,498; 31 leaves 1,533).
TREE_PARAMETERS = {
    "objective": "lambdarank",
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.6,
    "lambdarank_truncation_level": 5,
    "num_threads": 2,
    "seed": 0,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}
TREE_ROUNDS = 600


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


def fit_ranking_trees(lists: list[tuple[np.ndarray, np.ndarray]]) -> TreeEnsemble:
    """LambdaRank trees over the lists, each (features, labels) with at least one positive label; the same on every
    run (one seed, deterministic LightGBM)."""
    features = np.vstack([rows for rows, _ in lists])
    labels = np.concatenate([labels for _, labels in lists])
    data = lightgbm.Dataset(features, labels, group=[len(rows) for rows, _ in lists])
    booster = lightgbm.train(TREE_PARAMETERS, data, num_boost_round=TREE_ROUNDS)
    return from_lightgbm(booster.dump_model(), features.shape[1])
