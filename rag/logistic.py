"""A standardised logistic model stored as plain JSON: the ranker's and the note picker's form."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np


@dataclass(frozen=True)
class Logistic:
    """Standardised logistic regression: sigmoid(w . (x - mean) / scale + b)."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def scores(self, features: np.ndarray) -> np.ndarray:
        """The linear score: the probabilities' order without the sigmoid."""
        return ((features - self.mean) / self.scale) @ self.weights + self.bias

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        # scores beyond ±500 give 0 or 1 either way; clipped, exp does not overflow on a model fitted to a few rows
        return 1.0 / (1.0 + np.exp(-np.clip(self.scores(features), -500.0, 500.0)))

    def to_dict(self) -> dict:
        return {
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "weights": self.weights.round(6).tolist(),
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_dict(cls, data: object, width: int) -> Logistic | None:
        if not isinstance(data, dict):
            return None
        try:
            arrays = [np.asarray(data[key], dtype=float) for key in ("mean", "scale", "weights")]
            bias = float(data["bias"])
        except (KeyError, TypeError, ValueError):
            return None
        if any(a.shape != (width,) or not np.isfinite(a).all() for a in arrays) or not math.isfinite(bias):
            return None
        return cls(arrays[0], np.where(arrays[1] > 0, arrays[1], 1.0), arrays[2], bias)

    def stored(self, schema: int, names: tuple[str, ...]) -> dict:
        """The model with the schema and the feature names it was trained on, as a model file keeps it."""
        return {"schema": schema, "features": list(names), "model": self.to_dict()}

    @classmethod
    def from_stored(cls, data: object, schema: int, names: tuple[str, ...]) -> Logistic | None:
        """The model :meth:`stored` kept, or None when absent or trained on other features than ``names``."""
        if not isinstance(data, dict) or data.get("schema") != schema or tuple(data.get("features", ())) != names:
            return None
        return cls.from_dict(data.get("model"), len(names))


def is_probability(value: object) -> TypeGuard[float]:
    """A stored threshold: a number from 0 to 1."""
    return isinstance(value, int | float) and 0.0 <= value <= 1.0
