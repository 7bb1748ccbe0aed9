"""Runs huaxiang's exported Spark SQL in a local Spark session (PySpark) and prints the result as JSON.

Usage: python3 run_spark.py DIR SQL_FILE ...

Like run_duckdb.py: DIR holds members.csv, orders.csv and events.csv (huaxiang's normalised tables); they are
loaded as temporary views with the types the SQL expects. Each SQL_FILE is a script of statements separated by
`;` at the end of a line that must create the view or table member_tags; after each, its rows are printed as one
JSON line {"columns": [...], "rows": [...]}, numbers as their shortest round-trip text. Used by `make spark-check`
(PySpark is a large wheel and needs a Java runtime, so it is not part of `make test`).
"""

import json
import os
import sys

try:
    from pyspark.sql import SparkSession
except ImportError:
    sys.stderr.write("pyspark is not installed for this Python: run `make spark-check`\n")
    sys.exit(3)


def cell(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return repr(float(value))
    return str(value)


def statements(text):
    """Splits a script at `;` ending a line (the export never puts one inside a literal at a line's end)."""
    out, current = [], []
    for line in text.splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    rest = "\n".join(current).strip()
    if rest:
        out.append(rest)
    return [s for s in out if s.strip() and not all(l.strip().startswith("--") or not l.strip() for l in s.splitlines())]


def main():
    folder = sys.argv[1]
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("huaxiang-spark-check")
        .config("spark.ui.enabled", "false")
        # Hash aggregates of the wider definitions failed to grow their maps with the default memory and page size
        # ("AGGREGATE_OUT_OF_MEMORY", "Could not allocate memory to grow BytesToBytesMap"): more driver memory, and
        # small pages so a map grows in steps the memory manager can grant.
        .config("spark.driver.memory", "4g")
        .config("spark.buffer.pageSize", "2m")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    read = lambda name, schema: spark.read.csv(os.path.join(folder, name), header=True, schema=schema, multiLine=True, escape='"')
    members = spark.read.csv(os.path.join(folder, "members.csv"), header=True, multiLine=True, escape='"')
    members.createOrReplaceTempView("members")
    read("orders.csv", "member_id STRING, time TIMESTAMP_NTZ, amount DOUBLE, discount DOUBLE, category STRING, channel STRING, "
         "order_id STRING, row_no BIGINT").createOrReplaceTempView("orders")
    read("events.csv", "member_id STRING, time TIMESTAMP_NTZ, type STRING, target STRING, row_no BIGINT").createOrReplaceTempView("events")
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            for statement in statements(f.read()):
                spark.sql(statement)
        df = spark.sql("SELECT * FROM member_tags")
        columns = df.columns
        rows = [[cell(v) for v in row] for row in df.collect()]
        print(json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False))
    spark.stop()


if __name__ == "__main__":
    main()
