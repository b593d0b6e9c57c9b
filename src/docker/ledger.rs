//! The ledger: the images Estiba's builds made that carry no ownership mark of their own.
//!
//! The last image of a stage that is not the build's final one (the `build` stage of a
//! multi-stage Dockerfile) is left untagged, and `docker image prune` must remove it. Ending that
//! stage with the mark would cost a committed step over the whole build image (seconds each on
//! this kind of engine), so its id is written down here instead, one short id a line, in the
//! learner's state folder. Only ids a build reported as made by itself are written (never a cache
//! hit, which may be a learner's own image), so the ledger never claims what Estiba did not make.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The ledger file of `lesson_id` in `dir`.
pub fn file_for(dir: &Path, lesson_id: &str) -> PathBuf {
    // Named as the lesson's progress file is, beside it.
    crate::progress::file_for(dir, lesson_id).with_extension("built")
}

/// The ledger of `lesson_id` in the learner's state folder.
pub fn default_file(lesson_id: &str) -> PathBuf {
    file_for(&crate::progress::state_dir(), lesson_id)
}

/// Short image ids (12 hex digits) recorded in `path`; a missing or unreadable file is empty.
pub fn read(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path).map(|t| t.lines().filter_map(short).collect()).unwrap_or_default()
}

/// Appends `ids` to the ledger at `path` (creating its folder). Best effort: a ledger that cannot
/// be written only means `prune` and `clean` leave those images for the learner to see.
pub fn record(path: &Path, ids: &[String]) {
    let ids: Vec<String> = ids.iter().filter_map(|i| short(i)).collect();
    if ids.is_empty() {
        return;
    }
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all((ids.join("\n") + "\n").as_bytes());
    }
}

/// Keeps in the ledger at `path` only the ids `still` says exist (removes the file when none is left).
pub fn retain(path: &Path, still: impl Fn(&str) -> bool) {
    let kept: Vec<String> = read(path).into_iter().filter(|i| still(i)).collect();
    if kept.is_empty() {
        let _ = std::fs::remove_file(path);
    } else {
        let tmp = path.with_extension("built.tmp");
        if std::fs::write(&tmp, kept.join("\n") + "\n").is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

/// Whether the full or short image id `id` is one of `ledger`'s.
pub fn holds(ledger: &BTreeSet<String>, id: &str) -> bool {
    short(id).is_some_and(|s| ledger.contains(&s))
}

/// The short form (first 12 hex digits, no `sha256:`) of an image id, if it is one.
fn short(id: &str) -> Option<String> {
    let hex = id.trim().trim_start_matches("sha256:");
    (hex.len() >= 12 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| super::format::short_id(hex).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_reads_and_forgets() {
        let dir = std::env::temp_dir().join(format!("estiba-ledger-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = file_for(&dir, "cpp seguro");
        assert_eq!(path.file_name().unwrap(), "cpp_seguro.built");
        assert!(read(&path).is_empty());
        record(&path, &["1a2b3c4d5e6f".into(), "no es un id".into()]);
        record(&path, &[format!("sha256:{}", "ab".repeat(32))]);
        let l = read(&path);
        assert_eq!(l.len(), 2);
        assert!(holds(&l, &format!("sha256:1a2b3c4d5e6f{}", "0".repeat(52))));
        assert!(holds(&l, "ABABABABABAB"));
        assert!(!holds(&l, "1a2b3c4d5e60"));
        assert!(!holds(&l, "1a2b"));
        retain(&path, |i| i.starts_with("ab"));
        assert_eq!(read(&path).into_iter().collect::<Vec<_>>(), vec!["abababababab".to_string()]);
        retain(&path, |_| false);
        assert!(!path.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
