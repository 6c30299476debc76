"""The learned refusal: a logistic evidence score over the answer's features and the threshold below which the
assistant says the documents do not answer.

The numbers live in ``assistant/trained/refusal.json``, written by ``python -m evals train`` (weights fitted on
the train split, threshold chosen on the dev split) and read once at start. Nothing here is typed in by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.modelfile import TRAINED_DIR, read_model_file, write_model_file

MODEL_FILE = TRAINED_DIR / "refusal.json"
MODEL_VERSION = 1


@dataclass(frozen=True)
class RefusalModel:
    """Feature weights, bias and threshold of the evidence score, with a note of what they were fitted on."""

    weights: dict[str, float]
    bias: float
    threshold: float
    fitted_on: str = ""

    def score(self, features: dict[str, float]) -> float:
        """A 0..1 confidence that the chosen sentences answer the question."""
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict:
        return {
            "version": MODEL_VERSION,
            "weights": self.weights,
            "bias": self.bias,
            "threshold": self.threshold,
            "fitted_on": self.fitted_on,
        }


def read_model(path: Path = MODEL_FILE) -> RefusalModel:
    """The model in ``path``; raises ValueError (English, for developers) when it is missing or malformed."""
    data = read_model_file(path, MODEL_VERSION)
    return RefusalModel(
        {str(k): float(v) for k, v in data["weights"].items()},
        float(data["bias"]),
        float(data["threshold"]),
        str(data.get("fitted_on", "")),
    )


@lru_cache(maxsize=1)
def model() -> RefusalModel:
    """The shipped model, read once."""
    return read_model()


def write_model(refusal: RefusalModel, path: Path = MODEL_FILE) -> None:
    write_model_file(path, refusal.to_json())
