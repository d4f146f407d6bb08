//! End-to-end tests of the VVP API simulator (`examples/vvp-simulator.rs`): every endpoint
//! over real HTTP, with every request and response body checked against the VVP 2.1 swagger
//! documents in `../shared/vvp-api/`.

#[allow(dead_code)] // the test uses only part of the simulator's surface
#[path = "../examples/vvp_simulator/mod.rs"]
mod vvp_simulator;

use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use vvp_simulator::{Settings, Simulator, start};

// ----- swagger validation ---------------------------------------------------------------

const APPMANAGER_SWAGGER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/vvp-api/appmanager-api-swagger.json"
);
const PLATFORM_SWAGGER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/vvp-api/platform-api-swagger.json"
);

/// Fields VVP 2.1 uses that its generated swagger omits (BEHAVIOUR.md §4.2 caveat: `Artifact`
/// lost its JAR subtype fields; the restore strategy's flag is used by VVP 2.1 clients).
const SWAGGER_GAPS: &[(&str, &[&str])] = &[
    (
        "Artifact",
        &[
            "jarUri",
            "mainArgs",
            "entryClass",
            "flinkVersion",
            "flinkImageRegistry",
            "flinkImageRepository",
            "flinkImageTag",
        ],
    ),
    ("DeploymentRestoreStrategy", &["allowNonRestoredState"]),
];

/// Swagger definitions typed as free-form JSON.
const FREE_FORM: &[&str] = &["JsonNode", "ObjectNode"];

static SWAGGERS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    [APPMANAGER_SWAGGER, PLATFORM_SWAGGER]
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
            serde_json::from_str(&text).unwrap()
        })
        .collect()
});

/// The swagger document and operation for a concrete request.
fn operation(method: &str, path: &str) -> Option<(&'static Value, &'static Value)> {
    let path = path.split('?').next().unwrap();
    let segments: Vec<&str> = path.split('/').collect();
    SWAGGERS.iter().find_map(|doc| {
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find_map(|(template, ops)| {
                let t: Vec<&str> = template.split('/').collect();
                let matches = t.len() == segments.len()
                    && t.iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()));
                let op = ops.get(method.to_ascii_lowercase())?;
                matches.then_some((doc, op))
            })
    })
}

/// Checks `value` against `schema` of swagger `doc`; collects violations in `errors`.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/definitions/");
        if FREE_FORM.contains(&name) {
            return;
        }
        let definition = &doc["definitions"][name];
        assert!(!definition.is_null(), "unknown definition {name}");
        validate_object(doc, name, definition, value, at, errors);
        return;
    }
    match schema["type"].as_str() {
        Some("array") => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    validate(doc, &schema["items"], item, &format!("{at}[{i}]"), errors);
                }
            }
            None => errors.push(format!("{at}: expected array, got {value}")),
        },
        Some("object") => match (value.as_object(), schema.get("additionalProperties")) {
            (Some(map), Some(inner)) => {
                for (k, v) in map {
                    validate(doc, inner, v, &format!("{at}.{k}"), errors);
                }
            }
            (Some(_), None) => {}
            (None, _) => errors.push(format!("{at}: expected object, got {value}")),
        },
        Some("string") => match value.as_str() {
            Some(s) => {
                if let Some(allowed) = schema["enum"].as_array()
                    && !allowed.iter().any(|a| a == s)
                {
                    errors.push(format!("{at}: {s:?} not in enum"));
                }
            }
            None => errors.push(format!("{at}: expected string, got {value}")),
        },
        Some("integer") if !value.is_i64() => {
            errors.push(format!("{at}: expected integer, got {value}"))
        }
        Some("number") if !value.is_number() => {
            errors.push(format!("{at}: expected number, got {value}"))
        }
        Some("boolean") if !value.is_boolean() => {
            errors.push(format!("{at}: expected boolean, got {value}"))
        }
        _ => {}
    }
}

/// Checks that every property of `value` exists in definition `name`, recursively.
fn validate_object(
    doc: &Value,
    name: &str,
    def: &Value,
    value: &Value,
    at: &str,
    errors: &mut Vec<String>,
) {
    let Some(map) = value.as_object() else {
        errors.push(format!("{at}: expected {name} object, got {value}"));
        return;
    };
    let empty = serde_json::Map::new();
    let properties = def["properties"].as_object().unwrap_or(&empty);
    let gaps = SWAGGER_GAPS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[][..], |(_, g)| g);
    for (key, v) in map {
        match properties.get(key) {
            Some(schema) => validate(doc, schema, v, &format!("{at}.{key}"), errors),
            None if gaps.contains(&key.as_str()) => {}
            None => errors.push(format!("{at}.{key}: not a property of {name}")),
        }
    }
}

/// Asserts that a request body and a 2xx response body fit the swagger operation, and that
/// error bodies are VVP error objects.
fn check_against_swagger(
    method: &str,
    path: &str,
    request: Option<&Value>,
    status: u16,
    response: &Value,
) {
    if path.starts_with("/__sim/") {
        return;
    }
    let Some((doc, op)) = operation(method, path) else {
        panic!("{method} {path} is not in the swagger documents");
    };
    let mut errors = Vec::new();
    if let Some(body) = request {
        let param = op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["in"] == "body"))
            .unwrap_or_else(|| panic!("{method} {path} takes no body"));
        validate(doc, &param["schema"], body, "request", &mut errors);
    }
    if (200..300).contains(&status) {
        assert!(
            op["responses"].get(status.to_string()).is_some(),
            "{method} {path}: status {status} not declared in swagger"
        );
        validate(
            doc,
            &op["responses"]["200"]["schema"],
            response,
            "response",
            &mut errors,
        );
    } else {
        assert!(
            response["message"].is_string(),
            "{method} {path}: error body {response}"
        );
    }
    assert!(errors.is_empty(), "{method} {path}: {errors:#?}");
}

// ----- a minimal HTTP client ------------------------------------------------------------

struct Vvp {
    addr: SocketAddr,
    token: Option<String>,
}

/// One answer: status and JSON body (`Null` if empty).
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
}

/// Sends one HTTP/1.1 request and reads the whole answer. Blocking I/O on the blocking
/// pool, so the in-process server keeps running on the test's runtime.
async fn raw_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Write};
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: vvp\r\nAccept: application/json\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.write_all(request.as_bytes())?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        Ok(response)
    })
    .await
    .map_err(std::io::Error::other)?
}

fn parse_response(raw: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head
        .lines()
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).ok()?
    };
    Some(Answer { status, body })
}

impl Vvp {
    async fn new(settings: Settings) -> Self {
        let running = start("127.0.0.1:0", Simulator::new(settings))
            .await
            .unwrap();
        Self {
            addr: running.addr,
            token: None,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call_as(self.token.as_deref(), method, path, body)
            .await
    }

    async fn call_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let raw = raw_request(self.addr, method, path, token, body.as_ref())
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let answer = parse_response(&raw).unwrap_or_else(|| {
            panic!(
                "{method} {path}: bad response {:?}",
                String::from_utf8_lossy(&raw)
            )
        });
        check_against_swagger(method, path, body.as_ref(), answer.status, &answer.body);
        answer
    }

    async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call("PATCH", path, Some(body)).await
    }
    async fn delete(&self, path: &str) -> Answer {
        self.call("DELETE", path, None).await
    }
    async fn admin(&self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(body)).await
    }
    async fn tick(&self) {
        assert_eq!(self.admin("/__sim/tick", json!({})).await.status, 200);
    }

    /// A simulator with an owner token for `default` in `self.token`.
    async fn with_owner_token() -> Self {
        let mut vvp = Self::new(Settings::default()).await;
        let created = vvp
            .post(
                "/apitokens/v1/namespaces/default/apitokens",
                json!({"name": "namespaces/default/apitokens/admin", "role": "owner"}),
            )
            .await;
        assert_eq!(created.status, 200, "{:?}", created.body);
        vvp.token = Some(
            created.body["apiToken"]["secret"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        vvp
    }
}

const DEPLOYMENTS: &str = "/api/v1/namespaces/default/deployments";
const TARGETS: &str = "/api/v1/namespaces/default/deployment-targets";

fn target_body(name: &str) -> Value {
    json!({"apiVersion": "v1", "metadata": {"name": name, "namespace": "default", "labels": {"a": "b"}},
           "spec": {"kubernetes": {"namespace": "flink-jobs"}}})
}

/// A deployment body as the original operator sends it: status and zero timestamps included.
fn deployment_body(name: &str, target_id: &str, state: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Deployment",
        "metadata": {"createdAt": "0001-01-01T00:00:00Z", "modifiedAt": "0001-01-01T00:00:00Z",
                     "name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {"deploymentTargetId": target_id, "maxJobCreationAttempts": 4, "maxSavepointCreationAttempts": 4,
                 "restoreStrategy": {"kind": "LATEST_SAVEPOINT", "allowNonRestoredState": false},
                 "state": state, "upgradeStrategy": {"kind": "STATEFUL"},
                 "template": {"metadata": {"annotations": {"test": "true"}},
                   "spec": {"artifact": {"kind": "JAR", "jarUri": "https://repo/TopSpeedWindowing.jar",
                                         "flinkVersion": "1.10", "flinkImageTag": "1.10.0-stream1-scala_2.12"},
                            "flinkConfiguration": {"state.savepoints.dir": "s3://bucket/sp"},
                            "kubernetes": {"pods": {"annotations": {"x": "y"}, "envVars": [{"name": "A", "value": "1"}]}},
                            "logging": {"log4jLoggers": {"com.example": "DEBUG"}},
                            "numberOfTaskManagers": 2, "parallelism": 2,
                            "resources": {"jobmanager": {"cpu": 1.5, "memory": "1g"}, "taskmanager": {"memory": "1.5g"}}}}},
        "status": {"state": "RUNNING"}
    })
}

/// Creates a target and a deployment in `state`; returns (target id, deployment id).
async fn setup_deployment(vvp: &Vvp, name: &str, state: &str) -> (String, String) {
    let target = vvp
        .post(TARGETS, target_body(&format!("{name}-target")))
        .await;
    assert_eq!(target.status, 201, "{:?}", target.body);
    let target_id = target.body["metadata"]["id"].as_str().unwrap().to_owned();
    let created = vvp
        .post(DEPLOYMENTS, deployment_body(name, &target_id, state))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    (
        target_id,
        created.body["metadata"]["id"].as_str().unwrap().to_owned(),
    )
}

fn event_names(events: &Answer) -> Vec<String> {
    events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap().to_owned())
        .collect()
}

// ----- tests ----------------------------------------------------------------------------

#[tokio::test]
async fn namespaces_have_a_lifecycle() {
    let mut vvp = Vvp::new(Settings {
        admin_token: Some("root".into()),
        ..Settings::default()
    })
    .await;
    vvp.token = Some("root".into());
    let list = vvp.get("/namespaces/v1/namespaces").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["namespaces"][0]["name"], "namespaces/default");

    let body = json!({"name": "namespaces/top-speed", "roleBindings": [{"role": "owner", "members": ["system:authenticated"]}]});
    let created = vvp.post("/namespaces/v1/namespaces", body.clone()).await;
    assert_eq!(created.status, 200);
    assert_eq!(
        created.body["namespace"]["lifecyclePhase"],
        "LIFECYCLE_PHASE_ACTIVE"
    );
    assert!(created.body["namespace"]["createTime"].is_string());
    assert_eq!(
        vvp.post("/namespaces/v1/namespaces", body).await.status,
        409
    );
    let bad = vvp
        .post("/namespaces/v1/namespaces", json!({"name": "top.speed"}))
        .await;
    assert_eq!(bad.status, 400);

    let update = json!({"name": "namespaces/top-speed", "roleBindings": [{"role": "viewer", "members": ["bob"]}]});
    let updated = vvp
        .call("PUT", "/namespaces/v1/namespaces/top-speed", Some(update))
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.body["namespace"]["roleBindings"][0]["role"],
        "viewer"
    );
    let mismatch = json!({"name": "namespaces/other"});
    assert_eq!(
        vvp.call("PUT", "/namespaces/v1/namespaces/top-speed", Some(mismatch))
            .await
            .status,
        400
    );
    let missing = json!({"name": "namespaces/nope"});
    assert_eq!(
        vvp.call("PUT", "/namespaces/v1/namespaces/nope", Some(missing))
            .await
            .status,
        404
    );

    let deleted = vvp.delete("/namespaces/v1/namespaces/top-speed").await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.body["namespace"]["lifecyclePhase"],
        "LIFECYCLE_PHASE_TERMINATING"
    );
    let still = vvp.get("/namespaces/v1/namespaces/top-speed").await;
    assert_eq!(
        still.body["namespace"]["lifecyclePhase"],
        "LIFECYCLE_PHASE_TERMINATING"
    );
    // No new resources in a terminating namespace.
    let target = vvp
        .post(
            "/api/v1/namespaces/top-speed/deployment-targets",
            target_body("t"),
        )
        .await;
    assert_eq!(target.status, 409);
    vvp.tick().await;
    let gone = vvp.get("/namespaces/v1/namespaces/top-speed").await;
    assert_eq!(gone.status, 404);
    assert!(gone.body["message"].as_str().unwrap().contains("top-speed"));
    assert_eq!(
        vvp.delete("/namespaces/v1/namespaces/top-speed")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn api_tokens_gate_the_appmanager_api() {
    let vvp = Vvp::new(Settings::default()).await;
    vvp.post(
        "/namespaces/v1/namespaces",
        json!({"name": "namespaces/other"}),
    )
    .await;
    let tokens = "/apitokens/v1/namespaces/default/apitokens";
    let owner = vvp
        .post(
            tokens,
            json!({"name": "namespaces/default/apitokens/op", "role": "owner"}),
        )
        .await;
    assert_eq!(owner.status, 200);
    let owner_secret = owner.body["apiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer = vvp
        .post(
            tokens,
            json!({"name": "namespaces/default/apitokens/ro", "role": "viewer"}),
        )
        .await;
    let viewer_secret = viewer.body["apiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = vvp
        .post(
            "/apitokens/v1/namespaces/other/apitokens",
            json!({"name": "namespaces/other/apitokens/x", "role": "owner"}),
        )
        .await;
    let other_secret = other.body["apiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    // Create validation.
    let dup = vvp
        .post(
            tokens,
            json!({"name": "namespaces/default/apitokens/op", "role": "owner"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    let short = vvp
        .post(tokens, json!({"name": "op2", "role": "owner"}))
        .await;
    assert_eq!(short.status, 400);
    let role = vvp
        .post(
            tokens,
            json!({"name": "namespaces/default/apitokens/x", "role": "god"}),
        )
        .await;
    assert_eq!(role.status, 400);
    assert_eq!(
        vvp.post(
            "/apitokens/v1/namespaces/nope/apitokens",
            json!({"name": "namespaces/nope/apitokens/x", "role": "owner"})
        )
        .await
        .status,
        404
    );

    // The secret is only in the create answer.
    let fetched = vvp.get(&format!("{tokens}/op")).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["apiToken"]["role"], "owner");
    assert!(fetched.body["apiToken"].get("secret").is_none());
    let list = vvp.get(tokens).await;
    assert_eq!(list.body["apiTokens"].as_array().unwrap().len(), 2);
    assert!(
        list.body["apiTokens"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("secret").is_none())
    );
    assert_eq!(vvp.get(&format!("{tokens}/missing")).await.status, 404);

    // AppManager checks.
    assert_eq!(
        vvp.call_as(None, "GET", DEPLOYMENTS, None).await.status,
        401
    );
    assert_eq!(
        vvp.call_as(Some("bogus"), "GET", DEPLOYMENTS, None)
            .await
            .status,
        401
    );
    assert_eq!(
        vvp.call_as(Some(""), "GET", DEPLOYMENTS, None).await.status,
        401
    );
    assert_eq!(
        vvp.call_as(Some(&owner_secret), "GET", DEPLOYMENTS, None)
            .await
            .status,
        200
    );
    assert_eq!(
        vvp.call_as(Some(&viewer_secret), "GET", DEPLOYMENTS, None)
            .await
            .status,
        200
    );
    let write = vvp
        .call_as(
            Some(&viewer_secret),
            "POST",
            TARGETS,
            Some(target_body("t")),
        )
        .await;
    assert_eq!(write.status, 403);
    assert_eq!(
        vvp.call_as(Some(&other_secret), "GET", DEPLOYMENTS, None)
            .await
            .status,
        403
    );
    assert_eq!(
        vvp.call_as(Some(&owner_secret), "POST", TARGETS, Some(target_body("t")))
            .await
            .status,
        201
    );

    // Platform API: anonymous allowed; a presented token is checked.
    let viewer_tokens = vvp.call_as(Some(&viewer_secret), "GET", tokens, None).await;
    assert_eq!(viewer_tokens.status, 403);
    assert_eq!(
        vvp.call_as(Some("bogus"), "GET", tokens, None).await.status,
        401
    );
    let ns_create = vvp
        .call_as(
            Some(&owner_secret),
            "POST",
            "/namespaces/v1/namespaces",
            Some(json!({"name": "namespaces/x"})),
        )
        .await;
    assert_eq!(ns_create.status, 403);

    // Revocation is immediate.
    let deleted = vvp.delete(&format!("{tokens}/op")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, json!({}));
    assert_eq!(
        vvp.call_as(Some(&owner_secret), "GET", DEPLOYMENTS, None)
            .await
            .status,
        401
    );
    assert_eq!(vvp.delete(&format!("{tokens}/op")).await.status, 404);
}

#[tokio::test]
async fn admin_token_and_community_mode() {
    let settings = Settings {
        admin_token: Some("root".into()),
        platform_anonymous: false,
        ..Settings::default()
    };
    let vvp = Vvp::new(settings).await;
    assert_eq!(
        vvp.call_as(None, "GET", "/namespaces/v1/namespaces", None)
            .await
            .status,
        401
    );
    assert_eq!(
        vvp.call_as(Some("root"), "GET", "/namespaces/v1/namespaces", None)
            .await
            .status,
        200
    );
    assert_eq!(
        vvp.call_as(Some("root"), "GET", DEPLOYMENTS, None)
            .await
            .status,
        200
    );

    let community = Vvp::new(Settings {
        auth_required: false,
        ..Settings::default()
    })
    .await;
    assert_eq!(
        community
            .call_as(Some("no-op-token"), "GET", DEPLOYMENTS, None)
            .await
            .status,
        200
    );
    assert_eq!(
        community
            .call_as(None, "POST", TARGETS, Some(target_body("t")))
            .await
            .status,
        201
    );
    // Switch to enterprise at run time.
    let config = community
        .admin("/__sim/config", json!({"authRequired": true}))
        .await;
    assert_eq!(config.body["authRequired"], true);
    assert_eq!(
        community
            .call_as(Some("no-op-token"), "GET", DEPLOYMENTS, None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn deployment_targets_are_named_and_protected() {
    let vvp = Vvp::with_owner_token().await;
    let created = vvp.post(TARGETS, target_body("top-speed")).await;
    assert_eq!(created.status, 201);
    let meta = &created.body["metadata"];
    assert_eq!(created.body["kind"], "DeploymentTarget");
    assert_eq!(meta["resourceVersion"], 1);
    assert_eq!(meta["namespace"], "default");
    assert!(meta["createdAt"].is_string() && meta["modifiedAt"].is_string());
    let target_id = meta["id"].as_str().unwrap().to_owned();

    assert_eq!(
        vvp.post(TARGETS, target_body("top-speed")).await.status,
        409
    );
    assert_eq!(
        vvp.post(TARGETS, target_body("top.speed")).await.status,
        400
    );
    let wrong_ns = json!({"metadata": {"name": "x", "namespace": "other"}, "spec": {}});
    assert_eq!(vvp.post(TARGETS, wrong_ns).await.status, 400);
    assert_eq!(vvp.call("POST", TARGETS, None).await.status, 400);

    let fetched = vvp.get(&format!("{TARGETS}/top-speed")).await;
    assert_eq!(fetched.body, created.body);
    let list = vvp.get(TARGETS).await;
    assert_eq!(list.body["kind"], "DeploymentTargetList");
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(vvp.get(&format!("{TARGETS}/nope")).await.status, 404);
    assert_eq!(
        vvp.get("/api/v1/namespaces/nope/deployment-targets")
            .await
            .status,
        403
    );

    // In use: 409 until the deployment is gone.
    let deployment = vvp
        .post(DEPLOYMENTS, deployment_body("job", &target_id, "CANCELLED"))
        .await;
    let deployment_id = deployment.body["metadata"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_use = vvp.delete(&format!("{TARGETS}/top-speed")).await;
    assert_eq!(in_use.status, 409);
    assert!(in_use.body["message"].as_str().unwrap().contains("job"));
    assert_eq!(
        vvp.delete(&format!("{DEPLOYMENTS}/{deployment_id}"))
            .await
            .status,
        200
    );
    let deleted = vvp.delete(&format!("{TARGETS}/top-speed")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body["metadata"]["id"], target_id.as_str());
    assert_eq!(
        vvp.delete(&format!("{TARGETS}/top-speed")).await.status,
        404
    );
}

#[tokio::test]
async fn deployment_runs_suspends_resumes_and_cancels() {
    let vvp = Vvp::with_owner_token().await;
    let (_, id) = setup_deployment(&vvp, "top-speed", "RUNNING").await;
    let path = format!("{DEPLOYMENTS}/{id}");

    let created = vvp.get(&path).await;
    assert_eq!(created.body["status"]["state"], "TRANSITIONING");
    let created_version = created.body["metadata"]["resourceVersion"]
        .as_i64()
        .unwrap();
    assert!(created_version >= 1);
    assert_ne!(
        created.body["metadata"]["createdAt"],
        "0001-01-01T00:00:00Z"
    );
    vvp.tick().await;
    let running = vvp.get(&path).await;
    assert_eq!(running.body["status"]["state"], "RUNNING");
    let job_id = running.body["status"]["running"]["jobId"]
        .as_str()
        .unwrap()
        .to_owned();
    let job = vvp
        .get(&format!("/api/v1/namespaces/default/jobs/{job_id}"))
        .await;
    assert_eq!(job.body["status"]["state"], "STARTED");
    assert_eq!(
        job.body["spec"]["deploymentTarget"]["kubernetes"]["namespace"],
        "flink-jobs"
    );
    assert_eq!(job.body["spec"].get("savepointLocation"), None);

    // A no-op PATCH of the full object bumps resourceVersion and starts nothing.
    let events_before = vvp
        .get(&format!(
            "/api/v1/namespaces/default/events?deploymentId={id}"
        ))
        .await;
    let full = deployment_body(
        "top-speed",
        running.body["spec"]["deploymentTargetId"].as_str().unwrap(),
        "RUNNING",
    );
    let patched = vvp.patch(&path, full).await;
    assert_eq!(patched.status, 200);
    let running_version = running.body["metadata"]["resourceVersion"]
        .as_i64()
        .unwrap();
    assert!(
        running_version > created_version,
        "status changes are writes"
    );
    assert_eq!(
        patched.body["metadata"]["resourceVersion"],
        running_version + 1
    );
    assert_eq!(patched.body["status"]["state"], "RUNNING");
    let events_after = vvp
        .get(&format!(
            "/api/v1/namespaces/default/events?deploymentId={id}"
        ))
        .await;
    assert_eq!(event_names(&events_before), event_names(&events_after));

    // Suspend: a SUSPEND savepoint, then SUSPENDED.
    let suspending = vvp
        .patch(&path, json!({"spec": {"state": "SUSPENDED"}}))
        .await;
    assert_eq!(suspending.body["status"]["state"], "TRANSITIONING");
    vvp.tick().await;
    let suspended = vvp.get(&path).await;
    assert_eq!(suspended.body["status"]["state"], "SUSPENDED");
    let savepoints = vvp
        .get(&format!(
            "/api/v1/namespaces/default/savepoints?deploymentId={id}"
        ))
        .await;
    let savepoint = &savepoints.body["items"][0];
    assert_eq!(savepoint["metadata"]["origin"], "SUSPEND");
    assert_eq!(savepoint["status"]["state"], "COMPLETED");
    let location = savepoint["spec"]["savepointLocation"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(location.starts_with("s3://bucket/sp/"), "{location}");
    let old_job = vvp
        .get(&format!("/api/v1/namespaces/default/jobs/{job_id}"))
        .await;
    assert_eq!(old_job.body["status"]["state"], "TERMINATED");
    assert!(old_job.body["metadata"]["terminatedAt"].is_string());

    // Resume: the new job restores from the savepoint (LATEST_SAVEPOINT).
    vvp.patch(&path, json!({"spec": {"state": "RUNNING"}}))
        .await;
    vvp.tick().await;
    let resumed = vvp.get(&path).await;
    assert_eq!(resumed.body["status"]["state"], "RUNNING");
    let new_job_id = resumed.body["status"]["running"]["jobId"].as_str().unwrap();
    assert_ne!(new_job_id, job_id);
    let new_job = vvp
        .get(&format!("/api/v1/namespaces/default/jobs/{new_job_id}"))
        .await;
    assert_eq!(new_job.body["spec"]["savepointLocation"], location.as_str());
    let jobs = vvp
        .get(&format!(
            "/api/v1/namespaces/default/jobs?deploymentId={id}"
        ))
        .await;
    assert_eq!(jobs.body["items"].as_array().unwrap().len(), 2);

    // DELETE needs desired state CANCELLED.
    let refused = vvp.delete(&path).await;
    assert_eq!(refused.status, 409);
    let cancelling = vvp
        .patch(&path, json!({"spec": {"state": "CANCELLED"}}))
        .await;
    assert_eq!(cancelling.body["status"]["state"], "TRANSITIONING");
    vvp.tick().await;
    assert_eq!(vvp.get(&path).await.body["status"]["state"], "CANCELLED");
    let events = vvp
        .get(&format!(
            "/api/v1/namespaces/default/events?deploymentId={id}"
        ))
        .await;
    let names = event_names(&events);
    assert_eq!(
        names
            .iter()
            .filter(|n| *n == "STATE_TRANSITION_IS_COMPLETED")
            .count(),
        4,
        "{names:?}"
    );
    assert!(names.contains(&"JOB_SUCCESSFULLY_STARTED".to_owned()));
    assert!(names.contains(&"FOUND_A_COMPLETED_SAVEPOINT_READY_FOR_SUSPENSION".to_owned()));
    assert_eq!(names.last().unwrap(), "STATE_TRANSITION_IS_COMPLETED");
    let deleted = vvp.delete(&path).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(vvp.get(&path).await.status, 404);
    assert_eq!(vvp.delete(&path).await.status, 404);
}

#[tokio::test]
async fn events_have_ids_and_increasing_timestamps() {
    let vvp = Vvp::with_owner_token().await;
    let (_, id) = setup_deployment(&vvp, "ev", "RUNNING").await;
    vvp.tick().await;
    let events = vvp
        .get(&format!(
            "/api/v1/namespaces/default/events?deploymentId={id}"
        ))
        .await;
    assert_eq!(events.body["kind"], "EventList");
    let items = events.body["items"].as_array().unwrap();
    assert_eq!(
        event_names(&events),
        [
            "STATE_TRANSITION_IS_NEEDED",
            "CREATING_A_NEW_JOB",
            "JOB_SUCCESSFULLY_STARTED",
            "STATE_TRANSITION_IS_COMPLETED"
        ]
    );
    let stamps: Vec<&str> = items
        .iter()
        .map(|e| e["metadata"]["createdAt"].as_str().unwrap())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    let ids: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|e| e["metadata"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), items.len());
    assert!(
        items
            .iter()
            .all(|e| e["metadata"]["deploymentId"] == id.as_str())
    );
    // Filter by job, and by another deployment.
    let job_id = items[1]["metadata"]["jobId"].as_str().unwrap();
    let by_job = vvp
        .get(&format!("/api/v1/namespaces/default/events?jobId={job_id}"))
        .await;
    assert_eq!(by_job.body["items"].as_array().unwrap().len(), 3);
    let none = vvp
        .get("/api/v1/namespaces/default/events?deploymentId=00000000-0000-4000-8000-ffffffffffff")
        .await;
    assert!(none.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn upgrades_follow_the_upgrade_strategy() {
    let vvp = Vvp::with_owner_token().await;
    let (_, id) = setup_deployment(&vvp, "up", "RUNNING").await;
    let path = format!("{DEPLOYMENTS}/{id}");
    vvp.tick().await;
    let first_job = vvp.get(&path).await.body["status"]["running"]["jobId"].clone();

    // STATEFUL: savepoint SUSPEND_AND_UPGRADE, then a new job restoring from it.
    let change = json!({"spec": {"template": {"spec": {"parallelism": 4}}}});
    assert_eq!(
        vvp.patch(&path, change).await.body["status"]["state"],
        "TRANSITIONING"
    );
    vvp.tick().await;
    assert_eq!(
        vvp.get(&path).await.body["status"]["state"],
        "TRANSITIONING"
    );
    vvp.tick().await;
    let upgraded = vvp.get(&path).await;
    assert_eq!(upgraded.body["status"]["state"], "RUNNING");
    assert_eq!(upgraded.body["spec"]["template"]["spec"]["parallelism"], 4);
    let job_id = upgraded.body["status"]["running"]["jobId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first_job, job_id.as_str());
    let job = vvp
        .get(&format!("/api/v1/namespaces/default/jobs/{job_id}"))
        .await;
    assert_eq!(job.body["spec"]["parallelism"], 4);
    let savepoints = vvp
        .get(&format!(
            "/api/v1/namespaces/default/savepoints?deploymentId={id}"
        ))
        .await;
    assert_eq!(
        savepoints.body["items"][0]["metadata"]["origin"],
        "SUSPEND_AND_UPGRADE"
    );
    assert_eq!(
        job.body["spec"]["savepointLocation"],
        savepoints.body["items"][0]["spec"]["savepointLocation"]
    );

    // NONE: the change waits for the next start.
    let none = json!({"spec": {"upgradeStrategy": {"kind": "NONE"}, "template": {"spec": {"parallelism": 8}}}});
    assert_eq!(
        vvp.patch(&path, none).await.body["status"]["state"],
        "RUNNING"
    );
    vvp.tick().await;
    assert_eq!(
        vvp.get(&path).await.body["status"]["running"]["jobId"],
        job_id.as_str()
    );

    // STATELESS: cancel and restart without a savepoint.
    let stateless = json!({"spec": {"upgradeStrategy": {"kind": "STATELESS"}, "template": {"spec": {"parallelism": 3}}}});
    assert_eq!(
        vvp.patch(&path, stateless).await.body["status"]["state"],
        "TRANSITIONING"
    );
    vvp.admin("/__sim/tick", json!({"count": 2})).await;
    let restarted = vvp.get(&path).await;
    assert_eq!(restarted.body["status"]["state"], "RUNNING");
    assert_ne!(
        restarted.body["status"]["running"]["jobId"],
        job_id.as_str()
    );
    let savepoints = vvp
        .get(&format!(
            "/api/v1/namespaces/default/savepoints?deploymentId={id}"
        ))
        .await;
    assert_eq!(savepoints.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn failures_are_injectable_and_recoverable() {
    let vvp = Vvp::with_owner_token().await;
    let (_, id) = setup_deployment(&vvp, "fragile", "RUNNING").await;
    let path = format!("{DEPLOYMENTS}/{id}");
    let early = vvp
        .admin(
            &format!("/__sim/deployments/default/{id}/finish"),
            json!({}),
        )
        .await;
    assert_eq!(early.status, 409);
    vvp.tick().await;
    let failed = vvp
        .admin(
            &format!("/__sim/deployments/default/{id}/fail"),
            json!({"message": "OOM"}),
        )
        .await;
    assert_eq!(failed.status, 200);
    assert_eq!(failed.body["status"]["state"], "FAILED");
    let events = vvp
        .get(&format!(
            "/api/v1/namespaces/default/events?deploymentId={id}"
        ))
        .await;
    let last = events.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["metadata"]["name"],
        "TERMINATING_A_JOB_DUE_TO_AN_UNRECOVERABLE_FAILURE"
    );
    assert_eq!(last["spec"]["message"], "OOM");
    // FAILED stays FAILED until the spec changes.
    vvp.tick().await;
    assert_eq!(vvp.get(&path).await.body["status"]["state"], "FAILED");
    vvp.patch(
        &path,
        json!({"spec": {"template": {"spec": {"parallelism": 1}}}}),
    )
    .await;
    vvp.tick().await;
    assert_eq!(vvp.get(&path).await.body["status"]["state"], "RUNNING");
    // A finite job finishes.
    let finished = vvp
        .admin(
            &format!("/__sim/deployments/default/{id}/finish"),
            json!({}),
        )
        .await;
    assert_eq!(finished.body["status"]["state"], "FINISHED");
    assert_eq!(finished.body["spec"]["state"], "RUNNING");
    // FINISHED -> CANCELLED is immediate.
    let cancelled = vvp
        .patch(&path, json!({"spec": {"state": "CANCELLED"}}))
        .await;
    assert_eq!(cancelled.body["status"]["state"], "CANCELLED");
    assert_eq!(
        vvp.admin("/__sim/deployments/default/nope/fail", json!({}))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn missing_deployment_target_fails_the_deployment() {
    let vvp = Vvp::with_owner_token().await;
    let body = deployment_body("orphan", "00000000-0000-4000-8000-0000000000ff", "RUNNING");
    let created = vvp.post(DEPLOYMENTS, body).await;
    assert_eq!(created.status, 201);
    let id = created.body["metadata"]["id"].as_str().unwrap();
    vvp.tick().await;
    assert_eq!(
        vvp.get(&format!("{DEPLOYMENTS}/{id}")).await.body["status"]["state"],
        "FAILED"
    );
    let events = vvp
        .get(&format!(
            "/api/v1/namespaces/default/events?deploymentId={id}"
        ))
        .await;
    assert!(
        event_names(&events).contains(&"REFERENCED_DEPLOYMENT_TARGET_DOES_NOT_EXIST".to_owned())
    );
}

#[tokio::test]
async fn deployment_requests_are_validated() {
    let vvp = Vvp::with_owner_token().await;
    let (target_id, id) = setup_deployment(&vvp, "valid", "CANCELLED").await;
    let path = format!("{DEPLOYMENTS}/{id}");
    assert_eq!(vvp.get(&path).await.body["status"]["state"], "CANCELLED");

    let duplicate = vvp
        .post(DEPLOYMENTS, deployment_body("valid", &target_id, "RUNNING"))
        .await;
    assert_eq!(duplicate.status, 409);
    for (pointer, value) in [
        ("/metadata/name", json!("Not_Valid")),
        ("/metadata/namespace", json!("other")),
        ("/spec/deploymentTargetId", json!("")),
        ("/spec/template/spec/parallelism", json!(0)),
        ("/spec/upgradeStrategy/kind", json!("MAGIC")),
        ("/spec/restoreStrategy/kind", json!("MAGIC")),
        ("/metadata/id", json!("not-a-uuid")),
    ] {
        let mut body = deployment_body("other", &target_id, "RUNNING");
        let (parent, field) = pointer.rsplit_once('/').unwrap();
        body.pointer_mut(parent).unwrap()[field] = value;
        let answer = vvp.call("POST", DEPLOYMENTS, Some(body)).await;
        assert_eq!(answer.status, 400, "{pointer}: {:?}", answer.body);
    }
    let mut no_state = deployment_body("other", &target_id, "RUNNING");
    no_state["spec"].as_object_mut().unwrap().remove("state");
    assert_eq!(vvp.post(DEPLOYMENTS, no_state).await.status, 400);
    let mut no_artifact = deployment_body("other", &target_id, "RUNNING");
    no_artifact["spec"]["template"]["spec"]
        .as_object_mut()
        .unwrap()
        .remove("artifact");
    assert_eq!(vvp.post(DEPLOYMENTS, no_artifact).await.status, 400);
    let raw = raw_request(vvp.addr, "POST", DEPLOYMENTS, vvp.token.as_deref(), None)
        .await
        .unwrap();
    assert_eq!(parse_response(&raw).unwrap().status, 400);

    // A client-chosen id (the original operator re-sends a stale one) is kept.
    let mut with_id = deployment_body("chosen", &target_id, "CANCELLED");
    with_id["metadata"]["id"] = json!("12345678-1234-4234-8234-123456789abc");
    let chosen = vvp.post(DEPLOYMENTS, with_id.clone()).await;
    assert_eq!(
        chosen.body["metadata"]["id"],
        "12345678-1234-4234-8234-123456789abc"
    );
    with_id["metadata"]["name"] = json!("chosen-again");
    assert_eq!(vvp.post(DEPLOYMENTS, with_id).await.status, 409);

    // PATCH validation: immutable name, bad state, unknown fields dropped.
    assert_eq!(
        vvp.patch(&path, json!({"metadata": {"name": "renamed"}}))
            .await
            .status,
        400
    );
    // Not swagger-valid on purpose (FINISHED is observed-only), so sent unchecked.
    let finished = json!({"spec": {"state": "FINISHED"}});
    let raw = raw_request(
        vvp.addr,
        "PATCH",
        &path,
        vvp.token.as_deref(),
        Some(&finished),
    )
    .await
    .unwrap();
    assert_eq!(parse_response(&raw).unwrap().status, 400);
    let raw = raw_request(
        vvp.addr,
        "PATCH",
        &path,
        vvp.token.as_deref(),
        Some(&json!([])),
    )
    .await
    .unwrap();
    assert_eq!(parse_response(&raw).unwrap().status, 400);
    assert_eq!(
        vvp.patch(
            &format!("{DEPLOYMENTS}/00000000-0000-4000-8000-0000000000aa"),
            json!({})
        )
        .await
        .status,
        404
    );
    let labelled = vvp
        .patch(&path, json!({"metadata": {"labels": {"tier": "1"}}}))
        .await;
    assert_eq!(
        labelled.body["metadata"]["labels"],
        json!({"app": "valid", "tier": "1"})
    );
    // labelSelector on list.
    let selected = vvp
        .get(&format!("{DEPLOYMENTS}?labelSelector=tier%3D1"))
        .await;
    let items = selected.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["metadata"]["name"], "valid");
    assert_eq!(
        vvp.get(DEPLOYMENTS).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn unknown_fields_are_dropped_like_vvp_2_1() {
    let vvp = Vvp::with_owner_token().await;
    let target = vvp.post(TARGETS, target_body("t")).await;
    let target_id = target.body["metadata"]["id"].as_str().unwrap();
    let mut body = deployment_body("extra", target_id, "CANCELLED");
    body["spec"]["sessionClusterName"] = json!("sc");
    body["spec"]["template"]["spec"]["artifact"]["sqlScript"] = json!("SELECT 1");
    body["metadata"]["displayName"] = json!("Extra");
    // Not swagger-valid on purpose, so sent without the request check.
    let raw = raw_request(
        vvp.addr,
        "POST",
        DEPLOYMENTS,
        vvp.token.as_deref(),
        Some(&body),
    )
    .await
    .unwrap();
    let answer = parse_response(&raw).unwrap();
    assert_eq!(answer.status, 201);
    check_against_swagger(
        "GET",
        DEPLOYMENTS,
        None,
        200,
        &json!({"items": [answer.body.clone()]}),
    );
    assert!(answer.body["spec"].get("sessionClusterName").is_none());
    assert!(answer.body["metadata"].get("displayName").is_none());
}

#[tokio::test]
async fn resource_version_is_enforced_when_configured() {
    let vvp = Vvp::with_owner_token().await;
    let (_, id) = setup_deployment(&vvp, "rv", "CANCELLED").await;
    let path = format!("{DEPLOYMENTS}/{id}");
    // Default: not enforced (the 2.1 API does not specify it).
    let stale = json!({"metadata": {"resourceVersion": 99}, "spec": {"maxJobCreationAttempts": 5}});
    assert_eq!(vvp.patch(&path, stale.clone()).await.status, 200);
    vvp.admin("/__sim/config", json!({"enforceResourceVersion": true}))
        .await;
    let conflict = vvp.patch(&path, stale).await;
    assert_eq!(conflict.status, 409);
    let current = vvp.get(&path).await.body["metadata"]["resourceVersion"].clone();
    let fresh = json!({"metadata": {"resourceVersion": current}, "spec": {"state": "CANCELLED"}});
    let ok = vvp.patch(&path, fresh).await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.body["metadata"]["resourceVersion"],
        current.as_i64().unwrap() + 1
    );
}

#[tokio::test]
async fn savepoints_complete_fail_or_copy() {
    let vvp = Vvp::with_owner_token().await;
    let (_, id) = setup_deployment(&vvp, "sp", "RUNNING").await;
    let savepoints = "/api/v1/namespaces/default/savepoints";
    // The body the original operator sends.
    let body = json!({"kind": "Savepoint", "apiVersion": "v1", "metadata": {"deploymentId": id, "namespace": "default",
        "createdAt": "0001-01-01T00:00:00Z", "modifiedAt": "0001-01-01T00:00:00Z"}});
    let not_running = vvp.post(savepoints, body.clone()).await;
    assert_eq!(not_running.status, 400);
    vvp.tick().await;
    let started = vvp.post(savepoints, body.clone()).await;
    assert_eq!(started.status, 201);
    assert_eq!(started.body["status"]["state"], "STARTED");
    assert_eq!(started.body["metadata"]["origin"], "USER_REQUEST");
    let running = vvp.get(&format!("{DEPLOYMENTS}/{id}")).await;
    assert_eq!(
        started.body["metadata"]["jobId"],
        running.body["status"]["running"]["jobId"]
    );
    let sp_id = started.body["metadata"]["id"].as_str().unwrap().to_owned();
    vvp.tick().await;
    let completed = vvp.get(&format!("{savepoints}/{sp_id}")).await;
    assert_eq!(completed.body["status"]["state"], "COMPLETED");
    assert!(
        completed.body["spec"]["savepointLocation"]
            .as_str()
            .unwrap()
            .starts_with("s3://bucket/sp/")
    );
    assert!(completed.body["spec"]["flinkSavepointId"].is_string());

    vvp.admin("/__sim/faults", json!({"failSavepoints": true}))
        .await;
    let doomed = vvp.post(savepoints, body.clone()).await;
    vvp.tick().await;
    let failed = vvp
        .get(&format!(
            "{savepoints}/{}",
            doomed.body["metadata"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(failed.body["status"]["state"], "FAILED");
    assert!(failed.body["status"]["failure"]["message"].is_string());
    // A failing suspension fails the deployment.
    vvp.patch(
        &format!("{DEPLOYMENTS}/{id}"),
        json!({"spec": {"state": "SUSPENDED"}}),
    )
    .await;
    vvp.tick().await;
    assert_eq!(
        vvp.get(&format!("{DEPLOYMENTS}/{id}")).await.body["status"]["state"],
        "FAILED"
    );
    vvp.call("DELETE", "/__sim/faults", None).await;

    let copied = json!({"metadata": {"deploymentId": id}, "spec": {"savepointLocation": "s3://elsewhere/sp-1"}});
    let copy = vvp.post(savepoints, copied).await;
    assert_eq!(copy.body["metadata"]["origin"], "COPIED");
    assert_eq!(copy.body["status"]["state"], "COMPLETED");

    assert_eq!(
        vvp.post(savepoints, json!({"metadata": {}})).await.status,
        400
    );
    let unknown = json!({"metadata": {"deploymentId": "00000000-0000-4000-8000-0000000000aa"}});
    assert_eq!(vvp.post(savepoints, unknown).await.status, 404);
    assert_eq!(
        vvp.get(&format!(
            "{savepoints}/00000000-0000-4000-8000-0000000000aa"
        ))
        .await
        .status,
        404
    );
    let all = vvp.get(&format!("{savepoints}?deploymentId={id}")).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 4);
    let job_id = started.body["metadata"]["jobId"].as_str().unwrap();
    let by_job = vvp.get(&format!("{savepoints}?jobId={job_id}")).await;
    assert_eq!(by_job.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        vvp.get("/api/v1/namespaces/default/jobs/00000000-0000-4000-8000-0000000000aa")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn faults_status_delay_and_down() {
    let vvp = Vvp::with_owner_token().await;
    vvp.call("DELETE", "/__sim/requests", None).await;
    // A counted status fault limited to a path prefix.
    let set = vvp
        .admin(
            "/__sim/faults",
            json!({"status": 503, "count": 1, "pathPrefix": "/api/"}),
        )
        .await;
    assert_eq!(set.body["status"], 503);
    let platform = vvp
        .call_as(None, "GET", "/namespaces/v1/namespaces", None)
        .await;
    assert_eq!(platform.status, 200);
    let unavailable = vvp.get(DEPLOYMENTS).await;
    assert_eq!(unavailable.status, 503);
    assert_eq!(vvp.get(DEPLOYMENTS).await.status, 200);
    assert_eq!(vvp.get("/__sim/faults").await.body["status"], Value::Null);

    // Delay.
    vvp.admin("/__sim/faults", json!({"delayMs": 300})).await;
    let begin = Instant::now();
    assert_eq!(vvp.get("/api/v1/status").await.status, 200);
    assert!(begin.elapsed() >= Duration::from_millis(300));
    vvp.admin("/__sim/faults", json!({"delayMs": 0})).await;

    // Down: API connections close unanswered; admin still works.
    vvp.admin("/__sim/faults", json!({"down": true})).await;
    let raw = raw_request(vvp.addr, "GET", DEPLOYMENTS, vvp.token.as_deref(), None).await;
    assert!(
        raw.map(|r| r.is_empty()).unwrap_or(true),
        "expected no answer while down"
    );
    vvp.admin("/__sim/faults", json!({"down": false})).await;
    assert_eq!(vvp.get(DEPLOYMENTS).await.status, 200);

    // The request log saw the API calls (not the admin calls, not the dropped one).
    let log = vvp.get("/__sim/requests").await;
    let statuses: Vec<u64> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 503, 200, 200, 200]);
    assert_eq!(log.body[1]["path"], DEPLOYMENTS);
    assert_eq!(log.body[1]["method"], "GET");
}

#[tokio::test]
async fn request_log_keeps_bodies_and_queries() {
    let vvp = Vvp::with_owner_token().await;
    let (_, id) = setup_deployment(&vvp, "logged", "CANCELLED").await;
    vvp.get(&format!(
        "/api/v1/namespaces/default/events?deploymentId={id}"
    ))
    .await;
    let log = vvp.get("/__sim/requests").await;
    let entries = log.body.as_array().unwrap();
    let post = entries.iter().find(|r| r["path"] == DEPLOYMENTS).unwrap();
    assert_eq!(post["method"], "POST");
    assert_eq!(post["status"], 201);
    assert_eq!(post["body"]["metadata"]["name"], "logged");
    assert_eq!(
        entries.last().unwrap()["query"],
        format!("deploymentId={id}")
    );
}

/// Every operation of the swagger documents that the original operator calls (and the
/// listing and read endpoints beside them) is routed; the rest answer 404 "no route".
#[tokio::test]
async fn every_swagger_operation_the_operator_needs_is_routed() {
    const NOT_SIMULATED: &[&str] = &["deployment-defaults", "secret-values", "system-info"];
    let vvp = Vvp::with_owner_token().await;
    let mut covered = 0;
    for doc in SWAGGERS.iter() {
        for (template, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                let path = template
                    .replace("{namespace}", "default")
                    .replace("{ns}", "default")
                    .replace(['{', '}'], "");
                let method = method.to_ascii_uppercase();
                let raw = raw_request(
                    vvp.addr,
                    &method,
                    &path,
                    vvp.token.as_deref(),
                    Some(&json!({})),
                )
                .await
                .unwrap();
                let answer = parse_response(&raw).unwrap();
                let unrouted = answer.status == 405
                    || answer.body["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("no route"));
                if NOT_SIMULATED.iter().any(|n| template.contains(n)) {
                    assert!(unrouted, "{method} {template} unexpectedly simulated");
                } else {
                    assert!(
                        !unrouted,
                        "{method} {template} is not routed: {}",
                        answer.status
                    );
                    covered += 1;
                }
            }
        }
    }
    assert_eq!(covered, 25);
}

// ----- the library models against the swagger ---------------------------------------------

/// A value of `schema` with every property set (first enum value, one array item, one map
/// entry), so a model that drops or renames any swagger field fails to round-trip it.
fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/definitions/");
        if FREE_FORM.contains(&name) || depth > 12 {
            return json!({"free": "form"});
        }
        let properties = doc["definitions"][name]["properties"].as_object();
        let object = properties
            .into_iter()
            .flatten()
            .map(|(k, s)| (k.clone(), sample(doc, s, depth + 1)))
            .collect();
        return Value::Object(object);
    }
    match schema["type"].as_str() {
        Some("array") => json!([sample(doc, &schema["items"], depth + 1)]),
        Some("object") => match schema.get("additionalProperties") {
            Some(inner) => json!({"key": sample(doc, inner, depth + 1)}),
            None => json!({}),
        },
        Some("string") => schema["enum"]
            .get(0)
            .cloned()
            .unwrap_or_else(|| json!("text")),
        Some("integer") => json!(7),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        other => panic!("unexpected schema type {other:?}"),
    }
}

/// Round-trips the swagger sample of `definition` through model `T`.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    doc: usize,
    definition: &str,
) -> T {
    let doc = &SWAGGERS[doc];
    let input = sample(
        doc,
        &json!({"$ref": format!("#/definitions/{definition}")}),
        0,
    );
    let model: T = serde_json::from_value(input.clone())
        .unwrap_or_else(|e| panic!("{definition} does not parse: {e}"));
    assert_eq!(
        serde_json::to_value(&model).unwrap(),
        input,
        "{definition} changed in a round trip"
    );
    model
}

#[test]
fn library_models_carry_every_swagger_field() {
    use rudder::vvp::api as vvp;
    const APPMANAGER: usize = 0;
    const PLATFORM: usize = 1;

    let deployment: vvp::Deployment = round_trip(APPMANAGER, "Deployment");
    let metadata = deployment.metadata.unwrap();
    let spec = deployment.spec.unwrap();
    let template = spec.template.unwrap().spec.unwrap();
    let pods = template.kubernetes.as_ref().unwrap().pods.as_ref().unwrap();
    // Every swagger field landed in a typed field, none in an `extra` map.
    assert!(metadata.extra.is_empty() && spec.extra.is_empty() && template.extra.is_empty());
    assert!(template.artifact.as_ref().unwrap().extra.is_empty());
    assert!(template.kubernetes.as_ref().unwrap().extra.is_empty() && pods.extra.is_empty());
    assert_eq!(metadata.resource_version, Some(7));

    let target: vvp::DeploymentTarget = round_trip(APPMANAGER, "DeploymentTarget");
    assert!(target.metadata.unwrap().extra.is_empty() && target.spec.unwrap().extra.is_empty());
    let event: vvp::Event = round_trip(APPMANAGER, "Event");
    assert!(event.metadata.unwrap().extra.is_empty());
    let savepoint: vvp::Savepoint = round_trip(APPMANAGER, "Savepoint");
    assert!(savepoint.metadata.unwrap().extra.is_empty());
    round_trip::<vvp::Job>(APPMANAGER, "Job");
    round_trip::<vvp::ResourceList<vvp::Deployment>>(APPMANAGER, "ResourceListOfDeployment");
    round_trip::<vvp::ResourceList<vvp::Event>>(APPMANAGER, "ResourceListOfEvent");

    let namespace: vvp::NamespaceResponse = round_trip(PLATFORM, "GetNamespaceResponse");
    assert!(namespace.namespace.unwrap().extra.is_empty());
    round_trip::<vvp::ListNamespacesResponse>(PLATFORM, "ListNamespacesResponse");
    let token: vvp::ApiTokenResponse = round_trip(PLATFORM, "CreateApiTokenResponse");
    assert!(token.api_token.unwrap().extra.is_empty());
    round_trip::<vvp::ListApiTokensResponse>(PLATFORM, "ListApiTokensResponse");
}

/// The original operator's flows (BEHAVIOUR.md §2-§3) run unchanged against the simulator:
/// token bootstrap, target and deployment create, PATCH on every reconcile, cancel-on-delete
/// with the re-sent GET body, polling until CANCELLED, delete, target delete.
#[tokio::test]
async fn original_operator_flows_work_end_to_end() {
    let mut vvp = Vvp::new(Settings {
        enforce_resource_version: true,
        ..Settings::default()
    })
    .await;
    let token_path = "/apitokens/v1/namespaces/default/apitokens/vp-k8s-operator-admin-token";
    // Token bootstrap: absent -> create; a restart finds it, deletes and re-creates it.
    for expected_lookup in [404, 200] {
        let lookup = vvp.call_as(None, "GET", token_path, None).await;
        assert_eq!(lookup.status, expected_lookup);
        if lookup.status == 200 {
            assert_eq!(
                vvp.call_as(None, "DELETE", token_path, None).await.status,
                200
            );
        }
        let body = json!({"name": "namespaces/default/apitokens/vp-k8s-operator-admin-token", "role": "owner"});
        let created = vvp
            .call_as(
                None,
                "POST",
                "/apitokens/v1/namespaces/default/apitokens",
                Some(body),
            )
            .await;
        let secret = created.body["apiToken"]["secret"]
            .as_str()
            .unwrap()
            .to_owned();
        if let Some(old) = vvp.token.replace(secret) {
            assert_eq!(
                vvp.call_as(Some(&old), "GET", DEPLOYMENTS, None)
                    .await
                    .status,
                401
            );
        }
    }

    // VpDeploymentTarget: GET by name 404 -> POST.
    assert_eq!(vvp.get(&format!("{TARGETS}/top-speed")).await.status, 404);
    let target = vvp.post(TARGETS, target_body("top-speed")).await;
    let target_id = target.body["metadata"]["id"].as_str().unwrap().to_owned();

    // VpDeployment without id annotation: list-and-filter by name, then create.
    let listed = vvp.get(DEPLOYMENTS).await;
    assert!(listed.body["items"].as_array().unwrap().is_empty());
    let created = vvp
        .post(
            DEPLOYMENTS,
            deployment_body("top-speed", &target_id, "RUNNING"),
        )
        .await;
    let id = created.body["metadata"]["id"].as_str().unwrap().to_owned();
    let path = format!("{DEPLOYMENTS}/{id}");
    // Every reconcile PATCHes the full desired object (without resourceVersion).
    for _ in 0..3 {
        vvp.tick().await;
        let mut desired = deployment_body("top-speed", &target_id, "RUNNING");
        desired["metadata"]["id"] = json!(id);
        assert_eq!(vvp.patch(&path, desired).await.status, 200);
    }
    assert_eq!(vvp.get(&path).await.body["status"]["state"], "RUNNING");

    // Delete: GET, PATCH the fetched object with spec.state=CANCELLED, poll, DELETE.
    let mut fetched = vvp.get(&path).await.body;
    fetched["spec"]["state"] = json!("CANCELLED");
    let cancelling = vvp.patch(&path, fetched.clone()).await;
    assert_eq!(cancelling.status, 200);
    // Re-sending the now stale object is a conflict under enforcement.
    assert_eq!(vvp.patch(&path, fetched).await.status, 409);
    let mut polls = 0;
    while vvp.get(&path).await.body["status"]["state"] != "CANCELLED" {
        polls += 1;
        assert!(polls < 5, "never reached CANCELLED");
        vvp.tick().await;
    }
    assert_eq!(vvp.delete(&path).await.status, 200);
    assert_eq!(vvp.delete(&path).await.status, 404);
    assert_eq!(
        vvp.delete(&format!("{TARGETS}/top-speed")).await.status,
        200
    );
}
