"""The scaled topology on one machine, as it would run across hosts (`make run-scaled`, tests/scaled).

    PostgreSQL   knowledge base + conversations (Rasa's tracker store)
    Redis        Rasa's lock store (rasa_addons/redis_lock_store.py: tickets issued atomically)
    2 x action server, 2 x Rasa server, the API
    HAProxy      in front of the Rasa servers (a conversation's turns hashed to one replica by
                 the API's X-Conversation header, with health checks and failover) and of the
                 action servers (round robin, health checks)

Every server listens on 127.0.0.1, on free ports unless given. PostgreSQL and Redis already
running on their standard ports are used (a database ``navigator_scaled`` and Redis db 2);
where none is running, a throwaway one is started in a temporary folder and removed on exit
(``own_servers=True`` always does that: the fault tests stop and restart them).

    python -m scripts.scaled            # what scripts/run_scaled.sh runs
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.rasa_rest import BUSY_HEADER
from scripts.rasa_runtime import rasa_runtime_env

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"
ENDPOINTS = ROOT / "deploy" / "endpoints.scaled.yml"
PY = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
KB_DATABASE, CONVERSATIONS_DATABASE = "navigator_scaled", "navigator_scaled_conversations"


class ServerFailed(RuntimeError):
    """A server exited or never became healthy; the message names it and ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def postgres_bin(name: str) -> str:
    """A PostgreSQL server program (Debian keeps them out of PATH, under /usr/lib/postgresql/N/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if found:
        return str(found[-1])
    if shutil.which(name):
        return shutil.which(name)  # type: ignore[return-value]
    raise ServerFailed(f"PostgreSQL's {name} is not installed: run scripts/ensure_scaled.sh "
                       "(or apt-get install postgresql)")


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user Debian creates."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL cluster of our own in a temporary folder (trust auth, loopback, no fsync)."""

    port: int
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="navigator-pg-")))

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    def init(self) -> None:
        os.chmod(self.folder, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        out = subprocess.run(_as_postgres_user() + [postgres_bin("initdb"), "-D", str(self.data), "-A", "trust",
                                                    "-U", "postgres", "--no-sync", "-E", "UTF8"],
                             capture_output=True, text=True, timeout=120, check=False)
        if out.returncode != 0:
            raise ServerFailed(f"PostgreSQL's initdb failed: {out.stderr[-1500:]}")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        out = subprocess.run(_as_postgres_user() + [postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                                                    "-o", options, "-w", "-t", "60", "start"],
                             capture_output=True, text=True, timeout=90, check=False)
        if out.returncode != 0:
            raise ServerFailed(f"PostgreSQL did not start on port {self.port}: {out.stderr[-500:]}\n{tail(self.log)}")

    def stop(self) -> None:
        subprocess.run(_as_postgres_user() + [postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                                              "-t", "60", "stop"], capture_output=True, text=True, timeout=90, check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class ThrowawayRedis:
    """A redis-server of our own: loopback only, nothing saved to disk."""

    port: int
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise ServerFailed("redis-server is not installed: run scripts/ensure_scaled.sh (or apt-get install redis-server)")
        handle = open(self.log, "a")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--protected-mode", "yes"],
                                        stdout=handle, stderr=handle, start_new_session=True)
        handle.close()
        deadline = time.time() + 20
        while not redis_answers(self.port):
            if self.process.poll() is not None or time.time() > deadline:
                raise ServerFailed(f"Redis did not start on port {self.port}:\n{tail(self.log)}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# Turns one Rasa replica works on at once (HAProxy's per-server maxconn): more only lengthen each
# turn and starve the health checks, so that under load both replicas were marked down (bench_scaled).
RASA_TURNS_AT_ONCE = 4
# Turns that may wait for a replica, per replica, before the API's turns are refused at once: about
# 1.8 s of a replica's work here (27 turns a second at most, bench_scaled), so that 50 conversations
# at once all wait their turn and, at 200 or 500, the excess is refused at once instead of waiting.
# On other hosts: the seconds of waiting accepted times a replica's turns a second.
RASA_QUEUED_PER_REPLICA = 48
# The longest a turn waits for a replica before it is refused (HAProxy's "timeout queue"): with a
# turn's own time after it, no answer comes later than about 3 s, even with the CPU taken by others.
RASA_QUEUE_TIMEOUT = "2500ms"


# With ``log_turns``, HAProxy writes a line for every turn to its standard output: its status and the
# milliseconds from reading the turn to answering it (%Ta), of them waiting in the queue (%Tw).
TURN_LOG_FORMAT = "navigator-turn status=%ST ms=%Ta queued_ms=%Tw"


def haproxy_config(rasa: list[int], actions: list[int], rasa_port: int, actions_port: int, stats: Path,
                   log_turns: bool = False) -> str:
    """HAProxy in front of the Rasa replicas and the action servers (the multi-host version: deploy/haproxy.cfg)."""
    turn_log = (f'    log stdout format raw local0\n    log-format "{TURN_LOG_FORMAT}"\n' if log_turns else "")
    rasa_servers = "\n".join(f"    server rasa{i + 1} 127.0.0.1:{p} check maxconn {RASA_TURNS_AT_ONCE}"
                             for i, p in enumerate(rasa))
    action_servers = "\n".join(f"    server actions{i + 1} 127.0.0.1:{p} check" for i, p in enumerate(actions))
    return f"""# Generated by scripts/scaled.py for one run; deploy/haproxy.cfg is the same for several hosts.
global
    maxconn 2000
    stats socket {stats} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 70s
    timeout server 65s
    timeout check 5s
    # beyond what the replicas serve at once a turn waits here, in arrival order, at most this long,
    # then gets 503 (the API turns it into "unavailable, call 999 if a child is in danger")
    timeout queue {RASA_QUEUE_TIMEOUT}
    retries 2
    option redispatch 1
    default-server inter 1s fall 2 rise 2

frontend rasa_in
    bind 127.0.0.1:{rasa_port}
{turn_log}    # The API's turns (they carry X-Conversation) are refused at once while the replicas' queue is
    # full, not queued for seconds: 503 with Retry-After, which the API answers as "busy" with 999.
    # Teams and Slack turns wait in the queue instead: their platforms show nothing for a 503.
    http-request return status 503 content-type application/json string '{{"error": "busy"}}' hdr Retry-After 5 hdr {BUSY_HEADER} 1 if {{ req.hdr(X-Conversation) -m found }} {{ queue(rasa) ge {RASA_QUEUED_PER_REPLICA * len(rasa)} }}
    default_backend rasa

# A conversation's turns go to one replica: the API's X-Conversation header (a hash of the
# sender id) is hashed consistently; without the header (Teams, Slack) round robin, and the
# lock store keeps their turns in order anyway. A replica that fails its checks, or refuses
# a connection, is skipped: its conversations move to the other (redispatch).
backend rasa
    balance hdr(X-Conversation)
    hash-type consistent
    # ...but no replica takes more than 1.5 times the average of the turns in hand: a few busy
    # conversations hashed to one replica had left the other idle (bounded-load consistent hashing)
    hash-balance-factor 150
    option httpchk GET /
    http-check expect status 200
    http-response set-header X-Served-By %s
{rasa_servers}

frontend actions_in
    bind 127.0.0.1:{actions_port}
    default_backend actions

backend actions
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
{action_servers}
"""


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    health: str
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        handle = open(self.log, "a")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=handle, stderr=handle,
                                        start_new_session=True)  # its own group: Rasa's workers stop with it
        handle.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthy(self) -> bool:
        try:
            return httpx.get(self.health, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self, sig: int = signal.SIGTERM) -> None:
        """Stop it and every process of its group (``SIGKILL`` for a crash)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class ScaledStack:
    """Start with :meth:`start`, stop with :meth:`stop`; the servers' URLs are attributes."""

    folder: Path
    own_servers: bool = False
    rasa_workers: int = 1
    api_port: int | None = None
    log_turns: bool = False  # HAProxy logs each turn's status and time (scripts/bench_scaled.py)
    say: Callable[[str], None] = lambda line: None
    servers: dict[str, Server] = field(default_factory=dict)
    postgres: ThrowawayPostgres | None = None
    redis: ThrowawayRedis | None = None

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.rest_token = os.environ.get("RASA_REST_TOKEN") or secrets.token_urlsafe(32)
        self.action_token = os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32)
        self.lb_rasa_port, self.lb_actions_port = free_port(), free_port()
        self.api_port = self.api_port or free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.lb_rasa_url = f"http://127.0.0.1:{self.lb_rasa_port}"
        self.haproxy_stats = self.folder / "haproxy.sock"
        if len(str(self.haproxy_stats)) > 100:  # a Unix socket's path has at most 107 bytes
            self.haproxy_stats = Path(tempfile.mkdtemp(prefix="navigator-haproxy-")) / "stats.sock"

    # --- PostgreSQL and Redis ------------------------------------------------------------
    def _databases(self) -> None:
        shared_pg = not self.own_servers and port_open(5432)
        if shared_pg:
            self.pg_port = 5432
            self.say("PostgreSQL is running on 127.0.0.1:5432: using it "
                     f"(databases {KB_DATABASE}, {CONVERSATIONS_DATABASE})")
        else:
            self.pg_port = free_port()
            self.postgres = ThrowawayPostgres(self.pg_port)
            self.say(f"starting a PostgreSQL of our own on 127.0.0.1:{self.pg_port} ({self.postgres.folder})")
            self.postgres.init()
            self.postgres.start()
        self._create_databases()
        if not self.own_servers and redis_answers(6379):
            self.redis_port, self.redis_db = 6379, 2
            self.say("Redis is running on 127.0.0.1:6379: using its db 2 for Rasa's locks")
        else:
            self.redis_port, self.redis_db = free_port(), 0
            self.redis = ThrowawayRedis(self.redis_port, self.folder / "redis.log")
            self.say(f"starting a Redis of our own on 127.0.0.1:{self.redis_port}")
            self.redis.start()
        self.database_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/{KB_DATABASE}"
        self.tracker_url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/{CONVERSATIONS_DATABASE}"
        self.lock_store_url = f"redis://127.0.0.1:{self.redis_port}/{self.redis_db}"

    def _create_databases(self) -> None:
        import psycopg

        try:
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres", autocommit=True,
                                 connect_timeout=5) as conn:
                for name in (KB_DATABASE, CONVERSATIONS_DATABASE):
                    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                        conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            raise ServerFailed(f"PostgreSQL on 127.0.0.1:{self.pg_port} refused the user postgres "
                               f"({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}): "
                               "it needs trust (or peer) access for postgres on loopback, or stop it so that "
                               "make run-scaled starts its own") from exc

    def _prepare(self, env: dict[str, str]) -> None:
        """Load the packs into PostgreSQL; create the conversation tables once, before two Rasa
        servers start together (each would try, and one would fail on PostgreSQL's catalogue)."""
        self.say("loading the knowledge packs into PostgreSQL")
        out = subprocess.run([str(PY), "-m", "bot.knowledge", "load"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=600, check=False)
        if out.returncode != 0:
            raise ServerFailed(f"loading the knowledge failed:\n{out.stdout[-1000:]}\n{out.stderr[-2000:]}")
        create_tables = "from rasa_addons.tracker_store import RedactingSQLTrackerStore; RedactingSQLTrackerStore()"
        out = subprocess.run([str(RASA_PY), "-c", create_tables], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=300, check=False)
        if out.returncode != 0:
            raise ServerFailed(f"creating the conversation tables failed:\n{out.stderr[-2000:]}")

    # --- the servers ---------------------------------------------------------------------
    def start(self) -> ScaledStack:
        if not MODEL.exists():
            raise ServerFailed("no trained Rasa model at models/current.tar.gz: run `make model`")
        if not shutil.which("haproxy"):
            raise ServerFailed("haproxy is not installed: run scripts/ensure_scaled.sh (or apt-get install haproxy)")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self._databases()
        base = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url,
            "TRACKER_DATABASE_URL": self.tracker_url,
            "LOCK_STORE_URL": self.lock_store_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.lb_actions_port}/webhook",
            "RASA_REST_TOKEN": self.rest_token,
            "ACTION_SERVER_TOKEN": self.action_token,
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        self._prepare(base)
        actions_ports, rasa_ports = [free_port(), free_port()], [free_port(), free_port()]
        for i, port in enumerate(actions_ports, 1):
            self._add(f"actions{i}", [str(PY), "-m", "actions.server", "--host", "127.0.0.1", "--port", str(port)],
                      base, f"http://127.0.0.1:{port}/health")
        for i, port in enumerate(rasa_ports, 1):
            env = {**base, **rasa_runtime_env(self.rasa_workers),
                   "COORDINATION_DB": str(self.folder / f"coordination-rasa{i}.db")}  # per host
            self._add(f"rasa{i}", [str(RASA), "run", "--model", str(MODEL), "--interface", "127.0.0.1",
                                   "--port", str(port), "--endpoints", str(ENDPOINTS),
                                   "--credentials", str(ROOT / "credentials.yml")], env, f"http://127.0.0.1:{port}/")
        self._add("api", [str(ROOT / ".venv/bin/uvicorn"), "api.main:app", "--host", "127.0.0.1",
                          "--port", str(self.api_port), "--no-proxy-headers"],
                  {**base, "RASA_URL": self.lb_rasa_url, "APP_ENV": os.environ.get("APP_ENV", "development")},
                  f"{self.api_url}/healthz")
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy_config(rasa_ports, actions_ports, self.lb_rasa_port, self.lb_actions_port,
                                         self.haproxy_stats, self.log_turns))
        check = subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise ServerFailed(f"haproxy refused its configuration: {check.stderr[-1000:]}")
        self._add("haproxy", ["haproxy", "-db", "-f", str(config)], base,
                  f"http://127.0.0.1:{self.lb_actions_port}/health")
        for server in self.servers.values():
            server.start()
            self.say(f"started {server.name} (pid {server.process.pid}, log {server.log})")
        for name in ("actions1", "actions2", "api", "haproxy", "rasa1", "rasa2"):
            self.wait_healthy(name, 480 if name.startswith("rasa") else 90)
        self.wait_balanced(60)

    def _add(self, name: str, command: list[str], env: dict[str, str], health: str) -> None:
        self.servers[name] = Server(name, command, env, health, self.folder / f"{name}.log")

    def wait_healthy(self, name: str, seconds: float) -> None:
        server = self.servers[name]
        deadline = time.time() + seconds
        while not server.healthy():
            if not server.alive():
                raise ServerFailed(f"{name} exited before it became healthy. The last lines of {server.log}:\n"
                                   f"{tail(server.log)}")
            if time.time() > deadline:
                raise ServerFailed(f"{name} did not become healthy in {seconds:.0f}s. The last lines of "
                                   f"{server.log}:\n{tail(server.log)}")
            time.sleep(0.5)
        self.say(f"{name} is healthy ({server.health})")

    def backend_states(self) -> dict[str, str]:
        """HAProxy's view of each server ("UP", "DOWN", ...), from its stats socket."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(str(self.haproxy_stats))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        states = {}
        for line in data.decode().splitlines():
            parts = line.split(",")
            if len(parts) > 17 and not line.startswith("#") and parts[1] not in ("FRONTEND", "BACKEND"):
                states[parts[1]] = parts[17]
        return states

    def wait_balanced(self, seconds: float, expect: dict[str, str] | None = None) -> None:
        """Until HAProxy's checks see every server UP (or the states in ``expect``)."""
        deadline = time.time() + seconds
        while True:
            states = self.backend_states()
            wanted = expect or {name: "UP" for name in states}
            if all(states.get(name, "").startswith(state) for name, state in wanted.items()):
                return
            if time.time() > deadline:
                raise ServerFailed(f"HAProxy's checks: {states}, expected {wanted}")
            time.sleep(0.3)

    def stop(self) -> None:
        for server in reversed(list(self.servers.values())):
            if server.alive():
                server.kill()
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.remove()

    def first_failed(self) -> Server | None:
        return next((s for s in self.servers.values() if not s.alive()), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("RASA_WORKERS", "1")),
                        help="Rasa worker processes per replica (default 1: two replicas already use two cores)")
    args = parser.parse_args()
    if port_open(args.api_port):
        print(f"Port {args.api_port} is taken: stop what uses it, or set API_PORT", file=sys.stderr)
        return 1
    folder = ROOT / "var" / "scaled"
    shutil.rmtree(folder, ignore_errors=True)
    stack = ScaledStack(folder, rasa_workers=args.workers, api_port=args.api_port, say=print)
    stopping = False

    def interrupt(_sig: int, _frame: object) -> None:  # while starting: stop what has started
        raise KeyboardInterrupt

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, interrupt)
    try:
        stack.start()
    except ServerFailed as failed:
        print(f"\n{failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        stack.stop()
        return 130
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"""
Early Help Navigator is running, scaled out (docs/deployment.md).
  Web chat:          {stack.api_url}/
  Quick-lookup API:  {stack.api_url}/docs   (readiness: {stack.api_url}/readyz)
  Load balancer:     Rasa {stack.lb_rasa_url} (2 replicas), action servers http://127.0.0.1:{stack.lb_actions_port} (2)
  PostgreSQL:        127.0.0.1:{stack.pg_port}   Redis (lock store): 127.0.0.1:{stack.redis_port}
  Logs:              {folder}/
If a child is in immediate danger, call 999. Press Ctrl-C to stop everything.""", flush=True)
    code = 0
    while not stopping:
        failed = stack.first_failed()
        if failed:
            print(f"\n{failed.name} exited. The last lines of {failed.log}:\n{tail(failed.log)}", file=sys.stderr)
            code = 1
            break
        time.sleep(1)
    print("\nStopping...", flush=True)
    stack.stop()
    print("Stopped.")
    return code


if __name__ == "__main__":
    sys.exit(main())
