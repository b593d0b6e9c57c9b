//! `estiba prepare`: the base images a lesson needs, made available offline, idempotently.
//!
//! In order: already present → pulled from a registry → loaded from an instructor's
//! `docker save` archive (`--from`) → a local stand-in built from Debian's packages with
//! debootstrap (for `ubuntu:*` bases) and imported through the Engine API.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use bollard::query_parameters::{CreateImageOptions, ImportImageOptions};
use bollard::{body_full, body_try_stream};
use futures_util::StreamExt;

use super::exec::{Sink, say};
use super::format::human_size;
use super::images::split_reference;
use super::{Engine, EngineError, LESSON_LABEL, Output, Progress, STANDIN_LABEL, Stream, daemon};

/// The script that builds a Debian root filesystem with a local apt repository (g++, cmake, make).
const STANDIN_SCRIPT: &str = include_str!("../../assets/prepare/standin-rootfs.sh");

/// Where a base image came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseOrigin {
    /// It was already there (the learner's or an earlier prepare's).
    Present,
    /// Pulled from its registry.
    Pulled,
    /// Loaded from a `docker save` archive.
    Loaded,
    /// Built here as a stand-in; the text says from what.
    StandIn(String),
}

/// A base image and how it got here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// Reference (`ubuntu:24.04`).
    pub reference: String,
    /// Origin.
    pub origin: BaseOrigin,
}

/// Options of `estiba prepare`.
#[derive(Debug, Clone, Default)]
pub struct PrepareOptions {
    /// `--from images.tar`: an instructor's `docker save` archive.
    pub from: Option<PathBuf>,
    /// Folder for the debootstrap cache.
    pub cache_dir: PathBuf,
    /// Lesson id for the ownership label of stand-ins.
    pub lesson_id: String,
    /// Skip the registry pull attempt.
    pub offline: bool,
}

impl Engine {
    /// How an existing base image came to be, or `None` when it is missing.
    pub async fn base_origin(&self, reference: &str) -> Option<BaseOrigin> {
        let img = self.docker.inspect_image(reference).await.ok()?;
        // Images built on a stand-in inherit its label; the stand-in itself is a one-layer import.
        let layers = img.root_fs.and_then(|r| r.layers).map_or(0, |l| l.len());
        let labels = img.config.and_then(|c| c.labels).unwrap_or_default();
        Some(match labels.get(STANDIN_LABEL) {
            Some(s) if layers == 1 => BaseOrigin::StandIn(s.clone()),
            _ => BaseOrigin::Present,
        })
    }

    /// Makes every base in `bases` available; reports progress to `out`.
    pub async fn prepare(&self, bases: &[String], opts: &PrepareOptions, out: Sink<'_>) -> Result<Vec<BaseImage>, EngineError> {
        let mut done = Vec::new();
        let mut loaded = false;
        for reference in bases {
            if let Some(origin) = self.base_origin(reference).await {
                say(out, Stream::Stdout, format!("{reference}: ya está ({})\n", describe(&origin)));
                done.push(BaseImage { reference: reference.clone(), origin });
                continue;
            }
            if let (Some(from), false) = (&opts.from, loaded) {
                self.load_archive(from, out).await?;
                loaded = true;
                if self.base_origin(reference).await.is_some() {
                    say(out, Stream::Stdout, format!("{reference}: cargada de {}\n", from.display()));
                    done.push(BaseImage { reference: reference.clone(), origin: BaseOrigin::Loaded });
                    continue;
                }
            }
            if !opts.offline && self.try_pull(reference, out).await {
                done.push(BaseImage { reference: reference.clone(), origin: BaseOrigin::Pulled });
                continue;
            }
            let origin = self.standin(reference, opts, out).await?;
            done.push(BaseImage { reference: reference.clone(), origin });
        }
        Ok(done)
    }

    async fn try_pull(&self, reference: &str, out: Sink<'_>) -> bool {
        say(out, Stream::Stdout, format!("{reference}: probando a descargarla de su registro…\n"));
        let pull = async {
            let mut s = self.docker.create_image(
                Some(CreateImageOptions { from_image: Some(reference.to_string()), ..Default::default() }),
                None,
                None,
            );
            while let Some(item) = s.next().await {
                item.map_err(daemon)?;
            }
            Ok::<_, EngineError>(())
        };
        match tokio::time::timeout(Duration::from_secs(30), pull).await {
            Ok(Ok(())) => {
                say(out, Stream::Stdout, format!("{reference}: descargada\n"));
                true
            }
            Ok(Err(e)) => {
                say(out, Stream::Stdout, format!("{reference}: no hay registro disponible ({})\n", first_line(&e.to_string())));
                false
            }
            Err(_) => {
                say(out, Stream::Stdout, format!("{reference}: el registro no responde en 30 s\n"));
                false
            }
        }
    }

    async fn load_archive(&self, from: &Path, out: Sink<'_>) -> Result<(), EngineError> {
        say(out, Stream::Stdout, format!("Cargando imágenes de {}…\n", from.display()));
        let data = std::fs::read(from).map_err(|e| EngineError::Local(format!("no se puede leer {}: {e}", from.display())))?;
        let mut s = self.docker.import_image(ImportImageOptions::default(), body_full(data.into()), None);
        while let Some(item) = s.next().await {
            let info = item.map_err(daemon)?;
            if let Some(text) = info.stream {
                say(out, Stream::Stdout, text);
            }
        }
        Ok(())
    }

    async fn standin(&self, reference: &str, opts: &PrepareOptions, out: Sink<'_>) -> Result<BaseOrigin, EngineError> {
        let (repo, _) = split_reference(reference);
        if repo != "ubuntu" && repo != "debian" {
            return Err(EngineError::Local(format!(
                "{reference}: sin registro no sé construir una sustituta; pide a tu instructor un archivo `docker save` y usa `estiba prepare --from imagenes.tar`"
            )));
        }
        say(
            out,
            Stream::Stdout,
            format!("{reference}: sin registro; construyo una sustituta local con debootstrap (paquetes de Debian, ~1 minuto)\n"),
        );
        let tar = build_rootfs(&opts.cache_dir, out)?;
        let size = std::fs::metadata(&tar).map(|m| m.len()).unwrap_or(0);
        let note = std::fs::read_to_string(opts.cache_dir.join("rootfs/etc/estiba-standin"))
            .unwrap_or_else(|_| "sustituta Debian".into())
            .trim()
            .to_string();
        let os_release = std::fs::read_to_string(opts.cache_dir.join("rootfs/etc/os-release")).unwrap_or_default();
        let suite = os_release.lines().find_map(|l| l.strip_prefix("VERSION_CODENAME=")).unwrap_or("debian").trim_matches('"').to_string();
        let label_value = format!("debian-{suite}");
        say(out, Stream::Stdout, format!("Importando {reference} ({})…\n", human_size(size as i64)));
        let changes = vec![
            format!("LABEL {LESSON_LABEL}={}", opts.lesson_id),
            format!("LABEL {STANDIN_LABEL}={label_value}"),
            "CMD [\"bash\"]".to_string(),
        ];
        self.import_rootfs(file_chunks(&tar)?, reference, changes, &note).await?;
        say(out, Stream::Stdout, format!("{reference}: lista (sustituta: {note})\n"));
        Ok(BaseOrigin::StandIn(label_value))
    }
}

impl Engine {
    /// `docker import`: makes image `reference` from a root filesystem tar, with Dockerfile
    /// `changes` (`LABEL …`, `CMD …`) and a comment.
    pub async fn import_rootfs<S>(&self, tar: S, reference: &str, changes: Vec<String>, comment: &str) -> Result<(), EngineError>
    where
        S: futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static,
    {
        let (repo, tag) = split_reference(reference);
        let options = CreateImageOptions {
            from_src: Some("-".into()),
            repo: Some(repo),
            tag: Some(tag),
            changes,
            message: Some(comment.to_string()),
            ..Default::default()
        };
        let mut s = self.docker.create_image(Some(options), Some(body_try_stream(tar)), None);
        while let Some(item) = s.next().await {
            item.map_err(daemon)?;
        }
        Ok(())
    }

    /// `docker save`: writes `references` to a tar archive at `path` (for `prepare --from`).
    pub async fn save(&self, references: &[String], path: &Path) -> Result<u64, EngineError> {
        use std::io::Write;
        let refs: Vec<&str> = references.iter().map(String::as_str).collect();
        let mut file = std::fs::File::create(path).map_err(|e| EngineError::Local(format!("no se puede crear {}: {e}", path.display())))?;
        let mut written = 0u64;
        let mut s = self.docker.export_images(&refs);
        while let Some(chunk) = s.next().await {
            let chunk = chunk.map_err(daemon)?;
            file.write_all(&chunk).map_err(|e| EngineError::Local(e.to_string()))?;
            written += chunk.len() as u64;
        }
        Ok(written)
    }
}

/// Where `prepare` keeps its debootstrap cache: `ESTIBA_CACHE_DIR`, else `standin` in
/// [`cache_root`].
pub fn default_cache_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("ESTIBA_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    cache_root().join("standin")
}

/// Estiba's cache folder: `/var/cache/estiba` for root, else `$XDG_CACHE_HOME/estiba` (or
/// `~/.cache/estiba`).
pub fn cache_root() -> PathBuf {
    if is_root() {
        return PathBuf::from("/var/cache/estiba");
    }
    let base = std::env::var("XDG_CACHE_HOME")
        .ok()
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into())).join(".cache"));
    base.join("estiba")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// One line describing an origin, in Spanish.
pub fn describe(origin: &BaseOrigin) -> String {
    match origin {
        BaseOrigin::Present => "imagen existente".into(),
        BaseOrigin::Pulled => "descargada del registro".into(),
        BaseOrigin::Loaded => "cargada del archivo del instructor".into(),
        BaseOrigin::StandIn(s) => format!("sustituta local construida a partir de Debian ({s})"),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Runs the stand-in script into `cache` and returns the root filesystem archive.
fn build_rootfs(cache: &Path, out: Sink<'_>) -> Result<PathBuf, EngineError> {
    std::fs::create_dir_all(cache).map_err(|e| EngineError::Local(format!("no se puede crear {}: {e}", cache.display())))?;
    let mut child = Command::new("bash")
        .arg("-s")
        .arg("--")
        .arg(cache)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| EngineError::Local(format!("no se puede ejecutar bash para debootstrap: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(STANDIN_SCRIPT.as_bytes()).map_err(|e| EngineError::Local(e.to_string()))?;
    }
    let mut err_text = String::new();
    let stderr = child.stderr.take();
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut e) = stderr {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(step) = line.strip_prefix("PASO ") {
                let (k, text) = step.split_once(':').unwrap_or((step, ""));
                let (cur, total) = k.split_once('/').unwrap_or((k, k));
                out(Output::Progress(Progress {
                    id: "prepare".into(),
                    status: text.trim().to_string(),
                    current: cur.trim().parse().ok(),
                    total: total.trim().parse().ok(),
                }));
            }
            say(out, Stream::Stdout, format!("  {line}\n"));
        }
    }
    let status = child.wait().map_err(|e| EngineError::Local(e.to_string()))?;
    err_text.push_str(&err_thread.join().unwrap_or_default());
    if !status.success() {
        let tail: Vec<&str> = err_text.lines().rev().take(8).collect();
        return Err(EngineError::Local(format!(
            "falló la construcción de la imagen sustituta:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )));
    }
    let tar = cache.join("rootfs.tar");
    if !tar.exists() {
        return Err(EngineError::Local(format!("el script no dejó {}", tar.display())));
    }
    Ok(tar)
}

/// Reads a file as a stream of 1 MiB chunks.
fn file_chunks(
    path: &Path,
) -> Result<impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static, EngineError> {
    let file = std::fs::File::open(path).map_err(|e| EngineError::Local(format!("no se puede abrir {}: {e}", path.display())))?;
    Ok(futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = vec![0u8; 1 << 20];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    }))
}
