//! The workspace: the one stateful facade that owns the data, the open file and the computed results.
//!
//! Everything the browser and the command line do goes through [`Workspace`]; both get the same answers
//! because they run this same code. Results are small serialisable DTOs; the dataset never leaves.

use crate::base::date::Day;
use crate::base::dict::NONE;
use crate::base::ids::IdKind;
use crate::base::roles::{FileKind, Role};
use crate::base::values::format_amount;
use crate::error::{Error, Result};
use crate::identity::{Conflict, IdentityRule};
use crate::ingest::preview::Preview;
use crate::ingest::report::FileReport;
use crate::ingest::{xlsx, FileLoader, Format, LoadOptions};
use crate::model::{Dataset, Memory, People};
use crate::rfm::{self, Rfm, RfmRow, Segment};
use serde::Serialize;

mod analysis;
mod audience;
mod dashboard;
mod export;
mod loading;
mod member;
mod models;
mod pages;
mod snapshot;
mod summary;
mod tagging;
pub mod vocabulary;

pub use analysis::Analysis;
pub use dashboard::{Bar, Cohort, Dashboard, Kpi, MonthPoint, QualityGlance, Range, RfGrid};
pub use export::{AudienceExport, AudienceExportRequest};
pub use member::{AttributeValue, EventLine, Identifier, MemberProfile, MemberRfm, OrderLine, TagValue};
pub use models::{LookalikeAudience, ModelHistogram, ModelInfo};
pub use pages::{MemberRow, Page, SortKey};
pub use snapshot::{SNAPSHOT_MAGIC, SNAPSHOT_VERSION};
pub use summary::{Changes, Grid, IdentitySummary, KindCount, Means, MemorySummary, Quality, SegmentSize, Summary};
pub use tagging::{RuleCheck, TagsReport};

/// The default memory budget: a 32-bit wasm instance can address 4 GiB; browsers give a tab less in practice.
pub const DEFAULT_MEMORY_LIMIT: u64 = 3 << 30;

/// How much of a file must be read before its memory is projected (small files are never stopped).
const PROJECT_AFTER: u64 = 4 << 20;

/// The workspace.
#[derive(Default)]
pub struct Workspace {
    memory_limit: Option<u64>,
    data: Dataset,
    catalog: crate::tags::Catalog,
    tag_cache: crate::tags::TagCache,
    /// Bumped whenever loaded data or the identity rule changes, so results computed before are known stale.
    data_version: u64,
    /// Metric columns of the last computation under the settings they were computed with (JSON), shared by every
    /// frame until the data, the analysis date or the settings change.
    frame_cache: Option<(String, std::rc::Rc<crate::metrics::FrameCache>)>,
    /// The catalog compiled against the data's schema, under its [`crate::tags::compile_key`].
    compiled_cache: Option<(u64, std::rc::Rc<crate::tags::Compiled>)>,
    /// Value sets and rank indexes audience conditions read, each kept beside the column it indexes.
    audience_indexes: crate::audience::index::Indexes,
    files: Vec<FileReport>,
    open: Option<FileLoader>,
    computed: Option<Computed>,
    /// Each identifier node's segment at the last computation (`NO_SEGMENT` when not a buyer).
    before: Option<Before>,
    /// Member columns of the models fitted over the last computation (dropped by the next one), as rules read them.
    models: Vec<crate::rules::check::ModelField>,
    /// The model requests fitted (or tried, with the error) over the last computation, with the settings in place.
    fitted: Vec<(crate::models::ModelRequest, Option<Error>)>,
    /// The cleaning settings and time zone files are loaded with (docs/ingest.md, "Cleaning").
    cleaning: crate::ingest::clean::Cleaning,
}

/// The last computation.
struct Computed {
    people: People,
    rfm: Rfm,
    /// What M scored in this computation.
    basis: rfm::MonetaryBasis,
    /// The data version it was computed from (see `Workspace::data_version`).
    data_version: u64,
}

struct Before {
    people: u64,
    buyers: u64,
    segments: Vec<u64>,
    /// Segment of each person's key node (`u8::MAX` = not a buyer), indexed by node.
    segment_of_node: Vec<u8>,
}

impl Workspace {
    /// An empty workspace with the default identity rule.
    pub fn new() -> Workspace {
        Workspace { data: Dataset::new(IdentityRule::default()), catalog: crate::tags::Catalog::new(), ..Workspace::default() }
    }

    /// The loaded data.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Computes RFM as of `as_of` (default: the latest order day + 1) and summarises it.
    pub fn compute(&mut self, as_of: Option<Day>) -> Result<Summary> {
        let people = self.data.people();
        let person_of_order: Vec<u32> = self.data.orders.node.map(|n| people.resolution.person(n));
        let basis = self.catalog.settings.rfm_monetary;
        let rfm = rfm::compute(&self.data.orders, &person_of_order, people.len(), as_of, basis)?;
        let computed = Computed { people, rfm, basis, data_version: self.data_version };
        self.tag_cache.clear();
        self.frame_cache = None;
        self.models.clear();
        self.fitted.clear();
        let summary = self.summarise(&computed, &person_of_order);
        self.before = Some(self.snapshot(&computed, &summary));
        self.computed = Some(computed);
        Ok(summary)
    }

    /// The last computed RFM table.
    pub fn rfm(&self) -> Option<&Rfm> {
        self.computed.as_ref().map(|c| &c.rfm)
    }

    /// The people of the last computation.
    pub fn people(&self) -> Option<&People> {
        self.computed.as_ref().map(|c| &c.people)
    }

    /// The key of a person (their member id as written, else their first identifier).
    pub fn person_key(&self, person: u32) -> &str {
        match &self.computed {
            Some(c) => self.data.ids.value(c.people.resolution.key_node[person as usize]),
            None => "",
        }
    }

    /// The person of the last computation who holds an identifier (`kind`, raw value), if any.
    pub fn find_person(&self, kind: IdKind, value: &str) -> Option<u32> {
        let node = self.data.ids.find_node(kind, &kind.normalise(value)?)?;
        // A node added after the last computation belongs to nobody in it (recompute to see it).
        self.computed.as_ref()?.people.resolution.person_of_node.get(node as usize).copied()
    }
}

fn no_open_file() -> Error {
    Error::no_open_file()
}
