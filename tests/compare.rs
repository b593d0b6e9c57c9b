//! The comparison's variants come from the lesson; its table formats are stable.

use std::path::Path;

use estiba::compare::{Comparison, Row, cells, markdown, variants};
use estiba::lesson::{Lesson, LoadOptions};

fn bundled() -> Lesson {
    Lesson::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md"), &LoadOptions::default()).unwrap()
}

#[test]
fn variants_of_the_bundled_lesson() {
    let names: Vec<String> = variants(&bundled()).into_iter().map(|v| v.name).collect();
    assert_eq!(
        names,
        [
            "cpp-build-base:0.1.0",
            "hola:1.0.0",
            "hola:2.0.0",
            "hola:1.1.0",
            "hola:2.1.0",
            "hola:1.0.0 --user 10001:10001",
            "ubuntu:24.04",
            "ubuntu:24.04 --user 10001:10001",
            "ubuntu:24.04 --cap-drop ALL",
            "ubuntu:24.04 --security-opt no-new-privileges",
            "ubuntu:24.04 --read-only",
            "ubuntu:24.04 --privileged",
            "hola:2.1.0 --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges --read-only",
        ]
    );
    let v = variants(&bundled());
    assert_eq!(v[1].base.as_deref(), Some("ubuntu:24.04"));
    assert_eq!(v[2].base.as_deref(), Some("scratch"));
    assert_eq!(v[2].step, "Scratch");
    // Runs of an image the lesson built share its base; runs of a base image have none to show.
    assert_eq!(v[5].base.as_deref(), Some("ubuntu:24.04"), "{:?}", v[5]);
    assert_eq!(v[12].base.as_deref(), Some("scratch"), "{:?}", v[12]);
    assert_eq!(v[6].base, None);
}

fn row(name: &str, uid: Option<u32>, caps: usize) -> Row {
    let mut r: Row = serde_json::from_value(serde_json::json!({
        "name": name, "image": name, "run_options": [], "status": "ok", "built_by": "Scratch", "error": null,
        "size_bytes": 2_220_000, "size": "2.22MB", "layers": 2, "base": "scratch", "has_shell": false, "uid": uid,
        "gid": uid, "groups": [], "id_output": uid.map(|u| format!("uid={u} gid={u} groups={u}")), "user": "",
        "cap_eff": [], "cap_prm": [], "cap_bnd": [], "no_new_privs": false, "rootfs_writable": true, "digest": null
    }))
    .unwrap();
    r.cap_eff = (0..caps).map(|i| format!("cap_{i}")).collect();
    r
}

#[test]
fn root_rows_are_marked_and_counts_shown() {
    let c = Comparison { variants: vec![row("hola:2.0.0", Some(0), 14), row("hola:2.1.0", Some(10001), 0)] };
    let t = cells(&c);
    assert_eq!(t[1][4], "⚠ uid=0 gid=0 groups=0");
    assert_eq!(t[1][5], "14");
    assert_eq!(t[2][4], "uid=10001 gid=10001 groups=10001");
    assert_eq!(t[2][5], "ninguna");
    let md = markdown(&c);
    assert!(md.starts_with("| VARIANTE | TAMAÑO |"), "{md}");
    assert_eq!(md.lines().nth(1).unwrap().matches("---").count(), 9);
    let json = serde_json::to_value(&c).unwrap();
    for key in [
        "name",
        "image",
        "run_options",
        "size_bytes",
        "layers",
        "has_shell",
        "uid",
        "gid",
        "id_output",
        "user",
        "cap_eff",
        "cap_bnd",
        "digest",
    ] {
        assert!(json["variants"][0].get(key).is_some(), "{key}");
    }
}
