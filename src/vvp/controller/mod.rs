//! The VVP reconcilers: one kube-runtime [`Controller`] per kind (VpNamespace,
//! VpDeploymentTarget, VpDeployment, VpSavepoint), run together by [`run`].
//!
//! Each kind's `reconcile` is thin: it dispatches to `apply` or `cleanup` through
//! [`kube::runtime::finalizer`] (VpSavepoint has no finalizer: VVP 2.1 cannot delete
//! savepoints). Success requeues after [`Config::requeue_interval`] instead of the original
//! operator's goroutine pollers; a failure sets `Ready=False` with the error's
//! [`category`](Error::category) as reason, publishes a Warning Event when that reason is new,
//! and is retried with per-object exponential backoff (see [`error_policy`]). A deletion that
//! must wait (deployment not CANCELLED yet, target still referenced, namespace terminating)
//! is an [`Error::Pending`], so the finalizer stays until VVP confirms. Status is written by
//! server-side apply with the single field manager [`FIELD_MANAGER`], and only when it changes.

pub mod auth;
pub mod deployment;
pub mod deployment_target;
mod error;
pub mod namespace;
pub mod savepoint;
mod status;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::finalizer::{Event as FinalizerEvent, finalizer};
use kube::runtime::watcher;
use kube::{Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::Error;

use super::client::{VvpClient, VvpUrls};
use super::crd::{VpDeployment, VpDeploymentTarget, VpNamespace, VpSavepoint};
use super::metrics;

/// The field manager of every status patch and Secret rudder writes.
pub const FIELD_MANAGER: &str = "rudder";

/// The finalizer on VpNamespace, VpDeploymentTarget and VpDeployment (the original
/// operator's name, so objects it left behind are finalized by rudder).
pub const FINALIZER: &str = "finalizers.fintechstudios.com";

/// Which VVP edition rudder talks to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Edition {
    /// Namespaces and API tokens exist; VpNamespace is reconciled.
    #[default]
    Enterprise,
    /// One namespace (`default`), no API tokens, no VpNamespace controller.
    Community,
}

/// Everything the VVP controllers need besides a Kubernetes client.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where VVP is; `None` leaves the VVP controllers off.
    pub urls: Option<VvpUrls>,
    /// Enterprise or Community edition.
    pub edition: Edition,
    /// How often a converged object is looked at again (VVP state, events, savepoints).
    pub requeue_interval: Duration,
    /// Upper bound of the per-object retry backoff after failures.
    pub max_backoff: Duration,
    /// Per-call timeout of VVP requests.
    pub vvp_timeout: Duration,
    /// The environment token lookups read (`APPMANAGER_API_TOKEN[_NS]`): the process
    /// environment overlaid on the `--env-file` entries.
    pub env: BTreeMap<String, String>,
    /// The Kubernetes namespace holding the API-token Secrets rudder creates.
    pub token_secret_namespace: String,
    /// Only watch objects in this Kubernetes namespace (all namespaces when `None`).
    pub watch_namespace: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            urls: None,
            edition: Edition::Enterprise,
            requeue_interval: Duration::from_secs(10),
            max_backoff: Duration::from_secs(300),
            vvp_timeout: super::client::DEFAULT_TIMEOUT,
            env: BTreeMap::new(),
            token_secret_namespace: "default".to_owned(),
            watch_namespace: None,
        }
    }
}

/// Why the VVP controllers cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A VVP URL is not usable.
    #[error("invalid VVP URL")]
    Client(#[source] super::client::ClientConfigError),
}

/// State shared by all reconciles.
pub struct Context {
    /// The Kubernetes client.
    pub client: Client,
    /// The VVP client.
    pub vvp: VvpClient,
    /// The configuration.
    pub config: Config,
    /// Bearer tokens per VVP namespace.
    pub tokens: auth::TokenStore,
    recorder: Recorder,
    failures: Mutex<HashMap<String, u32>>,
}

impl Context {
    /// A context for `config` (whose `urls` must be set).
    pub fn new(client: Client, config: Config, urls: VvpUrls) -> Result<Self, StartError> {
        let vvp = VvpClient::new(urls)
            .map_err(StartError::Client)?
            .with_timeout(config.vvp_timeout);
        let recorder = Recorder::new(
            client.clone(),
            Reporter {
                controller: "rudder".into(),
                instance: None,
            },
        );
        Ok(Self {
            tokens: auth::TokenStore::new(&config),
            client,
            vvp,
            config,
            recorder,
            failures: Mutex::new(HashMap::new()),
        })
    }

    /// The VVP namespace an object addresses, checked against the edition: Community VVP
    /// has only `default`.
    pub fn vvp_namespace<'a>(&self, requested: Option<&'a str>) -> Result<&'a str, Error> {
        let ns = super::crd::common::vvp_namespace_or_default(requested);
        if self.config.edition == Edition::Community && ns != super::crd::DEFAULT_VVP_NAMESPACE {
            return Err(Error::InvalidSpec(format!(
                "the Community edition has only the VVP namespace \"default\", not {ns:?}"
            )));
        }
        Ok(ns)
    }

    /// The VVP namespace and token a deletion works in, or `None` when VVP can hold nothing
    /// for the object: its namespace is invalid (so it was never created there) or VVP no
    /// longer has that namespace.
    pub async fn cleanup_scope<'a>(
        &self,
        requested: Option<&'a str>,
    ) -> Result<Option<(&'a str, super::client::ApiToken)>, Error> {
        let ns = match self.vvp_namespace(requested) {
            Ok(ns) => ns,
            Err(Error::InvalidSpec(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        match self.tokens.token(self, ns).await {
            Ok(token) => Ok(Some((ns, token))),
            Err(e) if e.is_vvp_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Passes `result` through; a 401 from VVP makes the token of `ns` be replaced.
    pub async fn check_token<T>(&self, ns: &str, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(Error::Vvp(super::error::VvpError::Unauthorized { .. })) = &result {
            self.tokens.rejected(self, ns).await;
        }
        result
    }

    /// The success requeue.
    fn requeue(&self) -> Action {
        Action::requeue(self.config.requeue_interval)
    }

    fn failure_key<K: VvpResource>(obj: &K) -> String {
        format!(
            "{}/{}/{}",
            K::KIND,
            obj.namespace().unwrap_or_default(),
            obj.name_any()
        )
    }

    fn reset_failures<K: VvpResource>(&self, obj: &K) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&Self::failure_key(obj));
    }

    /// The next backoff for `obj`: 1 s, doubling per consecutive failure, capped.
    fn next_backoff<K: VvpResource>(&self, obj: &K) -> Duration {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(Self::failure_key(obj)).or_default();
        let delay = Duration::from_secs(1u64 << (*n).min(16));
        *n = n.saturating_add(1);
        delay.min(self.config.max_backoff)
    }
}

/// A VVP custom resource as the generic parts of the controllers see it.
pub trait VvpResource:
    Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
    + Clone
    + Debug
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// The kind, for logs, metric labels and backoff keys.
    const KIND: &'static str;
    /// The status conditions.
    fn conditions(&self) -> &[Condition];
}

impl VvpResource for VpNamespace {
    const KIND: &'static str = "VpNamespace";
    fn conditions(&self) -> &[Condition] {
        conditions_of(self.status.as_ref().and_then(|s| s.conditions.as_ref()))
    }
}

impl VvpResource for VpDeploymentTarget {
    const KIND: &'static str = "VpDeploymentTarget";
    fn conditions(&self) -> &[Condition] {
        conditions_of(self.status.as_ref().and_then(|s| s.conditions.as_ref()))
    }
}

impl VvpResource for VpDeployment {
    const KIND: &'static str = "VpDeployment";
    fn conditions(&self) -> &[Condition] {
        conditions_of(self.status.as_ref().and_then(|s| s.conditions.as_ref()))
    }
}

impl VvpResource for VpSavepoint {
    const KIND: &'static str = "VpSavepoint";
    fn conditions(&self) -> &[Condition] {
        conditions_of(self.status.as_ref().and_then(|s| s.conditions.as_ref()))
    }
}

fn conditions_of(c: Option<&Vec<Condition>>) -> &[Condition] {
    c.map(Vec::as_slice).unwrap_or_default()
}

/// Runs the VVP controllers until the returned future is dropped (or aborted, when spawned).
/// Without a VVP URL it logs once that they are off and returns at once.
pub async fn run(client: Client, config: Config) -> Result<(), StartError> {
    let Some(urls) = config.urls.clone() else {
        tracing::info!("VVP controllers are off: no --vvp-url given");
        return Ok(());
    };
    let edition = config.edition;
    let ctx = Arc::new(Context::new(client.clone(), config, urls)?);
    tracing::info!(?edition, "starting the VVP controllers");
    let targets = Controller::new(
        watched::<VpDeploymentTarget>(&client, &ctx.config),
        watcher::Config::default(),
    )
    .run(
        deployment_target::reconcile,
        error_policy::<VpDeploymentTarget>,
        ctx.clone(),
    )
    .for_each(log_result);
    let deployments = Controller::new(
        watched::<VpDeployment>(&client, &ctx.config),
        watcher::Config::default(),
    )
    .run(
        deployment::reconcile,
        error_policy::<VpDeployment>,
        ctx.clone(),
    )
    .for_each(log_result);
    let savepoints = Controller::new(
        watched::<VpSavepoint>(&client, &ctx.config),
        watcher::Config::default(),
    )
    .run(
        savepoint::reconcile,
        error_policy::<VpSavepoint>,
        ctx.clone(),
    )
    .for_each(log_result);
    if edition == Edition::Enterprise {
        let namespaces = Controller::new(
            watched::<VpNamespace>(&client, &ctx.config),
            watcher::Config::default(),
        )
        .run(
            namespace::reconcile,
            error_policy::<VpNamespace>,
            ctx.clone(),
        )
        .for_each(log_result);
        futures::join!(targets, deployments, savepoints, namespaces);
    } else {
        tracing::info!("Community edition: the VpNamespace controller is off");
        futures::join!(targets, deployments, savepoints);
    }
    Ok(())
}

async fn log_result<T: Debug, E: std::error::Error>(result: Result<T, E>) {
    if let Err(err) = result {
        tracing::debug!(error = %err, "VVP controller");
    }
}

/// Retry policy after a failed reconcile: [`Error::Pending`] waits its own interval; other
/// errors back off exponentially per object. Counts the failure by kind and category.
pub fn error_policy<K: VvpResource>(obj: Arc<K>, err: &Error, ctx: Arc<Context>) -> Action {
    metrics::record_reconcile(K::KIND, err.category());
    match err {
        Error::Pending { retry_after, .. } => Action::requeue(*retry_after),
        _ => {
            let delay = ctx.next_backoff(&*obj);
            tracing::warn!(
                kind = K::KIND,
                name = %obj.name_any(),
                namespace = %obj.namespace().unwrap_or_default(),
                category = err.category(),
                error = %err,
                retry_in = ?delay,
                "reconcile failed"
            );
            Action::requeue(delay)
        }
    }
}

/// The shared shape of every kind's `reconcile`: finalizer dispatch to `apply`/`cleanup`,
/// failure reporting on the object, backoff reset on success.
pub(crate) async fn reconcile_with_finalizer<K, A, AF, C, CF>(
    obj: Arc<K>,
    ctx: Arc<Context>,
    apply: A,
    cleanup: C,
) -> Result<Action, Error>
where
    K: VvpResource,
    A: FnOnce(Arc<K>, Arc<Context>) -> AF,
    AF: Future<Output = Result<Action, Error>>,
    C: FnOnce(Arc<K>, Arc<Context>) -> CF,
    CF: Future<Output = Result<Action, Error>>,
{
    let api = namespaced_api::<K>(&ctx.client, &obj);
    let ctx2 = ctx.clone();
    let result = finalizer(&api, FINALIZER, obj.clone(), |event| async move {
        match event {
            FinalizerEvent::Apply(o) => apply(o, ctx2).await,
            FinalizerEvent::Cleanup(o) => cleanup(o, ctx2).await,
        }
    })
    .await
    .map_err(Error::from_finalizer);
    finish(obj, ctx, result).await
}

/// Records the outcome of a reconcile: on failure `Ready=False` and an Event; on success a
/// backoff reset.
pub(crate) async fn finish<K: VvpResource>(
    obj: Arc<K>,
    ctx: Arc<Context>,
    result: Result<Action, Error>,
) -> Result<Action, Error> {
    match &result {
        Ok(_) => {
            ctx.reset_failures(&*obj);
            metrics::record_reconcile(K::KIND, "success");
        }
        Err(err) => status::report_failure(&*obj, &ctx, err).await,
    }
    result
}

/// The API the controller of `K` watches: one namespace or all.
fn watched<K: VvpResource>(client: &Client, config: &Config) -> Api<K> {
    match &config.watch_namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// The API of `obj`'s kind in `obj`'s namespace.
pub(crate) fn namespaced_api<K: VvpResource>(client: &Client, obj: &K) -> Api<K> {
    Api::namespaced(client.clone(), &obj.namespace().unwrap_or_default())
}
