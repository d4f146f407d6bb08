//! Why a reconcile did not converge, with a short category used as Event reason, condition
//! reason and metric label.

use std::time::Duration;

use kube::runtime::finalizer;

use crate::vvp::error::VvpError;

/// A reconcile that did not (yet) converge.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A VVP API call failed.
    #[error(transparent)]
    Vvp(#[from] VvpError),
    /// A Kubernetes API call failed.
    #[error("Kubernetes API: {0}")]
    Kube(#[source] kube::Error),
    /// The object cannot be reconciled as written; fixing it is up to its author.
    #[error("invalid spec: {0}")]
    InvalidSpec(String),
    /// Not an error: VVP is working on it (a deployment cancelling, a target still in use, a
    /// namespace terminating, a referenced object missing). Retried after `retry_after`
    /// without backoff; keeps the finalizer during deletion.
    #[error("{message}")]
    Pending {
        /// CamelCase reason (condition reason and Event reason).
        reason: &'static str,
        /// What we wait for.
        message: String,
        /// When to look again.
        retry_after: Duration,
    },
    /// No API token could be had for a VVP namespace.
    #[error("no API token for VVP namespace {namespace}: {reason}")]
    Token {
        /// The VVP namespace.
        namespace: String,
        /// Why (never the token).
        reason: String,
        /// The VVP error behind it, if any.
        #[source]
        source: Option<VvpError>,
    },
    /// The finalizer machinery failed in an unexpected way.
    #[error("finalizer: {0}")]
    Finalizer(String),
}

impl Error {
    /// A short CamelCase word for the failure: the condition reason, Event reason and metric
    /// label.
    pub fn category(&self) -> &'static str {
        match self {
            Self::Vvp(e) => e.category(),
            Self::Kube(_) => "KubernetesError",
            Self::InvalidSpec(_) => "InvalidSpec",
            Self::Pending { reason, .. } => reason,
            // VVP being down is what matters, not that the token lookup was the first call.
            Self::Token {
                source: Some(e), ..
            } if e.is_transient() => e.category(),
            Self::Token { .. } => "TokenUnavailable",
            Self::Finalizer(_) => "FinalizerError",
        }
    }

    /// Unwraps what the finalizer helper wrapped.
    pub(crate) fn from_finalizer(err: finalizer::Error<Error>) -> Self {
        match err {
            finalizer::Error::ApplyFailed(e) | finalizer::Error::CleanupFailed(e) => e,
            finalizer::Error::AddFinalizer(e) | finalizer::Error::RemoveFinalizer(e) => {
                Self::Kube(e)
            }
            other => Self::Finalizer(other.to_string()),
        }
    }

    /// True when VVP said the addressed resource (or its namespace) does not exist.
    pub fn is_vvp_not_found(&self) -> bool {
        match self {
            Self::Vvp(e) => e.is_not_found(),
            Self::Token {
                source: Some(e), ..
            } => e.is_not_found(),
            _ => false,
        }
    }
}

impl From<kube::Error> for Error {
    fn from(e: kube::Error) -> Self {
        Self::Kube(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vvp::client::Endpoint;

    #[test]
    fn categories_come_from_the_cause() {
        let vvp = Error::from(VvpError::Timeout {
            endpoint: Endpoint::GetDeployment,
            seconds: 1,
        });
        assert_eq!(vvp.category(), "Timeout");
        let pending = Error::Pending {
            reason: "Cancelling",
            message: "m".into(),
            retry_after: Duration::from_secs(1),
        };
        assert_eq!(pending.category(), "Cancelling");
        assert_eq!(Error::InvalidSpec("x".into()).category(), "InvalidSpec");
    }

    #[test]
    fn finalizer_errors_unwrap_to_the_reconcile_error() {
        let inner = Error::InvalidSpec("bad".into());
        let err = Error::from_finalizer(finalizer::Error::ApplyFailed(inner));
        assert!(matches!(err, Error::InvalidSpec(m) if m == "bad"));
    }
}
