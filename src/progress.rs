//! The learner's progress per lesson, in the user's state directory: current step and the commands
//! that passed. Written to a temporary file and renamed, so a crash never leaves half a file; a
//! corrupt or foreign file is reported and replaced, never fatal.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Format version of the state file.
pub const VERSION: u32 = 1;

/// Saved progress of one lesson.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Format version.
    pub version: u32,
    /// Lesson id it belongs to.
    pub lesson: String,
    /// Current step (0-based).
    pub step: usize,
    /// Commands that passed, as (step, command) indices.
    pub passed: BTreeSet<(usize, usize)>,
}

/// Folder for state files: `$XDG_STATE_HOME/estiba`, else `~/.local/state/estiba`
/// (`ESTIBA_STATE_DIR` overrides both).
pub fn state_dir() -> PathBuf {
    if let Ok(d) = std::env::var("ESTIBA_STATE_DIR") {
        return PathBuf::from(d);
    }
    if let Ok(d) = std::env::var("XDG_STATE_HOME")
        && !d.is_empty()
    {
        return PathBuf::from(d).join("estiba");
    }
    PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into())).join(".local/state/estiba")
}

/// The state file of `lesson_id` in `dir`.
pub fn file_for(dir: &Path, lesson_id: &str) -> PathBuf {
    let safe: String = lesson_id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    dir.join(format!("{safe}.json"))
}

/// Loads the progress of `lesson_id`. `Ok(None)`: nothing saved. `Err(warning)`: the file was
/// unreadable, corrupt or another lesson's; the caller starts fresh and shows the warning.
pub fn load(path: &Path, lesson_id: &str) -> Result<Option<Progress>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("no se pudo leer el progreso guardado ({}): {e}; se empieza de cero", path.display())),
    };
    let p: Progress =
        serde_json::from_str(&text).map_err(|e| format!("progreso guardado dañado ({}): {e}; se empieza de cero", path.display()))?;
    if p.version != VERSION || p.lesson != lesson_id {
        return Err(format!("el progreso de {} es de otra lección o versión; se empieza de cero", path.display()));
    }
    Ok(Some(p))
}

/// Saves atomically: write `<file>.tmp`, flush it to disk, rename over the file.
pub fn save(path: &Path, progress: &Progress) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(serde_json::to_string_pretty(progress).map_err(std::io::Error::other)?.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("estiba-progress-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn round_trip() {
        let d = dir("rt");
        let f = file_for(&d, "cpp-seguro");
        let p = Progress { version: VERSION, lesson: "cpp-seguro".into(), step: 3, passed: [(1, 0), (2, 3)].into() };
        save(&f, &p).unwrap();
        assert_eq!(load(&f, "cpp-seguro").unwrap(), Some(p));
        assert!(!f.with_extension("json.tmp").exists());
    }

    #[test]
    fn crash_mid_write_keeps_the_old_file() {
        let d = dir("crash");
        let f = file_for(&d, "l");
        let old = Progress { version: VERSION, lesson: "l".into(), step: 2, passed: BTreeSet::new() };
        save(&f, &old).unwrap();
        // A crash after writing part of the temporary file and before the rename:
        std::fs::write(f.with_extension("json.tmp"), "{\"version\":1,\"les").unwrap();
        assert_eq!(load(&f, "l").unwrap(), Some(old.clone()));
        // The next save replaces the leftover.
        let new = Progress { step: 5, ..old };
        save(&f, &new).unwrap();
        assert_eq!(load(&f, "l").unwrap(), Some(new));
    }

    #[test]
    fn corrupt_or_foreign_files_warn() {
        let d = dir("bad");
        let f = file_for(&d, "l");
        std::fs::write(&f, "\u{0}\u{1}basura").unwrap();
        assert!(load(&f, "l").unwrap_err().contains("dañado"));
        save(&f, &Progress { version: VERSION, lesson: "otra".into(), ..Progress::default() }).unwrap();
        assert!(load(&f, "l").unwrap_err().contains("otra lección"));
        assert_eq!(load(&d.join("nada.json"), "l").unwrap(), None);
        assert_eq!(file_for(&d, "../x/y"), d.join("___x_y.json"));
    }
}
