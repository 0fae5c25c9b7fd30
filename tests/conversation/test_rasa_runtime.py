"""The Rasa server runs with the same settings from `make run`, the benchmark and the test stack."""

from __future__ import annotations

import subprocess
import sys

from bot.config import PROJECT_ROOT
from scripts.rasa_runtime import rasa_runtime_env


def test_rasa_runs_one_tensorflow_and_one_blas_thread_and_shares_connections_between_its_workers():
    assert rasa_runtime_env(2) == {
        "TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072",
        "SANIC_USE_UVLOOP": "false", "SANIC_KEEP_ALIVE": "false", "SANIC_WORKERS": "2",
        "SANIC_REQUEST_MAX_SIZE": "65536",  # 64 KB, not Sanic's 100 MB
    }


def test_a_rasa_replica_on_its_own_host_runs_with_the_same_threads_and_memory_settings():
    unit = (PROJECT_ROOT / "deploy" / "systemd" / "navigator-rasa.service").read_text()
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        assert f"{key}={rasa_runtime_env(1)[key]}" in unit, key


def test_make_run_refuses_a_worker_count_that_is_not_one_or_more():
    for bad in ("0", "two"):
        out = subprocess.run([sys.executable, "-m", "scripts.rasa_runtime", bad], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, check=False)
        assert out.returncode != 0 and "RASA_WORKERS must be a whole number of at least 1" in out.stderr
