//! `Workspace` loading: previews, files pushed in chunks and finished into the dataset, workbooks, synthetic
//! data, the memory budget that refuses a file too large for the tab before it runs out of memory, and resets.

use super::*;

impl Workspace {
    /// The keys of the numbered orders loaded, for a file that may hold orders (its kind is orders or not yet
    /// known): rebuilt from the order columns for the file's load only, never held after it.
    fn known_orders(&self, options: &LoadOptions) -> std::rc::Rc<Vec<u64>> {
        let may_hold_orders = matches!(options.kind, None | Some(FileKind::Orders));
        if may_hold_orders && !self.data.orders.is_empty() {
            std::rc::Rc::new(self.data.orders.known_keys())
        } else {
            std::rc::Rc::default()
        }
    }

    /// Looks at a file before loading it (see [`FileLoader::preview`]).
    pub fn preview(&self, name: &str, bytes: &[u8], complete: bool, options: &LoadOptions) -> Result<Preview> {
        FileLoader::preview(name, bytes, complete, options)
    }

    /// Starts a text file (CSV or JSON Lines).
    pub fn begin_file(&mut self, name: &str, mut options: LoadOptions) -> Result<()> {
        if self.open.is_some() {
            return Err(Error::file_open());
        }
        options.cleaning = self.cleaning.clone();
        let known = self.known_orders(&options);
        let mut loader = FileLoader::new(name, options)?;
        loader.known_orders(known);
        self.open = Some(loader);
        Ok(())
    }

    /// Feeds the open file's next chunk; returns the data rows read so far. On error the file is closed and
    /// everything loaded before stays. When the file's size is known, the memory the whole file will need is
    /// projected from what has been read, and the load stops with `file_too_large` before it would exceed the limit.
    pub fn push(&mut self, bytes: &[u8]) -> Result<u64> {
        let loader = self.open.as_mut().ok_or_else(no_open_file)?;
        let mut result = loader.push(bytes);
        if result.is_ok() {
            if let Some(e) = self.projected_overflow() {
                result = Err(e);
            }
        }
        if result.is_err() {
            self.open = None;
        }
        result
    }

    /// The memory budget in bytes.
    pub fn memory_limit(&self) -> u64 {
        self.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT)
    }

    /// Sets the memory budget (the page sets it from what the browser allows; tests set it low).
    pub fn set_memory_limit(&mut self, bytes: u64) {
        self.memory_limit = Some(bytes);
    }

    /// The error to stop the open file with, if its projected size would not fit the memory budget.
    fn projected_overflow(&self) -> Option<Error> {
        let loader = self.open.as_ref()?;
        let size = loader.options().size?;
        let read = loader.report().bytes;
        if read < PROJECT_AFTER.min(size) || read == 0 {
            return None;
        }
        // Staged columns move into the dataset when merged (encoded narrower there, one column at a time), and
        // identifiers grow the identity graph, which a quarter more covers.
        let staged = loader.staged_bytes() as f64 * size as f64 / read as f64;
        let held = self.memory().bytes as f64;
        let projected = held + 1.25 * staged;
        let limit = self.memory_limit() as f64;
        if projected <= limit {
            return None;
        }
        let name = &loader.report().name;
        let (need, have) = (projected / (1 << 20) as f64, limit / (1 << 20) as f64);
        Some(Error::file_too_large(name, need, have))
    }

    /// The open file's report so far (its columns once the mapping is settled).
    pub fn open_report(&self) -> Option<&FileReport> {
        self.open.as_ref().map(FileLoader::report)
    }

    /// Finishes the open file and merges its rows. On error nothing is merged and earlier data stays.
    pub fn finish_file(&mut self) -> Result<FileReport> {
        let loader = self.open.take().ok_or_else(no_open_file)?;
        let (batch, report) = loader.finish()?;
        Ok(self.merge(batch, report))
    }

    /// Loads a sheet of an XLSX workbook (the first sheet unless `options.sheet` names one).
    pub fn load_workbook(&mut self, name: &str, bytes: &[u8], mut options: LoadOptions) -> Result<FileReport> {
        if self.open.is_some() {
            return Err(Error::file_open());
        }
        let budget = self.memory_limit().saturating_sub(self.memory().bytes) / 2;
        let (sheet, rows) = xlsx::read_sheet_within(bytes, options.sheet.as_deref(), budget)?;
        options.sheet = Some(sheet);
        options.format = Some(Format::Xlsx);
        options.cleaning = self.cleaning.clone();
        let known = self.known_orders(&options);
        let mut loader = FileLoader::new(name, options)?;
        loader.known_orders(known);
        loader.push_rows(&rows)?;
        let (batch, mut report) = loader.finish()?;
        report.bytes = bytes.len() as u64;
        Ok(self.merge(batch, report))
    }

    fn merge(&mut self, batch: crate::model::batch::Batch, mut report: FileReport) -> FileReport {
        let outcome = self.data.append(batch, &report.name);
        self.data_version += 1;
        report.new_identifiers = outcome.new_identifiers;
        self.files.push(report.clone());
        report
    }

    /// Loads a synthetic dataset built straight into columns (members, orders and events from one seed), for
    /// benchmarks at millions of members without generating and parsing text.
    pub fn load_synthetic(&mut self, seed: u64, size: crate::sample::synthetic::Size) {
        use crate::sample::synthetic;
        for (name, kind, batch) in [
            ("synthetic_members", FileKind::Members, synthetic::members(seed, size)),
            ("synthetic_orders", FileKind::Orders, synthetic::orders(seed, size)),
            ("synthetic_events", FileKind::Events, synthetic::events(seed, size)),
        ] {
            let mut report = FileReport::new(name, kind);
            report.rows_read = batch.len() as u64;
            report.rows_loaded = batch.len() as u64;
            self.merge(batch, report);
        }
    }

    /// Drops the open file; everything loaded before stays.
    pub fn cancel_file(&mut self) {
        self.open = None;
    }

    /// Reports of every loaded file.
    pub fn files(&self) -> &[FileReport] {
        &self.files
    }

    /// Forgets every file and result (the identity rule and the tag catalog stay).
    pub fn reset(&mut self) {
        let rule = self.data.ids.rule().clone();
        let catalog = std::mem::take(&mut self.catalog);
        let cleaning = std::mem::take(&mut self.cleaning);
        *self = Workspace { data: Dataset::new(rule), catalog, cleaning, ..Workspace::default() };
    }

    /// The cleaning settings and time zone files are loaded with.
    pub fn cleaning(&self) -> &crate::ingest::clean::Cleaning {
        &self.cleaning
    }

    /// Sets the cleaning settings and time zone for files loaded from now on (files already loaded keep theirs:
    /// the app reloads the files it keeps, the command line sets them before loading).
    pub fn set_cleaning(&mut self, cleaning: crate::ingest::clean::Cleaning) {
        self.cleaning = cleaning;
    }

    /// The identity rule in force.
    pub fn identity_rule(&self) -> &IdentityRule {
        self.data.ids.rule()
    }

    /// Sets which identifiers link people and which are unique, re-linking what is loaded (no file is re-read).
    pub fn set_identity_rule(&mut self, rule: IdentityRule) {
        self.data.ids.set_rule(rule);
        self.data_version += 1;
    }

    /// Loads a whole text file from memory (convenience for tests and the command line).
    pub fn load_bytes(&mut self, name: &str, kind: Option<FileKind>, bytes: &[u8], chunk: usize) -> Result<FileReport> {
        let format = Format::detect(name, bytes);
        let options = LoadOptions { kind, format: Some(format), size: Some(bytes.len() as u64), ..LoadOptions::default() };
        if format == Format::Xlsx {
            return self.load_workbook(name, bytes, options);
        }
        self.begin_file(name, options)?;
        for c in bytes.chunks(chunk.max(1)) {
            self.push(c)?;
        }
        self.finish_file()
    }
}
