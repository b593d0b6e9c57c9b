//! Shared by the engine tests: connect, or skip outside CI (with `CI=true` a missing engine fails).

#![allow(dead_code)]

use std::path::PathBuf;

use estiba::docker::Engine;

/// The repository root (where `lessons/` and `assets/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether CI asked for engine tests to fail rather than skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Connects to the engine; `None` (skip) outside CI when none answers, panic in CI.
pub async fn engine() -> Option<Engine> {
    match Engine::connect().await {
        Ok(e) => Some(e),
        Err(e) if in_ci() => panic!("CI=true y no hay motor de Docker: {e}"),
        Err(e) => {
            eprintln!("OMITIDO (sin motor de Docker): {e}");
            None
        }
    }
}

/// Registry password for the local test registry.
pub fn registry_password() -> String {
    std::env::var("ESTIBA_REGISTRY_PASSWORD").unwrap_or_else(|_| "estiba".into())
}

/// Removes a test's own unlabelled image through the Engine API's HTTP endpoint on the socket
/// (Estiba refuses to, by design): `DELETE /images/{name}`.
pub async fn remove_unlabelled_for_tests(name: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::UnixStream::connect("/var/run/docker.sock").await else { return };
    let req = format!("DELETE /images/{name}?force=1 HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
    let _ = s.write_all(req.as_bytes()).await;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
}

/// Ids of every image the engine holds, intermediate ones included (`GET /images/json?all=1` on
/// the socket): to tell that a test left no image behind, labelled or not.
pub async fn all_image_ids() -> std::collections::BTreeSet<String> {
    get_ids("/images/json?all=1").await
}

/// Ids of every container the engine holds, running or not (`GET /containers/json?all=1`).
pub async fn all_container_ids() -> std::collections::BTreeSet<String> {
    get_ids("/containers/json?all=1").await
}

async fn get_ids(path: &str) -> std::collections::BTreeSet<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::UnixStream::connect("/var/run/docker.sock").await.expect("socket");
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let list: Vec<serde_json::Value> = serde_json::from_str(body).expect("list");
    list.iter().filter_map(|i| i["Id"].as_str().map(str::to_string)).collect()
}

/// The learner builds `dockerfile` (no context) as `tag` with the docker CLI, outside Estiba, with
/// the classic builder and no network. The build's output, or `None` when there is no docker CLI
/// here (outside CI; with `CI=true` that fails).
pub fn learner_docker_build(dockerfile: &str, tag: &str) -> Option<String> {
    use std::io::Write;
    let child = std::process::Command::new("docker")
        .args(["build", "--network", "none", "-t", tag, "-"])
        .env("DOCKER_BUILDKIT", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        assert!(!in_ci(), "CI=true and no docker CLI to play the learner");
        return None;
    };
    child.stdin.take().unwrap().write_all(dockerfile.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "docker build del aprendiz ({tag}): {text}");
    Some(text)
}
