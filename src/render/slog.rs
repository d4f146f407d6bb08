//! The log lines Helm prints on stderr while rendering, in the format of Go's `log/slog`
//! text handler as `helm` configures it (no time): `level=WARN msg="..." key=value`.
//!
//! Helm's `log.Printf` calls (values coalescing warnings) go through the same handler at
//! level `INFO`.

use crate::template::gofmt::quote;

/// Formats one slog text-handler line (without the trailing newline).
pub fn line(level: &str, msg: &str, attrs: &[(&str, &str)]) -> String {
    let mut out = format!("level={level} msg={}", value(msg));
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push('=');
        out.push_str(&value(v));
    }
    out
}

/// A `log.Printf` message as Helm's slog bridge prints it (`level=INFO`).
pub fn printf(msg: &str) -> String {
    line("INFO", msg, &[])
}

/// A `slog.Warn` line.
pub fn warn(msg: &str, attrs: &[(&str, &str)]) -> String {
    line("WARN", msg, attrs)
}

/// slog's `needsQuoting` then `strconv.Quote`.
fn value(s: &str) -> String {
    let needs = s.is_empty()
        || s.chars()
            .any(|c| c == ' ' || c == '=' || c == '"' || c.is_whitespace() || c.is_control());
    if needs { quote(s) } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(
            warn(
                "returned non-bool value",
                &[("path", "a.enabled"), ("chart", "c")]
            ),
            "level=WARN msg=\"returned non-bool value\" path=a.enabled chart=c"
        );
        assert_eq!(printf("x=1"), "level=INFO msg=\"x=1\"");
        assert_eq!(line("INFO", "", &[]), "level=INFO msg=\"\"");
    }
}
