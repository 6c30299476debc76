"""The learned answer selector: how likely a candidate unit is to be (part of) the answer, from its feature row
(``assistant.features``), and how close to the best a runner-up must come to be quoted as well.

The numbers live in ``assistant/trained/selector.json``, written by ``python -m evals train`` (weights fitted on the
train split's units, labelled by the gold quotes; the regularisation and the runner-up ratios chosen on the dev split
by the answers' fact recall) and read once at start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.modelfile import TRAINED_DIR, read_model_file, write_model_file

MODEL_FILE = TRAINED_DIR / "selector.json"
MODEL_VERSION = 1


@dataclass(frozen=True)
class SelectorModel:
    """Logistic weights over the unit features, and the share of the best unit's probability a runner-up needs:
    from the same document, and from another document."""

    weights: dict[str, float]
    bias: float
    same_document_ratio: float
    other_document_ratio: float
    fitted_on: str = ""

    def probability(self, features: dict[str, float]) -> float:
        """A 0..1 estimate that the unit answers the question."""
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {
            "version": MODEL_VERSION,
            "weights": self.weights,
            "bias": self.bias,
            "same_document_ratio": self.same_document_ratio,
            "other_document_ratio": self.other_document_ratio,
            "fitted_on": self.fitted_on,
        }


def read_model(path: Path = MODEL_FILE) -> SelectorModel:
    """The model in ``path``; raises ValueError (English, for developers) when it is missing or malformed."""
    data = read_model_file(path, MODEL_VERSION)
    return SelectorModel(
        {str(k): float(v) for k, v in data["weights"].items()},
        float(data["bias"]),
        float(data["same_document_ratio"]),
        float(data["other_document_ratio"]),
        str(data.get("fitted_on", "")),
    )


@lru_cache(maxsize=1)
def model() -> SelectorModel:
    """The shipped model, read once."""
    return read_model()


def write_model(selector: SelectorModel, path: Path = MODEL_FILE) -> None:
    write_model_file(path, selector.to_json())
