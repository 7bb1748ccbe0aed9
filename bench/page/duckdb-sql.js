// The SQL that DuckDB-WASM runs in the comparison, written by hand from docs/rfm.md.
//
// Cleaning given to DuckDB (the sample files are what a user exports: Chinese headers and a few messy cells; huaxiang
// handles all of this itself while loading, so DuckDB does it while loading too):
// - every key column is read as VARCHAR (member ids keep their leading zeros, phones stay text);
// - order times come in two shapes, `2024-06-18 03:20:15` and `2024/6/18 3:20`: both are parsed, anything else is NULL;
// - paid amounts are `126.81`, `"¥1,234.56"` or `N/A`: the yen sign and thousands separators are removed, and what
//   still does not read as a number is NULL;
// - order rows whose time or amount is NULL are left out (huaxiang skips and reports them).
// The columns get the English names of the normalised tables the engine's SQL export reads (src/export/tables.rs):
// `members` is that table itself (every attribute as text, as loaded); `orders` and `events` are views over the
// loaded tables that add `row_no` (the file order, DuckDB's insertion order) and read amounts as DOUBLE yuan. So
// the tag SQL runs on exactly what DuckDB loaded, and the views cost nothing until it runs.

/** `CREATE TABLE` statements, one per file kind; `{file}` is the registered file name. */
export const LOAD = {
  members: `CREATE TABLE members AS
SELECT "会员编号" AS member_id, "姓名" AS name, "性别" AS gender, "生日" AS birthday, "注册日期" AS register_date,
       "会员等级" AS level, "城市" AS city, "手机号" AS phone
FROM read_csv('{file}', header = true, all_varchar = true)`,

  orders: `CREATE TABLE orders_t AS
SELECT order_no, member_id, ordered_at, amount, discount, category, channel FROM (
  SELECT "订单号" AS order_no, "会员编号" AS member_id,
         coalesce(try_strptime("下单时间", '%Y-%m-%d %H:%M:%S'), try_strptime("下单时间", '%Y/%m/%d %H:%M')) AS ordered_at,
         TRY_CAST(replace(replace("实付金额", '¥', ''), ',', '') AS DECIMAL(18, 2)) AS amount,
         TRY_CAST("优惠金额" AS DECIMAL(18, 2)) AS discount, "商品品类" AS category, "渠道" AS channel
  FROM read_csv('{file}', header = true, all_varchar = true)
) WHERE ordered_at IS NOT NULL AND amount IS NOT NULL;
CREATE VIEW orders AS
SELECT member_id, ordered_at AS time, CAST(amount AS DOUBLE) AS amount, CAST(discount AS DOUBLE) AS discount, category, channel,
       order_no AS order_id, rowid AS row_no
FROM orders_t`,

  events: `CREATE TABLE events_t AS
SELECT "会员编号" AS member_id, "行为类型" AS type, "发生时间" AS time, "行为对象" AS target
FROM read_csv('{file}', header = true, types = {'会员编号': 'VARCHAR', '发生时间': 'TIMESTAMP'});
CREATE VIEW events AS SELECT member_id, time, type, target, rowid AS row_no FROM events_t`,
};

/** What each load creates, dropped in this order by a reset (views before their tables). */
export const DROP = ['VIEW IF EXISTS orders', 'VIEW IF EXISTS events', 'TABLE IF EXISTS hx_audience', 'TABLE IF EXISTS member_tags', 'TABLE IF EXISTS rfm', 'TABLE IF EXISTS orders_t', 'TABLE IF EXISTS events_t', 'TABLE IF EXISTS members'];

/**
 * The RFM table, as docs/rfm.md defines it: the analysis date is the day after the latest order; a purchase is a
 * row with a positive amount; F counts distinct order numbers of purchases (rows without one count once each); M is
 * the net sum of every amount up to the analysis date; score = 1 + floor(5 × w / n) with w the buyers with a strictly
 * worse value; high means a score strictly above the mean score.
 */
export const RFM = `CREATE OR REPLACE TABLE rfm AS
WITH as_of AS (SELECT CAST(max(ordered_at) AS DATE) + 1 AS day FROM orders_t),
o AS (
  SELECT member_id, order_no, CAST(ordered_at AS DATE) AS day, amount FROM orders_t
  WHERE CAST(ordered_at AS DATE) <= (SELECT day FROM as_of)
),
per AS (
  SELECT member_id,
         (SELECT day FROM as_of) - max(day) FILTER (WHERE amount > 0) AS recency,
         count(DISTINCT order_no) FILTER (WHERE amount > 0) + count(*) FILTER (WHERE amount > 0 AND order_no IS NULL) AS frequency,
         sum(amount) AS monetary
  FROM o GROUP BY member_id
  HAVING count(*) FILTER (WHERE amount > 0) > 0
),
scored AS (
  SELECT *,
         1 + (5 * (rank() OVER (ORDER BY recency DESC) - 1)) // count(*) OVER () AS r,
         1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f,
         1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER () AS m
  FROM per
),
high AS (
  SELECT *, r > avg(r) OVER () AS rh, f > avg(f) OVER () AS fh, m > avg(m) OVER () AS mh FROM scored
)
SELECT member_id, recency, frequency, monetary, r, f, m,
       CASE WHEN mh THEN (CASE WHEN rh AND fh THEN 'important_value' WHEN rh THEN 'important_develop'
                               WHEN fh THEN 'important_retain' ELSE 'important_win_back' END)
            ELSE (CASE WHEN rh AND fh THEN 'general_value' WHEN rh THEN 'general_develop'
                       WHEN fh THEN 'general_retain' ELSE 'general_win_back' END) END AS segment
FROM high`;

/** The 8 segment sizes from the RFM table. */
export const SEGMENTS = 'SELECT segment, count(*)::INTEGER AS n FROM rfm GROUP BY segment';

/** A DuckDB identifier. */
export const ident = (name) => `"${name.replaceAll('"', '""')}"`;

/** A DuckDB string literal. */
const text = (value) => `'${value.replaceAll("'", "''")}'`;

/**
 * Translates one of the benchmark's audience expressions (`sample::pack::audiences`: tags joined by and/or, `not`,
 * parentheses, `b007 in ["高", "中"]` over an enumerated tag and `monetary > 900`) into a DuckDB condition over
 * the audience table, with the engine's semantics: a comparison with a missing value is false, `not` is the
 * complement. `columns` maps a tag's name to its column in `member_tags`. Anything else in the text throws, so
 * an expression is never counted from a guess.
 */
export function audienceSql(expr, columns) {
  const token = /\s*(?:(b\d{3})\s+in\s+\[([^\]]*)\]|monetary\s*>\s*(\d+(?:\.\d+)?)|(\()|(\))|(not|and|or)\b|(b\d{3})\b)/y;
  const column = (name) => {
    if (!columns.has(name)) throw new Error(`${expr}: ${name} has no column in member_tags`);
    return ident(columns.get(name));
  };
  let out = '';
  token.lastIndex = 0;
  while (token.lastIndex < expr.trimEnd().length) {
    const at = token.lastIndex;
    const m = token.exec(expr);
    if (!m) throw new Error(`cannot translate \`${expr}\` at ${at}`);
    const [, inTag, list, amount, open, close, word, tag] = m;
    if (inTag) {
      const values = [...list.matchAll(/"([^"]*)"/g)].map((v) => text(v[1]));
      out += ` coalesce(${column(inTag)} IN (${values.join(', ')}), false)`;
    } else if (amount) out += ` coalesce(monetary > ${amount}, false)`;
    else if (open || close) out += ` ${open ?? close}`;
    else if (word) out += ` ${word.toUpperCase()}`;
    else out += ` ${column(tag)}`;
  }
  return out.trim();
}

/**
 * The audience table the counts and portraits read: the tag results joined with what the expressions and the
 * portrait read besides tags (monetary from the RFM table, gender, level and city from members).
 */
export const AUDIENCE_TABLE = `CREATE OR REPLACE TABLE hx_audience AS
SELECT t.*, CAST(r.monetary AS DOUBLE) AS monetary, m.gender AS hx_gender, m.level AS hx_level, m.city AS hx_city
FROM member_tags t LEFT JOIN rfm r USING (member_id) LEFT JOIN members m USING (member_id)`;

/** The member attributes a portrait shows, as (the engine's dimension name, the audience table's column). */
export const PORTRAIT_ATTRIBUTES = [
  ['性别', 'hx_gender'],
  ['会员等级', 'hx_level'],
  ['城市', 'hx_city'],
];

/**
 * The portrait of one audience against every member, as docs/audiences.md defines its shares and TGI, in one
 * statement: for every yes/no tag the members with it, for every enumerated tag and attribute the members per
 * value (no value = ''), in the audience and in the base, each value's share of both and TGI = audience share ÷
 * base share × 100. `flags` and `enums` are `[name, column]` pairs. (The engine's portrait also ranks the traits
 * and draws nine metric histograms; this is the part a SQL user would write for the same table.)
 */
export function portraitSql(condition, flags, enums) {
  const flagCounts = flags.flatMap(([name, col]) => [
    `count(*) FILTER (WHERE hx_in AND ${ident(col)}) AS ${ident(`a|${name}`)}`,
    `count(*) FILTER (WHERE ${ident(col)}) AS ${ident(`b|${name}`)}`,
  ]);
  const enumCounts = enums.map(
    ([name, col]) => `SELECT ${text(name)} AS dim, coalesce(${ident(col)}, '') AS value, count(*) FILTER (WHERE hx_in) AS a, count(*) AS b FROM x GROUP BY ALL`,
  );
  return `WITH x AS (SELECT *, coalesce(${condition}, false) AS hx_in FROM hx_audience),
n AS (SELECT count(*) FILTER (WHERE hx_in) AS na, count(*) AS nb FROM x),
f AS (UNPIVOT (SELECT ${flagCounts.join(', ')} FROM x) ON COLUMNS(*) INTO NAME k VALUE v),
c AS (
  SELECT split_part(k, '|', 2) AS dim, '是' AS value, sum(v) FILTER (WHERE k LIKE 'a|%') AS a, sum(v) FILTER (WHERE k LIKE 'b|%') AS b FROM f GROUP BY 1
  UNION ALL ${enumCounts.join('\n  UNION ALL ')}
)
SELECT dim, value, a::DOUBLE AS a, b::DOUBLE AS b, na::DOUBLE AS na, nb::DOUBLE AS nb,
       CASE WHEN na > 0 THEN a / na ELSE 0 END AS audience_share, CASE WHEN nb > 0 THEN b / nb ELSE 0 END AS base_share,
       CASE WHEN b > 0 AND na > 0 THEN (a / na) / (b / nb) * 100 END AS tgi
FROM c, n`;
}
