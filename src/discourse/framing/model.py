"""Framing classifiers with the scikit-learn estimator API.

`FramingClassifier` puts a calibrated linear head (multinomial logistic regression, then
temperature scaling fitted on out-of-fold logits) over either MiniLM sentence embeddings
(`embedder="minilm"`, the default) or TF-IDF n-grams (`embedder="tfidf"`, the fast
fallback), plus the codebook's stance cues as extra features. `LexiconClassifier` is the
codebook-keyword baseline. Both return probabilities over `classes_`
(collaborative, heroic, neutral) and readable evidence through `explain`.
"""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from discourse.framing.codebook import CUE_NAMES, LABELS, cue_matrix
from discourse.framing.explain import (
    Evidence,
    cue_evidence,
    dense_features,
    dense_rows,
    embedding_features,
    feature_names,
    linear_evidence,
    softmax,
    stance_evidence,
)

__all__ = ["Evidence", "FramingClassifier", "LexiconClassifier", "UNCERTAIN", "grouped_folds"]

logger = logging.getLogger(__name__)
UNCERTAIN = "uncertain"


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature T minimising the negative log-likelihood of softmax(logits / T)."""
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        p = softmax(logits / np.exp(log_t))
        return -float(np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))


def _check_texts(X) -> list[str]:
    texts = list(X)
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("framing models take an iterable of str (passage texts)")
    return texts


def grouped_folds(y, groups, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(fit rows, held-out rows) pairs for `k`-fold cross-validation. Without groups:
    stratified folds of all rows. With groups: only rows with a group (e.g. the source file
    of a real passage) are held out, and no group is in two folds; rows whose group is None
    (e.g. written passages) are always fitted on, never scored."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    y = np.asarray(y)
    if groups is None:
        return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(y, y))
    groups = np.asarray(groups, dtype=object)
    has_group = np.array([g is not None for g in groups], dtype=bool)
    scored, always = np.flatnonzero(has_group), np.flatnonzero(~has_group)
    folds = StratifiedGroupKFold(k, shuffle=True, random_state=seed).split(scored, y[scored], groups[scored].astype(str))
    return [(np.concatenate([scored[a], always]), scored[b]) for a, b in folds]


def MINILM():  # noqa: N802 - a lazily loaded singleton
    """MiniLM in fp32: training and the estimator API use the reference precision, so
    `discourse train` rebuilds the shipped models exactly on any CPU (scoring through
    `FramingPredictor` uses the faster default; its effect is measured in benchmarks/)."""
    from discourse.framing.embed import MiniLMEmbedder

    return MiniLMEmbedder.get("fp32")


def FAST():  # noqa: N802 - a lazily loaded singleton
    from discourse.framing.static import StaticEmbedder

    return StaticEmbedder.get()


# embedders a model can be trained on by name (others are passed as objects)
ENCODERS = {"minilm": MINILM, "fast": FAST}


class LexiconClassifier(ClassifierMixin, BaseEstimator):
    """Codebook keyword baseline: counts heroic and collaborative cue phrases, with the
    stance cues moving weight across (critique of heroic → collaborative, dismissal of
    collaboration → heroic). No learning beyond the label set."""

    def __init__(self, *, stance_weight: float = 2.0, neutral_margin: float = 0.5) -> None:
        self.stance_weight = stance_weight
        self.neutral_margin = neutral_margin

    def fit(self, X, y):
        _check_texts(X)
        self.classes_ = np.array(sorted(set(y) | set(LABELS)))
        return self

    def _scores(self, texts: list[str]) -> np.ndarray:
        counts = np.expm1(cue_matrix(texts))  # back to raw counts
        c = {name: counts[:, i] for i, name in enumerate(CUE_NAMES)}
        w = self.stance_weight
        heroic = c["heroic_terms"] + w * c["dismissal_of_collaboration"] + c["first_person_command"] - w * c["critique_of_heroic"]
        collab = c["collab_terms"] + w * c["critique_of_heroic"] - w * c["dismissal_of_collaboration"]
        neutral = np.full(len(texts), self.neutral_margin)
        by_label = {"collaborative": collab, "heroic": heroic, "neutral": neutral}
        return np.stack([by_label[label] for label in self.classes_], axis=1)

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "classes_")
        return softmax(self._scores(_check_texts(X)))

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def explain(self, X, top: int = 5) -> list[list[Evidence]]:
        texts = _check_texts(X)
        return [(stance_evidence(t) + cue_evidence(t))[:top] for t in texts]


class FramingClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated linear framing classifier over sentence embeddings or TF-IDF, plus cues.

    Parameters are stored unchanged; `embedder` is "minilm", "tfidf", "hybrid" (MiniLM
    embeddings and TF-IDF n-grams side by side), "tuned" (the logits of MiniLM fine-tuned
    on the labels, stacked with TF-IDF n-grams: `discourse.framing.tuned`), or an object with
    `encode(list[str]) -> ndarray` (tests pass a tiny stub). `pooling` is "passage" (one
    embedding per passage) or "sentences" (also the mean and max of its sentence embeddings;
    see `explain.embedding_features`).

    `blend` (models with TF-IDF next to other features: "hybrid", "tuned") mixes in a second
    head fitted on the TF-IDF n-grams and cues alone (C = `blend_C`, the TF-IDF model's): the
    logits are (1 − blend) × the full head's + blend × the TF-IDF head's. Both heads are
    linear in the same features, so the mix is one linear model (one set of weights, the
    same evidence); its temperature is fitted on the mixed out-of-fold logits. With two
    differently regularised heads the n-grams cannot crowd out the encoder's logits in one
    penalty (grouped CV on the training split chooses `blend`; model card).
    """

    def __init__(self, *, embedder="minilm", C: float = 1.0, cue_weight: float = 1.0, pooling: str = "passage",
                 abstain_below: float = 0.5, calibration_folds: int = 5, random_state: int = 0,
                 blend: float = 0.0, blend_C: float = 2.0) -> None:
        self.embedder = embedder
        self.pooling = pooling
        self.C = C
        self.blend = blend
        self.blend_C = blend_C
        self.cue_weight = cue_weight
        self.abstain_below = abstain_below
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    # -- features -----------------------------------------------------------
    def _encoder(self):
        return ENCODERS[self.embedder]() if self.embedder in ENCODERS else self.embedder

    def _uses_tfidf(self) -> bool:
        return self.embedder in ("tfidf", "hybrid", "tuned")

    def _dense(self, texts: list[str]):
        if self.embedder == "tfidf":
            return self.vectorizer_.transform(texts)
        if self.embedder == "hybrid":
            from scipy import sparse

            emb = embedding_features(MINILM(), texts, self.pooling)
            return sparse.hstack([sparse.csr_matrix(emb), self.vectorizer_.transform(texts)]).tocsr()
        if self.embedder == "tuned":
            return self._stacked(self.encoder_.encode(texts), texts)
        return embedding_features(self._encoder(), texts, self.pooling)

    def _stacked(self, logits: np.ndarray, texts: list[str]):
        from scipy import sparse

        return sparse.hstack([sparse.csr_matrix(np.asarray(logits, dtype=np.float64)),
                              self.vectorizer_.transform(texts)]).tocsr()

    def _features(self, texts: list[str]):
        return dense_features(self._dense(texts), texts, self.cue_weight)

    def feature_names(self) -> list[str]:
        check_is_fitted(self, "coef_")
        vocab = list(self.vectorizer_.get_feature_names_out()) if self._uses_tfidf() else []
        n_emb = self.coef_.shape[1] - len(CUE_NAMES) - len(vocab)
        return feature_names(n_emb, vocab)

    # -- fitting ------------------------------------------------------------
    def _head(self, C: float | None = None):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C if C is None else C, class_weight="balanced", max_iter=3000,
                                  random_state=self.random_state)

    def _fit_heads(self, features, y: np.ndarray, w: np.ndarray, wb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(classes, coef, intercept) of the head, mixed with the TF-IDF head when `blend`
        (fitted with weights `wb` on the columns after the leading non-TF-IDF ones)."""
        keep = np.flatnonzero(w > 0)
        head = self._head().fit(features[keep], y[keep], sample_weight=w[keep])
        coef, intercept = head.coef_, head.intercept_
        if self.blend > 0:
            lead = features.shape[1] - len(self.vectorizer_.vocabulary_) - len(CUE_NAMES)
            keep = np.flatnonzero(wb > 0)
            other = self._head(self.blend_C).fit(features[keep][:, lead:], y[keep], sample_weight=wb[keep])
            coef = (1 - self.blend) * coef
            coef[:, lead:] += self.blend * other.coef_
            intercept = (1 - self.blend) * intercept + self.blend * other.intercept_
        return head.classes_, coef, intercept

    def _oof_logits(self, features, y: np.ndarray, w: np.ndarray, wb: np.ndarray, groups) -> tuple[np.ndarray, np.ndarray]:
        """Held-out logits and their rows, for temperature scaling."""
        logits, rows = [], []
        for fit_idx, held in grouped_folds(y, groups, self.calibration_folds, self.random_state):
            _, coef, intercept = self._fit_heads(features[fit_idx], y[fit_idx], w[fit_idx], wb[fit_idx])
            logits.append(np.asarray(features[held] @ coef.T) + intercept)
            rows.append(held)
        return np.vstack(logits), np.concatenate(rows)

    def fit(self, X, y, sample_weight=None, groups=None, tuned=None, blend_weight=None):
        """Fit on texts `X` and labels `y`. `sample_weight` weights the head's loss (a weight
        of 0 drops a text, e.g. written passages). `groups` (e.g. source file; None for texts
        that are always training data) keeps a group out of two calibration folds, so the
        temperature is fitted on logits of unseen groups only. `blend_weight`: the weights
        of the TF-IDF head mixed in when `blend` > 0 (default: `sample_weight`).

        `tuned` (embedder "tuned" only): (encoder, out-of-fold logits of `X`, state or None),
        to reuse one set of fine-tuning runs across several fits (cross-validation); without
        it the encoder is fine-tuned here (`tuned.fit_stack`, with `sample_weight`)."""
        texts, y = _check_texts(X), np.asarray(y)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} labels")
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if w.shape != (len(y),) or (w < 0).any() or not (w > 0).any():
            raise ValueError("sample_weight needs one non-negative weight per text, not all zero")
        wb = w if blend_weight is None else np.asarray(blend_weight, dtype=float)
        if wb.shape != (len(y),) or (wb < 0).any() or not (wb > 0).any():
            raise ValueError("blend_weight needs one non-negative weight per text, not all zero")
        if not 0 <= self.blend < 1:
            raise ValueError(f"blend must be in [0, 1), not {self.blend}")
        if self.blend > 0 and self.embedder not in ("hybrid", "tuned"):
            raise ValueError("blend mixes in a TF-IDF head: only for embedder 'hybrid' or 'tuned'")
        if self._uses_tfidf():
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                               max_features=30000, strip_accents="unicode")
            self.vectorizer_.fit([t for t, wi, wbi in zip(texts, w, wb, strict=True) if wi > 0 or (self.blend > 0 and wbi > 0)])
        if self.embedder == "tuned":
            features = dense_features(self._stacked(self._fit_tuned(texts, y, w, groups, tuned), texts), texts,
                                      self.cue_weight)
        else:
            features = self._features(texts)
        self.classes_, self.coef_, self.intercept_ = self._fit_heads(features, y, w, wb)
        self.temperature_ = 1.0
        if self.calibration_folds >= 2:  # fewer: no temperature scaling (cross-validation inner fits)
            oof, rows = self._oof_logits(features, y, w, wb, groups)
            self.temperature_ = _fit_temperature(oof, np.searchsorted(self.classes_, y[rows]))
        return self

    def _fit_tuned(self, texts: list[str], y: np.ndarray, w: np.ndarray, groups, tuned) -> np.ndarray:
        """Set the fine-tuned encoder; return the out-of-fold logits the head learns from."""
        from discourse.framing.tuned import TunedEncoder, fit_stack, round_state

        if tuned is None:
            classes = np.array(sorted(set(y)))
            state, oof = fit_stack(texts, np.searchsorted(classes, y), w, groups, len(classes),
                                   folds=max(self.calibration_folds, 2), seed=self.random_state)
            state = round_state(state)
            tuned = (TunedEncoder(state, precision="fp32"), oof, state)
        self.encoder_, oof, self.tuned_state_ = tuned
        if len(oof) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(oof)} rows of out-of-fold logits")
        return np.asarray(oof)

    # -- prediction ---------------------------------------------------------
    def _logits(self, features) -> np.ndarray:
        return np.asarray(features @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        texts = _check_texts(X)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return softmax(self._logits(self._features(texts)) / self.temperature_)

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def predict_labels(self, X) -> list[str]:
        """Like `predict`, but "uncertain" where the top probability is below `abstain_below`."""
        proba = self.predict_proba(X)
        return [UNCERTAIN if row.max() < self.abstain_below else str(self.classes_[row.argmax()]) for row in proba]

    def explain(self, X, top: int = 5) -> list[list[Evidence]]:
        """Evidence per text for its predicted class: the features that pushed it there
        (weight × value; n-grams for TF-IDF, cue phrases for both) and the stance rule
        where it fired."""
        check_is_fitted(self, "coef_")
        texts = _check_texts(X)
        features = self._features(texts)
        names = self.feature_names()
        proba = self.predict_proba(texts)
        out = []
        for i, (text, row) in enumerate(zip(texts, dense_rows(features), strict=True)):
            out.append(linear_evidence(text, row, self.coef_, int(proba[i].argmax()), names, top))
        return out
