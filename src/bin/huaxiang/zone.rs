//! The data time zone of `--tz`: UTC, a fixed offset, or an IANA name read from the system's zone files.

use huaxiang::base::date::Zone;
use std::path::Path;

/// The zone of `--tz`: `UTC`, a fixed offset (`+08:00`, `UTC-5`), or an IANA name read from the system's zone
/// files (`Asia/Shanghai`).
pub(crate) fn zone_named(name: &str) -> Result<Zone, String> {
    if let Some(z) = Zone::parse_fixed(name) {
        return Ok(z);
    }
    let bad = || format!("`--tz {name}`: not a fixed offset (+08:00) nor a time zone in /usr/share/zoneinfo");
    if name.contains("..") || name.starts_with('/') {
        return Err(bad());
    }
    let dir = std::env::var("TZDIR").unwrap_or_else(|_| "/usr/share/zoneinfo".to_string());
    let bytes = std::fs::read(Path::new(&dir).join(name)).map_err(|_| bad())?;
    tzif_zone(name, &bytes).ok_or_else(bad)
}

/// The machine's zone: `TZ` when set, else `/etc/localtime` (named by its link), else UTC.
pub(crate) fn machine_zone() -> Zone {
    if let Some(z) = std::env::var("TZ").ok().filter(|t| !t.is_empty()).and_then(|t| zone_named(t.trim_start_matches(':')).ok()) {
        return z;
    }
    let name = std::fs::read_link("/etc/localtime")
        .ok()
        .and_then(|p| p.to_str().and_then(|p| p.split("zoneinfo/").nth(1)).map(str::to_string))
        .unwrap_or_else(|| "localtime".to_string());
    std::fs::read("/etc/localtime").ok().and_then(|b| tzif_zone(&name, &b)).unwrap_or_else(Zone::utc)
}

/// The offsets of a TZif file (RFC 8536): the 64-bit block of version 2 and later, else the 32-bit one.
fn tzif_zone(name: &str, b: &[u8]) -> Option<Zone> {
    fn be(b: &[u8], at: usize, n: usize) -> Option<i64> {
        let s = b.get(at..at + n)?;
        Some(if n == 4 { i64::from(i32::from_be_bytes(s.try_into().ok()?)) } else { i64::from_be_bytes(s.try_into().ok()?) })
    }
    if b.get(0..4)? != b"TZif" {
        return None;
    }
    let counts = |at: usize| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for (i, x) in c.iter_mut().enumerate() {
            *x = usize::try_from(be(b, at + 20 + 4 * i, 4)?).ok()?;
        }
        Some(c)
    };
    let [isut, isstd, leap, time, types, chars] = counts(0)?;
    let (start, width) = if b[4] >= b'2' { (44 + time * 5 + types * 6 + chars + leap * 8 + isstd + isut, 8) } else { (0, 4) };
    let [_, _, _, time, types, _] = counts(start)?;
    let data = start + 44;
    let offset_of_type = |t: usize| be(b, data + time * width + time + t * 6, 4);
    let mut offsets = vec![[huaxiang::base::date::FAR_PAST, offset_of_type(0)?]];
    for i in 0..time {
        let at = be(b, data + i * width, width)?;
        let t = usize::from(*b.get(data + time * width + i)?);
        if t >= types {
            return None;
        }
        offsets.push([at, offset_of_type(t)?]);
    }
    offsets.dedup_by(|later, earlier| later[1] == earlier[1]);
    Some(Zone { name: name.to_string(), offsets })
}
