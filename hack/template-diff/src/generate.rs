//! Random but plausible Helm templates and values.
//!
//! A case is one template (`t.yaml`), optionally a `_helpers.tpl` with `define`s, and user
//! values (YAML). Templates are built from a small grammar: text, actions with pipelines,
//! `if`/`else if`/`else`, `range` (lists, maps, integers, `break`/`continue`, `else`),
//! `with`/`else with`, variables (`:=`, `=`), `include`/`template`/`block`/`tpl`, `printf` with
//! random verbs, and calls of every function of Helm's function map with arguments chosen by
//! per-function hints (or at random). Functions whose output is not deterministic (random,
//! time, crypto keys) are never generated, so outputs can be compared byte for byte.
//!
//! Every case carries a `topic`: the construct or function it was built around, used to group
//! mismatches into classes.

use rudder::template::Arity;

/// A small, fast, seedable PRNG (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p` percent.
    pub fn chance(&mut self, p: u32) -> bool {
        self.below(100) < p as usize
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One generated case, in the oracle's JSON-lines format.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Case {
    pub name: String,
    pub template: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub values: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub helpers: String,
    /// What the case was built around (mismatch class key); not sent to the oracle.
    #[serde(skip)]
    pub topic: String,
}

/// Functions never generated: nondeterministic output, or removed by Helm.
const EXCLUDED: &[&str] = &[
    "now",
    "ago",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randNumeric",
    "randBytes",
    "randInt",
    "uuidv4",
    "shuffle",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "buildCustomCert",
    "encryptAES",
    "bcrypt",
    "htpasswd",
    "values",
    "mustValues",
    "env",
    "expandenv",
    "dateInZone",
    "date_in_zone",
    "dateModify",
    "date_modify",
    "mustDateModify",
    "unixEpoch",
    "getHostByName",
    // `date`/`htmlDate` use time.Now() for arguments that are not times.
    "date",
    "htmlDate",
];

/// Argument kinds used to pick plausible arguments.
#[derive(Clone, Copy, Debug, PartialEq)]
enum K {
    Any,
    Str,
    Int,
    Small,
    Float,
    Num,
    Bool,
    List,
    Map,
    Regex,
    Format,
    Layout,
    Semver,
    Constraint,
    Key,
    Tpl,
    Yaml,
    Json,
    B64,
    Time,
}

/// Plausible argument kinds of common functions (the rest get `Any`).
fn hints(name: &str) -> Option<&'static [K]> {
    use K::*;
    Some(match name {
        "printf" => &[Format, Any, Any, Any],
        "print" | "println" => &[Any, Any, Any],
        "trunc" => &[Int, Str],
        "abbrev" => &[Small, Str],
        "abbrevboth" => &[Small, Small, Str],
        "substr" => &[Small, Small, Str],
        "repeat" => &[Small, Str],
        "indent" | "nindent" => &[Small, Str],
        "replace" => &[Str, Str, Str],
        "contains" | "hasPrefix" | "hasSuffix" | "trimPrefix" | "trimSuffix" | "trimAll" => {
            &[Str, Str]
        }
        "split" | "splitList" | "join" => &[Str, Any],
        "splitn" => &[Str, Small, Str],
        "wrap" => &[Small, Str],
        "wrapWith" => &[Small, Str, Str],
        "regexMatch" | "mustRegexMatch" | "regexFindAll" | "mustRegexFindAll" | "regexFind"
        | "mustRegexFind" | "regexSplit" | "mustRegexSplit" => &[Regex, Str, Small],
        "regexReplaceAll"
        | "mustRegexReplaceAll"
        | "regexReplaceAllLiteral"
        | "mustRegexReplaceAllLiteral" => &[Regex, Str, Str],
        "regexQuoteMeta" => &[Str],
        "date" | "htmlDate" | "dateInZone" => &[Layout, Time],
        "toDate" | "mustToDate" => &[Layout, Str],
        "semver" => &[Semver],
        "semverCompare" => &[Constraint, Semver],
        "until" => &[Small],
        "untilStep" => &[Small, Small, Small],
        "seq" => &[Small, Small, Small],
        "add" | "sub" | "mul" | "div" | "mod" | "max" | "min" | "addf" | "subf" | "mulf"
        | "divf" | "maxf" | "minf" => &[Num, Num, Num],
        "add1" | "add1f" | "floor" | "ceil" | "int" | "int64" | "toDecimal" => &[Num],
        "float64" => &[Float],
        "round" => &[Num, Small, Num],
        "biggest" => &[Num, Num],
        "dict" => &[Key, Any, Key, Any, Key, Any],
        "get" | "hasKey" | "unset" => &[Map, Key],
        "set" => &[Map, Key, Any],
        "pluck" => &[Key, Map, Map],
        "dig" => &[Key, Key, Any, Map],
        "pick" | "omit" => &[Map, Key, Key],
        "merge" | "mergeOverwrite" | "mustMerge" | "mustMergeOverwrite" => &[Map, Map, Map],
        "keys" => &[Map, Map],
        "list" | "tuple" => &[Any, Any, Any],
        "first" | "last" | "rest" | "initial" | "reverse" | "uniq" | "compact" | "sortAlpha"
        | "mustFirst" | "mustLast" | "mustRest" | "mustInitial" | "mustReverse" | "mustUniq"
        | "mustCompact" => &[List],
        "append" | "push" | "prepend" | "without" | "has" | "mustAppend" | "mustPush"
        | "mustPrepend" | "mustWithout" | "mustHas" => &[List, Any],
        "concat" => &[List, List],
        "slice" | "mustSlice" => &[List, Small, Small],
        "chunk" | "mustChunk" => &[Small, List],
        "index" => &[Any, Any, Any],
        "len" => &[Any],
        "tpl" => &[Tpl, Any],
        "fromYaml" | "fromYamlArray" => &[Yaml],
        "fromJson" | "fromJsonArray" | "mustFromJson" => &[Json],
        "b64dec" | "b32dec" => &[B64],
        "derivePassword" => &[Small, Str, Str, Str, Str],
        "decryptAES" => &[B64, Str],
        "required" | "fail" => &[Str, Any],
        "default" => &[Any, Any],
        "ternary" => &[Any, Any, Bool],
        "coalesce" => &[Any, Any, Any],
        "eq" | "ne" | "lt" | "le" | "gt" | "ge" => &[Any, Any, Any],
        "and" | "or" => &[Any, Any, Any],
        "not" => &[Any],
        "typeIs" | "typeIsLike" => &[Str, Any],
        "duration" | "durationRound" => &[Any],
        "lookup" => &[Str, Str, Str, Str],
        "include" => &[Str, Any],
        "urlJoin" => &[Map],
        "osBase" | "osDir" | "osExt" | "osClean" | "osIsAbs" | "base" | "dir" | "ext" | "clean"
        | "isAbs" => &[Str],
        _ => return None,
    })
}

const STRINGS: &[&str] = &[
    "",
    "a",
    "abc",
    "Hello World",
    "hello-world_foo",
    "a,b,c",
    "  pad  ",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "0123",
    "123",
    "1.5",
    "1e3",
    "true",
    "ünïcödé ✓",
    "<b>&'",
    "x\\ny",
    "tab\\there",
    "%d",
    "a.b.c",
    "foo/bar.txt",
    "https://example.com:8080/a/b?c=d&e=f#g",
    "MiXeD cAsE",
    "snake_case_word",
    "CamelCaseWord",
    "$",
    "-",
    "0",
    "-1",
    "0x1F",
    "9223372036854775807",
    "key: value",
    "- a\\n- b",
    "\\\"quoted\\\"",
    "v1.2.3",
    "1.2.3-beta.1+build",
];

const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-7",
    "10",
    "42",
    "100",
    "255",
    "1000000",
    "0x10",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "'a'",
    "'\\n'",
    "9223372036854775807",
    "-9223372036854775808",
];

const FLOATS: &[&str] = &[
    "0.0",
    "1.5",
    "-2.25",
    "3.0",
    "1e6",
    "1e21",
    "0.1",
    "1e-7",
    "2.5e3",
    "123456789.0",
    "0.5",
    "-0.0",
    "1.0e100",
    "0x1p-2",
    "100.0",
];

const REGEXES: &[&str] = &[
    "a",
    "[a-z]+",
    "^h",
    "o$",
    "(\\\\w+)-(\\\\w+)",
    "\\\\d+",
    ".*",
    "[",
    "a|b",
    "(?i)hello",
    "x*",
    "^$",
    "\\\\s+",
    "(a)(b)?",
];

const FORMATS: &[&str] = &[
    "%d",
    "%s",
    "%v",
    "%q",
    "%x",
    "%X",
    "%o",
    "%b",
    "%c",
    "%U",
    "%e",
    "%E",
    "%f",
    "%g",
    "%G",
    "%t",
    "%T",
    "%p",
    "%5d",
    "%-5d|",
    "%05d",
    "%+d",
    "%.2f",
    "%8.3f",
    "%-8s|",
    "%10v",
    "%#v",
    "%+v",
    "%#x",
    "% d",
    "%%",
    "%!",
    "%[1]d %[1]v",
    "%*d",
    "%.*f",
    "%s %s",
    "%d-%d-%d",
    "%v=%v",
    "%08.3f",
    "%+.3e",
    "%x %X",
    "%q %v",
    "%6.2v",
    "%.0f",
    "%#o",
    "%.3s",
    "%-10q|",
    "%z",
];

const LAYOUTS: &[&str] = &[
    "2006-01-02",
    "2006-01-02T15:04:05Z07:00",
    "Jan 2, 2006",
    "15:04",
    "Mon Jan _2 15:04:05 2006",
    "02/01/06 03:04PM",
    "2006",
    "Monday",
    ".000",
    "MST",
];

const SEMVERS: &[&str] = &[
    "1.2.3",
    "v1.2.3",
    "1.2",
    "2",
    "1.2.3-alpha.1",
    "0.0.1+build",
    "1.20.0-gke.100",
    "x.y",
    "1.2.3.4",
    "",
];

const CONSTRAINTS: &[&str] = &[
    ">=1.2.0",
    "<2",
    "^1.2",
    "~1.2.0",
    "1.x",
    ">= 1.19.0-0",
    "!=1.2.3",
    "1.2 - 1.4",
    ">1, <3",
    "=1.2.3",
    "||",
    "*",
    ">=1.20.0-0 < 1.30.0-0",
];

const KEYS: &[&str] = &[
    "a", "b", "s", "n", "f", "t", "list", "m", "nested", "empty", "name", "port", "missing",
];

const TPLS: &[&str] = &[
    "{{ .Values.s }}",
    "plain",
    "{{ .Release.Name }}-{{ .Values.n }}",
    "{{ include \\\"h1\\\" . }}",
    "{{ .a }}",
    "{{",
    "{{ toYaml .Values.m }}",
    "{{ .Template.Name }}",
    "{{ range .Values.list }}{{ . }},{{ end }}",
];

const YAMLS: &[&str] = &[
    "a: 1",
    "a: [1, 2]",
    "- 1\\n- x",
    "key: yes\\nother: 0123",
    "{",
    "",
    "a: {b: c}",
    "1.5",
    "null",
    "a: 1e3\\nb: 0x1F",
    "x: &a 1\\ny: *a",
];

const JSONS: &[&str] = &[
    "{\\\"a\\\": 1}",
    "[1, \\\"x\\\", true]",
    "{\\\"a\\\": {\\\"b\\\": [1.5, null]}}",
    "{",
    "\\\"str\\\"",
    "",
    "[]",
    "{\\\"n\\\": 1e3}",
];

const B64S: &[&str] = &[
    "aGVsbG8=", "aGVsbG8", "!!", "", "YWJj", "MFRGG===", "Zm9vYmFy",
];

const TEXTS: &[&str] = &[
    "", "x", "\n", "  ", "key: ", "- ", "a-b", "\n  ", " ", "\t", "é",
];

/// Template fields that resolve against the generated values and Helm's objects.
const FIELDS: &[&str] = &[
    ".Values.a",
    ".Values.b",
    ".Values.s",
    ".Values.n",
    ".Values.f",
    ".Values.t",
    ".Values.list",
    ".Values.m",
    ".Values.m.k",
    ".Values.nested",
    ".Values.nested.items",
    ".Values.empty",
    ".Values.name",
    ".Values.port",
    ".Values.missing",
    ".Values.missing.deep",
    ".Values",
    ".Release.Name",
    ".Release.Namespace",
    ".Release.Revision",
    ".Release.IsInstall",
    ".Chart.Name",
    ".Chart.Version",
    ".Capabilities.KubeVersion.Version",
    ".Capabilities.KubeVersion.Major",
    ".Template.Name",
    ".Template.BasePath",
    "$.Values.s",
    "$.Values.list",
    "$",
    ".",
];

/// Builds cases; holds the function table and scope state while generating one case.
pub struct Gen {
    rng: Rng,
    funcs: Vec<(String, Arity)>,
    vars: Vec<String>,
    in_range: usize,
    topic: String,
    budget: usize,
}

impl Gen {
    /// A generator over the given function table (name, arity), seeded with `seed`.
    pub fn new(seed: u64, funcs: Vec<(String, Arity)>) -> Gen {
        let funcs = funcs
            .into_iter()
            .filter(|(n, _)| !EXCLUDED.contains(&n.as_str()))
            .collect();
        Gen {
            rng: Rng::new(seed),
            funcs,
            vars: Vec::new(),
            in_range: 0,
            topic: String::new(),
            budget: 0,
        }
    }

    /// One complete case named `name`.
    pub fn case(&mut self, name: String) -> Case {
        self.vars.clear();
        self.in_range = 0;
        self.topic.clear();
        self.budget = 3 + self.rng.below(12);
        let helpers = if self.rng.chance(35) {
            self.helpers()
        } else {
            String::new()
        };
        let values = self.values();
        let template = self.block(2);
        let topic = if self.topic.is_empty() {
            "text".to_string()
        } else {
            self.topic.clone()
        };
        Case {
            name,
            template,
            values,
            helpers,
            topic,
        }
    }

    fn set_topic(&mut self, t: &str) {
        if self.topic.is_empty() {
            self.topic = t.to_string();
        }
    }

    fn helpers(&mut self) -> String {
        let mut s = String::new();
        for name in ["h1", "h2"] {
            let saved = std::mem::take(&mut self.vars);
            let body = self.block(1);
            self.vars = saved;
            let (l, r) = (self.trim_l(), self.trim_r());
            s.push_str(&format!(
                "{{{{{l} define \"{name}\" {r}}}}}{body}{{{{{l} end {r}}}}}\n"
            ));
        }
        s
    }

    fn trim_l(&mut self) -> &'static str {
        if self.rng.chance(40) { "-" } else { "" }
    }

    fn trim_r(&mut self) -> &'static str {
        if self.rng.chance(40) { " -" } else { "" }
    }

    /// A sequence of text and actions; `depth` bounds nesting of control structures.
    fn block(&mut self, depth: usize) -> String {
        let n = 1 + self.rng.below(4);
        let mut out = String::new();
        for _ in 0..n {
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            out.push_str(&self.stmt(depth));
        }
        out
    }

    fn action(&mut self, body: &str) -> String {
        let l = self.trim_l();
        let r = self.trim_r();
        let lsp = if l.is_empty() && self.rng.chance(20) {
            ""
        } else {
            " "
        };
        let rsp = if r.is_empty() && self.rng.chance(20) {
            ""
        } else {
            " "
        };
        format!("{{{{{l}{lsp}{body}{rsp}{}}}}}", r.trim_start())
    }

    fn stmt(&mut self, depth: usize) -> String {
        let roll = self.rng.below(100);
        match roll {
            0..=14 => self.rng.pick(TEXTS).to_string(),
            15..=49 => {
                let p = self.pipeline(2);
                self.action(&p)
            }
            50..=57 if depth > 0 => self.if_stmt(depth),
            58..=64 if depth > 0 => self.range_stmt(depth),
            65..=69 if depth > 0 => self.with_stmt(depth),
            70..=76 => self.var_stmt(),
            77..=80 => self.include_stmt(),
            81..=86 => self.printf_stmt(),
            87..=93 => self.convert_stmt(),
            94..=96 if self.in_range > 0 => {
                self.set_topic("break/continue");
                let kw = if self.rng.chance(50) {
                    "break"
                } else {
                    "continue"
                };
                let cond = self.pipeline(1);
                let a = self.action(&format!("if {cond}"));
                let k = self.action(kw);
                let e = self.action("end");
                format!("{a}{k}{e}")
            }
            97..=99 if depth > 0 => {
                self.set_topic("block");
                let body = self.block(depth - 1);
                let a = self.action("block \"b\" .");
                let e = self.action("end");
                format!("{a}{body}{e}")
            }
            _ => {
                let p = self.pipeline(2);
                self.action(&p)
            }
        }
    }

    fn if_stmt(&mut self, depth: usize) -> String {
        self.set_topic("if");
        let c = self.pipeline(1);
        let mut s = self.action(&format!("if {c}"));
        s.push_str(&self.block(depth - 1));
        if self.rng.chance(30) {
            let c2 = self.pipeline(1);
            s.push_str(&self.action(&format!("else if {c2}")));
            s.push_str(&self.block(depth - 1));
        }
        if self.rng.chance(50) {
            s.push_str(&self.action("else"));
            s.push_str(&self.block(depth - 1));
        }
        s.push_str(&self.action("end"));
        s
    }

    fn range_stmt(&mut self, depth: usize) -> String {
        self.set_topic("range");
        let over = match self.rng.below(6) {
            0 => self.rng.pick(&["0", "1", "3", "-2"]).to_string(),
            1 => "$.Values.m".to_string(),
            2 => "$.Values.list".to_string(),
            3 => "$.Values.nested.items".to_string(),
            4 => format!(
                "(list {} {})",
                self.operand(0, K::Any),
                self.operand(0, K::Any)
            ),
            _ => self.operand(1, K::Any),
        };
        let decl = match self.rng.below(3) {
            0 => String::new(),
            1 => "$v := ".to_string(),
            _ => "$i, $v := ".to_string(),
        };
        let mut s = self.action(&format!("range {decl}{over}"));
        let saved = self.vars.len();
        if decl.contains("$i") {
            self.vars.push("$i".into());
        }
        if decl.contains("$v") {
            self.vars.push("$v".into());
        }
        self.in_range += 1;
        s.push_str(&self.block(depth - 1));
        self.in_range -= 1;
        self.vars.truncate(saved);
        if self.rng.chance(30) {
            s.push_str(&self.action("else"));
            s.push_str(&self.block(depth - 1));
        }
        s.push_str(&self.action("end"));
        s
    }

    fn with_stmt(&mut self, depth: usize) -> String {
        self.set_topic("with");
        let c = self.pipeline(1);
        let mut s = self.action(&format!("with {c}"));
        let saved = self.vars.len();
        s.push_str(&self.block(depth - 1));
        self.vars.truncate(saved);
        if self.rng.chance(25) {
            let c2 = self.pipeline(1);
            s.push_str(&self.action(&format!("else with {c2}")));
            s.push_str(&self.block(depth - 1));
        }
        if self.rng.chance(40) {
            s.push_str(&self.action("else"));
            s.push_str(&self.block(depth - 1));
        }
        s.push_str(&self.action("end"));
        s
    }

    fn var_stmt(&mut self) -> String {
        let p = self.pipeline(2);
        if !self.vars.is_empty() && self.rng.chance(40) {
            let v = self.rng.pick(&self.vars).clone();
            self.set_topic("assign");
            return self.action(&format!("{v} = {p}"));
        }
        let v = format!("$x{}", self.vars.len());
        self.vars.push(v.clone());
        self.action(&format!("{v} := {p}"))
    }

    fn include_stmt(&mut self) -> String {
        let name = self.rng.pick(&["h1", "h2", "h1", "nope"]).to_string();
        let arg = self.operand(1, K::Any);
        match self.rng.below(4) {
            0 => {
                self.set_topic("template");
                self.action(&format!("template \"{name}\" {arg}"))
            }
            1 => {
                self.set_topic("tpl");
                let t = self.rng.pick(TPLS).to_string();
                let ctx = if self.rng.chance(70) {
                    "$".to_string()
                } else {
                    arg
                };
                self.action(&format!("tpl \"{t}\" {ctx}"))
            }
            _ => {
                self.set_topic("include");
                let n = self.rng.below(8);
                self.action(&format!("include \"{name}\" {arg} | nindent {n}"))
            }
        }
    }

    fn printf_stmt(&mut self) -> String {
        self.set_topic("printf");
        let nverbs = 1 + self.rng.below(2);
        let mut f = String::new();
        for _ in 0..nverbs {
            let verb: &&str = self.rng.pick(FORMATS);
            f.push_str(verb);
            f.push(' ');
        }
        let nargs = self.rng.below(4);
        let args: Vec<String> = (0..nargs).map(|_| self.operand(1, K::Any)).collect();
        let func = self
            .rng
            .pick(&["printf", "printf", "printf", "print", "println"]);
        if *func == "printf" {
            self.action(&format!("printf \"{}\" {}", f.trim_end(), args.join(" ")))
        } else {
            self.action(&format!("{func} {}", args.join(" ")))
        }
    }

    fn convert_stmt(&mut self) -> String {
        let f = *self.rng.pick(&[
            "toYaml",
            "toYaml",
            "toJson",
            "toPrettyJson",
            "toRawJson",
            "toToml",
            "toYamlPretty",
            "mustToYaml",
            "mustToJson",
            "toString",
        ]);
        self.set_topic(f);
        let v = match self.rng.below(3) {
            0 => self.rng.pick(FIELDS).to_string(),
            1 => self.literal_value(2),
            _ => self.operand(2, K::Any),
        };
        let tail = match self.rng.below(4) {
            0 => format!(" | nindent {}", self.rng.below(6)),
            1 => format!(" | indent {}", self.rng.below(4)),
            _ => String::new(),
        };
        self.action(&format!("{f} {v}{tail}"))
    }

    /// A `dict`/`list` expression of random nested values.
    fn literal_value(&mut self, depth: usize) -> String {
        if depth == 0 || self.rng.chance(30) {
            return self.scalar(K::Any);
        }
        if self.rng.chance(50) {
            let n = self.rng.below(4);
            let mut s = "(dict".to_string();
            for _ in 0..n {
                let k = self.rng.pick(KEYS).to_string();
                let v = self.literal_value(depth - 1);
                s.push_str(&format!(" \"{k}\" {v}"));
            }
            s.push(')');
            s
        } else {
            let n = self.rng.below(4);
            let items: Vec<String> = (0..n).map(|_| self.literal_value(depth - 1)).collect();
            format!("(list {})", items.join(" "))
        }
    }

    /// A pipeline: a first command, then up to two piped function calls.
    fn pipeline(&mut self, depth: usize) -> String {
        let mut s = if self.rng.chance(55) {
            self.call(depth, None)
        } else {
            self.operand(depth, K::Any)
        };
        let stages = if self.rng.chance(45) {
            1 + self.rng.below(2)
        } else {
            0
        };
        for _ in 0..stages {
            s.push_str(" | ");
            s.push_str(&self.call(depth.saturating_sub(1), Some(())));
        }
        s
    }

    /// A function call; `piped` means the last argument comes from the pipe.
    fn call(&mut self, depth: usize, piped: Option<()>) -> String {
        let (name, arity) = self.funcs[self.rng.below(self.funcs.len())].clone();
        self.set_topic(&name);
        let hint = hints(&name);
        let mut n = match arity {
            Arity::Exact(n) => n,
            Arity::AtLeast(n) => n + self.rng.below(3),
        };
        if self.rng.chance(4) {
            n = self.rng.below(4); // wrong arity now and then
        }
        if piped.is_some() {
            n = n.saturating_sub(1);
        }
        let mut s = name.clone();
        for i in 0..n {
            let k = hint.and_then(|h| h.get(i).copied()).unwrap_or(K::Any);
            let k = if self.rng.chance(10) { K::Any } else { k };
            s.push(' ');
            s.push_str(&self.operand(depth.saturating_sub(1), k));
        }
        if name == "keys" {
            s = format!("({s}) | sortAlpha");
        }
        s
    }

    /// An argument: literal, field, variable or a parenthesised call/pipeline.
    fn operand(&mut self, depth: usize, k: K) -> String {
        let roll = self.rng.below(100);
        if depth > 0 && roll < 18 {
            return format!("({})", self.pipeline(depth - 1));
        }
        if roll < 40 && matches!(k, K::Any | K::List | K::Map | K::Str | K::Num | K::Int) {
            return match k {
                K::List => {
                    *self
                        .rng
                        .pick(&["$.Values.list", "$.Values.nested.items", ".Values.list"])
                }
                K::Map => *self
                    .rng
                    .pick(&["$.Values.m", "$.Values", ".Values.nested", "."]),
                _ => *self.rng.pick(FIELDS),
            }
            .to_string();
        }
        if roll < 48 && !self.vars.is_empty() {
            return self.rng.pick(&self.vars).clone();
        }
        if roll < 52 && depth > 0 && matches!(k, K::Any | K::List | K::Map) {
            return self.literal_value(2);
        }
        self.scalar(k)
    }

    fn quoted(&mut self, items: &[&str]) -> String {
        let s = self.rng.pick(items);
        if self.rng.chance(10) && !s.contains('\\') && !s.contains('`') {
            format!("`{s}`")
        } else {
            format!("\"{s}\"")
        }
    }

    fn scalar(&mut self, k: K) -> String {
        match k {
            K::Str => self.quoted(STRINGS),
            K::Int => self.rng.pick(INTS).to_string(),
            K::Small => self
                .rng
                .pick(&["0", "1", "2", "3", "5", "-1", "8"])
                .to_string(),
            K::Float => self.rng.pick(FLOATS).to_string(),
            K::Num => {
                if self.rng.chance(50) {
                    self.rng.pick(INTS).to_string()
                } else if self.rng.chance(70) {
                    self.rng.pick(FLOATS).to_string()
                } else {
                    self.quoted(&["1", "2.5", "x", "", "10"])
                }
            }
            K::Bool => self.rng.pick(&["true", "false"]).to_string(),
            K::Regex => self.quoted(REGEXES),
            K::Format => self.quoted(FORMATS),
            K::Layout => self.quoted(LAYOUTS),
            K::Semver => self.quoted(SEMVERS),
            K::Constraint => self.quoted(CONSTRAINTS),
            K::Key => self.quoted(KEYS),
            K::Tpl => format!("\"{}\"", self.rng.pick(TPLS)),
            K::Yaml => format!("\"{}\"", self.rng.pick(YAMLS)),
            K::Json => format!("\"{}\"", self.rng.pick(JSONS)),
            K::B64 => self.quoted(B64S),
            K::Time => self
                .rng
                .pick(&["0", "1700000000", "-86400", "86399"])
                .to_string(),
            K::List | K::Map | K::Any => match self.rng.below(9) {
                0..=2 => self.quoted(STRINGS),
                3 | 4 => self.rng.pick(INTS).to_string(),
                5 => self.rng.pick(FLOATS).to_string(),
                6 => self.rng.pick(&["true", "false"]).to_string(),
                7 => "nil".to_string(),
                _ => self.rng.pick(FIELDS).to_string(),
            },
        }
    }

    /// User values as YAML: usually JSON text (valid YAML), sometimes YAML-only forms.
    fn values(&mut self) -> String {
        if self.rng.chance(15) {
            return self
                .rng
                .pick(&[
                    "a: yes\nb: 0123\ns: 1e3\nn: 0x1F\nf: .inf\nt: ~\nlist: [on, off, 1.0]\n",
                    "s: |\n  line1\n  line2\nm:\n  k: '007'\n  j: 2020-01-01\nlist:\n- 1\n- -1.5\n- null\n",
                    "a: 1\na2: &x {k: v}\nm: *x\nlist: [[1, 2], {a: b}]\nn: 1e21\n",
                    "s: \"tab\\there\"\nname: 'it''s'\nport: 8080\nempty: []\nnested: {items: [{name: a, port: 1}, {name: b}]}\n",
                    "n: 12345678901234567890\nf: 1.0\nt: true\nm: {k: 1, K: 2, b: [], a: {}}\n",
                    "list: []\nm: {}\nempty: ''\n",
                ])
                .to_string();
        }
        let mut m = serde_json::Map::new();
        for key in KEYS {
            if *key == "missing" || self.rng.chance(25) {
                continue;
            }
            let v = match *key {
                "list" => self.json_list(2),
                "m" => self.json_map(2),
                "nested" => {
                    let items = serde_json::Value::Array(
                        (0..self.rng.below(3)).map(|_| self.json_map(1)).collect(),
                    );
                    serde_json::json!({ "items": items, "k": self.json_scalar() })
                }
                _ => {
                    if self.rng.chance(15) {
                        self.json_value(2)
                    } else {
                        self.json_scalar()
                    }
                }
            };
            m.insert(key.to_string(), v);
        }
        serde_json::Value::Object(m).to_string()
    }

    fn json_value(&mut self, depth: usize) -> serde_json::Value {
        match self.rng.below(if depth == 0 { 1 } else { 4 }) {
            0 | 1 => self.json_scalar(),
            2 => self.json_list(depth - 1),
            _ => self.json_map(depth - 1),
        }
    }

    fn json_list(&mut self, depth: usize) -> serde_json::Value {
        let n = self.rng.below(4);
        serde_json::Value::Array((0..n).map(|_| self.json_value(depth)).collect())
    }

    fn json_map(&mut self, depth: usize) -> serde_json::Value {
        let n = self.rng.below(4);
        let mut m = serde_json::Map::new();
        for _ in 0..n {
            let k = self
                .rng
                .pick(&["k", "a", "b", "name", "x-y", "1", "Z", ""])
                .to_string();
            let v = self.json_value(depth);
            m.insert(k, v);
        }
        serde_json::Value::Object(m)
    }

    fn json_scalar(&mut self) -> serde_json::Value {
        use serde_json::json;
        match self.rng.below(12) {
            0 => json!(self.rng.below(100) as i64 - 20),
            1 => json!(
                *self
                    .rng
                    .pick(&[1.5, 0.1, 1e6, 1e21, -0.5, 3.0, 123456789.0, 1e-7])
            ),
            2 => json!(*self.rng.pick(&[true, false])),
            3 => serde_json::Value::Null,
            4 => json!(*self.rng.pick(&[0i64, 65535, 9007199254740993, -1])),
            _ => {
                let s = self
                    .rng
                    .pick(STRINGS)
                    .replace("\\n", "\n")
                    .replace("\\t", "\t");
                json!(s.replace("\\\"", "\""))
            }
        }
    }
}
