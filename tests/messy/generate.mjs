// Writes a messy export set with planted defects, and the truth an analyst would clean it into (issue 15).
//
//   node tests/messy/generate.mjs DIR [SEED]
//
// DIR gets members.csv, orders.csv, events.csv and truth.json. The data's time zone is UTC+8 and the analysis
// date 2025-01-01 (both in truth.json). The truth is computed here from the clean rows, by docs/rfm.md's
// definitions (a purchase is a positive amount; F counts distinct order numbers; R is whole days from the last
// purchase day to the analysis date; M is the net sum), never by huaxiang.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node tests/messy/generate.mjs DIR [SEED]');
let state = BigInt(process.argv[3] ?? 15);
/** SplitMix64, so the same seed gives the same files everywhere. */
function next() {
  state = (state + 0x9E3779B97F4A7C15n) & 0xFFFFFFFFFFFFFFFFn;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & 0xFFFFFFFFFFFFFFFFn;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & 0xFFFFFFFFFFFFFFFFn;
  return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
}
const below = (n) => Math.floor(next() * n);
const pick = (xs) => xs[below(xs.length)];

const ZONE = 8 * 3600;
const AS_OF = '2025-01-01';
const asOfDay = Date.UTC(2025, 0, 1) / 86400000;
const MEMBERS = 200;
const pad = (n) => String(n).padStart(2, '0');
/** `YYYY-MM-DD HH:MM:SS` of local seconds. */
function wall(local) {
  const d = new Date(local * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
/** The same local time written the ways exports write it: wall clock, UTC `Z`, an offset, epoch ms or s. */
function written(local) {
  const utc = local - ZONE;
  switch (below(5)) {
    case 0: return wall(local);
    case 1: return `${wall(utc).replace(' ', 'T')}Z`;
    case 2: return `${wall(local).replace(' ', 'T')}+08:00`;
    case 3: return String(utc * 1000);
    default: return String(utc);
  }
}
/** A member id as a spreadsheet may have written it. */
function idText(id) {
  switch (below(6)) {
    case 0: return `${id}.0`;
    case 1: { const s = String(id); return `${s[0]}.${s.slice(1).replace(/0+$/, '')}E+${s.length - 1}`; }
    default: return String(id);
  }
}

const members = [];
const memberRows = ['member_id,name,birthday'];
for (let i = 1; i <= MEMBERS; i++) {
  const id = 10000000 + i * 7;
  members.push(id);
  const birthday = i % 25 === 0 ? '1900-01-01' : `19${60 + below(40)}-0${1 + below(9)}-1${below(9)}`;
  const row = `${id},会员${i},${birthday}`;
  memberRows.push(row);
  if (i % 40 === 0) memberRows.push(row); // an exact duplicate member row
}

const truth = new Map(members.map((id) => [String(id), { orders: new Set(), lastDay: -Infinity, monetary: 0 }]));
const orderRows = ['order_no,member_id,order_time,amount,channel'];
let orderNo = 1;
const channels = ['APP', 'app', 'ａｐｐ', '小程序', '天猫'];
const start = Date.UTC(2024, 0, 1) / 1000;
for (const id of members) {
  const n = 1 + below(5);
  for (let k = 0; k < n; k++) {
    const local = start + below(360) * 86400 + below(86400);
    const fen = 1000 + below(50000);
    const no = `SO${String(orderNo++).padStart(6, '0')}`;
    const row = `${no},${idText(id)},${written(local)},${(fen / 100).toFixed(2)},${pick(channels)}`;
    orderRows.push(row);
    if (below(15) === 0) orderRows.push(row); // the same order row exported twice
    const t = truth.get(String(id));
    t.orders.add(no);
    t.lastDay = Math.max(t.lastDay, Math.floor(local / 86400));
    t.monetary += fen;
  }
}
// Placeholders: guest checkouts under words and zeros, and one walk-in card owning a third of the orders.
for (let k = 0; k < 30; k++) {
  const local = start + below(360) * 86400;
  orderRows.push(`SO${String(orderNo++).padStart(6, '0')},${pick(['guest', '0', '-1', '匿名', '游客', 'null', 'NA'])},${wall(local)},${(10 + below(90)).toFixed(2)},APP`);
}
for (let k = 0; k < 300; k++) {
  const local = start + below(360) * 86400;
  orderRows.push(`SO${String(orderNo++).padStart(6, '0')},99999999,${wall(local)},${(10 + below(90)).toFixed(2)},天猫`);
}
// Impossible dates for real members: epoch zero in UTC+8, a 1900 placeholder, a year before the data, the future.
for (const when of ['1970-01-01 08:00:00', '1900-01-01 00:00:00', '1998-05-01 12:00:00', '2026-06-01 12:00:00', '0']) {
  orderRows.push(`SO${String(orderNo++).padStart(6, '0')},${pick(members)},${when},88.00,APP`);
}

const eventRows = ['member_id,event_type,event_time'];
for (const id of members) {
  for (let k = 0; k < 3; k++) eventRows.push(`${id},${pick(['VIEW', 'view', ' View', 'ｖｉｅｗ', 'cart'])},${written(start + below(360) * 86400)}`);
}

mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'members.csv'), `${memberRows.join('\n')}\n`);
writeFileSync(join(dir, 'orders.csv'), `${orderRows.join('\n')}\n`);
writeFileSync(join(dir, 'events.csv'), `${eventRows.join('\n')}\n`);
const rows = [...truth.entries()].filter(([, t]) => t.orders.size > 0).map(([member, t]) => ({
  member, recency: asOfDay - t.lastDay, frequency: t.orders.size, monetary: t.monetary,
}));
writeFileSync(join(dir, 'truth.json'), `${JSON.stringify({
  timeZone: '+08:00', asOf: AS_OF, members: MEMBERS, buyers: rows.length,
  orders: rows.reduce((n, r) => n + r.frequency, 0), rfm: rows,
}, null, 1)}\n`);
