"""A throwaway PostgreSQL cluster (with pgvector and the Swedish stemmer) for tests and benchmarks.

The server binaries come from the PyPI package ``pgserver`` (a dev dependency), which ships PostgreSQL 16,
the ``vector`` extension and the Snowball dictionaries. pgserver's own server class listens only on a Unix
socket; this one runs the same binaries on 127.0.0.1 and a free port, as a managed Postgres would be reached.
PostgreSQL refuses to run as root (as CI runs), so then the cluster runs as an unprivileged system user, the
way pgserver itself handles root.

Run: python -m bench.pgcluster COMMAND...   (COMMAND runs with NAMND_PG_URL set to a fresh cluster, stopped after)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import psutil

SYSTEM_USER = "pgserver"  # the account pgserver itself creates when it is run as root
DATABASE = "namnd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin_path() -> Path:
    """pgserver's PostgreSQL binaries (importing pgserver warns about an unset XDG_RUNTIME_DIR it does not need
    here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


class ThrowawayCluster:
    """``with ThrowawayCluster() as pg: pg.url`` — initdb in a temporary folder, started, stopped and deleted."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="namnd-pg-", dir=root))
        self.pgdata = self.root / "pgdata"
        self.port = _free_port()
        self.user: str | None = None
        self.url = ""

    def _run(self, tool: str, *args: str) -> None:
        bin_path = _bin_path()

        subprocess.run(
            [str(bin_path / tool), *args],
            check=True,
            capture_output=True,
            text=True,
            user=self.user,
            cwd=self.root,
            timeout=120,
        )

    def _as_root(self) -> None:
        """Let the unprivileged account run the binaries and own the data folder."""
        import stat

        bin_path = _bin_path()
        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        entry = ensure_user_exists(SYSTEM_USER)
        self.user = SYSTEM_USER
        ensure_prefix_permissions(bin_path)
        read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
        ensure_folder_permissions(bin_path, read | execute)
        ensure_folder_permissions(bin_path.parent / "lib", read)
        ensure_folder_permissions(bin_path.parent / "share", read)
        ensure_prefix_permissions(self.root)
        os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def start(self) -> ThrowawayCluster:
        if os.geteuid() == 0:
            self._as_root()
        self._run("initdb", "-D", str(self.pgdata), "--auth=trust", "--encoding=UTF8", "--locale=C", "-U", "postgres")
        # Listen on the loopback address only; the socket folder is the data folder (short, private).
        self._run(
            "pg_ctl",
            "-D",
            str(self.pgdata),
            "-w",
            "-l",
            str(self.root / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}",
            "start",
        )
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"
        return self

    def server_pss_mb(self) -> float:
        """Memory of the postmaster and all its backends now, in MB: the sum of their proportional set sizes
        (PSS), so the shared buffers every backend maps count once, not once per process."""
        pid_file = self.pgdata / "postmaster.pid"
        try:
            main = psutil.Process(int(pid_file.read_text().split()[0]))
            processes = [main, *main.children(recursive=True)]
        except (OSError, ValueError, psutil.Error):
            return 0.0
        total = 0
        for process in processes:
            try:
                total += process.memory_full_info().pss
            except psutil.Error:  # a backend that ended meanwhile
                continue
        return total / 2**20

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").is_file():
            self._run("pg_ctl", "-D", str(self.pgdata), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a command against a throwaway cluster (e.g. ``python -m evals run``), then stop the cluster."""
    command = argv if argv is not None else sys.argv[1:]
    if not command:
        print("Usage: python -m bench.pgcluster COMMAND...", file=sys.stderr)
        return 2
    with ThrowawayCluster() as cluster:
        print(f"PostgreSQL on {cluster.url}", flush=True)
        return subprocess.run(command, env={**os.environ, "NAMND_PG_URL": cluster.url}).returncode


if __name__ == "__main__":
    sys.exit(main())
