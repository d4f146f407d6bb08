//! Shared support for integration tests that talk to a real Kubernetes API server.
//!
//! The control plane is found or started once per test binary:
//! 1. `RUDDER_TEST_KUBECONFIG` names the kubeconfig of a running control plane (`hack/test.sh` sets it);
//! 2. else `KUBECONFIG`, but only when its current context points at a loopback address, so a test
//!    run can never touch a real cluster by accident;
//! 3. else a private control plane is started with `hack/control-plane.sh up` in a temporary state
//!    directory, and a watchdog process stops it when the test binary exits.
//!
//! Tests fail, never skip, when no control plane can be had. Each test gets its own namespace.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

static KUBECONFIG_PATH: OnceLock<PathBuf> = OnceLock::new();

/// The kubeconfig of the test control plane, starting one if needed (once per test binary).
pub fn kubeconfig_path() -> &'static Path {
    KUBECONFIG_PATH.get_or_init(find_or_start_control_plane)
}

/// A client for the test control plane, bound to the calling test's runtime.
pub async fn client() -> Client {
    let path = kubeconfig_path();
    let kubeconfig = Kubeconfig::read_from(path)
        .unwrap_or_else(|e| panic!("cannot read kubeconfig {}: {e}", path.display()));
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap_or_else(|e| panic!("invalid kubeconfig {}: {e}", path.display()));
    Client::try_from(config).expect("kube client from test kubeconfig")
}

fn find_or_start_control_plane() -> PathBuf {
    if let Some(path) = std::env::var_os("RUDDER_TEST_KUBECONFIG") {
        return PathBuf::from(path);
    }
    if let Some(path) = std::env::var_os("KUBECONFIG").map(PathBuf::from) {
        if points_at_loopback(&path) {
            return path;
        }
        eprintln!(
            "test support: ignoring KUBECONFIG={} (not a loopback control plane)",
            path.display()
        );
    }
    start_private_control_plane()
}

/// True when the kubeconfig's current context talks to 127.0.0.0/8, ::1 or localhost.
fn points_at_loopback(path: &Path) -> bool {
    let Ok(kubeconfig) = Kubeconfig::read_from(path) else {
        return false;
    };
    let Some(context_name) = kubeconfig.current_context.as_deref() else {
        return false;
    };
    let cluster_name = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone());
    let server = kubeconfig
        .clusters
        .iter()
        .find(|c| Some(&c.name) == cluster_name.as_ref())
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone());
    server.is_some_and(|s| {
        let host = s.split("://").nth(1).unwrap_or(&s);
        host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]")
    })
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn start_private_control_plane() -> PathBuf {
    let state = std::env::temp_dir().join(format!("rudder-test-cp-{}", std::process::id()));
    let script = repo_root().join("hack/control-plane.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg("up")
        .env("RUDDER_CONTROL_PLANE_DIR", &state)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    if !output.status.success() {
        panic!(
            "control plane failed to start ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    spawn_watchdog(&script, &state);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("KUBECONFIG="))
        .unwrap_or_else(|| panic!("control-plane.sh up printed no KUBECONFIG line: {stdout}"));
    PathBuf::from(path)
}

/// Stops the private control plane once this test process has exited. The watchdog is a
/// detached grandchild (double fork), so nothing is left for this process to reap.
fn spawn_watchdog(script: &Path, state: &Path) {
    const WATCHDOG: &str = r#"setsid sh -c '
        while kill -0 "$RUDDER_WATCH_PID" 2>/dev/null; do sleep 1; done
        bash "$RUDDER_CP_SCRIPT" down' </dev/null >/dev/null 2>&1 &"#;
    let status = Command::new("sh")
        .args(["-c", WATCHDOG])
        .env("RUDDER_WATCH_PID", std::process::id().to_string())
        .env("RUDDER_CP_SCRIPT", script)
        .env("RUDDER_CONTROL_PLANE_DIR", state)
        .status()
        .expect("spawn control plane watchdog");
    assert!(status.success(), "control plane watchdog did not start");
}

/// A namespace owned by one test; delete it with [`TestNamespace::delete`] at the end.
pub struct TestNamespace {
    /// The generated namespace name (`<prefix>-<unique suffix>`).
    pub name: String,
    client: Client,
}

impl TestNamespace {
    /// Creates a fresh namespace whose name starts with `prefix`.
    pub async fn create(client: &Client, prefix: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after epoch")
            .subsec_nanos();
        let name = format!(
            "{prefix}-{:x}{:06x}",
            std::process::id() & 0xfff,
            nanos & 0xffffff
        );
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some([("rudder.dev/test".to_string(), "true".to_string())].into()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .unwrap_or_else(|e| panic!("create test namespace {name}: {e}"));
        Self {
            name,
            client: client.clone(),
        }
    }

    /// Starts deletion of the namespace (the controller manager finishes it asynchronously).
    pub async fn delete(self) {
        Api::<Namespace>::all(self.client)
            .delete(&self.name, &DeleteParams::default())
            .await
            .unwrap_or_else(|e| panic!("delete test namespace {}: {e}", self.name));
    }
}
