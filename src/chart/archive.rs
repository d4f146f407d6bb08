//! Reading chart archives (`.tgz`) as Helm's `pkg/chart/loader/archive` does: gzip + tar,
//! the top directory stripped, path safety checks, a UTF-8 BOM trimmed from every file, and
//! Helm's size limits.

use std::io::Read;
use std::sync::Arc;

use super::{Error, File};

/// Largest total decompressed size of one archive (Helm's `MaxDecompressedChartSize`).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;

/// Largest single file Helm loads (Helm's `MaxDecompressedFileSize`), in archives and
/// directories alike.
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Strips a leading UTF-8 byte order mark, as Helm does for every chart file.
pub(crate) fn trim_bom(data: impl Into<Arc<[u8]>>) -> Arc<[u8]> {
    let data = data.into();
    match data.strip_prefix(UTF8_BOM) {
        Some(rest) => Arc::from(rest),
        None => data,
    }
}

/// Whether the bytes start with the gzip signature Helm checks for.
pub(crate) fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(b"\x1F\x8B\x08")
}

/// A subset of Go's `http.DetectContentType`, for Helm's "not a gzipped archive" message.
/// Helm sniffs a zero-padded 512-byte buffer, so short files read as binary.
pub(crate) fn sniff_content_type(data: &[u8]) -> &'static str {
    let signatures: &[(&[u8], &str)] = &[
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"PK\x03\x04", "application/zip"),
        (b"\xEF\xBB\xBF", "text/plain; charset=utf-8"),
        (b"\xFE\xFF", "text/plain; charset=utf-16be"),
        (b"\xFF\xFE", "text/plain; charset=utf-16le"),
    ];
    for (sig, ty) in signatures {
        if data.starts_with(sig) {
            return ty;
        }
    }
    let head = &data[..data.len().min(512)];
    let binary = data.len() < 512
        || head.iter().any(|&b| {
            b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
        });
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Go's `path.Clean` for `/`-separated paths.
pub(crate) fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn is_drive_path(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

fn archive_error(message: impl Into<String>) -> Error {
    Error::Archive(message.into())
}

/// The chart-relative name of a tar entry, after Helm's safety checks.
fn entry_name(raw: &str) -> Result<String, Error> {
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let parts: Vec<&str> = raw.split(delimiter).collect();
    let joined = parts[1..]
        .join(&delimiter.to_string())
        .replace(delimiter, "/");
    if joined.starts_with('/') {
        return Err(archive_error("chart illegally contains absolute paths"));
    }
    let n = clean_path(&joined);
    if n == "." {
        return Err(archive_error(format!(
            "chart illegally contains content outside the base directory: {raw:?}"
        )));
    }
    if n.starts_with("..") {
        return Err(archive_error("chart illegally references parent directory"));
    }
    if is_drive_path(&n) {
        return Err(archive_error("chart contains illegally named files"));
    }
    if parts[0] == "Chart.yaml" {
        return Err(archive_error("chart yaml not in base directory"));
    }
    Ok(n)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "unexpected EOF".into(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
            if e.to_string().contains("header") =>
        {
            "gzip: invalid header".into()
        }
        _ => e.to_string(),
    }
}

/// Helm's `LoadArchiveFiles`: every non-directory entry of a gzipped tar, with the first path
/// component removed.
pub(crate) fn read_archive(bytes: &[u8]) -> Result<Vec<File>, Error> {
    if !is_gzip(bytes) {
        return Err(Error::GzipHeader);
    }
    let gz = flate2::read::MultiGzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let entries = archive
        .entries()
        .map_err(|e| archive_error(io_message(&e)))?;
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    for entry in entries {
        let entry = entry.map_err(|e| archive_error(io_message(&e)))?;
        let header = entry.header();
        let kind = header.entry_type();
        let mode_dir = header.mode().is_ok_and(|m| m & 0o040000 != 0);
        if kind.is_dir() || mode_dir {
            continue;
        }
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = entry_name(&raw)?;
        let size = entry.size();
        if size > remaining {
            return Err(archive_error(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(archive_error(format!(
                "decompressed chart file {raw:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        let mut data = Vec::new();
        let written = entry
            .take(remaining)
            .read_to_end(&mut data)
            .map_err(|e| archive_error(io_message(&e)))?;
        let written = u64::try_from(written).unwrap_or(u64::MAX);
        remaining = remaining.saturating_sub(written);
        if written < size || remaining == 0 {
            return Err(archive_error(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        files.push(File {
            name,
            data: trim_bom(data).into(),
        });
    }
    if files.is_empty() {
        return Err(archive_error("no files in chart archive"));
    }
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a gzipped tar from `(path, contents)` pairs, for tests across the module.
    pub(crate) fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            {
                let name = &mut header.as_old_mut().name;
                let bytes = path.as_bytes();
                name[..bytes.len()].copy_from_slice(bytes);
            }
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn cleans_paths_like_go() {
        assert_eq!(clean_path("a/./b/../c"), "a/c");
        assert_eq!(clean_path("../x"), "../x");
        assert_eq!(clean_path("a/../.."), "..");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("/a/../../b"), "/b");
    }

    #[test]
    fn strips_top_dir_and_bom() {
        let data = tgz(&[
            ("c/Chart.yaml", b"\xEF\xBB\xBFname: c\n"),
            ("c/templates/a.yaml", b"x"),
        ]);
        let files = read_archive(&data).unwrap();
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(&files[0].data.read().unwrap()[..], b"name: c\n");
        assert_eq!(files[1].name, "templates/a.yaml");
    }

    #[test]
    fn rejects_unsafe_paths() {
        let err = |p: &str| read_archive(&tgz(&[(p, b"x")])).unwrap_err().to_string();
        assert_eq!(
            err("c/../../etc/passwd"),
            "chart illegally references parent directory"
        );
        assert_eq!(
            err("Chart.yaml"),
            "chart illegally contains content outside the base directory: \"Chart.yaml\""
        );
        assert_eq!(err("c/C:/x"), "chart contains illegally named files");
        assert_eq!(err("Chart.yaml/x"), "chart yaml not in base directory");
        assert_eq!(
            read_archive(b"plain").unwrap_err().to_string(),
            "gzip: invalid header"
        );
    }

    #[test]
    fn enforces_the_file_size_limit() {
        let big = vec![b'a'; usize::try_from(MAX_DECOMPRESSED_FILE_SIZE).unwrap() + 1];
        let err = read_archive(&tgz(&[("c/big.txt", &big)]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "decompressed chart file \"c/big.txt\" is larger than the maximum file size 5242880"
        );
    }

    #[test]
    fn sniffs_like_go_for_short_files() {
        assert_eq!(sniff_content_type(b"hi\n"), "application/octet-stream");
        assert_eq!(
            sniff_content_type(&[b'a'; 600]),
            "text/plain; charset=utf-8"
        );
        assert_eq!(sniff_content_type(b"PK\x03\x04rest"), "application/zip");
        assert!(is_gzip(b"\x1F\x8B\x08\x00"));
    }
}
