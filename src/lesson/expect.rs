//! What a command is expected to do, and the check of an actual outcome against it.

/// Expected exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitExpect {
    /// Exactly this code.
    Code(i64),
    /// Any code.
    Any,
}

/// The expected outcome of a `+run` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// Expected exit status (default 0).
    pub exit: ExitExpect,
    /// Texts the output must contain.
    pub contains: Vec<String>,
    /// Texts of which the output must contain at least one (when there are any).
    pub any_of: Vec<String>,
    /// Texts the output must not contain.
    pub rejects: Vec<String>,
}

impl Default for Expectation {
    fn default() -> Self {
        Self { exit: ExitExpect::Code(0), contains: Vec::new(), any_of: Vec::new(), rejects: Vec::new() }
    }
}

impl Expectation {
    /// Whether this expectation describes a failure (non-zero exit).
    pub fn expects_failure(&self) -> bool {
        matches!(self.exit, ExitExpect::Code(c) if c != 0)
    }

    /// Whether the output itself is checked (texts it must or must not contain).
    pub fn has_texts(&self) -> bool {
        !(self.contains.is_empty() && self.any_of.is_empty() && self.rejects.is_empty())
    }

    /// Checks only the output's texts, whatever the exit code (a shell the learner left).
    pub fn verify_texts(&self, output: &str) -> Result<(), String> {
        Self { exit: ExitExpect::Any, ..self.clone() }.verify(0, output)
    }

    /// Checks an outcome; `Err` says, in Spanish, the first thing that does not match.
    pub fn verify(&self, exit_code: i64, output: &str) -> Result<(), String> {
        if let ExitExpect::Code(want) = self.exit
            && want != exit_code
        {
            return Err(format!("terminó con código {exit_code}; se esperaba {want}"));
        }
        let output = output.replace("\r\n", "\n");
        if let Some(missing) = self.contains.iter().find(|t| !output.contains(t.as_str())) {
            return Err(format!("la salida no contiene «{}»", missing.escape_debug()));
        }
        if !self.any_of.is_empty() && !self.any_of.iter().any(|t| output.contains(t.as_str())) {
            let list: Vec<String> = self.any_of.iter().map(|t| format!("«{}»", t.escape_debug())).collect();
            return Err(format!("la salida no contiene ninguno de {}", list.join(", ")));
        }
        if let Some(found) = self.rejects.iter().find(|t| output.contains(t.as_str())) {
            return Err(format!("la salida contiene «{}», que no debería aparecer", found.escape_debug()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_reports_first_mismatch() {
        let e = Expectation {
            exit: ExitExpect::Code(127),
            contains: vec!["not found".into()],
            rejects: vec!["Hola".into()],
            ..Expectation::default()
        };
        assert!(e.verify(127, "exec: \"sh\": executable file not found").is_ok());
        assert_eq!(e.verify(0, "").unwrap_err(), "terminó con código 0; se esperaba 127");
        assert!(e.verify(127, "nada").unwrap_err().contains("no contiene"));
        assert!(e.verify(127, "not found Hola").unwrap_err().contains("no debería"));
        let any = Expectation { exit: ExitExpect::Any, ..Expectation::default() };
        assert!(any.verify(3, "").is_ok());
    }

    #[test]
    fn texts_alone_ignore_the_exit_code() {
        let e = Expectation { contains: vec!["uid=0(root)".into()], ..Expectation::default() };
        assert!(e.has_texts() && !Expectation::default().has_texts());
        assert!(e.verify(137, "uid=0(root)").is_err());
        assert!(e.verify_texts("# id\nuid=0(root) gid=0(root)").is_ok());
        assert!(e.verify_texts("# ls").unwrap_err().contains("no contiene"));
    }

    #[test]
    fn any_of_needs_one_of_its_texts() {
        let e =
            Expectation { exit: ExitExpect::Any, any_of: vec!["CapEff:".into(), "unable to apply caps".into()], ..Expectation::default() };
        assert!(e.verify(0, "CapEff:\t000001ffffffffff").is_ok());
        assert!(e.verify(125, "runc: unable to apply caps: operation not permitted").is_ok());
        let err = e.verify(125, "docker: Estiba no ejecuta esta orden").unwrap_err();
        assert!(err.contains("ninguno de «CapEff:», «unable to apply caps»"), "{err}");
    }
}
