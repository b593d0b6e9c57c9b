//! Where the probe is kept between measurements: the tar archive of the `estiba-probe` binary (a few
//! MB), in memory for the process and as a file in Estiba's cache folder, named by the probe's source
//! id and the engine's architecture. Nothing of it stays in the engine. A file that cannot be read
//! or does not hold the probe is ignored (the probe is built again and the file replaced).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Name of the binary inside the archive.
const ENTRY: &str = "estiba-probe";
/// Start of every cache file's name.
const PREFIX: &str = "estiba-probe-";

/// The archive this process already has: `(key, archive)`.
static MEMORY: Mutex<Option<(String, Vec<u8>)>> = Mutex::new(None);

/// The archive kept in memory under `key`.
pub(super) fn memory_get(key: &str) -> Option<Vec<u8>> {
    let m = MEMORY.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    m.as_ref().filter(|(k, _)| k == key).map(|(_, a)| a.clone())
}

/// Keeps `archive` in memory under `key` (replacing any other).
pub(super) fn memory_put(key: &str, archive: &[u8]) {
    *MEMORY.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((key.to_string(), archive.to_vec()));
}

/// The cache file for `key` in `dir`.
pub fn file(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{PREFIX}{key}.tar"))
}

/// The archive cached in `dir` under `key`; `None` when there is none, it cannot be read or it does
/// not hold the probe (then it must be built again).
pub fn read(dir: &Path, key: &str) -> Option<Vec<u8>> {
    let data = std::fs::read(file(dir, key)).ok()?;
    holds_probe(&data).then_some(data)
}

/// Writes `archive` to `dir` under `key`: to a temporary file first, then renamed over the old one,
/// so a reader never sees half a file.
pub fn write(dir: &Path, key: &str, archive: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let target = file(dir, key);
    let tmp = dir.join(format!(".{PREFIX}{key}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, archive).and_then(|()| std::fs::rename(&tmp, &target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Forgets the archive kept in memory.
pub(super) fn memory_clear() {
    *MEMORY.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
}

/// Removes every cached probe file in `dir` (of any source or architecture).
pub fn remove_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(PREFIX) && name.ends_with(".tar") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether `data` is a whole tar archive whose only entry is the probe: a non-empty ELF file.
pub fn holds_probe(data: &[u8]) -> bool {
    let mut archive = tar::Archive::new(data);
    let Ok(entries) = archive.entries() else { return false };
    let mut found = false;
    for entry in entries {
        let Ok(mut e) = entry else { return false };
        let is_probe = e.path().is_ok_and(|p| p.as_os_str() == ENTRY) && e.header().entry_type().is_file();
        let mut body = Vec::new();
        if !is_probe || found || e.read_to_end(&mut body).is_err() || u64::try_from(body.len()).ok() != e.header().size().ok() {
            return false;
        }
        found = body.starts_with(b"\x7fELF");
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(name: &str, body: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o755);
        h.set_cksum();
        b.append_data(&mut h, name, body).unwrap();
        b.into_inner().unwrap()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("estiba-probe-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trip_through_the_file() {
        let dir = scratch("ida-vuelta");
        let probe = archive(ENTRY, b"\x7fELF\x02\x01\x01 the probe");
        assert_eq!(read(&dir, "abc-amd64"), None, "nothing cached yet: build");
        write(&dir, "abc-amd64", &probe).unwrap();
        assert_eq!(read(&dir, "abc-amd64").as_deref(), Some(probe.as_slice()));
        assert_eq!(read(&dir, "abc-arm64"), None, "another architecture is another file");
        assert_eq!(read(&dir, "def-amd64"), None, "another probe source is another file");
        // Written whole, then renamed: no temporary file is left next to it.
        let names: Vec<String> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
        assert_eq!(names, ["estiba-probe-abc-amd64.tar"]);
        // Replaced in place by a newer build.
        let newer = archive(ENTRY, b"\x7fELF newer");
        write(&dir, "abc-amd64", &newer).unwrap();
        assert_eq!(read(&dir, "abc-amd64"), Some(newer));
        std::fs::write(dir.join("otro.tar"), b"ajeno").unwrap();
        remove_files(&dir);
        assert_eq!(read(&dir, "abc-amd64"), None);
        assert!(dir.join("otro.tar").exists(), "only the probe's files are removed");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupt_or_foreign_file_means_build_again() {
        let dir = scratch("dañado");
        let binary = [&b"\x7fELF"[..], &[7u8; 3000][..]].concat();
        let probe = archive(ENTRY, &binary);
        assert_eq!(read(&dir, "k"), None, "no folder at all");
        std::fs::create_dir_all(&dir).unwrap();
        let cases: [(&str, Vec<u8>); 6] = [
            ("empty", vec![]),
            ("garbage", b"esto no es un tar".repeat(100)),
            ("cut inside the binary", probe[..probe.len() / 2].to_vec()),
            ("only the header", probe[..512].to_vec()),
            ("another file", archive("otro", b"\x7fELF")),
            ("not a binary", archive(ENTRY, b"#!/bin/sh\n")),
        ];
        for (what, bytes) in cases {
            std::fs::write(file(&dir, "k"), &bytes).unwrap();
            assert_eq!(read(&dir, "k"), None, "{what}");
        }
        // A folder where the file should be cannot be read either.
        std::fs::remove_file(file(&dir, "k")).unwrap();
        std::fs::create_dir_all(file(&dir, "k")).unwrap();
        assert_eq!(read(&dir, "k"), None);
        // And the next build's archive replaces a corrupt file.
        std::fs::write(file(&dir, "j"), b"basura").unwrap();
        write(&dir, "j", &probe).unwrap();
        assert_eq!(read(&dir, "j"), Some(probe));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn memory_keeps_one_probe_per_key() {
        memory_put("k1", b"uno");
        assert_eq!(memory_get("k1").as_deref(), Some(&b"uno"[..]));
        assert_eq!(memory_get("k2"), None);
        memory_clear();
        assert_eq!(memory_get("k1"), None);
    }
}
