//! A small pflag-like option parser: `--name value`, `--name=value`, `-n value`, `-nvalue`, `-it`.

use super::error::LocalError;
use super::words::Word;

/// One option a docker subcommand accepts.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    /// Long name without dashes.
    pub long: &'static str,
    /// Short letter, if any.
    pub short: Option<char>,
    /// Whether it takes a value.
    pub takes_value: bool,
}

impl Flag {
    /// A boolean option.
    pub const fn switch(long: &'static str, short: Option<char>) -> Self {
        Self { long, short, takes_value: false }
    }

    /// An option with a value.
    pub const fn value(long: &'static str, short: Option<char>) -> Self {
        Self { long, short, takes_value: true }
    }
}

/// Options and positional words found on a command line.
#[derive(Debug, Default)]
pub struct Parsed {
    /// (long name, value, offset of the option) in order of appearance.
    pub options: Vec<(&'static str, Option<String>, usize)>,
    /// Positional words (for `run`: the image and everything after it).
    pub positionals: Vec<Word>,
}

impl Parsed {
    /// Whether switch `long` was given.
    pub fn has(&self, long: &str) -> bool {
        self.options.iter().any(|(n, _, _)| *n == long)
    }

    /// Every value of option `long`.
    pub fn values(&self, long: &str) -> Vec<String> {
        self.values_at(long).into_iter().map(|(v, _)| v).collect()
    }

    /// Every value of option `long` with the option's offset.
    pub fn values_at(&self, long: &str) -> Vec<(String, usize)> {
        self.options.iter().filter(|(n, _, _)| *n == long).filter_map(|(_, v, o)| v.clone().map(|v| (v, *o))).collect()
    }

    /// The last value of option `long`.
    pub fn last(&self, long: &str) -> Option<String> {
        self.values(long).pop()
    }
}

/// Parses `words` against `specs`. With `stop_at_positional`, the first positional word and all that
/// follows are positionals (for `docker run IMAGE CMD…`).
pub fn parse(sub: &str, words: &[Word], specs: &[Flag], stop_at_positional: bool) -> Result<Parsed, LocalError> {
    let mut out = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w.text == "--" {
            out.positionals.extend(words[i + 1..].iter().cloned());
            break;
        }
        if let Some(body) = w.text.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec = specs.iter().find(|f| f.long == name).ok_or_else(|| unknown(sub, &format!("--{name}"), w.offset, specs))?;
            i += take(&mut out, spec, inline, words, i, &w.text)?;
        } else if w.text.len() > 1 && w.text.starts_with('-') {
            let letters: Vec<char> = w.text[1..].chars().collect();
            let mut consumed = 1;
            for (k, c) in letters.iter().enumerate() {
                let spec = specs.iter().find(|f| f.short == Some(*c)).ok_or_else(|| unknown(sub, &format!("-{c}"), w.offset, specs))?;
                if spec.takes_value {
                    let rest: String = letters[k + 1..].iter().collect();
                    let inline = (!rest.is_empty()).then_some(rest);
                    consumed = take(&mut out, spec, inline, words, i, &w.text)?;
                    break;
                }
                out.options.push((spec.long, None, w.offset));
            }
            i += consumed;
        } else {
            out.positionals.push(w.clone());
            i += 1;
            if stop_at_positional {
                out.positionals.extend(words[i..].iter().cloned());
                break;
            }
        }
    }
    Ok(out)
}

/// Records option `spec` found at `words[i]`; returns how many words it used.
fn take(out: &mut Parsed, spec: &Flag, inline: Option<String>, words: &[Word], i: usize, written: &str) -> Result<usize, LocalError> {
    let offset = words[i].offset;
    if !spec.takes_value {
        if inline.is_some() && written.starts_with("--") {
            let v = inline.unwrap_or_default();
            if v != "true" {
                return Err(LocalError::new(
                    offset,
                    format!("`--{}` no lleva valor", spec.long),
                    format!("escribe solo `--{}`", spec.long),
                ));
            }
        }
        out.options.push((spec.long, None, offset));
        return Ok(1);
    }
    if let Some(v) = inline {
        out.options.push((spec.long, Some(v), offset));
        return Ok(1);
    }
    match words.get(i + 1) {
        Some(next) => {
            out.options.push((spec.long, Some(next.text.clone()), offset));
            Ok(2)
        }
        None => Err(LocalError::new(offset, format!("`{written}` necesita un valor"), format!("escribe `--{} VALOR`", spec.long))),
    }
}

fn unknown(sub: &str, written: &str, offset: usize, specs: &[Flag]) -> LocalError {
    let known: Vec<String> = specs
        .iter()
        .map(|f| match f.short {
            Some(c) => format!("-{c}/--{}", f.long),
            None => format!("--{}", f.long),
        })
        .collect();
    let hint = if known.is_empty() {
        format!("`docker {sub}` no admite opciones en Estiba")
    } else {
        format!("opciones admitidas por `docker {sub}`: {}", known.join(", "))
    };
    LocalError::new(offset, format!("opción desconocida `{written}` en `docker {sub}`"), hint)
}
