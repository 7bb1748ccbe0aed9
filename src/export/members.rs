//! Member exports: the columns a file of members can hold (identifiers, member-file attributes, RFM figures,
//! every tag, audience and metric), each with its treatment ([`ColumnKind`]), and the one path that turns a set
//! of members and a choice of columns into the bytes of a file. The app's download, the command line's
//! `audience` and `profile` files all come from [`export_members`], so they mask, hash, neutralise and format
//! numbers alike.

use super::activation::{self, Column, ColumnKind, Export, ExportOptions, KindedCell};
use crate::audience::rfm_row;
use crate::base::dict::NONE;
use crate::base::ids::IdKind;
use crate::base::roles::Role;
use crate::base::values::{format_amount, format_number};
use crate::error::{Error, Result};
use crate::model::people::identifier_nodes;
use crate::model::{Dataset, People};
use crate::models::{ModelColumn, ModelValues};
use crate::rfm::Rfm;
use crate::rules::eval::Outcome;
use crate::tags::Compiled;
use serde::{Deserialize, Serialize};

/// What an export reads: the loaded data, its people, their RFM and the evaluated catalog.
pub struct MemberView<'a> {
    /// The loaded data.
    pub data: &'a Dataset,
    /// The people of the last computation.
    pub people: &'a People,
    /// Their RFM.
    pub rfm: &'a Rfm,
    /// The compiled catalog.
    pub compiled: &'a Compiled,
    /// Each definition's result (`None` when it could not be evaluated), by definition index.
    pub outcomes: &'a [Option<Outcome>],
    /// The member columns of fitted models.
    pub models: Vec<&'a ModelColumn>,
}

/// A column an export can hold, for the column picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnInfo {
    /// The key an [`ExportColumn`] names: `member_id`, `name`, `phone`, `email`, `attr:HEADER`, `recency`,
    /// `frequency`, `monetary`, `r_score`, `f_score`, `m_score`, `segment`, `segment_en`, `tag:NAME` or `model:KEY`.
    pub key: String,
    /// Its label in Chinese.
    pub zh: String,
    /// Its label in English.
    pub en: String,
    /// How the export treats it.
    pub kind: ColumnKind,
    /// `member`, `rfm`, `tag` or `model`.
    pub group: &'static str,
    /// Ticked by default: the member's id, name, phone, recency, frequency, monetary and segment, and the
    /// definitions the audience expression names.
    pub suggested: bool,
}

/// One column of an export request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportColumn {
    /// A key from [`available_columns`].
    pub key: String,
    /// The header written; when blank, the key (the name alone for `tag:NAME` and `attr:HEADER`).
    pub header: String,
    /// Hash this column (see [`ExportOptions::hash`]).
    pub hash: bool,
}

impl ExportColumn {
    /// A column by key with the default header, not hashed.
    pub fn new(key: impl Into<String>) -> ExportColumn {
        ExportColumn { key: key.into(), header: String::new(), hash: false }
    }

    /// The header written.
    pub fn header(&self) -> &str {
        if !self.header.trim().is_empty() {
            return &self.header;
        }
        ["tag:", "attr:", "model:"].iter().find_map(|p| self.key.strip_prefix(p)).unwrap_or(&self.key)
    }
}

/// The RFM columns: key, Chinese and English label, kind, suggested.
const RFM_COLUMNS: [(&str, &str, &str, ColumnKind, bool); 8] = [
    ("recency", "最近消费天数", "Days since last purchase", ColumnKind::Number, true),
    ("frequency", "消费次数", "Purchases", ColumnKind::Number, true),
    ("monetary", "消费金额", "Net spend", ColumnKind::Number, true),
    ("r_score", "R分", "R score", ColumnKind::Number, false),
    ("f_score", "F分", "F score", ColumnKind::Number, false),
    ("m_score", "M分", "M score", ColumnKind::Number, false),
    ("segment", "RFM分群", "RFM segment", ColumnKind::Plain, true),
    ("segment_en", "RFM分群（英文）", "RFM segment (English)", ColumnKind::Plain, false),
];

/// The columns an export can hold: the member id, name, phone and e-mail when loaded, the other member-file
/// columns, the RFM figures, and every tag, audience and metric that could be evaluated. `named` are the
/// definitions to suggest (those the audience expression names).
pub fn available_columns(view: &MemberView<'_>, named: &[String]) -> Vec<ColumnInfo> {
    let data = view.data;
    let info = |key: &str, zh: &str, en: &str, kind, group, suggested| ColumnInfo {
        key: key.to_string(),
        zh: zh.to_string(),
        en: en.to_string(),
        kind,
        group,
        suggested,
    };
    let mut out = vec![info("member_id", "会员编号", "Member id", ColumnKind::Id, "member", true)];
    let has = |kind: IdKind| (0..data.ids.len() as u32).any(|n| data.ids.kind(n) == kind);
    if data.members.attr(Role::Name).is_some() {
        out.push(info("name", "姓名", "Name", ColumnKind::Name, "member", true));
    }
    if has(IdKind::Phone) {
        out.push(info("phone", "手机号", "Phone", ColumnKind::Phone, "member", true));
    }
    if has(IdKind::Email) {
        out.push(info("email", "邮箱", "E-mail", ColumnKind::Email, "member", false));
    }
    // Identifier columns (the phone of a member file …) are offered once, above, as identifiers.
    for a in data.members.attrs.iter().filter(|a| a.role.map_or(true, |r| r != Role::Name && r.id_kind().is_none())) {
        let (zh, en) = match a.role {
            Some(r) => (r.zh().to_string(), r.en().to_string()),
            None => (a.header.clone(), a.header.clone()),
        };
        out.push(info(&format!("attr:{}", a.header), &zh, &en, ColumnKind::Plain, "member", false));
    }
    for (key, zh, en, kind, suggested) in RFM_COLUMNS {
        out.push(info(key, zh, en, kind, "rfm", suggested));
    }
    for (i, def) in view.compiled.program.defs.iter().enumerate() {
        let kind = match view.outcomes.get(i) {
            Some(Some(Outcome::Num(_))) => ColumnKind::Number,
            Some(Some(_)) => ColumnKind::Plain,
            _ => continue,
        };
        out.push(info(&format!("tag:{}", def.name), &def.name, &def.name, kind, "tag", named.contains(&def.name)));
    }
    for c in &view.models {
        let kind = if matches!(c.values, ModelValues::Num(_)) { ColumnKind::Number } else { ColumnKind::Plain };
        out.push(info(&format!("model:{}", c.key), &c.zh, &c.en, kind, "model", false));
    }
    out
}

/// Where a column's cells come from.
enum Source<'a> {
    Key,
    Attr(usize),
    Ident(Vec<u32>),
    Rfm(&'static str),
    Def(&'a Outcome),
    Model(&'a ModelColumn),
}

/// Resolves a column key, or says there is no such column.
fn source<'a>(view: &MemberView<'a>, key: &str) -> Result<(Source<'a>, ColumnKind)> {
    let data = view.data;
    let attr = |role: Role| data.members.attrs.iter().position(|a| a.role == Some(role));
    Ok(match key {
        "member_id" => (Source::Key, ColumnKind::Id),
        "name" => (Source::Attr(attr(Role::Name).ok_or_else(|| Error::bad_export_column(key))?), ColumnKind::Name),
        "phone" => (Source::Ident(identifier_nodes(data, view.people, IdKind::Phone)), ColumnKind::Phone),
        "email" => (Source::Ident(identifier_nodes(data, view.people, IdKind::Email)), ColumnKind::Email),
        _ => {
            if let Some(&(k, _, _, kind, _)) = RFM_COLUMNS.iter().find(|c| c.0 == key) {
                (Source::Rfm(k), kind)
            } else if let Some(header) = key.strip_prefix("attr:") {
                let i = data.members.attrs.iter().position(|a| a.header == header).ok_or_else(|| Error::bad_export_column(key))?;
                let kind = if data.members.attrs[i].role == Some(Role::Name) { ColumnKind::Name } else { ColumnKind::Plain };
                (Source::Attr(i), kind)
            } else if let Some(name) = key.strip_prefix("model:") {
                let column = view.models.iter().copied().find(|c| c.key == name).ok_or_else(|| Error::bad_export_column(key))?;
                let kind = if matches!(column.values, ModelValues::Num(_)) { ColumnKind::Number } else { ColumnKind::Plain };
                (Source::Model(column), kind)
            } else if let Some(name) = key.strip_prefix("tag:") {
                let outcome = view
                    .compiled
                    .find(name)
                    .and_then(|i| view.outcomes.get(i))
                    .and_then(Option::as_ref)
                    .ok_or_else(|| Error::bad_export_column(key))?;
                let kind = if matches!(outcome, Outcome::Num(_)) { ColumnKind::Number } else { ColumnKind::Plain };
                (Source::Def(outcome), kind)
            } else {
                return Err(Error::bad_export_column(key));
            }
        }
    })
}

/// One cell: the raw text before masking, hashing and neutralising. A member keyed by another identifier than a
/// member id (a phone, an e-mail) gets that identifier's kind, so masking treats it as what it is.
fn cell(view: &MemberView<'_>, source: &Source<'_>, p: u32) -> KindedCell {
    let (data, people) = (view.data, view.people);
    let pi = p as usize;
    let text = match source {
        Source::Key => {
            let node = people.resolution.key_node[pi];
            let kind = match data.ids.kind(node) {
                IdKind::Phone => Some(ColumnKind::Phone),
                IdKind::Email => Some(ColumnKind::Email),
                _ => None,
            };
            return KindedCell(data.ids.value(node).to_string(), kind);
        }
        Source::Attr(i) => match people.member_row[pi] {
            NONE => String::new(),
            row => data.members.attrs[*i].get(row).to_string(),
        },
        Source::Ident(nodes) => match nodes[pi] {
            NONE => String::new(),
            node => data.ids.value(node).to_string(),
        },
        Source::Rfm(key) => match rfm_row(view.rfm, p) {
            None if *key == "frequency" => "0".to_string(),
            None => String::new(),
            Some(r) => match *key {
                "recency" => r.recency.to_string(),
                "frequency" => r.frequency.to_string(),
                "monetary" => format_amount(r.monetary),
                "r_score" => r.r.to_string(),
                "f_score" => r.f.to_string(),
                "m_score" => r.m.to_string(),
                "segment" => r.segment.zh().to_string(),
                "segment_en" => r.segment.en().to_string(),
                _ => r.segment.en().to_string(),
            },
        },
        Source::Def(Outcome::Bool(b)) => if b.contains(p) { "1" } else { "0" }.to_string(),
        Source::Def(Outcome::Text(t)) => t.get(pi).to_string(),
        Source::Def(Outcome::Num(v)) => number_cell(v.get(pi)),
        Source::Model(ModelColumn { values: ModelValues::Num(v), .. }) => number_cell(v.get(pi)),
        Source::Model(ModelColumn { values: ModelValues::Text(t), .. }) => t.get(pi).to_string(),
    };
    KindedCell(text, None)
}

/// A number cell: empty for a missing value.
fn number_cell(x: Option<&f64>) -> String {
    match x {
        Some(x) if !x.is_nan() => format_number(*x),
        _ => String::new(),
    }
}

/// Writes the given members (in the order given) with the chosen columns as a CSV or XLSX file: masked, hashed
/// and neutralised as `options` say (see [`activation::export_rows`]).
pub fn export_members(
    view: &MemberView<'_>,
    members: impl IntoIterator<Item = u32>,
    columns: &[ExportColumn],
    options: &ExportOptions,
) -> Result<Export> {
    let mut sources = Vec::with_capacity(columns.len());
    let mut spec_columns = Vec::with_capacity(columns.len());
    for c in columns {
        let (source, kind) = source(view, &c.key)?;
        sources.push(source);
        spec_columns.push(Column { header: c.header().to_string(), kind, hash: c.hash });
    }
    let spec = activation::ExportSpec { columns: spec_columns, options: options.clone() };
    let rows = members.into_iter().map(|p| sources.iter().map(|s| cell(view, s, p)).collect::<Vec<_>>());
    activation::export_cells(&spec, rows)
}
