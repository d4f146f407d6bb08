//! Platform API models (VVP 2.x `namespaces/v1` and `apitokens/v1`): namespaces, their role
//! bindings, and namespace-scoped API tokens.
//!
//! Platform API responses wrap the resource in a one-field object (`{"namespace": ...}`,
//! `{"apiToken": ...}`); requests send the bare resource.

use serde::{Deserialize, Serialize};

use super::common::Extra;

/// Prefix of a fully qualified namespace name: `namespaces/<name>`.
pub const NAMESPACE_NAME_PREFIX: &str = "namespaces/";

/// A VVP namespace: the unit of isolation and access control for all Application Manager
/// resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Namespace {
    /// Fully qualified name, `namespaces/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who may do what in the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_bindings: Option<Vec<RoleBinding>>,
    /// When VVP created the namespace (RFC 3339); set by VVP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// Whether the namespace is usable or being deleted; set by VVP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_phase: Option<LifecyclePhase>,
    /// Fields of newer VVP versions.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Namespace {
    /// The short namespace name (`top-speed` for `namespaces/top-speed`), if the name is
    /// fully qualified.
    pub fn short_name(&self) -> Option<&str> {
        self.name.as_deref()?.strip_prefix(NAMESPACE_NAME_PREFIX)
    }
}

/// Grants a role in a namespace to a list of members (users, groups, or
/// `system:authenticated`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleBinding {
    /// Members receiving the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    /// The role: `viewer`, `editor`, `owner` (or `admin` platform-wide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Lifecycle of a namespace: ACTIVE while usable, TERMINATING after a DELETE until VVP has
/// removed everything inside it (the namespace then disappears).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LifecyclePhase {
    /// Unset or invalid phase.
    #[serde(rename = "LIFECYCLE_PHASE_INVALID")]
    Invalid,
    /// The namespace is usable.
    #[serde(rename = "LIFECYCLE_PHASE_ACTIVE")]
    Active,
    /// The namespace is being deleted; no new resources may be created in it.
    #[serde(rename = "LIFECYCLE_PHASE_TERMINATING")]
    Terminating,
    /// A phase this API version does not know (also VVP's own `UNRECOGNIZED`).
    #[serde(rename = "UNRECOGNIZED", other)]
    Unrecognized,
}

/// A namespace-scoped API token. Its `secret` is the bearer token for the Application
/// Manager API and is returned only once, in the create response. `Debug` redacts it.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    /// Fully qualified name, `namespaces/<ns>/apitokens/<name>`; required on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `viewer`, `editor` or `owner`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The bearer token; only present in the create response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// When VVP created the token (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// Fields of newer VVP versions.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiToken")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("create_time", &self.create_time)
            .field("extra", &self.extra)
            .finish()
    }
}

/// Response of namespace get, create, update and delete: `{"namespace": ...}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceResponse {
    /// The namespace as VVP now holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Namespace>,
}

/// Response of the namespace list: `{"namespaces": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListNamespacesResponse {
    /// All namespaces visible to the caller.
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
}

/// Response of API token get and create: `{"apiToken": ...}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenResponse {
    /// The token; carries `secret` only when just created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_token: Option<ApiToken>,
}

/// Response of the API token list: `{"apiTokens": [...]}` (without secrets).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListApiTokensResponse {
    /// The namespace's tokens.
    #[serde(default)]
    pub api_tokens: Vec<ApiToken>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_round_trips_with_swagger_names() {
        let json = serde_json::json!({
            "name": "namespaces/top-speed",
            "roleBindings": [{"role": "owner", "members": ["system:authenticated"]}],
            "createTime": "2024-01-01T00:00:00Z",
            "lifecyclePhase": "LIFECYCLE_PHASE_ACTIVE",
            "newField": 1
        });
        let ns: Namespace = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(ns.short_name(), Some("top-speed"));
        assert_eq!(ns.lifecycle_phase, Some(LifecyclePhase::Active));
        assert_eq!(serde_json::to_value(&ns).unwrap(), json);
    }

    #[test]
    fn unknown_lifecycle_phase_is_unrecognized() {
        let ns: Namespace =
            serde_json::from_str(r#"{"lifecyclePhase":"LIFECYCLE_PHASE_ARCHIVED"}"#).unwrap();
        assert_eq!(ns.lifecycle_phase, Some(LifecyclePhase::Unrecognized));
    }

    #[test]
    fn short_name_requires_prefix() {
        let ns = Namespace {
            name: Some("top-speed".into()),
            ..Namespace::default()
        };
        assert_eq!(ns.short_name(), None);
    }

    #[test]
    fn token_response_uses_api_token_key() {
        let resp: ApiTokenResponse = serde_json::from_str(
            r#"{"apiToken":{"name":"namespaces/a/apitokens/t","role":"owner","secret":"s"}}"#,
        )
        .unwrap();
        let token = resp.api_token.unwrap();
        assert_eq!(token.secret.as_deref(), Some("s"));
        assert!(
            !format!("{token:?}").contains("\"s\""),
            "secret redacted in Debug"
        );
        assert_eq!(token.role.as_deref(), Some("owner"));
    }
}
