//! Linux capabilities: hex masks from `/proc/<pid>/status` decoded to names.
//!
//! The table is written out here (41 entries, stable kernel ABI) rather than taken from a crate:
//! the `caps` crate only builds on Linux, and Estiba also runs on machines whose engine is remote or
//! in a VM (Docker Desktop on macOS).

/// Capability names by bit index (`capsh` spelling).
pub const NAMES: [&str; 41] = [
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

/// Names of the bits set in `mask`; bits without a name are `cap_<n>`.
pub fn decode(mask: u64) -> Vec<String> {
    (0..64).filter(|b| mask & (1u64 << b) != 0).map(|b| NAMES.get(b).map_or_else(|| format!("cap_{b}"), |n| (*n).to_string())).collect()
}

/// The capability sets of a process, as `/proc/<pid>/status` shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapSets {
    /// CapInh.
    pub inheritable: u64,
    /// CapPrm.
    pub permitted: u64,
    /// CapEff.
    pub effective: u64,
    /// CapBnd.
    pub bounding: u64,
    /// CapAmb.
    pub ambient: u64,
}

/// Reads the `Cap…:` lines of a status text (tabs or spaces, LF or CRLF); other lines are ignored.
pub fn parse_status(text: &str) -> CapSets {
    let mut sets = CapSets::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        let Ok(mask) = u64::from_str_radix(value.trim(), 16) else { continue };
        match key.trim() {
            "CapInh" => sets.inheritable = mask,
            "CapPrm" => sets.permitted = mask,
            "CapEff" => sets.effective = mask,
            "CapBnd" => sets.bounding = mask,
            "CapAmb" => sets.ambient = mask,
            _ => {}
        }
    }
    sets
}

/// A status line `CapEff:\t…` followed by its decoded names, for showing next to the hex value.
pub fn annotate_line(line: &str) -> Option<String> {
    let (key, value) = line.split_once(':')?;
    if !key.trim().starts_with("Cap") {
        return None;
    }
    let mask = u64::from_str_radix(value.trim(), 16).ok()?;
    let names = decode(mask);
    Some(if names.is_empty() {
        "(ninguna)".to_string()
    } else if names.len() >= 41 {
        format!("(todas: {})", names.len())
    } else {
        format!("({}: {})", names.len(), names.join(" "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_docker_root_set_has_14() {
        let names = decode(0x00000000a80425fb);
        assert_eq!(names.len(), 14);
        assert_eq!(
            names,
            [
                "cap_chown",
                "cap_dac_override",
                "cap_fowner",
                "cap_fsetid",
                "cap_kill",
                "cap_setgid",
                "cap_setuid",
                "cap_setpcap",
                "cap_net_bind_service",
                "cap_net_raw",
                "cap_sys_chroot",
                "cap_mknod",
                "cap_audit_write",
                "cap_setfcap"
            ]
        );
    }

    #[test]
    fn none_all_and_unknown_bits() {
        assert!(decode(0).is_empty());
        assert_eq!(decode(0x000001ffffffffff).len(), 41);
        assert_eq!(decode(0x000001ffffffffff).last().unwrap(), "cap_checkpoint_restore");
        assert_eq!(decode(1 << 41), ["cap_41"]);
        assert_eq!(decode(1 << 63), ["cap_63"]);
    }

    #[test]
    fn status_lines_with_tabs_spaces_and_crlf() {
        let s = parse_status(
            "Name:\tgrep\r\nCapInh:\t0000000000000000\r\nCapPrm:  00000000a80425fb\nCapEff:\t00000000a80425fb\r\nCapBnd:\t000001ffffffffff\nCapAmb: 0\n",
        );
        assert_eq!(s.effective, 0xa80425fb);
        assert_eq!(s.permitted, 0xa80425fb);
        assert_eq!(s.bounding, 0x1ffffffffff);
        assert_eq!(s.inheritable, 0);
        assert_eq!(annotate_line("CapEff:\t0000000000000000").unwrap(), "(ninguna)");
        assert!(annotate_line("CapEff:\t00000000a80425fb").unwrap().starts_with("(14: cap_chown"));
        assert_eq!(annotate_line("NoNewPrivs:\t1"), None);
    }
}
