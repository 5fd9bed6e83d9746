"""A boosted tree ensemble stored as plain JSON, scored with numpy: the note picker's order model.

Which of a record's sentences answers depends on how the features combine (a duration asked and a sentence from the
steps that states one, near the word asked), which one weight per feature cannot say. LightGBM fits the trees at
training time only; the service walks them here, every tree at once, so answering needs no LightGBM.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

TREES_KIND = "trees"


@dataclass(frozen=True)
class TreeEnsemble:
    """Nodes of every tree in flat arrays. A split sends a row left when its feature is at most the threshold; a leaf
    points to itself on both sides, so walking ``depth`` steps from each root ends on every row's leaf."""

    width: int  # the number of features a row has
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # a leaf's score; 0 for a split
    roots: np.ndarray
    depth: int

    def scores(self, features: np.ndarray) -> np.ndarray:
        """The sum of each row's leaves: a higher score ranks first."""
        rows = np.arange(len(features))[:, None]
        nodes = np.broadcast_to(self.roots, (len(features), len(self.roots)))
        for _ in range(self.depth):
            goes_left = features[rows, self.feature[nodes]] <= self.threshold[nodes]
            nodes = np.where(goes_left, self.left[nodes], self.right[nodes])
        return self.value[nodes].sum(axis=1)

    def to_dict(self) -> dict:
        """Each array as one line of numbers: the model file stays a few lines long, not one line per node."""
        return {
            "kind": TREES_KIND,
            "width": self.width,
            "depth": self.depth,
            "roots": _line(self.roots),
            "feature": _line(self.feature),
            "threshold": " ".join(repr(float(t)) for t in self.threshold),  # a leaf's is inf: "x <= inf" stays put
            "left": _line(self.left),
            "right": _line(self.right),
            "value": " ".join(f"{v:.6g}" for v in self.value),
        }

    @classmethod
    def from_dict(cls, data: object, width: int) -> TreeEnsemble | None:
        """The stored ensemble, or None unless it is well formed for rows of ``width`` features: every index in
        range, every leaf value finite, no threshold NaN, every walk of ``depth`` steps ending on a leaf."""
        if not isinstance(data, dict) or data.get("kind") != TREES_KIND or data.get("width") != width:
            return None
        try:
            depth = int(data["depth"])
            roots, feature, left, right = (np.asarray(data[key].split(), dtype=np.int64) for key in ("roots", "feature", "left", "right"))
            threshold, value = (np.asarray(data[key].split(), dtype=float) for key in ("threshold", "value"))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
        size = len(feature)
        if not (
            size
            and all(len(a) == size for a in (threshold, left, right, value))
            and len(roots)
            and 0 <= depth <= size
            and all(((a >= 0) & (a < size)).all() for a in (roots, left, right))
            and ((feature >= 0) & (feature < width)).all()
            and np.isfinite(value).all()
            and not np.isnan(threshold).any()
        ):
            return None
        is_leaf = (left == np.arange(size)) & (right == np.arange(size))
        reached = np.unique(roots)
        for _ in range(depth):
            reached = np.unique(np.concatenate([left[reached], right[reached]]))
        if not is_leaf[reached].all():
            return None
        return cls(width, feature, threshold, left, right, value, roots, depth)


def from_lightgbm(dump: dict[str, Any], width: int) -> TreeEnsemble:
    """The ensemble of a LightGBM ``Booster.dump_model()``: numerical splits on "<=" only, as our features are."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    depth = 0

    def add(node: dict[str, Any], level: int) -> int:
        nonlocal depth
        index = len(feature)
        feature.append(0)
        threshold.append(math.inf)
        left.append(index)
        right.append(index)
        value.append(0.0)
        if "leaf_value" in node:
            value[index] = float(node["leaf_value"])
            depth = max(depth, level)
            return index
        if node.get("decision_type") != "<=":
            raise ValueError(f"unsupported split {node.get('decision_type')!r}")
        feature[index] = int(node["split_feature"])
        threshold[index] = float(node["threshold"])
        left[index] = add(node["left_child"], level + 1)
        right[index] = add(node["right_child"], level + 1)
        return index

    roots = [add(tree["tree_structure"], 0) for tree in dump["tree_info"]]
    return TreeEnsemble(
        width,
        np.asarray(feature, dtype=np.int64),
        np.asarray(threshold, dtype=float),
        np.asarray(left, dtype=np.int64),
        np.asarray(right, dtype=np.int64),
        np.asarray(value, dtype=float),
        np.asarray(roots, dtype=np.int64),
        depth,
    )


def _line(numbers: np.ndarray) -> str:
    return " ".join(str(int(n)) for n in numbers)
