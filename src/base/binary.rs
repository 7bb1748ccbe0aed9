//! A little-endian byte codec for the workspace snapshot: [`Writer`] appends numbers, strings and whole columns
//! to one buffer; [`Reader`] reads them back in the same order and fails (never panics) on bytes that end early
//! or claim more than they hold. The layout of each type is written next to the type (its `write`/`read`), and the
//! snapshot's header and version live in `engine::snapshot`.

use crate::error::{Error, Result};

/// Appends values to a byte buffer.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

/// Defines a `Writer` method that writes a slice of numbers (its length, then each value little-endian).
macro_rules! write_slice {
    ($name:ident, $t:ty) => {
        /// Writes the length, then every value.
        pub fn $name(&mut self, values: &[$t]) {
            self.count(values.len());
            self.buf.reserve(values.len() * std::mem::size_of::<$t>());
            for v in values {
                self.buf.extend_from_slice(&v.to_le_bytes());
            }
        }
    };
}

/// Defines a `Reader` method that reads a slice written by the matching `Writer` method.
macro_rules! read_slice {
    ($name:ident, $t:ty) => {
        /// Reads a slice written by the `Writer` method of the same name.
        pub fn $name(&mut self) -> Result<Vec<$t>> {
            const W: usize = std::mem::size_of::<$t>();
            let n = self.count()?;
            let bytes = self.take(n.checked_mul(W).ok_or_else(Error::snapshot_damaged)?)?;
            Ok(bytes.chunks_exact(W).map(|c| <$t>::from_le_bytes(c.try_into().expect("chunks of W bytes"))).collect())
        }
    };
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Writer {
        Writer::default()
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// A boolean as one byte.
    pub fn bool(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    /// A `u32`.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A `u64`.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// An `i64`.
    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A length or count (as a `u64`).
    pub fn count(&mut self, n: usize) {
        self.u64(n as u64);
    }

    /// Raw bytes, after their length.
    pub fn bytes(&mut self, v: &[u8]) {
        self.count(v.len());
        self.buf.extend_from_slice(v);
    }

    /// A string (UTF-8, after its length).
    pub fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }

    /// An optional string (a presence byte, then the string).
    pub fn opt_str(&mut self, v: Option<&str>) {
        self.bool(v.is_some());
        if let Some(v) = v {
            self.str(v);
        }
    }

    write_slice!(u16s, u16);
    write_slice!(u32s, u32);
    write_slice!(i64s, i64);

    /// Bytes written so far.
    pub fn position(&self) -> usize {
        self.buf.len()
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads values back from bytes written by a [`Writer`].
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or_else(Error::snapshot_damaged)?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.take(N)?.try_into().map_err(|_| Error::snapshot_damaged())
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// A boolean.
    pub fn bool(&mut self) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Error::snapshot_damaged()),
        }
    }

    /// A `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A `u64`.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// An `i64`.
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A length or count; never more than the bytes left (every element takes at least one byte), so a damaged
    /// length cannot ask for a huge allocation.
    pub fn count(&mut self) -> Result<usize> {
        let n = self.u64()?;
        usize::try_from(n).ok().filter(|&n| n <= self.remaining()).ok_or_else(Error::snapshot_damaged)
    }

    /// Raw bytes written by [`Writer::bytes`].
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.count()?;
        self.take(n)
    }

    /// A string.
    pub fn str(&mut self) -> Result<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| Error::snapshot_damaged())
    }

    /// An optional string.
    pub fn opt_str(&mut self) -> Result<Option<String>> {
        Ok(if self.bool()? { Some(self.str()?) } else { None })
    }

    read_slice!(u16s, u16);
    read_slice!(u32s, u32);
    read_slice!(i64s, i64);

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_in_order_and_short_input_fails() {
        let mut w = Writer::new();
        w.u8(7);
        w.bool(true);
        w.i64(-5);
        w.str("会员");
        w.opt_str(None);
        w.u32s(&[1, u32::MAX]);
        w.i64s(&[i64::MIN, 0]);
        w.u16s(&[9]);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes);
        assert_eq!((r.u8().unwrap(), r.bool().unwrap(), r.i64().unwrap()), (7, true, -5));
        assert_eq!((r.str().unwrap(), r.opt_str().unwrap()), ("会员".to_string(), None));
        assert_eq!(r.u32s().unwrap(), vec![1, u32::MAX]);
        assert_eq!(r.i64s().unwrap(), vec![i64::MIN, 0]);
        assert_eq!(r.u16s().unwrap(), vec![9]);
        assert_eq!(r.remaining(), 0);
        for cut in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..cut]);
            let all = (|| -> Result<()> {
                r.u8()?;
                r.bool()?;
                r.i64()?;
                r.str()?;
                r.opt_str()?;
                r.u32s()?;
                r.i64s()?;
                r.u16s()?;
                Ok(())
            })();
            assert_eq!(all.unwrap_err().code, "snapshot_damaged", "cut at {cut}");
        }
    }
}
