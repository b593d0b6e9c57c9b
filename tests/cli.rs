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
fn show_needs_a_usable_width() {
    let o = estiba(&["show", "--width", "0"], &[]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let o = estiba(&["show", "--plain", "--width", "20"], &[]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.lines().all(|l| l.chars().count() <= 20), "{out}");
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
        "---\nid: estiba-cli-mala\nroot: .\nassets: .\n---\n# Paso\n\n```sh +run\ndocker build -t x:1 no-existe\n```\n",
    );
    let o = estiba(&["check", path.to_str().unwrap()], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(":9:1: no existe el contexto de construcción"), "{err}");
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
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64(), v["skipped"].as_u64()), (Some(1), Some(1), Some(1)));
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps[1]["title"], "Dos");
    assert_eq!(steps[1]["status"], "failed");
    let detail = steps[1]["detail"].as_str().unwrap();
    assert!(detail.contains("línea 13") && detail.contains("no contiene «adiós»") && detail.contains("hola"), "{detail}");
    assert_eq!(steps[2]["status"], "skipped");
}

#[test]
fn bundled_lesson_passes_end_to_end() {
    let o = estiba(&["check", "--format", "json", "--allow-privileged"], &[("ESTIBA_REGISTRY_PASSWORD", &common::registry_password())]);
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

fn check_json(body: &str, name: &str, extra: &[&str]) -> Option<(i32, serde_json::Value, String)> {
    let path = lesson_file(name, body);
    let mut args = vec!["check", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = estiba(&args, &[]);
    let (out, err) = text(&o);
    if o.status.code() == Some(2) && !common::in_ci() && err.contains("No hay motor") {
        eprintln!("OMITIDO (sin motor): {err}");
        return None;
    }
    let v = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
    Some((o.status.code().unwrap_or(-1), v, err))
}

#[test]
fn hostile_runs_are_refused_without_allow_privileged() {
    for (name, cmd, what) in [
        ("bind", "docker run --rm -v /:/host ubuntu:24.04 ls /host", "monta la carpeta / de tu equipo"),
        ("mount", "docker run --rm --mount type=bind,src=/etc,dst=/e ubuntu:24.04 ls /e", "monta una carpeta de tu equipo"),
        ("priv", "docker run --rm --privileged ubuntu:24.04 true", "--privileged"),
        ("capadd", "docker run --rm --cap-add SYS_ADMIN ubuntu:24.04 true", "--cap-add SYS_ADMIN"),
        ("pid", "docker run --rm --pid host ubuntu:24.04 true", "--pid host"),
        ("net", "docker run --rm --network host ubuntu:24.04 true", "--network host"),
        ("dev", "docker run --rm --device /dev/null ubuntu:24.04 true", "--device /dev/null"),
        ("seccomp", "docker run --rm --security-opt seccomp=unconfined ubuntu:24.04 true", "quita el filtro seccomp"),
        ("apparmor", "docker run --rm --security-opt apparmor:unconfined ubuntu:24.04 true", "quita el perfil de AppArmor"),
    ] {
        let body = format!("---\nid: estiba-cli-hostil\n---\n# Paso\n\n```sh +run\n{cmd}\n```\n");
        let Some((code, v, err)) = check_json(&body, &format!("hostil-{name}.md"), &[]) else { return };
        assert_eq!(code, 1, "{name}: {v} {err}");
        assert_eq!(v["steps"][0]["status"], "skipped", "{name}: not run, so neither passed nor failed: {v}");
        let detail = v["steps"][0]["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.contains("sin tu confirmación") && detail.contains(what), "{name}: {detail}");
        assert!(detail.contains("(línea 7:"), "{name}: names the command's line: {detail}");
    }
}

#[test]
fn allow_privileged_runs_a_confirmed_bind() {
    // A read-only bind of an empty temporary folder: allowed only with the flag.
    let dir = std::env::temp_dir().join(format!("estiba-bind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("marca.txt"), "visible\n").unwrap();
    let body = format!(
        "---\nid: estiba-cli-bind\n---\n# Paso\n\n```sh +run expect=\"visible\"\ndocker run --rm -v {}:/datos:ro ubuntu:24.04 cat /datos/marca.txt\n```\n",
        dir.display()
    );
    let Some((code, v, err)) = check_json(&body, "bind-ok.md", &["--allow-privileged"]) else { return };
    assert_eq!(code, 0, "{v} {err}");
}

#[test]
fn build_contexts_cannot_leave_the_lesson() {
    let dir = std::env::temp_dir().join(format!("estiba-ctx-{}", std::process::id()));
    let lessons = dir.join("lessons");
    let assets = dir.join("assets");
    std::fs::create_dir_all(&lessons).unwrap();
    std::fs::create_dir_all(assets.join("fuga")).unwrap();
    std::fs::write(assets.join("fuga/Dockerfile"), "FROM scratch\nCOPY secreto /\n").unwrap();
    let secret = std::env::temp_dir().join(format!("estiba-secreto-{}", std::process::id()));
    std::fs::write(&secret, "no debe salir\n").unwrap();
    let _ = std::fs::remove_file(assets.join("fuga/secreto"));
    std::os::unix::fs::symlink(&secret, assets.join("fuga/secreto")).unwrap();

    // `..` out of the lesson root: a lesson error before anything runs.
    let up = lessons.join("arriba.md");
    std::fs::write(&up, "---\nid: estiba-cli-ctx\n---\n# Paso\n\n```sh +run\ndocker build -t x:1 ../..\n```\n").unwrap();
    let o = estiba(&["check", up.to_str().unwrap()], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:7:1: el contexto `../..` sale de la carpeta de recursos de la lección", up.display())), "{err}");

    // The lesson's own folder and the project root are not the asset folder.
    for context in [".", "lessons", "assets/../lessons"] {
        std::fs::write(&up, format!("---\nid: estiba-cli-ctx\n---\n# Paso\n\n```sh +run\ndocker build -t x:1 {context}\n```\n")).unwrap();
        let (_, err) = text(&estiba(&["check", up.to_str().unwrap()], &[]));
        assert!(err.contains(&format!("el contexto `{context}` sale de la carpeta de recursos")), "{context}: {err}");
    }

    // A front matter that widens the root or the asset folder beyond the lesson is refused.
    for (key, value) in [("root", "/"), ("root", "../.."), ("root", "../../home"), ("assets", ".."), ("assets", "/home")] {
        std::fs::write(&up, format!("---\nid: estiba-cli-ctx\n{key}: {value}\n---\n# Paso\n\n```sh +run\ndocker version\n```\n")).unwrap();
        let o = estiba(&["check", up.to_str().unwrap()], &[]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{key}: {value}: {err}");
        assert!(err.contains(&format!("{}:3:1: `{key}: {value}` sale de la carpeta de la lección", up.display())), "{err}");
    }

    // An absolute context.
    std::fs::write(&up, "---\nid: estiba-cli-ctx\n---\n# Paso\n\n```sh +run\ndocker build -t x:1 /etc\n```\n").unwrap();
    let (_, err) = text(&estiba(&["check", up.to_str().unwrap()], &[]));
    assert!(err.contains("contexto absoluto `/etc` no permitido"), "{err}");

    // A symlink inside the context that points outside: refused when packing, nothing sent.
    let sym = lessons.join("enlace.md");
    std::fs::write(&sym, "---\nid: estiba-cli-ctx\n---\n# Paso\n\n```sh +run\ndocker build -t estiba-fuga:1 assets/fuga\n```\n").unwrap();
    let o = estiba(&["check", sym.to_str().unwrap(), "--format", "json"], &[]);
    let (out, err) = text(&o);
    if o.status.code() == Some(2) && !common::in_ci() {
        return;
    }
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("el enlace simbólico `secreto` apunta fuera de la carpeta de recursos"), "{out}");
}
