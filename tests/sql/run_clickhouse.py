"""Runs huaxiang's exported ClickHouse SQL in an embedded ClickHouse (chdb) and prints the result as JSON.

Usage: python3 run_clickhouse.py DIR SQL_FILE ...

Like run_duckdb.py: DIR holds members.csv, orders.csv and events.csv; each SQL_FILE must create member_tags, and
its rows are printed as one JSON line {"columns": [...], "rows": [...]}, numbers as their shortest round-trip
text. Used by `make clickhouse-check` (chdb is a large wheel, so it is not part of `make test`).
"""

import json
import os
import sys

try:
    from chdb import session
except ImportError:
    sys.stderr.write("chdb is not installed for this Python: run `make clickhouse-check`\n")
    sys.exit(3)


def main():
    folder = sys.argv[1]
    s = session.Session()
    with open(os.path.join(folder, "members.csv"), encoding="utf-8") as f:
        headers = f.readline().strip().lstrip("\ufeff").split(",")
    columns = ", ".join("`%s` Nullable(String)" % h.replace("`", "\\`") for h in headers)
    tables = {
        "members": columns,
        "orders": "member_id Nullable(String), time DateTime64(0), amount Float64, discount Float64, category Nullable(String), "
        "channel Nullable(String), order_id Nullable(String), row_no Int64",
        "events": "member_id Nullable(String), time DateTime64(0), type Nullable(String), target Nullable(String), row_no Int64",
    }
    for name, structure in tables.items():
        path = os.path.join(folder, name + ".csv")
        s.query("DROP TABLE IF EXISTS %s" % name)
        s.query("CREATE TABLE %s ENGINE = MergeTree ORDER BY tuple() AS SELECT * FROM file('%s', CSVWithNames, '%s')" % (name, path, structure))
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            s.query(f.read().strip().rstrip(";"))
        out = json.loads(str(s.query("SELECT * FROM member_tags SETTINGS join_use_nulls = 1, output_format_json_quote_denormals = 1", "JSONCompact")))
        names = [c["name"] for c in out["meta"]]
        types = [c["type"] for c in out["meta"]]
        rows = []
        for row in out["data"]:
            cells = []
            for t, v in zip(types, row):
                if v is None:
                    cells.append(None)
                elif "Bool" in t or "UInt8" in t:
                    cells.append(bool(int(v)) if not isinstance(v, bool) else v)
                elif "Float" in t or "Int" in t:
                    cells.append(repr(float(v)))
                else:
                    cells.append(str(v))
            rows.append(cells)
        print(json.dumps({"columns": names, "rows": rows}, ensure_ascii=False))


if __name__ == "__main__":
    main()
