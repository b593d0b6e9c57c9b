//! Any command line: the docker command parser never panics and never accepts shell syntax.
#![no_main]

use estiba::lesson::command;
use estiba::lesson::words::Vars;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let vars = Vars { registry: "127.0.0.1:5000".into() };
    match command::parse(&line, &vars) {
        Ok(_) => {
            // Whatever parsed started with the word `docker` (possibly quoted or escaped).
            let first = estiba::lesson::words::split(&line, &vars).unwrap();
            assert_eq!(first[0].text, "docker");
        }
        Err(e) => assert!(e.offset <= line.chars().count() + 1, "{e:?}"),
    }
});
