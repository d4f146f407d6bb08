//! Errors of the VVP HTTP client, one variant per way a call can fail, mapped from the HTTP
//! status the way the original operator did (400/401/403/404/409/other, BEHAVIOUR.md §2.6).
//! Messages come from VVP's `{"message": ...}` error body; no variant can hold a token.

use super::client::Endpoint;

/// Why a VVP API call failed.
#[derive(Debug, thiserror::Error)]
pub enum VvpError {
    /// 400: VVP rejected the request as invalid; retrying the same request will not help.
    #[error("{endpoint}: bad request: {message}")]
    BadRequest {
        /// The call that failed.
        endpoint: Endpoint,
        /// VVP's explanation.
        message: String,
    },
    /// 401: the bearer token is missing, unknown or revoked.
    #[error("{endpoint}: unauthorized: {message}")]
    Unauthorized {
        /// The call that failed.
        endpoint: Endpoint,
        /// VVP's explanation.
        message: String,
    },
    /// 403: the token's role does not allow the call (or belongs to another namespace).
    #[error("{endpoint}: forbidden: {message}")]
    Forbidden {
        /// The call that failed.
        endpoint: Endpoint,
        /// VVP's explanation.
        message: String,
    },
    /// 404: the resource (or its namespace) does not exist.
    #[error("{endpoint}: not found: {message}")]
    NotFound {
        /// The call that failed.
        endpoint: Endpoint,
        /// VVP's explanation.
        message: String,
    },
    /// 409: the request conflicts with the current state (name taken, target still referenced,
    /// deployment not cancelled, stale resourceVersion).
    #[error("{endpoint}: conflict: {message}")]
    Conflict {
        /// The call that failed.
        endpoint: Endpoint,
        /// VVP's explanation.
        message: String,
    },
    /// Any other non-2xx status (5xx in particular).
    #[error("{endpoint}: HTTP {status}: {message}")]
    Status {
        /// The call that failed.
        endpoint: Endpoint,
        /// The HTTP status code.
        status: u16,
        /// VVP's explanation, or the status text.
        message: String,
    },
    /// VVP could not be reached or the connection broke before an answer.
    #[error("{endpoint}: VVP unreachable")]
    Unreachable {
        /// The call that failed.
        endpoint: Endpoint,
        /// The transport error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No complete answer within the client's timeout.
    #[error("{endpoint}: no answer from VVP within {seconds}s")]
    Timeout {
        /// The call that failed.
        endpoint: Endpoint,
        /// The timeout.
        seconds: u64,
    },
    /// A 2xx answer whose body is not the expected JSON.
    #[error("{endpoint}: unexpected answer from VVP")]
    InvalidResponse {
        /// The call that failed.
        endpoint: Endpoint,
        /// Why it does not parse.
        #[source]
        source: serde_json::Error,
    },
    /// A 2xx answer that lacks the resource it must carry (e.g. `{}` for a namespace).
    #[error("{endpoint}: VVP answered without the {what}")]
    MissingInResponse {
        /// The call that failed.
        endpoint: Endpoint,
        /// What is missing.
        what: &'static str,
    },
    /// The request could not be built (unencodable body or invalid header value).
    #[error("{endpoint}: cannot build the request: {reason}")]
    InvalidRequest {
        /// The call that failed.
        endpoint: Endpoint,
        /// Why.
        reason: String,
    },
}

impl VvpError {
    /// A short CamelCase word for the failure, usable as a metric label and an Event reason.
    pub fn category(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "BadRequest",
            Self::Unauthorized { .. } => "Unauthorized",
            Self::Forbidden { .. } => "Forbidden",
            Self::NotFound { .. } => "NotFound",
            Self::Conflict { .. } => "Conflict",
            Self::Status { status, .. } if *status >= 500 => "ServerError",
            Self::Status { .. } => "UnexpectedStatus",
            Self::Unreachable { .. } => "Unreachable",
            Self::Timeout { .. } => "Timeout",
            Self::InvalidResponse { .. } | Self::MissingInResponse { .. } => "InvalidResponse",
            Self::InvalidRequest { .. } => "InvalidRequest",
        }
    }

    /// The HTTP status VVP answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::BadRequest { .. } => Some(400),
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Conflict { .. } => Some(409),
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The call that failed.
    pub fn endpoint(&self) -> Endpoint {
        match self {
            Self::BadRequest { endpoint, .. }
            | Self::Unauthorized { endpoint, .. }
            | Self::Forbidden { endpoint, .. }
            | Self::NotFound { endpoint, .. }
            | Self::Conflict { endpoint, .. }
            | Self::Status { endpoint, .. }
            | Self::Unreachable { endpoint, .. }
            | Self::Timeout { endpoint, .. }
            | Self::InvalidResponse { endpoint, .. }
            | Self::MissingInResponse { endpoint, .. }
            | Self::InvalidRequest { endpoint, .. } => *endpoint,
        }
    }

    /// True for 404, which callers treat as "create it" on GET and "done" on DELETE.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// True for 409.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }

    /// True when the same call may succeed later without any change on our side: VVP down,
    /// slow or answering 5xx (or 409, whose cause VVP may resolve itself).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::Timeout { .. } | Self::Conflict { .. } => true,
            Self::Status { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    /// Maps a non-2xx answer to its variant; `message` is VVP's `message` field or the status
    /// text.
    pub(crate) fn from_status(endpoint: Endpoint, status: u16, message: String) -> Self {
        match status {
            400 => Self::BadRequest { endpoint, message },
            401 => Self::Unauthorized { endpoint, message },
            403 => Self::Forbidden { endpoint, message },
            404 => Self::NotFound { endpoint, message },
            409 => Self::Conflict { endpoint, message },
            _ => Self::Status {
                endpoint,
                status,
                message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_variants_and_categories() {
        let cases = [
            (400, "BadRequest"),
            (401, "Unauthorized"),
            (403, "Forbidden"),
            (404, "NotFound"),
            (409, "Conflict"),
            (500, "ServerError"),
            (503, "ServerError"),
            (418, "UnexpectedStatus"),
        ];
        for (status, category) in cases {
            let err = VvpError::from_status(Endpoint::GetDeployment, status, "m".into());
            assert_eq!(err.category(), category, "{status}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.endpoint(), Endpoint::GetDeployment);
        }
    }

    #[test]
    fn display_names_the_call_and_vvp_message() {
        let err = VvpError::from_status(
            Endpoint::DeleteDeploymentTarget,
            409,
            "target is used by deployment x".into(),
        );
        assert_eq!(
            err.to_string(),
            "DELETE deployment-target: conflict: target is used by deployment x"
        );
        assert!(err.is_conflict() && err.is_transient() && !err.is_not_found());
    }

    #[test]
    fn client_errors_are_not_transient() {
        for status in [400, 401, 403, 404] {
            assert!(!VvpError::from_status(Endpoint::Status, status, String::new()).is_transient());
        }
        assert!(VvpError::from_status(Endpoint::Status, 502, String::new()).is_transient());
    }
}
