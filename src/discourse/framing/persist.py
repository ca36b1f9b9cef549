"""Save and load framing models as plain arrays (.npz, loaded with allow_pickle=False) and
JSON, with a manifest holding versions, the label set and the sha256 of every file. A file
whose bytes changed is refused before it is read. No pickle anywhere."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from discourse import __version__
from discourse.errors import DiscourseError
from discourse.framing.codebook import CUE_NAMES, SCHEME_VERSION

__all__ = ["DEFAULT_MODEL_DIR", "default_model_name", "load_model", "load_saved", "model_id", "save_model", "set_default"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "framing"
_MANIFEST = "manifest.json"
TFIDF_MODELS = ("tfidf", "hybrid", "tuned")  # models with a TF-IDF vectorizer


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (what `np.load` reads) with fixed entry dates, so retraining with the same
    data and seed gives byte-identical files and the same sha256 (`np.savez` stamps the time)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            entry = io.BytesIO()
            np.lib.format.write_array(entry, np.asarray(arrays[name]), allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), entry.getvalue())
    return buf.getvalue()


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def save_model(model, folder: str | Path, extra: dict | None = None) -> dict:
    """Write `<embedder>.npz`, `<embedder>.json` and update `manifest.json` in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = model.embedder if model.embedder in TFIDF_MODELS + ("fast",) else "minilm"
    arrays = {"coef": model.coef_, "intercept": model.intercept_, "temperature": np.array([model.temperature_])}
    if name == "tuned":
        from discourse.framing.tuned import state_to_arrays

        arrays.update(state_to_arrays(model.tuned_state_))
    meta = {"embedder": name, "params": {k: v for k, v in model.get_params().items() if k != "embedder"},
            "classes": [str(c) for c in model.classes_], "cue_names": list(CUE_NAMES)}
    if name in TFIDF_MODELS:
        vec = model.vectorizer_
        arrays["idf"] = vec.idf_
        meta["vocabulary"] = {t: int(i) for t, i in vec.vocabulary_.items()}
        meta["vectorizer"] = {k: vec.get_params()[k] for k in ("ngram_range", "min_df", "sublinear_tf", "max_features", "strip_accents")}
    _write(folder / f"{name}.npz", _npz_bytes(arrays))
    _write(folder / f"{name}.json", json.dumps(meta, sort_keys=True).encode())
    manifest_path = folder / _MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {"models": {}}
    manifest.update({"scheme_version": SCHEME_VERSION, "labels": meta["classes"]})
    manifest["models"][name] = {
        "files": {f: _sha256(folder / f) for f in (f"{name}.npz", f"{name}.json")},
        "discourse_version": __version__, **(extra or {}),
    }
    _write(manifest_path, json.dumps(manifest, indent=2, sort_keys=True).encode())
    return manifest


def _verified(folder: Path, name: str) -> dict:
    manifest_path = folder / _MANIFEST
    if not manifest_path.is_file():
        raise DiscourseError(f"framing: no {_MANIFEST} in {folder}; run `discourse train` first")
    entry = json.loads(manifest_path.read_text()).get("models", {}).get(name)
    if entry is None:
        raise DiscourseError(f"framing: no '{name}' model in {folder}; run `discourse train --model {name}`")
    for fname, digest in entry["files"].items():
        path = folder / fname
        if not path.is_file() or _sha256(path) != digest:
            raise DiscourseError(f"framing: {path} is missing or its sha256 does not match {_MANIFEST}; "
                                 "refusing to load a changed model file (retrain or restore it)")
    return entry


def default_model_name(folder: str | Path = DEFAULT_MODEL_DIR) -> str:
    """The model `discourse train` chose as default (by cross-validation on the training split)."""
    path = Path(folder) / _MANIFEST
    if not path.is_file():
        raise DiscourseError(f"framing: no {_MANIFEST} in {folder}; run `discourse train` first")
    manifest = json.loads(path.read_text())
    return manifest.get("default") or ("minilm" if "minilm" in manifest.get("models", {}) else "tfidf")


def set_default(folder: str | Path, name: str) -> None:
    path = Path(folder) / _MANIFEST
    manifest = json.loads(path.read_text())
    manifest["default"] = name
    _write(path, json.dumps(manifest, indent=2, sort_keys=True).encode())


def _id(name: str, entry: dict) -> str:
    return name + "-" + hashlib.sha256("".join(sorted(entry["files"].values())).encode()).hexdigest()[:12]


def model_id(folder: str | Path, name: str) -> str:
    """Short id of a saved model: the hash of its file hashes."""
    return _id(name, _verified(Path(folder), name))


def load_saved(folder: str | Path, name: str, with_id: bool = False):
    """(metadata, arrays) of a saved model, after checking every file's sha256; with
    `with_id`, (metadata, arrays, model id) from that one check."""
    folder = Path(folder)
    entry = _verified(folder, name)
    meta = json.loads((folder / f"{name}.json").read_text())
    if list(meta["cue_names"]) != list(CUE_NAMES):
        raise DiscourseError(f"framing: {folder} was trained with other cue features; retrain it")
    with np.load(folder / f"{name}.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return (meta, arrays, _id(name, entry)) if with_id else (meta, arrays)


def tfidf_from_saved(meta: dict, arrays: dict, estimator: bool = True):
    """The saved TF-IDF vocabulary: scikit-learn's `TfidfVectorizer` (`estimator`), or, for the
    predictor, `tfidf.SavedTfidf`, the same transform without importing scikit-learn."""
    from discourse.framing.tfidf import SavedTfidf, supports

    if not estimator and supports(meta["vectorizer"]):
        return SavedTfidf(meta["vocabulary"], arrays["idf"], **meta["vectorizer"])
    from sklearn.feature_extraction.text import TfidfVectorizer

    cfg = dict(meta["vectorizer"], ngram_range=tuple(meta["vectorizer"]["ngram_range"]))
    vec = TfidfVectorizer(vocabulary=meta["vocabulary"], **cfg)
    vec.idf_ = arrays["idf"]
    return vec


def load_model(folder: str | Path = DEFAULT_MODEL_DIR, name: str = "minilm"):
    """The saved model as a fitted `FramingClassifier` (scikit-learn estimator)."""
    from discourse.framing.model import FramingClassifier

    meta, arrays = load_saved(folder, name)
    model = FramingClassifier(embedder=name, **meta["params"])
    model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
    model.temperature_ = float(arrays["temperature"][0])
    model.classes_ = np.array(meta["classes"])
    if name in TFIDF_MODELS:
        model.vectorizer_ = tfidf_from_saved(meta, arrays)
    if name == "tuned":
        from discourse.framing.tuned import TunedEncoder, arrays_to_state

        model.tuned_state_ = arrays_to_state(arrays)
        model.encoder_ = TunedEncoder(model.tuned_state_, precision="fp32")
    return model


def model_files(name: str, folder: str | Path = DEFAULT_MODEL_DIR) -> dict[str, str]:
    """File name → sha256 of a saved model (checked against the files first)."""
    return dict(_verified(Path(folder), name)["files"])
