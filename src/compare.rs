//! `estiba compare`: every image variant of a lesson side by side — size, layers, shell, `id`,
//! capabilities — measured in the engine by the probe (see `docker::probe`).

use serde::Serialize;

use crate::caps;
use crate::docker::{Engine, EngineError, format::human_size};
use crate::lesson::command::Run;
use crate::lesson::{DockerCommand, Lesson, assets};

/// A variant to compare: an image and the run options it is started with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantSpec {
    /// Display name (`hola:2.0.0`, `ubuntu:24.04 --cap-drop ALL`).
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Run options as typed (`--user 10001:10001`).
    pub run_options: Vec<String>,
    /// The run the probe imitates.
    pub run: Run,
    /// Title of the step that builds (or first runs) it.
    pub step: String,
    /// Base of the image's final stage, for images the lesson builds.
    pub base: Option<String>,
}

/// One row of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Row {
    /// Variant name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Run options.
    pub run_options: Vec<String>,
    /// `ok`, `missing` (not built yet) or `error`.
    pub status: String,
    /// Step that builds it.
    pub built_by: String,
    /// Why it is missing or failed.
    pub error: Option<String>,
    /// Size in bytes as the engine reports it.
    pub size_bytes: Option<i64>,
    /// Size as the docker CLI prints it.
    pub size: Option<String>,
    /// Filesystem layers.
    pub layers: Option<usize>,
    /// Base image of the final stage.
    pub base: Option<String>,
    /// `/bin/sh` exists.
    pub has_shell: Option<bool>,
    /// uid of the process.
    pub uid: Option<u32>,
    /// gid of the process.
    pub gid: Option<u32>,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// What `id` would print.
    pub id_output: Option<String>,
    /// `USER` of the image (empty: root).
    pub user: Option<String>,
    /// Effective capabilities.
    pub cap_eff: Vec<String>,
    /// Permitted capabilities.
    pub cap_prm: Vec<String>,
    /// Bounding set.
    pub cap_bnd: Vec<String>,
    /// `NoNewPrivs`.
    pub no_new_privs: Option<bool>,
    /// Root filesystem mounted read-write (`false` with `--read-only`).
    pub rootfs_writable: Option<bool>,
    /// `repo@sha256:…` once pushed.
    pub digest: Option<String>,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// Rows in lesson order.
    pub variants: Vec<Row>,
}

fn options_of(r: &Run) -> Vec<String> {
    let mut o = Vec::new();
    o.extend(r.user.iter().map(|u| format!("--user {u}")));
    o.extend(r.cap_drop.iter().map(|c| format!("--cap-drop {c}")));
    o.extend(r.cap_add.iter().map(|c| format!("--cap-add {c}")));
    o.extend(r.security_opt.iter().map(|s| format!("--security-opt {s}")));
    if r.read_only {
        o.push("--read-only".into());
    }
    if r.privileged {
        o.push("--privileged".into());
    }
    o
}

/// The variants of `lesson`: each image it builds, each base it runs, and each run with security
/// options, in lesson order and without repeats.
pub fn variants(lesson: &Lesson) -> Vec<VariantSpec> {
    let mut out: Vec<VariantSpec> = Vec::new();
    let push = |v: VariantSpec, out: &mut Vec<VariantSpec>| {
        if !out.iter().any(|o| o.image == v.image && o.run_options == v.run_options) {
            out.push(v);
        }
    };
    for (i, cmd) in lesson.commands() {
        let step = lesson.steps[i].title.clone();
        match &cmd.command {
            DockerCommand::Build(b) => {
                let Some(tag) = b.tags.first() else { continue };
                let base = assets::final_base(lesson, b);
                let run = Run { image: tag.clone(), ..Run::default() };
                push(VariantSpec { name: tag.clone(), image: tag.clone(), run_options: vec![], run, step, base }, &mut out);
            }
            DockerCommand::Run(r) => {
                let opts = options_of(r);
                let mut run = r.clone();
                run.args.clear();
                run.volumes.clear();
                run.mounts.clear();
                run.devices.clear();
                run.pid = None;
                let name = if opts.is_empty() { r.image.clone() } else { format!("{} {}", r.image, opts.join(" ")) };
                // Same image, same base: a run of an image the lesson built inherits its base.
                let base = out.iter().find(|o| o.image == r.image).and_then(|o| o.base.clone());
                push(VariantSpec { name, image: r.image.clone(), run_options: opts, run, step, base }, &mut out);
            }
            _ => {}
        }
    }
    out
}

fn empty_row(v: &VariantSpec, status: &str, error: Option<String>) -> Row {
    Row {
        name: v.name.clone(),
        image: v.image.clone(),
        run_options: v.run_options.clone(),
        status: status.into(),
        built_by: v.step.clone(),
        error,
        size_bytes: None,
        size: None,
        layers: None,
        base: v.base.clone(),
        has_shell: None,
        uid: None,
        gid: None,
        groups: vec![],
        id_output: None,
        user: None,
        cap_eff: vec![],
        cap_prm: vec![],
        cap_bnd: vec![],
        no_new_privs: None,
        rootfs_writable: None,
        digest: None,
    }
}

/// Measures every variant, reporting each row as soon as it is known. Variants that reach beyond
/// their container (`--privileged`, …) are measured only with `allow_risky`.
pub async fn measure(
    engine: &Engine,
    lesson_id: &str,
    specs: &[VariantSpec],
    allow_risky: bool,
    mut on_row: impl FnMut(usize, &Row) + Send,
) -> Comparison {
    let mut rows = Vec::new();
    let mut archive: Option<Result<Vec<u8>, String>> = None;
    for (i, v) in specs.iter().enumerate() {
        let row = match engine.image_info(&v.image).await {
            Ok(None) => empty_row(v, "missing", Some(format!("aún no existe: la construye el paso «{}»", v.step))),
            Err(e) => empty_row(v, "error", Some(e.to_string())),
            Ok(Some(_)) if !allow_risky && !v.run.risks().is_empty() => {
                empty_row(v, "error", Some("no medida: sale del contenedor; usa `estiba compare --allow-privileged`".into()))
            }
            Ok(Some(info)) => {
                let mut row = empty_row(v, "ok", None);
                row.size_bytes = Some(info.size);
                row.size = Some(human_size(info.size));
                row.layers = Some(info.layers);
                row.user = Some(info.user.clone());
                row.digest = info.digests.first().cloned();
                if archive.is_none() {
                    archive = Some(engine.probe_archive(lesson_id).await.map_err(|e| e.to_string()));
                }
                match archive.as_ref() {
                    Some(Ok(tar)) => match engine.probe(&v.run, tar, lesson_id).await {
                        Ok(p) => {
                            row.has_shell = Some(p.has_shell);
                            row.uid = Some(p.uid);
                            row.gid = Some(p.gid);
                            row.groups = p.groups;
                            row.id_output = Some(p.id_output);
                            row.cap_eff = caps::decode(p.caps.effective);
                            row.cap_prm = caps::decode(p.caps.permitted);
                            row.cap_bnd = caps::decode(p.caps.bounding);
                            row.no_new_privs = Some(p.no_new_privs);
                            row.rootfs_writable = Some(p.rootfs_writable);
                        }
                        Err(EngineError::Daemon(m)) => {
                            row.status = "error".into();
                            row.error = Some(format!("el motor no arranca este contenedor: {m}"));
                        }
                        Err(e) => {
                            row.status = "error".into();
                            row.error = Some(e.to_string());
                        }
                    },
                    Some(Err(e)) => {
                        row.status = "error".into();
                        row.error = Some(e.clone());
                    }
                    None => {}
                }
                row
            }
        };
        on_row(i, &row);
        rows.push(row);
    }
    Comparison { variants: rows }
}

fn cell_caps(r: &Row) -> String {
    match (r.status.as_str(), r.cap_eff.len()) {
        ("ok", 0) => "ninguna".into(),
        ("ok", n) if n >= 41 => format!("todas ({n})"),
        ("ok", n) => format!("{n}"),
        _ => "—".into(),
    }
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "sí".into(),
        Some(false) => "no".into(),
        None => "—".into(),
    }
}

/// The comparison as table rows (header first), for text and Markdown.
pub fn cells(c: &Comparison) -> Vec<Vec<String>> {
    let mut rows = vec![["VARIANTE", "TAMAÑO", "CAPAS", "SH", "ID", "CAPEFF", "NO-NEW-PRIVS", "RAÍZ", "DIGEST"].map(String::from).to_vec()];
    for r in &c.variants {
        let id = match (&r.id_output, r.uid) {
            (Some(id), Some(0)) => format!("⚠ {id}"),
            (Some(id), _) => id.clone(),
            _ => r.error.clone().unwrap_or_else(|| "—".into()),
        };
        let root = match r.rootfs_writable {
            Some(true) => "escritura".into(),
            Some(false) => "solo lectura".into(),
            None => "—".into(),
        };
        rows.push(vec![
            r.name.clone(),
            r.size.clone().unwrap_or_else(|| "—".into()),
            r.layers.map_or_else(|| "—".into(), |l| l.to_string()),
            yes_no(r.has_shell),
            id,
            cell_caps(r),
            yes_no(r.no_new_privs),
            root,
            r.digest.as_deref().and_then(|d| d.split('@').nth(1)).map_or_else(|| "—".into(), |d| d.chars().take(19).collect()),
        ]);
    }
    rows
}

/// Markdown table.
pub fn markdown(c: &Comparison) -> String {
    let rows = cells(c);
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        s.push_str(&format!("| {} |\n", r.iter().map(|c| c.replace('|', "\\|")).collect::<Vec<_>>().join(" | ")));
        if i == 0 {
            s.push_str(&format!("|{}\n", " --- |".repeat(r.len())));
        }
    }
    s
}
