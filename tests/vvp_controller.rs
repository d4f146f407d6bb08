//! The VVP reconcilers end to end: a real kube-apiserver (tests/support), the VVP simulator
//! in-process on a free loopback port, and `rudder::vvp::controller::run` spawned in-process
//! (restricted to the test's namespace, so tests run side by side). Covers the samples'
//! steady states, an upgrade through TRANSITIONING, savepoints, every delete flow, token
//! creation and reuse across a controller restart, the Community edition, and VVP being down
//! during create and delete.

mod support;

#[allow(dead_code)] // the tests use only part of the simulator's surface
#[path = "../examples/vvp_simulator/mod.rs"]
mod vvp_simulator;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::events::v1::Event as K8sEvent;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Client, Resource};
use rudder::vvp::client::VvpUrls;
use rudder::vvp::controller::{self, Config, Edition, auth};
use rudder::vvp::crd::{self, VpDeployment, VpDeploymentTarget, VpNamespace, VpSavepoint};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use support::TestNamespace;
use vvp_simulator::{Settings, Simulator};

const TIMEOUT: Duration = Duration::from_secs(90);
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vvp-api/samples");

// ----- harness -------------------------------------------------------------------------------

async fn install_crds(client: &Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crd::crds().expect("CRDs build") {
        let name = crd.metadata.name.clone().expect("CRD has a name");
        api.patch(
            &name,
            &PatchParams::apply("rudder-vvp-controller-test").force(),
            &Patch::Apply(&crd),
        )
        .await
        .unwrap_or_else(|e| panic!("apply CRD {name}: {e}"));
        let established = await_condition(api.clone(), &name, conditions::is_crd_established());
        tokio::time::timeout(TIMEOUT, established)
            .await
            .expect("CRD established in time")
            .expect("watch CRD");
    }
}

struct Harness {
    client: Client,
    ns: String,
    test_ns: Option<TestNamespace>,
    running: vvp_simulator::Running,
    config: Config,
    controller: Option<JoinHandle<()>>,
    auto_tick: Arc<AtomicBool>,
    ticker: JoinHandle<()>,
}

impl Harness {
    async fn new(prefix: &str, settings: Settings, edition: Edition) -> Self {
        Self::with_env(prefix, settings, edition, BTreeMap::new()).await
    }

    async fn with_env(
        prefix: &str,
        settings: Settings,
        edition: Edition,
        env: BTreeMap<String, String>,
    ) -> Self {
        let client = support::client().await;
        install_crds(&client).await;
        let test_ns = TestNamespace::create(&client, prefix).await;
        let ns = test_ns.name.clone();
        let running = vvp_simulator::start("127.0.0.1:0", Simulator::new(settings))
            .await
            .expect("simulator starts");
        let config = Config {
            urls: Some(VvpUrls::from_vvp_url(&format!("http://{}", running.addr))),
            edition,
            requeue_interval: Duration::from_secs(1),
            max_backoff: Duration::from_secs(2),
            vvp_timeout: Duration::from_secs(3),
            env,
            token_secret_namespace: ns.clone(),
            watch_namespace: Some(ns.clone()),
        };
        let auto_tick = Arc::new(AtomicBool::new(true));
        let ticker = {
            let sim = running.sim.clone();
            let flag = auto_tick.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    if flag.load(Ordering::SeqCst) {
                        sim.lock().unwrap().tick();
                    }
                }
            })
        };
        let mut harness = Self {
            client,
            ns,
            test_ns: Some(test_ns),
            running,
            config,
            controller: None,
            auto_tick,
            ticker,
        };
        harness.start_controller();
        harness
    }

    /// Starts the controllers, stopping a running instance first (a restart).
    fn start_controller(&mut self) {
        self.stop_controller();
        let run = controller::run(self.client.clone(), self.config.clone());
        self.controller = Some(tokio::spawn(async move {
            run.await.expect("controllers start");
        }));
    }

    fn stop_controller(&mut self) {
        if let Some(handle) = self.controller.take() {
            handle.abort();
        }
    }

    fn set_auto_tick(&self, on: bool) {
        self.auto_tick.store(on, Ordering::SeqCst);
    }

    fn sim(&self) -> std::sync::MutexGuard<'_, Simulator> {
        self.running.sim.lock().unwrap()
    }

    fn set_down(&self, down: bool) {
        self.sim().faults.down = down;
    }

    /// Creates `object` (apiVersion/kind/metadata.name set) in the test namespace.
    async fn create(&self, mut object: Value) {
        object["metadata"]["namespace"] = json!(self.ns);
        let api_version = object["apiVersion"].as_str().unwrap().to_owned();
        let kind = object["kind"].as_str().unwrap().to_owned();
        let (group, version) = api_version.split_once('/').unwrap();
        let gvk = GroupVersionKind::gvk(group, version, &kind);
        let plural = format!("{}s", kind.to_lowercase());
        let ar = ApiResource::from_gvk_with_plural(&gvk, &plural);
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), &self.ns, &ar);
        let obj: DynamicObject = serde_json::from_value(object).unwrap();
        api.create(&PostParams::default(), &obj)
            .await
            .unwrap_or_else(|e| panic!("create {kind}: {e}"));
    }

    async fn create_sample(&self, file: &str) -> Value {
        let text = std::fs::read_to_string(format!("{SAMPLES}/{file}")).unwrap();
        let value: Value = serde_saphyr::from_str(&text).unwrap();
        self.create(value.clone()).await;
        value
    }

    fn api<K>(&self) -> Api<K>
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug,
    {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    /// Polls `name` until `check` holds; panics with the last object after the timeout.
    async fn wait<K, F>(&self, name: &str, what: &str, check: F) -> K
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug,
        F: Fn(&K) -> bool,
    {
        let api = self.api::<K>();
        let start = Instant::now();
        loop {
            let obj = api.get_opt(name).await.expect("get");
            if let Some(o) = obj.as_ref().filter(|o| check(o)) {
                return o.clone();
            }
            if start.elapsed() > TIMEOUT {
                panic!("{name}: {what} not reached in time; last: {obj:#?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn wait_gone<K>(&self, name: &str)
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug,
    {
        let api = self.api::<K>();
        let start = Instant::now();
        while let Some(obj) = api.get_opt(name).await.expect("get") {
            if start.elapsed() > TIMEOUT {
                panic!("{name} not deleted in time: {obj:#?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn delete<K>(&self, name: &str)
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug,
    {
        self.api::<K>()
            .delete(name, &DeleteParams::default())
            .await
            .unwrap_or_else(|e| panic!("delete {name}: {e}"));
    }

    async fn events_about(&self, name: &str) -> Vec<K8sEvent> {
        let api: Api<K8sEvent> = Api::namespaced(self.client.clone(), &self.ns);
        api.list(&ListParams::default())
            .await
            .expect("list events")
            .items
            .into_iter()
            .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
            .collect()
    }

    fn vvp_deployments(&self, ns: &str) -> Vec<rudder::vvp::api::Deployment> {
        self.sim().list_deployments(ns, None).unwrap_or_default()
    }

    fn vvp_targets(&self, ns: &str) -> Vec<rudder::vvp::api::DeploymentTarget> {
        self.sim().list_targets(ns).unwrap_or_default()
    }

    fn count_requests(&self, method: &str, path_part: &str) -> usize {
        self.sim()
            .requests
            .iter()
            .filter(|r| r.method == method && r.path.contains(path_part))
            .count()
    }

    async fn finish(mut self) {
        self.stop_controller();
        self.ticker.abort();
        self.running.task.abort();
        if let Some(ns) = self.test_ns.take() {
            ns.delete().await;
        }
    }
}

/// (status, reason) of the Ready condition.
fn ready(
    conditions: Option<&Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition>>,
) -> Option<(String, String)> {
    conditions?
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| (c.status.clone(), c.reason.clone()))
}

fn dep_ready(d: &VpDeployment) -> Option<(String, String)> {
    ready(d.status.as_ref().and_then(|s| s.conditions.as_ref()))
}

fn dep_state(d: &VpDeployment) -> Option<crd::deployment::DeploymentState> {
    d.status.as_ref().and_then(|s| s.state)
}

fn is(d: Option<(String, String)>, status: &str, reason: &str) -> bool {
    d.is_some_and(|(s, r)| s == status && r == reason)
}

fn target(name: &str, vvp_ns: &str) -> Value {
    json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta2",
        "kind": "VpDeploymentTarget",
        "metadata": {"name": name},
        "spec": {"metadata": {"namespace": vvp_ns}, "spec": {"kubernetes": {"namespace": "flink"}}}
    })
}

fn deployment(name: &str, vvp_ns: &str, target: &str, parallelism: i64) -> Value {
    json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta2",
        "kind": "VpDeployment",
        "metadata": {"name": name},
        "spec": {
            "deploymentTargetName": target,
            "metadata": {"namespace": vvp_ns, "labels": {"team": "speed"}},
            "spec": {
                "state": "RUNNING",
                "upgradeStrategy": {"kind": "STATEFUL"},
                "restoreStrategy": {"kind": "LATEST_SAVEPOINT"},
                "template": {"spec": {
                    "artifact": {"kind": "JAR", "jarUri": "https://example.com/job.jar"},
                    "parallelism": parallelism,
                    "resources": {"jobmanager": {"cpu": "500m", "memory": "1g"}},
                    "flinkConfiguration": {"state.savepoints.dir": "s3://bucket/savepoints"},
                    "kubernetes": {"pods": {"securityContext": {"fsGroup": 9999}}}
                }}
            }
        }
    })
}

fn running(d: &VpDeployment) -> bool {
    dep_state(d) == Some(crd::deployment::DeploymentState::Running)
        && is(dep_ready(d), "True", "Running")
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        if start.elapsed() > TIMEOUT {
            panic!("{what}: not reached in time");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

// ----- tests ---------------------------------------------------------------------------------

/// Every sample applied unchanged (but for its Kubernetes namespace) reaches its steady state;
/// the dangling references of the samples (the v1beta1 deployment names target `top-speed`,
/// the savepoint names deployment `top-speed`) wait with a reason until they resolve. Then
/// everything is deleted and nothing is left in VVP or Kubernetes.
#[tokio::test]
async fn samples_reach_steady_state_and_delete_cleanly() {
    let h = Harness::new("vvp-samples", Settings::default(), Edition::Enterprise).await;
    for file in [
        "ververicaplatform_v1beta1_vpnamespace.yaml",
        "ververicaplatform_v1beta1_vpdeploymenttarget.yaml",
        "ververicaplatform_v1beta2_vpdeploymenttarget.yaml",
        "ververicaplatform_v1beta1_vpdeployment.yaml",
        "ververicaplatform_v1beta2_vpdeployment.yaml",
        "ververicaplatform_v1beta1_vpsavepoint.yaml",
    ] {
        h.create_sample(file).await;
    }

    let ns = h
        .wait::<VpNamespace, _>("top-speed", "Active", |n| {
            is(
                ready(n.status.as_ref().and_then(|s| s.conditions.as_ref())),
                "True",
                "Active",
            )
        })
        .await;
    assert_eq!(
        ns.status.unwrap().lifecycle_phase,
        Some(crd::namespace::NamespaceLifecyclePhase::Active)
    );
    assert!(h.sim().get_namespace("top-speed").is_ok());

    for name in ["top-speed-v1", "top-speed-v2"] {
        let t = h
            .wait::<VpDeploymentTarget, _>(name, "Ready", |t| {
                is(
                    ready(t.status.as_ref().and_then(|s| s.conditions.as_ref())),
                    "True",
                    "Created",
                )
            })
            .await;
        let id = t
            .status
            .unwrap()
            .deployment_target_id
            .expect("target id in status");
        let vvp = h.vvp_targets("default");
        assert!(
            vvp.iter()
                .any(|v| v.metadata.as_ref().unwrap().id.as_deref() == Some(&id))
        );
    }

    let v2 = h
        .wait::<VpDeployment, _>("top-speed-v2", "RUNNING", running)
        .await;
    let v2_id = v2.status.as_ref().unwrap().deployment_id.clone().unwrap();
    let vvp = h
        .sim()
        .get_deployment("default", &v2_id)
        .expect("VVP deployment");
    let vvp_spec = serde_json::to_value(vvp.spec.as_ref().unwrap()).unwrap();
    assert_eq!(
        vvp_spec["template"]["spec"]["resources"]["jobmanager"]["cpu"],
        json!(1.5)
    );
    assert_eq!(
        vvp_spec["template"]["spec"]["kubernetes"]["pods"]["labels"]["fintechstudios.com/very-important"],
        "true"
    );

    // The v1beta1 sample names a target that does not exist: it waits, then converges.
    h.wait::<VpDeployment, _>("top-speed-v1", "waiting for its target", |d| {
        is(dep_ready(d), "False", "DeploymentTargetNotFound")
    })
    .await;
    h.create(target("top-speed", "default")).await;
    h.wait::<VpDeployment, _>("top-speed-v1", "RUNNING", running)
        .await;

    // The savepoint sample names deployment `top-speed`: it waits until that exists.
    h.wait::<VpSavepoint, _>("top-speed-savepoint-1", "waiting for its deployment", |s| {
        is(
            ready(s.status.as_ref().and_then(|s| s.conditions.as_ref())),
            "False",
            "DeploymentNotFound",
        )
    })
    .await;
    h.create(deployment("top-speed", "default", "top-speed", 1))
        .await;
    let sp = h
        .wait::<VpSavepoint, _>("top-speed-savepoint-1", "COMPLETED", |s| {
            s.status.as_ref().and_then(|s| s.state)
                == Some(crd::savepoint::SavepointState::Completed)
        })
        .await;
    let sp_id = sp.status.as_ref().unwrap().savepoint_id.clone().unwrap();
    let vvp_sp = h
        .sim()
        .get_savepoint("default", &sp_id)
        .expect("VVP savepoint");
    assert!(vvp_sp.spec.unwrap().savepoint_location.is_some());
    assert_eq!(
        h.count_requests("POST", "/savepoints"),
        1,
        "one savepoint requested, however often it was reconciled"
    );

    // The token rudder created for VVP namespace `default` lives in a Secret.
    let secrets: Api<Secret> = Api::namespaced(h.client.clone(), &h.ns);
    assert!(
        secrets
            .get_opt(&auth::secret_name("default"))
            .await
            .unwrap()
            .is_some()
    );

    // Converged: no PATCH goes out while nothing changes (the original re-patched every 30 s).
    let patches = h.count_requests("PATCH", "/deployments/");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(h.count_requests("PATCH", "/deployments/"), patches);

    // VVP events became Kubernetes Events once each, with VVP's time and message.
    let v2 = h
        .wait::<VpDeployment, _>("top-speed-v2", "events seen", |d| {
            d.status
                .as_ref()
                .and_then(|s| s.last_event_time.as_ref())
                .is_some()
        })
        .await;
    let vvp_events = h.sim().list_events("default", Some(&v2_id), None).unwrap();
    let newest = vvp_events.last().unwrap().metadata.clone().unwrap();
    eventually("newest VVP event mirrored", || async {
        h.events_about("top-speed-v2").await.iter().any(|e| {
            e.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("ververicaplatform.fintechstudios.com/id"))
                == newest.id.as_ref()
        })
    })
    .await;
    let mirrored: Vec<K8sEvent> = h
        .events_about("top-speed-v2")
        .await
        .into_iter()
        .filter(|e| e.reporting_controller.as_deref() == Some("rudder.dev/vvp"))
        .collect();
    assert!(
        mirrored.len() <= vvp_events.len(),
        "no replay storm, no duplicates"
    );
    for e in &mirrored {
        let id =
            &e.metadata.annotations.as_ref().unwrap()["ververicaplatform.fintechstudios.com/id"];
        let source = vvp_events
            .iter()
            .find(|v| v.metadata.as_ref().unwrap().id.as_ref() == Some(id))
            .expect("mirrors a VVP event");
        let meta = source.metadata.as_ref().unwrap();
        assert_eq!(e.reason.as_deref(), meta.name.as_deref());
        assert_eq!(e.note, source.spec.as_ref().unwrap().message);
        let vvp_time: jiff::Timestamp = meta.created_at.as_deref().unwrap().parse().unwrap();
        assert_eq!(e.event_time.as_ref().unwrap().0, vvp_time);
    }
    let _ = v2;

    // Delete everything: VVP is emptied, the finalizers go, the token Secret of the deleted
    // VVP namespace would go too (rudder made none for `top-speed`, nothing used it).
    for name in ["top-speed-v1", "top-speed-v2", "top-speed"] {
        h.delete::<VpDeployment>(name).await;
    }
    for name in ["top-speed-v1", "top-speed-v2", "top-speed"] {
        h.delete::<VpDeploymentTarget>(name).await;
    }
    h.delete::<VpSavepoint>("top-speed-savepoint-1").await;
    h.delete::<VpNamespace>("top-speed").await;
    for name in ["top-speed-v1", "top-speed-v2", "top-speed"] {
        h.wait_gone::<VpDeployment>(name).await;
        h.wait_gone::<VpDeploymentTarget>(name).await;
    }
    h.wait_gone::<VpSavepoint>("top-speed-savepoint-1").await;
    h.wait_gone::<VpNamespace>("top-speed").await;
    assert!(h.vvp_deployments("default").is_empty());
    assert!(h.vvp_targets("default").is_empty());
    assert!(h.sim().get_namespace("top-speed").is_err());
    h.finish().await;
}

/// A template change of a RUNNING deployment goes through TRANSITIONING to RUNNING with a
/// new job; the PATCH carries VVP's resourceVersion (enforced by the simulator here).
#[tokio::test]
async fn spec_change_upgrades_through_transitioning() {
    let settings = Settings {
        enforce_resource_version: true,
        ..Settings::default()
    };
    let h = Harness::new("vvp-upgrade", settings, Edition::Enterprise).await;
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    let before = h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    let old_job = before
        .status
        .as_ref()
        .unwrap()
        .running
        .as_ref()
        .unwrap()
        .job_id
        .clone();
    assert_eq!(
        h.count_requests("PATCH", "/deployments/"),
        0,
        "created, never patched"
    );

    h.set_auto_tick(false);
    h.api::<VpDeployment>()
        .patch(
            "app",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"spec": {"template": {"spec": {"parallelism": 3}}}}})),
        )
        .await
        .unwrap();
    h.wait::<VpDeployment, _>("app", "TRANSITIONING", |d| {
        dep_state(d) == Some(crd::deployment::DeploymentState::Transitioning)
            && is(dep_ready(d), "False", "Transitioning")
    })
    .await;
    h.set_auto_tick(true);
    let after = h
        .wait::<VpDeployment, _>("app", "RUNNING again", |d| {
            running(d) && d.status.as_ref().unwrap().running.as_ref().unwrap().job_id != old_job
        })
        .await;
    assert_eq!(
        after.status.as_ref().unwrap().observed_generation,
        after.metadata.generation
    );
    let id = after.status.unwrap().deployment_id.unwrap();
    let vvp = h.sim().get_deployment("default", &id).unwrap();
    assert_eq!(
        vvp.spec
            .unwrap()
            .template
            .unwrap()
            .spec
            .unwrap()
            .parallelism,
        Some(3)
    );
    let patches: Vec<Value> = h
        .sim()
        .requests
        .iter()
        .filter(|r| r.method == "PATCH")
        .filter_map(|r| r.body.clone())
        .collect();
    assert_eq!(patches.len(), 1, "one PATCH for one change: {patches:#?}");
    assert!(patches[0]["metadata"]["resourceVersion"].is_i64());
    assert!(patches[0].get("status").is_none(), "status is never sent");
    h.finish().await;
}

/// Deletion flows: a target in use waits (409) until its deployment is gone; a RUNNING
/// deployment is cancelled, waited for, then deleted, keeping its finalizer meanwhile; a
/// namespace waits while TERMINATING and takes rudder's token Secret with it.
#[tokio::test]
async fn delete_flows_wait_for_vvp() {
    let h = Harness::new("vvp-delete", Settings::default(), Edition::Enterprise).await;
    h.create(json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta1",
        "kind": "VpNamespace",
        "metadata": {"name": "team-a"},
        "spec": {"roleBindings": [{"role": "owner", "members": ["system:authenticated"]}]}
    }))
    .await;
    h.wait::<VpNamespace, _>("team-a", "Active", |n| {
        is(
            ready(n.status.as_ref().and_then(|s| s.conditions.as_ref())),
            "True",
            "Active",
        )
    })
    .await;
    h.create(target("tgt", "team-a")).await;
    h.create(deployment("app", "team-a", "tgt", 1)).await;
    h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    let secrets: Api<Secret> = Api::namespaced(h.client.clone(), &h.ns);
    assert!(
        secrets
            .get_opt(&auth::secret_name("team-a"))
            .await
            .unwrap()
            .is_some()
    );

    // The target is still referenced: 409, retried, finalizer kept.
    h.delete::<VpDeploymentTarget>("tgt").await;
    h.wait::<VpDeploymentTarget, _>("tgt", "InUse", |t| {
        is(
            ready(t.status.as_ref().and_then(|s| s.conditions.as_ref())),
            "False",
            "InUse",
        )
    })
    .await;
    assert_eq!(h.vvp_targets("team-a").len(), 1);

    // The deployment: cancel, wait for CANCELLED (no ticks: it stays TRANSITIONING), delete.
    h.set_auto_tick(false);
    h.delete::<VpDeployment>("app").await;
    h.wait::<VpDeployment, _>("app", "cancelling", |d| {
        is(dep_ready(d), "False", "Cancelling")
    })
    .await;
    eventually("desired state CANCELLED in VVP", || async {
        h.vvp_deployments("team-a").iter().all(|d| {
            d.spec.as_ref().and_then(|s| s.state)
                == Some(rudder::vvp::api::DeploymentState::Cancelled)
        })
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = h.api::<VpDeployment>().get_opt("app").await.unwrap();
    assert!(
        still.is_some(),
        "finalizer kept while the job may still run"
    );
    assert_eq!(h.vvp_deployments("team-a").len(), 1);
    assert_eq!(h.count_requests("DELETE", "/deployments/"), 0);
    h.set_auto_tick(true);
    h.wait_gone::<VpDeployment>("app").await;
    assert!(h.vvp_deployments("team-a").is_empty());
    h.wait_gone::<VpDeploymentTarget>("tgt").await;
    assert!(h.vvp_targets("team-a").is_empty());

    // The namespace: TERMINATING, then gone; the token Secret goes with it.
    h.delete::<VpNamespace>("team-a").await;
    h.wait_gone::<VpNamespace>("team-a").await;
    assert!(h.sim().get_namespace("team-a").is_err());
    assert!(
        secrets
            .get_opt(&auth::secret_name("team-a"))
            .await
            .unwrap()
            .is_none()
    );
    h.finish().await;
}

/// rudder creates one owner token per VVP namespace, keeps it in a Secret, and a restarted
/// controller reuses it instead of creating another. An env token wins over everything.
#[tokio::test]
async fn token_is_created_once_and_reused_after_restart() {
    let mut h = Harness::new("vvp-token", Settings::default(), Edition::Enterprise).await;
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    assert_eq!(h.count_requests("POST", "/apitokens"), 1);
    let secrets: Api<Secret> = Api::namespaced(h.client.clone(), &h.ns);
    let secret = secrets.get(&auth::secret_name("default")).await.unwrap();
    let stored = String::from_utf8(secret.data.unwrap()[auth::SECRET_KEY].0.clone()).unwrap();

    // Restart: a new controller with an empty cache.
    h.start_controller();
    h.api::<VpDeployment>()
        .patch(
            "app",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"spec": {"template": {"spec": {"parallelism": 2}}}}})),
        )
        .await
        .unwrap();
    eventually("change applied after restart", || async {
        h.vvp_deployments("default").iter().any(|d| {
            d.spec
                .as_ref()
                .unwrap()
                .template
                .as_ref()
                .unwrap()
                .spec
                .as_ref()
                .unwrap()
                .parallelism
                == Some(2)
        })
    })
    .await;
    h.wait::<VpDeployment, _>("app", "RUNNING", |d| {
        running(d) && d.status.as_ref().unwrap().observed_generation == d.metadata.generation
    })
    .await;
    assert_eq!(
        h.count_requests("POST", "/apitokens"),
        1,
        "token reused, not rotated"
    );
    assert_eq!(h.count_requests("DELETE", "/apitokens"), 0);
    let again = secrets.get(&auth::secret_name("default")).await.unwrap();
    assert_eq!(
        String::from_utf8(again.data.unwrap()[auth::SECRET_KEY].0.clone()).unwrap(),
        stored
    );
    // The token shows up nowhere else: not in status, not in events.
    let obj = h.api::<VpDeployment>().get("app").await.unwrap();
    assert!(!serde_json::to_string(&obj).unwrap().contains(&stored));
    for e in h.events_about("app").await {
        assert!(!serde_json::to_string(&e).unwrap().contains(&stored));
    }

    // The token is revoked in VVP: the 401 makes rudder replace its token and Secret.
    h.sim()
        .delete_token("default", auth::VVP_TOKEN_NAME)
        .expect("revoke");
    h.api::<VpDeployment>()
        .patch(
            "app",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"spec": {"template": {"spec": {"parallelism": 3}}}}})),
        )
        .await
        .unwrap();
    eventually("change applied with a new token", || async {
        h.vvp_deployments("default").iter().any(|d| {
            d.spec
                .as_ref()
                .unwrap()
                .template
                .as_ref()
                .unwrap()
                .spec
                .as_ref()
                .unwrap()
                .parallelism
                == Some(3)
        })
    })
    .await;
    assert_eq!(h.count_requests("POST", "/apitokens"), 2);
    let replaced = secrets.get(&auth::secret_name("default")).await.unwrap();
    assert_ne!(
        String::from_utf8(replaced.data.unwrap()[auth::SECRET_KEY].0.clone()).unwrap(),
        stored
    );
    h.finish().await;

    // With an env token (the admin's), no token is created at all.
    let env = BTreeMap::from([("APPMANAGER_API_TOKEN".to_owned(), "admin-secret".to_owned())]);
    let settings = Settings {
        admin_token: Some("admin-secret".into()),
        ..Settings::default()
    };
    let h = Harness::with_env("vvp-envtoken", settings, Edition::Enterprise, env).await;
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    assert_eq!(h.count_requests("POST", "/apitokens"), 0);
    h.finish().await;
}

/// Community edition: no VpNamespace controller, only VVP namespace `default`, no tokens.
#[tokio::test]
async fn community_edition() {
    let settings = Settings {
        auth_required: false,
        ..Settings::default()
    };
    let h = Harness::new("vvp-community", settings, Edition::Community).await;
    h.create_sample("ververicaplatform_v1beta1_vpnamespace.yaml")
        .await;
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    h.create(deployment("elsewhere", "team-b", "tgt", 1)).await;
    h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    h.wait::<VpDeployment, _>("elsewhere", "rejected", |d| {
        is(dep_ready(d), "False", "InvalidSpec")
    })
    .await;
    let ns = h.api::<VpNamespace>().get("top-speed").await.unwrap();
    assert!(ns.status.is_none(), "VpNamespace is not reconciled");
    assert!(ns.metadata.finalizers.unwrap_or_default().is_empty());
    assert!(h.sim().get_namespace("top-speed").is_err());
    assert_eq!(h.count_requests("POST", "/apitokens"), 0);
    assert_eq!(h.count_requests("GET", "/namespaces/v1/"), 0);
    h.delete::<VpDeployment>("app").await;
    h.delete::<VpDeployment>("elsewhere").await;
    h.wait_gone::<VpDeployment>("app").await;
    h.wait_gone::<VpDeployment>("elsewhere").await;
    assert!(h.vvp_deployments("default").is_empty());
    h.finish().await;
}

/// VVP unreachable during create: Ready=False (Unreachable), then convergence once it is
/// back. Unreachable during delete: the finalizer stays with a Warning Event, then the
/// deletion completes. Nothing is left on either side.
#[tokio::test]
async fn vvp_down_during_create_and_delete_then_recovery() {
    let h = Harness::new("vvp-down", Settings::default(), Edition::Enterprise).await;
    h.set_down(true);
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    h.wait::<VpDeployment, _>("app", "unreachable", |d| {
        is(dep_ready(d), "False", "Unreachable")
    })
    .await;
    h.wait::<VpDeploymentTarget, _>("tgt", "unreachable", |t| {
        is(
            ready(t.status.as_ref().and_then(|s| s.conditions.as_ref())),
            "False",
            "Unreachable",
        )
    })
    .await;
    assert!(h.vvp_deployments("default").is_empty());
    h.set_down(false);
    h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    assert_eq!(
        h.vvp_deployments("default").len(),
        1,
        "no duplicate from the retries"
    );

    h.set_down(true);
    h.delete::<VpDeployment>("app").await;
    h.delete::<VpDeploymentTarget>("tgt").await;
    h.wait::<VpDeployment, _>("app", "deletion blocked", |d| {
        is(dep_ready(d), "False", "Unreachable")
    })
    .await;
    eventually("Warning event about the blocked deletion", || async {
        h.events_about("app").await.iter().any(|e| {
            e.type_.as_deref() == Some("Warning") && e.reason.as_deref() == Some("Unreachable")
        })
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        h.api::<VpDeployment>()
            .get_opt("app")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(h.vvp_deployments("default").len(), 1);
    h.set_down(false);
    h.wait_gone::<VpDeployment>("app").await;
    h.wait_gone::<VpDeploymentTarget>("tgt").await;
    assert!(h.vvp_deployments("default").is_empty());
    assert!(h.vvp_targets("default").is_empty());
    // Metrics counted the failed calls by endpoint and outcome.
    use rudder::vvp::metrics::{render, vvp_calls};
    assert!(
        vvp_calls("get_api_token", "Unreachable") > 0,
        "token lookup while down"
    );
    assert!(
        vvp_calls("get_deployment", "Unreachable") > 0,
        "deletion while down"
    );
    assert!(vvp_calls("delete_deployment", "success") > 0);
    assert!(render().contains("category=\"Unreachable\""));
    h.finish().await;
}

/// A free loopback port (bound and released; good enough for a test).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `rudder run` as a process, its stderr collected.
struct RudderProcess {
    child: std::process::Child,
    stderr: Arc<std::sync::Mutex<String>>,
}

impl RudderProcess {
    fn spawn(args: &[&str]) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
            .arg("run")
            .args(args)
            .env("RUST_LOG", "info")
            .env_remove("APPMANAGER_API_TOKEN")
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn rudder run");
        let stderr = Arc::new(std::sync::Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Self { child, stderr }
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    async fn metrics(&self, port: u16) -> Option<String> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .ok()?;
        let mut out = String::new();
        stream.read_to_string(&mut out).await.ok()?;
        Some(out)
    }
}

impl Drop for RudderProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `rudder run` without a VVP URL keeps the VVP controllers off and says so once; with one
/// (Community edition here) it reconciles, and `/metrics` counts the VVP calls.
#[tokio::test]
async fn rudder_run_binary_flags_and_metrics() {
    let kubeconfig = support::kubeconfig_path().display().to_string();
    let port = free_port();
    let off = RudderProcess::spawn(&[
        "--kubeconfig",
        &kubeconfig,
        "--metrics-addr",
        &format!("127.0.0.1:{port}"),
    ]);
    let mut metrics = None;
    for _ in 0..150 {
        metrics = off.metrics(port).await;
        if metrics.is_some() && off.log().contains("VVP controllers are off") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let metrics = metrics.expect("metrics endpoint answers");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(metrics.contains("# TYPE rudder_vvp_api_calls_total counter"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        off.log().matches("VVP controllers are off").count(),
        1,
        "{}",
        off.log()
    );
    drop(off);

    // With a VVP URL: the Community edition against the simulator, one namespace watched.
    let settings = Settings {
        auth_required: false,
        ..Settings::default()
    };
    let mut h = Harness::new("vvp-binary", settings, Edition::Community).await;
    h.stop_controller();
    let env_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        env_file.path(),
        "# tokens\nAPPMANAGER_API_TOKEN=from-env-file\n",
    )
    .unwrap();
    let port = free_port();
    let on = RudderProcess::spawn(&[
        "--kubeconfig",
        &kubeconfig,
        "--vvp-url",
        &format!("http://{}", h.running.addr),
        "--vvp-edition",
        "community",
        "--requeue-interval",
        "1",
        "--watch-namespace",
        &h.ns,
        "--env-file",
        &env_file.path().display().to_string(),
        "--metrics-addr",
        &format!("127.0.0.1:{port}"),
    ]);
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    let text = on.metrics(port).await.expect("metrics");
    assert!(
        text.contains(
            "rudder_vvp_api_calls_total{endpoint=\"create_deployment\",outcome=\"success\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("rudder_vvp_reconciles_total{kind=\"VpDeployment\""));
    assert!(!on.log().contains("from-env-file"), "tokens never logged");
    h.delete::<VpDeployment>("app").await;
    h.delete::<VpDeploymentTarget>("tgt").await;
    h.wait_gone::<VpDeployment>("app").await;
    h.wait_gone::<VpDeploymentTarget>("tgt").await;
    drop(on);
    h.finish().await;
}

/// Objects that already exist in VVP are adopted by name: no second POST, the existing id in
/// status, one PATCH when the spec differs; a target whose Kubernetes namespace differs is
/// reported (VVP 2.1 cannot update targets) rather than silently ignored.
#[tokio::test]
async fn existing_vvp_objects_are_adopted() {
    let settings = Settings {
        admin_token: Some("admin".into()),
        ..Settings::default()
    };
    let env = BTreeMap::from([("APPMANAGER_API_TOKEN".to_owned(), "admin".to_owned())]);
    let mut h = Harness::with_env("vvp-adopt", settings, Edition::Enterprise, env).await;
    h.stop_controller();
    let (target_id, deployment_id) = {
        let mut sim = h.sim();
        let t = sim
            .create_target(
                "default",
                &json!({"metadata": {"name": "tgt", "namespace": "default"},
                        "spec": {"kubernetes": {"namespace": "elsewhere"}}}),
            )
            .expect("pre-existing target");
        let target_id = t.metadata.unwrap().id.unwrap();
        let d = sim
            .create_deployment(
                "default",
                &json!({"metadata": {"name": "app", "namespace": "default"},
                        "spec": {"state": "RUNNING", "deploymentTargetId": target_id,
                                 "upgradeStrategy": {"kind": "STATEFUL"},
                                 "template": {"spec": {"artifact": {"kind": "JAR", "jarUri": "https://example.com/job.jar"},
                                                       "parallelism": 1}}}}),
            )
            .expect("pre-existing deployment");
        (target_id, d.metadata.unwrap().id.unwrap())
    };
    h.start_controller();
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 2)).await;
    let t = h
        .wait::<VpDeploymentTarget, _>("tgt", "UpdateNotSupported", |t| {
            is(
                ready(t.status.as_ref().and_then(|s| s.conditions.as_ref())),
                "False",
                "UpdateNotSupported",
            )
        })
        .await;
    assert_eq!(
        t.status.unwrap().deployment_target_id.as_deref(),
        Some(target_id.as_str())
    );
    let d = h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    assert_eq!(
        d.status.unwrap().deployment_id.as_deref(),
        Some(deployment_id.as_str())
    );
    assert_eq!(
        h.count_requests("POST", "/deployments"),
        0,
        "adopted, not created"
    );
    assert_eq!(h.count_requests("POST", "/deployment-targets"), 0);
    assert_eq!(
        h.count_requests("PATCH", "/deployments/"),
        1,
        "one PATCH for the difference"
    );
    assert_eq!(h.vvp_deployments("default").len(), 1);
    h.finish().await;
}

/// A savepoint still STARTED when the controller stops is followed up by the next controller
/// (its id lives in status), and no second savepoint is requested.
#[tokio::test]
async fn savepoint_is_polled_after_restart() {
    let mut h = Harness::new("vvp-savepoint", Settings::default(), Edition::Enterprise).await;
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    h.set_auto_tick(false);
    h.create(json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta1",
        "kind": "VpSavepoint",
        "metadata": {"name": "sp"},
        "spec": {"deploymentName": "app", "metadata": {"namespace": "default"}}
    }))
    .await;
    h.wait::<VpSavepoint, _>("sp", "STARTED", |s| {
        s.status.as_ref().and_then(|s| s.state) == Some(crd::savepoint::SavepointState::Started)
    })
    .await;
    h.stop_controller();
    h.sim().tick();
    h.start_controller();
    let sp = h
        .wait::<VpSavepoint, _>("sp", "COMPLETED", |s| {
            s.status.as_ref().and_then(|s| s.state)
                == Some(crd::savepoint::SavepointState::Completed)
                && is(
                    ready(s.status.as_ref().and_then(|s| s.conditions.as_ref())),
                    "True",
                    "Completed",
                )
        })
        .await;
    assert!(sp.status.unwrap().job_id.is_some());
    assert_eq!(h.count_requests("POST", "/savepoints"), 1);
    h.set_auto_tick(true);
    h.delete::<VpSavepoint>("sp").await;
    h.wait_gone::<VpSavepoint>("sp").await;
    h.delete::<VpDeployment>("app").await;
    h.delete::<VpDeploymentTarget>("tgt").await;
    h.wait_gone::<VpDeployment>("app").await;
    h.wait_gone::<VpDeploymentTarget>("tgt").await;
    h.finish().await;
}

/// A savepoint requested just before rudder stopped, whose id never reached the status, is found
/// again by its owner-UID annotation: the next controller requests no second savepoint.
#[tokio::test]
async fn savepoint_request_survives_a_lost_status_write() {
    let mut h = Harness::new("vvp-sp-lost", Settings::default(), Edition::Enterprise).await;
    h.create(target("tgt", "default")).await;
    h.create(deployment("app", "default", "tgt", 1)).await;
    let dep = h.wait::<VpDeployment, _>("app", "RUNNING", running).await;
    let deployment_id = dep.status.unwrap().deployment_id.expect("deployment id");
    h.stop_controller();
    h.create(json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta1",
        "kind": "VpSavepoint",
        "metadata": {"name": "sp"},
        "spec": {"deploymentName": "app", "metadata": {"namespace": "default"}}
    }))
    .await;
    let uid = Api::<VpSavepoint>::namespaced(h.client.clone(), &h.ns)
        .get("sp")
        .await
        .expect("VpSavepoint")
        .metadata
        .uid
        .expect("uid");
    // What the POST of a reconcile that stopped before its status write left in VVP.
    let requested = h
        .sim()
        .create_savepoint(
            "default",
            &json!({"metadata": {
                "deploymentId": deployment_id,
                "annotations": {controller::savepoint::OWNER_UID_ANNOTATION: uid},
            }}),
        )
        .expect("savepoint requested in VVP");
    h.start_controller();
    let sp = h
        .wait::<VpSavepoint, _>("sp", "COMPLETED", |s| {
            s.status.as_ref().and_then(|s| s.state)
                == Some(crd::savepoint::SavepointState::Completed)
        })
        .await;
    assert_eq!(
        sp.status.unwrap().savepoint_id,
        requested.metadata.unwrap().id,
        "the savepoint requested before the restart is the one in status"
    );
    assert_eq!(
        h.count_requests("POST", "/savepoints"),
        0,
        "no second savepoint requested"
    );
    h.delete::<VpSavepoint>("sp").await;
    h.wait_gone::<VpSavepoint>("sp").await;
    h.delete::<VpDeployment>("app").await;
    h.delete::<VpDeploymentTarget>("tgt").await;
    h.wait_gone::<VpDeployment>("app").await;
    h.wait_gone::<VpDeploymentTarget>("tgt").await;
    h.finish().await;
}
