//! Text the way the docker CLI prints it: human sizes, "x minutes ago", aligned tables.

use unicode_width::UnicodeWidthStr;

/// Size like the docker CLI (`units.HumanSizeWithPrecision(size, 3)`): decimal units, 3 significant
/// digits: `64.2MB`, `2.25MB`, `424MB`, `0B`.
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut size = bytes.max(0) as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{}{}", g3(size), UNITS[unit])
}

/// Go's `%.3g` for values in `[0, 1000)`.
fn g3(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else if v >= 1.0 {
        2
    } else {
        (2 - v.log10().floor() as i32).max(0) as usize
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "1000" { "1e+03".into() } else { s }
}

/// Duration like go-units `HumanDuration`: `Less than a second`, `5 seconds`, `About a minute`,
/// `17 minutes`, `About an hour`, `3 hours`, `2 days`, `3 weeks`, `4 months`, `2 years`.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds;
    if s < 1 {
        return "Less than a second".into();
    }
    if s == 1 {
        return "1 second".into();
    }
    if s < 60 {
        return format!("{s} seconds");
    }
    let minutes = s / 60;
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = ((s as f64) / 3600.0 + 0.5) as i64;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", s / 3600 / 24 / 365)
}

/// "17 minutes ago" for a unix timestamp `created`, seen at `now`.
pub fn ago(created: i64, now: i64) -> String {
    format!("{} ago", human_duration(now - created))
}

/// Aligns rows like Go's tabwriter as the docker CLI uses it (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`:
/// a cell is its widest text plus 3 spaces of padding, and at least 10 wide; the last column unpadded).
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat((widths[i] + 3).max(10) - cell.width()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The 12-character short id of `sha256:…`.
pub fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

/// Whether image id `id` (full or short, with or without `sha256:`) is the one `prefix` names.
pub fn same_id(id: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_start_matches("sha256:");
    !prefix.is_empty() && id.trim_start_matches("sha256:").starts_with(prefix)
}

/// Current unix time in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_docker_cli() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(64_200_000), "64.2MB");
        assert_eq!(human_size(2_254_000), "2.25MB");
        assert_eq!(human_size(424_000_000), "424MB");
        assert_eq!(human_size(5_590), "5.59kB");
        assert_eq!(human_size(1_000_000), "1MB");
        assert_eq!(human_size(77_800_000), "77.8MB");
    }

    #[test]
    fn durations_match_go_units() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(5), "5 seconds");
        assert_eq!(human_duration(61), "About a minute");
        assert_eq!(human_duration(17 * 60), "17 minutes");
        assert_eq!(human_duration(3600), "About an hour");
        assert_eq!(human_duration(5 * 3600), "5 hours");
        assert_eq!(human_duration(3 * 86400), "3 days");
        assert_eq!(human_duration(21 * 86400), "3 weeks");
    }

    #[test]
    fn table_pads_like_tabwriter() {
        let t = table(&[vec!["REPOSITORY".into(), "TAG".into()], vec!["hola".into(), "1.0.0".into()]]);
        assert_eq!(t, "REPOSITORY   TAG\nhola         1.0.0\n");
        // A narrow column is still 10 wide, as in `docker images` (`TAG       IMAGE ID`).
        let t = table(&[vec!["REPOSITORY".into(), "TAG".into(), "SIZE".into()], vec!["hola".into(), "1.0.0".into(), "78.1MB".into()]]);
        assert_eq!(t, "REPOSITORY   TAG       SIZE\nhola         1.0.0     78.1MB\n");
    }
}
