"""The scoring path: a saved framing model applied without importing scikit-learn (for the
MiniLM model), so `discourse score` starts fast. Same numbers as `FramingClassifier`."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np

from discourse.framing.codebook import CUE_NAMES
from discourse.framing.explain import (
    Evidence,
    dense_features,
    dense_rows,
    embedding_features,
    feature_names,
    linear_evidence,
    readable_mask,
    softmax,
)
from discourse.framing.persist import (
    DEFAULT_MODEL_DIR,
    TFIDF_MODELS,
    default_model_name,
    load_saved,
    tfidf_from_saved,
)

__all__ = ["FramingPredictor", "UNCERTAIN", "load_predictor"]

logger = logging.getLogger(__name__)
UNCERTAIN = "uncertain"


class FramingPredictor:
    """Probabilities, labels (with abstention) and evidence from a saved linear head."""

    def __init__(self, name: str, meta: dict, arrays: dict, model_id: str) -> None:
        self.name, self.model_id = name, model_id
        self.classes = list(meta["classes"])
        self.coef, self.intercept = arrays["coef"], arrays["intercept"]
        self.temperature = float(arrays["temperature"][0])
        self.cue_weight = float(meta["params"]["cue_weight"])
        self.abstain_below = float(meta["params"]["abstain_below"])
        self.pooling = meta["params"].get("pooling", "passage")
        self.vectorizer = tfidf_from_saved(meta, arrays, estimator=False) if name in TFIDF_MODELS else None
        self._tuned_state, self._tuned = None, None
        if name == "tuned":
            from discourse.framing.tuned import arrays_to_state, register

            self._tuned_state = arrays_to_state(arrays)
            register(model_id, self.tuned_encoder)
        vocab = []
        if self.vectorizer is not None:
            vocab = [t for t, _ in sorted(meta["vocabulary"].items(), key=lambda kv: kv[1])]
        self.names = feature_names(self.coef.shape[1] - len(CUE_NAMES) - len(vocab), vocab)
        self._encoder = None
        self._centred = self.coef - self.coef.mean(axis=0)
        self._readable = readable_mask(self.names)

    @property
    def embedder(self) -> str | None:
        """Name of the sentence embedder this model reads (None for TF-IDF). For `tuned` it is
        the model id: its cached "vectors" (the fine-tuned logits) belong to these weights."""
        if self.name == "tuned":
            return self.model_id
        return None if self.name == "tfidf" else "fast" if self.name == "fast" else "minilm"

    def tuned_encoder(self):
        """The fine-tuned encoder of a `tuned` model, loaded once (also found by its model id
        through `tuned.encoder_for`, as the store's embedding pass looks it up)."""
        if self._tuned is None:
            from discourse.framing.tuned import TunedEncoder

            self._tuned = TunedEncoder(self._tuned_state, name=self.model_id)
        return self._tuned

    def use_encoder(self, encoder) -> None:
        """Embed through `encoder` (anything with `encode(texts)`), e.g. a cache in the store."""
        self._encoder = encoder

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self._encoder is None and self.name == "fast":
            from discourse.framing.static import StaticEmbedder

            self._encoder = StaticEmbedder.get()
        elif self._encoder is None and self.name == "tuned":
            self._encoder = self.tuned_encoder()
        elif self._encoder is None:
            from discourse.framing.embed import MiniLMEmbedder

            self._encoder = MiniLMEmbedder.get()
        return embedding_features(self._encoder, texts, self.pooling)

    def _base(self, texts: list[str]):
        if self.name == "tfidf":
            return self.vectorizer.transform(texts)
        if self.name in ("hybrid", "tuned"):
            from scipy import sparse

            return sparse.hstack([sparse.csr_matrix(self._embed(texts)), self.vectorizer.transform(texts)]).tocsr()
        return self._embed(texts)

    def _features(self, texts: list[str]):
        return dense_features(self._base(texts), texts, self.cue_weight)

    def _proba(self, features) -> np.ndarray:
        return softmax((np.asarray(features @ self.coef.T) + self.intercept) / self.temperature)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.classes)))
        return self._proba(self._features(texts))

    def label(self, row: np.ndarray) -> str:
        return UNCERTAIN if row.max() < self.abstain_below else self.classes[int(row.argmax())]

    def predict(self, texts: list[str], top: int = 5) -> list[dict]:
        """One record per text: label (or "uncertain"), probs by class, evidence."""
        if not texts:
            return []
        features = self._features(texts)
        proba = self._proba(features)
        out = []
        for i, (text, row) in enumerate(zip(texts, dense_rows(features), strict=True)):
            evidence: list[Evidence] = linear_evidence(text, row, self.coef, int(proba[i].argmax()), self.names, top,
                                                       centred=self._centred, readable=self._readable)
            out.append({"label": self.label(proba[i]),
                        "probs": {c: round(float(p), 4) for c, p in zip(self.classes, proba[i], strict=True)},
                        "evidence": [e.as_dict() for e in evidence]})
        return out


def _torch_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def load_predictor(name: str = "default", folder: str | Path = DEFAULT_MODEL_DIR) -> FramingPredictor:
    """Load a saved model for scoring ("default" = the one `discourse train` chose); falls
    back to TF-IDF, with a warning, when torch is not installed."""
    if name == "default":
        name = default_model_name(folder)
    if name in ("minilm", "hybrid", "tuned") and not _torch_available():
        warnings.warn("torch is not installed: using the TF-IDF framing model instead", stacklevel=2)
        name = "tfidf"
    return FramingPredictor(name, *load_saved(folder, name, with_id=True))
