//! Template parsing started early: as soon as a chart is loaded, a second thread parses its
//! templates while this one processes dependencies and coalesces values, the ~1 ms of a large
//! chart's render in which parsing could not otherwise start.
//!
//! The names the files will render under are predicted from the loaded chart tree and the
//! aliases its `Chart.yaml` files declare (`CHART/charts/SUB/templates/FILE`). When rendering
//! reaches the parse step, the engine takes over through [`Preparse::parse`]: it keeps the
//! results of files it needs, whose name and text match, parses what is still untouched
//! itself, alongside the second thread, and drops the rest. A file whose name differs (a
//! subchart under a second alias) or that dependency processing disabled is simply parsed
//! normally or not at all: the results equal a plain parse.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::release::engine_templates;
use crate::chart::Chart;
use crate::template::shared_str_from_bytes;
use crate::template::{Error, ParseContext, Tree};

/// What parsing one file gives: its trees (its own, then its `define`s), or the error.
pub type ParseResult = Result<Vec<Tree>, Error>;

/// A job nobody took yet.
const FREE: u8 = 0;
/// Being parsed by one of the threads.
const TAKEN: u8 = 1;
/// Dropped: the render does not need the file.
const SKIPPED: u8 = 2;

/// One template file to parse.
struct Job {
    /// Predicted full name, `CHART/templates/FILE`.
    name: String,
    /// The text, shared with the loaded chart.
    text: Arc<str>,
    /// [`FREE`], [`TAKEN`] or [`SKIPPED`].
    state: AtomicU8,
    /// The result of a job the second thread parsed.
    result: Mutex<Option<ParseResult>>,
}

impl Job {
    /// Claims a free job for the calling thread.
    fn claim(&self) -> bool {
        self.state
            .compare_exchange(FREE, TAKEN, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

/// A chart's templates being parsed on a second thread; see the module documentation.
pub struct Preparse {
    /// The jobs, top chart first, shared with the second thread.
    jobs: Arc<[Job]>,
    /// The second thread, until [`Preparse::parse`] waits for it.
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Preparse {
    /// Starts parsing `chart`'s templates on a second thread, for a template set whose
    /// functions are named by `functions()`, unless they total fewer than `min_bytes` (a
    /// thread would cost more than it saves) or no thread can be started.
    pub fn start(
        chart: &Chart,
        functions: impl FnOnce() -> Vec<String>,
        min_bytes: usize,
    ) -> Option<Preparse> {
        let mut jobs = Vec::new();
        predict(chart, chart.name(), &mut jobs);
        if jobs.iter().map(|j| j.text.len()).sum::<usize>() < min_bytes {
            return None;
        }
        let functions = functions();
        let jobs: Arc<[Job]> = jobs.into();
        let shared = Arc::clone(&jobs);
        let worker = std::thread::Builder::new()
            .name("preparse".into())
            .spawn(move || work(&shared, &functions))
            .ok()?;
        Some(Preparse {
            jobs,
            worker: Mutex::new(Some(worker)),
        })
    }

    /// The parse result of every file in `files` (name and text, in order), taking the
    /// second thread's results where they match and parsing the others with `parse_here`,
    /// while the second thread goes on with the files still free.
    pub fn parse(
        &self,
        files: &[(&str, &Arc<str>)],
        parse_here: impl Fn(&str, &Arc<str>) -> ParseResult,
    ) -> Vec<ParseResult> {
        let by_name: HashMap<&str, usize> = self
            .jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (j.name.as_str(), i))
            .collect();
        let matched: Vec<Option<usize>> = files
            .iter()
            .map(|(name, text)| {
                by_name.get(name).copied().filter(|&i| {
                    let job = &self.jobs[i].text;
                    Arc::ptr_eq(job, text) || job == *text
                })
            })
            .collect();
        let mut needed = vec![false; self.jobs.len()];
        for i in matched.iter().flatten() {
            needed[*i] = true;
        }
        for (job, needed) in self.jobs.iter().zip(&needed) {
            if !needed {
                // A job the worker already took just finishes unused.
                let _ =
                    job.state
                        .compare_exchange(FREE, SKIPPED, Ordering::AcqRel, Ordering::Acquire);
            }
        }
        let mut out: Vec<Option<ParseResult>> = files
            .iter()
            .zip(&matched)
            .map(|((name, text), job)| match job {
                Some(i) if !self.jobs[*i].claim() => None,
                _ => Some(parse_here(name, text)),
            })
            .collect();
        self.wait();
        for (slot, job) in out.iter_mut().zip(&matched) {
            if slot.is_none()
                && let Some(i) = job
            {
                *slot = self.jobs[*i]
                    .result
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
            }
        }
        out.into_iter()
            .zip(files)
            .map(|(result, (name, text))| result.unwrap_or_else(|| parse_here(name, text)))
            .collect()
    }

    /// Waits until the second thread has finished its last job.
    fn wait(&self) {
        let worker = self
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(worker) = worker {
            // A panic while parsing leaves that job without a result: it is parsed again here.
            let _ = worker.join();
        }
    }
}

impl Drop for Preparse {
    /// A render that ends before parsing (a dependency or values error) lets the second
    /// thread stop after its current file instead of waiting for it.
    fn drop(&mut self) {
        for job in self.jobs.iter() {
            let _ = job
                .state
                .compare_exchange(FREE, SKIPPED, Ordering::AcqRel, Ordering::Acquire);
        }
    }
}

/// The second thread: parses free jobs in order until none is left.
fn work(jobs: &[Job], functions: &[String]) {
    let context = ParseContext::with_functions(functions.iter().map(String::as_str));
    for job in jobs {
        if job.claim() {
            let result = context.parse_shared(&job.name, Arc::clone(&job.text));
            *job.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        }
    }
}

/// The name subchart `name` of `chart` renders under: the alias of the first dependency
/// `chart` declares for it, if that one has an alias (dependency processing copies an aliased
/// subchart under its alias), else its own name.
fn rendered_name<'a>(chart: &'a Chart, name: &'a str) -> &'a str {
    chart
        .metadata
        .declared_dependencies()
        .find(|d| d.name == name)
        .map_or(name, |d| if d.alias.is_empty() { name } else { &d.alias })
}

/// The files `chart` (at `full_path`) and its subcharts will render, as the engine's
/// `recAllTpls` names them: the chart's own first.
fn predict(chart: &Chart, full_path: &str, jobs: &mut Vec<Job>) {
    for t in engine_templates(chart) {
        // Templates are always loaded with the chart.
        let Some(text) = t.data.loaded() else {
            continue;
        };
        jobs.push(Job {
            name: format!("{full_path}/{}", t.name),
            text: shared_str_from_bytes(text),
            state: AtomicU8::new(FREE),
            result: Mutex::new(None),
        });
    }
    for child in &chart.dependencies {
        let name = rendered_name(chart, child.name());
        predict(child, &format!("{full_path}/charts/{name}"), jobs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::File;
    use crate::render::engine::function_names;
    use crate::render::funcs::helm_funcs;
    use crate::template::Template;

    /// A chart `top` with `templates`, and a subchart `db` with `sub` when given.
    fn chart(templates: &[(&str, &str)], sub: &[(&str, &str)]) -> Chart {
        let mut files = vec![File::new(
            "Chart.yaml",
            b"apiVersion: v2\nname: top\nversion: 1.0.0\n".to_vec(),
        )];
        for (n, t) in templates {
            files.push(File::new(format!("templates/{n}"), t.as_bytes().to_vec()));
        }
        if !sub.is_empty() {
            files.push(File::new(
                "charts/db/Chart.yaml",
                b"apiVersion: v2\nname: db\nversion: 1.0.0\n".to_vec(),
            ));
        }
        for (n, t) in sub {
            files.push(File::new(
                format!("charts/db/templates/{n}"),
                t.as_bytes().to_vec(),
            ));
        }
        crate::chart::load_files(files).expect("chart loads")
    }

    fn parse_here(name: &str, text: &Arc<str>) -> ParseResult {
        let mut set = Template::new("gotpl");
        set.funcs(&helm_funcs(None));
        set.parse_context().parse_shared(name, Arc::clone(text))
    }

    fn names(trees: &ParseResult) -> Vec<String> {
        match trees {
            Ok(t) => t.iter().map(|t| t.name.clone()).collect(),
            Err(e) => vec![format!("error: {e}")],
        }
    }

    /// Matching files come back as a plain parse gives them, in the order asked for; a file
    /// under another name (an alias) or with other text is parsed anew, and parse errors
    /// (undefined functions included) are results like any other.
    #[test]
    fn results_equal_a_plain_parse_whatever_the_prediction() {
        let top = chart(
            &[
                ("b.yaml", "b {{ .Values.x }}"),
                ("bad.yaml", "{{ if }}"),
                ("fn.yaml", "{{ include \"db.x\" . | nindent 2 }}"),
                ("nofn.yaml", "{{ nosuchfunc . }}"),
            ],
            &[("a.yaml", "{{ define \"db.x\" }}x{{ end }}a")],
        );
        let pre = Preparse::start(&top, function_names, 0).expect("thread starts");
        let text = |s: &str| -> Arc<str> { Arc::from(s) };
        let files = [
            (
                "top/charts/db/templates/a.yaml",
                text("{{ define \"db.x\" }}x{{ end }}a"),
            ),
            (
                "top/charts/alias/templates/a.yaml",
                text("{{ define \"db.x\" }}x{{ end }}a"),
            ),
            ("top/templates/b.yaml", text("b {{ .Values.x }} changed")),
            ("top/templates/bad.yaml", text("{{ if }}")),
            (
                "top/templates/fn.yaml",
                text("{{ include \"db.x\" . | nindent 2 }}"),
            ),
            ("top/templates/nofn.yaml", text("{{ nosuchfunc . }}")),
        ];
        let asked: Vec<(&str, &Arc<str>)> = files.iter().map(|(n, t)| (*n, t)).collect();
        let got = pre.parse(&asked, parse_here);
        let want: Vec<ParseResult> = asked.iter().map(|(n, t)| parse_here(n, t)).collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(names(g), names(w));
        }
        assert_eq!(names(&got[0]), ["top/charts/db/templates/a.yaml", "db.x"]);
        assert!(
            names(&got[3])[0].starts_with("error: "),
            "{:?}",
            names(&got[3])
        );
        // Helm's functions are known to the second thread; others are parse errors there too.
        assert_eq!(names(&got[4]), ["top/templates/fn.yaml"]);
        assert!(
            names(&got[5])[0].contains("\"nosuchfunc\" not defined"),
            "{:?}",
            names(&got[5])
        );
    }

    /// A subchart declared under an alias is predicted under that alias.
    #[test]
    fn aliased_subcharts_are_predicted_under_their_alias() {
        let files = vec![
            File::new(
                "Chart.yaml",
                b"apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n- name: db\n  version: 1.0.0\n  alias: store\n".to_vec(),
            ),
            File::new("templates/t.yaml", b"t".to_vec()),
            File::new("charts/db/Chart.yaml", b"apiVersion: v2\nname: db\nversion: 1.0.0\n".to_vec()),
            File::new("charts/db/templates/a.yaml", b"a".to_vec()),
        ];
        let top = crate::chart::load_files(files).expect("chart loads");
        let pre = Preparse::start(&top, function_names, 0).expect("thread starts");
        let names: Vec<&str> = pre.jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(
            names,
            ["top/templates/t.yaml", "top/charts/store/templates/a.yaml"]
        );
    }

    /// Files the render does not ask for are never handed out, and charts below the size
    /// threshold start no thread.
    #[test]
    fn unneeded_files_are_skipped_and_small_charts_start_nothing() {
        let top = chart(&[("a.yaml", "a"), ("b.yaml", "b")], &[]);
        assert!(Preparse::start(&top, function_names, 1 << 20).is_none());
        let pre = Preparse::start(&top, function_names, 0).expect("thread starts");
        let a: Arc<str> = Arc::from("a");
        let got = pre.parse(&[("top/templates/a.yaml", &a)], parse_here);
        assert_eq!(got.len(), 1);
        assert_eq!(names(&got[0]), ["top/templates/a.yaml"]);
    }
}
