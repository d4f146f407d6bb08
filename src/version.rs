//! Build identity of this rudder binary, printed by `rudder version`.

use serde::Serialize;

/// The Kubernetes minor version whose API types (k8s-openapi feature) rudder is compiled against.
pub const KUBERNETES_API: &str = "1.34";

/// What this binary is: its own version and the Kubernetes API version its types target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// rudder's own semantic version, from Cargo.toml.
    pub version: &'static str,
    /// The Kubernetes minor version whose API types rudder was compiled against.
    pub kubernetes_api: &'static str,
}

impl VersionInfo {
    /// The identity of the running binary.
    pub fn current() -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION"),
            kubernetes_api: KUBERNETES_API,
        }
    }
}

impl std::fmt::Display for VersionInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rudder {} (Kubernetes API {})",
            self.version, self.kubernetes_api
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_version_and_api() {
        let info = VersionInfo::current();
        assert_eq!(
            info.to_string(),
            format!("rudder {} (Kubernetes API 1.34)", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn api_constant_matches_enabled_k8s_openapi_feature() {
        // k8s-openapi selects exactly one API version through a feature; this fails if
        // Cargo.toml's feature and KUBERNETES_API drift apart.
        let mut selected = String::new();
        k8s_openapi::k8s_if_1_34! { selected += "1.34"; }
        k8s_openapi::k8s_if_1_35! { selected += "1.35"; }
        k8s_openapi::k8s_if_1_36! { selected += "1.36"; }
        k8s_openapi::k8s_if_1_37! { selected += "1.37"; }
        assert_eq!(selected, KUBERNETES_API);
    }
}
