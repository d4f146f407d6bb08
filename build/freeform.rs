//! Finds the values a chart treats as free-form: those its templates hand whole to `toYaml`,
//! `toJson` or Bitnami's `common.tplvalues.render`. Such a value is copied into a manifest as is,
//! so any key a user puts there is meaningful and must be kept, even keys values.yaml never shows.

use std::collections::BTreeSet;

/// Template functions that serialize a whole value into the manifest.
const WHOLE_VALUE_FUNCTIONS: &[&str] = &["toYaml", "toJson", "toPrettyJson", "tplvalues.render"];

/// The `.Values` paths used inside template actions that serialize whole values.
pub fn free_form_paths(template: &str) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let action = &after[..end];
        if WHOLE_VALUE_FUNCTIONS.iter().any(|f| action.contains(f)) {
            found.extend(values_paths(action));
        }
        rest = &after[end + 2..];
    }
    found
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
    fn unterminated_action_is_ignored() {
        assert!(free_form_paths("{{ toYaml .Values.x").is_empty());
    }
}
