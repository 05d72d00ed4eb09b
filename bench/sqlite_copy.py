"""Copy what public search reads from the benchmark database into an SQLite file.

``make bench`` generates its 10,000 conditions in PostgreSQL only (with ``COPY``); the
embedded SQLite default must meet the same search goal, so this copies the tables a search
reads (users, conditions, revisions, search documents, the publication state) into a
freshly migrated SQLite database, superseded revisions and drafts included, exactly as
they are. The FTS5 index (migration 0018) is filled by its triggers as documents arrive.

    python bench/sqlite_copy.py --source postgres://…/kb_bench --target bench/kb_bench.sqlite3

Then ``DATABASE_URL=sqlite:///bench/kb_bench.sqlite3 python bench/search_latency.py``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent

#: Parents before children; foreign keys are checked once, at the end.
TABLES = [
    "accounts_user",
    "kb_publicationstate",
    "kb_condition",
    "kb_revision",
    "kb_searchdocument",
]
CHUNK = 2000


def _select_list(pg, table: str, wanted: list[str]) -> str:
    """Each column as Django stores it on SQLite: UTC text timestamps, JSON text, 0/1."""
    types = dict(
        pg.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s",
            [table],
        ).fetchall()
    )
    out = []
    for column in wanted:
        kind = types[column]
        quoted = f'"{column}"'
        if kind == "timestamp with time zone":
            out.append(f"to_char({quoted} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
        elif kind in ("jsonb", "json", "date"):
            out.append(f"{quoted}::text")
        elif kind == "uuid":  # Django keeps UUIDs on SQLite as 32 hex digits
            out.append(f"replace({quoted}::text, '-', '')")
        elif kind == "boolean":
            out.append(f"{quoted}::int")
        else:
            out.append(quoted)
    return ", ".join(out)


def copy(source: str, target: Path) -> dict[str, int]:
    if target.exists():
        target.unlink()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{target}", "DEBUG": "true"}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    counts: dict[str, int] = {}
    lite = sqlite3.connect(target)
    lite.execute("PRAGMA foreign_keys = OFF")
    with psycopg.connect(source) as pg:
        for table in TABLES:
            lite_columns = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
            pg_columns = {
                row[0]
                for row in pg.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND table_name = %s",
                    [table],
                )
            }
            columns = [c for c in lite_columns if c in pg_columns]
            lite.execute(f'DELETE FROM "{table}"')  # noqa: S608 (names from the schema)
            insert = (
                f'INSERT INTO "{table}" ({", ".join(columns)})'  # noqa: S608
                f" VALUES ({', '.join('?' * len(columns))})"
            )
            cursor = pg.cursor(name=f"copy_{table}")
            cursor.execute(
                f'SELECT {_select_list(pg, table, columns)} FROM "{table}"'  # noqa: S608
            )
            counts[table] = 0
            while rows := cursor.fetchmany(CHUNK):
                lite.executemany(insert, rows)
                counts[table] += len(rows)
            cursor.close()
    lite.commit()
    lite.execute("ANALYZE")
    lite.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/kb_bench"
        ),
    )
    parser.add_argument("--target", type=Path, default=ROOT / "bench" / "kb_bench.sqlite3")
    args = parser.parse_args()
    began = time.perf_counter()
    counts = copy(args.source, args.target.resolve())
    rows = ", ".join(f"{n} {table}" for table, n in counts.items())
    print(f"Copied {rows} into {args.target} in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
