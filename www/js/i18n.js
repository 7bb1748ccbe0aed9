// The UI's words in Chinese and English. Chinese is the default; the choice is kept in localStorage.
// Elements carry `data-i18n="key"` (text) or `data-i18n-title` / `data-i18n-placeholder` and are refreshed on switch.

const words = {
  title: ['画像 · 会员画像工作台', 'huaxiang · member profiling workbench'],
  tagline: ['数据只在本机浏览器中处理，不会上传', 'Your data is processed in this browser only and never uploaded'],
  switchLang: ['English', '中文'],
  navData: ['数据', 'Data'],
  navDashboard: ['看板', 'Dashboard'],
  navMembers: ['会员', 'Members'],
  dropHere: ['把会员、订单、行为或身份文件拖到这里（CSV、TSV、TXT、XLSX、JSONL），或', 'Drop member, order, event or identity files here (CSV, TSV, TXT, XLSX, JSONL), or'],
  pickFiles: ['选择文件', 'choose files'],
  trySample: ['试用示例数据', 'Try the sample data'],
  forget: ['清空全部数据', 'Forget everything'],
  pending: ['待导入文件', 'Files to load'],
  loadAll: ['全部导入', 'Load all'],
  load: ['导入', 'Load'],
  remove: ['移除', 'Remove'],
  cancel: ['取消', 'Cancel'],
  kind: ['文件类型', 'File type'],
  kind_members: ['会员表', 'Members'],
  kind_orders: ['订单表', 'Orders'],
  kind_events: ['行为表', 'Events'],
  kind_identity: ['身份表', 'Identity'],
  sheet: ['工作表', 'Sheet'],
  encoding: ['编码', 'Encoding'],
  delimiter: ['分隔符', 'Delimiter'],
  hasHeader: ['首行是表头', 'First row is a header'],
  dateOrder: ['日期顺序', 'Date order'],
  auto: ['自动', 'Auto'],
  column: ['列', 'Column'],
  role: ['角色', 'Role'],
  sampleValues: ['示例值', 'Sample values'],
  source: ['依据', 'Basis'],
  source_header: ['表头', 'header'],
  source_values: ['取值', 'values'],
  source_user: ['手动', 'manual'],
  source_remembered: ['记住的映射', 'remembered'],
  source_none: ['—', '—'],
  ignore: ['（忽略）', '(ignore)'],
  mappingRemembered: ['已套用上次对同样表头的映射', 'Applied the mapping remembered for this header'],
  reading: ['正在读取', 'Reading'],
  computing: ['正在计算', 'Computing'],
  done: ['完成', 'Done'],
  cancelled: ['已取消，之前导入的数据都还在', 'Cancelled; everything loaded before is kept'],
  loadedFiles: ['已导入文件', 'Loaded files'],
  quality: ['数据质量报告', 'Data quality report'],
  file: ['文件', 'File'],
  format: ['格式', 'Format'],
  rowsRead: ['读取行数', 'Rows read'],
  rowsLoaded: ['导入行数', 'Rows loaded'],
  rowsSkipped: ['跳过行数', 'Rows skipped'],
  dateRange: ['时间范围', 'Date range'],
  repeatedOrderIds: ['重复订单号', 'Repeated order ids'],
  emptyRates: ['空值率', 'Empty cells'],
  problems: ['问题示例', 'Examples of problems'],
  line: ['行', 'Line'],
  value: ['值', 'Value'],
  reason: ['原因', 'Reason'],
  overall: ['总体', 'Overall'],
  buyersWithoutMemberRow: ['有订单但无会员资料', 'Buyers without a member row'],
  membersWithoutOrders: ['有会员资料但无订单', 'Members without orders'],
  eventOnlyPeople: ['只有行为记录的人', 'People with events only'],
  events: ['行为记录', 'Events'],
  identity: ['身份打通 (OneID)', 'Identity resolution (OneID)'],
  identifiersToPeople: ['{0} 个标识合并为 {1} 人', '{0} identifiers joined into {1} people'],
  conflicts: ['冲突（未合并，请核对）', 'Conflicts (not merged — please review)'],
  conflictText: ['{via} 同时出现在 {kept} 与 {refused}（{file} 第 {line} 行）；保留 {kept}', '{via} appears with {kept} and {refused} ({file} line {line}); kept {kept}'],
  identityRule: ['合并规则：哪些标识可以把人合并', 'Merge rule: identifiers that may join people'],
  applyRule: ['应用规则', 'Apply rule'],
  changes: ['本次追加的变化', 'What this delta changed'],
  peopleAdded: ['新增人数', 'People added'],
  newBuyers: ['新增购买者', 'New buyers'],
  segmentChanged: ['RFM 分群变化的人数', 'Members whose RFM segment changed'],
  memory: ['内存占用', 'Memory'],
  perMember: ['每会员字节', 'bytes per member'],
  perOrder: ['每订单字节', 'bytes per order'],
  asOf: ['分析日期', 'Analysis date'],
  asOfHint: ['默认：最后一笔订单日期的次日', 'Default: the day after the latest order'],
  recompute: ['重新计算', 'Recompute'],
  members: ['会员数', 'Members'],
  buyers: ['购买会员', 'Buyers'],
  orders: ['订单数', 'Orders'],
  noData: ['还没有数据：先在“数据”页导入文件或试用示例数据。', 'No data yet: load files on the Data page or try the sample data.'],
  segments: ['RFM 分群', 'RFM segments'],
  rfHeatmap: ['R × F 热力图（人数）', 'R × F heatmap (members)'],
  segment: ['分群', 'Segment'],
  high: ['高', 'high'],
  low: ['低', 'low'],
  count: ['人数', 'Members'],
  share: ['占比', 'Share'],
  monetary: ['消费金额', 'Monetary'],
  recency: ['最近消费(天)', 'Recency (days)'],
  frequency: ['消费频率', 'Frequency'],
  memberId: ['会员编号', 'Member id'],
  name: ['姓名', 'Name'],
  sortBy: ['排序', 'Sort by'],
  descending: ['降序', 'Descending'],
  prev: ['上一页', 'Previous'],
  next: ['下一页', 'Next'],
  pageOf: ['第 {0}–{1} 条，共 {2} 条', '{0}–{1} of {2}'],
  rScore: ['R 分', 'R score'],
  fScore: ['F 分', 'F score'],
  workerRestarted: ['计算引擎意外停止，已重启并恢复已导入的文件。', 'The engine stopped unexpectedly; it was restarted and your files were reloaded.'],
  replayFailed: ['重新载入文件时计算引擎再次停止，可能是数据超出了浏览器标签页的内存。已清空数据；请拆分文件后再导入，或使用命令行工具 huaxiang profile。', 'The engine stopped again while reloading your files, probably because they need more memory than a browser tab has. The data was cleared; split the files and load them again, or use the command-line tool (huaxiang profile).'],
  error: ['出错了', 'Error'],
  loadedSummary: ['已导入 {0} 行，跳过 {1} 行', '{0} rows loaded, {1} skipped'],
  sampleLoaded: ['已载入示例数据：{0} 名会员', 'Sample data loaded: {0} members'],
};

let lang = (globalThis.localStorage?.getItem('hx.lang') === 'en') ? 'en' : 'zh';

/** The current language, `'zh'` or `'en'`. */
export function language() {
  return lang;
}

/** The word for `key` in the current language, with `{0}`/`{name}` placeholders filled from `args`. */
export function t(key, ...args) {
  const entry = words[key];
  let text = entry ? entry[lang === 'zh' ? 0 : 1] : key;
  const named = args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? args[0] : null;
  return text.replace(/\{(\w+)\}/g, (m, k) => {
    const v = named ? named[k] : args[Number(k)];
    return v === undefined ? m : String(v);
  });
}

/** Picks the current language's half of a `{ zh, en }` pair (as the engine returns them). */
export function pick(pair) {
  if (!pair) return '';
  return lang === 'zh' ? pair.zh ?? pair.en ?? '' : pair.en ?? pair.zh ?? '';
}

/** Switches language, stores the choice and refreshes every marked element under `root`. */
export function setLanguage(next, root = document) {
  lang = next === 'en' ? 'en' : 'zh';
  globalThis.localStorage?.setItem('hx.lang', lang);
  applyLanguage(root);
}

/** Refreshes the text of every element marked with `data-i18n*` under `root`. */
export function applyLanguage(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  document.title = t('title');
}
