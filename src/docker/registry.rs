//! `login`, `push` and `pull`: credentials stay in memory and go only to the registry they are for.

use std::time::Duration;

use base64::Engine as _;
use bollard::auth::DockerCredentials;
use bollard::query_parameters::{CreateImageOptions, PushImageOptions};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::exec::{Sink, say};
use super::images::split_reference;
use super::{Credentials, Engine, EngineError, Output, Progress, Session, Stream, daemon};
use crate::lesson::command::Login;

/// Docker Hub's server name as the CLI uses it.
pub const HUB: &str = "docker.io";

/// Registry host of an image reference (`docker.io` when the first part is not a host).
pub fn registry_of(image: &str) -> String {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => first.to_string(),
        _ => HUB.to_string(),
    }
}

/// Whether `server` is on this machine (plain HTTP is used for it, as the engine does).
pub fn is_loopback(server: &str) -> bool {
    let host = server.rsplit_once(':').map_or(server, |(h, _)| h);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

/// Status code of `GET http://server/v2/` with basic auth.
pub async fn check_v2(server: &str, creds: &Credentials) -> Result<u16, String> {
    let addr = if server.contains(':') { server.to_string() } else { format!("{server}:80") };
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", creds.username, creds.password));
    let request = format!("GET /v2/ HTTP/1.1\r\nHost: {server}\r\nAuthorization: Basic {token}\r\nConnection: close\r\n\r\n");
    let io = async {
        let mut s = tokio::net::TcpStream::connect(&addr).await?;
        s.write_all(request.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(Duration::from_secs(10), io)
        .await
        .map_err(|_| "sin respuesta en 10 s".to_string())?
        .map_err(|e| e.to_string())?;
    let head = String::from_utf8_lossy(&buf);
    head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| "respuesta HTTP no válida".to_string())
}

impl Engine {
    pub(super) async fn login(&self, l: &Login, session: &mut Session, out: Sink<'_>) -> Result<i64, EngineError> {
        let server = l.server.clone().unwrap_or_else(|| HUB.to_string());
        let Some(username) = l.username.clone() else {
            say(out, Stream::Stderr, "Error: falta el usuario: usa `docker login SERVIDOR -u USUARIO --password-stdin`\n");
            return Ok(1);
        };
        let Some(password) = session.password.take() else {
            say(
                out,
                Stream::Stderr,
                "Error: falta la contraseña del registro (Estiba la pide; en `estiba check`, define ESTIBA_REGISTRY_PASSWORD)\n",
            );
            return Ok(1);
        };
        let creds = Credentials { username, password };
        if is_loopback(&server) {
            match check_v2(&server, &creds).await {
                Ok(200) => {}
                Ok(401) => {
                    say(
                        out,
                        Stream::Stderr,
                        format!(
                            "Error response from daemon: login attempt to http://{server}/v2/ failed with status: 401 Unauthorized\n\
                             (usuario o contraseña incorrectos para {server}: ejecuta otra vez `docker login` con los correctos)\n"
                        ),
                    );
                    return Ok(1);
                }
                Ok(code) => {
                    say(
                        out,
                        Stream::Stderr,
                        format!("Error response from daemon: login attempt to http://{server}/v2/ failed with status: {code}\n"),
                    );
                    return Ok(1);
                }
                Err(e) => {
                    say(out, Stream::Stderr, format!("Error response from daemon: Get \"http://{server}/v2/\": {e}\n"));
                    return Ok(1);
                }
            }
        } else {
            say(
                out,
                Stream::Stderr,
                format!(
                    "Aviso: Estiba solo comprueba por adelantado registros locales; {server} comprobará la contraseña al hacer push.\n"
                ),
            );
        }
        session.credentials.insert(server, creds);
        say(out, Stream::Stdout, "Login Succeeded\n");
        Ok(0)
    }

    pub(super) async fn push(&self, image: &str, session: &Session, out: Sink<'_>) -> Result<i64, EngineError> {
        if !self.is_owned(image, session).await.unwrap_or(false) {
            say(
                out,
                Stream::Stderr,
                format!("Error: Estiba solo sube imágenes que ha creado esta lección; `{image}` no lleva su etiqueta o no existe\n"),
            );
            return Ok(1);
        }
        let server = registry_of(image);
        let creds = session.credentials.get(&server).map(|c| DockerCredentials {
            username: Some(c.username.clone()),
            password: Some(c.password.clone()),
            serveraddress: Some(server.clone()),
            ..Default::default()
        });
        let (repo, tag) = split_reference(image);
        let layers = self.docker.inspect_image(image).await.map_err(daemon)?.root_fs.and_then(|r| r.layers).map_or(0, |l| l.len());
        let mut stream = self.docker.push_image(&repo, Some(PushImageOptions { tag: Some(tag.clone()), ..Default::default() }), creds);
        let mut saw_digest = false;
        let mut bars = LayerBars { layers, ..LayerBars::default() };
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    let status = info.status.unwrap_or_default();
                    match info.progress_detail.and_then(|p| Some((p.current.unwrap_or(0).max(0) as u64, p.total?.max(0) as u64))) {
                        Some((current, total)) => out(Output::Progress(bars.pushing(status, current, total))),
                        // Bars show these; the CLI rewrites them in place, so a log keeps none of them.
                        None if status.is_empty() || matches!(status.as_str(), "Preparing" | "Waiting" | "Pushing") => {}
                        None => {
                            saw_digest |= status.contains("digest: sha256:");
                            let line = match bars.finished(&status) {
                                Some(p) => {
                                    let line = format!("{}: {status}\n", p.id);
                                    out(Output::Progress(p));
                                    line
                                }
                                None => status + "\n",
                            };
                            say(out, Stream::Stdout, line);
                        }
                    }
                }
                Err(e) => {
                    say(out, Stream::Stderr, format!("{}\n", daemon(e)));
                    return Ok(1);
                }
            }
        }
        if !saw_digest {
            let digests = self.docker.inspect_image(image).await.map_err(daemon)?.repo_digests.unwrap_or_default();
            if let Some(d) = digests.iter().find(|d| d.starts_with(&format!("{repo}@"))) {
                say(out, Stream::Stdout, format!("{tag}: digest: {}\n", d.split('@').nth(1).unwrap_or_default()));
            }
        }
        Ok(0)
    }

    pub(super) async fn pull(&self, image: &str, session: &Session, out: Sink<'_>) -> Result<i64, EngineError> {
        let server = registry_of(image);
        let creds = session.credentials.get(&server).map(|c| DockerCredentials {
            username: Some(c.username.clone()),
            password: Some(c.password.clone()),
            serveraddress: Some(server.clone()),
            ..Default::default()
        });
        let reference = if image.contains('@') || image.rsplit('/').next().is_some_and(|l| l.contains(':')) {
            image.to_string()
        } else {
            format!("{image}:latest")
        };
        let mut stream =
            self.docker.create_image(Some(CreateImageOptions { from_image: Some(reference), ..Default::default() }), None, creds);
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    if let Some(status) = info.status.filter(|s| !s.is_empty()) {
                        if info.progress_detail.is_some_and(|p| p.total.is_some()) {
                            out(Output::Progress(Progress { id: info.id.unwrap_or_default(), status, current: None, total: None }));
                        } else {
                            let id = info.id.map(|i| format!("{i}: ")).unwrap_or_default();
                            say(out, Stream::Stdout, format!("{id}{status}\n"));
                        }
                    }
                }
                Err(e) => {
                    say(out, Stream::Stderr, format!("{}\n", daemon(e)));
                    return Ok(1);
                }
            }
        }
        Ok(0)
    }
}

/// Per-layer progress of a push. The engine's push messages name their layer, but bollard's
/// `PushImageInfo` drops that field; an upload is told apart by its size instead (each layer's
/// `Pushing` events carry its own total), and named `capa k/N` in the order the uploads start.
#[derive(Debug, Default)]
struct LayerBars {
    /// Layers of the image (`N`).
    layers: usize,
    /// (total bytes, bar) of every upload seen, in the order they started.
    bars: Vec<(u64, Progress)>,
    /// Bars whose bytes are all sent, waiting for the engine's `Pushed`.
    sent: Vec<usize>,
}

impl LayerBars {
    /// A `Pushing` event: the bar of the upload of `total` bytes, now at `current`.
    fn pushing(&mut self, status: String, current: u64, total: u64) -> Progress {
        let i = match self.bars.iter().position(|(t, p)| *t == total && p.status == "Pushing") {
            Some(i) => i,
            None => {
                let id = format!("capa {}/{}", self.bars.len() + 1, self.layers.max(self.bars.len() + 1));
                self.bars.push((total, Progress { id, status: status.clone(), current: None, total: Some(total) }));
                self.bars.len() - 1
            }
        };
        let bar = &mut self.bars[i].1;
        bar.status = status;
        bar.current = Some(current.min(total));
        if current >= total && !self.sent.contains(&i) {
            self.sent.push(i);
        }
        bar.clone()
    }

    /// A status without bytes that ends a layer (`Pushed`, `Layer already exists`, `Mounted from …`):
    /// the bar of the upload that finished sending first, now complete; or, for a layer too small
    /// to report bytes (or not sent at all), a bar of its own with the next layer number.
    fn finished(&mut self, status: &str) -> Option<Progress> {
        let ends = status == "Pushed" || status == "Layer already exists" || status.starts_with("Mounted from");
        if !ends {
            return None;
        }
        // The engine rate-limits progress: a layer may end before its bar showed every byte.
        let unfinished = || {
            let ratio = |p: &Progress| p.current.unwrap_or(0) as f64 / p.total.unwrap_or(1).max(1) as f64;
            (0..self.bars.len())
                .filter(|i| self.bars[*i].1.status == "Pushing" && !self.sent.contains(i))
                .max_by(|a, b| ratio(&self.bars[*a].1).total_cmp(&ratio(&self.bars[*b].1)))
        };
        let i = if status == "Pushed" && !self.sent.is_empty() {
            self.sent.remove(0)
        } else if let Some(i) = unfinished().filter(|_| status == "Pushed" && self.bars.len() >= self.layers) {
            i
        } else {
            let n = self.bars.len() + 1;
            let id = format!("capa {n}/{}", self.layers.max(n));
            self.bars.push((0, Progress { id, status: String::new(), current: None, total: None }));
            n - 1
        };
        let bar = &mut self.bars[i].1;
        bar.status = status.to_string();
        bar.current = bar.total;
        Some(bar.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_bars_follow_each_upload_by_its_size() {
        let mut b = LayerBars { layers: 3, ..LayerBars::default() };
        let p = |b: &mut LayerBars, c, t| b.pushing("Pushing".into(), c, t);
        assert_eq!(p(&mut b, 512, 2048).id, "capa 1/3");
        assert_eq!(p(&mut b, 100, 300).id, "capa 2/3");
        let again = p(&mut b, 1024, 2048);
        assert_eq!((again.id.as_str(), again.current, again.total), ("capa 1/3", Some(1024), Some(2048)));
        p(&mut b, 300, 300);
        p(&mut b, 2048, 2048);
        let first = b.finished("Pushed").unwrap();
        assert_eq!((first.id.as_str(), first.status.as_str(), first.current), ("capa 2/3", "Pushed", Some(300)));
        assert_eq!(b.finished("Pushed").unwrap().id, "capa 1/3");
        // A layer that sent no bytes (already there, or too small to report) gets the next number.
        let exists = b.finished("Layer already exists").unwrap();
        assert_eq!((exists.id.as_str(), exists.status.as_str()), ("capa 3/3", "Layer already exists"));
        assert_eq!(b.finished("2.0.0: digest: sha256:abc size: 734"), None);
    }

    #[test]
    fn a_layer_may_end_before_its_last_bytes_were_reported() {
        let mut b = LayerBars { layers: 2, ..LayerBars::default() };
        b.pushing("Pushing".into(), 10, 100);
        b.pushing("Pushing".into(), 900, 1000);
        let done = b.finished("Pushed").unwrap();
        assert_eq!((done.id.as_str(), done.current), ("capa 2/2", Some(1000)), "the one furthest along");
        assert_eq!(b.finished("Pushed").unwrap().id, "capa 1/2");
    }

    #[test]
    fn a_tiny_layer_pushed_without_bytes_is_named_too() {
        let mut b = LayerBars { layers: 2, ..LayerBars::default() };
        let tiny = b.finished("Pushed").unwrap();
        assert_eq!((tiny.id.as_str(), tiny.status.as_str()), ("capa 1/2", "Pushed"));
        b.pushing("Pushing".into(), 2_215_000, 2_215_000);
        assert_eq!(b.finished("Pushed").unwrap().id, "capa 2/2");
    }

    #[test]
    fn registry_hosts() {
        assert_eq!(registry_of("127.0.0.1:5000/estudiante/hola:2.0.0"), "127.0.0.1:5000");
        assert_eq!(registry_of("estudiante/hola"), "docker.io");
        assert_eq!(registry_of("hola"), "docker.io");
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(!is_loopback("registry.example:5000"));
    }
}
