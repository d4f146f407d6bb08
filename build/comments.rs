//! Descriptions for values.yaml keys, taken from the comments a chart author wrote next to them.
//!
//! YAML parsers drop comments, so this module scans lines. A comment block (consecutive `#` lines)
//! documents the key on the line right after it when the block sits at that key's indentation
//! (the common `# what this does` style). A block that instead follows a key whose value is on the
//! same line and ends at a blank line documents that key (the `key: {}` then `# Example:` style).
//! Keys inside lists are not tracked: list items have no path of their own.

use std::collections::BTreeMap;

/// A key path from the values root, e.g. `["image", "tag"]`.
pub type KeyPath = Vec<String>;

/// One key line seen by the scanner.
struct KeyLine {
    path: Option<KeyPath>,
    indent: usize,
    inline_value: bool,
}

/// Scanner state while walking the lines of one values.yaml.
#[derive(Default)]
struct Scanner {
    /// Enclosing keys by indentation; `None` marks a list item (its keys have no path).
    stack: Vec<(usize, Option<String>)>,
    /// The comment block being collected: (column of `#`, text after `#`).
    pending: Vec<(usize, String)>,
    /// Whether the pending block started on the line right after the last key line.
    pending_follows_key: bool,
    last_key: Option<KeyLine>,
    /// True while the previous non-comment line was the last key line.
    just_after_key: bool,
    /// Lines indented deeper than this belong to a block scalar (`|`, `>`).
    block_scalar_indent: Option<usize>,
    found: BTreeMap<KeyPath, String>,
    /// Descriptions from readme-generator `@param path text` lines, which win over blocks.
    params: BTreeMap<KeyPath, String>,
}

/// Returns the description of every documented key in a values.yaml text, by key path.
pub fn descriptions(text: &str) -> BTreeMap<KeyPath, String> {
    let mut scanner = Scanner::default();
    for line in text.lines() {
        scanner.line(line);
    }
    scanner.blank();
    let mut found = scanner.found;
    found.extend(scanner.params);
    found
}

impl Scanner {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(limit) = self.block_scalar_indent {
            if trimmed.is_empty() || indent > limit {
                return;
            }
            self.block_scalar_indent = None;
        }
        if trimmed.is_empty() {
            self.blank();
        } else if let Some(comment) = trimmed.strip_prefix('#') {
            if let Some((path, text)) = param(comment) {
                self.params.insert(path, text);
            }
            if self.pending.is_empty() {
                self.pending_follows_key = self.just_after_key;
            }
            self.pending.push((indent, comment.to_string()));
        } else if trimmed == "---" || trimmed.starts_with("--- ") {
            self.stack.clear();
            self.blank();
        } else {
            self.content(indent, trimmed);
        }
    }

    /// A blank line ends a comment block: it can only still document the key before it.
    fn blank(&mut self) {
        if !self.pending.is_empty()
            && self.pending_follows_key
            && let Some(KeyLine {
                path: Some(path),
                inline_value: true,
                ..
            }) = &self.last_key
        {
            let text = clean(&self.pending);
            if !text.is_empty() && !self.found.contains_key(path) {
                self.found.insert(path.clone(), text);
            }
        }
        self.pending.clear();
        self.just_after_key = false;
    }

    fn content(&mut self, indent: usize, trimmed: &str) {
        let (indent, rest) = match list_item(trimmed) {
            Some(rest) => {
                self.pop_to(indent);
                self.stack.push((indent, None));
                (indent + (trimmed.len() - rest.len()), rest)
            }
            None => (indent, trimmed),
        };
        let Some((key, value)) = split_key(rest) else {
            self.pending.clear();
            self.just_after_key = false;
            return;
        };
        self.pop_to(indent);
        let mut path: Option<KeyPath> = Some(Vec::new());
        for (_, k) in &self.stack {
            match (k, path.as_mut()) {
                (Some(k), Some(p)) => p.push(k.clone()),
                _ => path = None,
            }
        }
        if let Some(p) = path.as_mut() {
            p.push(key.clone());
        }
        self.leading_comment(indent, path.as_ref());
        self.stack.push((indent, Some(key)));
        let value = value.trim();
        let value_no_comment = if value.starts_with('#') { "" } else { value };
        if value_no_comment.starts_with('|') || value_no_comment.starts_with('>') {
            self.block_scalar_indent = Some(indent);
        }
        self.last_key = Some(KeyLine {
            path,
            indent,
            inline_value: !value_no_comment.is_empty(),
        });
        self.just_after_key = true;
    }

    /// A pending block at the key's own indentation documents that key; otherwise it may be a
    /// trailing block of the previous key.
    fn leading_comment(&mut self, indent: usize, path: Option<&KeyPath>) {
        if self.pending.is_empty() {
            return;
        }
        let at_key_indent = self.pending.iter().all(|(col, _)| *col == indent);
        if at_key_indent {
            if let Some(path) = path {
                let text = clean(&self.pending);
                if !text.is_empty() {
                    self.found.insert(path.clone(), text);
                }
            }
            self.pending.clear();
        } else {
            let last_indent = self.last_key.as_ref().map(|k| k.indent);
            if last_indent.is_some_and(|i| self.pending.iter().all(|(col, _)| *col == i)) {
                self.blank();
            }
            self.pending.clear();
        }
    }

    fn pop_to(&mut self, indent: usize) {
        while self.stack.last().is_some_and(|(i, _)| *i >= indent) {
            self.stack.pop();
        }
    }
}

/// The text after `- ` when the line is a list item.
fn list_item(trimmed: &str) -> Option<&str> {
    if trimmed == "-" {
        return Some("");
    }
    trimmed.strip_prefix("- ").map(str::trim_start)
}

/// Splits `key: value` (key possibly quoted) into the unquoted key and the rest of the line.
fn split_key(text: &str) -> Option<(String, &str)> {
    let (key, rest) = match text.chars().next()? {
        quote @ ('"' | '\'') => {
            let end = text[1..].find(quote)? + 1;
            (text[1..end].to_string(), text[end + 1..].trim_start())
        }
        '{' | '[' | '&' | '*' | '!' | '|' | '>' => return None,
        _ => {
            let end = colon_position(text)?;
            (text[..end].trim_end().to_string(), &text[end..])
        }
    };
    let value = rest.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with(' ') || value.starts_with('\t')) {
        return None;
    }
    Some((key, value))
}

/// Position of the first `:` that ends a plain key (followed by a space or the line end).
fn colon_position(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| {
        bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ' || bytes[i + 1] == b'\t')
    })
}

/// A readme-generator line `## @param a.b [modifiers] text`: the path and the text.
fn param(comment: &str) -> Option<(KeyPath, String)> {
    let rest = comment.trim_start_matches('#').trim_start();
    let rest = rest
        .strip_prefix("@param ")
        .or_else(|| rest.strip_prefix("@extra "))?;
    let (path, text) = rest
        .trim_start()
        .split_once(' ')
        .unwrap_or((rest.trim(), ""));
    if path.contains(['[', '*']) {
        return None;
    }
    let mut text = text.trim();
    if text.starts_with('[') {
        text = text.split_once(']').map_or(text, |(_, t)| t.trim_start());
    }
    let path = path.split('.').map(str::to_string).collect();
    Some((path, text.to_string()))
}

/// Turns raw comment lines into description text: banner lines (`####`) and readme-generator
/// markers (`@section`, `@skip`, `@param`, which is recorded separately) go, and relative
/// indentation inside examples is kept.
fn clean(lines: &[(usize, String)]) -> String {
    let mut out: Vec<String> = Vec::new();
    for (_, raw) in lines {
        let text = raw.trim_start_matches('#');
        let text = text.strip_prefix(' ').unwrap_or(text).trim_end();
        if raw.trim().chars().all(|c| c == '#') && raw.len() > 2 {
            continue;
        }
        if text.trim_start().starts_with('@') {
            continue;
        }
        out.push(text.to_string());
    }
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(found: &'a BTreeMap<KeyPath, String>, path: &str) -> Option<&'a str> {
        let key: KeyPath = path.split('.').map(str::to_string).collect();
        found.get(&key).map(String::as_str)
    }

    #[test]
    fn comment_above_key_at_its_indentation() {
        let found = descriptions(
            "# Number of pods\nreplicaCount: 1\nimage:\n  # the image tag\n  tag: v1\n",
        );
        assert_eq!(get(&found, "replicaCount"), Some("Number of pods"));
        assert_eq!(get(&found, "image.tag"), Some("the image tag"));
        assert_eq!(get(&found, "image"), None);
    }

    #[test]
    fn banner_lines_are_dropped_and_blank_line_detaches() {
        let text = "#####\n## Common image variables\n#####\nimage:\n  repository: x\n\n# orphan\n\nother: 1\n";
        let found = descriptions(text);
        assert_eq!(get(&found, "image"), Some("Common image variables"));
        assert_eq!(get(&found, "other"), None);
    }

    #[test]
    fn trailing_example_documents_previous_inline_key() {
        let text =
            "image:\n  probe: {}\n  # Example:\n  # probe:\n  #   path: /x\n\n  next: \"\"\n";
        let found = descriptions(text);
        assert_eq!(
            get(&found, "image.probe"),
            Some("Example:\nprobe:\n  path: /x")
        );
        assert_eq!(get(&found, "image.next"), None);
    }

    #[test]
    fn keys_inside_lists_and_block_scalars_are_not_keys() {
        let text = "hosts:\n  - host: a\n    # inside list\n    path: /\nscript: |\n  # not a comment\n  key: value\n# after\nlast: true\n";
        let found = descriptions(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(get(&found, "last"), Some("after"));
    }

    #[test]
    fn readme_generator_params_document_their_own_paths() {
        let text = "## @section Parameters\n## NGINX image\n## @param image.tag [default: x] The tag\n## @param image.pullSecrets Secrets\nimage:\n  tag: x\n  pullSecrets: []\n";
        let found = descriptions(text);
        assert_eq!(get(&found, "image"), Some("NGINX image"));
        assert_eq!(get(&found, "image.tag"), Some("The tag"));
        assert_eq!(get(&found, "image.pullSecrets"), Some("Secrets"));
    }

    #[test]
    fn quoted_keys_and_values_with_colons() {
        let text = "\"my.key\": 1\n# url\nurl: http://x:80\n";
        let found = descriptions(text);
        assert_eq!(get(&found, "url"), Some("url"));
    }
}
