//! The real `estiba` binary: `check` on the bundled lesson, on broken lessons, and without an engine.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn estiba(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_estiba"));
    c.args(args).current_dir(common::root());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run estiba")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn lesson_file(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("estiba-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn without_engine_says_what_was_tried_and_exits_2() {
    let o = estiba(&["check"], &[("DOCKER_HOST", "unix:///tmp/estiba-no-existe.sock")]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("No hay motor de Docker en unix:///tmp/estiba-no-existe.sock"), "{err}");
    assert!(err.contains("Cómo arreglarlo"), "{err}");
}

#[test]
fn unknown_command_is_a_lesson_error_with_file_and_line() {
    let path = lesson_file("desconocida.md", "---\nid: estiba-cli-mala\n---\n# Paso\n\nTexto.\n\n```sh +run\ndocker compose up\n```\n");
    let o = estiba(&["check", path.to_str().unwrap()], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:9:8: subcomando `docker compose` no admitido", path.display())), "{err}");
    assert!(err.contains("ayuda: subcomandos admitidos"), "{err}");
}

#[test]
fn missing_build_context_is_named() {
    let path = lesson_file(
        "sin-contexto.md",
        "---\nid: estiba-cli-mala\nroot: .\n---\n# Paso\n\n```sh +run\ndocker build -t x:1 no-existe\n```\n",
    );
    let o = estiba(&["check", path.to_str().unwrap()], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(":8:1: no existe el contexto de construcción"), "{err}");
}

#[test]
fn broken_lesson_fails_at_the_right_step() {
    let body = "---\nid: estiba-cli-rota\n---\n# Uno\n\n```sh +run\ndocker version\n```\n\n## Dos\n\n```sh +run expect=\"adiós\"\ndocker run --rm ubuntu:24.04 echo hola\n```\n\n## Tres\n\n```sh +run\ndocker version\n```\n";
    let path = lesson_file("rota.md", body);
    let o = estiba(&["check", path.to_str().unwrap(), "--format", "json"], &[]);
    let (out, err) = text(&o);
    if o.status.code() == Some(2) && !common::in_ci() {
        eprintln!("OMITIDO (sin motor): {err}");
        return;
    }
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["lesson"], "estiba-cli-rota");
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64()), (Some(1), Some(1)));
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps[1]["title"], "Dos");
    assert_eq!(steps[1]["status"], "failed");
    let detail = steps[1]["detail"].as_str().unwrap();
    assert!(detail.contains("línea 13") && detail.contains("no contiene «adiós»") && detail.contains("hola"), "{detail}");
    assert_eq!(steps[2]["status"], "skipped");
}

#[test]
fn bundled_lesson_passes_end_to_end() {
    let o = estiba(&["check", "--format", "json"], &[("ESTIBA_REGISTRY_PASSWORD", &common::registry_password())]);
    let (out, err) = text(&o);
    if o.status.code() == Some(2) && !common::in_ci() {
        eprintln!("OMITIDO (sin motor): {err}");
        return;
    }
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let steps = v["steps"].as_array().unwrap();
    let failed: Vec<_> = steps.iter().filter(|s| s["status"] != "passed").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(v["passed"].as_u64(), Some(steps.len() as u64));
    assert_eq!(steps.len(), 9);
    assert_eq!(o.status.code(), Some(0));
}
