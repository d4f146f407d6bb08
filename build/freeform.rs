//! Finds the values a chart treats as free-form: those its templates hand whole to `toYaml`,
//! `toJson` or Bitnami's `common.tplvalues.render`. Such a value is copied into a manifest as is,
//! so any key a user puts there is meaningful and must be kept, even keys values.yaml never shows.

use std::collections::BTreeSet;

/// Template functions that serialize a whole value into the manifest.
const WHOLE_VALUE_FUNCTIONS: &[&str] = &["toYaml", "toJson", "toPrettyJson", "tplvalues.render"];

/// The `.Values` paths used inside template actions that serialize whole values, directly
/// (`toYaml .Values.a`) or through the dot of an enclosing `with .Values.a` block (`toYaml .`).
pub fn free_form_paths(template: &str) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    // Open blocks; `Some(path)` for a `with` over a values path, whose dot is that value.
    let mut blocks: Vec<Option<Vec<String>>> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let action = &after[..end];
        rest = &after[end + 2..];
        let words = action.trim_matches(|c: char| c == '-' || c.is_whitespace());
        if words.starts_with("/*") {
            continue;
        }
        let keyword = words.split_whitespace().next().unwrap_or("");
        match keyword {
            "end" => {
                blocks.pop();
                continue;
            }
            "with" => blocks.push(values_paths(action).into_iter().next()),
            // `if` keeps the dot; `range`, `define` and `block` rebind it.
            "if" => blocks.push(blocks.last().cloned().flatten()),
            "range" | "define" | "block" => blocks.push(None),
            _ => {}
        }
        if WHOLE_VALUE_FUNCTIONS.iter().any(|f| action.contains(f)) {
            found.extend(values_paths(action));
            if uses_bare_dot(action)
                && let Some(Some(path)) = blocks.last()
            {
                found.insert(path.clone());
            }
        }
    }
    found
}

/// Whether the action passes the dot itself (`toYaml .`, `toYaml . | indent 2`).
fn uses_bare_dot(action: &str) -> bool {
    action
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '|')
        .any(|word| word == ".")
}

/// Every `.Values.a.b` path in a piece of template text.
fn values_paths(action: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (idx, _) in action.match_indices(".Values.") {
        let tail = &action[idx + ".Values.".len()..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(tail.len());
        let path: Vec<String> = tail[..len]
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if !path.is_empty() {
            paths.push(path);
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    #[test]
    fn finds_values_passed_to_to_yaml_and_tplvalues() {
        let tpl = r#"
          {{- toYaml .Values.resources | nindent 12 }}
          {{ if .Values.enabled }}x{{ end }}
          {{- include "common.tplvalues.render" (dict "value" .Values.pod.labels "context" $) }}
          {{ .Values.image.tag | toJson }}
        "#;
        let found = free_form_paths(tpl);
        let expected: BTreeSet<_> = [path("resources"), path("pod.labels"), path("image.tag")]
            .into_iter()
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn dot_inside_with_block_is_the_with_value() {
        let tpl = r#"
          {{- with .Values.nodeSelector }}
          nodeSelector: {{- toYaml . | nindent 8 }}
          {{- end }}
          {{- with .Values.tolerations }}{{ if . }}{{ toYaml . }}{{ end }}{{ end }}
          {{- range .Values.hosts }}{{ toYaml . }}{{ end }}
        "#;
        let expected: BTreeSet<_> = [path("nodeSelector"), path("tolerations")]
            .into_iter()
            .collect();
        assert_eq!(free_form_paths(tpl), expected);
    }

    #[test]
    fn unterminated_action_is_ignored() {
        assert!(free_form_paths("{{ toYaml .Values.x").is_empty());
    }
}
