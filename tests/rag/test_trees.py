import json

import lightgbm
import numpy as np
import pytest

from rag.listwise import TREE_PARAMETERS, fit_ranking_trees
from rag.trees import TreeEnsemble, from_lightgbm


def _lists(seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Lists of six items where the second feature, through a step, marks the right one."""
    rng = np.random.default_rng(seed)
    lists = []
    for number in range(60):
        features = rng.normal(size=(6, 4))
        labels = np.zeros(6, dtype=int)
        labels[number % 6] = 1
        features[:, 1] = np.where(labels == 1, 2.0, 0.0) + rng.integers(0, 2, size=6) * 0.5
        lists.append((features, labels))
    return lists


def test_the_walk_through_the_stored_trees_scores_as_lightgbm_does():
    lists = _lists()
    features = np.vstack([rows for rows, _ in lists])
    data = lightgbm.Dataset(features, np.concatenate([labels for _, labels in lists]), group=[6] * len(lists))
    booster = lightgbm.train(TREE_PARAMETERS, data, num_boost_round=20)
    trees = from_lightgbm(booster.dump_model(), 4)
    assert np.allclose(trees.scores(features), booster.predict(features))
    again = TreeEnsemble.from_dict(json.loads(json.dumps(trees.to_dict())), 4)
    assert again is not None and np.allclose(again.scores(features), trees.scores(features), atol=1e-4)


def test_the_ranking_trees_put_the_marked_item_first_and_are_the_same_on_every_run():
    trees = fit_ranking_trees(_lists())
    fresh = _lists(seed=1)
    assert sum(int(np.argmax(trees.scores(rows))) == int(np.argmax(labels)) for rows, labels in fresh) >= 55
    assert fit_ranking_trees(_lists()).to_dict() == trees.to_dict()


def test_a_tree_of_one_leaf_scores_its_value():
    trees = from_lightgbm({"tree_info": [{"tree_structure": {"leaf_value": 0.25}}]}, 3)
    assert trees.scores(np.zeros((2, 3))).tolist() == [0.25, 0.25]


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "logistic"},
        {"width": 5},
        {"roots": "7"},  # past the last node
        {"left": "1 1 0"},  # the second leaf loops back to the split
        {"depth": 0},  # a walk of no steps ends on the split, not a leaf
        {"feature": "4 0 0"},  # a feature the rows do not have
        {"value": "0 nan 1"},
        {"threshold": "high inf inf"},
        {"threshold": "nan inf inf"},
        {"left": "1 1"},  # arrays of different lengths
        {"left": [1, 1, 2]},
    ],
)
def test_a_malformed_stored_ensemble_is_ignored(change):
    split = {
        "split_feature": 2,
        "threshold": 0.5,
        "decision_type": "<=",
        "left_child": {"leaf_value": -1.0},
        "right_child": {"leaf_value": 1.0},
    }
    stored = from_lightgbm({"tree_info": [{"tree_structure": split}]}, 4).to_dict()
    assert TreeEnsemble.from_dict(stored, 4) is not None
    assert TreeEnsemble.from_dict(stored | change, 4) is None


def test_a_split_lightgbm_can_make_but_our_features_never_need_is_refused():
    split = {
        "split_feature": 0,
        "threshold": "1||2",
        "decision_type": "==",
        "left_child": {"leaf_value": 0},
        "right_child": {"leaf_value": 1},
    }
    with pytest.raises(ValueError, match="unsupported split"):
        from_lightgbm({"tree_info": [{"tree_structure": split}]}, 2)
