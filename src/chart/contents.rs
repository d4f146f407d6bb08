//! A chart file's bytes: read when the chart is loaded, or read on first use.
//!
//! Loading a directory chart reads what loading itself needs (metadata, values, the schema,
//! templates, subchart archives). Everything else (READMEs, changelogs, `crds/`, files for
//! `.Files`) is only checked for readability (`faccessat`), so that a missing or unreadable file fails the load as it does
//! in Helm, and read the first time a render asks for it: most renders never do, and those
//! files were up to half of what a render read and paged in.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A file's bytes, shared; see the module documentation.
#[derive(Clone)]
pub struct Contents(Repr);

#[derive(Clone)]
enum Repr {
    /// Read when the chart was loaded (or built in memory).
    Loaded(Arc<[u8]>),
    /// To be read from disk on first use.
    Deferred(Arc<Deferred>),
}

/// A file left on disk by the loader.
struct Deferred {
    /// Where it is.
    path: PathBuf,
    /// Its bytes once read, a leading UTF-8 BOM removed.
    bytes: OnceLock<Arc<[u8]>>,
}

/// A deferred file that could no longer be read when a render asked for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("error reading {path}: {message}")]
pub struct ReadError {
    /// The file's path on disk.
    pub path: String,
    /// The OS error.
    pub message: String,
}

impl Contents {
    /// A file of a directory chart, read from `path` on first use.
    pub fn deferred(path: PathBuf) -> Contents {
        Contents(Repr::Deferred(Arc::new(Deferred {
            path,
            bytes: OnceLock::new(),
        })))
    }

    /// The bytes, read (once) if the file was left on disk.
    pub fn read(&self) -> Result<Arc<[u8]>, ReadError> {
        match &self.0 {
            Repr::Loaded(bytes) => Ok(Arc::clone(bytes)),
            Repr::Deferred(d) => {
                if let Some(bytes) = d.bytes.get() {
                    return Ok(Arc::clone(bytes));
                }
                let bytes = std::fs::read(&d.path).map_err(|e| ReadError {
                    path: d.path.display().to_string(),
                    message: super::loader::os_message(&e),
                })?;
                Ok(Arc::clone(
                    d.bytes.get_or_init(|| super::archive::trim_bom(bytes)),
                ))
            }
        }
    }

    /// The bytes, if they are in memory already.
    pub fn loaded(&self) -> Option<&Arc<[u8]>> {
        match &self.0 {
            Repr::Loaded(bytes) => Some(bytes),
            Repr::Deferred(d) => d.bytes.get(),
        }
    }
}

impl From<Arc<[u8]>> for Contents {
    fn from(bytes: Arc<[u8]>) -> Contents {
        Contents(Repr::Loaded(bytes))
    }
}

impl From<Vec<u8>> for Contents {
    fn from(bytes: Vec<u8>) -> Contents {
        Contents(Repr::Loaded(bytes.into()))
    }
}

impl From<&[u8]> for Contents {
    fn from(bytes: &[u8]) -> Contents {
        Contents(Repr::Loaded(bytes.into()))
    }
}

impl From<&str> for Contents {
    fn from(text: &str) -> Contents {
        Contents::from(text.as_bytes())
    }
}

impl fmt::Debug for Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0, self.loaded()) {
            (_, Some(bytes)) => write!(f, "{} bytes", bytes.len()),
            (Repr::Deferred(d), None) => write!(f, "{} (not read yet)", d.path.display()),
            (Repr::Loaded(_), None) => unreachable!("loaded contents are in memory"),
        }
    }
}

impl PartialEq for Contents {
    /// Equal bytes; a file that cannot be read equals only another unreadable one.
    fn eq(&self, other: &Contents) -> bool {
        match (self.read(), other.read()) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        }
    }
}

impl Eq for Contents {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deferred file is read on first use, without its BOM, and then kept: later reads
    /// see the same bytes even if the file changed or went away.
    #[test]
    fn deferred_files_are_read_once_on_first_use() {
        let dir = std::env::temp_dir().join(format!("rudder-contents-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("README.md");
        std::fs::write(&path, b"\xEF\xBB\xBFhello").expect("write");
        let c = Contents::deferred(path.clone());
        assert!(c.loaded().is_none());
        assert_eq!(&c.read().expect("reads")[..], b"hello");
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(&c.clone().read().expect("kept")[..], b"hello");
        assert_eq!(c, Contents::from("hello"));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    /// A deferred file that disappeared before its first use is an error naming it.
    #[test]
    fn a_vanished_file_is_an_error_naming_it() {
        let path = std::env::temp_dir().join("rudder-contents-missing/none.txt");
        let err = Contents::deferred(path.clone())
            .read()
            .expect_err("no file");
        assert_eq!(err.path, path.display().to_string());
        assert_eq!(err.message, "no such file or directory");
        assert_eq!(
            err.to_string(),
            format!(
                "error reading {}: no such file or directory",
                path.display()
            )
        );
    }
}
