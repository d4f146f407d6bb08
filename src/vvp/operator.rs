//! `rudder run`: flags, configuration assembly (VVP URLs, `--env-file`, edition), the
//! Kubernetes client, the `/metrics` endpoint, and the VVP controllers until Ctrl-C.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::client::VvpUrls;
use super::controller::{self, Config, Edition};

/// Flags of `rudder run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Base URL of Ververica Platform (both APIs); without it the VVP controllers stay off.
    #[arg(long)]
    pub vvp_url: Option<String>,
    /// Application Manager API base (e.g. `http://vvp/api`); overrides `--vvp-url`'s half.
    #[arg(long)]
    pub app_manager_api_url: Option<String>,
    /// Platform API base (e.g. `http://vvp`); overrides `--vvp-url`'s half.
    #[arg(long)]
    pub platform_api_url: Option<String>,
    /// A file of KEY=VALUE lines (e.g. `APPMANAGER_API_TOKEN_MY_NS=...`) added to the
    /// environment token lookups see; the process environment wins.
    #[arg(long)]
    pub env_file: Option<PathBuf>,
    /// The VVP edition.
    #[arg(long, value_enum, default_value_t = Edition::Enterprise)]
    pub vvp_edition: Edition,
    /// Seconds between looks at a converged object (VVP state, events, savepoints).
    #[arg(long, default_value_t = 10)]
    pub requeue_interval: u64,
    /// A kubeconfig file; default: in-cluster or `KUBECONFIG`/`~/.kube/config`, current context.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Address of the Prometheus `/metrics` endpoint (off when absent).
    #[arg(long)]
    pub metrics_addr: Option<String>,
    /// Kubernetes namespace for the API-token Secrets rudder creates (default:
    /// `$POD_NAMESPACE`, else `default`).
    #[arg(long)]
    pub token_namespace: Option<String>,
    /// Only reconcile objects in this Kubernetes namespace (default: all).
    #[arg(long)]
    pub watch_namespace: Option<String>,
}

/// Why `rudder run` stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The async runtime could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// `--env-file` cannot be read.
    #[error("cannot read --env-file {path}")]
    EnvFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line of `--env-file` is not KEY=VALUE.
    #[error("--env-file {path}: line {line} is not KEY=VALUE")]
    EnvFileSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// No Kubernetes client could be configured.
    #[error("cannot configure the Kubernetes client")]
    Kube(#[source] kube::Error),
    /// The kubeconfig cannot be used.
    #[error("cannot use kubeconfig {path}")]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: kube::config::KubeconfigError,
    },
    /// The metrics address cannot be bound.
    #[error("cannot listen on --metrics-addr {addr}")]
    Metrics {
        /// The address.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The VVP controllers cannot start.
    #[error(transparent)]
    Start(#[from] controller::StartError),
    /// Waiting for Ctrl-C failed.
    #[error("cannot wait for a signal")]
    Signal(#[source] std::io::Error),
}

/// Parses KEY=VALUE lines: blank lines and `#` comments are skipped, `export ` prefixes and
/// matching quotes around values are removed.
pub fn parse_env_file(text: &str) -> Result<BTreeMap<String, String>, usize> {
    let mut out = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return Err(i + 1);
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(i + 1);
        }
        let value = value.trim();
        let value = ['"', '\'']
            .iter()
            .find_map(|q| {
                value
                    .strip_prefix(*q)
                    .and_then(|v| v.strip_suffix(*q))
                    .filter(|_| value.len() >= 2)
            })
            .unwrap_or(value);
        out.insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

/// The VVP URLs from the flags: `--vvp-url` for both halves, each overridable.
pub fn urls(args: &RunArgs) -> Option<VvpUrls> {
    let base = args.vvp_url.as_deref().map(VvpUrls::from_vvp_url);
    match (base, &args.app_manager_api_url, &args.platform_api_url) {
        (None, None, None) => None,
        (base, am, platform) => {
            let base = base.unwrap_or(VvpUrls {
                app_manager: String::new(),
                platform: String::new(),
            });
            Some(VvpUrls {
                app_manager: am
                    .as_deref()
                    .map(|u| u.trim_end_matches('/').to_owned())
                    .unwrap_or(base.app_manager),
                platform: platform
                    .as_deref()
                    .map(|u| u.trim_end_matches('/').to_owned())
                    .unwrap_or(base.platform),
            })
        }
    }
}

/// The controller configuration for `args`, reading `--env-file` and the process env.
pub fn config(args: &RunArgs) -> Result<Config, RunError> {
    let mut env = match &args.env_file {
        Some(path) => read_env_file(path)?,
        None => BTreeMap::new(),
    };
    env.extend(std::env::vars());
    let token_secret_namespace = args
        .token_namespace
        .clone()
        .or_else(|| std::env::var("POD_NAMESPACE").ok())
        .unwrap_or_else(|| "default".to_owned());
    Ok(Config {
        urls: urls(args),
        edition: args.vvp_edition,
        requeue_interval: Duration::from_secs(args.requeue_interval.max(1)),
        env,
        token_secret_namespace,
        watch_namespace: args.watch_namespace.clone(),
        ..Config::default()
    })
}

fn read_env_file(path: &Path) -> Result<BTreeMap<String, String>, RunError> {
    let text = std::fs::read_to_string(path).map_err(|source| RunError::EnvFile {
        path: path.to_owned(),
        source,
    })?;
    parse_env_file(&text).map_err(|line| RunError::EnvFileSyntax {
        path: path.to_owned(),
        line,
    })
}

/// Runs `rudder run` to completion (Ctrl-C).
pub fn run_blocking(args: RunArgs) -> Result<(), RunError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    runtime.block_on(run(args))
}

async fn kube_client(args: &RunArgs) -> Result<kube::Client, RunError> {
    match &args.kubeconfig {
        None => kube::Client::try_default().await.map_err(RunError::Kube),
        Some(path) => {
            let kubeconfig = kube::config::Kubeconfig::read_from(path).map_err(|source| {
                RunError::Kubeconfig {
                    path: path.clone(),
                    source,
                }
            })?;
            let config = kube::Config::from_custom_kubeconfig(
                kubeconfig,
                &kube::config::KubeConfigOptions::default(),
            )
            .await
            .map_err(|source| RunError::Kubeconfig {
                path: path.clone(),
                source,
            })?;
            kube::Client::try_from(config).map_err(RunError::Kube)
        }
    }
}

async fn run(args: RunArgs) -> Result<(), RunError> {
    let config = config(&args)?;
    let client = kube_client(&args).await?;
    if let Some(addr) = &args.metrics_addr {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| RunError::Metrics {
                addr: addr.clone(),
                source,
            })?;
        tracing::info!(%addr, "serving /metrics");
        tokio::spawn(serve_metrics(listener));
    }
    let controllers = controller::run(client, config);
    tokio::select! {
        result = controllers => {
            result?;
            // Controllers off (no VVP URL): keep serving metrics until Ctrl-C.
            tokio::signal::ctrl_c().await.map_err(RunError::Signal)
        }
        signal = tokio::signal::ctrl_c() => signal.map_err(RunError::Signal),
    }
}

/// A minimal HTTP/1.1 server: `GET /metrics` answers the counters, anything else 404.
pub async fn serve_metrics(listener: TcpListener) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let n = stream.read(&mut buf).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("");
            let (status, body) = if path == "/metrics" {
                ("200 OK", super::metrics::render())
            } else {
                ("404 Not Found", "not found\n".to_owned())
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: RunArgs,
    }

    fn parse(argv: &[&str]) -> RunArgs {
        let mut all = vec!["rudder"];
        all.extend_from_slice(argv);
        Wrapper::try_parse_from(all).expect("parses").args
    }

    #[test]
    fn env_file_lines() {
        let env = parse_env_file(
            "# comment\n\nAPPMANAGER_API_TOKEN=abc\nexport A_B=\"quoted value\"\nC='x'\n",
        )
        .unwrap();
        assert_eq!(env["APPMANAGER_API_TOKEN"], "abc");
        assert_eq!(env["A_B"], "quoted value");
        assert_eq!(env["C"], "x");
        assert_eq!(parse_env_file("ok=1\nbroken\n"), Err(2));
    }

    #[test]
    fn urls_from_one_base_or_two_halves() {
        assert!(urls(&parse(&[])).is_none());
        let one = urls(&parse(&["--vvp-url", "http://vvp:8080/"])).unwrap();
        assert_eq!(one.app_manager, "http://vvp:8080/api");
        assert_eq!(one.platform, "http://vvp:8080");
        let over = urls(&parse(&[
            "--vvp-url",
            "http://vvp",
            "--app-manager-api-url",
            "http://am/api/",
        ]))
        .unwrap();
        assert_eq!(over.app_manager, "http://am/api");
        assert_eq!(over.platform, "http://vvp");
    }

    #[test]
    fn edition_and_interval_flags() {
        let args = parse(&["--vvp-edition", "community", "--requeue-interval", "3"]);
        assert_eq!(args.vvp_edition, Edition::Community);
        let config = config(&args).unwrap();
        assert_eq!(config.requeue_interval, Duration::from_secs(3));
        assert_eq!(config.edition, Edition::Community);
    }
}
