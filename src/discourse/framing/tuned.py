"""MiniLM fine-tuned for framing: the top layers of all-MiniLM-L6-v2 trained with a softmax
head on the annotation set, used as a stacked feature of the `tuned` framing model.

Why: a linear head over frozen sentence embeddings reads topic more than stance (the
embedding of "the chief executive alone decides" and of "no chief executive can decide
alone" are close). Training the top `layers` transformer layers on the labelled passages
lets the encoder weigh the words that carry a stance. Grouped cross-validation on the
training split (model card) chose this over the frozen models.

How it enters the classifier (stacking): the fine-tuned model's three logits are features
of the same calibrated linear head as the other models, next to TF-IDF n-grams and the
codebook cues, so evidence stays readable (n-grams, cues, the stance rule). The head is fit
on *out-of-fold* logits (`fit_stack`: the encoder is fine-tuned k times, each time without
the passages it then scores), so it learns how far to trust the encoder on text it has not
seen; prediction uses the encoder fine-tuned on the whole training split.

Only the tuned layers and the head are saved (float16, inside the model's .npz); the bottom
layers, embeddings and tokenizer are the shipped MiniLM's, checked by sha256 at load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from discourse.framing.embed import (
    _LAYERS,
    _WIDTH_STEP,
    EMBED_DIM,
    MiniLMEmbedder,
    TextCache,
    _embed_tokens,
    _run_layers,
    mean_pool,
    padded_ids,
)

__all__ = ["TuneSettings", "TunedEncoder", "Tuner", "stack_folds"]

_SCALE = 10.0  # the pooled unit vector is scaled before the head (cosine-softmax style)
PREFIX = "enc."  # array names of the tuned weights in the saved .npz


@dataclass(frozen=True)
class TuneSettings:
    """Fine-tuning settings. Chosen by grouped CV on the training split (benchmarks of the
    model card); not tuned on the test split."""

    layers: int = 3  # top layers trained; the bottom ones stay the shipped MiniLM
    epochs: int = 5
    lr: float = 1.5e-4  # encoder layers (AdamW, linear warm-up over 10 %, then linear decay)
    head_lr: float = 2e-3
    batch: int = 16
    dropout: float = 0.1
    weight_decay: float = 0.01


DEFAULT_SETTINGS = TuneSettings()


def _pad(rows: list):
    """Stack variable-length (tokens × 384) tensors into a padded batch and its mask."""
    import torch

    n = -(-max(len(r) for r in rows) // _WIDTH_STEP) * _WIDTH_STEP
    x = torch.zeros(len(rows), n, EMBED_DIM, dtype=rows[0].dtype)
    mask = torch.zeros(len(rows), n, dtype=torch.long)
    for i, r in enumerate(rows):
        x[i, :len(r)] = r
        mask[i, :len(r)] = 1
    return x, mask


def _length_batches(rows: np.ndarray, lengths: np.ndarray, batch: int, rng: np.random.Generator | None) -> list:
    """Batches of similar length (little padding); shuffled within and across when `rng`."""
    rows = rng.permutation(rows) if rng is not None else np.asarray(rows)
    out = []
    for start in range(0, len(rows), batch * 20):
        chunk = sorted(rows[start:start + batch * 20], key=lambda j: lengths[j])
        out += [chunk[i:i + batch] for i in range(0, len(chunk), batch)]
    if rng is not None:
        rng.shuffle(out)
    return out


class Tuner:
    """Fine-tunes on a fixed list of texts: the frozen bottom layers run once per text
    (`layers` set how many are trained), then each `fit` trains a fresh copy of the top
    layers and a head on chosen rows. fp32 throughout (reproducible with the seed)."""

    def __init__(self, texts: list[str], settings: TuneSettings | None = None) -> None:
        import torch

        self.settings = s = settings or DEFAULT_SETTINGS
        if not 1 <= s.layers <= _LAYERS:
            raise ValueError(f"layers must be 1..{_LAYERS}")
        self.base = MiniLMEmbedder.get("fp32")
        self.bottom = _LAYERS - s.layers
        ids = [e.ids for e in self.base.tokenizer.encode_batch([t or " " for t in texts])]
        self.lengths = np.array([len(t) for t in ids])
        self.states = [None] * len(texts)
        with torch.inference_mode():
            for chunk in _length_batches(np.arange(len(texts)), self.lengths, 32, None):
                tok, mask = padded_ids([ids[j] for j in chunk])
                x = _run_layers(_embed_tokens(tok, self.base.weights), mask, self.base.weights, range(self.bottom))
                for row, j in enumerate(chunk):
                    self.states[j] = x[row, :self.lengths[j]].clone()

    def _logits(self, params: dict, head, rows, train: bool):
        import torch.nn.functional as F

        x, mask = _pad([self.states[j] for j in rows])
        pooled = mean_pool(_run_layers(x, mask, params, range(self.bottom, _LAYERS)), mask)
        if train:
            pooled = F.dropout(pooled, self.settings.dropout)
        return head(pooled * _SCALE)

    def fit(self, rows: np.ndarray, y: np.ndarray, weights: np.ndarray, n_classes: int, seed: int = 0) -> dict[str, np.ndarray]:
        """Train on `rows` (indices into the texts) with labels `y` (class indices, one per
        row) and per-row loss weights; classes are balanced by weight. Returns the state
        (tuned layers' weights and the head) as float32 arrays."""
        import torch
        import torch.nn.functional as F

        s = self.settings
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        params = {k: v.detach().clone().requires_grad_(True) for k, v in self.base.weights.items()
                  if any(k.startswith(f"encoder.layer.{i}.") for i in range(self.bottom, _LAYERS))}
        head = torch.nn.Linear(EMBED_DIM, n_classes)
        rows, y, weights = np.asarray(rows), np.asarray(y), np.asarray(weights, dtype=float)
        keep = weights > 0
        rows, y, weights = rows[keep], y[keep], weights[keep]
        by_row = dict(zip(rows.tolist(), zip(y.tolist(), weights.tolist(), strict=True), strict=True))
        counts = np.bincount(y, weights=weights, minlength=n_classes)
        class_w = torch.tensor(counts.sum() / (n_classes * np.maximum(counts, 1e-9)), dtype=torch.float32)
        opt = torch.optim.AdamW([{"params": list(params.values()), "lr": s.lr},
                                 {"params": list(head.parameters()), "lr": s.head_lr}], weight_decay=s.weight_decay)
        steps = s.epochs * -(-len(rows) // s.batch)
        warm = max(1, int(0.1 * steps))
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / warm) * max(0.0, 1 - k / steps))
        for _ in range(s.epochs):
            for batch in _length_batches(rows, self.lengths, s.batch, rng):
                target = torch.tensor([by_row[j][0] for j in batch])
                w = torch.tensor([by_row[j][1] for j in batch], dtype=torch.float32)
                loss = F.cross_entropy(self._logits(params, head, batch, True), target, weight=class_w, reduction="none")
                loss = (loss * w).sum() / w.sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        state = {k: v.detach().numpy().copy() for k, v in params.items()}
        state["head.weight"], state["head.bias"] = head.weight.detach().numpy().copy(), head.bias.detach().numpy().copy()
        return state

    def logits(self, state: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        """Logits of `rows` under a fitted state."""
        import torch

        params = {k: torch.from_numpy(v) for k, v in state.items() if k.startswith("encoder.")}
        head = torch.nn.Linear(EMBED_DIM, state["head.bias"].shape[0])
        with torch.no_grad():
            head.weight.copy_(torch.from_numpy(state["head.weight"]))
            head.bias.copy_(torch.from_numpy(state["head.bias"]))
        out = np.zeros((len(rows), state["head.bias"].shape[0]), np.float32)
        where = {j: i for i, j in enumerate(np.asarray(rows).tolist())}
        with torch.inference_mode():
            for batch in _length_batches(np.asarray(rows), self.lengths, 64, None):
                out[[where[j] for j in batch]] = self._logits(params, head, batch, False).numpy()
        return out


def stack_folds(groups: list, y: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds for out-of-fold encoder logits over *every* row: rows with a group (real
    passages, by source file) as in `grouped_folds`; rows without one (written passages)
    spread over the folds by a seeded shuffle, so they get out-of-fold logits too."""
    from discourse.framing.model import grouped_folds

    if all(g is None for g in groups):
        return grouped_folds(y, None, k, seed)
    free = np.flatnonzero(np.array([g is None for g in groups], dtype=bool))
    shuffled = np.random.default_rng(seed).permutation(free)
    out = []
    for f, (_, held) in enumerate(grouped_folds(y, groups, k, seed)):
        held = np.concatenate([held, shuffled[f::k]])
        fit = np.setdiff1d(np.arange(len(y)), held)
        out.append((fit, np.sort(held)))
    return out


def fit_stack(texts: list[str], y_idx: np.ndarray, weights: np.ndarray, groups: list | None, n_classes: int,
              folds: int = 5, seed: int = 0, settings: TuneSettings | None = None) -> tuple[dict, np.ndarray]:
    """(state fine-tuned on every row, out-of-fold logits of every row)."""
    tuner = Tuner(texts, settings)
    groups = groups if groups is not None else [None] * len(texts)
    oof = np.zeros((len(texts), n_classes), np.float32)
    for fit, held in stack_folds(groups, np.asarray(y_idx), folds, seed):
        state = tuner.fit(fit, y_idx[fit], weights[fit], n_classes, seed)
        oof[held] = tuner.logits(state, held)
    full = tuner.fit(np.arange(len(texts)), y_idx, weights, n_classes, seed)
    return full, oof


def state_to_arrays(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Arrays to save: the tuned weights in float16 (half the size; the model card's test
    figures are computed from the saved, rounded weights)."""
    return {PREFIX + k: v.astype(np.float16) for k, v in state.items()}


def arrays_to_state(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k[len(PREFIX):]: v.astype(np.float32) for k, v in arrays.items() if k.startswith(PREFIX)}


def round_state(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The state as it will be after saving (float16 round trip)."""
    return arrays_to_state(state_to_arrays(state))


# `tuned` models known in this process, by model id: a loader each (`register`, called by
# the predictor that read the model) and the encoders loaded (`encoder_for`)
_LOADERS: dict[str, Callable[[], TunedEncoder]] = {}
LOADED: dict[str, TunedEncoder] = {}


def register(model_id: str, loader: Callable[[], TunedEncoder]) -> None:
    _LOADERS[model_id] = loader


def encoder_for(model_id: str) -> TunedEncoder:
    """The fine-tuned encoder stored under `model_id` ("tuned-…"), the embedder name the
    store and `discourse.pipeline.embeddings` use: one registered in this process, else the
    installed default model's when its id matches (a Dask worker)."""
    if model_id not in LOADED and model_id in _LOADERS:
        LOADED[model_id] = _LOADERS[model_id]()
    if model_id not in LOADED:
        from discourse.errors import DiscourseError
        from discourse.framing.persist import DEFAULT_MODEL_DIR, load_saved
        from discourse.framing.persist import model_id as saved_id

        if saved_id(DEFAULT_MODEL_DIR, "tuned") != model_id:
            raise DiscourseError(f"framing: embedder {model_id} is not the installed tuned model "
                                 f"({saved_id(DEFAULT_MODEL_DIR, 'tuned')}); a worker can only load the installed one")
        LOADED[model_id] = TunedEncoder(arrays_to_state(load_saved(DEFAULT_MODEL_DIR, "tuned")[1]), name=model_id)
    return LOADED[model_id]


class TunedEncoder:
    """`encode(texts)` → the fine-tuned model's logits (n × classes), the stacked feature of
    the `tuned` framing model. Runs the shipped MiniLM's bottom layers with the tuned top
    layers; bf16 where the CPU has it ("auto"), like `MiniLMEmbedder`."""

    context_free = False

    def __init__(self, state: dict[str, np.ndarray], precision: str = "auto", name: str = "tuned") -> None:
        import torch

        self.base = MiniLMEmbedder.get(precision)
        self.name = name
        dtype = self.base.weights["embeddings.word_embeddings.weight"].dtype
        tuned = {k: torch.from_numpy(np.ascontiguousarray(v)).to(dtype) for k, v in state.items() if k.startswith("encoder.")}
        layers = sorted({int(k.split(".")[2]) for k in tuned})
        if not layers or layers != list(range(layers[0], _LAYERS)):
            raise ValueError("a tuned state needs the top layers of MiniLM, contiguous up to the last")
        self.bottom = layers[0]
        self.weights = {**self.base.weights, **tuned}
        self.head_w = torch.from_numpy(np.ascontiguousarray(state["head.weight"])).float()
        self.head_b = torch.from_numpy(np.ascontiguousarray(state["head.bias"])).float()
        self.dim = int(self.head_b.shape[0])
        # the base embedder whose vectors `encode_pair` also gives (same weights and precision)
        self.companion = "minilm" if precision == "auto" else None
        self._cache = TextCache()

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._run(texts, base=False)[0]

    def clear_cache(self) -> None:
        """Forget the logits computed in this process (benchmarks time fresh passes)."""
        self._cache.clear()

    def encode_pair(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(logits, base MiniLM passage vectors) from one pass: the shared bottom layers run
        once, then the tuned top layers and the shipped ones (the `companion` embedder's
        vector, as `MiniLMEmbedder.encode` computes it, up to bf16 rounding)."""
        return self._run(texts, base=True)

    def _run(self, texts: list[str], base: bool) -> tuple[np.ndarray, np.ndarray | None]:
        import torch

        out = np.zeros((len(texts), self.dim), np.float32)
        vectors = np.zeros((len(texts), EMBED_DIM), np.float32) if base else None
        rows = (TextCache(0) if base else self._cache).split(texts, out)  # base vectors are not cached here
        todo = list(rows)
        ids = [e.ids for e in self.base.tokenizer.encode_batch([texts[rows[k][0]] or " " for k in todo])]
        lengths = np.array([len(t) for t in ids])
        with torch.inference_mode():
            for batch in _length_batches(np.arange(len(todo)), lengths, self.base.batch_size, None):
                tok, mask = padded_ids([ids[j] for j in batch])
                full = None if bool(mask.all()) else mask
                x = _run_layers(_embed_tokens(tok, self.weights), full, self.weights, range(self.bottom))
                top = _run_layers(x, full, self.weights, range(self.bottom, _LAYERS))
                logits = ((mean_pool(top.float(), mask) * _SCALE) @ self.head_w.T + self.head_b).numpy()
                if base:
                    shipped = mean_pool(_run_layers(x, full, self.base.weights, range(self.bottom, _LAYERS)).float(), mask)
                    for j, vec in zip(batch, shipped.numpy(), strict=True):
                        vectors[rows[todo[j]]] = vec
                for j, vec in zip(batch, logits, strict=True):
                    out[rows[todo[j]]] = vec
                    self._cache.put(todo[j], vec)
        return out, vectors
