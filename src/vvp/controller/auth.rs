//! Bearer tokens for the Application Manager API, per VVP namespace.
//!
//! Lookup order: the in-memory cache; env `APPMANAGER_API_TOKEN_{NS}` (NS upper-cased, `-` as
//! `_`; the original operator's hyphenated spelling is accepted too); env
//! `APPMANAGER_API_TOKEN`; the Secret [`secret_name`] in the token namespace; else a new
//! `owner` token created through the Platform API and stored in that Secret, so restarts reuse
//! it instead of rotating it. Community edition: env tokens or the placeholder `no-op-token`.
//! Token values appear nowhere but in requests and the Secret ([`ApiToken`] redacts itself).

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ObjectMeta, Patch, PatchParams};
use tokio::sync::Mutex;

use super::{Config, Context, Edition, Error, FIELD_MANAGER};
use crate::vvp::client::ApiToken;

/// Name of the API token rudder creates in each VVP namespace.
pub const VVP_TOKEN_NAME: &str = "rudder-operator";

/// Key of the token in the Secret.
pub const SECRET_KEY: &str = "token";

/// The Community edition's placeholder token (any token is accepted there).
pub const NO_OP_TOKEN: &str = "no-op-token";

/// The Kubernetes Secret holding rudder's token for VVP namespace `ns`.
pub fn secret_name(ns: &str) -> String {
    format!("rudder-vvp-token-{ns}")
}

/// The env variable names consulted for namespace `ns`, most specific first.
pub fn env_names(ns: &str) -> Vec<String> {
    let upper = ns.to_uppercase();
    let underscored = upper.replace('-', "_");
    let mut names = vec![format!("APPMANAGER_API_TOKEN_{underscored}")];
    if underscored != upper {
        names.push(format!("APPMANAGER_API_TOKEN_{upper}"));
    }
    names.push("APPMANAGER_API_TOKEN".to_owned());
    names
}

/// The token for `ns` from `env`, if any.
pub fn env_token(env: &BTreeMap<String, String>, ns: &str) -> Option<ApiToken> {
    env_names(ns)
        .iter()
        .filter_map(|name| env.get(name))
        .find(|v| !v.is_empty())
        .map(|v| ApiToken::new(v.clone()))
}

/// Where a cached token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// An env variable or the Community placeholder: rudder cannot replace it.
    Given,
    /// rudder's own token (from its Secret or just created).
    Owned,
}

/// Cached tokens per VVP namespace; creation is serialised by the lock.
pub struct TokenStore {
    cache: Mutex<HashMap<String, (ApiToken, Source)>>,
}

impl TokenStore {
    /// An empty store.
    pub fn new(_config: &Config) -> Self {
        Self {
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The token for VVP namespace `ns`, created if need be.
    pub async fn token(&self, ctx: &Context, ns: &str) -> Result<ApiToken, Error> {
        let mut cache = self.cache.lock().await;
        if let Some((token, _)) = cache.get(ns) {
            return Ok(token.clone());
        }
        let (token, source) = lookup_or_create(ctx, ns).await?;
        cache.insert(ns.to_owned(), (token.clone(), source));
        Ok(token)
    }

    /// VVP rejected the token of `ns` (401): rudder's own token is dropped with its Secret,
    /// so the next reconcile creates a new one; a given (env) token is only logged about.
    pub async fn rejected(&self, ctx: &Context, ns: &str) {
        let source = self.cache.lock().await.get(ns).map(|(_, s)| *s);
        match source {
            Some(Source::Owned) => {
                tracing::warn!(
                    vvp_namespace = ns,
                    "VVP rejected rudder's token; replacing it"
                );
                if let Err(e) = self.forget(ctx, ns).await {
                    tracing::warn!(vvp_namespace = ns, error = %e, "cannot drop the rejected token");
                }
            }
            Some(Source::Given) => {
                tracing::warn!(vvp_namespace = ns, "VVP rejected the configured token");
            }
            None => {}
        }
    }

    /// Forgets the token of `ns` and deletes its Secret (the VVP namespace is gone, or the
    /// token was rejected).
    pub async fn forget(&self, ctx: &Context, ns: &str) -> Result<(), Error> {
        let mut cache = self.cache.lock().await;
        cache.remove(ns);
        let api = secrets(ctx);
        match api.delete(&secret_name(ns), &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

fn secrets(ctx: &Context) -> Api<Secret> {
    Api::namespaced(ctx.client.clone(), &ctx.config.token_secret_namespace)
}

async fn lookup_or_create(ctx: &Context, ns: &str) -> Result<(ApiToken, Source), Error> {
    if let Some(token) = env_token(&ctx.config.env, ns) {
        return Ok((token, Source::Given));
    }
    if ctx.config.edition == Edition::Community {
        return Ok((ApiToken::new(NO_OP_TOKEN), Source::Given));
    }
    if let Some(token) = stored_token(ctx, ns).await? {
        return Ok((token, Source::Owned));
    }
    Ok((create_token(ctx, ns).await?, Source::Owned))
}

async fn stored_token(ctx: &Context, ns: &str) -> Result<Option<ApiToken>, Error> {
    let Some(secret) = secrets(ctx).get_opt(&secret_name(ns)).await? else {
        return Ok(None);
    };
    let value = secret
        .data
        .as_ref()
        .and_then(|d| d.get(SECRET_KEY))
        .and_then(|b| String::from_utf8(b.0.clone()).ok())
        .filter(|s| !s.is_empty());
    Ok(value.map(ApiToken::new))
}

/// Creates rudder's owner token in `ns` (revoking an earlier one whose secret is lost) and
/// stores it in the Secret.
async fn create_token(ctx: &Context, ns: &str) -> Result<ApiToken, Error> {
    let fail = |reason: &str, source: crate::vvp::error::VvpError| Error::Token {
        namespace: ns.to_owned(),
        reason: reason.to_owned(),
        source: Some(source),
    };
    match ctx.vvp.get_api_token(ns, VVP_TOKEN_NAME, None).await {
        Ok(_) => ctx
            .vvp
            .delete_api_token(ns, VVP_TOKEN_NAME, None)
            .await
            .map_err(|e| fail("cannot revoke the earlier rudder token", e))?,
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(fail("cannot look up the rudder token", e)),
    }
    let created = ctx
        .vvp
        .create_api_token(ns, VVP_TOKEN_NAME, "owner", None)
        .await
        .map_err(|e| fail("cannot create an owner token", e))?;
    store_token(ctx, ns, &created.secret).await?;
    tracing::info!(vvp_namespace = ns, secret = %secret_name(ns), "created a VVP API token");
    Ok(created.secret)
}

async fn store_token(ctx: &Context, ns: &str, token: &ApiToken) -> Result<(), Error> {
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(secret_name(ns)),
            namespace: Some(ctx.config.token_secret_namespace.clone()),
            labels: Some(BTreeMap::from([
                (
                    "app.kubernetes.io/managed-by".to_owned(),
                    "rudder".to_owned(),
                ),
                ("vvp.rudder.dev/namespace".to_owned(), ns.to_owned()),
            ])),
            ..ObjectMeta::default()
        },
        type_: Some("Opaque".to_owned()),
        data: Some(BTreeMap::from([(
            SECRET_KEY.to_owned(),
            ByteString(token.expose().as_bytes().to_vec()),
        )])),
        ..Secret::default()
    };
    let mut value = serde_json::to_value(&secret).map_err(|e| Error::Token {
        namespace: ns.to_owned(),
        reason: format!("cannot encode the Secret: {e}"),
        source: None,
    })?;
    if let Some(map) = value.as_object_mut() {
        map.insert("apiVersion".into(), "v1".into());
        map.insert("kind".into(), "Secret".into());
    }
    secrets(ctx)
        .patch(
            &secret_name(ns),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&value),
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn namespace_variable_wins_over_default() {
        let e = env(&[
            ("APPMANAGER_API_TOKEN", "general"),
            ("APPMANAGER_API_TOKEN_TOP_SPEED", "specific"),
        ]);
        assert_eq!(env_token(&e, "top-speed").unwrap().expose(), "specific");
        assert_eq!(env_token(&e, "other").unwrap().expose(), "general");
    }

    #[test]
    fn original_hyphenated_name_is_accepted() {
        let e = env(&[("APPMANAGER_API_TOKEN_TOP-SPEED", "hyphen")]);
        assert_eq!(env_token(&e, "top-speed").unwrap().expose(), "hyphen");
    }

    #[test]
    fn empty_values_and_absence_give_none() {
        let e = env(&[("APPMANAGER_API_TOKEN", "")]);
        assert!(env_token(&e, "x").is_none());
        assert!(env_token(&BTreeMap::new(), "x").is_none());
    }

    #[test]
    fn secret_names_are_deterministic() {
        assert_eq!(secret_name("top-speed"), "rudder-vvp-token-top-speed");
    }
}
