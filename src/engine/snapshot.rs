//! The workspace snapshot: the loaded data as one compact, versioned binary, so a browser can keep it (in its
//! private file system, when the user opts in) and restore it without reading the files again.
//!
//! Layout, all numbers little-endian ([`crate::base::binary`]):
//!
//! ```text
//! magic     8 bytes  "HXSNAP\r\n"
//! version   u32      SNAPSHOT_VERSION
//! dataset            model::Dataset::write — identity graph, member rows, order and event columns as encoded
//! files     u64 n, then n × ingest::report::FileReport::write
//! crc32     u32      CRC-32 of every byte before it
//! ```
//!
//! Columns are written in their encoded form (narrow offsets, runs, dictionaries as one text plus end offsets), so
//! the snapshot is about the size the data takes in memory and reading it is mostly copying. The tag catalog and
//! settings are not in it (the page keeps them itself), nor any computed result: a restored workspace computes
//! again, and gives the same answers as the one that was saved. A change of layout bumps the version; a snapshot
//! of another version is refused with `snapshot_version` (the page then asks for the files).

use super::Workspace;
use crate::base::binary::{Reader, Writer};
use crate::error::{Error, Result};
use crate::ingest::report::FileReport;
use crate::model::Dataset;

/// The first bytes of every snapshot.
pub const SNAPSHOT_MAGIC: &[u8; 8] = b"HXSNAP\r\n";

/// The layout version this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

impl Workspace {
    /// The loaded data as snapshot bytes (a file being read is not included).
    pub fn data_snapshot(&self) -> Vec<u8> {
        let mut w = Writer::new();
        SNAPSHOT_MAGIC.iter().for_each(|&b| w.u8(b));
        w.u32(SNAPSHOT_VERSION);
        self.data.write(&mut w);
        w.count(self.files.len());
        self.files.iter().for_each(|f| f.write(&mut w));
        let mut bytes = w.finish();
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        bytes
    }

    /// Replaces the loaded data by a snapshot's; the tag catalog, its settings and the memory limit stay. Nothing
    /// changes when the bytes are not a readable snapshot of this version.
    pub fn restore_snapshot(&mut self, bytes: &[u8]) -> Result<()> {
        let (data, files) = read(bytes)?;
        let catalog = std::mem::take(&mut self.catalog);
        let data_version = self.data_version + 1;
        *self = Workspace { data, files, catalog, memory_limit: self.memory_limit, data_version, ..Workspace::default() };
        Ok(())
    }
}

/// Checks the header and checksum, then reads the dataset and the file reports.
fn read(bytes: &[u8]) -> Result<(Dataset, Vec<FileReport>)> {
    let head = SNAPSHOT_MAGIC.len() + 4;
    if bytes.len() < head + 4 || &bytes[..SNAPSHOT_MAGIC.len()] != SNAPSHOT_MAGIC {
        return Err(Error::snapshot_damaged());
    }
    let version = u32::from_le_bytes(bytes[SNAPSHOT_MAGIC.len()..head].try_into().map_err(|_| Error::snapshot_damaged())?);
    if version != SNAPSHOT_VERSION {
        return Err(Error::snapshot_version(version, SNAPSHOT_VERSION));
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err(Error::snapshot_damaged());
    }
    let mut r = Reader::new(&body[head..]);
    let data = Dataset::read(&mut r)?;
    let files = (0..r.count()?).map(|_| FileReport::read(&mut r)).collect::<Result<Vec<_>>>()?;
    if r.remaining() != 0 {
        return Err(Error::snapshot_damaged());
    }
    Ok((data, files))
}
