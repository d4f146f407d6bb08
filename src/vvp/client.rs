//! A typed client for the VVP 2.1 REST APIs the reconcilers need (BEHAVIOUR.md §4.1): the
//! Application Manager API (deployment targets, deployments, events, savepoints) and the
//! Platform API (namespaces, API tokens).
//!
//! Every call takes the bearer token to send, so one client serves all VVP namespaces and the
//! token lookup stays with the caller. Tokens are wrapped in [`ApiToken`], whose `Debug` and
//! `Display` never show the secret. Non-2xx answers become [`VvpError`] variants carrying VVP's
//! `message`. The HTTP stack is the one kube already brings (hyper 1, hyper-util, rustls via
//! hyper-rustls with the `ring` provider), so no second HTTP client or OpenSSL is compiled in.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_rustls::{ConfigBuilderExt, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::api::{
    ApiToken as ApiTokenResource, ApiTokenResponse, Deployment, DeploymentTarget, ErrorBody, Event,
    Namespace, NamespaceResponse, ResourceList, Savepoint,
};
use super::error::VvpError;

/// How long a call may take, connection and body included, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A VVP bearer token (an API token's secret). Shown as `ApiToken(***)` everywhere, so it can
/// sit in structs that are logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for sending or storing in a Kubernetes Secret.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A token just created through the Platform API: its description (without secret) and the
/// secret, which VVP returns only this once.
#[derive(Clone, Debug)]
pub struct CreatedApiToken {
    /// Name, role and creation time.
    pub token: ApiTokenResource,
    /// The bearer token.
    pub secret: ApiToken,
}

/// Every call the client makes; names the call in errors, logs and metric labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /api/v1/status`.
    Status,
    /// A1 `GET .../deployment-targets/{name}`.
    GetDeploymentTarget,
    /// `GET .../deployment-targets`.
    ListDeploymentTargets,
    /// A2 `POST .../deployment-targets`.
    CreateDeploymentTarget,
    /// A3 `DELETE .../deployment-targets/{name}`.
    DeleteDeploymentTarget,
    /// A4 `GET .../deployments`.
    ListDeployments,
    /// A5 `GET .../deployments/{id}`.
    GetDeployment,
    /// A6 `POST .../deployments`.
    CreateDeployment,
    /// A7 `PATCH .../deployments/{id}`.
    PatchDeployment,
    /// A8 `DELETE .../deployments/{id}`.
    DeleteDeployment,
    /// A9 `GET .../events?deploymentId=`.
    ListEvents,
    /// A10 `POST .../savepoints`.
    CreateSavepoint,
    /// A11 `GET .../savepoints/{id}`.
    GetSavepoint,
    /// A12 `GET .../savepoints?deploymentId=`.
    ListSavepoints,
    /// P1 `GET /namespaces/v1/namespaces/{ns}`.
    GetNamespace,
    /// P2 `POST /namespaces/v1/namespaces`.
    CreateNamespace,
    /// P3 `PUT /namespaces/v1/namespaces/{ns}`.
    UpdateNamespace,
    /// P4 `DELETE /namespaces/v1/namespaces/{ns}`.
    DeleteNamespace,
    /// T1 `GET /apitokens/v1/namespaces/{ns}/apitokens/{name}`.
    GetApiToken,
    /// T2 `POST /apitokens/v1/namespaces/{ns}/apitokens`.
    CreateApiToken,
    /// T3 `DELETE /apitokens/v1/namespaces/{ns}/apitokens/{name}`.
    DeleteApiToken,
}

impl Endpoint {
    /// A snake_case name for metric labels, e.g. `get_deployment`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::GetDeploymentTarget => "get_deployment_target",
            Self::ListDeploymentTargets => "list_deployment_targets",
            Self::CreateDeploymentTarget => "create_deployment_target",
            Self::DeleteDeploymentTarget => "delete_deployment_target",
            Self::ListDeployments => "list_deployments",
            Self::GetDeployment => "get_deployment",
            Self::CreateDeployment => "create_deployment",
            Self::PatchDeployment => "patch_deployment",
            Self::DeleteDeployment => "delete_deployment",
            Self::ListEvents => "list_events",
            Self::CreateSavepoint => "create_savepoint",
            Self::GetSavepoint => "get_savepoint",
            Self::ListSavepoints => "list_savepoints",
            Self::GetNamespace => "get_namespace",
            Self::CreateNamespace => "create_namespace",
            Self::UpdateNamespace => "update_namespace",
            Self::DeleteNamespace => "delete_namespace",
            Self::GetApiToken => "get_api_token",
            Self::CreateApiToken => "create_api_token",
            Self::DeleteApiToken => "delete_api_token",
        }
    }

    fn method(self) -> Method {
        match self {
            Self::CreateDeploymentTarget
            | Self::CreateDeployment
            | Self::CreateSavepoint
            | Self::CreateNamespace
            | Self::CreateApiToken => Method::POST,
            Self::PatchDeployment => Method::PATCH,
            Self::UpdateNamespace => Method::PUT,
            Self::DeleteDeploymentTarget
            | Self::DeleteDeployment
            | Self::DeleteNamespace
            | Self::DeleteApiToken => Method::DELETE,
            _ => Method::GET,
        }
    }

    fn resource(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::GetDeploymentTarget
            | Self::CreateDeploymentTarget
            | Self::DeleteDeploymentTarget => "deployment-target",
            Self::ListDeploymentTargets => "deployment-targets",
            Self::ListDeployments => "deployments",
            Self::GetDeployment
            | Self::CreateDeployment
            | Self::PatchDeployment
            | Self::DeleteDeployment => "deployment",
            Self::ListEvents => "events",
            Self::CreateSavepoint | Self::GetSavepoint => "savepoint",
            Self::ListSavepoints => "savepoints",
            Self::GetNamespace
            | Self::CreateNamespace
            | Self::UpdateNamespace
            | Self::DeleteNamespace => "namespace",
            Self::GetApiToken | Self::CreateApiToken | Self::DeleteApiToken => "apitoken",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method(), self.resource())
    }
}

/// Where the two VVP APIs live. With one `--vvp-url` both derive from it; the original
/// operator's older `--app-manager-api-url` / `--platform-api-url` override each half.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VvpUrls {
    /// Base of the Application Manager API, ending before `/v1` (e.g. `http://vvp/api`).
    pub app_manager: String,
    /// Base of the Platform API, ending before `/namespaces` (e.g. `http://vvp`).
    pub platform: String,
}

impl VvpUrls {
    /// Both APIs under one VVP base URL: `{url}/api` and `{url}`.
    pub fn from_vvp_url(url: &str) -> Self {
        let base = url.trim_end_matches('/');
        Self {
            app_manager: format!("{base}/api"),
            platform: base.to_owned(),
        }
    }
}

/// Why a client cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientConfigError {
    /// A base URL is not an absolute `http://` or `https://` URL.
    #[error("invalid VVP URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// An `https://` URL was given but TLS cannot be set up (e.g. no CA certificates).
    #[error("cannot set up TLS for VVP")]
    Tls(#[source] std::io::Error),
}

type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client for one VVP installation. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct VvpClient {
    urls: Arc<VvpUrls>,
    http: HttpClient,
    timeout: Duration,
}

impl fmt::Debug for VvpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VvpClient")
            .field("urls", &self.urls)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl VvpClient {
    /// A client for the APIs at `urls`, with [`DEFAULT_TIMEOUT`].
    pub fn new(urls: VvpUrls) -> Result<Self, ClientConfigError> {
        let urls = VvpUrls {
            app_manager: checked_base(&urls.app_manager)?,
            platform: checked_base(&urls.platform)?,
        };
        let needs_tls =
            urls.app_manager.starts_with("https:") || urls.platform.starts_with("https:");
        let tls = tls_config(needs_tls)?;
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            urls: Arc::new(urls),
            http,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same client with another per-call timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The base URLs in use.
    pub fn urls(&self) -> &VvpUrls {
        &self.urls
    }

    // ----- Application Manager API ---------------------------------------------------------

    /// `GET /api/v1/status`: whether the Application Manager answers (no token needed).
    pub async fn status(&self) -> Result<(), VvpError> {
        let url = format!("{}/v1/status", self.urls.app_manager);
        self.call_raw(Endpoint::Status, url, None, None)
            .await
            .map(drop)
    }

    /// A1: the deployment target `name` of VVP namespace `ns`.
    pub async fn get_deployment_target(
        &self,
        ns: &str,
        name: &str,
        token: &ApiToken,
    ) -> Result<DeploymentTarget, VvpError> {
        let url = self.am(ns, &["deployment-targets", name]);
        self.call(Endpoint::GetDeploymentTarget, url, Some(token), None::<&()>)
            .await
    }

    /// All deployment targets of `ns`.
    pub async fn list_deployment_targets(
        &self,
        ns: &str,
        token: &ApiToken,
    ) -> Result<Vec<DeploymentTarget>, VvpError> {
        let url = self.am(ns, &["deployment-targets"]);
        let list: ResourceList<DeploymentTarget> = self
            .call(
                Endpoint::ListDeploymentTargets,
                url,
                Some(token),
                None::<&()>,
            )
            .await?;
        Ok(list.items)
    }

    /// A2: creates a deployment target; VVP answers it with id and resourceVersion.
    pub async fn create_deployment_target(
        &self,
        ns: &str,
        target: &DeploymentTarget,
        token: &ApiToken,
    ) -> Result<DeploymentTarget, VvpError> {
        let url = self.am(ns, &["deployment-targets"]);
        self.call(
            Endpoint::CreateDeploymentTarget,
            url,
            Some(token),
            Some(target),
        )
        .await
    }

    /// A3: deletes a deployment target; [`VvpError::Conflict`] while deployments use it.
    pub async fn delete_deployment_target(
        &self,
        ns: &str,
        name: &str,
        token: &ApiToken,
    ) -> Result<DeploymentTarget, VvpError> {
        let url = self.am(ns, &["deployment-targets", name]);
        self.call(
            Endpoint::DeleteDeploymentTarget,
            url,
            Some(token),
            None::<&()>,
        )
        .await
    }

    /// A4: all deployments of `ns`.
    pub async fn list_deployments(
        &self,
        ns: &str,
        token: &ApiToken,
    ) -> Result<Vec<Deployment>, VvpError> {
        let url = self.am(ns, &["deployments"]);
        let list: ResourceList<Deployment> = self
            .call(Endpoint::ListDeployments, url, Some(token), None::<&()>)
            .await?;
        Ok(list.items)
    }

    /// A4 filtered by name: the deployment named `name`, if any (VVP 2.1 addresses deployments
    /// by id only).
    pub async fn find_deployment_by_name(
        &self,
        ns: &str,
        name: &str,
        token: &ApiToken,
    ) -> Result<Option<Deployment>, VvpError> {
        let all = self.list_deployments(ns, token).await?;
        Ok(all.into_iter().find(|d| {
            d.metadata
                .as_ref()
                .and_then(|m| m.name.as_deref())
                .is_some_and(|n| n == name)
        }))
    }

    /// A5: the deployment with VVP id `id`.
    pub async fn get_deployment(
        &self,
        ns: &str,
        id: &str,
        token: &ApiToken,
    ) -> Result<Deployment, VvpError> {
        let url = self.am(ns, &["deployments", id]);
        self.call(Endpoint::GetDeployment, url, Some(token), None::<&()>)
            .await
    }

    /// A6: creates a deployment.
    pub async fn create_deployment(
        &self,
        ns: &str,
        deployment: &Deployment,
        token: &ApiToken,
    ) -> Result<Deployment, VvpError> {
        let url = self.am(ns, &["deployments"]);
        self.call(
            Endpoint::CreateDeployment,
            url,
            Some(token),
            Some(deployment),
        )
        .await
    }

    /// A7: merge-patches deployment `id` with `patch` (send only what should change; a
    /// `metadata.resourceVersion` in it asks VVP for optimistic concurrency).
    pub async fn patch_deployment(
        &self,
        ns: &str,
        id: &str,
        patch: &Deployment,
        token: &ApiToken,
    ) -> Result<Deployment, VvpError> {
        let url = self.am(ns, &["deployments", id]);
        self.call(Endpoint::PatchDeployment, url, Some(token), Some(patch))
            .await
    }

    /// A8: deletes deployment `id`; VVP refuses unless its desired state is CANCELLED.
    pub async fn delete_deployment(
        &self,
        ns: &str,
        id: &str,
        token: &ApiToken,
    ) -> Result<Deployment, VvpError> {
        let url = self.am(ns, &["deployments", id]);
        self.call(Endpoint::DeleteDeployment, url, Some(token), None::<&()>)
            .await
    }

    /// A9: the events of deployment `deployment_id`, oldest first.
    pub async fn list_events(
        &self,
        ns: &str,
        deployment_id: &str,
        token: &ApiToken,
    ) -> Result<Vec<Event>, VvpError> {
        let url = format!(
            "{}?deploymentId={}",
            self.am(ns, &["events"]),
            encode(deployment_id)
        );
        let list: ResourceList<Event> = self
            .call(Endpoint::ListEvents, url, Some(token), None::<&()>)
            .await?;
        Ok(list.items)
    }

    /// A10: requests a savepoint (`metadata.deploymentId` set) or registers an existing one
    /// (`spec.savepointLocation` set).
    pub async fn create_savepoint(
        &self,
        ns: &str,
        savepoint: &Savepoint,
        token: &ApiToken,
    ) -> Result<Savepoint, VvpError> {
        let url = self.am(ns, &["savepoints"]);
        self.call(Endpoint::CreateSavepoint, url, Some(token), Some(savepoint))
            .await
    }

    /// A11: the savepoint with VVP id `id`.
    pub async fn get_savepoint(
        &self,
        ns: &str,
        id: &str,
        token: &ApiToken,
    ) -> Result<Savepoint, VvpError> {
        let url = self.am(ns, &["savepoints", id]);
        self.call(Endpoint::GetSavepoint, url, Some(token), None::<&()>)
            .await
    }

    /// A12: the savepoints of deployment `deployment_id`.
    pub async fn list_savepoints(
        &self,
        ns: &str,
        deployment_id: &str,
        token: &ApiToken,
    ) -> Result<Vec<Savepoint>, VvpError> {
        let url = format!(
            "{}?deploymentId={}",
            self.am(ns, &["savepoints"]),
            encode(deployment_id)
        );
        let list: ResourceList<Savepoint> = self
            .call(Endpoint::ListSavepoints, url, Some(token), None::<&()>)
            .await?;
        Ok(list.items)
    }

    // ----- Platform API ----------------------------------------------------------------------

    /// P1: the VVP namespace `name` (short name, without `namespaces/`).
    pub async fn get_namespace(
        &self,
        name: &str,
        token: Option<&ApiToken>,
    ) -> Result<Namespace, VvpError> {
        let url = self.platform(&["namespaces", "v1", "namespaces", name]);
        let answer: NamespaceResponse = self
            .call(Endpoint::GetNamespace, url, token, None::<&()>)
            .await?;
        unwrap_namespace(Endpoint::GetNamespace, answer)
    }

    /// P2: creates a namespace; `namespace.name` must be `namespaces/<name>`.
    pub async fn create_namespace(
        &self,
        namespace: &Namespace,
        token: Option<&ApiToken>,
    ) -> Result<Namespace, VvpError> {
        let url = self.platform(&["namespaces", "v1", "namespaces"]);
        let answer: NamespaceResponse = self
            .call(Endpoint::CreateNamespace, url, token, Some(namespace))
            .await?;
        unwrap_namespace(Endpoint::CreateNamespace, answer)
    }

    /// P3: replaces the role bindings of namespace `name`.
    pub async fn update_namespace(
        &self,
        name: &str,
        namespace: &Namespace,
        token: Option<&ApiToken>,
    ) -> Result<Namespace, VvpError> {
        let url = self.platform(&["namespaces", "v1", "namespaces", name]);
        let answer: NamespaceResponse = self
            .call(Endpoint::UpdateNamespace, url, token, Some(namespace))
            .await?;
        unwrap_namespace(Endpoint::UpdateNamespace, answer)
    }

    /// P4: starts deleting namespace `name`; the answer says `LIFECYCLE_PHASE_TERMINATING`
    /// until it is gone (then [`VvpError::NotFound`]).
    pub async fn delete_namespace(
        &self,
        name: &str,
        token: Option<&ApiToken>,
    ) -> Result<Namespace, VvpError> {
        let url = self.platform(&["namespaces", "v1", "namespaces", name]);
        let answer: NamespaceResponse = self
            .call(Endpoint::DeleteNamespace, url, token, None::<&()>)
            .await?;
        unwrap_namespace(Endpoint::DeleteNamespace, answer)
    }

    /// T1: the API token `name` (short name) of namespace `ns`, without its secret.
    pub async fn get_api_token(
        &self,
        ns: &str,
        name: &str,
        token: Option<&ApiToken>,
    ) -> Result<ApiTokenResource, VvpError> {
        let url = self.platform(&["apitokens", "v1", "namespaces", ns, "apitokens", name]);
        let answer: ApiTokenResponse = self
            .call(Endpoint::GetApiToken, url, token, None::<&()>)
            .await?;
        let mut found = unwrap_token(Endpoint::GetApiToken, answer)?;
        found.secret = None;
        Ok(found)
    }

    /// T2: creates API token `name` (short name) with `role` in namespace `ns`; the secret is
    /// returned only here.
    pub async fn create_api_token(
        &self,
        ns: &str,
        name: &str,
        role: &str,
        token: Option<&ApiToken>,
    ) -> Result<CreatedApiToken, VvpError> {
        let url = self.platform(&["apitokens", "v1", "namespaces", ns, "apitokens"]);
        let body = ApiTokenResource {
            name: Some(format!("namespaces/{ns}/apitokens/{name}")),
            role: Some(role.to_owned()),
            ..ApiTokenResource::default()
        };
        let answer: ApiTokenResponse = self
            .call(Endpoint::CreateApiToken, url, token, Some(&body))
            .await?;
        let mut created = unwrap_token(Endpoint::CreateApiToken, answer)?;
        let secret =
            created
                .secret
                .take()
                .filter(|s| !s.is_empty())
                .ok_or(VvpError::MissingInResponse {
                    endpoint: Endpoint::CreateApiToken,
                    what: "token secret",
                })?;
        Ok(CreatedApiToken {
            token: created,
            secret: ApiToken::new(secret),
        })
    }

    /// T3: revokes API token `name` (short name) of namespace `ns`.
    pub async fn delete_api_token(
        &self,
        ns: &str,
        name: &str,
        token: Option<&ApiToken>,
    ) -> Result<(), VvpError> {
        let url = self.platform(&["apitokens", "v1", "namespaces", ns, "apitokens", name]);
        self.call_raw(Endpoint::DeleteApiToken, url, token, None)
            .await
            .map(drop)
    }

    // ----- plumbing --------------------------------------------------------------------------

    /// An Application Manager URL: `{base}/v1/namespaces/{ns}/{segments...}`.
    fn am(&self, ns: &str, segments: &[&str]) -> String {
        let mut url = format!("{}/v1/namespaces/{}", self.urls.app_manager, encode(ns));
        for s in segments {
            url.push('/');
            url.push_str(&encode(s));
        }
        url
    }

    /// A Platform API URL: `{base}/{segments...}`.
    fn platform(&self, segments: &[&str]) -> String {
        let mut url = self.urls.platform.clone();
        for s in segments {
            url.push('/');
            url.push_str(&encode(s));
        }
        url
    }

    /// Sends one request and parses a 2xx JSON answer as `T`.
    async fn call<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        endpoint: Endpoint,
        url: String,
        token: Option<&ApiToken>,
        body: Option<&B>,
    ) -> Result<T, VvpError> {
        let body =
            body.map(serde_json::to_vec)
                .transpose()
                .map_err(|e| VvpError::InvalidRequest {
                    endpoint,
                    reason: e.to_string(),
                })?;
        let bytes = self.call_raw(endpoint, url, token, body).await?;
        let text: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
        serde_json::from_slice(text)
            .map_err(|source| VvpError::InvalidResponse { endpoint, source })
    }

    /// Sends one request; the body of a 2xx answer, or the error the status maps to.
    async fn call_raw(
        &self,
        endpoint: Endpoint,
        url: String,
        token: Option<&ApiToken>,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, VvpError> {
        let result = self.exchange(endpoint, url, token, body).await;
        let outcome = match &result {
            Ok(_) => "success",
            Err(e) => e.category(),
        };
        super::metrics::record_vvp_call(endpoint.as_str(), outcome);
        result
    }

    /// The HTTP exchange of [`Self::call_raw`], without accounting.
    async fn exchange(
        &self,
        endpoint: Endpoint,
        url: String,
        token: Option<&ApiToken>,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, VvpError> {
        let request = build_request(endpoint, &url, token, body)?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| VvpError::Unreachable {
                    endpoint,
                    source: Box::new(e),
                })?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| VvpError::Unreachable {
                    endpoint,
                    source: Box::new(e),
                })?
                .to_bytes();
            Ok::<_, VvpError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| VvpError::Timeout {
                endpoint,
                seconds: self.timeout.as_secs(),
            })??;
        if status.is_success() {
            Ok(bytes)
        } else {
            Err(VvpError::from_status(
                endpoint,
                status.as_u16(),
                error_message(status, &bytes),
            ))
        }
    }
}

/// The request for one call: JSON in and out, bearer token if given.
fn build_request(
    endpoint: Endpoint,
    url: &str,
    token: Option<&ApiToken>,
    body: Option<Vec<u8>>,
) -> Result<Request<Full<Bytes>>, VvpError> {
    let mut builder = Request::builder()
        .method(endpoint.method())
        .uri(url)
        .header(header::ACCEPT, "application/json")
        .header(
            header::USER_AGENT,
            concat!("rudder/", env!("CARGO_PKG_VERSION")),
        );
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    if let Some(token) = token {
        let mut value = header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| VvpError::InvalidRequest {
                endpoint,
                reason: "the API token is not a valid header value".to_owned(),
            })?;
        value.set_sensitive(true);
        builder = builder.header(header::AUTHORIZATION, value);
    }
    builder
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .map_err(|e| VvpError::InvalidRequest {
            endpoint,
            reason: e.to_string(),
        })
}

/// VVP's `message` from an error body, else the status text (as the original operator did).
fn error_message(status: StatusCode, body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.message)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("unknown status")
                .to_owned()
        })
}

fn unwrap_namespace(endpoint: Endpoint, answer: NamespaceResponse) -> Result<Namespace, VvpError> {
    answer.namespace.ok_or(VvpError::MissingInResponse {
        endpoint,
        what: "namespace",
    })
}

fn unwrap_token(
    endpoint: Endpoint,
    answer: ApiTokenResponse,
) -> Result<ApiTokenResource, VvpError> {
    answer.api_token.ok_or(VvpError::MissingInResponse {
        endpoint,
        what: "API token",
    })
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so a name can never change
/// the path or add a query.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url` without trailing slashes, if it is an absolute http(s) URL with a host.
fn checked_base(url: &str) -> Result<String, ClientConfigError> {
    let invalid = |reason: &str| ClientConfigError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim_end_matches('/');
    let uri: http::Uri = trimmed.parse().map_err(|_| invalid("not a URL"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(invalid("scheme must be http or https")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    if uri.query().is_some() {
        return Err(invalid("a base URL cannot have a query"));
    }
    Ok(trimmed.to_owned())
}

/// rustls with the `ring` provider and the system's CA certificates. Without certificates only
/// plain `http://` URLs work, which is fine when none is `https://`.
fn tls_config(needs_tls: bool) -> Result<rustls::ClientConfig, ClientConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientConfigError::Tls(std::io::Error::other(e)))?;
    match builder.clone().with_native_roots() {
        Ok(b) => Ok(b.with_no_client_auth()),
        Err(e) if needs_tls => Err(ClientConfigError::Tls(e)),
        Err(_) => Ok(builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_shows_in_debug_or_display() {
        let token = ApiToken::new("s3cr3t-value");
        assert_eq!(format!("{token:?}"), "ApiToken(***)");
        assert_eq!(format!("{token}"), "***");
        let created = CreatedApiToken {
            token: ApiTokenResource::default(),
            secret: token.clone(),
        };
        assert!(!format!("{created:?}").contains("s3cr3t"));
        assert_eq!(token.expose(), "s3cr3t-value");
    }

    #[test]
    fn authorization_header_is_bearer_and_sensitive() {
        let token = ApiToken::new("abc");
        let request =
            build_request(Endpoint::GetDeployment, "http://vvp/x", Some(&token), None).expect("ok");
        let value = &request.headers()[header::AUTHORIZATION];
        assert_eq!(value, "Bearer abc");
        assert!(value.is_sensitive());
        assert!(!format!("{request:?}").contains("abc"));
    }

    #[test]
    fn token_with_newline_is_rejected_without_echoing_it() {
        let token = ApiToken::new("abc\ndef");
        let err = build_request(Endpoint::GetDeployment, "http://vvp/x", Some(&token), None)
            .expect_err("invalid header");
        assert_eq!(err.category(), "InvalidRequest");
        assert!(!err.to_string().contains("abc"));
    }

    #[test]
    fn urls_derive_from_one_vvp_url() {
        let urls = VvpUrls::from_vvp_url("http://vvp.example:8080/");
        assert_eq!(urls.app_manager, "http://vvp.example:8080/api");
        assert_eq!(urls.platform, "http://vvp.example:8080");
    }

    #[test]
    fn base_urls_are_checked() {
        assert!(checked_base("http://vvp").is_ok());
        assert_eq!(
            checked_base("https://vvp/api/").ok().as_deref(),
            Some("https://vvp/api")
        );
        for bad in ["vvp:8080", "ftp://vvp", "http://", "http://vvp/?a=b", ""] {
            assert!(checked_base(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode("top-speed_1.x~"), "top-speed_1.x~");
        assert_eq!(encode("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
    }

    #[test]
    fn error_message_prefers_vvp_message() {
        assert_eq!(
            error_message(StatusCode::CONFLICT, br#"{"message":"in use"}"#),
            "in use"
        );
        assert_eq!(error_message(StatusCode::NOT_FOUND, b"<html>"), "Not Found");
        assert_eq!(error_message(StatusCode::BAD_GATEWAY, b""), "Bad Gateway");
    }

    #[test]
    fn endpoints_display_method_and_resource() {
        assert_eq!(Endpoint::PatchDeployment.to_string(), "PATCH deployment");
        assert_eq!(Endpoint::UpdateNamespace.to_string(), "PUT namespace");
        assert_eq!(Endpoint::ListEvents.as_str(), "list_events");
    }
}
