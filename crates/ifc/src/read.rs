//! Reading a file into STEP bytes: `.ifc` as is, `.ifczip` unpacked, and the header checked so
//! that a file which is not IFC gets a clear error instead of an empty model.

use crate::LoadError;
use std::io::Read;
use std::path::Path;

/// Reads `.ifc` or `.ifczip` bytes. Zip archives are recognised by their magic bytes, not only
/// by the extension, since users rename files.
pub(crate) fn read_model_bytes(path: &Path, max_unzipped_bytes: u64) -> Result<Vec<u8>, LoadError> {
    let bytes =
        read_file(path, READ_PIECE_BYTES).map_err(|source| LoadError::Io { path: path.into(), source })?;
    if bytes.starts_with(b"PK\x03\x04") {
        return unzip_ifc(path, &bytes, max_unzipped_bytes);
    }
    Ok(bytes)
}

/// A file is read in pieces of this size side by side once it is at least twice as large.
const READ_PIECE_BYTES: usize = 4 << 20;

/// The file's bytes, as `std::fs::read` gives them. A large file is read in pieces on every
/// thread of the pool: most of a read is the kernel zeroing the new buffer's pages and copying
/// into them, which one thread did alone while the rest of the load waited (25 ms of Office_A
/// ×10's 44 MB, about a quarter second of the 1M-element hall's 476 MB). A piece that cannot be
/// read, or a file that changed length meanwhile, is read again in one go, which then says
/// what is wrong.
fn read_file(path: &Path, piece_bytes: usize) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    if let Some(bytes) = read_in_pieces(path, piece_bytes) {
        return Ok(bytes);
    }
    std::fs::read(path)
}

#[cfg(unix)]
fn read_in_pieces(path: &Path, piece_bytes: usize) -> Option<Vec<u8>> {
    use rayon::prelude::*;
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path).ok()?;
    let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
    if len < 2 * piece_bytes || rayon::current_num_threads() < 2 {
        return None;
    }
    let mut bytes = vec![0u8; len];
    bytes
        .par_chunks_mut(piece_bytes)
        .enumerate()
        .try_for_each(|(i, piece)| file.read_exact_at(piece, (i * piece_bytes) as u64))
        .ok()?;
    // Nothing past the length the pieces were cut for: the file did not grow meanwhile.
    let grew = file.read_at(&mut [0u8; 1], len as u64).ok()? != 0;
    (!grew).then_some(bytes)
}

/// IFC text compresses about 5–20 to 1; an entry unpacking to more than this many times its
/// compressed size (plus a small allowance) is treated as a zip bomb and refused.
const MAX_ZIP_RATIO: u64 = 200;

fn unzip_ifc(path: &Path, bytes: &[u8], max_unzipped_bytes: u64) -> Result<Vec<u8>, LoadError> {
    let zip_err = |reason: String| LoadError::Zip { path: path.into(), reason };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| zip_err(e.to_string()))?;
    let mut chosen = None;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| zip_err(e.to_string()))?;
        let name = entry.name().map_err(|e| zip_err(format!("entry {i}: unreadable name: {e}")))?;
        // Nothing is written to disk, but an entry named `../x` or `/x` only comes from a
        // hostile or broken archive, so the archive is refused rather than trusted. zip's
        // `enclosed_name` makes a leading `/` relative instead of refusing it, so absolute
        // names (a leading separator or a drive letter) are checked here as well.
        let absolute = name.starts_with(['/', '\\']) || name.as_bytes().get(1) == Some(&b':');
        if absolute || entry.enclosed_name().is_none() {
            return Err(zip_err(format!(
                "entry '{name}' has an unsafe path (absolute, or leading out with '..'); refusing the archive"
            )));
        }
        if chosen.is_none() && entry.is_file() && name.to_ascii_lowercase().ends_with(".ifc") {
            chosen = Some(i);
        }
    }
    let Some(i) = chosen else {
        return Err(zip_err("the archive holds no .ifc file".into()));
    };
    let entry = archive.by_index(i).map_err(|e| zip_err(e.to_string()))?;
    let name = entry.name().map_err(|e| zip_err(format!("entry {i}: unreadable name: {e}")))?.into_owned();
    let by_ratio = entry.compressed_size().saturating_mul(MAX_ZIP_RATIO).saturating_add(1 << 20);
    let limit = max_unzipped_bytes.min(by_ratio);
    let too_big = |size: u64| {
        if limit < max_unzipped_bytes {
            format!(
                "entry '{name}' unpacks to {size} bytes or more from {} compressed, a ratio over \
                 {MAX_ZIP_RATIO}:1 that no IFC file reaches (a zip bomb?)",
                entry.compressed_size()
            )
        } else {
            format!("entry '{name}' unpacks to {size} bytes or more, over the limit of {max_unzipped_bytes}")
        }
    };
    // The declared size can lie (zip bombs), so the read itself is capped as well.
    if entry.size() > limit {
        return Err(zip_err(too_big(entry.size())));
    }
    let too_big_after_read = too_big(limit + 1);
    // The declared size only sizes the first allocation up to a bound: it may be a lie.
    let mut out = Vec::with_capacity(entry.size().min(64 << 20) as usize);
    entry.take(limit + 1).read_to_end(&mut out).map_err(|e| zip_err(format!("entry '{name}': {e}")))?;
    if out.len() as u64 > limit {
        return Err(zip_err(too_big_after_read));
    }
    Ok(out)
}

/// What the STEP header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// `FILE_SCHEMA` as written, upper case, e.g. `IFC4X3_ADD2`.
    pub schema: String,
    /// The schema whose class hierarchy is used for queries.
    pub family: ifc_lite_core::SchemaVersion,
}

/// Checks the STEP header: the `ISO-10303-21;` magic (after comments and whitespace) and a
/// `FILE_SCHEMA` naming an IFC schema ifc-lite can read.
pub(crate) fn check_header(path: &Path, bytes: &[u8]) -> Result<Header, LoadError> {
    let not_ifc = |line: usize, reason: String| LoadError::NotIfc { path: path.into(), line, reason };
    if bytes.is_empty() {
        return Err(not_ifc(1, "the file is empty".into()));
    }
    let start = skip_whitespace_and_comments(bytes);
    let magic = b"ISO-10303-21;";
    if !bytes[start..].starts_with(magic) {
        let found: String = String::from_utf8_lossy(&bytes[start..bytes.len().min(start + 24)])
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        return Err(not_ifc(
            line_of(bytes, start),
            format!("not an IFC STEP file: expected 'ISO-10303-21;', found '{found}'"),
        ));
    }
    // The header is tiny; bound the search so a huge file without one fails fast.
    let head = &bytes[..bytes.len().min(1 << 20)];
    let Some(pos) = find(head, b"FILE_SCHEMA") else {
        return Err(not_ifc(line_of(bytes, start), "the STEP header has no FILE_SCHEMA".into()));
    };
    let line = line_of(bytes, pos);
    let rest = &head[pos..];
    let q1 = rest.iter().position(|&b| b == b'\'');
    let q2 = q1.and_then(|q| rest[q + 1..].iter().position(|&b| b == b'\'').map(|p| q + 1 + p));
    let (Some(q1), Some(q2)) = (q1, q2) else {
        return Err(not_ifc(line, "FILE_SCHEMA names no schema".into()));
    };
    let schema = String::from_utf8_lossy(&rest[q1 + 1..q2]).trim().to_ascii_uppercase();
    let family = schema_family(&schema).ok_or_else(|| LoadError::UnsupportedSchema {
        path: path.into(),
        line,
        schema: schema.clone(),
    })?;
    Ok(Header { schema, family })
}

/// Maps a `FILE_SCHEMA` label to the bundled class hierarchy. IFC2X (2000–2003 exports) is read
/// with the IFC2X3 hierarchy: IFC2X3 only added to it, and ifc-lite tessellates it the same way.
pub(crate) fn schema_family(schema: &str) -> Option<ifc_lite_core::SchemaVersion> {
    if let Some(v) = ifc_lite_core::SchemaVersion::from_file_schema(schema) {
        return Some(v);
    }
    let upper = schema.to_ascii_uppercase();
    if upper.starts_with("IFC4RC") {
        return Some(ifc_lite_core::SchemaVersion::Ifc4);
    }
    if upper.starts_with("IFC4X3_RC") {
        return Some(ifc_lite_core::SchemaVersion::Ifc4x3);
    }
    if upper == "IFC2X" || upper.starts_with("IFC2X_") || upper.starts_with("IFC2X2") {
        return Some(ifc_lite_core::SchemaVersion::Ifc2x3);
    }
    None
}

/// Refuses a file with a run of more than `limit` bytes without a `;`. Files no longer than
/// the limit cannot hold one, so the usual file costs nothing; bigger ones take one `memchr`
/// pass (gigabytes per second).
pub(crate) fn check_record_lengths(path: &Path, bytes: &[u8], limit: u64) -> Result<(), LoadError> {
    if bytes.len() as u64 <= limit {
        return Ok(());
    }
    let mut start = 0usize;
    for end in memchr::memchr_iter(b';', bytes).chain(std::iter::once(bytes.len())) {
        if (end - start) as u64 > limit {
            let record = start
                + bytes[start..end].iter().take_while(|b| **b == b';' || b.is_ascii_whitespace()).count();
            return Err(LoadError::RecordTooLong { path: path.into(), line: line_of(bytes, record), limit });
        }
        start = end;
    }
    Ok(())
}

/// A sentence naming the records whose id does not fit 32 bits: ifc-lite (like most IFC tools)
/// keys entities by `u32` and skips them, so anything they hold is lost. One `memchr` pass over
/// the `#` signs; only runs of ten digits or more are looked at.
pub(crate) fn oversized_ids(bytes: &[u8]) -> Option<String> {
    let mut count = 0usize;
    let mut first: Option<(String, usize)> = None;
    for at in memchr::memchr_iter(b'#', bytes) {
        let digits = bytes[at + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits < 10 {
            continue;
        }
        let text = &bytes[at + 1..at + 1 + digits];
        let big = digits > 10 || text > b"4294967295".as_slice();
        let defines = bytes[at + 1 + digits..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'=');
        if big && defines {
            count += 1;
            first.get_or_insert_with(|| (String::from_utf8_lossy(text).into_owned(), line_of(bytes, at)));
        }
    }
    first.map(|(id, line)| {
        format!(
            "{count} record(s) have an id beyond 4294967295, the largest the IFC reader keeps, and were skipped (first: #{id} at line {line})"
        )
    })
}

/// A sentence describing how the file is cut short, when it does not end with the STEP
/// trailer `END-ISO-10303-21;` (an interrupted export, download or copy). ifc-lite still reads
/// every complete record, so such a file loads, with this as a warning.
pub(crate) fn truncation(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace() && *b != 0).map_or(0, |p| p + 1);
    if bytes[..end].ends_with(b"END-ISO-10303-21;") {
        return None;
    }
    let last_line = line_of(bytes, end);
    Some(match bytes[..end].iter().rposition(|&b| b == b';') {
        Some(p) if p + 1 < end => format!(
            "the file is truncated: it ends at line {last_line} in the middle of a record, without \
             'END-ISO-10303-21;' (an interrupted export, download or copy?); only the records up to \
             line {} were read, so elements may be missing",
            line_of(bytes, p)
        ),
        _ => format!(
            "the file is truncated: it ends at line {last_line} without 'END-ISO-10303-21;' (an \
             interrupted export, download or copy?); elements may be missing"
        ),
    })
}

fn skip_whitespace_and_comments(bytes: &[u8]) -> usize {
    let mut i = 0;
    // A UTF-8 byte order mark is harmless; some exporters write one.
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        i = 3;
    }
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes[i..].starts_with(b"/*") {
            match find(&bytes[i + 2..], b"*/") {
                Some(end) => i += 2 + end + 2,
                None => return bytes.len(),
            }
        } else {
            return i;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// 1-based line number of byte offset `pos`.
pub(crate) fn line_of(bytes: &[u8], pos: usize) -> usize {
    1 + bytes[..pos.min(bytes.len())].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read in pieces (here of 1000 bytes, on a pool of three threads), a file gives what one
    /// read gives: lengths that are and are not a multiple of the piece, and files too small to
    /// split.
    #[test]
    fn a_file_read_in_pieces_is_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("pool");
        for len in [0, 1, 999, 1999, 2000, 2001, 7000, 123_457] {
            let path = dir.path().join(format!("f{len}.ifc"));
            let content: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&path, &content).expect("writes");
            let read = pool.install(|| read_file(&path, 1000)).expect("reads");
            assert!(read == content, "{len} bytes");
            #[cfg(unix)]
            assert_eq!(
                pool.install(|| read_in_pieces(&path, 1000)).is_some(),
                len >= 2000,
                "{len} bytes in pieces"
            );
        }
        let missing = pool.install(|| read_file(&dir.path().join("none.ifc"), 1000));
        assert_eq!(missing.expect_err("no file").kind(), std::io::ErrorKind::NotFound);
    }

    fn header(text: &str) -> Result<Header, LoadError> {
        check_header(Path::new("t.ifc"), text.as_bytes())
    }

    #[test]
    fn reads_schema_after_a_leading_comment() {
        let h = header("/* made by hand */\nISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4X3_ADD2'));\nENDSEC;")
            .expect("valid header");
        assert_eq!(h.schema, "IFC4X3_ADD2");
        assert_eq!(h.family, ifc_lite_core::SchemaVersion::Ifc4x3);
    }

    #[test]
    fn old_ifc2x_is_read_as_ifc2x3() {
        let h = header("ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC2X_FINAL'));").expect("valid header");
        assert_eq!(h.family, ifc_lite_core::SchemaVersion::Ifc2x3);
    }

    /// A zip of `size` zero bytes named `model.ifc` whose headers claim 1000 bytes unpacked.
    fn lying_zip(size: usize) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("model.ifc", options).expect("entry");
        zip.write_all(&vec![0u8; size]).expect("write");
        let mut bytes = zip.finish().expect("finish").into_inner();
        // Uncompressed size: offset 22 in the local header, 24 in the central directory entry.
        let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").expect("central directory");
        for at in [22, central + 24] {
            bytes[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn a_zip_bomb_with_a_lying_header_is_stopped_while_decompressing() {
        let bytes = lying_zip(64 << 20);
        let e = unzip_ifc(Path::new("b.ifczip"), &bytes, 4 << 30).expect_err("a bomb");
        let message = e.to_string();
        // zip (9 and later) stops the read itself once the output passes the declared 1000
        // bytes, before the 200:1 ratio cap here is reached: either way, long before 64 MiB.
        assert!(message.contains("larger than its declared uncompressed size"), "{message}");
        assert!(message.contains("model.ifc"), "{message}");
    }

    #[test]
    fn ids_beyond_32_bits_are_named_only_where_a_record_is_defined() {
        let text = "DATA;\n#1=IFCWALL('#99999999999');\n#4294967295=IFCX();\n#4294967296 = IFCY();\n#123456789012=IFCZ();";
        let w = oversized_ids(text.as_bytes()).expect("two records");
        assert!(w.starts_with("2 record(s) have an id beyond 4294967295"), "{w}");
        assert!(w.contains("first: #4294967296 at line 4"), "{w}");
        assert_eq!(oversized_ids(b"#1=IFCWALL(#4294967295);"), None);
    }

    #[test]
    fn a_run_without_semicolons_longer_than_the_limit_is_refused() {
        let text = "ISO-10303-21;\nDATA;\n#1=IFCWALL('AAAAAAAAAAAAAAAAAAAA');\nENDSEC;";
        let path = Path::new("t.ifc");
        // The longest run is the wall's: 36 bytes from the `;` before it to its own.
        assert!(check_record_lengths(path, text.as_bytes(), 36).is_ok());
        let e = check_record_lengths(path, text.as_bytes(), 35).expect_err("too long");
        assert!(e.to_string().starts_with("t.ifc: line 3: a record runs for more than 35 bytes"), "{e}");
    }

    #[test]
    fn a_missing_trailer_is_a_truncation_naming_the_lines() {
        let whole = "ISO-10303-21;\nDATA;\n#1=IFCWALL('a');\nENDSEC;\nEND-ISO-10303-21;\n\n";
        assert_eq!(truncation(whole.as_bytes()), None);
        let cut = &whole[..whole.find("#1=").expect("record") + 8];
        let warning = truncation(cut.as_bytes()).expect("truncated");
        assert!(warning.contains("ends at line 3 in the middle of a record"), "{warning}");
        assert!(warning.contains("up to line 2"), "{warning}");
        let no_trailer = &whole[..whole.find("END-ISO").expect("trailer")];
        assert!(truncation(no_trailer.as_bytes()).expect("truncated").contains("line 4 without"));
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let e = header("").expect_err("empty");
        assert_eq!(e.to_string(), "t.ifc: line 1: the file is empty");
        let e = header("\n\nPK garbage").expect_err("garbage");
        assert!(e.to_string().starts_with("t.ifc: line 3: not an IFC STEP file"), "{e}");
        let e = header("ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(());\nFILE_SCHEMA(('CIS2'));")
            .expect_err("unknown schema");
        assert!(e.to_string().contains("line 4: unsupported schema 'CIS2'"), "{e}");
    }
}
