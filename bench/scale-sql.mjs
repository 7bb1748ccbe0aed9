// The SQL native DuckDB runs in `make bench-scale` (bench/scale.py), taken from the same module as the DuckDB-WASM
// comparison (bench/page/duckdb-sql.js), so both benchmarks give DuckDB the same loading, RFM and audience SQL.
// Usage: node bench/scale-sql.mjs AUDIENCES_FILE TAG_NAME… — prints JSON: the load statements (with `{file}` for
// the file's path), the RFM and segment queries, the audience table, and each audience expression as a DuckDB
// condition over it (tag columns are named as the tags, as the engine's export names them).
import { readFileSync } from 'node:fs';
import { AUDIENCE_TABLE, LOAD, RFM, SEGMENTS, audienceSql } from './page/duckdb-sql.js';

const [audiencesFile, ...tags] = process.argv.slice(2);
const columns = new Map(tags.map((t) => [t, t]));
const expressions = readFileSync(audiencesFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
process.stdout.write(
  JSON.stringify({
    load: { members: LOAD.members, orders: LOAD.orders },
    rfm: RFM,
    segments: SEGMENTS,
    audienceTable: AUDIENCE_TABLE,
    conditions: expressions.map((e) => audienceSql(e, columns)),
  }),
);
