//! A minimal ZIP writer for the XLSX container: deflated entries (flate2 on zlib-rs, already linked for reading
//! workbooks), CRC-32, a central directory, a fixed 1980-01-01 timestamp so the same input gives the same bytes.
//! No ZIP64: an entry or the archive past 4 GiB is an error (an XLSX that size would not open anyway).
//!
//! The `zip` crate's writer would do, but with the features calamine enables it links the Zopfli compressor
//! (about 100 KB of gzipped wasm) that an export never uses.

use crate::error::{Error, Result};
use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::io::Write;

/// MS-DOS date of 1980-01-01 (the earliest a ZIP can carry); the time is 00:00.
const DOS_DATE: u16 = (1 << 5) | 1;
/// Version 2.0: deflate.
const VERSION: u16 = 20;
/// Flag bit 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;
/// Compression method 8: deflate.
const DEFLATE: u16 = 8;

/// One finished entry, for the central directory.
struct Entry {
    name: String,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// An entry being written: the text is deflated as it comes.
pub(crate) struct Part {
    name: String,
    encoder: DeflateEncoder<Vec<u8>>,
    crc: crc32fast::Hasher,
    size: u64,
}

impl Part {
    /// Appends bytes to the entry.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.crc.update(bytes);
        self.size += bytes.len() as u64;
        self.encoder.write_all(bytes).map_err(too_large)
    }
}

/// A ZIP archive in memory.
#[derive(Default)]
pub(crate) struct Archive {
    out: Vec<u8>,
    entries: Vec<Entry>,
}

fn too_large(e: impl std::fmt::Display) -> Error {
    Error::xlsx_too_large(&e.to_string())
}

fn u32_of(n: u64) -> Result<u32> {
    u32::try_from(n).map_err(|_| too_large("4 GiB"))
}

impl Archive {
    /// Starts an entry.
    pub(crate) fn start(&self, name: &str) -> Part {
        Part {
            name: name.to_string(),
            encoder: DeflateEncoder::new(Vec::new(), Compression::new(6)),
            crc: crc32fast::Hasher::new(),
            size: 0,
        }
    }

    /// Finishes an entry and appends it to the archive.
    pub(crate) fn add(&mut self, part: Part) -> Result<()> {
        let data = part.encoder.finish().map_err(too_large)?;
        let entry = Entry {
            crc: part.crc.finalize(),
            compressed: u32_of(data.len() as u64)?,
            size: u32_of(part.size)?,
            offset: u32_of(self.out.len() as u64)?,
            name: part.name,
        };
        let out = &mut self.out;
        put32(out, 0x0403_4b50);
        put16(out, VERSION);
        put_common(out, &entry);
        put16(out, 0); // extra field length
        out.extend_from_slice(entry.name.as_bytes());
        out.extend_from_slice(&data);
        self.entries.push(entry);
        Ok(())
    }

    /// Adds a whole entry at once.
    pub(crate) fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut part = self.start(name);
        part.write(bytes)?;
        self.add(part)
    }

    /// Writes the central directory and returns the archive's bytes.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>> {
        let start = u32_of(self.out.len() as u64)?;
        let out = &mut self.out;
        for entry in &self.entries {
            put32(out, 0x0201_4b50);
            put16(out, VERSION); // made by: MS-DOS attributes, version 2.0
            put16(out, VERSION);
            put_common(out, entry);
            put16(out, 0); // extra field length
            put16(out, 0); // comment length
            put16(out, 0); // disk number
            put16(out, 0); // internal attributes
            put32(out, 0); // external attributes
            put32(out, entry.offset);
            out.extend_from_slice(entry.name.as_bytes());
        }
        let size = u32_of(out.len() as u64 - u64::from(start))?;
        let count = u16::try_from(self.entries.len()).map_err(|_| too_large("entries"))?;
        put32(out, 0x0605_4b50);
        put16(out, 0); // this disk
        put16(out, 0); // the directory's disk
        put16(out, count);
        put16(out, count);
        put32(out, size);
        put32(out, start);
        put16(out, 0); // comment length
        Ok(self.out)
    }
}

/// The fields local and central headers share, from the flags to the name's length.
fn put_common(out: &mut Vec<u8>, entry: &Entry) {
    put16(out, UTF8_NAMES);
    put16(out, DEFLATE);
    put16(out, 0); // time 00:00:00
    put16(out, DOS_DATE);
    put32(out, entry.crc);
    put32(out, entry.compressed);
    put32(out, entry.size);
    put16(out, entry.name.len() as u16);
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
