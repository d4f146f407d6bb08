//! Template parsing started early: a second thread parses each template file as soon as the
//! chart loader has read it, and goes on while this thread finishes loading, processes
//! dependencies and coalesces values: the ~2 ms of a large chart's render in which parsing
//! could not otherwise start.
//!
//! Results are kept by text, not by name. The name a file renders under
//! (`CHART/charts/SUB/templates/FILE`, with aliases) is only settled by dependency
//! processing, so the second thread parses each file under its path in the loaded tree.
//! When rendering reaches the parse step, the engine takes over through [`Preparse::parse`]:
//! a file whose text is the very text the loader read (the same shared allocation) gets that
//! result, renamed; the name enters a parse only as the trees' names, and a parse error (whose
//! message names the file) is parsed again under the right name. Files still untouched are
//! parsed by the engine itself, alongside the second thread, and files the render does not
//! need (disabled subcharts) are dropped. The results equal a plain parse.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
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
    /// The name it is parsed under: its path in the loaded chart tree.
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

    /// Drops a job nobody took (one the second thread is parsing just finishes unused).
    fn skip(&self) {
        let _ = self
            .state
            .compare_exchange(FREE, SKIPPED, Ordering::AcqRel, Ordering::Acquire);
    }
}

/// The jobs queued so far, shared with the second thread.
#[derive(Default)]
struct Queue {
    /// Jobs in the order they were queued.
    jobs: Vec<Arc<Job>>,
    /// Their total text size, which decides when a thread is worth starting.
    bytes: usize,
    /// Set when no more jobs will come: the second thread stops when it has none left.
    closed: bool,
    /// Set while the second thread waits for jobs: only then is it woken. (A condition
    /// variable's notification is a system call whether or not anyone waits, and the
    /// loader queues a job per template file.)
    waiting: bool,
}

/// The queue and the signal the second thread waits on for more jobs.
#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    more: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Template files being parsed on a second thread; see the module documentation.
pub struct Preparse {
    /// The queue, shared with the second thread.
    shared: Arc<Shared>,
    /// Names the template set's functions; called on the second thread.
    functions: fn() -> Vec<String>,
    /// Queued text below which no thread is started (it would cost more than it saves).
    min_bytes: usize,
    /// The second thread, once started and until [`Preparse::parse`] waits for it.
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Preparse {
    /// An empty queue for a template set whose functions `functions()` names. The second
    /// thread starts once queued templates total `min_bytes`.
    pub fn new(functions: fn() -> Vec<String>, min_bytes: usize) -> Preparse {
        Preparse {
            shared: Arc::default(),
            functions,
            min_bytes,
            worker: Mutex::new(None),
        }
    }

    /// A queue holding `chart`'s templates, closed: for a chart loaded without
    /// [`Preparse::offer`]. `None` when they total less than `min_bytes`.
    #[cfg(test)]
    fn start(chart: &Chart, functions: fn() -> Vec<String>, min_bytes: usize) -> Option<Preparse> {
        let preparse = Preparse::new(functions, min_bytes);
        preparse.close(chart);
        preparse.started().then_some(preparse)
    }

    /// The chart loader's observer: queues the file at chart-relative path `rel` if it is a
    /// template of the chart or of a subchart directory.
    pub fn offer(&self, rel: &str, data: &Arc<[u8]>) {
        if is_template_path(rel) {
            self.push(rel.to_string(), shared_str_from_bytes(data));
        }
    }

    /// Loading ended: queues the templates of `chart` (named by their path in the tree) that
    /// were not offered, such as those inside subchart archives, and lets the second thread
    /// stop once the queue is empty.
    pub fn close(&self, chart: &Chart) {
        let queued: std::collections::HashSet<*const u8> = self
            .shared
            .lock()
            .jobs
            .iter()
            .map(|j| j.text.as_ptr())
            .collect();
        let mut missing = Vec::new();
        unqueued(chart, "", &queued, &mut missing);
        for (name, text) in missing {
            self.push(name, text);
        }
        self.shared.lock().closed = true;
        self.shared.more.notify_all();
    }

    /// Whether the second thread was started (else the engine had better parse alone).
    pub fn started(&self) -> bool {
        self.worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Queues one file, starting the second thread when the queue has grown large enough.
    fn push(&self, name: String, text: Arc<str>) {
        let (bytes, waiting) = {
            let mut queue = self.shared.lock();
            queue.bytes += text.len();
            queue.jobs.push(Arc::new(Job {
                name,
                text,
                state: AtomicU8::new(FREE),
                result: Mutex::new(None),
            }));
            (queue.bytes, queue.waiting)
        };
        if waiting {
            self.shared.more.notify_one();
        }
        if bytes >= self.min_bytes {
            let mut worker = self.worker.lock().unwrap_or_else(PoisonError::into_inner);
            if worker.is_none() {
                let shared = Arc::clone(&self.shared);
                let functions = self.functions;
                // Without a thread, the engine parses everything itself.
                *worker = std::thread::Builder::new()
                    .name("preparse".into())
                    .spawn(move || work(&shared, functions))
                    .ok();
            }
        }
    }

    /// The parse result of every file in `files` (name and text, in order), taking the
    /// second thread's results for the texts it was given and parsing the others with
    /// `parse_here`, while the second thread goes on with the files still free.
    pub fn parse(
        &self,
        files: &[(&str, &Arc<str>)],
        parse_here: impl Fn(&str, &Arc<str>) -> ParseResult,
    ) -> Vec<ParseResult> {
        let jobs: Vec<Arc<Job>> = {
            let mut queue = self.shared.lock();
            queue.closed = true;
            queue.jobs.clone()
        };
        self.shared.more.notify_all();
        let by_text: HashMap<*const u8, usize> = jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (j.text.as_ptr(), i))
            .collect();
        // A text shared by two files (a subchart under two aliases) serves the first only.
        let mut needed = vec![false; jobs.len()];
        let matched: Vec<Option<usize>> = files
            .iter()
            .map(|(_, text)| {
                let i = *by_text.get(&text.as_ptr())?;
                (!std::mem::replace(&mut needed[i], true)).then_some(i)
            })
            .collect();
        for (job, needed) in jobs.iter().zip(&needed) {
            if !needed {
                job.skip();
            }
        }
        let mut out: Vec<Option<ParseResult>> = files
            .iter()
            .zip(&matched)
            .map(|((name, text), job)| match job {
                Some(i) if !jobs[*i].claim() => None,
                _ => Some(parse_here(name, text)),
            })
            .collect();
        self.wait();
        for (slot, (job, (name, _))) in out.iter_mut().zip(matched.iter().zip(files)) {
            if slot.is_none()
                && let Some(i) = job
            {
                let job = &jobs[*i];
                let result = job
                    .result
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                *slot = result.and_then(|r| renamed(r, &job.name, name));
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
    /// A render that ends before parsing (a load, dependency or values error) lets the
    /// second thread stop after its current file instead of parsing the rest.
    fn drop(&mut self) {
        let mut queue = self.shared.lock();
        for job in &queue.jobs {
            job.skip();
        }
        queue.closed = true;
        drop(queue);
        self.shared.more.notify_all();
    }
}

/// The second thread: parses free jobs in queue order, waiting for more until the queue is
/// closed and empty.
fn work(shared: &Shared, functions: fn() -> Vec<String>) {
    let names = functions();
    let context = ParseContext::with_functions(names.iter().map(String::as_str));
    let mut next = 0;
    loop {
        let job = {
            let mut queue = shared.lock();
            loop {
                if let Some(job) = queue.jobs.get(next) {
                    break Arc::clone(job);
                }
                if queue.closed {
                    return;
                }
                queue.waiting = true;
                queue = shared
                    .more
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
                queue.waiting = false;
            }
        };
        next += 1;
        if job.claim() {
            let result = context.parse_shared(&job.name, Arc::clone(&job.text));
            *job.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        }
    }
}

/// A result parsed under `from`, as parsing under `to` gives it; `None` when the name
/// could have made a difference: a parse error (its message names the file), or a `define`
/// named like the file (Go's `add` resolves that clash by name).
fn renamed(result: ParseResult, from: &str, to: &str) -> Option<ParseResult> {
    let mut trees = result.ok()?;
    if from == to {
        return Some(Ok(trees));
    }
    let (top, defines) = trees.split_first_mut()?;
    if top.name != from || defines.iter().any(|t| t.name == from || t.name == to) {
        return None;
    }
    top.name = to.to_string();
    for tree in trees.iter_mut() {
        if tree.parse_name == from {
            tree.parse_name = to.to_string();
        }
    }
    Some(Ok(trees))
}

/// Whether chart-relative path `rel` is a template of the chart or of a subchart directory
/// (`templates/…`, `charts/SUB/templates/…`, and so on down).
fn is_template_path(rel: &str) -> bool {
    crate::chart::path_in_chart(rel).is_some_and(|p| p.starts_with("templates/"))
}

/// The templates of `chart` (at path `prefix` in the tree) and its subcharts that the engine
/// parses and whose text is not in `queued`, named by their path.
fn unqueued(
    chart: &Chart,
    prefix: &str,
    queued: &std::collections::HashSet<*const u8>,
    out: &mut Vec<(String, Arc<str>)>,
) {
    for t in engine_templates(chart) {
        // Templates are always loaded with the chart.
        let Some(data) = t.data.loaded() else {
            continue;
        };
        if !queued.contains(&data.as_ptr()) {
            out.push((format!("{prefix}{}", t.name), shared_str_from_bytes(data)));
        }
    }
    for child in &chart.dependencies {
        unqueued(
            child,
            &format!("{prefix}charts/{}/", child.name()),
            queued,
            out,
        );
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

    /// Tree names and parse names, or the error text.
    fn names(trees: &ParseResult) -> Vec<String> {
        match trees {
            Ok(t) => t
                .iter()
                .map(|t| format!("{} in {}", t.name, t.parse_name))
                .collect(),
            Err(e) => vec![format!("error: {e}")],
        }
    }

    /// The chart's template files as the engine asks for them: full names, shared texts.
    fn engine_files(chart: &Chart, rename: &[(&str, &str)]) -> Vec<(String, Arc<str>)> {
        let mut out = Vec::new();
        fn walk(c: &Chart, path: &str, out: &mut Vec<(String, Arc<str>)>) {
            for t in engine_templates(c) {
                let text = shared_str_from_bytes(t.data.loaded().expect("loaded"));
                out.push((format!("{path}/{}", t.name), text));
            }
            for d in &c.dependencies {
                walk(d, &format!("{path}/charts/{}", d.name()), out);
            }
        }
        walk(chart, chart.name(), &mut out);
        for (name, _) in &mut out {
            for (from, to) in rename {
                *name = name.replace(from, to);
            }
        }
        out
    }

    /// Whatever name a file was parsed under, the engine gets what a plain parse under the
    /// name it asks for gives: renamed trees, or errors naming the right file. Texts that
    /// are not the loaded ones are parsed anew.
    #[test]
    fn results_equal_a_plain_parse_under_the_rendered_name() {
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
        // The subchart renders under an alias; one file's text was replaced.
        let mut files = engine_files(&top, &[("/charts/db/", "/charts/store/")]);
        files[0].1 = Arc::from("b {{ .Values.x }} changed");
        let asked: Vec<(&str, &Arc<str>)> = files.iter().map(|(n, t)| (n.as_str(), t)).collect();
        let got = pre.parse(&asked, parse_here);
        let want: Vec<ParseResult> = asked.iter().map(|(n, t)| parse_here(n, t)).collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(names(g), names(w));
        }
        let store = &names(&got[4]);
        assert_eq!(
            store,
            &[
                "top/charts/store/templates/a.yaml in top/charts/store/templates/a.yaml",
                "db.x in top/charts/store/templates/a.yaml"
            ]
        );
        assert!(names(&got[1])[0].contains("top/templates/bad.yaml"));
        // Helm's functions are known to the second thread; others are parse errors there too.
        assert_eq!(
            names(&got[2]),
            ["top/templates/fn.yaml in top/templates/fn.yaml"]
        );
        assert!(names(&got[3])[0].contains("\"nosuchfunc\" not defined"));
    }

    /// Files queued as the loader reads them are parsed while loading goes on; templates
    /// inside subchart archives, which the loader does not report, are queued at the end.
    #[test]
    fn files_offered_during_loading_are_used() {
        let dir = std::env::temp_dir().join(format!("rudder-preparse-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::create_dir_all(dir.join("charts/db/templates")).unwrap();
        std::fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: top\nversion: 1.0.0\n",
        )
        .unwrap();
        std::fs::write(dir.join("templates/a.yaml"), "a {{ .Values.x }}").unwrap();
        std::fs::write(dir.join("values.yaml"), "x: 1\n").unwrap();
        std::fs::write(
            dir.join("charts/db/Chart.yaml"),
            "apiVersion: v2\nname: db\nversion: 1.0.0\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("charts/db/templates/d.yaml"),
            "{{ define \"d\" }}d{{ end }}",
        )
        .unwrap();
        let pre = Preparse::new(function_names, 0);
        let mut offered = Vec::new();
        let top = crate::chart::load_observed(&dir, &mut |rel, data| {
            offered.push(rel.to_string());
            pre.offer(rel, data);
        })
        .expect("chart loads");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            offered.contains(&"templates/a.yaml".to_string()),
            "{offered:?}"
        );
        assert!(offered.contains(&"values.yaml".to_string()), "{offered:?}");
        let queued: Vec<String> = pre
            .shared
            .lock()
            .jobs
            .iter()
            .map(|j| j.name.clone())
            .collect();
        assert_eq!(queued, ["charts/db/templates/d.yaml", "templates/a.yaml"]);
        pre.close(&top);
        assert_eq!(pre.shared.lock().jobs.len(), 2, "nothing queued twice");
        let files = engine_files(&top, &[]);
        let asked: Vec<(&str, &Arc<str>)> = files.iter().map(|(n, t)| (n.as_str(), t)).collect();
        let got = pre.parse(&asked, parse_here);
        let want: Vec<ParseResult> = asked.iter().map(|(n, t)| parse_here(n, t)).collect();
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(names(g), names(w));
        }
        assert_eq!(
            names(&got[1]),
            [
                "top/charts/db/templates/d.yaml in top/charts/db/templates/d.yaml",
                "d in top/charts/db/templates/d.yaml"
            ]
        );
    }

    /// A result whose names could depend on the file's name is not reused.
    #[test]
    fn renaming_refuses_what_the_name_could_change() {
        let parse = |name: &str, text: &str| parse_here(name, &Arc::from(text));
        let plain = parse("a/templates/x.yaml", "x{{ define \"d\" }}d{{ end }}");
        let moved = renamed(plain, "a/templates/x.yaml", "b/templates/x.yaml").expect("renamed");
        assert_eq!(
            names(&moved),
            [
                "b/templates/x.yaml in b/templates/x.yaml",
                "d in b/templates/x.yaml"
            ]
        );
        let clash = parse(
            "a/templates/x.yaml",
            "x{{ define \"b/templates/x.yaml\" }}d{{ end }}",
        );
        assert!(renamed(clash, "a/templates/x.yaml", "b/templates/x.yaml").is_none());
        assert!(renamed(parse("a/x", "{{ if }}"), "a/x", "b/x").is_none());
    }

    /// Files the render does not ask for are never handed out, and charts below the size
    /// threshold start no thread.
    #[test]
    fn unneeded_files_are_skipped_and_small_charts_start_nothing() {
        let top = chart(&[("a.yaml", "a"), ("b.yaml", "b")], &[]);
        assert!(Preparse::start(&top, function_names, 1 << 20).is_none());
        let pre = Preparse::start(&top, function_names, 0).expect("thread starts");
        let files = engine_files(&top, &[]);
        let got = pre.parse(&[(files[0].0.as_str(), &files[0].1)], parse_here);
        assert_eq!(got.len(), 1);
        assert_eq!(
            names(&got[0]),
            ["top/templates/a.yaml in top/templates/a.yaml"]
        );
    }
}
