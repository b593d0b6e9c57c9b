//! The files a lesson shows and the build contexts it uses, checked against the lesson root.

use std::path::{Component, Path, PathBuf};

use super::{DockerCommand, Lesson, LessonError};

/// Checks every `file=` / `excerpt=` block against its file, and that every build context exists
/// inside the lesson root. Returns every problem found.
pub fn verify(lesson: &Lesson) -> Vec<LessonError> {
    let mut errors = Vec::new();
    for step in &lesson.steps {
        for f in &step.files {
            let err = |msg: String, hint: &str| LessonError::new(&lesson.path, f.line, 1, msg, hint);
            let path = match within_assets(&lesson.root, &lesson.assets, &f.path, "el archivo") {
                Ok(p) => p,
                Err(msg) => {
                    errors.push(err(msg, "los archivos que muestra la lección están en su carpeta de recursos"));
                    continue;
                }
            };
            match std::fs::read_to_string(&path) {
                Err(e) => errors.push(err(
                    format!("no se encuentra el archivo `{}`: {e}", path.display()),
                    "crea el archivo o corrige la ruta de `file=`",
                )),
                Ok(disk) => {
                    let disk = super::source::normalize(&disk);
                    let ok = if f.excerpt { contains_lines(&disk, &f.content) } else { disk == f.content };
                    if !ok {
                        let what = if f.excerpt { "el extracto no aparece tal cual en" } else { "el bloque no coincide con" };
                        errors.push(err(format!("{what} `{}`", f.path), "copia el contenido exacto del archivo en el bloque"));
                    }
                }
            }
        }
        for cmd in &step.commands {
            if let DockerCommand::Build(b) = &cmd.command {
                match context_dir(lesson, &b.context) {
                    Ok(dir) if dir.is_dir() => {}
                    Ok(dir) => errors.push(LessonError::new(
                        &lesson.path,
                        cmd.line,
                        1,
                        format!("no existe el contexto de construcción `{}`", dir.display()),
                        "crea la carpeta en assets/ o corrige la ruta",
                    )),
                    Err(msg) => errors.push(LessonError::new(
                        &lesson.path,
                        cmd.line,
                        1,
                        msg,
                        "el contexto debe ser una carpeta dentro de la carpeta de recursos de la lección (`assets:` en la cabecera)",
                    )),
                }
            }
        }
    }
    errors
}

/// The lowest depth a relative path reaches below its starting folder (`a/../..` → -1), or `None`
/// for an absolute path.
pub fn depth(path: &str) -> Option<i32> {
    let (mut depth, mut lowest) = (0i32, 0i32);
    for c in Path::new(path).components() {
        match c {
            Component::Prefix(_) | Component::RootDir => return None,
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
        }
        lowest = lowest.min(depth);
    }
    Some(lowest)
}

/// `path` without `.` and with each `..` taken back (`a/./b/../c` → `a/c`); `None` if it leaves its
/// starting folder or is absolute.
fn lexical(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Prefix(_) | Component::RootDir => return None,
        }
    }
    Some(out)
}

/// Resolves a path written in the lesson (a build context, a `file=` path) against `root`, and
/// refuses absolute paths and paths that leave the asset folder `assets` (a folder under `root`).
/// This is the lexical check; [`crate::docker`] checks again on the disk, following symlinks.
pub fn within_assets(root: &Path, assets: &Path, written: &str, what: &str) -> Result<PathBuf, String> {
    let rel = Path::new(written);
    if rel.is_absolute() || rel.has_root() {
        return Err(format!("{what} absoluto `{written}` no permitido"));
    }
    let inside = |p: &Path| lexical(p.strip_prefix(root).unwrap_or(p));
    match (inside(&root.join(rel)), inside(assets)) {
        (Some(p), Some(a)) if p.starts_with(&a) => Ok(root.join(p)),
        _ => Err(format!("{what} `{written}` sale de la carpeta de recursos de la lección ({})", assets.display())),
    }
}

/// Resolves a build context written in a command (see [`within_assets`]).
pub fn context_dir(lesson: &Lesson, context: &str) -> Result<PathBuf, String> {
    within_assets(&lesson.root, &lesson.assets, context, "el contexto")
}

fn contains_lines(haystack: &str, excerpt: &str) -> bool {
    let hay: Vec<&str> = haystack.lines().collect();
    let ex: Vec<&str> = excerpt.lines().collect();
    !ex.is_empty() && hay.windows(ex.len()).any(|w| w == ex.as_slice())
}

/// Base images the lesson needs but does not build: `FROM` images of its Dockerfiles and images it
/// runs, minus what its own `build` steps produce and `scratch`. In order of first use.
pub fn base_images(lesson: &Lesson) -> Vec<String> {
    let mut built: Vec<String> = Vec::new();
    let mut bases: Vec<String> = Vec::new();
    let add = |image: &str, built: &[String], bases: &mut Vec<String>| {
        let image = normalize_ref(image);
        if image != "scratch" && !built.contains(&image) && !bases.contains(&image) {
            bases.push(image);
        }
    };
    for (_, cmd) in lesson.commands() {
        match &cmd.command {
            DockerCommand::Build(b) => {
                let Ok(dir) = context_dir(lesson, &b.context) else { continue };
                let df = dir.join(b.dockerfile.as_deref().unwrap_or("Dockerfile"));
                for image in from_images(&std::fs::read_to_string(df).unwrap_or_default()) {
                    add(&image, &built, &mut bases);
                }
                built.extend(b.tags.iter().map(|t| normalize_ref(t)));
            }
            DockerCommand::Run(r) => add(&r.image, &built, &mut bases),
            DockerCommand::Tag { target, .. } => built.push(normalize_ref(target)),
            _ => {}
        }
    }
    bases
}

/// `name` → `name:latest`; references with a tag or digest unchanged.
pub fn normalize_ref(r: &str) -> String {
    let last = r.rsplit('/').next().unwrap_or(r);
    if last.contains(':') || last.contains('@') || r == "scratch" { r.to_string() } else { format!("{r}:latest") }
}

/// Base image of the final stage of a build's Dockerfile (`None` when unreadable).
pub fn final_base(lesson: &Lesson, b: &crate::lesson::command::Build) -> Option<String> {
    let dir = context_dir(lesson, &b.context).ok()?;
    let text = std::fs::read_to_string(dir.join(b.dockerfile.as_deref().unwrap_or("Dockerfile"))).ok()?;
    froms(&text).pop().map(|f| f.base)
}

/// One `FROM` instruction of a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    /// The image (or earlier stage) it starts from.
    pub base: String,
    /// The stage's name (`AS name`), if any.
    pub name: Option<String>,
}

/// Parses one instruction (continuation lines joined): `FROM [--flag…] image [AS name]`.
pub fn parse_from(instruction: &str) -> Option<From> {
    let mut words = instruction.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("FROM") {
        return None;
    }
    let words: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
    let name = match words.as_slice() {
        [_, as_, name, ..] if as_.eq_ignore_ascii_case("AS") => Some(name.to_string()),
        _ => None,
    };
    Some(From { base: words.first()?.to_string(), name })
}

/// The `FROM`s of a Dockerfile, in order.
pub fn froms(dockerfile: &str) -> Vec<From> {
    dockerfile.replace("\\\r\n", " ").replace("\\\n", " ").lines().filter_map(parse_from).collect()
}

/// The images a Dockerfile starts from: its `FROM`s that are neither an earlier stage nor `scratch`,
/// without repeats.
pub fn from_images(dockerfile: &str) -> Vec<String> {
    let all = froms(dockerfile);
    let mut bases: Vec<String> = Vec::new();
    for (i, f) in all.iter().enumerate() {
        let stage = all[..i].iter().any(|e| e.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&f.base)));
        if !stage && !f.base.eq_ignore_ascii_case("scratch") && !bases.contains(&f.base) {
            bases.push(f.base.clone());
        }
    }
    bases
}
