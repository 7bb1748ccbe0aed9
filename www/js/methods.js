// The engine's plain remote methods, one line each (FINOS Perspective's `view_method` is the model): each is the
// wasm Workspace method of the same name, and lists the request's named arguments in the order that method takes
// them. The worker (www/worker.js) dispatches these generically; only file loading and catalog changes have code of
// their own there. An end-to-end test checks every entry against the built Workspace (name and argument count).

/** `name?` marks an optional argument: missing, `null` or `''` passes `undefined` (the engine's default). */
export const METHODS = {
  compute: 'asOf?',
  memberPage: 'offset limit sort? desc?',
  files: '',
  memory: '',
  identityRule: '',
  setIdentityRule: 'rule',
  cleaning: '',
  setCleaning: 'settings',
  setMemoryLimit: 'bytes',
  reset: '',
  tags: '',
  checkRule: 'edit',
  tagDiff: 'name from to',
  exportPack: '',
  exportSql: 'dialect asOf?',
  rulesText: '',
  lineage: 'name',
  completions: '',
  tagMembers: 'name value?',
  tagCount: 'name value?',
  audienceCount: 'expr',
  audiencePreview: 'expr samples? mask?',
  audienceMembers: 'expr',
  audienceTags: 'expr',
  findMember: 'id',
  explainMember: 'target member mask?',
  audiences: '',
  portrait: 'request',
  crosstab: 'audience row column',
  compareAudiences: 'a b minCount?',
  splitAudience: 'request',
  splitMembers: 'request',
  campaignLift: 'request',
  exportColumns: 'expr?',
  exportAudience: 'request at',
  models: '',
  scanClusters: 'request',
  calibrateClv: 'request',
  modelHistogram: 'key bins?',
  dashboard: 'periodDays?',
  memberProfile: 'query mask? limit?',
};

/** The names `method` takes, in order (with their `?` marks). */
export const parameters = (method) => METHODS[method].split(' ').filter(Boolean);

/** The positional arguments of a call of the plain method `method` with the named `args`. */
export function positional(method, args) {
  return parameters(method).map((name) => {
    const value = args[name.replace('?', '')];
    return name.endsWith('?') && (value === null || value === '') ? undefined : value;
  });
}
