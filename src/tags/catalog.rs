//! The tag catalog: every user definition with its metadata and version history, the tag-pack file format, and
//! the rule-text form the command line reads.
//!
//! The catalog never reads a clock: every edit takes its time (`at`, an ISO date-time string) and author from the
//! caller. Each change to a rule, group, description or owner appends a version; reverting appends a version
//! too, so history only grows.

use crate::error::{Error, Result};
use crate::metrics::Settings;
use crate::models::{ModelKind, ModelRequest};
use crate::rules::ast::DefKind;
use crate::rules::lexer::quote_name;
use crate::rules::parser::parse_program;
use crate::rules::Diagnostic;
use serde::{Deserialize, Serialize};

/// The `format` field of a tag pack.
pub const PACK_FORMAT: &str = "huaxiang-tag-pack";

/// One version of a definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    /// 1, 2, 3 …
    pub version: u32,
    /// When (as given by the caller).
    pub at: String,
    /// Who.
    #[serde(default)]
    pub author: String,
    /// The rule text.
    pub rule: String,
    /// The group.
    #[serde(default)]
    pub group: String,
    /// The description.
    #[serde(default)]
    pub description: String,
    /// What happened (`created`, `edited`, `reverted to v2`, `renamed from X`, `imported`).
    #[serde(default)]
    pub note: String,
}

/// One definition in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Tag, audience or metric.
    pub kind: DefKind,
    /// Its name.
    pub name: String,
    /// Its group (标签分组), e.g. 偏好.
    #[serde(default)]
    pub group: String,
    /// What it means, for the people who use it.
    #[serde(default)]
    pub description: String,
    /// Who looks after it.
    #[serde(default)]
    pub owner: String,
    /// When it was created.
    #[serde(default)]
    pub created: String,
    /// When it last changed.
    #[serde(default)]
    pub updated: String,
    /// The rule: one expression.
    pub rule: String,
    /// Every version, oldest first; the last is the current one.
    #[serde(default)]
    pub history: Vec<Version>,
    /// A static audience or a snapshot: its members' keys, matched through the identity graph when it is
    /// evaluated (the rule is then a record of where the list came from and is not evaluated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<MemberList>,
    /// A snapshot: the audience it froze.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_of: Option<String>,
    /// A snapshot: when it was taken (as given by the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// The member keys of a static audience or a snapshot. Shared, so cloning a catalog does not copy them, and
/// hashed once (the hash goes into the definition's fingerprint). Written in a pack as a plain list of keys.
#[derive(Clone, Debug)]
pub struct MemberList {
    keys: std::sync::Arc<[String]>,
    hash: u64,
}

impl MemberList {
    /// A list of member keys, in the order given.
    pub fn new(keys: Vec<String>) -> MemberList {
        let mut hash: u64 = 0x6d65_6d62_6572_7321;
        for k in &keys {
            hash = hash.rotate_left(7).wrapping_mul(0x0100_0000_01b3) ^ crate::base::dict::hash64(k);
        }
        MemberList { keys: keys.into(), hash }
    }

    /// The keys.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// A hash of the keys in order.
    pub fn fingerprint(&self) -> u64 {
        self.hash
    }
}

impl PartialEq for MemberList {
    fn eq(&self, other: &MemberList) -> bool {
        self.hash == other.hash && self.keys == other.keys
    }
}

impl Eq for MemberList {}

impl Serialize for MemberList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.keys.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for MemberList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<MemberList, D::Error> {
        Ok(MemberList::new(Vec::<String>::deserialize(deserializer)?))
    }
}

/// An edit to save.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Edit {
    /// Tag (default), audience or metric.
    pub kind: Option<DefKind>,
    /// The name.
    pub name: String,
    /// The name before this edit, to rename.
    pub previous_name: Option<String>,
    /// The group.
    pub group: String,
    /// The description.
    pub description: String,
    /// The owner.
    pub owner: String,
    /// The rule.
    pub rule: String,
}

/// One piece of a diff between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    /// `equal`, `insert` or `delete`.
    pub op: &'static str,
    /// The text.
    pub text: String,
}

/// A tag pack: every definition and the settings, as one file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    /// Always [`PACK_FORMAT`].
    #[serde(default = "pack_format")]
    pub format: String,
    /// The pack format version (1).
    #[serde(default = "pack_version")]
    pub version: u32,
    /// Settings (`set` statements).
    #[serde(default)]
    pub settings: Settings,
    /// The definitions in order.
    #[serde(default)]
    pub definitions: Vec<Entry>,
    /// Fitted models, one per model: fitted again from their requests on new data (left out when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<ModelEntry>,
}

/// A fitted model kept in the pack: the request it is fitted with again on new data, and what its last fit gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelEntry {
    /// The request (`model` names the model).
    pub request: ModelRequest,
    /// 1 for the first request; each different request adds one (a refit with the same request does not).
    pub version: u32,
    /// The report of the last fit (parameters, convergence, sizes …) as the fit returned it.
    #[serde(default)]
    pub report: serde_json::Value,
}

fn pack_format() -> String {
    PACK_FORMAT.to_string()
}

fn pack_version() -> u32 {
    1
}

fn not_found(name: &str) -> Error {
    Error::no_such_tag(name)
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog { format: pack_format(), version: pack_version(), ..Catalog::default() }
    }

    /// The entry called `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.definitions.iter().find(|e| e.name == name)
    }

    /// Saves an edit at time `at` by `author`: creates the entry, or appends a version when something changed.
    /// Returns whether anything changed.
    pub fn save(&mut self, edit: &Edit, at: &str, author: &str) -> Result<bool> {
        let name = edit.name.trim();
        if name.is_empty() {
            return Err(Error::empty_name());
        }
        if name.chars().any(|c| c.is_control()) {
            return Err(Error::bad_name());
        }
        let old = edit.previous_name.as_deref().unwrap_or(name);
        let pos = self.definitions.iter().position(|e| e.name == old);
        if old != name && self.get(name).is_some() {
            return Err(Error::duplicate_name(name));
        }
        let rule = edit.rule.trim().to_string();
        match pos {
            None => {
                let version = Version {
                    version: 1,
                    at: at.into(),
                    author: author.into(),
                    rule: rule.clone(),
                    group: edit.group.clone(),
                    description: edit.description.clone(),
                    note: "created".into(),
                };
                self.definitions.push(Entry {
                    kind: edit.kind.unwrap_or(DefKind::Tag),
                    name: name.into(),
                    group: edit.group.clone(),
                    description: edit.description.clone(),
                    owner: if edit.owner.is_empty() { author.into() } else { edit.owner.clone() },
                    created: at.into(),
                    updated: at.into(),
                    rule,
                    history: vec![version],
                    members: None,
                    snapshot_of: None,
                    at: None,
                });
                Ok(true)
            }
            Some(i) => {
                let e = &mut self.definitions[i];
                let renamed = e.name != name;
                let changed = renamed
                    || e.rule != rule
                    || e.group != edit.group
                    || e.description != edit.description
                    || (!edit.owner.is_empty() && e.owner != edit.owner)
                    || edit.kind.is_some_and(|k| k != e.kind);
                if !changed {
                    return Ok(false);
                }
                let note = if renamed { format!("renamed from {}", e.name) } else { "edited".into() };
                e.name = name.into();
                e.rule = rule.clone();
                e.group = edit.group.clone();
                e.description = edit.description.clone();
                if !edit.owner.is_empty() {
                    e.owner = edit.owner.clone();
                }
                if let Some(k) = edit.kind {
                    e.kind = k;
                }
                e.updated = at.into();
                let version = e.history.last().map_or(1, |v| v.version + 1);
                e.history.push(Version {
                    version,
                    at: at.into(),
                    author: author.into(),
                    rule,
                    group: edit.group.clone(),
                    description: edit.description.clone(),
                    note,
                });
                Ok(true)
            }
        }
    }

    /// Removes an entry.
    pub fn remove(&mut self, name: &str) -> Result<Entry> {
        let pos = self.definitions.iter().position(|e| e.name == name).ok_or_else(|| not_found(name))?;
        Ok(self.definitions.remove(pos))
    }

    /// Makes an old version current again (as a new version).
    pub fn revert(&mut self, name: &str, version: u32, at: &str, author: &str) -> Result<()> {
        let e = self.get(name).ok_or_else(|| not_found(name))?;
        let v = e.history.iter().find(|v| v.version == version).cloned().ok_or_else(|| Error::no_such_version(name, version))?;
        let edit =
            Edit { kind: Some(e.kind), name: name.into(), group: v.group, description: v.description, rule: v.rule, ..Edit::default() };
        self.save(&edit, at, author)?;
        if let Some(last) = self.definitions.iter_mut().find(|e| e.name == name).and_then(|e| e.history.last_mut()) {
            last.note = format!("reverted to v{version}");
        }
        Ok(())
    }

    /// The word-level diff of an entry's rule between two versions.
    pub fn diff(&self, name: &str, from: u32, to: u32) -> Result<Vec<DiffPart>> {
        let e = self.get(name).ok_or_else(|| not_found(name))?;
        let find = |n: u32| e.history.iter().find(|v| v.version == n).ok_or_else(|| Error::no_such_version(name, n));
        let (a, b) = (find(from)?, find(to)?);
        Ok(diff_words(&a.rule, &b.rule))
    }

    /// The pack as JSON (pretty-printed; importing it gives this catalog back exactly).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a pack written by [`Catalog::to_json`].
    /// The pack must say it is one (`"format": "huaxiang-tag-pack"`) and hold `definitions`; keys a pack does not
    /// have are refused by name, so a file in another shape is never read as an empty pack.
    pub fn from_json(text: &str) -> Result<Catalog> {
        let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| Error::bad_pack_json(e.line(), e.column(), &e.to_string()))?;
        let serde_json::Value::Object(map) = &value else { return Err(Error::not_a_pack()) };
        const KEYS: [&str; 5] = ["format", "version", "settings", "definitions", "models"];
        let unknown: Vec<&str> = map.keys().map(String::as_str).filter(|k| !KEYS.contains(k)).collect();
        let missing: Vec<&str> = ["format", "definitions"].into_iter().filter(|k| !map.contains_key(*k)).collect();
        if !unknown.is_empty() || !missing.is_empty() {
            let list = |v: &[&str]| if v.is_empty() { "-".to_string() } else { v.join(", ") };
            return Err(Error::pack_keys(&list(&missing), &list(&unknown)));
        }
        if map.get("format").and_then(|f| f.as_str()) != Some(PACK_FORMAT) {
            return Err(Error::not_a_pack());
        }
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| Error::bad_pack_json(e.line(), e.column(), &e.to_string()))
    }

    /// Keeps a model's request and the report of its fit, replacing the entry of the same model; a different
    /// request is a new version. Returns the version.
    pub fn record_model(&mut self, request: ModelRequest, report: serde_json::Value) -> u32 {
        let kind = request.kind();
        match self.models.iter_mut().find(|m| m.request.kind() == kind) {
            Some(m) => {
                if m.request != request {
                    m.version += 1;
                    m.request = request;
                }
                m.report = report;
                m.version
            }
            None => {
                self.models.push(ModelEntry { request, version: 1, report });
                1
            }
        }
    }

    /// Forgets a model; returns whether it was kept.
    pub fn remove_model(&mut self, kind: ModelKind) -> bool {
        let before = self.models.len();
        self.models.retain(|m| m.request.kind() != kind);
        self.models.len() != before
    }

    /// Adds (or replaces, by name) every definition of `other`, and its models (by model); returns how many were
    /// added or changed.
    pub fn merge(&mut self, other: Catalog) -> usize {
        let mut n = 0;
        for m in other.models {
            match self.models.iter_mut().find(|x| x.request.kind() == m.request.kind()) {
                Some(x) if *x == m => {}
                Some(x) => {
                    *x = m;
                    n += 1;
                }
                None => {
                    self.models.push(m);
                    n += 1;
                }
            }
        }
        for e in other.definitions {
            match self.definitions.iter_mut().find(|x| x.name == e.name) {
                Some(x) if *x == e => {}
                Some(x) => {
                    *x = e;
                    n += 1;
                }
                None => {
                    self.definitions.push(e);
                    n += 1;
                }
            }
        }
        n
    }

    /// The catalog as rule text: `set` lines, then each definition with its description as `#` comments above it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let s = &self.settings;
        if s.rfm_monetary != Settings::default().rfm_monetary {
            out.push_str("set rfm.monetary = \"average\"\n");
        }
        let l = &s.lifecycle;
        for (key, v) in
            [("new_days", l.new_days), ("active_days", l.active_days), ("dormant_days", l.dormant_days), ("at_risk_days", l.at_risk_days)]
        {
            if let Some(v) = v {
                out.push_str(&format!("set lifecycle.{key} = {v}\n"));
            }
        }
        for (key, v) in s.churn.entries() {
            if let Some(v) = v {
                out.push_str(&format!("set churn.{key} = {}\n", crate::base::values::format_number(v)));
            }
        }
        if !out.is_empty() {
            out.push('\n');
        }
        for e in &self.definitions {
            if let Some(list) = &e.members {
                // A member list has no rule text: say so, and keep a blank line so the note is no one's description.
                let what = match &e.snapshot_of {
                    Some(of) => format!("snapshot of {} at {}", quote_name(of), quote_name(e.at.as_deref().unwrap_or(""))),
                    None => "static list".to_string(),
                };
                out.push_str(&format!(
                    "# {} {}: {what}, {} member keys (kept in the tag pack only)\n\n",
                    e.kind.keyword(),
                    quote_name(&e.name),
                    list.len()
                ));
                continue;
            }
            for line in e.description.lines() {
                out.push_str(&format!("# {line}\n"));
            }
            let name = quote_name(&e.name);
            let group = if e.group.is_empty() { String::new() } else { format!(" in {}", quote_name(&e.group)) };
            let rule = e.rule.replace('\n', "\n    ");
            out.push_str(&format!("{} {name}{group} = {rule}\n", e.kind.keyword()));
        }
        out
    }

    /// Reads rule text into the catalog (settings and definitions; comment lines right above a definition become its
    /// description). Definitions that do not parse are reported and left out; the rest are saved.
    pub fn import_text(&mut self, text: &str, at: &str, author: &str) -> (usize, Vec<Diagnostic>) {
        let (program, mut diags) = parse_program(text);
        for s in &program.settings {
            let (num, txt) = match &s.value {
                crate::rules::ast::Literal::Num(n) => (Some(*n), None),
                crate::rules::ast::Literal::Text(t) => (None, Some(t.as_str())),
            };
            if let Err((zh, en)) = self.settings.apply(&s.key, num, txt) {
                diags.push(Diagnostic::error("bad_setting", s.key_span, zh, en));
            }
        }
        let mut saved = 0;
        // Lines are counted from the previous definition on (definitions come in text order), and names are
        // compared by their skeletons through a map, so a text of thousands of definitions is read in linear time.
        let (mut counted_to, mut counted_lines) = (0usize, 1usize);
        let mut line_of = |at: u32| {
            let at = (at as usize).min(text.len());
            if at < counted_to {
                (counted_to, counted_lines) = (0, 1);
            }
            counted_lines += text.get(counted_to..at).map_or(0, |t| t.matches('\n').count());
            counted_to = at;
            counted_lines
        };
        let mut skeletons: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        let add_skeleton = |skeletons: &mut std::collections::HashMap<String, Vec<String>>, name: &str| {
            let names = skeletons.entry(skeleton(name)).or_default();
            if names.len() < 2 && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        };
        for e in &self.definitions {
            add_skeleton(&mut skeletons, &e.name);
        }
        let mut first_line: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for def in &program.defs {
            // A second definition of a name is an error naming both lines, never a silent replacement.
            let line = line_of(def.name_span.start);
            if let Some(&first) = first_line.get(def.name.as_str()) {
                let e = Error::duplicate_definition(&def.name, first, line);
                diags.push(Diagnostic::error("duplicate_definition", def.name_span, e.zh, e.en));
                continue;
            }
            first_line.insert(&def.name, line);
            add_skeleton(&mut skeletons, &def.name);
            let alike = skeletons.get(&skeleton(&def.name)).and_then(|names| names.iter().find(|o| looks_alike(o, &def.name)));
            if let Some(other) = alike {
                let e = Error::look_alike_name(&def.name, other);
                diags.push(Diagnostic::warning("look_alike_name", def.name_span, e.zh, e.en));
            } else if mixes_scripts(&def.name) {
                let e = Error::mixed_script_name(&def.name);
                diags.push(Diagnostic::warning("mixed_script_name", def.name_span, e.zh, e.en));
            }
            let Some(expr) = &def.expr else { continue };
            let rule = text.get(expr.span.start as usize..expr.span.end as usize).unwrap_or_default();
            let rule = rule.lines().map(str::trim).collect::<Vec<_>>().join("\n");
            let description = comments_above(text, def.span.start as usize);
            let edit = Edit {
                kind: Some(def.kind),
                name: def.name.clone(),
                group: def.group.clone().unwrap_or_default(),
                description,
                rule,
                ..Edit::default()
            };
            // A definition that cannot be saved (a name with control characters) is reported, never dropped unsaid.
            match self.save(&edit, at, author) {
                Ok(true) => saved += 1,
                Ok(false) => {}
                Err(e) => diags.push(Diagnostic::error(e.code, def.name_span, e.zh, e.en)),
            }
        }
        (saved, diags)
    }
}

/// The `#` comment lines directly above byte offset `at` (a definition's start), joined by newlines.
fn comments_above(text: &str, at: usize) -> String {
    let before = &text[..at.min(text.len())];
    let mut lines: Vec<&str> = Vec::new();
    let mut rest = before.trim_end_matches([' ', '\t']);
    rest = rest.strip_suffix('\n').unwrap_or(rest);
    for line in rest.rsplit('\n') {
        let t = line.trim();
        match t.strip_prefix('#') {
            Some(c) => lines.push(c.strip_prefix(' ').unwrap_or(c).trim_end()),
            None => break,
        }
    }
    lines.reverse();
    lines.join("\n")
}

/// A name with look-alike letters of other scripts written as the Latin letters they resemble (Cyrillic `і`, `р`,
/// `о` …, Greek `ο`, `ν` …), full-width Latin folded, so `vір` and `vip` have the same skeleton.
pub fn skeleton(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'а' | 'α' => 'a',
            'в' | 'β' => 'b',
            'с' | 'ϲ' => 'c',
            'ԁ' => 'd',
            'е' | 'ε' => 'e',
            'һ' => 'h',
            'і' | 'ι' | 'ӏ' => 'i',
            'ј' => 'j',
            'κ' | 'к' => 'k',
            'м' => 'm',
            'п' | 'η' => 'n',
            'о' | 'ο' | 'σ' => 'o',
            'р' | 'ρ' => 'p',
            'ѕ' => 's',
            'т' | 'τ' => 't',
            'υ' => 'u',
            'ν' => 'v',
            'ш' | 'ω' => 'w',
            'х' | 'χ' => 'x',
            'у' | 'γ' => 'y',
            'А' | 'Α' => 'A',
            'В' | 'Β' => 'B',
            'С' => 'C',
            'Е' | 'Ε' => 'E',
            'Н' | 'Η' => 'H',
            'І' | 'Ι' => 'I',
            'Ј' => 'J',
            'К' | 'Κ' => 'K',
            'М' | 'Μ' => 'M',
            'Ν' => 'N',
            'О' | 'Ο' => 'O',
            'Р' | 'Ρ' => 'P',
            'Ѕ' => 'S',
            'Т' | 'Τ' => 'T',
            'Х' | 'Χ' => 'X',
            'У' | 'Υ' => 'Y',
            'Ζ' => 'Z',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// The warning a new or renamed definition's name gets when it looks like another definition's (`vір` beside
/// `vip`) or mixes scripts; `old` is its name before the edit.
pub fn name_warning(catalog: &Catalog, name: &str, old: &str) -> Option<Diagnostic> {
    let at = crate::rules::diagnostic::Span { start: 0, end: 0 };
    if let Some(other) =
        catalog.definitions.iter().map(|e| e.name.as_str()).filter(|o| *o != old && *o != name).find(|o| looks_alike(o, name))
    {
        let e = Error::look_alike_name(name, other);
        return Some(Diagnostic::warning("look_alike_name", at, e.zh, e.en));
    }
    mixes_scripts(name).then(|| {
        let e = Error::mixed_script_name(name);
        Diagnostic::warning("mixed_script_name", at, e.zh, e.en)
    })
}

/// Whether two different names read the same ([`skeleton`]).
pub fn looks_alike(a: &str, b: &str) -> bool {
    a != b && skeleton(a) == skeleton(b)
}

/// Whether a name mixes Latin letters with Cyrillic or Greek ones (`vір`): legal, but a trap for whoever types it.
pub fn mixes_scripts(name: &str) -> bool {
    let latin = name.chars().any(|c| c.is_ascii_alphabetic() || ('\u{ff21}'..='\u{ff5a}').contains(&c));
    let other = name.chars().any(|c| ('\u{0370}'..='\u{03ff}').contains(&c) || ('\u{0400}'..='\u{052f}').contains(&c));
    latin && other
}

/// A word-level diff (words are separated by white space, as rule text is).
pub fn diff_words(a: &str, b: &str) -> Vec<DiffPart> {
    let diff = similar::TextDiff::configure().algorithm(similar::Algorithm::Myers).diff_words(a, b);
    let mut out: Vec<DiffPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            similar::ChangeTag::Equal => "equal",
            similar::ChangeTag::Insert => "insert",
            similar::ChangeTag::Delete => "delete",
        };
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => out.push(DiffPart { op, text: change.value().to_string() }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(name: &str, rule: &str) -> Edit {
        Edit { name: name.into(), rule: rule.into(), group: "偏好".into(), ..Edit::default() }
    }

    #[test]
    fn versions_diffs_and_revert() {
        let mut c = Catalog::new();
        assert!(c.save(&edit("促销敏感", "share(orders, discount > 0) >= 0.6"), "2025-06-01T10:00:00", "王").unwrap());
        assert!(!c.save(&edit("促销敏感", "share(orders, discount > 0) >= 0.6"), "2025-06-01T10:01:00", "王").unwrap());
        assert!(c.save(&edit("促销敏感", "share(orders, discount > 0) >= 0.5"), "2025-06-02T10:00:00", "李").unwrap());
        let e = c.get("促销敏感").unwrap();
        assert_eq!(e.history.len(), 2);
        assert_eq!((e.created.as_str(), e.updated.as_str()), ("2025-06-01T10:00:00", "2025-06-02T10:00:00"));
        let d = c.diff("促销敏感", 1, 2).unwrap();
        assert!(d.iter().any(|p| p.op == "delete" && p.text.contains("0.6")), "{d:?}");
        assert!(d.iter().any(|p| p.op == "insert" && p.text.contains("0.5")), "{d:?}");
        c.revert("促销敏感", 1, "2025-06-03T00:00:00", "王").unwrap();
        let e = c.get("促销敏感").unwrap();
        assert_eq!(e.rule, "share(orders, discount > 0) >= 0.6");
        assert_eq!(e.history.last().unwrap().note, "reverted to v1");
        assert_eq!(e.history.len(), 3);
    }

    #[test]
    fn pack_and_text_round_trip() {
        let mut c = Catalog::new();
        let text = "set lifecycle.active_days = 45\n# 近半年买过美妆\n# 至少三次\ntag 美妆达人 in 兴趣 = count(orders where category in [\"美妆\", \"护肤\"], last 180d) >= 3\naudience `唤醒 对象` = 美妆达人\n";
        let (n, diags) = c.import_text(text, "t0", "王");
        assert_eq!((n, diags.len()), (2, 0));
        assert_eq!(c.get("美妆达人").unwrap().description, "近半年买过美妆\n至少三次");
        assert_eq!(c.settings.lifecycle.active_days, Some(45));
        let json = c.to_json();
        let back = Catalog::from_json(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.to_json(), json);
        let again = {
            let mut d = Catalog::new();
            d.import_text(&c.to_text(), "t0", "王");
            d
        };
        assert_eq!(again.to_text(), c.to_text());
        assert!(Catalog::from_json("{\"format\":\"other\"}").is_err());
        assert_eq!(Catalog::from_json("{ nope").unwrap_err().code, "bad_pack");
    }
}
