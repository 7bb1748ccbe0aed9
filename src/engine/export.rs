//! `Workspace` exports: an audience (or one arm of a split) as a CSV or XLSX file from one request type, the
//! whole member table with every tag (the command line's `profile`), the tag pack as warehouse SQL and the loaded
//! data as the normalised tables that SQL reads. Every one of them is built here, in bytes or text; the binding
//! only converts types and the command line only writes files, so both give the same bytes.

use super::{Analysis, Workspace};
use crate::audience::SplitRequest;
use crate::error::{Error, Result};
use crate::export::activation::{Export, ExportLogEntry, ExportOptions};
use crate::export::members::{available_columns, export_members, ColumnInfo, ExportColumn, MemberView};
use crate::export::sql::{tag_pack_sql, SqlExport, SqlOptions};
use crate::export::tables::{normalised_tables, NormalisedTables};
use serde::{Deserialize, Serialize};

/// What [`Workspace::export_audience`] reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AudienceExportRequest {
    /// The audience: an expression or a definition's name.
    pub audience: String,
    /// Its name for the export log (default: the audience).
    pub name: String,
    /// Its version or snapshot, for the log.
    pub version: Option<String>,
    /// Export one arm of this split …
    pub split: Option<SplitRequest>,
    /// … this one.
    pub arm: Option<String>,
    /// The columns in file order (keys from [`Workspace::export_columns`]).
    pub columns: Vec<ExportColumn>,
    /// Masking, hashing, format and encoding.
    pub options: ExportOptions,
}

/// An audience export: the file and its log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudienceExport {
    /// The file's bytes and what went into it.
    pub export: Export,
    /// The export-log entry to keep.
    pub log: ExportLogEntry,
}

impl Workspace {
    /// [`Analysis::export_columns`] after a [`Workspace::refresh`].
    pub fn export_columns(&mut self, expr: Option<&str>) -> Result<Vec<ColumnInfo>> {
        self.analysis()?.export_columns(expr)
    }

    /// [`Analysis::export_audience`] after a [`Workspace::refresh`].
    pub fn export_audience(&mut self, request: &AudienceExportRequest, at: &str) -> Result<AudienceExport> {
        self.analysis()?.export_audience(request, at)
    }

    /// [`Analysis::export_member_set`] after a [`Workspace::refresh`].
    pub fn export_member_set(
        &mut self,
        members: impl IntoIterator<Item = u32>,
        columns: &[ExportColumn],
        options: &ExportOptions,
    ) -> Result<Export> {
        self.analysis()?.export_member_set(members, columns, options)
    }

    /// The tag pack as SQL. Without an analysis date in `options`, the workspace's is used when it was set
    /// explicitly, and otherwise the SQL computes the default from the orders as the engine does.
    pub fn export_sql(&self, options: &SqlOptions) -> Result<SqlExport> {
        let mut options = options.clone();
        if options.as_of.is_none() {
            options.as_of = self.rfm().filter(|r| !r.as_of_default).map(|r| r.as_of.to_string());
        }
        tag_pack_sql(self.catalog(), &self.schema(), &options)
    }

    /// The loaded data as the normalised tables the SQL reads.
    pub fn normalised_tables(&self) -> Result<NormalisedTables> {
        let people = self.people().ok_or_else(Error::not_computed)?;
        normalised_tables(&self.data, people)
    }
}

impl Analysis<'_> {
    /// Every definition's result, for what an export reads.
    fn outcomes(&self) -> Result<Vec<Option<crate::rules::eval::Outcome>>> {
        Ok(self.evaluate_tags()?.1.map(|e| e.outcomes).unwrap_or_default())
    }

    /// What an export reads: the data, the people and their RFM, and every definition's result.
    fn member_view<'b>(&'b self, outcomes: &'b [Option<crate::rules::eval::Outcome>]) -> Result<MemberView<'b>> {
        let computed = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        Ok(MemberView {
            data: &self.data,
            people: &computed.people,
            rfm: &computed.rfm,
            compiled: &self.compiled,
            outcomes,
            models: self.model_columns(),
        })
    }

    /// The columns an export can hold (see [`available_columns`]), suggesting the definitions `expr` names.
    pub fn export_columns(&self, expr: Option<&str>) -> Result<Vec<ColumnInfo>> {
        let named = match expr.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => self.audience_tags(e).unwrap_or_default(),
            None => Vec::new(),
        };
        let outcomes = self.outcomes()?;
        Ok(available_columns(&self.member_view(&outcomes)?, &named))
    }

    /// Writes the members of an audience (or of one arm of a split), in member order, as the request says. `at` is
    /// the time of the export for its log entry (the caller's clock; ISO 8601).
    pub fn export_audience(&self, request: &AudienceExportRequest, at: &str) -> Result<AudienceExport> {
        let members = match (&request.split, &request.arm) {
            (Some(split), Some(arm)) => self
                .split_members(split)?
                .into_iter()
                .find(|(name, _)| name == arm)
                .map(|(_, bits)| bits)
                .ok_or_else(|| Error::no_such_arm(arm))?,
            _ => self.audience_members(&request.audience)?,
        };
        let export = self.export_member_set(members.iter(), &request.columns, &request.options)?;
        let name = if request.name.trim().is_empty() { &request.audience } else { &request.name };
        let mut log = ExportLogEntry::new(at, name.as_str(), &request.options, &export.report);
        log.version = request.version.clone();
        Ok(AudienceExport { export, log })
    }

    /// Writes the given members with the chosen columns: the one path behind every member file.
    pub fn export_member_set(
        &self,
        members: impl IntoIterator<Item = u32>,
        columns: &[ExportColumn],
        options: &ExportOptions,
    ) -> Result<Export> {
        let outcomes = self.outcomes()?;
        export_members(&self.member_view(&outcomes)?, members, columns, options)
    }
}
