//! HTTP routes of the simulator: the VVP API (as the VVP 2.1 swagger documents specify paths,
//! methods and bodies) and the `/__sim/...` admin endpoints that tests use to tick the
//! state machines and inject faults.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rudder::vvp::api::{
    ApiTokenResponse, ErrorBody, Extra, ListApiTokensResponse, ListNamespacesResponse,
    NamespaceResponse, ResourceList,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Shared;
use super::store::{
    Faults, RequestRecord, Role, Settings, SimError, SimResult, Simulator, merge_patch,
};

/// Most requests kept in the request log; older ones are dropped.
const REQUEST_LOG_LIMIT: usize = 10_000;

/// Largest request body the simulator reads.
const BODY_LIMIT: usize = 16 << 20;

type Params = Query<HashMap<String, String>>;
type ApiResult = Result<Response, SimError>;

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            message: self.message,
            extra: Extra::new(),
        };
        (status, Json(body)).into_response()
    }
}

/// The simulator's router: VVP API, admin endpoints, fault and request-log middleware.
pub fn router(sim: Shared) -> Router {
    let platform = Router::new()
        .route(
            "/namespaces/v1/namespaces",
            get(list_namespaces).post(create_namespace),
        )
        .route(
            "/namespaces/v1/namespaces/{ns}",
            get(get_namespace)
                .put(update_namespace)
                .delete(delete_namespace),
        )
        .route(
            "/apitokens/v1/namespaces/{ns}/apitokens",
            get(list_tokens).post(create_token),
        )
        .route(
            "/apitokens/v1/namespaces/{ns}/apitokens/{name}",
            get(get_token).delete(delete_token),
        );
    let appmanager = Router::new()
        .route("/api/v1/status", get(status))
        .route(
            "/api/v1/namespaces/{ns}/deployment-targets",
            get(list_targets).post(create_target),
        )
        .route(
            "/api/v1/namespaces/{ns}/deployment-targets/{name}",
            get(get_target).delete(delete_target),
        )
        .route(
            "/api/v1/namespaces/{ns}/deployments",
            get(list_deployments).post(create_deployment),
        )
        .route(
            "/api/v1/namespaces/{ns}/deployments/{id}",
            get(get_deployment)
                .patch(patch_deployment)
                .delete(delete_deployment),
        )
        .route("/api/v1/namespaces/{ns}/events", get(list_events))
        .route("/api/v1/namespaces/{ns}/jobs", get(list_jobs))
        .route("/api/v1/namespaces/{ns}/jobs/{id}", get(get_job))
        .route(
            "/api/v1/namespaces/{ns}/savepoints",
            get(list_savepoints).post(create_savepoint),
        )
        .route(
            "/api/v1/namespaces/{ns}/savepoints/{id}",
            get(get_savepoint),
        );
    let admin = Router::new()
        .route(
            "/__sim/faults",
            get(get_faults).post(set_faults).delete(reset_faults),
        )
        .route("/__sim/config", get(get_config).post(set_config))
        .route("/__sim/tick", post(tick))
        .route("/__sim/deployments/{ns}/{id}/fail", post(fail_deployment))
        .route(
            "/__sim/deployments/{ns}/{id}/finish",
            post(finish_deployment),
        )
        .route("/__sim/requests", get(get_requests).delete(clear_requests));
    platform
        .merge(appmanager)
        .merge(admin)
        .fallback(no_route)
        .layer(middleware::from_fn_with_state(sim.clone(), api_layer))
        .with_state(sim)
}

// ----- plumbing -------------------------------------------------------------------------

/// Runs `f` on the locked simulator.
fn with<T>(sim: &Shared, f: impl FnOnce(&mut Simulator) -> SimResult<T>) -> SimResult<T> {
    let mut guard = sim
        .lock()
        .map_err(|_| SimError::new(500, "simulator state poisoned"))?;
    f(&mut guard)
}

/// A JSON answer.
fn reply<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, Json(body)).into_response()
}

/// The bearer token of the `Authorization` header, if it has that form.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The JSON request body; 400 if it is missing or not JSON.
fn json_body(body: &Bytes) -> SimResult<Value> {
    if body.is_empty() {
        return Err(SimError::bad_request("request body is required"));
    }
    serde_json::from_slice(body)
        .map_err(|err| SimError::bad_request(format!("request body is not valid JSON: {err}")))
}

/// An optional JSON admin body parsed into `T` (empty means `T::default()`).
fn admin_body<T: DeserializeOwned + Default>(body: &Bytes) -> SimResult<T> {
    if body.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|err| SimError::bad_request(format!("invalid admin request: {err}")))
}

/// Applies faults, records API requests, and closes every connection after its answer
/// (so the `down` fault applies to the next request at once).
async fn api_layer(State(sim): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/__sim/") {
        return close(next.run(req).await);
    }
    let (delay, fault) = match sim.lock() {
        Ok(mut s) => {
            let delay = if s.faults.applies_to(&path) {
                s.faults.delay_ms
            } else {
                0
            };
            (delay, s.faults.take_status(&path))
        }
        Err(_) => (0, Some(500)),
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let method = req.method().to_string();
    let query = req.uri().query().map(str::to_owned);
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let recorded_body = serde_json::from_slice(&bytes).ok();
    let response = match fault {
        Some(status) => {
            SimError::new(status, format!("simulated fault: status {status}")).into_response()
        }
        None => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    };
    if let Ok(mut s) = sim.lock() {
        if s.requests.len() >= REQUEST_LOG_LIMIT {
            s.requests.remove(0);
        }
        s.requests.push(RequestRecord {
            method,
            path,
            query,
            body: recorded_body,
            status: response.status().as_u16(),
        });
    }
    close(response)
}

fn close(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

async fn no_route(req: Request) -> SimError {
    SimError::not_found(format!(
        "no route for {} {}",
        req.method(),
        req.uri().path()
    ))
}

// ----- Platform API ---------------------------------------------------------------------

async fn list_namespaces(State(sim): State<Shared>, headers: HeaderMap) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(None, bearer(&headers).as_deref(), Role::Viewer)?;
        let namespaces = s.list_namespaces();
        Ok(reply(
            StatusCode::OK,
            &ListNamespacesResponse { namespaces },
        ))
    })
}

async fn create_namespace(State(sim): State<Shared>, headers: HeaderMap, body: Bytes) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(None, bearer(&headers).as_deref(), Role::Owner)?;
        let namespace = Some(s.create_namespace(&json_body(&body)?)?);
        Ok(reply(StatusCode::OK, &NamespaceResponse { namespace }))
    })
}

async fn get_namespace(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(Some(&ns), bearer(&headers).as_deref(), Role::Viewer)?;
        let namespace = Some(s.get_namespace(&ns)?);
        Ok(reply(StatusCode::OK, &NamespaceResponse { namespace }))
    })
}

async fn update_namespace(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(None, bearer(&headers).as_deref(), Role::Owner)?;
        let namespace = Some(s.update_namespace(&ns, &json_body(&body)?)?);
        Ok(reply(StatusCode::OK, &NamespaceResponse { namespace }))
    })
}

async fn delete_namespace(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(None, bearer(&headers).as_deref(), Role::Owner)?;
        let namespace = Some(s.delete_namespace(&ns)?);
        Ok(reply(StatusCode::OK, &NamespaceResponse { namespace }))
    })
}

async fn list_tokens(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(Some(&ns), bearer(&headers).as_deref(), Role::Owner)?;
        let api_tokens = s.list_tokens(&ns)?;
        Ok(reply(StatusCode::OK, &ListApiTokensResponse { api_tokens }))
    })
}

async fn create_token(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(Some(&ns), bearer(&headers).as_deref(), Role::Owner)?;
        let api_token = Some(s.create_token(&ns, &json_body(&body)?)?);
        Ok(reply(StatusCode::OK, &ApiTokenResponse { api_token }))
    })
}

async fn get_token(
    State(sim): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(Some(&ns), bearer(&headers).as_deref(), Role::Owner)?;
        let api_token = Some(s.get_token(&ns, &name)?);
        Ok(reply(StatusCode::OK, &ApiTokenResponse { api_token }))
    })
}

async fn delete_token(
    State(sim): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    with(&sim, |s| {
        s.authorize_platform(Some(&ns), bearer(&headers).as_deref(), Role::Owner)?;
        s.delete_token(&ns, &name)?;
        Ok(reply(StatusCode::OK, &json!({})))
    })
}

// ----- Application Manager API ----------------------------------------------------------

async fn status() -> Response {
    reply(StatusCode::OK, &json!({}))
}

/// Authorizes an Application Manager call and runs `f`.
fn appmanager<T>(
    sim: &Shared,
    ns: &str,
    headers: &HeaderMap,
    write: bool,
    f: impl FnOnce(&mut Simulator) -> SimResult<T>,
) -> SimResult<T> {
    with(sim, |s| {
        s.authorize_appmanager(ns, bearer(headers).as_deref(), write)?;
        f(s)
    })
}

async fn list_targets(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        let items = s.list_targets(&ns)?;
        Ok(reply(
            StatusCode::OK,
            &ResourceList::new("DeploymentTargetList", items),
        ))
    })
}

async fn create_target(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, true, |s| {
        let target = s.create_target(&ns, &json_body(&body)?)?;
        Ok(reply(StatusCode::CREATED, &target))
    })
}

async fn get_target(
    State(sim): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        Ok(reply(StatusCode::OK, &s.get_target(&ns, &name)?))
    })
}

async fn delete_target(
    State(sim): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, true, |s| {
        Ok(reply(StatusCode::OK, &s.delete_target(&ns, &name)?))
    })
}

async fn list_deployments(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    Query(query): Params,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        let items = s.list_deployments(&ns, query.get("labelSelector").map(String::as_str))?;
        Ok(reply(
            StatusCode::OK,
            &ResourceList::new("DeploymentList", items),
        ))
    })
}

async fn create_deployment(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, true, |s| {
        let deployment = s.create_deployment(&ns, &json_body(&body)?)?;
        Ok(reply(StatusCode::CREATED, &deployment))
    })
}

async fn get_deployment(
    State(sim): State<Shared>,
    Path((ns, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        Ok(reply(StatusCode::OK, &s.get_deployment(&ns, &id)?))
    })
}

async fn patch_deployment(
    State(sim): State<Shared>,
    Path((ns, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, true, |s| {
        let deployment = s.patch_deployment(&ns, &id, &json_body(&body)?)?;
        Ok(reply(StatusCode::OK, &deployment))
    })
}

async fn delete_deployment(
    State(sim): State<Shared>,
    Path((ns, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, true, |s| {
        Ok(reply(StatusCode::OK, &s.delete_deployment(&ns, &id)?))
    })
}

async fn list_events(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    Query(query): Params,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        let items = s.list_events(
            &ns,
            query.get("deploymentId").map(String::as_str),
            query.get("jobId").map(String::as_str),
        )?;
        Ok(reply(
            StatusCode::OK,
            &ResourceList::new("EventList", items),
        ))
    })
}

async fn list_jobs(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    Query(query): Params,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        let items = s.list_jobs(&ns, query.get("deploymentId").map(String::as_str))?;
        Ok(reply(StatusCode::OK, &ResourceList::new("JobList", items)))
    })
}

async fn get_job(
    State(sim): State<Shared>,
    Path((ns, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        Ok(reply(StatusCode::OK, &s.get_job(&ns, &id)?))
    })
}

async fn list_savepoints(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    Query(query): Params,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        let items = s.list_savepoints(
            &ns,
            query.get("deploymentId").map(String::as_str),
            query.get("jobId").map(String::as_str),
        )?;
        Ok(reply(
            StatusCode::OK,
            &ResourceList::new("SavepointList", items),
        ))
    })
}

async fn create_savepoint(
    State(sim): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, true, |s| {
        let savepoint = s.create_savepoint(&ns, &json_body(&body)?)?;
        Ok(reply(StatusCode::CREATED, &savepoint))
    })
}

async fn get_savepoint(
    State(sim): State<Shared>,
    Path((ns, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    appmanager(&sim, &ns, &headers, false, |s| {
        Ok(reply(StatusCode::OK, &s.get_savepoint(&ns, &id)?))
    })
}

// ----- admin ----------------------------------------------------------------------------

/// Merges a partial JSON object into a serialisable value (admin "set" semantics).
fn merged<T: Serialize + DeserializeOwned>(current: &T, body: &Bytes) -> SimResult<T> {
    let patch: Value = admin_body(body)?;
    let mut value =
        serde_json::to_value(current).map_err(|err| SimError::new(500, err.to_string()))?;
    merge_patch(&mut value, &patch);
    serde_json::from_value(value)
        .map_err(|err| SimError::bad_request(format!("invalid admin request: {err}")))
}

async fn get_faults(State(sim): State<Shared>) -> ApiResult {
    with(&sim, |s| Ok(reply(StatusCode::OK, &s.faults)))
}

async fn set_faults(State(sim): State<Shared>, body: Bytes) -> ApiResult {
    with(&sim, |s| {
        s.faults = merged(&s.faults, &body)?;
        Ok(reply(StatusCode::OK, &s.faults))
    })
}

async fn reset_faults(State(sim): State<Shared>) -> ApiResult {
    with(&sim, |s| {
        s.faults = Faults::default();
        Ok(reply(StatusCode::OK, &s.faults))
    })
}

async fn get_config(State(sim): State<Shared>) -> ApiResult {
    with(&sim, |s| Ok(reply(StatusCode::OK, &s.settings)))
}

async fn set_config(State(sim): State<Shared>, body: Bytes) -> ApiResult {
    with(&sim, |s| {
        s.settings = merged::<Settings>(&s.settings, &body)?;
        Ok(reply(StatusCode::OK, &s.settings))
    })
}

/// Body of `POST /__sim/tick`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TickRequest {
    /// Ticks to run (default 1).
    count: Option<u32>,
}

async fn tick(State(sim): State<Shared>, body: Bytes) -> ApiResult {
    with(&sim, |s| {
        let request: TickRequest = admin_body(&body)?;
        for _ in 0..request.count.unwrap_or(1) {
            s.tick();
        }
        let now = s.clock.stamp();
        Ok(reply(
            StatusCode::OK,
            &json!({"ticks": s.clock.ticks(), "now": now}),
        ))
    })
}

/// Body of `POST /__sim/deployments/{ns}/{id}/fail`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct FailRequest {
    /// Failure message for the event and job.
    message: Option<String>,
}

async fn fail_deployment(
    State(sim): State<Shared>,
    Path((ns, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    with(&sim, |s| {
        let request: FailRequest = admin_body(&body)?;
        let deployment = s.fail_deployment(&ns, &id, request.message.as_deref())?;
        Ok(reply(StatusCode::OK, &deployment))
    })
}

async fn finish_deployment(
    State(sim): State<Shared>,
    Path((ns, id)): Path<(String, String)>,
) -> ApiResult {
    with(&sim, |s| {
        Ok(reply(StatusCode::OK, &s.finish_deployment(&ns, &id)?))
    })
}

async fn get_requests(State(sim): State<Shared>) -> ApiResult {
    with(&sim, |s| Ok(reply(StatusCode::OK, &s.requests)))
}

async fn clear_requests(State(sim): State<Shared>) -> ApiResult {
    with(&sim, |s| {
        s.requests.clear();
        Ok(reply(StatusCode::OK, &json!({})))
    })
}
