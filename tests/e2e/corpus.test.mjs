// Issue 16 in the browser: the bad-input corpus of tests/native/corpus.rs (the same classes, built here from the
// same fixtures) goes through the worker's load path after a good file and a saved tag. For each file: the engine
// never stops, a refusal carries both languages under 500 characters, and the data and the tag loaded before are
// unchanged; hostile packs are refused or imported with bounded messages. Nothing leaves the origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch } from './harness.mjs';

const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** The corpus: `[name, bytes]`. */
function files() {
  const csv = fixture('rfm_small.csv');
  const xlsx = fixture('formats/orders.xlsx');
  const text = csv.toString('utf8');
  const [header, ...body] = text.split('\n').filter(Boolean);
  const columns = header.split(',').length;
  const row = (cells) => [...cells, ...Array(columns - cells.length).fill('')].join(',');
  const withRows = (rows) => Buffer.from(`${header}\n${rows.join('\n')}\n`);
  const binary = Buffer.from(Array.from({ length: 65536 }, (_, i) => (Math.imul(i, 2654435761) >>> 13) & 255));
  const utf16 = Buffer.from(text, 'utf16le');
  const half = Math.floor(csv.length / 2);
  return [
    ['truncated.xlsx', xlsx.subarray(0, xlsx.length / 2)],
    ['truncated.csv', csv.subarray(0, Math.floor(csv.length * 2 / 3))],
    ['binary.csv', binary],
    ['binary.xlsx', binary],
    ['empty.csv', Buffer.alloc(0)],
    ['workbook.csv', xlsx],
    ['text.xlsx', csv],
    ['nul.csv', Buffer.from(text.replaceAll(',', ',\0'))],
    ['bom_inside.csv', Buffer.concat([csv.subarray(0, half), Buffer.from('\uFEFF'), csv.subarray(half)])],
    ['utf16_no_bom.csv', utf16],
    ['mixed.csv', Buffer.concat([csv, Buffer.from([0x4d, 0x39, 0x2c, 0xc9, 0xcf, 0xba, 0xa3, 0x2c, 0x31, 0x0a])])],
    ['unbalanced.csv', withRows([body[0], '"M1,2025-01-01,"10""', body[1]])],
    ['duplicate_headers.csv', Buffer.from(`${header},${header}\n${body.map((r) => `${r},${r}`).join('\n')}\n`)],
    ['absurd.csv', withRows([row(['M1', '9999-99-99', '1e308']), row(['M2', '0000-01-01', '-99999999999999999999']), body[0]])],
    ['leading_zeros.csv', withRows([row(['000123', '2025-01-02', '10']), row(['00123', '2025-01-03', '10'])])],
    ['rtl_emoji.csv', withRows([row(['\u202eM1\u200f', '2025-01-02', '10']), row(['👩‍👩‍👧', '2025-01-03', '10'])])],
    ['payloads.csv', withRows([row(['=HYPERLINK("http://x")', '2025-01-02', '10']), row(['<img src=x onerror=alert(1)>', '2025-01-03', '10'])])],
    ['one_long_line.csv', Buffer.alloc(4 << 20, 'a')],
  ];
}

function packs() {
  const pack = (definitions) => JSON.stringify({ format: 'huaxiang-tag-pack', version: 1, definitions });
  return [
    ['not_json.json', '{ "format": '.repeat(10000)],
    ['deep_json.json', `${'['.repeat(100000)}${']'.repeat(100000)}`],
    ['chained.json', pack([{ kind: 'tag', name: '长', rule: Array(10000).fill('frequency >= 1').join(' or ') }])],
    ['nested.json', pack([{ kind: 'tag', name: '深', rule: `${'('.repeat(10000)}1 > 0${')'.repeat(10000)}` }])],
    ['payload_names.json', pack([{ kind: 'tag', name: '<script>alert(1)</script>', rule: 'frequency >= 1' }])],
  ];
}

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

test('every corpus file and pack is answered in the page and leaves what was loaded', async () => {
  const page = await s.open();
  const good = fixture('rfm_small.csv').toString('base64');
  await page.evaluate(async (b64) => {
    const hx = globalThis.huaxiang;
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    await hx.engine.call('load', { file: new File([bytes], 'rfm_small.csv'), options: {} });
    await hx.engine.call('compute', {});
    await hx.engine.call('importRules', { text: 'tag 老客 = frequency >= 2', at: '', author: '' });
  }, good);
  const state = () => page.evaluate(async () => {
    const hx = globalThis.huaxiang;
    const tags = await hx.engine.call('tags');
    const files = await hx.engine.call('files');
    return { regulars: tags.tags.find((t) => t.name === '老客')?.count, files: JSON.stringify(files) };
  });
  const start = await state();
  assert.ok(start.regulars > 0);
  for (const [name, bytes] of files()) {
    const before = await state();
    const outcome = await page.evaluate(async ([n, b64]) => {
      const hx = globalThis.huaxiang;
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      try {
        await hx.engine.call('load', { file: new File([data], n), options: {} });
        return { ok: true };
      } catch (err) {
        return { ok: false, code: err.code, zh: err.zh, en: err.en };
      }
    }, [name, Buffer.from(bytes).toString('base64')]);
    assert.notEqual(outcome.code, 'worker_crashed', name);
    if (!outcome.ok) {
      assert.ok(outcome.zh && outcome.en, `${name}: both languages`);
      assert.ok(outcome.zh.length < 500 && outcome.en.length < 500, `${name}: ${outcome.en.length} characters`);
      const now = await state();
      assert.equal(now.files, before.files, `${name}: the files loaded before are unchanged`);
    }
    assert.equal(await page.evaluate(() => globalThis.huaxiang.engine.restarts), 0, `${name}: the engine never stopped`);
  }
  for (const [name, json] of packs()) {
    const outcome = await page.evaluate(async (text) => {
      const hx = globalThis.huaxiang;
      try {
        const r = await hx.engine.call('importPack', { json: text, merge: true });
        return { ok: true, messages: r.report.tags.flatMap((t) => t.diagnostics.map((d) => [d.zh, d.en])) };
      } catch (err) {
        return { ok: false, code: err.code, messages: [[err.zh, err.en]] };
      }
    }, json);
    assert.notEqual(outcome.code, 'worker_crashed', name);
    for (const [zh, en] of outcome.messages) assert.ok(zh && en && zh.length < 500 && en.length < 500, `${name}: ${en}`);
    assert.equal(await page.evaluate(() => globalThis.huaxiang.engine.restarts), 0, `${name}: the engine never stopped`);
  }
  const end = await state();
  assert.ok(end.files.startsWith(start.files.slice(0, -1)), 'the first file is still loaded as it was');
  assert.ok(end.regulars >= start.regulars, 'the saved tag is still there');
  assert.equal(await page.$('main img, main script'), null, 'no element was made from a file or a pack');
  s.assertClean();
});
