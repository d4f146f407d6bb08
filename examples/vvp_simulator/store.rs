//! The simulated VVP's state and its API semantics, independent of HTTP: every operation
//! takes parsed path parameters and a JSON body and returns the resource or a [`SimError`]
//! carrying the status code VVP would answer.

use std::collections::BTreeMap;

use rudder::vvp::api::{
    ApiToken, Deployment, DeploymentMetadata, DeploymentSpec, DeploymentState, DeploymentStatus,
    DeploymentTarget, DeploymentTargetMetadata, DeploymentTemplate, Event, Job, KIND_DEPLOYMENT,
    KIND_DEPLOYMENT_TARGET, LifecyclePhase, NAMESPACE_NAME_PREFIX, Namespace, Savepoint,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::clock::SimClock;
use super::machine::Step;

/// An API failure: the HTTP status and the `message` of VVP's JSON error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    /// HTTP status code.
    pub status: u16,
    /// Text for the error body's `message`.
    pub message: String,
}

impl SimError {
    /// An error with `status` and `message`.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
    /// 400: the request body or parameters are invalid.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
    /// 401: no or an unknown bearer token.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }
    /// 403: the token may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }
    /// 404: the resource does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }
    /// 409: the request conflicts with the resource's current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }
}

/// Result of a simulator operation.
pub type SimResult<T> = Result<T, SimError>;

/// Namespace-scoped API token roles, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May read.
    Viewer,
    /// May read and change Application Manager resources.
    Editor,
    /// May also manage the namespace's API tokens.
    Owner,
}

impl Role {
    fn parse(role: &str) -> Option<Self> {
        match role {
            "viewer" => Some(Self::Viewer),
            "editor" => Some(Self::Editor),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Owner => "owner",
        }
    }
}

/// How the simulator authenticates and checks requests; changeable at run time through
/// `POST /__sim/config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Enterprise mode: Application Manager calls need a valid bearer token. When false
    /// (Community edition), any or no `Authorization` header is accepted everywhere.
    pub auth_required: bool,
    /// Platform API calls without an `Authorization` header are allowed (as the original
    /// operator assumes). A header that is present is still checked.
    pub platform_anonymous: bool,
    /// Reject a deployment PATCH whose `metadata.resourceVersion` differs from the stored
    /// one with 409. Off by default: the VVP 2.1 API description does not specify it.
    pub enforce_resource_version: bool,
    /// A bearer token with owner rights in every namespace and on the Platform API, like an
    /// administrator's token (`APPMANAGER_API_TOKEN`).
    pub admin_token: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            auth_required: true,
            platform_anonymous: true,
            enforce_resource_version: false,
            admin_token: None,
        }
    }
}

/// Injected failures; changeable at run time through `POST /__sim/faults`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// VVP is unreachable: API connections are closed without an answer.
    pub down: bool,
    /// Answer API requests with this status (and a VVP error body) instead of handling them.
    pub status: Option<u16>,
    /// Only this many requests get `status`; then the fault clears itself. `None`: forever.
    pub count: Option<u32>,
    /// Delay every API answer by this many milliseconds.
    pub delay_ms: u64,
    /// Restrict `status` and `delayMs` to request paths starting with this prefix.
    pub path_prefix: Option<String>,
    /// Savepoints fail instead of completing (user savepoints and suspensions).
    pub fail_savepoints: bool,
}

impl Faults {
    /// Whether `status`/`delayMs` apply to `path`.
    pub fn applies_to(&self, path: &str) -> bool {
        self.path_prefix
            .as_deref()
            .is_none_or(|prefix| path.starts_with(prefix))
    }

    /// The status to answer `path` with, consuming one use of a counted fault.
    pub fn take_status(&mut self, path: &str) -> Option<u16> {
        let status = self.status.filter(|_| self.applies_to(path))?;
        if let Some(count) = self.count.as_mut() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.status = None;
                self.count = None;
            }
        }
        Some(status)
    }
}

/// A stored API token.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    /// The token as listed (without secret).
    pub token: ApiToken,
    /// Its namespace.
    pub namespace: String,
    /// Its role.
    pub role: Role,
    /// The bearer secret.
    pub secret: String,
}

/// A stored deployment with the state machine's bookkeeping.
#[derive(Debug, Clone)]
pub struct DeploymentRecord {
    /// The deployment as the API returns it.
    pub deployment: Deployment,
    /// The transition in progress.
    pub step: Step,
    /// The current (last) job.
    pub job_id: Option<String>,
    /// The template the current job runs.
    pub applied_template: Option<DeploymentTemplate>,
    /// A spec change arrived while FAILED: try RUNNING again.
    pub retry_failed: bool,
}

/// Who a bearer token belongs to.
struct Principal {
    namespace: Option<String>,
    role: Role,
}

/// The whole simulated VVP.
#[derive(Debug, Default)]
pub struct Simulator {
    /// Simulated time and ids.
    pub clock: SimClock,
    /// Authentication behaviour.
    pub settings: Settings,
    /// Injected failures.
    pub faults: Faults,
    pub(super) namespaces: BTreeMap<String, Namespace>,
    pub(super) tokens: BTreeMap<(String, String), TokenRecord>,
    pub(super) targets: BTreeMap<(String, String), DeploymentTarget>,
    pub(super) deployments: BTreeMap<(String, String), DeploymentRecord>,
    pub(super) savepoints: BTreeMap<(String, String), Savepoint>,
    pub(super) jobs: BTreeMap<(String, String), Job>,
    pub(super) events: Vec<Event>,
    /// Every API request served, oldest first (see `GET /__sim/requests`).
    pub requests: Vec<RequestRecord>,
}

/// One API request as the simulator saw it, for tests asserting what a client sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// The JSON request body, if it was JSON.
    pub body: Option<Value>,
    /// The status answered.
    pub status: u16,
}

/// Parses a JSON body into an API model, answering 400 when it does not fit.
pub fn parse<T: DeserializeOwned>(body: &Value) -> SimResult<T> {
    serde_json::from_value(body.clone())
        .map_err(|err| SimError::bad_request(format!("invalid request body: {err}")))
}

/// Names of namespaces, tokens and deployments: lower-case alphanumerics and `-`, at most 63
/// characters, not starting or ending with `-`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Deployment target names: `[0-9a-zA-Z-_]`, at most 250 characters.
pub fn valid_target_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 250
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `id` has the shape of a UUID.
fn looks_like_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// RFC 7386 JSON merge patch of `patch` into `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else {
                merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Whether a label set matches a selector of comma-separated `k=v`, `k==v`, `k!=v`, `k` and
/// `!k` terms.
fn matches_selector(labels: Option<&BTreeMap<String, String>>, selector: &str) -> bool {
    let get = |key: &str| labels.and_then(|l| l.get(key.trim()));
    selector
        .split(',')
        .filter(|term| !term.trim().is_empty())
        .all(|term| {
            if let Some((key, value)) = term.split_once("!=") {
                get(key).map(String::as_str) != Some(value.trim())
            } else if let Some((key, value)) = term.split_once('=') {
                let value = value.trim_start_matches('=');
                get(key).map(String::as_str) == Some(value.trim())
            } else if let Some(key) = term.trim().strip_prefix('!') {
                get(key).is_none()
            } else {
                get(term).is_some()
            }
        })
}

fn key(ns: &str, name: &str) -> (String, String) {
    (ns.to_owned(), name.to_owned())
}

impl Simulator {
    /// A simulator holding the `default` namespace, as every VVP does.
    pub fn new(settings: Settings) -> Self {
        let mut sim = Self {
            settings,
            ..Self::default()
        };
        let created = sim.clock.stamp();
        sim.namespaces.insert(
            "default".to_owned(),
            Namespace {
                name: Some(format!("{NAMESPACE_NAME_PREFIX}default")),
                role_bindings: Some(Vec::new()),
                create_time: Some(created),
                lifecycle_phase: Some(LifecyclePhase::Active),
                ..Namespace::default()
            },
        );
        sim
    }

    // ----- authentication -------------------------------------------------------------

    fn principal(&self, bearer: Option<&str>) -> SimResult<Principal> {
        let secret = bearer.ok_or_else(|| SimError::unauthorized("missing bearer token"))?;
        if self.settings.admin_token.as_deref() == Some(secret) {
            return Ok(Principal {
                namespace: None,
                role: Role::Owner,
            });
        }
        self.tokens
            .values()
            .find(|t| t.secret == secret)
            .map(|t| Principal {
                namespace: Some(t.namespace.clone()),
                role: t.role,
            })
            .ok_or_else(|| SimError::unauthorized("invalid bearer token"))
    }

    fn check_principal(principal: &Principal, ns: Option<&str>, need: Role) -> SimResult<()> {
        match (&principal.namespace, ns) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(SimError::forbidden(
                "namespace tokens may not manage namespaces",
            )),
            (Some(own), Some(ns)) if own != ns => Err(SimError::forbidden(format!(
                "token of namespace {own} has no access to namespace {ns}"
            ))),
            (Some(_), Some(ns)) if principal.role < need => Err(SimError::forbidden(format!(
                "role {} is not sufficient in namespace {ns}, {} required",
                principal.role.as_str(),
                need.as_str()
            ))),
            _ => Ok(()),
        }
    }

    /// Checks an Application Manager call on namespace `ns`: reading needs `viewer`,
    /// changing needs `editor`.
    pub fn authorize_appmanager(
        &self,
        ns: &str,
        bearer: Option<&str>,
        write: bool,
    ) -> SimResult<()> {
        if !self.settings.auth_required {
            return Ok(());
        }
        let principal = self.principal(bearer)?;
        let need = if write { Role::Editor } else { Role::Viewer };
        Self::check_principal(&principal, Some(ns), need)
    }

    /// Checks a Platform API call; `ns` is `None` for namespace management, which needs a
    /// platform-wide (admin) token when a token is presented.
    pub fn authorize_platform(
        &self,
        ns: Option<&str>,
        bearer: Option<&str>,
        need: Role,
    ) -> SimResult<()> {
        if !self.settings.auth_required || (bearer.is_none() && self.settings.platform_anonymous) {
            return Ok(());
        }
        let principal = self.principal(bearer)?;
        Self::check_principal(&principal, ns, need)
    }

    // ----- namespaces -----------------------------------------------------------------

    /// 404 unless namespace `ns` exists; 409 when `creating` in a terminating namespace.
    pub fn require_namespace(&self, ns: &str, creating: bool) -> SimResult<()> {
        let namespace = self
            .namespaces
            .get(ns)
            .ok_or_else(|| SimError::not_found(format!("namespace {ns} not found")))?;
        if creating && namespace.lifecycle_phase == Some(LifecyclePhase::Terminating) {
            return Err(SimError::conflict(format!("namespace {ns} is terminating")));
        }
        Ok(())
    }

    /// All namespaces.
    pub fn list_namespaces(&self) -> Vec<Namespace> {
        self.namespaces.values().cloned().collect()
    }

    /// One namespace by short name.
    pub fn get_namespace(&self, ns: &str) -> SimResult<Namespace> {
        self.namespaces
            .get(ns)
            .cloned()
            .ok_or_else(|| SimError::not_found(format!("namespace {ns} not found")))
    }

    /// Creates a namespace from `{"name": "namespaces/<ns>", "roleBindings": [...]}`.
    pub fn create_namespace(&mut self, body: &Value) -> SimResult<Namespace> {
        let request: Namespace = parse(body)?;
        let short = request
            .short_name()
            .ok_or_else(|| SimError::bad_request("name must be of the form namespaces/<name>"))?
            .to_owned();
        if !valid_name(&short) {
            return Err(SimError::bad_request(format!(
                "invalid namespace name {short}"
            )));
        }
        if self.namespaces.contains_key(&short) {
            return Err(SimError::conflict(format!(
                "namespace {short} already exists"
            )));
        }
        let namespace = Namespace {
            name: request.name,
            role_bindings: Some(request.role_bindings.unwrap_or_default()),
            create_time: Some(self.clock.stamp()),
            lifecycle_phase: Some(LifecyclePhase::Active),
            ..Namespace::default()
        };
        self.namespaces.insert(short, namespace.clone());
        Ok(namespace)
    }

    /// Replaces the role bindings of namespace `ns`.
    pub fn update_namespace(&mut self, ns: &str, body: &Value) -> SimResult<Namespace> {
        let request: Namespace = parse(body)?;
        if let Some(name) = request.name.as_deref()
            && name != format!("{NAMESPACE_NAME_PREFIX}{ns}")
        {
            return Err(SimError::bad_request(format!(
                "name {name} does not match namespace {ns}"
            )));
        }
        let namespace = self
            .namespaces
            .get_mut(ns)
            .ok_or_else(|| SimError::not_found(format!("namespace {ns} not found")))?;
        namespace.role_bindings = Some(request.role_bindings.unwrap_or_default());
        Ok(namespace.clone())
    }

    /// Starts deleting namespace `ns`: it turns TERMINATING and disappears, with everything
    /// in it, at the next tick.
    pub fn delete_namespace(&mut self, ns: &str) -> SimResult<Namespace> {
        let namespace = self
            .namespaces
            .get_mut(ns)
            .ok_or_else(|| SimError::not_found(format!("namespace {ns} not found")))?;
        namespace.lifecycle_phase = Some(LifecyclePhase::Terminating);
        Ok(namespace.clone())
    }

    /// Removes terminating namespaces and all resources inside them.
    pub(super) fn finish_namespace_deletions(&mut self) {
        let gone: Vec<String> = self
            .namespaces
            .iter()
            .filter(|(_, n)| n.lifecycle_phase == Some(LifecyclePhase::Terminating))
            .map(|(name, _)| name.clone())
            .collect();
        for ns in gone {
            self.namespaces.remove(&ns);
            self.tokens.retain(|(n, _), _| *n != ns);
            self.targets.retain(|(n, _), _| *n != ns);
            self.deployments.retain(|(n, _), _| *n != ns);
            self.savepoints.retain(|(n, _), _| *n != ns);
            self.jobs.retain(|(n, _), _| *n != ns);
            self.events
                .retain(|e| e.metadata.as_ref().and_then(|m| m.namespace.as_deref()) != Some(&ns));
        }
    }

    // ----- API tokens -----------------------------------------------------------------

    /// Tokens of namespace `ns`, without secrets.
    pub fn list_tokens(&self, ns: &str) -> SimResult<Vec<ApiToken>> {
        self.require_namespace(ns, false)?;
        Ok(self
            .tokens
            .iter()
            .filter(|((n, _), _)| n == ns)
            .map(|(_, t)| t.token.clone())
            .collect())
    }

    /// One token, without its secret.
    pub fn get_token(&self, ns: &str, name: &str) -> SimResult<ApiToken> {
        self.require_namespace(ns, false)?;
        self.tokens
            .get(&key(ns, name))
            .map(|t| t.token.clone())
            .ok_or_else(|| SimError::not_found(format!("api token {name} not found")))
    }

    /// Creates a token from `{"name": "namespaces/<ns>/apitokens/<name>", "role": ...}`;
    /// the answer is the only one carrying the secret.
    pub fn create_token(&mut self, ns: &str, body: &Value) -> SimResult<ApiToken> {
        self.require_namespace(ns, true)?;
        let request: ApiToken = parse(body)?;
        let prefix = format!("{NAMESPACE_NAME_PREFIX}{ns}/apitokens/");
        let full = request.name.clone().unwrap_or_default();
        let short = full
            .strip_prefix(&prefix)
            .filter(|s| valid_name(s))
            .ok_or_else(|| {
                SimError::bad_request(format!("name must be of the form {prefix}<name>"))
            })?
            .to_owned();
        let role_name = request.role.clone().unwrap_or_default();
        let role = Role::parse(&role_name)
            .ok_or_else(|| SimError::bad_request(format!("invalid role {role_name:?}")))?;
        if self.tokens.contains_key(&key(ns, &short)) {
            return Err(SimError::conflict(format!(
                "api token {short} already exists"
            )));
        }
        let token = ApiToken {
            name: Some(full),
            role: Some(role.as_str().to_owned()),
            create_time: Some(self.clock.stamp()),
            ..ApiToken::default()
        };
        let secret = self.clock.uuid();
        self.tokens.insert(
            key(ns, &short),
            TokenRecord {
                token: token.clone(),
                namespace: ns.to_owned(),
                role,
                secret: secret.clone(),
            },
        );
        Ok(ApiToken {
            secret: Some(secret),
            ..token
        })
    }

    /// Revokes a token immediately.
    pub fn delete_token(&mut self, ns: &str, name: &str) -> SimResult<()> {
        self.require_namespace(ns, false)?;
        self.tokens
            .remove(&key(ns, name))
            .map(|_| ())
            .ok_or_else(|| SimError::not_found(format!("api token {name} not found")))
    }

    // ----- deployment targets ---------------------------------------------------------

    /// Targets of namespace `ns`.
    pub fn list_targets(&self, ns: &str) -> SimResult<Vec<DeploymentTarget>> {
        self.require_namespace(ns, false)?;
        Ok(self
            .targets
            .iter()
            .filter(|((n, _), _)| n == ns)
            .map(|(_, t)| t.clone())
            .collect())
    }

    /// One target by name.
    pub fn get_target(&self, ns: &str, name: &str) -> SimResult<DeploymentTarget> {
        self.require_namespace(ns, false)?;
        self.targets
            .get(&key(ns, name))
            .cloned()
            .ok_or_else(|| SimError::not_found(format!("deployment target {name} not found")))
    }

    /// Creates a deployment target; its name must be unique in the namespace.
    pub fn create_target(&mut self, ns: &str, body: &Value) -> SimResult<DeploymentTarget> {
        self.require_namespace(ns, true)?;
        let request: DeploymentTarget = parse(body)?;
        let metadata = request.metadata.unwrap_or_default();
        check_namespace_field(metadata.namespace.as_deref(), ns)?;
        let name = metadata.name.unwrap_or_default();
        if !valid_target_name(&name) {
            return Err(SimError::bad_request(format!(
                "invalid deployment target name {name:?}"
            )));
        }
        if self.targets.contains_key(&key(ns, &name)) {
            return Err(SimError::conflict(format!(
                "deployment target {name} already exists"
            )));
        }
        let now = self.clock.stamp();
        let mut spec = request.spec.unwrap_or_default();
        spec.extra.clear();
        let target = DeploymentTarget {
            api_version: Some("v1".to_owned()),
            kind: Some(KIND_DEPLOYMENT_TARGET.to_owned()),
            metadata: Some(DeploymentTargetMetadata {
                id: Some(self.clock.uuid()),
                name: Some(name.clone()),
                namespace: Some(ns.to_owned()),
                created_at: Some(now.clone()),
                modified_at: Some(now),
                annotations: metadata.annotations,
                labels: metadata.labels,
                resource_version: Some(1),
                ..DeploymentTargetMetadata::default()
            }),
            spec: Some(spec),
        };
        self.targets.insert(key(ns, &name), target.clone());
        Ok(target)
    }

    /// Deletes a target; 409 while a deployment references it.
    pub fn delete_target(&mut self, ns: &str, name: &str) -> SimResult<DeploymentTarget> {
        let target = self.get_target(ns, name)?;
        let id = target.metadata.as_ref().and_then(|m| m.id.clone());
        let users: Vec<String> = self
            .deployments
            .iter()
            .filter(|((n, _), r)| {
                n == ns && deployment_spec(&r.deployment).deployment_target_id == id
            })
            .filter_map(|(_, r)| r.deployment.metadata.as_ref().and_then(|m| m.name.clone()))
            .collect();
        if !users.is_empty() {
            return Err(SimError::conflict(format!(
                "deployment target {name} is used by deployments {}",
                users.join(", ")
            )));
        }
        self.targets.remove(&key(ns, name));
        Ok(target)
    }

    /// The id of target `target_id` if it exists in namespace `ns`.
    pub(super) fn target_by_id(&self, ns: &str, target_id: &str) -> Option<&DeploymentTarget> {
        self.targets.iter().find_map(|((n, _), t)| {
            (n == ns && t.metadata.as_ref().and_then(|m| m.id.as_deref()) == Some(target_id))
                .then_some(t)
        })
    }

    // ----- deployments ----------------------------------------------------------------

    /// Deployments of `ns` matching the optional label selector.
    pub fn list_deployments(&self, ns: &str, selector: Option<&str>) -> SimResult<Vec<Deployment>> {
        self.require_namespace(ns, false)?;
        Ok(self
            .deployments
            .iter()
            .filter(|((n, _), _)| n == ns)
            .map(|(_, r)| &r.deployment)
            .filter(|d| {
                selector.is_none_or(|s| {
                    matches_selector(d.metadata.as_ref().and_then(|m| m.labels.as_ref()), s)
                })
            })
            .cloned()
            .collect())
    }

    /// One deployment by id.
    pub fn get_deployment(&self, ns: &str, id: &str) -> SimResult<Deployment> {
        self.require_namespace(ns, false)?;
        self.deployments
            .get(&key(ns, id))
            .map(|r| r.deployment.clone())
            .ok_or_else(|| SimError::not_found(format!("deployment {id} not found")))
    }

    /// Creates a deployment. `status`, timestamps and `resourceVersion` in the body are
    /// ignored; a client-chosen, unused `metadata.id` is kept.
    pub fn create_deployment(&mut self, ns: &str, body: &Value) -> SimResult<Deployment> {
        self.require_namespace(ns, true)?;
        let request: Deployment = parse(body)?;
        let metadata = request.metadata.unwrap_or_default();
        check_namespace_field(metadata.namespace.as_deref(), ns)?;
        let name = metadata.name.unwrap_or_default();
        if !valid_name(&name) {
            return Err(SimError::bad_request(format!(
                "invalid deployment name {name:?}"
            )));
        }
        let spec = validate_spec(request.spec)?;
        if self.deployments.iter().any(|((n, _), r)| {
            n == ns
                && r.deployment
                    .metadata
                    .as_ref()
                    .and_then(|m| m.name.as_deref())
                    == Some(&name)
        }) {
            return Err(SimError::conflict(format!(
                "deployment {name} already exists"
            )));
        }
        let id = match metadata.id.filter(|id| !id.is_empty()) {
            Some(id) if !looks_like_uuid(&id) => {
                return Err(SimError::bad_request(format!("invalid deployment id {id}")));
            }
            Some(id) if self.deployments.contains_key(&key(ns, &id)) => {
                return Err(SimError::conflict(format!(
                    "deployment {id} already exists"
                )));
            }
            Some(id) => id,
            None => self.clock.uuid(),
        };
        let now = self.clock.stamp();
        let deployment = Deployment {
            api_version: Some("v1".to_owned()),
            kind: Some(KIND_DEPLOYMENT.to_owned()),
            metadata: Some(DeploymentMetadata {
                id: Some(id.clone()),
                name: Some(name),
                namespace: Some(ns.to_owned()),
                labels: metadata.labels,
                annotations: metadata.annotations,
                created_at: Some(now.clone()),
                modified_at: Some(now),
                resource_version: Some(1),
                ..DeploymentMetadata::default()
            }),
            spec: Some(spec),
            status: Some(DeploymentStatus {
                state: Some(DeploymentState::Cancelled),
                running: None,
            }),
        };
        self.deployments.insert(
            key(ns, &id),
            DeploymentRecord {
                deployment,
                step: Step::Idle,
                job_id: None,
                applied_template: None,
                retry_failed: false,
            },
        );
        self.evaluate(ns, &id);
        self.get_deployment(ns, &id)
    }

    /// Merges `body` (JSON merge patch of `metadata.labels`, `metadata.annotations` and
    /// `spec`) into a deployment. Every PATCH bumps `resourceVersion`; a changed spec is
    /// picked up by the state machine.
    pub fn patch_deployment(&mut self, ns: &str, id: &str, body: &Value) -> SimResult<Deployment> {
        let current = self.get_deployment(ns, id)?;
        if !body.is_object() {
            return Err(SimError::bad_request("request body must be a JSON object"));
        }
        let patch: Deployment = parse(body)?;
        let old_meta = current.metadata.clone().unwrap_or_default();
        if let Some(meta) = &patch.metadata {
            check_namespace_field(meta.namespace.as_deref(), ns)?;
            check_immutable(
                "metadata.name",
                meta.name.as_deref(),
                old_meta.name.as_deref(),
            )?;
            check_immutable("metadata.id", meta.id.as_deref(), old_meta.id.as_deref())?;
            if self.settings.enforce_resource_version
                && let Some(version) = meta.resource_version
                && Some(version) != old_meta.resource_version
            {
                return Err(SimError::conflict(format!(
                    "resourceVersion {version} does not match current {}",
                    old_meta.resource_version.unwrap_or_default()
                )));
            }
        }
        let mut merged =
            serde_json::to_value(&current).map_err(|err| SimError::new(500, err.to_string()))?;
        for field in ["labels", "annotations"] {
            if let Some(value) = body.pointer(&format!("/metadata/{field}")) {
                merge_patch(&mut merged["metadata"][field], value);
            }
        }
        if let Some(spec) = body.get("spec") {
            merge_patch(&mut merged["spec"], spec);
        }
        let mut updated: Deployment = parse(&merged)?;
        let spec = validate_spec(updated.spec.take())?;
        let spec_changed = Some(&spec) != current.spec.as_ref();
        updated.spec = Some(spec);
        let now = self.clock.stamp();
        if let Some(meta) = updated.metadata.as_mut() {
            meta.resource_version = Some(meta.resource_version.unwrap_or_default() + 1);
            meta.modified_at = Some(now);
        }
        if let Some(record) = self.deployments.get_mut(&key(ns, id)) {
            let failed = deployment_status(&record.deployment) == Some(DeploymentState::Failed);
            record.retry_failed |= spec_changed && failed;
            record.deployment = updated;
        }
        self.evaluate(ns, id);
        self.get_deployment(ns, id)
    }

    /// Deletes a deployment whose desired state is CANCELLED (409 otherwise), with its jobs.
    pub fn delete_deployment(&mut self, ns: &str, id: &str) -> SimResult<Deployment> {
        let deployment = self.get_deployment(ns, id)?;
        if deployment_spec(&deployment).state != Some(DeploymentState::Cancelled) {
            return Err(SimError::conflict(format!(
                "deployment {id} must be in desired state CANCELLED to be deleted"
            )));
        }
        self.deployments.remove(&key(ns, id));
        self.jobs.retain(|(n, _), job| {
            n != ns
                || job
                    .metadata
                    .as_ref()
                    .and_then(|m| m.deployment_id.as_deref())
                    != Some(id)
        });
        Ok(deployment)
    }

    // ----- events, jobs, savepoints ----------------------------------------------------

    /// Events of `ns`, optionally for one deployment and/or job, oldest first.
    pub fn list_events(
        &self,
        ns: &str,
        deployment_id: Option<&str>,
        job_id: Option<&str>,
    ) -> SimResult<Vec<Event>> {
        self.require_namespace(ns, false)?;
        Ok(self
            .events
            .iter()
            .filter(|e| {
                let m = e.metadata.clone().unwrap_or_default();
                m.namespace.as_deref() == Some(ns)
                    && deployment_id.is_none_or(|d| m.deployment_id.as_deref() == Some(d))
                    && job_id.is_none_or(|j| m.job_id.as_deref() == Some(j))
            })
            .cloned()
            .collect())
    }

    /// Jobs of `ns`, optionally of one deployment.
    pub fn list_jobs(&self, ns: &str, deployment_id: Option<&str>) -> SimResult<Vec<Job>> {
        self.require_namespace(ns, false)?;
        Ok(self
            .jobs
            .iter()
            .filter(|((n, _), j)| {
                n == ns
                    && deployment_id.is_none_or(|d| {
                        j.metadata.as_ref().and_then(|m| m.deployment_id.as_deref()) == Some(d)
                    })
            })
            .map(|(_, j)| j.clone())
            .collect())
    }

    /// One job by id.
    pub fn get_job(&self, ns: &str, id: &str) -> SimResult<Job> {
        self.require_namespace(ns, false)?;
        self.jobs
            .get(&key(ns, id))
            .cloned()
            .ok_or_else(|| SimError::not_found(format!("job {id} not found")))
    }

    /// Savepoints of `ns`, optionally of one deployment and/or job.
    pub fn list_savepoints(
        &self,
        ns: &str,
        deployment_id: Option<&str>,
        job_id: Option<&str>,
    ) -> SimResult<Vec<Savepoint>> {
        self.require_namespace(ns, false)?;
        Ok(self
            .savepoints
            .iter()
            .filter(|((n, _), s)| {
                let m = s.metadata.clone().unwrap_or_default();
                n == ns
                    && deployment_id.is_none_or(|d| m.deployment_id.as_deref() == Some(d))
                    && job_id.is_none_or(|j| m.job_id.as_deref() == Some(j))
            })
            .map(|(_, s)| s.clone())
            .collect())
    }

    /// One savepoint by id.
    pub fn get_savepoint(&self, ns: &str, id: &str) -> SimResult<Savepoint> {
        self.require_namespace(ns, false)?;
        self.savepoints
            .get(&key(ns, id))
            .cloned()
            .ok_or_else(|| SimError::not_found(format!("savepoint {id} not found")))
    }
}

/// 400 when a body names another namespace than the path.
fn check_namespace_field(given: Option<&str>, ns: &str) -> SimResult<()> {
    match given {
        Some(given) if !given.is_empty() && given != ns => Err(SimError::bad_request(format!(
            "metadata.namespace {given} does not match namespace {ns}"
        ))),
        _ => Ok(()),
    }
}

/// 400 when a body changes an immutable field.
fn check_immutable(field: &str, given: Option<&str>, current: Option<&str>) -> SimResult<()> {
    match given {
        Some(given) if !given.is_empty() && Some(given) != current => {
            Err(SimError::bad_request(format!("{field} is immutable")))
        }
        _ => Ok(()),
    }
}

/// The spec of a deployment (empty if missing).
pub fn deployment_spec(deployment: &Deployment) -> DeploymentSpec {
    deployment.spec.clone().unwrap_or_default()
}

/// The observed state of a deployment.
pub fn deployment_status(deployment: &Deployment) -> Option<DeploymentState> {
    deployment.status.as_ref().and_then(|s| s.state)
}

/// Checks a deployment spec as VVP needs it to run anything, and drops fields VVP 2.1 does
/// not know.
fn validate_spec(spec: Option<DeploymentSpec>) -> SimResult<DeploymentSpec> {
    let mut spec = spec.ok_or_else(|| SimError::bad_request("spec is required"))?;
    match spec.state {
        Some(
            DeploymentState::Running | DeploymentState::Suspended | DeploymentState::Cancelled,
        ) => {}
        other => {
            return Err(SimError::bad_request(format!(
                "spec.state must be RUNNING, SUSPENDED or CANCELLED, got {other:?}"
            )));
        }
    }
    if spec
        .deployment_target_id
        .as_deref()
        .is_none_or(str::is_empty)
    {
        return Err(SimError::bad_request("spec.deploymentTargetId is required"));
    }
    check_kind(
        "spec.upgradeStrategy.kind",
        spec.upgrade_strategy
            .as_ref()
            .and_then(|s| s.kind.as_deref()),
        &["STATEFUL", "STATELESS", "NONE"],
    )?;
    check_kind(
        "spec.restoreStrategy.kind",
        spec.restore_strategy
            .as_ref()
            .and_then(|s| s.kind.as_deref()),
        &["LATEST_SAVEPOINT", "LATEST_STATE", "NONE"],
    )?;
    let template = spec
        .template
        .as_mut()
        .and_then(|t| t.spec.as_mut())
        .ok_or_else(|| SimError::bad_request("spec.template.spec is required"))?;
    let artifact = template
        .artifact
        .as_mut()
        .ok_or_else(|| SimError::bad_request("spec.template.spec.artifact is required"))?;
    if artifact.kind.as_deref().is_none_or(str::is_empty) {
        return Err(SimError::bad_request(
            "spec.template.spec.artifact.kind is required",
        ));
    }
    for (field, value) in [
        ("parallelism", template.parallelism),
        ("numberOfTaskManagers", template.number_of_task_managers),
    ] {
        if value.is_some_and(|v| v < 1) {
            return Err(SimError::bad_request(format!(
                "spec.template.spec.{field} must be at least 1"
            )));
        }
    }
    artifact.extra.clear();
    template.extra.clear();
    if let Some(pods) = template.kubernetes.as_mut().map(|k| {
        k.extra.clear();
        &mut k.pods
    }) && let Some(pods) = pods
    {
        pods.extra.clear();
    }
    spec.extra.clear();
    Ok(spec)
}

/// 400 unless an optional strategy kind is one of `allowed`.
fn check_kind(field: &str, kind: Option<&str>, allowed: &[&str]) -> SimResult<()> {
    match kind {
        Some(kind) if !allowed.contains(&kind) => Err(SimError::bad_request(format!(
            "{field} must be one of {}",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut target, &json!({"a": null, "b": {"c": 4}, "e": [1]}));
        assert_eq!(target, json!({"b": {"c": 4, "d": 3}, "e": [1]}));
    }

    #[test]
    fn names_are_validated() {
        assert!(valid_name("top-speed-2"));
        assert!(!valid_name("Top"));
        assert!(!valid_name("a.b"));
        assert!(!valid_name("-a"));
        assert!(!valid_name(&"a".repeat(64)));
        assert!(valid_target_name("My_Target-1"));
        assert!(!valid_target_name("a.b"));
    }

    #[test]
    fn selectors_match_labels() {
        let labels: BTreeMap<String, String> = [
            ("app".to_owned(), "x".to_owned()),
            ("tier".to_owned(), "1".to_owned()),
        ]
        .into();
        assert!(matches_selector(Some(&labels), "app=x,tier==1"));
        assert!(matches_selector(Some(&labels), "app,!missing,tier!=2"));
        assert!(!matches_selector(Some(&labels), "app=y"));
        assert!(!matches_selector(None, "app"));
    }

    #[test]
    fn counted_status_fault_clears_itself() {
        let mut faults = Faults {
            status: Some(503),
            count: Some(2),
            path_prefix: Some("/api/".into()),
            ..Faults::default()
        };
        assert_eq!(faults.take_status("/namespaces/v1/namespaces"), None);
        assert_eq!(faults.take_status("/api/v1/status"), Some(503));
        assert_eq!(faults.take_status("/api/v1/status"), Some(503));
        assert_eq!(faults.take_status("/api/v1/status"), None);
    }

    #[test]
    fn tokens_are_scoped_and_ranked() {
        let mut sim = Simulator::new(Settings::default());
        sim.create_namespace(&json!({"name": "namespaces/other"}))
            .unwrap();
        let token = sim
            .create_token(
                "default",
                &json!({"name": "namespaces/default/apitokens/v", "role": "viewer"}),
            )
            .unwrap();
        let secret = token.secret.unwrap();
        assert_eq!(
            sim.authorize_appmanager("default", Some(&secret), false),
            Ok(())
        );
        assert_eq!(
            sim.authorize_appmanager("default", Some(&secret), true)
                .unwrap_err()
                .status,
            403
        );
        assert_eq!(
            sim.authorize_appmanager("other", Some(&secret), false)
                .unwrap_err()
                .status,
            403
        );
        assert_eq!(
            sim.authorize_appmanager("default", Some("nope"), false)
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            sim.authorize_appmanager("default", None, false)
                .unwrap_err()
                .status,
            401
        );
        sim.delete_token("default", "v").unwrap();
        assert_eq!(
            sim.authorize_appmanager("default", Some(&secret), false)
                .unwrap_err()
                .status,
            401
        );
    }
}
