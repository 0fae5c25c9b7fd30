"""How the Rasa server runs: one place for `make run`, the chat benchmark and the test stack.

- One TensorFlow thread per op: the matrices are tiny, thread hand-offs cost more than they
  save, and the action server needs the other core (docs/performance.md).
- One BLAS thread (OpenBLAS, and OpenMP for scikit-learn): the same for numpy's products (DIET's
  intents are worked in numpy, rasa_addons/speedups/diet_numpy.py). With two, OpenBLAS's second
  thread spun after every tiny product: parsing a message took 6.4 ms of CPU for 3.3 ms of work.
- glibc hands memory back: allocations over 128 KB are mapped on their own and freed pages at the
  top of the heap are returned (fixed thresholds; by default both grow with use). Loading the model
  leaves hundreds of MB freed but kept: each worker stood at 950 MB resident, now 780 MB, with no
  more CPU a message (docs/performance.md).
- Sanic workers on asyncio's loop with keep-alive off: each worker takes one new connection per
  wake-up (rasa_addons/balanced_accept.py), so every turn goes to a worker free at that moment.
- Requests of at most 64 KB (Sanic's default is 100 MB): a turn's message is at most 8 KB
  (rasa_addons/channels/rest.py) and Slack's and Teams' events are a few KB.

Only the Rasa server gets these; the action server keeps Sanic's defaults.

    python -m scripts.rasa_runtime 2    # KEY=VALUE lines for scripts/run.sh's `env`
"""

from __future__ import annotations

import sys

RASA_RUNTIME = {
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MALLOC_MMAP_THRESHOLD_": str(128 * 1024),
    "MALLOC_TRIM_THRESHOLD_": str(128 * 1024),
    "SANIC_USE_UVLOOP": "false",
    "SANIC_KEEP_ALIVE": "false",
    "SANIC_REQUEST_MAX_SIZE": str(64 * 1024),
}


def rasa_runtime_env(workers: int) -> dict[str, str]:
    """The Rasa server's settings for ``workers`` worker processes."""
    if workers < 1:
        raise ValueError(f"Rasa needs at least one worker, not {workers}")
    return {**RASA_RUNTIME, "SANIC_WORKERS": str(workers)}


if __name__ == "__main__":
    try:
        env = rasa_runtime_env(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    except ValueError as exc:
        sys.exit(f"RASA_WORKERS must be a whole number of at least 1: {exc}")
    print("\n".join(f"{key}={value}" for key, value in env.items()))
