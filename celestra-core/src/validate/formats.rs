//! Pure format checkers. Each returns `Err(reason)` with a short, user-facing reason.

use crate::model::load::decimal;
use std::net::IpAddr;

type Check = Result<(), String>;

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most `max` characters.
pub(crate) fn dns1123_label(s: &str, max: usize) -> Check {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > max {
        return Err(format!(
            "is {} characters long; the limit is {max}",
            s.len()
        ));
    }
    if let Some(c) = s.chars().find(|c| !(is_lower_alnum(*c) || *c == '-')) {
        return Err(if c.is_ascii_uppercase() {
            "contains uppercase letters; use lowercase".into()
        } else {
            format!("contains {c:?}; only lowercase letters, digits and '-' are allowed")
        });
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// DNS-1035 label: a DNS-1123 label that starts with a letter.
pub(crate) fn dns1035_label(s: &str, max: usize) -> Check {
    dns1123_label(s, max)?;
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a letter".into());
    }
    Ok(())
}

/// DNS-1123 subdomain: dot-separated labels, at most 253 characters.
pub(crate) fn dns1123_subdomain(s: &str) -> Check {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > 253 {
        return Err(format!("is {} characters long; the limit is 253", s.len()));
    }
    for label in s.split('.') {
        if label.is_empty() {
            return Err("has an empty part between dots".into());
        }
        dns1123_label(label, 63)?;
    }
    Ok(())
}

/// Kubernetes-style name suggestion: lowercase, other characters → '-', trimmed.
pub(crate) fn suggest_name(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if is_lower_alnum(c.to_ascii_lowercase()) {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let mut out: String = out.trim_matches('-').chars().take(max).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A parsed container image reference.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    pub(crate) tag: Option<&'a str>,
    pub(crate) digest: Option<&'a str>,
}

/// Parses `[registry[:port]/]path[:tag][@algo:hex]`.
pub(crate) fn image_ref(s: &str) -> Result<ImageRef<'_>, String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if s.len() > 4096 {
        return Err("is longer than 4096 characters".into());
    }
    if s.chars().any(char::is_whitespace) {
        return Err("contains whitespace".into());
    }
    if s.contains("://") {
        return Err("contains a URL scheme; image references have none".into());
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => {
            let (algo, hex) = d
                .split_once(':')
                .ok_or_else(|| format!("digest {d:?} must be <algorithm>:<hex>"))?;
            if algo == "sha256" {
                if hex.len() != 64
                    || !hex
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                {
                    return Err("sha256 digest must be 64 lowercase hex characters".into());
                }
            } else if algo.is_empty()
                || hex.len() < 32
                || !hex.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err(format!("digest {d:?} is not valid"));
            }
            (r, Some(d))
        }
        None => (s, None),
    };
    // Split off the tag: a ':' after the last '/'.
    let last_slash = rest.rfind('/');
    let (name, tag) = match rest.rfind(':') {
        Some(i) if last_slash.is_none_or(|j| i > j) => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return Err(format!(
                "tag {t:?} is invalid (letters, digits, '_', '.', '-'; at most 128)"
            ));
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            check_registry(first)?;
            parts.remove(0);
        }
    }
    if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err("has an empty path component".into());
    }
    for p in parts {
        check_path_component(p)?;
    }
    Ok(ImageRef { tag, digest })
}

fn check_registry(r: &str) -> Check {
    let (host, port) = match r.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (r, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 5 {
            return Err(format!("registry port {p:?} is not a number"));
        }
    }
    let ok = !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if ok {
        Ok(())
    } else {
        Err(format!("registry {host:?} is not a valid host name"))
    }
}

fn check_path_component(p: &str) -> Check {
    if p.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!("repository {p:?} must be lowercase"));
    }
    let bytes = p.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return Err(format!(
            "repository {p:?} must start and end with a lowercase letter or digit"
        ));
    }
    // separators: '.', '_', '__', one or more '-'
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &p[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return Err(format!("repository {p:?} has an invalid separator {sep:?}"));
        }
    }
    Ok(())
}

/// Kind of suffix of a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suffix {
    None,
    Binary,
    Decimal,
    Milli,
    Exponent,
}

/// Parses a Kubernetes quantity; returns its value in base units and the suffix kind.
pub(crate) fn quantity(s: &str) -> Result<(f64, Suffix), String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("is empty".into());
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    if num.starts_with('-') || suffix.starts_with('-') {
        return Err("must not be negative".into());
    }
    let digits = num.trim_start_matches('+');
    let valid_num = !digits.is_empty()
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && digits.bytes().any(|b| b.is_ascii_digit())
        && !digits.contains('+');
    if !valid_num {
        return Err(format!("{s:?} does not start with a number"));
    }
    let n = decimal(digits).ok_or_else(|| format!("{s:?} is not a number"))?;
    let (mult, kind) = match suffix {
        "" => (1.0, Suffix::None),
        "Ki" => (1024f64, Suffix::Binary),
        "Mi" => (1024f64.powi(2), Suffix::Binary),
        "Gi" => (1024f64.powi(3), Suffix::Binary),
        "Ti" => (1024f64.powi(4), Suffix::Binary),
        "Pi" => (1024f64.powi(5), Suffix::Binary),
        "Ei" => (1024f64.powi(6), Suffix::Binary),
        "m" => (1e-3, Suffix::Milli),
        "k" => (1e3, Suffix::Decimal),
        "M" => (1e6, Suffix::Decimal),
        "G" => (1e9, Suffix::Decimal),
        "T" => (1e12, Suffix::Decimal),
        "P" => (1e15, Suffix::Decimal),
        "E" => (1e18, Suffix::Decimal),
        x if (x.starts_with('e') || x.starts_with('E'))
            && x.len() > 1
            && x[1..]
                .trim_start_matches(['+', '-'])
                .bytes()
                .all(|b| b.is_ascii_digit())
            && x[1..].trim_start_matches(['+', '-']).len() <= 3 =>
        {
            let e: i32 = x[1..]
                .parse()
                .map_err(|_| format!("bad exponent in {s:?}"))?;
            (10f64.powi(e), Suffix::Exponent)
        }
        other => {
            let hint = match other {
                "KB" | "kB" | "K" => " (use Ki or k)",
                "MB" => " (use Mi or M)",
                "GB" => " (use Gi or G)",
                "TB" => " (use Ti or T)",
                "Kib" | "Mib" | "Gib" => " (binary suffixes end in a capital-free 'i': Ki, Mi, Gi)",
                _ => "",
            };
            return Err(format!("unit {other:?} is not a Kubernetes unit{hint}"));
        }
    };
    Ok((n * mult, kind))
}

/// CPU: `100m`, `1.5`, `2` (cores). Returns cores.
pub(crate) fn cpu(s: &str) -> Result<f64, String> {
    let s = s.trim();
    if let Some(m) = s.strip_suffix('m') {
        if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) {
            return decimal(m)
                .map(|v| v / 1000.0)
                .ok_or_else(|| format!("{m:?} is not a number"));
        }
        return Err(format!("{s:?} is not millicores (e.g. 250m)"));
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit());
    if ok {
        decimal(s).ok_or_else(|| format!("{s:?} is not a number"))
    } else {
        Err(format!(
            "{s:?} is neither millicores (e.g. 250m) nor cores (e.g. 1.5)"
        ))
    }
}

/// Duration `^\d+(s|m|h|d)$` → seconds.
pub(crate) fn duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let unit = s.chars().last().ok_or("is empty")?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        _ => {
            return Err(format!(
                "{s:?} must be an integer followed by s, m, h or d (e.g. 30s, 10m)"
            ));
        }
    };
    let n = &s[..s.len() - 1];
    if n.is_empty() || n.len() > 9 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{s:?} must be an integer followed by s, m, h or d (e.g. 30s, 10m)"
        ));
    }
    Ok(n.parse::<u64>().unwrap_or(0) * mult)
}

/// RFC 3339 date-time, e.g. `2025-01-01T00:00:00Z`.
pub(crate) fn rfc3339(s: &str) -> Check {
    let err = || {
        Err(format!(
            "{s:?} is not an RFC 3339 date-time (e.g. 2025-01-01T00:00:00Z)"
        ))
    };
    let b = s.as_bytes();
    if b.len() < 20 {
        return err();
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return err();
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return err();
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || sec > 60
    {
        return err();
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return err();
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => Ok(()),
        off if off.len() == 6
            && matches!(off.as_bytes()[0], b'+' | b'-')
            && off.as_bytes()[3] == b':'
            && num(s.len() - 5..s.len() - 3).is_some_and(|h| h <= 23)
            && num(s.len() - 2..s.len()).is_some_and(|m| m <= 59) =>
        {
            Ok(())
        }
        _ => err(),
    }
}

/// Ingress host: DNS subdomain with optional leading `*.`; no scheme, port, path or IP.
pub(crate) fn host(s: &str) -> Check {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if let Some((scheme, _)) = s.split_once("://") {
        return Err(format!(
            "contains the scheme \"{scheme}://\"; write only the host name"
        ));
    }
    if s.contains('/') {
        return Err("contains a path; put paths in `path`".into());
    }
    if s.contains(':') {
        return Err("contains a port; hosts have none".into());
    }
    if s.parse::<IpAddr>().is_ok() {
        return Err("is an IP address; Ingress hosts must be DNS names".into());
    }
    let name = s.strip_prefix("*.").unwrap_or(s);
    if name.contains('*') {
        return Err("a wildcard is only allowed as the whole first label (`*.example.com`)".into());
    }
    dns1123_subdomain(name)
}

/// Environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn env_name(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Sanitized env name: uppercase, other characters → `_`, leading digit → `_` prefix.
pub fn sanitize_env(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            let u = c.to_ascii_uppercase();
            if u.is_ascii_uppercase() || u.is_ascii_digit() || u == '_' {
                u
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// An environment variable name as written: kept when portable, else sanitized (`ENV_NAME`).
pub(crate) fn sanitize_env_keep_case(s: &str) -> String {
    if env_name(s) {
        s.to_owned()
    } else {
        sanitize_env(s)
    }
}

fn label_name(s: &str) -> Check {
    if s.is_empty() {
        return Err("name part is empty".into());
    }
    if s.len() > 63 {
        return Err(format!(
            "name part is {} characters long; the limit is 63",
            s.len()
        ));
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if !s.starts_with(alnum) || !s.ends_with(alnum) {
        return Err("must start and end with a letter or digit".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "contains {c:?}; allowed are letters, digits, '-', '_', '.'"
        ));
    }
    Ok(())
}

/// Label or annotation key: `[prefix/]name`.
pub(crate) fn label_key(s: &str) -> Check {
    match s.split_once('/') {
        Some((prefix, name)) => {
            dns1123_subdomain(prefix).map_err(|e| format!("prefix {prefix:?} {e}"))?;
            label_name(name)
        }
        None => label_name(s),
    }
}

/// Label value: empty, or a label name.
pub(crate) fn label_value(s: &str) -> Check {
    if s.is_empty() { Ok(()) } else { label_name(s) }
}

/// CIDR → (address, prefix length).
pub(crate) fn cidr(s: &str) -> Result<(IpAddr, u8), String> {
    let (addr, len) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?} has no prefix length (e.g. 10.0.0.0/8)"))?;
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("{addr:?} is not an IP address"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let n: u8 = len
        .parse()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| format!("prefix length {len:?} must be 0–{max}"))?;
    Ok((ip, n))
}

fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// True when `inner` lies inside `outer` (same family, longer prefix, same leading bits).
pub(crate) fn cidr_contains(outer: (IpAddr, u8), inner: (IpAddr, u8)) -> bool {
    if outer.0.is_ipv4() != inner.0.is_ipv4() || inner.1 < outer.1 {
        return false;
    }
    let width = if outer.0.is_ipv4() { 32 } else { 128 };
    let shift = width - u32::from(outer.1);
    if shift >= 128 {
        return true;
    }
    (ip_bits(outer.0) >> shift) == (ip_bits(inner.0) >> shift)
}

/// IANA port name: ≤15 chars of `[a-z0-9-]`, at least one letter, no leading/trailing or double '-'.
pub(crate) fn port_name(s: &str) -> Check {
    if s.is_empty() || s.len() > 15 {
        return Err("must be 1–15 characters".into());
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("only lowercase letters, digits and '-' are allowed".into());
    }
    if !s.chars().any(|c| c.is_ascii_lowercase()) {
        return Err("must contain at least one letter".into());
    }
    if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
        return Err("must not start or end with '-' or contain '--'".into());
    }
    Ok(())
}

/// Octal file mode `0644`.
pub(crate) fn octal_mode(s: &str) -> Result<u32, String> {
    let t = s.strip_prefix("0o").unwrap_or(s);
    match u32::from_str_radix(t, 8) {
        Ok(v) if v <= 0o777 && !t.is_empty() => Ok(v),
        _ => Err(format!("{s:?} is not an octal file mode (e.g. 0644)")),
    }
}

// ------------------------------------------------------------------ cron

struct CronField {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    question: bool,
}

const CRON_FIELDS: [CronField; 5] = [
    CronField {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
        question: false,
    },
    CronField {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
        question: false,
    },
    CronField {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
        question: true,
    },
    CronField {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
        question: false,
    },
    CronField {
        name: "day-of-week",
        min: 0,
        max: 7,
        names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        question: true,
    },
];

/// A standard five-field cron expression or macro, as Kubernetes CronJobs accept.
pub(crate) fn cron(s: &str) -> Check {
    let t = s.trim();
    if t.is_empty() {
        return Err("is empty".into());
    }
    let upper = t.to_ascii_uppercase();
    if upper.starts_with("TZ=") || upper.starts_with("CRON_TZ=") {
        return Err("starts with a time-zone prefix; set `timeZone` instead".into());
    }
    if let Some(m) = t.strip_prefix('@') {
        return match m {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            _ => Err(format!(
                "unknown macro \"@{m}\" (use @yearly, @annually, @monthly, @weekly, @daily or @hourly)"
            )),
        };
    }
    let fields: Vec<&str> = t.split_whitespace().collect();
    if fields.len() != 5 {
        // Still check the fields that are there, read from the minute on, so every problem is
        // named at once ("4 fields; also minute step 61 ...").
        let also: Vec<String> = fields
            .iter()
            .zip(CRON_FIELDS.iter())
            .filter_map(|(f, spec)| cron_field(f, spec).err())
            .collect();
        let mut msg = format!(
            "has {} field{}; expected 5 (minute hour day-of-month month day-of-week)",
            fields.len(),
            if fields.len() == 1 { "" } else { "s" }
        );
        if !also.is_empty() {
            msg.push_str("; also ");
            msg.push_str(&also.join("; "));
        }
        return Err(msg);
    }
    for (f, spec) in fields.iter().zip(CRON_FIELDS.iter()) {
        cron_field(f, spec)?;
    }
    Ok(())
}

fn cron_value(v: &str, spec: &CronField) -> Result<u32, String> {
    if let Ok(n) = v.parse::<u32>() {
        if n < spec.min || n > spec.max {
            return Err(format!(
                "{} value {n} is out of range {}–{}",
                spec.name, spec.min, spec.max
            ));
        }
        return Ok(n);
    }
    let up = v.to_ascii_uppercase();
    if let Some(i) = spec.names.iter().position(|n| *n == up) {
        return Ok(i as u32 + if spec.name == "month" { 1 } else { 0 });
    }
    Err(format!("{} value {v:?} is not a number", spec.name))
}

fn cron_field(f: &str, spec: &CronField) -> Check {
    for item in f.split(',') {
        if item.is_empty() {
            return Err(format!("{} field {f:?} has an empty list item", spec.name));
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(step) = step {
            let n: u32 = step
                .parse()
                .map_err(|_| format!("{} step {step:?} is not a number", spec.name))?;
            if n == 0 || n > spec.max {
                return Err(format!(
                    "{} step {n} is out of range 1–{}",
                    spec.name, spec.max
                ));
            }
        }
        match range {
            "*" => {}
            "?" if spec.question => {}
            "?" => return Err(format!("'?' is not allowed in the {} field", spec.name)),
            r => match r.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (cron_value(a, spec)?, cron_value(b, spec)?);
                    if a > b {
                        return Err(format!("{} range {r:?} runs backwards", spec.name));
                    }
                }
                None => {
                    cron_value(r, spec)?;
                }
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(dns1123_label("hello-world", 63).is_ok());
        assert!(dns1123_label("Bad_Workflow", 63).is_err());
        assert!(dns1123_label("-a", 63).is_err());
        assert!(dns1123_label(&"a".repeat(64), 63).is_err());
        assert!(dns1035_label("1abc", 63).is_err());
        assert!(dns1123_subdomain("a.b-c.d").is_ok());
        assert!(dns1123_subdomain("a..b").is_err());
        assert_eq!(suggest_name("Bad_Workflow", 63), "bad-workflow");
    }

    #[test]
    fn images() {
        assert!(image_ref("nginx:1.27").unwrap().tag == Some("1.27"));
        assert!(image_ref("acme/front").unwrap().tag.is_none());
        assert!(image_ref("ghcr.io/acme/shop-api:1.4.2").is_ok());
        assert!(image_ref("localhost:5000/a/b:v1").is_ok());
        assert!(image_ref("registry:5000/a").unwrap().tag.is_none());
        let d = format!("busybox@sha256:{}", "a".repeat(64));
        assert!(image_ref(&d).unwrap().digest.is_some());
        assert!(image_ref("Acme/Front:1.0").is_err());
        assert!(image_ref("acme/front:").is_err());
        assert!(image_ref("acme//front").is_err());
        assert!(image_ref("https://x/y").is_err());
        assert!(image_ref("a b").is_err());
        assert!(image_ref("busybox@sha256:abc").is_err());
        assert!(image_ref("my_repo__x/a.b-c:v").is_ok());
        assert!(image_ref("a___b").is_err());
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity("512Mi").unwrap().1, Suffix::Binary);
        assert_eq!(quantity("1G").unwrap().1, Suffix::Decimal);
        assert_eq!(quantity("1024").unwrap().0, 1024.0);
        assert!(quantity("2GB").is_err());
        assert!(quantity("2.5GB").is_err());
        assert!(quantity("-1Gi").is_err());
        assert!(quantity("1K").is_err());
        assert!(quantity("Gi").is_err());
        assert!(quantity("1e3").is_ok());
        assert!(cpu("250m").unwrap() == 0.25);
        assert!(cpu("1.5").unwrap() == 1.5);
        assert!(cpu("2 cores").is_err());
        assert!(cpu("1.5m").is_err());
    }

    #[test]
    fn crons() {
        for ok in [
            "*/5 * * * *",
            "0 2 * * *",
            "0 0 1 JAN-MAR ?",
            "0 12 * * MON-FRI",
            "@daily",
            "1,2,3 * * * 7",
        ] {
            assert!(cron(ok).is_ok(), "{ok}");
        }
        for bad in [
            "*/61 * * *",
            "*/61 * * * *",
            "60 * * * *",
            "* * * 13 *",
            "TZ=UTC 0 * * * *",
            "@often",
            "5-1 * * * *",
            "? * * * *",
        ] {
            assert!(cron(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn misc() {
        assert_eq!(duration("10m"), Ok(600));
        assert!(duration("10 minutes").is_err());
        assert!(rfc3339("2025-01-01T00:00:00Z").is_ok());
        assert!(rfc3339("2025-02-30T00:00:00Z").is_err());
        assert!(rfc3339("2025-01-01T00:00:00.123+02:00").is_ok());
        assert!(rfc3339("yesterday").is_err());
        assert!(host("https://shop.example.com").is_err());
        assert!(host("*.example.com").is_ok());
        assert!(host("10.0.0.1").is_err());
        assert!(host("shop.example.com:443").is_err());
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_value("platform engineering").is_err());
        assert_eq!(sanitize_env("db-user"), "DB_USER");
        assert_eq!(sanitize_env("1x"), "_1X");
        let outer = cidr("10.0.0.0/8").unwrap();
        assert!(cidr_contains(outer, cidr("10.1.0.0/16").unwrap()));
        assert!(!cidr_contains(outer, cidr("11.0.0.0/16").unwrap()));
        assert!(cidr("10.0.0.0/33").is_err());
        assert!(port_name("http").is_ok());
        assert!(port_name("HTTP_Port").is_err());
        assert!(port_name("8080").is_err());
        assert_eq!(octal_mode("0644"), Ok(0o644));
        assert!(octal_mode("0999").is_err());
    }
}
