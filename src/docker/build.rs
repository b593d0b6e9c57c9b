//! `docker build` with the classic builder: a confined build context, the ownership label on every
//! stage, no network, and the CLI's output.

use std::path::{Path, PathBuf};

use bollard::body_full;
use bollard::query_parameters::{BuildImageOptions, BuilderVersion, TagImageOptions};
use futures_util::StreamExt;

use super::exec::{Sink, say};
use super::format::human_size;
use super::images::split_reference;
use super::steps::StepImages;
use super::{CANCELLED, Engine, EngineError, LESSON_LABEL, Session, Stream, daemon};
use crate::lesson::assets::{self, within_assets};
use crate::lesson::command::Build;

/// A packed build context.
#[derive(Debug)]
pub struct Context {
    /// The tar archive.
    pub tar: Vec<u8>,
    /// Dockerfile path inside the archive.
    pub dockerfile: String,
}

/// Where a build's context and Dockerfile are, checked to stay inside the asset folder.
struct Located {
    /// The asset folder, canonical.
    root_c: PathBuf,
    /// The context folder, canonical.
    dir_c: PathBuf,
    /// The Dockerfile, canonical.
    df_c: PathBuf,
    /// The Dockerfile's path inside the context.
    df_rel: String,
}

fn locate(root: &Path, assets: &Path, b: &Build) -> Result<Located, EngineError> {
    let dir = within_assets(root, assets, &b.context, "el contexto").map_err(EngineError::Local)?;
    let root_c = assets
        .canonicalize()
        .map_err(|e| EngineError::Local(format!("no se puede abrir la carpeta de recursos de la lección {}: {e}", assets.display())))?;
    let dir_c =
        dir.canonicalize().map_err(|_| EngineError::Local(format!("unable to prepare context: path \"{}\" not found", b.context)))?;
    if !dir_c.starts_with(&root_c) {
        return Err(EngineError::Local(format!(
            "el contexto `{}` sale de la carpeta de recursos de la lección ({})",
            b.context,
            assets.display()
        )));
    }
    let dockerfile = b.dockerfile.clone().unwrap_or_else(|| "Dockerfile".into());
    let df_path = if b.dockerfile.is_some() { root.join(&dockerfile) } else { dir.join(&dockerfile) };
    let df_c = df_path.canonicalize().map_err(|_| {
        EngineError::Local(format!(
            "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no such file or directory",
            df_path.display()
        ))
    })?;
    let df_rel = df_c
        .strip_prefix(&dir_c)
        .map_err(|_| EngineError::Local(format!("el Dockerfile `{dockerfile}` debe estar dentro del contexto")))?
        .to_string_lossy()
        .to_string();
    Ok(Located { root_c, dir_c, df_c, df_rel })
}

/// Packs the build context `b.context` (relative to `root`, inside the asset folder `assets`):
/// refuses paths leaving `assets` and symlinks pointing outside it, keeps the symlinks inside it as
/// symlinks (as the docker CLI does), honours `.dockerignore`, and labels the Dockerfile's stages
/// (see [`label_stages`]; `inherited` are the bases that already carry the label).
pub fn pack(root: &Path, assets: &Path, b: &Build, lesson_id: &str, inherited: &[String]) -> Result<Context, EngineError> {
    let Located { root_c, dir_c, df_rel, .. } = locate(root, assets, b)?;
    let ignore = Ignore::read(&dir_c);
    let mut files = Vec::new();
    walk(&dir_c, &dir_c, &root_c, &ignore, &mut files)?;
    let mut builder = tar::Builder::new(Vec::new());
    for rel in files {
        let full = dir_c.join(&rel);
        let rel_s = rel.to_string_lossy().to_string();
        if let Ok(link) = std::fs::read_link(&full) {
            // A symlink inside the asset folder (walk checked it) goes in as a symlink.
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            header.set_mode(0o777);
            header.set_mtime(0);
            builder.append_link(&mut header, &rel_s, &link).map_err(|e| EngineError::Local(e.to_string()))?;
            continue;
        }
        let data = std::fs::read(&full).map_err(|e| EngineError::Local(format!("no se puede leer {}: {e}", full.display())))?;
        let data = if rel_s == df_rel {
            label_stages(&String::from_utf8_lossy(&data), lesson_id, inherited, b.target.as_deref()).into_bytes()
        } else {
            data
        };
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode(&full));
        header.set_mtime(0);
        header.set_cksum();
        builder.append_data(&mut header, &rel_s, data.as_slice()).map_err(|e| EngineError::Local(e.to_string()))?;
    }
    let tar = builder.into_inner().map_err(|e| EngineError::Local(e.to_string()))?;
    Ok(Context { tar, dockerfile: df_rel })
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map_or(0o644, |m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode(_: &Path) -> u32 {
    0o644
}

fn walk(dir: &Path, base: &Path, root: &Path, ignore: &Ignore, files: &mut Vec<PathBuf>) -> Result<(), EngineError> {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map_err(|e| EngineError::Local(format!("no se puede leer {}: {e}", dir.display())))?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let rel = path.strip_prefix(base).unwrap_or(&path).to_path_buf();
        if ignore.excludes(&rel) {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).map_err(|e| EngineError::Local(e.to_string()))?;
        if meta.file_type().is_symlink() {
            let target =
                path.canonicalize().map_err(|_| EngineError::Local(format!("enlace simbólico roto en el contexto: {}", rel.display())))?;
            if !target.starts_with(root) {
                return Err(EngineError::Local(format!(
                    "el enlace simbólico `{}` apunta fuera de la carpeta de recursos de la lección ({}): no se empaqueta",
                    rel.display(),
                    target.display()
                )));
            }
            // Kept as a link, never followed: no loops, and nothing is packed twice.
            files.push(rel);
            continue;
        }
        if meta.is_dir() {
            walk(&path, base, root, ignore, files)?;
        } else {
            files.push(rel);
        }
    }
    Ok(())
}

/// `.dockerignore` patterns: `*`/`?` globs per path component, `**`, `!` exceptions.
struct Ignore {
    rules: Vec<(bool, Vec<String>)>,
}

impl Ignore {
    fn read(dir: &Path) -> Self {
        let text = std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default();
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (neg, pat) = match l.strip_prefix('!') {
                    Some(p) => (true, p),
                    None => (false, l),
                };
                (neg, pat.trim_start_matches('/').split('/').filter(|s| !s.is_empty() && *s != ".").map(String::from).collect())
            })
            .collect();
        Self { rules }
    }

    fn excludes(&self, rel: &Path) -> bool {
        let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().to_string()).collect();
        let mut excluded = false;
        for (neg, pat) in &self.rules {
            // A pattern matching a parent folder excludes everything below it.
            if (1..=parts.len()).any(|n| path_match(pat, &parts[..n])) {
                excluded = !neg;
            }
        }
        excluded
    }
}

fn path_match(pat: &[String], parts: &[String]) -> bool {
    match (pat.first(), parts.first()) {
        (None, None) => true,
        (Some(p), _) if p == "**" => (0..=parts.len()).any(|k| path_match(&pat[1..], &parts[k..])),
        (Some(p), Some(s)) => glob(p, s) && path_match(&pat[1..], &parts[1..]),
        _ => false,
    }
}

fn glob(p: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (p.chars().collect(), s.chars().collect());
    fn go(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len()).any(|k| go(&p[1..], &s[k..])),
            Some('?') => !s.is_empty() && go(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
        }
    }
    go(&p, &s)
}

/// Ends the stage the build finishes with (`target`, else the last one) with
/// `LABEL estiba.lesson="<id>"`, the ownership mark: an image whose newest step is that label is
/// Estiba's own, while a learner's image built `FROM` it inherits the label but not that last step
/// (see [`super::inventory`]). A stage whose base does not already carry the label (a base in
/// `inherited`, or an earlier stage) gets it right after its `FROM` too, so the containers the
/// engine runs its steps in and an earlier stage's untagged end carry it (Estiba writes that end
/// down in the ledger instead of marking it) — except a final stage `FROM scratch`, where nothing
/// runs and the mark labels the result. Every instruction is a step the engine commits (seconds
/// each on a large base), so none is added that would change nothing.
pub fn label_stages(dockerfile: &str, lesson_id: &str, inherited: &[String], target: Option<&str>) -> String {
    let label = format!("LABEL {LESSON_LABEL}=\"{lesson_id}\"\n");
    let mark = format!("LABEL {}\n", super::inventory::ownership_mark(lesson_id));
    let is_target = |name: &str| target.is_some_and(|t| !name.is_empty() && name.eq_ignore_ascii_case(t));
    // Each line, with the stage whose `FROM` it completes.
    let mut lines: Vec<(&str, Option<assets::From>)> = Vec::new();
    let (mut continued, mut pending, mut from) = (false, false, String::new());
    for line in dockerfile.lines() {
        let t = line.trim_start();
        if !continued && t.len() > 5 && t[..5].eq_ignore_ascii_case("FROM ") {
            from.clear();
            pending = true;
        }
        continued = line.trim_end().ends_with('\\');
        if pending {
            from.push_str(line.trim_end().trim_end_matches('\\'));
            from.push(' ');
        }
        let done = pending && !continued;
        if done {
            pending = false;
        }
        lines.push((line, done.then(|| assets::parse_from(&from).unwrap_or(assets::From { base: String::new(), name: None }))));
    }
    let names: Vec<String> = lines.iter().filter_map(|(_, f)| f.as_ref()).map(|f| f.name.clone().unwrap_or_default()).collect();
    // The build ends with the last stage unless the target is an earlier one (an unknown target
    // fails the build anyway).
    let last = names.len().saturating_sub(1);
    let final_stage = names.iter().position(|n| is_target(n)).unwrap_or(last);
    let mut out = String::new();
    let mut stage = None;
    for (line, f) in lines {
        if f.is_some() && stage == Some(final_stage) {
            out.push_str(&mark);
        }
        out.push_str(line);
        out.push('\n');
        let Some(f) = f else { continue };
        let i = stage.map_or(0, |i| i + 1);
        stage = Some(i);
        let labelled = names[..i].iter().any(|s| !s.is_empty() && s.eq_ignore_ascii_case(&f.base))
            || inherited.iter().any(|b| assets::normalize_ref(b) == assets::normalize_ref(&f.base));
        // A final stage FROM scratch is labelled by its mark alone: nothing can run in it (its steps
        // copy files and set metadata), and a cancelled build's images are removed by id anyway.
        let bare_final = i == final_stage && f.base.eq_ignore_ascii_case("scratch");
        if !(labelled || bare_final) {
            out.push_str(&label);
        }
    }
    if stage == Some(last) && final_stage == last {
        out.push_str(&mark);
    }
    out
}

impl Engine {
    /// Removes the containers a lost engine kept (see `Session::leftover_containers`), then the
    /// images cancelled or failed builds made (newest first) that are still untagged and unused. An image still used by the build's last container is
    /// retried for a few seconds (the engine stops that container once the build is abandoned);
    /// those it cannot reach now stay listed for later.
    pub async fn remove_leftovers(&self, session: &mut Session) {
        use bollard::errors::Error as E;
        use bollard::query_parameters::{RemoveContainerOptions, RemoveImageOptions};
        for id in std::mem::take(&mut session.leftover_containers) {
            match self.docker.remove_container(&id, Some(RemoveContainerOptions { force: true, v: true, ..Default::default() })).await {
                Ok(()) | Err(E::DockerResponseServerError { status_code: 404, .. }) => {}
                Err(_) => session.leftover_containers.push(id),
            }
        }
        for attempt in 0..20 {
            let mut keep = Vec::new();
            let mut busy = false;
            for id in std::mem::take(&mut session.leftovers).into_iter().rev() {
                let image = match self.docker.inspect_image(&id).await {
                    Ok(i) => i,
                    Err(E::DockerResponseServerError { .. }) => continue,
                    Err(_) => {
                        keep.push(id);
                        continue;
                    }
                };
                // Made by the build (its output said so, and it was no cache hit): Estiba's, whether or
                // not a label step had come yet; a name given since keeps it.
                if !image.repo_tags.unwrap_or_default().is_empty() {
                    continue;
                }
                match self
                    .docker
                    .remove_image(&id, Some(RemoveImageOptions { force: false, noprune: false, ..Default::default() }), None)
                    .await
                {
                    Ok(_) | Err(E::DockerResponseServerError { status_code: 404, .. }) => {}
                    Err(E::DockerResponseServerError { status_code: 409, .. }) => {
                        busy = true;
                        keep.push(id);
                    }
                    Err(_) => keep.push(id),
                }
            }
            keep.reverse();
            session.leftovers = keep;
            if !busy || attempt == 19 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
}

/// Exit code the CLI returns for a failed build message.
fn build_exit_code(message: &str) -> i64 {
    message
        .rsplit("returned a non-zero code: ")
        .next()
        .filter(|_| message.contains("returned a non-zero code: "))
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(1)
}

impl Engine {
    /// The images `dockerfile` starts from that already carry this lesson's label (their stages
    /// inherit it: no `LABEL` step is needed after their `FROM`).
    pub(super) async fn labelled_bases(&self, dockerfile: &str, lesson_id: &str) -> Vec<String> {
        let mut out = Vec::new();
        for base in assets::from_images(dockerfile) {
            if let Ok(Some(info)) = self.image_info(&base).await
                && info.labels.get(LESSON_LABEL).is_some_and(|v| v == lesson_id)
            {
                out.push(base);
            }
        }
        out
    }

    pub(super) async fn build(&self, b: &Build, session: &mut Session, out: Sink<'_>) -> Result<i64, EngineError> {
        let inherited = match locate(&session.root, &session.assets, b) {
            Ok(l) => self.labelled_bases(&std::fs::read_to_string(&l.df_c).unwrap_or_default(), &session.lesson_id).await,
            Err(_) => Vec::new(),
        };
        let ctx = match pack(&session.root, &session.assets, b, &session.lesson_id, &inherited) {
            Ok(c) => c,
            Err(EngineError::Local(m)) => {
                say(out, Stream::Stderr, format!("{m}\n"));
                return Ok(1);
            }
            Err(e) => return Err(e),
        };
        say(out, Stream::Stdout, format!("Sending build context to Docker daemon  {}\n", human_size(ctx.tar.len() as i64)));
        let opts = BuildImageOptions {
            dockerfile: ctx.dockerfile,
            t: b.tags.first().cloned(),
            rm: true,
            forcerm: true,
            nocache: b.no_cache,
            buildargs: Some(b.build_args.iter().cloned().collect()),
            networkmode: Some("none".into()),
            target: b.target.clone().unwrap_or_default(),
            version: BuilderVersion::BuilderV1,
            ..Default::default()
        };
        // A second early: the engine's creation times are whole seconds.
        let started = super::format::now() - 1;
        let mut stream = self.docker.build_image(opts, None, Some(body_full(ctx.tar.into())));
        // Images this build makes, so a cancelled or failed build leaves none of its own behind.
        let mut made = StepImages::default();
        let code = loop {
            let item = tokio::select! {
                i = stream.next() => i,
                () = session.cancelled() => {
                    say(out, Stream::Stderr, "\n^C construcción cancelada\n");
                    break Some(CANCELLED);
                }
            };
            let Some(item) = item else { break None };
            match item {
                Ok(info) => {
                    if let Some(s) = info.stream {
                        made.see(&s);
                        say(out, Stream::Stdout, s);
                    }
                    if let Some(s) = info.status {
                        say(out, Stream::Stdout, s + "\n");
                    }
                }
                Err(e) => match daemon(e) {
                    EngineError::Daemon(message) => {
                        say(out, Stream::Stderr, format!("{message}\n"));
                        break Some(build_exit_code(&message));
                    }
                    other => {
                        session.leftovers.extend(made.ids);
                        return Err(other);
                    }
                },
            }
        };
        drop(stream);
        if let Some(code) = code {
            // Abandoned mid-step: the engine may still commit that step's image.
            if code == CANCELLED
                && let Some((keyword, parent, container)) = made.in_flight()
            {
                say(out, Stream::Stderr, "esperando a que el motor termine el paso en curso para borrarlo…\n");
                if let Ok(late) = self.late_images(parent, keyword, container, started).await {
                    made.ids.extend(late);
                }
            }
            session.leftovers.extend(made.ids);
            self.remove_leftovers(session).await;
            return Ok(code);
        }
        super::ledger::record(&super::ledger::default_file(&session.lesson_id), &made.stage_ends);
        for extra in b.tags.iter().skip(1) {
            let (repo, tag) = split_reference(extra);
            if let Some(first) = b.tags.first() {
                self.docker.tag_image(first, Some(TagImageOptions { repo: Some(repo), tag: Some(tag) })).await.map_err(daemon)?;
                say(out, Stream::Stdout, format!("Successfully tagged {extra}\n"));
            }
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_stages_get_the_label_and_the_last_the_mark() {
        let df = "FROM a AS build\nRUN x\nfrom scratch\nCOPY --from=build /x /\n";
        let out = label_stages(df, "l", &[], None);
        // After the FROM of every stage whose base lacks the label, but a last one FROM scratch, and
        // as the last stage's last step (the mark, which labels the final image).
        assert_eq!(
            out,
            "FROM a AS build\nLABEL estiba.lesson=\"l\"\nRUN x\nfrom scratch\nCOPY --from=build /x /\nLABEL estiba.lesson=\"l\"\n"
        );
        let continued = label_stages("FROM \\\n  a AS b\nRUN y\nFROM b\n", "l", &[], None);
        assert_eq!(continued, "FROM \\\n  a AS b\nLABEL estiba.lesson=\"l\"\nRUN y\nFROM b\nLABEL estiba.lesson=\"l\"\n");
        assert_eq!(
            label_stages("FROM a\nRUN y\n", "l", &[], None),
            "FROM a\nLABEL estiba.lesson=\"l\"\nRUN y\nLABEL estiba.lesson=\"l\"\n",
            "its steps run in containers that carry the label"
        );
    }

    #[test]
    fn a_stage_whose_base_carries_the_label_gets_no_label_step() {
        // cpp-build-base was built by this lesson; an earlier stage is labelled already.
        let df = "FROM cpp-build-base:0.1.0 AS build\nRUN make\nFROM build AS test\nRUN test\nFROM scratch\nCOPY --from=build /x /\n";
        let out = label_stages(df, "l", &["cpp-build-base:0.1.0".to_string()], None);
        let mark = "LABEL estiba.lesson=\"l\"\n";
        assert_eq!(
            out,
            format!(
                "FROM cpp-build-base:0.1.0 AS build\nRUN make\nFROM build AS test\nRUN test\nFROM scratch\nCOPY --from=build /x /\n{mark}"
            )
        );
        // `name` and `name:latest` are the same base.
        assert_eq!(label_stages("FROM base\nRUN x\n", "l", &["base:latest".to_string()], None), format!("FROM base\nRUN x\n{mark}"));
        // The lesson's own Dockerfiles: not one step more than the docker CLI's `--label` adds.
        let hola = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/hola-scratch/Dockerfile")).unwrap();
        let out = label_stages(&hola, "l", &["cpp-build-base:0.1.0".to_string()], None);
        assert_eq!(out.matches("LABEL").count(), 1, "{out}");
        assert!(out.ends_with(mark), "{out}");
    }

    #[test]
    fn the_mark_ends_the_target_stage() {
        let df = "FROM a AS build\nRUN make\nFROM build AS Test\nRUN test\nFROM scratch\nCOPY --from=build /x /\n";
        let mark = "LABEL estiba.lesson=\"l\"\n";
        let inherited = ["a".to_string()];
        // `--target test` (names are case-insensitive): the build stops after that stage.
        assert_eq!(
            label_stages(df, "l", &inherited, Some("test")),
            format!("FROM a AS build\nRUN make\nFROM build AS Test\nRUN test\n{mark}FROM scratch\n{mark}COPY --from=build /x /\n")
        );
        assert_eq!(
            label_stages(df, "l", &inherited, Some("build")),
            format!("FROM a AS build\nRUN make\n{mark}FROM build AS Test\nRUN test\nFROM scratch\n{mark}COPY --from=build /x /\n")
        );
        // The last stage as target, or a target no stage has (the engine refuses it): as without one.
        for t in [None, Some("nada")] {
            assert_eq!(
                label_stages(df, "l", &inherited, t),
                format!("FROM a AS build\nRUN make\nFROM build AS Test\nRUN test\nFROM scratch\nCOPY --from=build /x /\n{mark}")
            );
        }
        assert_eq!(label_stages("FROM a AS fin\nRUN x\n", "l", &inherited, Some("fin")), format!("FROM a AS fin\nRUN x\n{mark}"));
    }

    /// A scratch asset folder `<tmp>/assets/ctx` with a Dockerfile, under a lesson root `<tmp>`.
    fn scratch_assets(name: &str) -> (PathBuf, PathBuf) {
        let root = std::env::temp_dir().join(format!("estiba-pack-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("assets/ctx/sub")).unwrap();
        std::fs::create_dir_all(root.join("lessons")).unwrap();
        std::fs::write(root.join("assets/ctx/Dockerfile"), "FROM scratch\nCOPY . /\n").unwrap();
        std::fs::write(root.join("assets/ctx/sub/a.txt"), "a\n").unwrap();
        let assets = root.join("assets");
        (root, assets)
    }

    fn entries(ctx: &Context) -> Vec<(String, tar::EntryType, Option<String>)> {
        let mut a = tar::Archive::new(ctx.tar.as_slice());
        a.entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let link = e.link_name().unwrap().map(|l| l.to_string_lossy().to_string());
                (e.path().unwrap().to_string_lossy().to_string(), e.header().entry_type(), link)
            })
            .collect()
    }

    fn build(context: &str) -> Build {
        Build { tags: vec!["x:1".into()], context: context.into(), ..Build::default() }
    }

    #[test]
    fn symlinks_inside_the_assets_stay_links_and_loops_end() {
        let (root, assets) = scratch_assets("loop");
        std::os::unix::fs::symlink(".", root.join("assets/ctx/sub/yo")).unwrap();
        std::os::unix::fs::symlink("sub/a.txt", root.join("assets/ctx/b.txt")).unwrap();
        let ctx = pack(&root, &assets, &build("assets/ctx"), "l", &[]).unwrap();
        let e = entries(&ctx);
        assert!(e.contains(&("sub/yo".into(), tar::EntryType::Symlink, Some(".".into()))), "{e:?}");
        assert!(e.contains(&("b.txt".into(), tar::EntryType::Symlink, Some("sub/a.txt".into()))), "{e:?}");
        assert!(e.contains(&("sub/a.txt".into(), tar::EntryType::Regular, None)), "{e:?}");
        assert_eq!(e.len(), 4, "Dockerfile, b.txt, sub/a.txt, sub/yo: {e:?}");
    }

    #[test]
    fn contexts_and_links_stay_in_the_asset_folder() {
        let (root, assets) = scratch_assets("out");
        std::fs::write(root.join("lessons/privado.md"), "x").unwrap();
        // The lesson root itself, and a sibling of the assets: outside the asset folder.
        for context in [".", "lessons", "assets/..", "assets/ctx/../../lessons", "/etc"] {
            let err = pack(&root, &assets, &build(context), "l", &[]).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("no permitido") || err.contains("sale de la carpeta de recursos"), "{context}: {err}");
        }
        // A link out of the assets, even into the lesson's own folder, is refused.
        std::os::unix::fs::symlink(root.join("lessons"), root.join("assets/ctx/fuera")).unwrap();
        let err = pack(&root, &assets, &build("assets/ctx"), "l", &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("el enlace simbólico `fuera` apunta fuera de la carpeta de recursos"), "{err}");
        // And a context that is itself a link out of the assets.
        std::fs::remove_file(root.join("assets/ctx/fuera")).unwrap();
        std::os::unix::fs::symlink(root.join("lessons"), root.join("assets/enlace")).unwrap();
        let err = pack(&root, &assets, &build("assets/enlace"), "l", &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("sale de la carpeta de recursos"), "{err}");
    }

    #[test]
    fn dockerignore_globs() {
        let ig = Ignore { rules: vec![(false, vec!["*.o".into()]), (false, vec!["build".into()]), (true, vec!["keep.o".into()])] };
        assert!(ig.excludes(Path::new("x.o")));
        assert!(!ig.excludes(Path::new("keep.o")));
        assert!(ig.excludes(Path::new("build/a.txt")));
        assert!(!ig.excludes(Path::new("hola.cpp")));
    }

    #[test]
    fn exit_code_of_failed_run() {
        assert_eq!(build_exit_code("The command '/bin/sh -c exit 3' returned a non-zero code: 3"), 3);
        assert_eq!(build_exit_code("pull access denied"), 1);
    }
}
