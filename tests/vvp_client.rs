//! The typed VVP client (`rudder::vvp::client`) against the VVP API simulator started
//! in-process: every client method over real HTTP, the status-to-error mapping (404, 409 on a
//! referenced target, 401/403), and faults (VVP down, 5xx, slow).

#[allow(dead_code)] // the test uses only part of the simulator's surface
#[path = "../examples/vvp_simulator/mod.rs"]
mod vvp_simulator;

use std::collections::BTreeMap;
use std::time::Duration;

use rudder::vvp::api::{
    Artifact, Deployment, DeploymentMetadata, DeploymentSpec, DeploymentState, DeploymentTarget,
    DeploymentTargetMetadata, DeploymentTargetSpec, DeploymentTemplate, DeploymentTemplateSpec,
    DeploymentUpgradeStrategy, KubernetesTarget, LifecyclePhase, Namespace, RoleBinding, Savepoint,
    SavepointMetadata, SavepointState,
};
use rudder::vvp::client::{ApiToken, Endpoint, VvpClient, VvpUrls};
use rudder::vvp::error::VvpError;
use vvp_simulator::store::Faults;
use vvp_simulator::{Running, Settings, Simulator, start};

struct Vvp {
    running: Running,
    client: VvpClient,
}

impl Vvp {
    async fn start(settings: Settings) -> Self {
        let running = start("127.0.0.1:0", Simulator::new(settings))
            .await
            .expect("simulator starts");
        let client = VvpClient::new(VvpUrls::from_vvp_url(&format!("http://{}/", running.addr)))
            .expect("client")
            .with_timeout(Duration::from_secs(5));
        Self { running, client }
    }

    fn tick(&self, n: usize) {
        let mut sim = self.running.sim.lock().expect("simulator lock");
        for _ in 0..n {
            sim.tick();
        }
    }

    fn faults(&self, faults: Faults) {
        self.running.sim.lock().expect("simulator lock").faults = faults;
    }

    /// An owner token of `ns`, created anonymously through the Platform API.
    async fn owner_token(&self, ns: &str, name: &str) -> ApiToken {
        self.client
            .create_api_token(ns, name, "owner", None)
            .await
            .expect("create owner token")
            .secret
    }
}

fn target(name: &str) -> DeploymentTarget {
    DeploymentTarget {
        api_version: Some("v1".into()),
        kind: Some("DeploymentTarget".into()),
        metadata: Some(DeploymentTargetMetadata {
            name: Some(name.into()),
            namespace: Some("default".into()),
            ..DeploymentTargetMetadata::default()
        }),
        spec: Some(DeploymentTargetSpec {
            kubernetes: Some(KubernetesTarget {
                namespace: Some("flink-jobs".into()),
            }),
            ..DeploymentTargetSpec::default()
        }),
    }
}

fn deployment(name: &str, target_id: &str, state: DeploymentState) -> Deployment {
    Deployment {
        api_version: Some("v1".into()),
        kind: Some("Deployment".into()),
        metadata: Some(DeploymentMetadata {
            name: Some(name.into()),
            namespace: Some("default".into()),
            ..DeploymentMetadata::default()
        }),
        spec: Some(DeploymentSpec {
            state: Some(state),
            deployment_target_id: Some(target_id.into()),
            upgrade_strategy: Some(DeploymentUpgradeStrategy {
                kind: Some("STATELESS".into()),
            }),
            template: Some(DeploymentTemplate {
                metadata: None,
                spec: Some(DeploymentTemplateSpec {
                    artifact: Some(Artifact {
                        kind: Some("JAR".into()),
                        jar_uri: Some("https://repo/job.jar".into()),
                        flink_version: Some("1.10".into()),
                        ..Artifact::default()
                    }),
                    parallelism: Some(1),
                    flink_configuration: Some(BTreeMap::from([(
                        "state.savepoints.dir".to_owned(),
                        "s3://bucket/sp".to_owned(),
                    )])),
                    ..DeploymentTemplateSpec::default()
                }),
            }),
            ..DeploymentSpec::default()
        }),
        status: None,
    }
}

fn state_patch(state: DeploymentState) -> Deployment {
    Deployment {
        spec: Some(DeploymentSpec {
            state: Some(state),
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

fn id_of(d: &Deployment) -> String {
    d.metadata
        .as_ref()
        .and_then(|m| m.id.clone())
        .expect("deployment id")
}

fn observed(d: &Deployment) -> Option<DeploymentState> {
    d.status.as_ref().and_then(|s| s.state)
}

#[tokio::test]
async fn deployment_target_deployment_event_and_savepoint_calls() {
    let vvp = Vvp::start(Settings::default()).await;
    let c = &vvp.client;
    let token = vvp.owner_token("default", "rudder").await;
    c.status().await.expect("status answers");

    // Deployment targets: create, get by name, list.
    let created = c
        .create_deployment_target("default", &target("t1"), &token)
        .await
        .expect("create target");
    let target_id = created
        .metadata
        .as_ref()
        .and_then(|m| m.id.clone())
        .expect("target id");
    assert_eq!(
        created.metadata.as_ref().and_then(|m| m.resource_version),
        Some(1)
    );
    let fetched = c
        .get_deployment_target("default", "t1", &token)
        .await
        .expect("get target");
    assert_eq!(fetched.metadata.and_then(|m| m.id), Some(target_id.clone()));
    let targets = c
        .list_deployment_targets("default", &token)
        .await
        .expect("list");
    assert_eq!(targets.len(), 1);
    let dup = c
        .create_deployment_target("default", &target("t1"), &token)
        .await
        .expect_err("name taken");
    assert!(dup.is_conflict(), "{dup}");

    // Deployments: create, get, list, find by name, patch.
    let d = c
        .create_deployment(
            "default",
            &deployment("job", &target_id, DeploymentState::Running),
            &token,
        )
        .await
        .expect("create deployment");
    let id = id_of(&d);
    assert_eq!(observed(&d), Some(DeploymentState::Transitioning));
    vvp.tick(1);
    let d = c
        .get_deployment("default", &id, &token)
        .await
        .expect("get deployment");
    assert_eq!(observed(&d), Some(DeploymentState::Running));
    assert_eq!(
        c.list_deployments("default", &token)
            .await
            .expect("list")
            .len(),
        1
    );
    let found = c
        .find_deployment_by_name("default", "job", &token)
        .await
        .expect("find");
    assert_eq!(found.as_ref().map(id_of), Some(id.clone()));
    assert!(
        c.find_deployment_by_name("default", "nope", &token)
            .await
            .expect("find")
            .is_none()
    );
    let rv = d
        .metadata
        .as_ref()
        .and_then(|m| m.resource_version)
        .expect("rv");
    let label_patch = Deployment {
        metadata: Some(DeploymentMetadata {
            labels: Some(BTreeMap::from([("team".to_owned(), "flink".to_owned())])),
            ..DeploymentMetadata::default()
        }),
        ..Deployment::default()
    };
    let patched = c
        .patch_deployment("default", &id, &label_patch, &token)
        .await
        .expect("patch");
    let meta = patched.metadata.expect("metadata");
    assert_eq!(
        meta.labels.and_then(|l| l.get("team").cloned()).as_deref(),
        Some("flink")
    );
    assert!(meta.resource_version.expect("rv") > rv);

    // Events of the deployment, oldest first.
    let events = c.list_events("default", &id, &token).await.expect("events");
    let names: Vec<String> = events
        .iter()
        .filter_map(|e| e.metadata.as_ref().and_then(|m| m.name.clone()))
        .collect();
    assert!(
        names.contains(&"JOB_SUCCESSFULLY_STARTED".to_owned()),
        "{names:?}"
    );
    assert!(events.iter().all(
        |e| e.metadata.as_ref().and_then(|m| m.deployment_id.as_deref()) == Some(id.as_str())
    ));

    // Savepoints: trigger, STARTED, then COMPLETED after a tick.
    let request = Savepoint {
        api_version: Some("v1".into()),
        kind: Some("Savepoint".into()),
        metadata: Some(SavepointMetadata {
            deployment_id: Some(id.clone()),
            namespace: Some("default".into()),
            ..SavepointMetadata::default()
        }),
        ..Savepoint::default()
    };
    let sp = c
        .create_savepoint("default", &request, &token)
        .await
        .expect("savepoint");
    let sp_id = sp
        .metadata
        .as_ref()
        .and_then(|m| m.id.clone())
        .expect("savepoint id");
    assert_eq!(
        sp.status.and_then(|s| s.state),
        Some(SavepointState::Started)
    );
    vvp.tick(1);
    let sp = c
        .get_savepoint("default", &sp_id, &token)
        .await
        .expect("get savepoint");
    assert_eq!(
        sp.status.and_then(|s| s.state),
        Some(SavepointState::Completed)
    );
    assert!(sp.spec.and_then(|s| s.savepoint_location).is_some());

    // 409: the target is referenced; the deployment is not cancelled.
    let err = c
        .delete_deployment_target("default", "t1", &token)
        .await
        .expect_err("target in use");
    assert!(
        matches!(
            err,
            VvpError::Conflict {
                endpoint: Endpoint::DeleteDeploymentTarget,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.category(), "Conflict");
    let err = c
        .delete_deployment("default", &id, &token)
        .await
        .expect_err("still running");
    assert_eq!(err.status(), Some(409));

    // Cancel, wait for CANCELLED, delete; then the target goes too.
    let cancelling = c
        .patch_deployment(
            "default",
            &id,
            &state_patch(DeploymentState::Cancelled),
            &token,
        )
        .await
        .expect("cancel");
    assert_eq!(
        cancelling.spec.and_then(|s| s.state),
        Some(DeploymentState::Cancelled)
    );
    vvp.tick(1);
    let d = c.get_deployment("default", &id, &token).await.expect("get");
    assert_eq!(observed(&d), Some(DeploymentState::Cancelled));
    c.delete_deployment("default", &id, &token)
        .await
        .expect("delete deployment");
    let err = c
        .get_deployment("default", &id, &token)
        .await
        .expect_err("gone");
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.category(), "NotFound");
    c.delete_deployment_target("default", "t1", &token)
        .await
        .expect("delete target");
    let err = c
        .get_deployment_target("default", "t1", &token)
        .await
        .expect_err("gone");
    assert!(matches!(err, VvpError::NotFound { .. }), "{err:?}");
    // 400 with VVP's message: a savepoint request without a deployment id.
    let err = c
        .create_savepoint("default", &Savepoint::default(), &token)
        .await
        .expect_err("no deployment id");
    assert_eq!(err.category(), "BadRequest");
    assert!(
        !err.to_string().ends_with("Bad Request"),
        "VVP's message is used: {err}"
    );
}

#[tokio::test]
async fn namespace_and_token_calls() {
    let vvp = Vvp::start(Settings::default()).await;
    let c = &vvp.client;

    let ns = Namespace {
        name: Some("namespaces/top-speed".into()),
        role_bindings: Some(vec![RoleBinding {
            role: Some("owner".into()),
            members: Some(vec!["system:authenticated".into()]),
        }]),
        ..Namespace::default()
    };
    let created = c
        .create_namespace(&ns, None)
        .await
        .expect("create namespace");
    assert_eq!(created.lifecycle_phase, Some(LifecyclePhase::Active));
    let err = c.create_namespace(&ns, None).await.expect_err("exists");
    assert!(err.is_conflict());
    let got = c
        .get_namespace("top-speed", None)
        .await
        .expect("get namespace");
    assert_eq!(got.short_name(), Some("top-speed"));
    let updated = c
        .update_namespace(
            "top-speed",
            &Namespace {
                name: Some("namespaces/top-speed".into()),
                role_bindings: Some(vec![]),
                ..Namespace::default()
            },
            None,
        )
        .await
        .expect("update");
    assert_eq!(updated.role_bindings.map(|r| r.len()), Some(0));

    // Tokens: the secret only on create; revocation is immediate.
    let created = c
        .create_api_token("top-speed", "rudder", "owner", None)
        .await
        .expect("create token");
    assert_eq!(
        created.token.name.as_deref(),
        Some("namespaces/top-speed/apitokens/rudder")
    );
    assert!(
        created.token.secret.is_none(),
        "secret moved out of the description"
    );
    let secret = created.secret.clone();
    assert!(!format!("{created:?}").contains(secret.expose()));
    let fetched = c
        .get_api_token("top-speed", "rudder", None)
        .await
        .expect("get token");
    assert_eq!(fetched.role.as_deref(), Some("owner"));
    assert!(fetched.secret.is_none());
    c.list_deployments("top-speed", &secret)
        .await
        .expect("token works");
    c.delete_api_token("top-speed", "rudder", None)
        .await
        .expect("revoke");
    let err = c
        .list_deployments("top-speed", &secret)
        .await
        .expect_err("revoked");
    assert_eq!(err.category(), "Unauthorized");
    assert!(
        !format!("{err} {err:?}").contains(secret.expose()),
        "no token in errors"
    );
    let err = c
        .get_api_token("top-speed", "rudder", None)
        .await
        .expect_err("gone");
    assert!(err.is_not_found());

    // Namespace deletion: TERMINATING, then gone.
    let deleting = c.delete_namespace("top-speed", None).await.expect("delete");
    assert_eq!(deleting.lifecycle_phase, Some(LifecyclePhase::Terminating));
    vvp.tick(1);
    let err = c.get_namespace("top-speed", None).await.expect_err("gone");
    assert!(err.is_not_found(), "{err}");
    assert!(
        c.delete_namespace("top-speed", None)
            .await
            .expect_err("gone")
            .is_not_found()
    );
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_told_apart() {
    let vvp = Vvp::start(Settings::default()).await;
    let c = &vvp.client;
    c.create_namespace(
        &Namespace {
            name: Some("namespaces/other".into()),
            ..Namespace::default()
        },
        None,
    )
    .await
    .expect("namespace");
    let viewer = c
        .create_api_token("default", "ro", "viewer", None)
        .await
        .expect("viewer")
        .secret;
    let other = vvp.owner_token("other", "x").await;
    let unknown = ApiToken::new("not-a-token");

    let err = c
        .list_deployments("default", &unknown)
        .await
        .expect_err("401");
    assert!(
        matches!(
            err,
            VvpError::Unauthorized {
                endpoint: Endpoint::ListDeployments,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains("not-a-token"));
    c.list_deployments("default", &viewer)
        .await
        .expect("viewer may read");
    let err = c
        .create_deployment_target("default", &target("t"), &viewer)
        .await
        .expect_err("viewer may not write");
    assert_eq!(err.category(), "Forbidden");
    assert_eq!(err.status(), Some(403));
    let err = c
        .list_deployments("default", &other)
        .await
        .expect_err("other namespace");
    assert_eq!(err.category(), "Forbidden");
    assert!(err.to_string().contains("other"), "VVP's message: {err}");
    // A namespace token may not manage namespaces on the Platform API.
    let err = c
        .get_namespace("default", Some(&other))
        .await
        .expect_err("403");
    assert_eq!(err.category(), "Forbidden");
}

#[tokio::test]
async fn faults_down_server_errors_and_slowness() {
    let vvp = Vvp::start(Settings::default()).await;
    let token = vvp.owner_token("default", "rudder").await;
    let c = &vvp.client;

    vvp.faults(Faults {
        down: true,
        ..Faults::default()
    });
    let err = c
        .list_deployments("default", &token)
        .await
        .expect_err("down");
    assert_eq!(err.category(), "Unreachable");
    assert!(err.is_transient());
    assert!(err.status().is_none());
    assert!(c.status().await.is_err());

    vvp.faults(Faults {
        status: Some(503),
        count: Some(1),
        ..Faults::default()
    });
    let err = c
        .get_deployment_target("default", "t", &token)
        .await
        .expect_err("503");
    assert!(
        matches!(err, VvpError::Status { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(err.category(), "ServerError");
    assert!(err.to_string().contains("simulated fault"), "{err}");
    // The counted fault is used up: the next call reaches VVP (404, the target is unknown).
    let err = c
        .get_deployment_target("default", "t", &token)
        .await
        .expect_err("404");
    assert!(err.is_not_found());

    vvp.faults(Faults {
        status: Some(500),
        path_prefix: Some("/namespaces/".into()),
        ..Faults::default()
    });
    assert_eq!(
        c.get_namespace("default", None)
            .await
            .expect_err("500")
            .category(),
        "ServerError"
    );
    c.list_deployments("default", &token)
        .await
        .expect("AppManager unaffected");

    vvp.faults(Faults {
        delay_ms: 1500,
        ..Faults::default()
    });
    let impatient = c.clone().with_timeout(Duration::from_millis(300));
    let err = impatient
        .list_deployments("default", &token)
        .await
        .expect_err("slow");
    assert_eq!(err.category(), "Timeout");
    c.list_deployments("default", &token)
        .await
        .expect("patient client waits");

    // Recovery: with the faults gone every call works again.
    vvp.faults(Faults::default());
    c.status().await.expect("back");
    assert!(
        c.list_deployments("default", &token)
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn separate_app_manager_and_platform_urls() {
    let vvp = Vvp::start(Settings::default()).await;
    let base = format!("http://{}", vvp.running.addr);
    let client = VvpClient::new(VvpUrls {
        app_manager: format!("{base}/api/"),
        platform: base.clone(),
    })
    .expect("client");
    let token = client
        .create_api_token("default", "t", "editor", None)
        .await
        .expect("token")
        .secret;
    client
        .list_deployments("default", &token)
        .await
        .expect("list");
    // A wrong Application Manager base gives the simulator's 404 for unknown routes.
    let wrong = VvpClient::new(VvpUrls {
        app_manager: format!("{base}/nope"),
        platform: base,
    })
    .expect("client");
    let err = wrong
        .list_deployments("default", &token)
        .await
        .expect_err("no route");
    assert!(err.is_not_found());
    assert!(VvpClient::new(VvpUrls::from_vvp_url("vvp:8081")).is_err());
}

#[tokio::test]
async fn stale_resource_version_is_a_conflict_when_vvp_enforces_it() {
    let vvp = Vvp::start(Settings {
        enforce_resource_version: true,
        ..Settings::default()
    })
    .await;
    let c = &vvp.client;
    let token = vvp.owner_token("default", "rudder").await;
    let target = c
        .create_deployment_target("default", &target("t"), &token)
        .await
        .expect("target");
    let target_id = target.metadata.and_then(|m| m.id).expect("target id");
    let created = c
        .create_deployment(
            "default",
            &deployment("job", &target_id, DeploymentState::Cancelled),
            &token,
        )
        .await
        .expect("deployment");
    let id = id_of(&created);
    let rv = created
        .metadata
        .as_ref()
        .and_then(|m| m.resource_version)
        .expect("rv");
    let with_rv = |rv: i64| Deployment {
        metadata: Some(DeploymentMetadata {
            resource_version: Some(rv),
            ..DeploymentMetadata::default()
        }),
        ..state_patch(DeploymentState::Suspended)
    };
    let patched = c
        .patch_deployment("default", &id, &with_rv(rv), &token)
        .await
        .expect("current resourceVersion accepted");
    assert!(
        patched
            .metadata
            .and_then(|m| m.resource_version)
            .expect("rv")
            > rv
    );
    let err = c
        .patch_deployment("default", &id, &with_rv(rv), &token)
        .await
        .expect_err("stale resourceVersion");
    assert!(
        matches!(
            err,
            VvpError::Conflict {
                endpoint: Endpoint::PatchDeployment,
                ..
            }
        ),
        "{err:?}"
    );
}
