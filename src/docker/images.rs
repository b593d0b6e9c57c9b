//! `images`, `tag`, `inspect`, `history`, `rmi` and `image prune`.

use std::collections::HashMap;

use bollard::query_parameters::{ListImagesOptions, RemoveImageOptions, TagImageOptions};

use super::exec::{Sink, say};
use super::format::{ago, human_size, now, short_id, table};
use super::{Engine, EngineError, LESSON_LABEL, Session, Stream, daemon};
use crate::lesson::command::Images;

/// Splits `repo:tag` (the tag defaults to `latest`; a port colon is not a tag).
pub fn split_reference(reference: &str) -> (String, String) {
    let (name, digestless) = match reference.split_once('@') {
        Some((n, _)) => (n, true),
        None => (reference, false),
    };
    match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo.to_string(), tag.to_string()),
        _ if digestless => (name.to_string(), String::new()),
        _ => (name.to_string(), "latest".to_string()),
    }
}

impl Engine {
    pub(super) async fn images(&self, opts: &Images, out: Sink<'_>) -> Result<i64, EngineError> {
        let mut filters = HashMap::new();
        if let Some(r) = &opts.repository {
            filters.insert("reference".to_string(), vec![r.clone()]);
        }
        let list = self
            .docker
            .list_images(Some(ListImagesOptions { all: opts.all, filters: Some(filters), digests: opts.digests, ..Default::default() }))
            .await
            .map_err(daemon)?;
        if opts.quiet {
            let ids: Vec<String> = list.iter().map(|i| short_id(&i.id) + "\n").collect();
            say(out, Stream::Stdout, ids.concat());
            return Ok(0);
        }
        let mut rows = vec![if opts.digests {
            ["REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"].map(String::from).to_vec()
        } else {
            ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"].map(String::from).to_vec()
        }];
        let now = now();
        for img in &list {
            let tags: Vec<String> = img.repo_tags.iter().filter(|t| *t != "<none>:<none>").cloned().collect();
            let digests: Vec<&String> = img.repo_digests.iter().filter(|d| *d != "<none>@<none>").collect();
            let mut names: Vec<(String, String, String)> = tags
                .iter()
                .map(|t| {
                    let (repo, tag) = split_reference(t);
                    let digest = digests
                        .iter()
                        .find(|d| d.split('@').next() == Some(repo.as_str()))
                        .and_then(|d| d.split('@').nth(1))
                        .unwrap_or("<none>")
                        .to_string();
                    (repo, tag, digest)
                })
                .collect();
            if names.is_empty() {
                let digest = digests.first().and_then(|d| d.split('@').nth(1)).unwrap_or("<none>").to_string();
                let repo = digests.first().and_then(|d| d.split('@').next()).unwrap_or("<none>").to_string();
                names.push((repo, "<none>".into(), digest));
            }
            for (repo, tag, digest) in names {
                let mut row = vec![repo, tag];
                if opts.digests {
                    row.push(digest);
                }
                row.extend([short_id(&img.id), ago(img.created, now), human_size(img.size)]);
                rows.push(row);
            }
        }
        say(out, Stream::Stdout, table(&rows));
        Ok(0)
    }

    pub(super) async fn tag(&self, source: &str, target: &str) -> Result<i64, EngineError> {
        let (repo, tag) = split_reference(target);
        self.docker.tag_image(source, Some(TagImageOptions { repo: Some(repo), tag: Some(tag) })).await.map_err(daemon)?;
        Ok(0)
    }

    pub(super) async fn inspect(&self, format: Option<&str>, targets: &[String], out: Sink<'_>) -> Result<i64, EngineError> {
        let mut values = Vec::new();
        let mut code = 0;
        for t in targets {
            match self.docker.inspect_image(t).await {
                Ok(i) => values.push(serde_json::to_value(i).map_err(|e| EngineError::Local(e.to_string()))?),
                Err(e) => {
                    let msg = match daemon(e) {
                        EngineError::Daemon(_) => format!("Error: No such image: {t}\n"),
                        other => return Err(other),
                    };
                    say(out, Stream::Stderr, msg);
                    code = 1;
                }
            }
        }
        match format {
            Some(f) => {
                for v in &values {
                    let line = template(f, v).map_err(EngineError::Local)?;
                    say(out, Stream::Stdout, line + "\n");
                }
            }
            None => {
                let text = serde_json::to_string_pretty(&values).map_err(|e| EngineError::Local(e.to_string()))?;
                say(out, Stream::Stdout, text + "\n");
            }
        }
        Ok(code)
    }

    pub(super) async fn history(&self, image: &str, no_trunc: bool, out: Sink<'_>) -> Result<i64, EngineError> {
        let items = self.docker.image_history(image).await.map_err(daemon)?;
        let now = now();
        let mut rows = vec![["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"].map(String::from).to_vec()];
        for h in items {
            let id = if h.id == "<missing>" { h.id.clone() } else { short_id(&h.id) };
            let by = h.created_by.replace('\t', " ");
            let by = if no_trunc || by.chars().count() <= 45 { by } else { by.chars().take(44).collect::<String>() + "…" };
            rows.push(vec![id, ago(h.created, now), by, human_size(h.size), h.comment]);
        }
        say(out, Stream::Stdout, table(&rows));
        Ok(0)
    }

    /// Whether `image` is this lesson's own (see [`Engine::is_own_image`]).
    pub(super) async fn is_owned(&self, image: &str, session: &Session) -> Result<bool, EngineError> {
        self.is_own_image(image, &session.lesson_id).await
    }

    pub(super) async fn rmi(&self, images: &[String], force: bool, session: &Session, out: Sink<'_>) -> Result<i64, EngineError> {
        let mut code = 0;
        for image in images {
            match self.is_owned(image, session).await {
                Ok(true) => {}
                Ok(false) => {
                    say(
                        out,
                        Stream::Stderr,
                        format!(
                            "Error: Estiba no borra `{image}`: no lleva la etiqueta {LESSON_LABEL}={} (no la creó esta lección)\n",
                            session.lesson_id
                        ),
                    );
                    code = 1;
                    continue;
                }
                Err(EngineError::Daemon(_)) => {
                    say(out, Stream::Stderr, format!("Error: No such image: {image}\n"));
                    code = 1;
                    continue;
                }
                Err(e) => return Err(e),
            }
            match self.docker.remove_image(image, Some(RemoveImageOptions { force, noprune: false, ..Default::default() }), None).await {
                Ok(items) => {
                    let mut text = String::new();
                    for it in items {
                        if let Some(u) = it.untagged {
                            text.push_str(&format!("Untagged: {u}\n"));
                        }
                        if let Some(d) = it.deleted {
                            text.push_str(&format!("Deleted: {d}\n"));
                        }
                    }
                    say(out, Stream::Stdout, text);
                }
                Err(e) => {
                    say(out, Stream::Stderr, format!("{}\n", daemon(e)));
                    code = 1;
                }
            }
        }
        Ok(code)
    }

    /// `docker image prune [-a] -f`, limited to the lesson's own images: the untagged ones (all of
    /// them with `-a`) that no container uses. The space is what the removed layers took (each
    /// image's size over its parent's, as the engine counts it).
    pub(super) async fn prune(&self, all: bool, session: &Session, out: Sink<'_>) -> Result<i64, EngineError> {
        let candidates = self.own_images(&session.lesson_id, !all).await?;
        let every = self.docker.list_images(Some(ListImagesOptions { all: true, ..Default::default() })).await.map_err(daemon)?;
        let sizes: HashMap<String, (i64, String)> = every.into_iter().map(|i| (i.id, (i.size, i.parent_id))).collect();
        let layer = |id: &str| {
            let (size, parent) = sizes.get(id).cloned().unwrap_or_default();
            size - sizes.get(&parent).map_or(0, |p| p.0)
        };
        let (mut untagged, mut deleted) = (Vec::new(), Vec::new());
        for img in candidates {
            let opts = RemoveImageOptions { force: false, noprune: false, ..Default::default() };
            // In use by a container, or already gone with a child: not pruned, as with the CLI.
            let Ok(items) = self.docker.remove_image(&img.id, Some(opts), None).await else { continue };
            for it in items {
                untagged.extend(it.untagged);
                deleted.extend(it.deleted);
            }
        }
        let mut text = String::new();
        if !(untagged.is_empty() && deleted.is_empty()) {
            text.push_str("Deleted Images:\n");
            untagged.iter().for_each(|u| text.push_str(&format!("untagged: {u}\n")));
            deleted.iter().for_each(|d| text.push_str(&format!("deleted: {d}\n")));
            text.push('\n');
        }
        super::ledger::retain(&super::ledger::default_file(&session.lesson_id), |short| {
            !deleted.iter().any(|d| super::format::same_id(d, short))
        });
        let reclaimed: i64 = deleted.iter().map(|d| layer(d).max(0)).sum();
        text.push_str(&format!("Total reclaimed space: {}\n", human_size(reclaimed)));
        say(out, Stream::Stdout, text);
        Ok(0)
    }
}

/// The subset of Go templates `--format` supports: `{{.A.B}}`, `{{json .A}}`, literal text.
pub fn template(format: &str, value: &serde_json::Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").ok_or("plantilla sin `}}`")? + start;
        let expr = rest[start + 2..end].trim();
        let (json, path) = match expr.strip_prefix("json ") {
            Some(p) => (true, p.trim()),
            None => (false, expr),
        };
        let mut v = value;
        for part in path.trim_start_matches('.').split('.').filter(|p| !p.is_empty()) {
            v = v.get(part).ok_or_else(|| format!("template: no existe el campo `{part}` en `{path}`"))?;
        }
        if json {
            out.push_str(&v.to_string());
        } else {
            out.push_str(&go_print(v));
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// How Go's text/template prints a value.
fn go_print(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "<no value>".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => format!("map[{}]", m.iter().map(|(k, v)| format!("{k}:{}", go_print(v))).collect::<Vec<_>>().join(" ")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_like_docker() {
        assert_eq!(split_reference("hola:1.0.0"), ("hola".into(), "1.0.0".into()));
        assert_eq!(split_reference("hola"), ("hola".into(), "latest".into()));
        assert_eq!(split_reference("127.0.0.1:5000/estudiante/hola"), ("127.0.0.1:5000/estudiante/hola".into(), "latest".into()));
        assert_eq!(split_reference("127.0.0.1:5000/e/hola:2.0.0"), ("127.0.0.1:5000/e/hola".into(), "2.0.0".into()));
    }

    #[test]
    fn templates_navigate_json() {
        let v = serde_json::json!({"Config": {"User": "10001:10001", "Cmd": ["./hola"]}});
        assert_eq!(template("{{.Config.User}}", &v).unwrap(), "10001:10001");
        assert_eq!(template("u={{ .Config.User }} c={{json .Config.Cmd}}", &v).unwrap(), "u=10001:10001 c=[\"./hola\"]");
        assert!(template("{{.Nope}}", &v).is_err());
    }
}
