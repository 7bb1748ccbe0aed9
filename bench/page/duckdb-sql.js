// The SQL that DuckDB-WASM runs in the comparison, written by hand from docs/rfm.md.
//
// Cleaning given to DuckDB (the sample files are what a user exports: Chinese headers and a few messy cells; huaxiang
// handles all of this itself while loading, so DuckDB does it while loading too):
// - every key column is read as VARCHAR (member ids keep their leading zeros, phones stay text);
// - order times come in two shapes, `2024-06-18 03:20:15` and `2024/6/18 3:20`: both are parsed, anything else is NULL;
// - paid amounts are `126.81`, `"¥1,234.56"` or `N/A`: the yen sign and thousands separators are removed, and what
//   still does not read as a number is NULL;
// - order rows whose time or amount is NULL are left out (huaxiang skips and reports them).
// The columns get English names so later steps (tags, audiences) can share them.

/** `CREATE TABLE` statements, one per file kind; `{file}` is the registered file name. */
export const LOAD = {
  members: `CREATE TABLE members AS
SELECT "会员编号" AS member_id, "姓名" AS name, "手机号" AS phone, "性别" AS gender, "生日" AS birthday,
       "注册日期" AS joined, "会员等级" AS level, "城市" AS city
FROM read_csv('{file}', header = true, types = {'会员编号': 'VARCHAR', '手机号': 'VARCHAR', '生日': 'DATE', '注册日期': 'DATE'})`,

  orders: `CREATE TABLE orders AS
SELECT order_no, member_id, ordered_at, amount, discount, category, channel FROM (
  SELECT "订单号" AS order_no, "会员编号" AS member_id,
         coalesce(try_strptime("下单时间", '%Y-%m-%d %H:%M:%S'), try_strptime("下单时间", '%Y/%m/%d %H:%M')) AS ordered_at,
         TRY_CAST(replace(replace("实付金额", '¥', ''), ',', '') AS DECIMAL(18, 2)) AS amount,
         TRY_CAST("优惠金额" AS DECIMAL(18, 2)) AS discount, "商品品类" AS category, "渠道" AS channel
  FROM read_csv('{file}', header = true, all_varchar = true)
) WHERE ordered_at IS NOT NULL AND amount IS NOT NULL`,

  events: `CREATE TABLE events AS
SELECT "会员编号" AS member_id, "行为类型" AS kind, "发生时间" AS at, "行为对象" AS target
FROM read_csv('{file}', header = true, types = {'会员编号': 'VARCHAR', '发生时间': 'TIMESTAMP'})`,
};

/**
 * The RFM table, as docs/rfm.md defines it: the analysis date is the day after the latest order; a purchase is a
 * row with a positive amount; F counts distinct order numbers of purchases (rows without one count once each); M is
 * the net sum of every amount up to the analysis date; score = 1 + floor(5 × w / n) with w the buyers with a strictly
 * worse value; high means a score strictly above the mean score.
 */
export const RFM = `CREATE OR REPLACE TABLE rfm AS
WITH as_of AS (SELECT CAST(max(ordered_at) AS DATE) + 1 AS day FROM orders),
o AS (
  SELECT member_id, order_no, CAST(ordered_at AS DATE) AS day, amount FROM orders
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
