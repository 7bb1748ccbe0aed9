"""Runs huaxiang's exported tag SQL in DuckDB over the normalised tables and prints the result as JSON.

Usage: python3 run_duckdb.py DIR [SQL_FILE ...]

DIR holds members.csv, orders.csv and events.csv (as huaxiang's normalised export writes them) and load.sql
(the statements that load them). Each SQL_FILE (default: DIR/tags.sql) is run in the same database and must
create the table member_tags; after each, its rows are printed as one JSON line:
{"columns": [...], "rows": [[...], ...]} with numbers as their shortest round-trip text (so the test compares
floats exactly) and booleans and NULLs as JSON. Exits non-zero with the DuckDB error on any failure.
"""

import json
import os
import sys

try:
    import duckdb
except ImportError:
    sys.stderr.write("duckdb is not installed for this Python: run `make duckdb` (installs the pinned wheel)\n")
    sys.exit(3)


def cell(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return repr(float(value))
    return str(value)


def main():
    folder = sys.argv[1]
    scripts = sys.argv[2:] or [os.path.join(folder, "tags.sql")]
    con = duckdb.connect()
    with open(os.path.join(folder, "load.sql"), encoding="utf-8") as f:
        con.execute(f.read())
    for path in scripts:
        with open(path, encoding="utf-8") as f:
            con.execute(f.read())
        cur = con.execute("SELECT * FROM member_tags")
        columns = [d[0] for d in cur.description]
        rows = [[cell(v) for v in row] for row in cur.fetchall()]
        print(json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False))


if __name__ == "__main__":
    main()
