"""A standardised logistic model stored as plain JSON: the ranker's and the note picker's form."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Logistic:
    """Standardised logistic regression: sigmoid(w . (x - mean) / scale + b)."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

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
