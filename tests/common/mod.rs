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
