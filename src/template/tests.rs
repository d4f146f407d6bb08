//! Execution tests modelled on Go's `text/template` exec_test.go, adapted to the value model
//! (data comes from JSON, as Helm values do, plus a Go-like object).

use std::any::Any;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::*;

/// A Go struct stand-in: `*main.T` with fields `Name`, `Inner` and methods `Get`, `Fail`.
#[derive(Debug)]
struct TestObj {
    name: String,
    inner: Option<Rc<TestObj>>,
}

impl Object for TestObj {
    fn type_name(&self) -> String {
        "*main.T".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Name" => Some(Value::String(self.name.clone())),
            "Inner" => Some(match &self.inner {
                Some(o) => Value::Object(o.clone()),
                None => Value::Nil,
            }),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Get" | "Fail")
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        match name {
            "Get" if args.len() == 1 => {
                Ok(Value::String(format!("got {}", gofmt::format_v(&args[0]))))
            }
            "Get" => Err(FuncError::Exec(format!(
                "wrong number of args for Get: want 1 got {}",
                args.len()
            ))),
            _ => Err(FuncError::Call("bad".into())),
        }
    }
    fn format_v(&self) -> String {
        format!("&{{{} <nil>}}", self.name)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn data() -> Value {
    let j = serde_json::json!({
        "True": true,
        "False": false,
        "I": 17,
        "Zero": 0,
        "X": "x",
        "S": "xyz",
        "F": 1.5,
        "FloatZero": 0.0,
        "Big": 1000000.0,
        "MSI": {"one": 1, "two": 2, "three": 3},
        "MSIEmpty": {},
        "SI": [3, 4, 5],
        "SIEmpty": [],
        "SS": ["a", "b"],
        "L": [null],
        "Empty0": null,
        "nested": {"a": {"b": "c"}},
        "M": {},
    });
    let v = Value::from_json(&j);
    let obj = TestObj {
        name: "n".into(),
        inner: Some(Rc::new(TestObj {
            name: "inner".into(),
            inner: None,
        })),
    };
    v.as_map()
        .unwrap()
        .borrow_mut()
        .insert("Obj".into(), Value::Object(Rc::new(obj)));
    v
}

fn test_funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.register("fail", Arity::AtLeast(0), |_, _| {
        Err(FuncError::Call("boom".into()))
    });
    f.register("setk", Arity::Exact(3), |_, a| {
        let m = a[0]
            .as_map()
            .ok_or_else(|| FuncError::Call("not a map".into()))?;
        let k = a[1].as_str().unwrap_or_default().to_string();
        m.borrow_mut().insert(k, a[2].clone());
        Ok(Value::String(String::new()))
    });
    f.register("include", Arity::Exact(2), |ctx, a| {
        let name = a[0].as_str().unwrap_or_default().to_string();
        ctx.execute_template(&name, &a[1])
            .map(Value::String)
            .map_err(|e| FuncError::Call(e.to_string()))
    });
    f.register("mklist", Arity::AtLeast(0), |_, a| {
        Ok(Value::list(a.to_vec()))
    });
    f.register("up", Arity::Exact(1), |ctx, a| {
        Ok(Value::String(ctx.string_arg(a, 0)?.to_uppercase()))
    });
    f.register("rep", Arity::Exact(2), |ctx, a| {
        let n = ctx.int_arg(a, 0)?;
        Ok(Value::String(
            ctx.string_arg(a, 1)?.repeat(n.max(0) as usize),
        ))
    });
    f
}

fn run_with(text: &str, data: &Value, mk: MissingKey) -> Result<String, String> {
    let mut t = Template::new("test");
    t.funcs(&test_funcs()).missing_key(mk);
    t.parse("test", text).map_err(|e| e.to_string())?;
    t.execute("test", data).map_err(|e| e.to_string())
}

fn run(text: &str) -> Result<String, String> {
    run_with(text, &data(), MissingKey::Default)
}

fn check(cases: &[(&str, Result<&str, &str>)]) {
    let d = data();
    for (text, want) in cases {
        let got = run_with(text, &d, MissingKey::Default);
        let want = want.map(str::to_string).map_err(str::to_string);
        assert_eq!(got, want, "template {text:?}");
    }
}

fn exec_err(loc: &str, ctx: &str, msg: &str) -> String {
    format!("template: test:{loc}: executing \"test\" at <{ctx}>: {msg}")
}

#[test]
fn basics_and_fields() {
    check(&[
        ("", Ok("")),
        ("some text", Ok("some text")),
        ("-{{.X}}-", Ok("-x-")),
        (
            "{{.I}} {{.F}} {{.Big}} {{.FloatZero}} {{.True}}",
            Ok("17 1.5 1e+06 0 true"),
        ),
        ("{{.MSI.one}}", Ok("1")),
        ("{{.MSI}}", Ok("map[one:1 three:3 two:2]")),
        ("{{.SI}} {{.SIEmpty}} {{.SS}}", Ok("[3 4 5] [] [a b]")),
        ("{{.Missing}}", Ok("<no value>")),
        ("{{.MSI.missing}}", Ok("<no value>")),
        ("{{.Missing.Y}}", Ok("<no value>")),
        ("{{.nested.a.b}}", Ok("c")),
        ("{{.L}}", Ok("[<nil>]")),
        ("{{.Empty0}}", Ok("<no value>")),
        ("{{$.X}}", Ok("x")),
        ("{{.Obj.Name}} {{.Obj.Inner.Name}}", Ok("n inner")),
        (
            "{{.Obj.Get \"k\"}} {{.Obj.Get 3}} {{\"p\" | .Obj.Get}}",
            Ok("got k got 3 got p"),
        ),
        ("{{.Obj}}", Ok("&{n <nil>}")),
        ("{{with .Obj}}{{.Name}}{{end}}", Ok("n")),
        ("{{(.MSI).one}}", Ok("1")),
        ("{{(index .nested \"a\").b}}", Ok("c")),
    ]);
}

#[test]
fn dollar_prints_whole_data() {
    let d = Value::from_json(&serde_json::json!({"a": 1, "b": [true]}));
    assert_eq!(
        run_with("{{$}}|{{.}}", &d, MissingKey::Default),
        Ok("map[a:1 b:[true]]|map[a:1 b:[true]]".into())
    );
    assert_eq!(
        run_with("{{.}}", &Value::Nil, MissingKey::Default),
        Ok("<no value>".into())
    );
    assert_eq!(
        run_with("{{.X}}", &Value::Nil, MissingKey::Default),
        Ok("<no value>".into())
    );
}

#[test]
fn field_errors() {
    check(&[
        (
            "{{.X.Y}}",
            Err(&exec_err(
                "1:4",
                ".X.Y",
                "can't evaluate field Y in type interface {}",
            )),
        ),
        (
            "{{$x := .X}}{{$x.Y}}",
            Err(&exec_err(
                "1:16",
                "$x.Y",
                "can't evaluate field Y in type string",
            )),
        ),
        (
            "{{with .X}}{{.Y}}{{end}}",
            Err(&exec_err(
                "1:13",
                ".Y",
                "can't evaluate field Y in type string",
            )),
        ),
        (
            "{{.Empty0.Y}}",
            Err(&exec_err(
                "1:9",
                ".Empty0.Y",
                "nil pointer evaluating interface {}.Y",
            )),
        ),
        (
            "{{range .L}}{{.a}}{{end}}",
            Err(&exec_err(
                "1:14",
                ".a",
                "nil pointer evaluating interface {}.a",
            )),
        ),
        (
            "{{range .SS}}{{.X}}{{end}}",
            Err(&exec_err(
                "1:15",
                ".X",
                "can't evaluate field X in type interface {}",
            )),
        ),
        (
            "{{.I.X}}",
            Err(&exec_err(
                "1:4",
                ".I.X",
                "can't evaluate field X in type interface {}",
            )),
        ),
        (
            "{{.MSI.one 1}}",
            Err(&exec_err(
                "1:6",
                ".MSI.one",
                "one is not a method but has arguments",
            )),
        ),
        (
            "{{.X | .X}}",
            Err(&exec_err(
                "1:7",
                ".X",
                "X is not a method but has arguments",
            )),
        ),
        (
            "{{.Obj.Missing}}",
            Err(&exec_err(
                "1:6",
                ".Obj.Missing",
                "can't evaluate field Missing in type interface {}",
            )),
        ),
        (
            "{{with .Obj}}{{.Missing}}{{end}}",
            Err(&exec_err(
                "1:15",
                ".Missing",
                "can't evaluate field Missing in type *main.T",
            )),
        ),
        (
            "{{.Obj.Fail}}",
            Err(&exec_err("1:6", ".Obj.Fail", "error calling Fail: bad")),
        ),
        (
            "{{.Obj.Get}}",
            Err(&exec_err(
                "1:6",
                ".Obj.Get",
                "wrong number of args for Get: want 1 got 0",
            )),
        ),
        (
            "{{.Obj.Name 1}}",
            Err(&exec_err(
                "1:6",
                ".Obj.Name",
                "Name has arguments but cannot be invoked as function",
            )),
        ),
        ("{{.Obj.Inner.Inner.Name}}", Ok("<no value>")),
        (
            "{{1 2}}",
            Err(&exec_err(
                "1:2",
                "1",
                "can't give argument to non-function 1",
            )),
        ),
        (
            "{{$x := 1}}{{$x 2}}",
            Err(&exec_err(
                "1:13",
                "$x",
                "can't give argument to non-function $x",
            )),
        ),
        (
            "{{nil}}",
            Err(&exec_err("1:2", "nil", "nil is not a command")),
        ),
        (
            "{{(nil).X}}",
            Err(&exec_err("1:3", "nil", "nil is not a command")),
        ),
        (
            "{{.X}}\n  {{.X.Y}}",
            Err(
                "template: test:2:6: executing \"test\" at <.X.Y>: can't evaluate field Y in type interface {}",
            ),
        ),
    ]);
}

#[test]
fn missingkey_modes() {
    let d = data();
    let zero = |t: &str| run_with(t, &d, MissingKey::Zero);
    let error = |t: &str| run_with(t, &d, MissingKey::Error);
    assert_eq!(zero("{{.Missing}}"), Ok("<no value>".into()));
    assert_eq!(zero("{{index . \"Missing\"}}"), Ok("<no value>".into()));
    assert_eq!(
        zero("{{.Values.a.b}}"),
        Err(exec_err(
            "1:9",
            ".Values.a.b",
            "nil pointer evaluating interface {}.a"
        ))
    );
    assert_eq!(
        zero("{{.MSI.nope.x}}"),
        Err(exec_err(
            "1:6",
            ".MSI.nope.x",
            "nil pointer evaluating interface {}.x"
        ))
    );
    assert_eq!(
        error("{{.Missing}}"),
        Err(exec_err(
            "1:2",
            ".Missing",
            "map has no entry for key \"Missing\""
        ))
    );
    assert_eq!(
        run_with("{{.X}}", &Value::Nil, MissingKey::Error),
        Err(exec_err("1:2", ".X", "nil data; no entry for key \"X\""))
    );
    assert_eq!(error("{{.MSI.one}}"), Ok("1".into()));
}

#[test]
fn variables() {
    check(&[
        ("{{$x := 1}}{{$x}}", Ok("1")),
        ("{{$x := 1}}{{$x = 2}}{{$x}}", Ok("2")),
        ("{{with $x := 3}}{{$x}}{{end}}", Ok("3")),
        ("{{$x := 0}}{{range .SI}}{{$x = .}}{{end}}{{$x}}", Ok("5")),
        (
            "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}",
            Ok("21"),
        ),
        ("{{$x := .MSI}}{{$x.two}}", Ok("2")),
        ("{{$ := 7}}{{$}}", Ok("7")),
        (
            "{{range $i, $e := .SI}}{{$i}}{{$e}}{{end}}{{$x := 1}}{{$x}}",
            Ok("0314251"),
        ),
        (
            "{{$x, $y := 1}}",
            Err("template: test:1: too many declarations in command"),
        ),
    ]);
}

#[test]
fn if_with() {
    check(&[
        ("{{if true}}TRUE{{end}}", Ok("TRUE")),
        ("{{if false}}TRUE{{else}}FALSE{{end}}", Ok("FALSE")),
        (
            "{{if 1}}NZ{{else}}Z{{end}}{{if 0}}NZ{{else}}Z{{end}}",
            Ok("NZZ"),
        ),
        (
            "{{if 1.5}}NZ{{else}}Z{{end}}{{if .FloatZero}}NZ{{else}}Z{{end}}",
            Ok("NZZ"),
        ),
        (
            "{{if ``}}NE{{else}}E{{end}}{{if `x`}}NE{{else}}E{{end}}",
            Ok("ENE"),
        ),
        (
            "{{if .SIEmpty}}NE{{else}}E{{end}}{{if .SI}}NE{{else}}E{{end}}",
            Ok("ENE"),
        ),
        (
            "{{if .MSIEmpty}}NE{{else}}E{{end}}{{if .MSI}}NE{{else}}E{{end}}",
            Ok("ENE"),
        ),
        (
            "{{if .Missing}}Y{{else}}N{{end}}{{if .Obj}}Y{{end}}",
            Ok("NY"),
        ),
        ("{{if $x := true}}{{$x}}{{end}}", Ok("true")),
        (
            "{{if false}}A{{else if false}}B{{else if true}}C{{else}}D{{end}}",
            Ok("C"),
        ),
        ("{{if and .True (not .Missing)}}ok{{end}}", Ok("ok")),
        (
            "{{if nil}}x{{end}}",
            Err(&exec_err("1:5", "nil", "nil is not a command")),
        ),
        ("{{with true}}{{.}}{{end}}", Ok("true")),
        ("{{with 0}}A{{else}}B{{end}}", Ok("B")),
        ("{{with .SIEmpty}}X{{else}}EMPTY{{end}}", Ok("EMPTY")),
        ("{{with .MSI}}{{.one}}{{end}}", Ok("1")),
        ("{{with $x := .I}}{{$x}}-{{.}}{{end}}", Ok("17-17")),
        ("{{with 0}}a{{else with 1}}{{.}}{{end}}", Ok("1")),
        ("{{with 0}}a{{else with \"\"}}b{{else}}c{{end}}", Ok("c")),
        ("{{with .X}}{{.}}{{$.I}}{{end}}", Ok("x17")),
    ]);
}

#[test]
fn range() {
    check(&[
        ("{{range .SI}}-{{.}}-{{end}}", Ok("-3--4--5-")),
        ("{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", Ok("EMPTY")),
        ("{{range .MSI}}-{{.}}-{{end}}", Ok("-1--3--2-")),
        (
            "{{range $k, $v := .MSI}}{{$k}}={{$v}} {{end}}",
            Ok("one=1 three=3 two=2 "),
        ),
        ("{{range $x := .SI}}<{{$x}}>{{end}}", Ok("<3><4><5>")),
        (
            "{{range $i, $x := .SI}}<{{$i}}={{$x}}>{{end}}",
            Ok("<0=3><1=4><2=5>"),
        ),
        ("{{range 3}}{{.}}{{end}}", Ok("012")),
        ("{{range $i := 3}}{{$i}}{{end}}", Ok("012")),
        ("{{range 0}}x{{else}}none{{end}}", Ok("none")),
        ("{{range .Missing}}x{{else}}none{{end}}", Ok("none")),
        ("{{range .MSIEmpty}}x{{else}}none{{end}}", Ok("none")),
        ("{{range .SI}}{{$.X}}{{end}}", Ok("xxx")),
        (
            "{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}",
            Ok("3"),
        ),
        (
            "{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}",
            Ok("35"),
        ),
        (
            "{{range .SI}}{{range $.SS}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}{{.}}{{end}}",
            Ok("a3a4a5"),
        ),
        (
            "{{$i := 0}}{{$v := 0}}{{range $i, $v = .SS}}{{end}}{{$i}}{{$v}}",
            Ok("1b"),
        ),
        (
            "{{range $i, $j := 3}}{{end}}",
            Err(&exec_err(
                "1:18",
                "3",
                "can't use 3 to iterate over more than one variable",
            )),
        ),
        (
            "{{range .X}}{{end}}",
            Err(&exec_err("1:8", ".X", "range can't iterate over x")),
        ),
        (
            "{{range 1.5}}{{end}}",
            Err(&exec_err("1:8", "1.5", "range can't iterate over 1.5")),
        ),
        ("{{range .SI}}{{.}}{{else}}E{{end}}", Ok("345")),
        ("{{range .nested}}{{.b}}{{end}}", Ok("c")),
    ]);
}

#[test]
fn templates_and_blocks() {
    check(&[
        (
            "{{define \"a\"}}A{{.}}{{end}}{{template \"a\" 1}}",
            Ok("A1"),
        ),
        (
            "{{define \"a\"}}A{{.}}{{end}}{{template \"a\"}}",
            Ok("A<no value>"),
        ),
        (
            "{{define \"a\"}}{{$}}{{end}}{{$x := 5}}{{template \"a\" $x}}",
            Ok("5"),
        ),
        ("{{block \"b\" .X}}[{{.}}]{{end}}", Ok("[x]")),
        (
            "{{template \"nope\"}}",
            Err(&exec_err(
                "1:11",
                "{{template \"nope\"}}",
                "template \"nope\" not defined",
            )),
        ),
        (
            "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\"}}",
            Err(
                "template: test:1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (1000)",
            ),
        ),
        (
            "{{define \"t\"}}[{{.}}]{{end}}{{include \"t\" 5}}",
            Ok("[5]"),
        ),
        (
            "{{include \"zz\" 5}}",
            Err(&exec_err(
                "1:2",
                "include \"zz\" 5",
                "error calling include: template: no template \"zz\" associated with template \"test\"",
            )),
        ),
    ]);
}

#[test]
fn error_in_defined_template_reports_its_name() {
    let mut t = Template::new("set");
    t.parse("f", "{{define \"d\"}}{{.X.Y}}{{end}}{{template \"d\" .}}")
        .unwrap();
    let err = t.execute("f", &data()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: f:1:18: executing \"d\" at <.X.Y>: can't evaluate field Y in type interface {}"
    );
}

#[test]
fn recursive_include_is_bounded() {
    let err = run("{{define \"r\"}}{{include \"r\" .}}{{end}}{{include \"r\" .}}").unwrap_err();
    assert!(
        err.contains("exceeded maximum template depth (1000)"),
        "{err}"
    );
}

#[test]
fn pipelines_and_parens() {
    check(&[
        ("{{.X | printf \"%s-%s\" \"a\"}}", Ok("a-x")),
        ("{{\"x\" | printf \"%q\"}}", Ok("\"x\"")),
        ("{{1 | printf \"%d\" | printf \"%s!\"}}", Ok("1!")),
        ("{{(printf \"%d\" 1)}}", Ok("1")),
        ("{{printf \"%s\" (printf \"%d\" 2)}}", Ok("2")),
        ("{{(1)}}", Ok("1")),
        ("{{(1) | printf \"%d\"}}", Ok("1")),
        ("{{print (print 1) (print 2)}}", Ok("12")),
        ("{{print (len .SI) (len .SI)}}", Ok("3 3")),
        ("{{print \"a\" (print 2)}}", Ok("a2")),
        ("{{.SI | len}}", Ok("3")),
    ]);
}

#[test]
fn constants() {
    check(&[
        (
            "{{1e3}} {{0x10}} {{'a'}} {{1.0}} {{-0x1p-2}} {{1_000}} {{0o17}} {{017}} {{0b11}}",
            Ok("1000 16 97 1 -0.25 1000 15 15 3"),
        ),
        (
            "{{9223372036854775807}} {{-9223372036854775808}}",
            Ok("9223372036854775807 -9223372036854775808"),
        ),
        (
            "{{18446744073709551615}}",
            Err(&exec_err(
                "1:2",
                "18446744073709551615",
                "18446744073709551615 overflows int",
            )),
        ),
        (
            "{{1i}} {{1+2i}} {{-1.5e3-2i}}",
            Ok("(0+1i) (1+2i) (-1500-2i)"),
        ),
        (
            "{{printf \"%T\" 1i}} {{if 0i}}t{{else}}f{{end}}",
            Ok("complex128 f"),
        ),
        ("{{\"a\\tb\"}}|{{`raw\\n`}}|{{'\\n'}}", Ok("a\tb|raw\\n|10")),
        ("{{true}} {{false}}", Ok("true false")),
        ("{{printf \"%T %T %T\" 1 1.5 'x'}}", Ok("int float64 int")),
    ]);
}

#[test]
fn builtin_index_slice_len() {
    check(&[
        ("{{index .SI 1}}", Ok("4")),
        ("{{index .MSI \"two\"}}", Ok("2")),
        ("{{index .MSI \"xxx\"}}", Ok("<no value>")),
        ("{{index .nested \"a\" \"b\"}}", Ok("c")),
        ("{{index .SI}}", Ok("[3 4 5]")),
        ("{{index .X 0}}", Ok("120")),
        (
            "{{index .nested \"x\" \"b\"}}",
            Err(&exec_err(
                "1:2",
                "index .nested \"x\" \"b\"",
                "error calling index: index of nil pointer",
            )),
        ),
        (
            "{{index nil 1}}",
            Err(&exec_err(
                "1:2",
                "index nil 1",
                "error calling index: index of untyped nil",
            )),
        ),
        (
            "{{index .SI 10}}",
            Err(&exec_err(
                "1:2",
                "index .SI 10",
                "error calling index: index out of range: 10",
            )),
        ),
        (
            "{{index .SI 3}}",
            Err(&exec_err(
                "1:2",
                "index .SI 3",
                // Go bounds-checks against the length inclusively, then reflect panics.
                "error calling index: reflect: slice index out of range",
            )),
        ),
        (
            "{{index .SI 4}}",
            Err(&exec_err(
                "1:2",
                "index .SI 4",
                "error calling index: index out of range: 4",
            )),
        ),
        (
            "{{index .SI -1}}",
            Err(&exec_err(
                "1:2",
                "index .SI -1",
                "error calling index: index out of range: -1",
            )),
        ),
        (
            "{{index .SI \"a\"}}",
            Err(&exec_err(
                "1:2",
                "index .SI \"a\"",
                "error calling index: cannot index slice/array with type string",
            )),
        ),
        (
            "{{index .MSI 1}}",
            Err(&exec_err(
                "1:2",
                "index .MSI 1",
                "error calling index: value has type int; should be string",
            )),
        ),
        (
            "{{index .I 0}}",
            Err(&exec_err(
                "1:2",
                "index .I 0",
                "error calling index: can't index item of type int",
            )),
        ),
        (
            "{{index}}",
            Err(&exec_err(
                "1:2",
                "index",
                "wrong number of args for index: want at least 1 got 0",
            )),
        ),
        ("{{slice .SI 1}}", Ok("[4 5]")),
        ("{{slice .SI 1 2}}", Ok("[4]")),
        ("{{slice .SI}}", Ok("[3 4 5]")),
        ("{{slice .SI 1 2 3}}", Ok("[4]")),
        ("{{slice .S 1 2}}", Ok("y")),
        ("{{slice .S 1}}", Ok("yz")),
        (
            "{{slice .SI 2 1}}",
            Err(&exec_err(
                "1:2",
                "slice .SI 2 1",
                "error calling slice: invalid slice index: 2 > 1",
            )),
        ),
        (
            "{{slice .S 1 2 3}}",
            Err(&exec_err(
                "1:2",
                "slice .S 1 2 3",
                "error calling slice: cannot 3-index slice a string",
            )),
        ),
        (
            "{{slice .SI 1 2 3 4}}",
            Err(&exec_err(
                "1:2",
                "slice .SI 1 2 3 4",
                "error calling slice: too many slice indexes: 4",
            )),
        ),
        (
            "{{slice .SI 0 4}}",
            Err(&exec_err(
                "1:2",
                "slice .SI 0 4",
                "error calling slice: index out of range: 4",
            )),
        ),
        (
            "{{slice nil}}",
            Err(&exec_err(
                "1:2",
                "slice nil",
                "error calling slice: slice of untyped nil",
            )),
        ),
        (
            "{{slice .I}}",
            Err(&exec_err(
                "1:2",
                "slice .I",
                "error calling slice: can't slice item of type int",
            )),
        ),
        (
            "{{len .SI}} {{len .MSI}} {{len .S}} {{len \"é\"}} {{len .SIEmpty}}",
            Ok("3 3 3 2 0"),
        ),
        (
            "{{len .I}}",
            Err(&exec_err(
                "1:2",
                "len .I",
                "error calling len: len of type int",
            )),
        ),
        (
            "{{len 1 2}}",
            Err(&exec_err(
                "1:2",
                "len",
                "wrong number of args for len: want 1 got 2",
            )),
        ),
        (
            "{{1 | len 2}}",
            Err(&exec_err(
                "1:6",
                "len",
                "wrong number of args for len: want 1 got 2",
            )),
        ),
    ]);
}

#[test]
fn builtin_logic() {
    check(&[
        (
            "{{and 1 0}} {{and 1 2}} {{or 0 \"\"}} {{or 0 3}} {{not 0}} {{not 1}}",
            Ok("0 2  3 true false"),
        ),
        (
            "{{or true (index nil 1)}} {{and false (index nil 1)}}",
            Ok("true false"),
        ),
        (
            "{{and 1 (index nil 1)}}",
            Err(&exec_err(
                "1:9",
                "index nil 1",
                "error calling index: index of untyped nil",
            )),
        ),
        ("{{.X | and 1}} {{0 | or 0}} {{.X | or 0}}", Ok("x 0 x")),
        (
            "{{and}}",
            Err(&exec_err(
                "1:2",
                "and",
                "wrong number of args for and: want at least 1 got 0",
            )),
        ),
        (
            "{{not}}",
            Err(&exec_err(
                "1:2",
                "not",
                "wrong number of args for not: want 1 got 0",
            )),
        ),
        ("{{and .SI .MSI}}", Ok("map[one:1 three:3 two:2]")),
        ("{{or .Missing .X}}", Ok("x")),
        ("{{or .Missing}}", Ok("<no value>")),
    ]);
}

#[test]
fn builtin_comparisons() {
    let incompatible = |ctx: &str, t1: &str, t2: &str| {
        exec_err(
            "1:2",
            ctx,
            &format!(
                "error calling {}: incompatible types for comparison: {t1} and {t2}",
                ctx.split(' ').next().unwrap()
            ),
        )
    };
    check(&[
        (
            "{{eq 1 1}} {{eq 1 2}} {{eq \"a\" \"a\"}} {{eq 1 2 3 1}} {{eq .I 17}} {{eq .F 1.5}}",
            Ok("true false true true true true"),
        ),
        (
            "{{eq .Missing \"x\"}} {{eq .Missing nil}} {{eq true true}} {{eq .X \"x\"}}",
            Ok("false true true true"),
        ),
        ("{{ne 1 2}} {{ne \"a\" \"a\"}}", Ok("true false")),
        (
            "{{lt 1 2}} {{lt \"a\" \"b\"}} {{lt 1.5 2.5}} {{lt 2 1}}",
            Ok("true true true false"),
        ),
        (
            "{{le 2 2}} {{le 3 2}} {{gt 3 2}} {{gt 2 2}} {{ge 2 3}} {{ge 2 2}}",
            Ok("true false true false false true"),
        ),
        (
            "{{eq 1 \"1\"}}",
            Err(&incompatible("eq 1 \"1\"", "int", "string")),
        ),
        (
            "{{eq .F 1}}",
            Err(&incompatible("eq .F 1", "float64", "int")),
        ),
        (
            "{{lt 1 2.5}}",
            Err(&incompatible("lt 1 2.5", "int", "float64")),
        ),
        (
            "{{ne 1 true}}",
            Err(&incompatible("ne 1 true", "int", "bool")),
        ),
        (
            "{{lt true false}}",
            Err(&exec_err(
                "1:2",
                "lt true false",
                "error calling lt: invalid type for comparison",
            )),
        ),
        (
            "{{lt .Missing 1}}",
            Err(&exec_err(
                "1:2",
                "lt .Missing 1",
                "error calling lt: invalid type for comparison",
            )),
        ),
        (
            "{{gt .SI 1}}",
            Err(&exec_err(
                "1:2",
                "gt .SI 1",
                "error calling gt: invalid type for comparison",
            )),
        ),
        (
            "{{eq}}",
            Err(&exec_err(
                "1:2",
                "eq",
                "wrong number of args for eq: want at least 1 got 0",
            )),
        ),
        (
            "{{eq 1}}",
            Err(&exec_err(
                "1:2",
                "eq 1",
                "error calling eq: missing argument for comparison",
            )),
        ),
        (
            "{{ne 1}}",
            Err(&exec_err(
                "1:2",
                "ne",
                "wrong number of args for ne: want 2 got 1",
            )),
        ),
    ]);
}

#[test]
fn builtin_printing_and_escaping() {
    check(&[
        (
            "{{print 1 2}}|{{print \"a\" 1}}|{{println 1 \"a\"}}|{{print nil}}|{{print}}",
            Ok("1 2|a1|1 a\n|<nil>|"),
        ),
        (
            "{{printf \"%d\" 3}}|{{printf \"%v %v\" .MSI .SI}}|{{printf \"%T\" .F}}|{{printf \"%s\"}}",
            Ok("3|map[one:1 three:3 two:2] [3 4 5]|float64|%!s(MISSING)"),
        ),
        (
            "{{printf \"%5.1f|%-4d|%x\" .F 7 \"hi\"}}",
            Ok("  1.5|7   |6869"),
        ),
        ("{{printf \"%d\" .X}}", Ok("%!d(string=x)")),
        (
            "{{printf 1}}",
            Err(&exec_err("1:9", "1", "expected string; found 1")),
        ),
        (
            "{{html \"<a href='x'>&\\\"</a>\"}}",
            Ok("&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"),
        ),
        (
            "{{js \"it's <b> \\\"x\\\" =\\n\"}}",
            Ok("it\\'s \\u003Cb\\u003E \\\"x\\\" \\u003D\\u000A"),
        ),
        ("{{urlquery \"a b&c=d/é\"}}", Ok("a+b%26c%3Dd%2F%C3%A9")),
        ("{{html 1 2}} {{html}}", Ok("1 2 ")),
        (
            "{{html .Missing}} {{urlquery .Missing 1}}",
            Ok("&lt;no value&gt; %3Cno+value%3E1"),
        ),
        (
            "{{call .Missing}}",
            Err(&exec_err(
                "1:2",
                "call .Missing",
                "error calling call: call of nil",
            )),
        ),
        (
            "{{call .X 1}}",
            Err(&exec_err(
                "1:2",
                "call .X 1",
                "error calling call: non-function .X of type string",
            )),
        ),
    ]);
}

#[test]
fn function_errors_have_go_context() {
    check(&[
        (
            "{{fail}}",
            Err(&exec_err("1:2", "fail", "error calling fail: boom")),
        ),
        (
            "{{fail \"x\" 1}}",
            Err(&exec_err("1:2", "fail \"x\" 1", "error calling fail: boom")),
        ),
        (
            "{{print (fail)}}",
            Err(&exec_err("1:9", "fail", "error calling fail: boom")),
        ),
        (
            "{{print fail}}",
            Err(&exec_err("1:8", "fail", "error calling fail: boom")),
        ),
        (
            "{{1 | fail}}",
            Err(&exec_err("1:6", "fail", "error calling fail: boom")),
        ),
        (
            "a\n{{$x := fail 1 | print}}",
            Err("template: test:2:8: executing \"test\" at <fail 1>: error calling fail: boom"),
        ),
    ]);
}

#[test]
fn trim_and_comments() {
    check(&[
        ("a {{- /* c */ -}} b", Ok("ab")),
        ("{{- 1 }} {{- 2 -}} 3", Ok("123")),
        ("x\n  {{- 1}}\n", Ok("x1\n")),
        ("{{/* a comment */}}b", Ok("b")),
        ("{{- -1 -}}", Ok("-1")),
        ("{{-1}}", Ok("-1")),
    ]);
}

#[test]
fn maps_are_mutated_in_place() {
    check(&[
        ("{{$m := .M}}{{setk $m \"k\" 1}}{{.M.k}}", Ok("1")),
        ("{{$l := mklist 1 2}}{{index $l 1}}", Ok("2")),
    ]);
}

#[test]
fn set_semantics() {
    let mut t = Template::new("gotpl");
    t.parse("a", "{{define \"x\"}}one{{end}}A").unwrap();
    t.parse("b", "{{define \"x\"}}two{{end}}B{{template \"x\"}}")
        .unwrap();
    assert_eq!(t.execute("b", &Value::Nil).unwrap(), "Btwo");
    // An empty definition does not replace an existing one.
    t.parse("c", "{{define \"x\"}} {{end}}").unwrap();
    assert_eq!(t.execute("x", &Value::Nil).unwrap(), "two");
    assert_eq!(t.template_names(), ["a", "b", "c", "x"]);
    let e = t.execute("nope", &Value::Nil).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: no template \"nope\" associated with template \"gotpl\""
    );
    // A failed parse leaves the set unchanged.
    assert!(t.parse("a", "{{if}}").is_err());
    assert_eq!(t.execute("a", &Value::Nil).unwrap(), "A");
    // Clones share trees but not later additions.
    let mut c = t.clone();
    c.parse("new", "N").unwrap();
    assert!(t.lookup("new").is_none());
    assert!(c.lookup("new").is_some());
}

#[test]
fn custom_delims() {
    let mut t = Template::new("t");
    t.delims("[[", "]]");
    t.parse("t", "[[ .a ]] {{.a}} [[- .b -]] !").unwrap();
    let d = Value::from_json(&serde_json::json!({"a": 1, "b": 2}));
    assert_eq!(t.execute("t", &d).unwrap(), "1 {{.a}}2!");
}

#[test]
fn user_funcs_override_builtins_and_and_is_not_lazy_then() {
    let mut f = FuncMap::new();
    f.register("len", Arity::Exact(1), |_, _| Ok(Value::Int(42)));
    let mut t = Template::new("t");
    t.funcs(&f);
    t.parse("t", "{{len 1}}").unwrap();
    assert_eq!(t.execute("t", &Value::Nil).unwrap(), "42");
}

#[test]
fn limits_stop_runaway_templates() {
    let mut t = Template::new("t");
    t.options_mut().max_output = 100;
    t.parse("t", "{{range 1000}}xxxxxxxxxx{{end}}").unwrap();
    let e = t.execute("t", &Value::Nil).unwrap_err().to_string();
    assert!(e.contains("output exceeded the limit of 100 bytes"), "{e}");

    let mut t = Template::new("t");
    t.options_mut().max_steps = 10_000;
    t.parse("t", "{{range 100000000000}}{{end}}").unwrap();
    let e = t.execute("t", &Value::Nil).unwrap_err().to_string();
    assert!(
        e.contains("execution exceeded the limit of 10000 steps"),
        "{e}"
    );

    let deep = format!("{{{{{}1{}}}}}", "(".repeat(5000), ")".repeat(5000));
    let e = Template::new("t")
        .parse("t", &deep)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(e.contains("nesting deeper than"), "{e}");

    let deep_if = "{{if 1}}".repeat(5000);
    assert!(Template::new("t").parse("t", &deep_if).is_err());
}

#[test]
fn map_values_are_shared_with_callers() {
    let m: MapRef = value::MapCell::new_ref(BTreeMap::new());
    let mut t = Template::new("t");
    t.funcs(&test_funcs());
    t.parse("t", "{{setk . \"a\" 1}}").unwrap();
    t.execute("t", &Value::Map(m.clone())).unwrap();
    assert_eq!(m.borrow().get("a"), Some(&Value::Int(1)));
}

#[test]
fn garbage_input_never_panics() {
    let samples = [
        "{{",
        "}}",
        "{{{{}}}}",
        "{{-",
        "{{- -}}",
        "{{/*",
        "{{'",
        "{{\"\\",
        "{{`",
        "{{$",
        "{{$x :=",
        "{{.a.",
        "{{(",
        "{{)",
        "{{range $i, $v := }}",
        "{{else}}",
        "{{end}}",
        "{{define}}",
        "{{template}}",
        "{{block}}",
        "{{0x}}",
        "{{1e}}",
        "{{'\\x4'}}",
        "{{\"\\u12\"}}",
        "{{.X | | .Y}}",
        "{{|}}",
        "{{,}}",
        "{{=}}",
        "{{:}}",
        "{{ - }}",
        "{{ -}}",
        "{{- }}x",
        "{{break}}",
        "{{range .}}{{break 1}}{{end}}",
        "é{{é}}",
        "{{.é}}",
        "{{$é}}",
        "{{\u{1}}}",
        "{{'ab'}}",
        "{{''}}",
    ];
    for s in samples {
        let _ = run(s);
        for cut in 0..s.len() {
            if s.is_char_boundary(cut) {
                let _ = run(&s[..cut]);
            }
        }
    }
}

#[test]
fn typed_parameters_report_go_errors() {
    check(&[
        ("{{up .X}} {{rep 2 .X}} {{.X | rep 3}}", Ok("X xx xxx")),
        (
            "{{up .I}}",
            Err(&exec_err(
                "1:5",
                ".I",
                "wrong type for value; expected string; got int",
            )),
        ),
        (
            "{{up .Missing}}",
            Err(&exec_err(
                "1:5",
                ".Missing",
                "invalid value; expected string",
            )),
        ),
        (
            "{{.Missing | up}}",
            Err(&exec_err("1:13", "up", "invalid value; expected string")),
        ),
        (
            "{{rep .F .X}}",
            Err(&exec_err(
                "1:6",
                ".F",
                "wrong type for value; expected int; got float64",
            )),
        ),
        (
            "{{.I | rep 2}}",
            Err(&exec_err(
                "1:11",
                "2",
                "wrong type for value; expected string; got int",
            )),
        ),
    ]);
    let d = data();
    assert_eq!(
        run_with("{{up .Missing}}", &d, MissingKey::Zero),
        Err(exec_err(
            "1:5",
            ".Missing",
            "wrong type for value; expected string; got interface {}"
        ))
    );
    assert_eq!(
        run_with("{{up .Empty0}}", &d, MissingKey::Default),
        Err(exec_err(
            "1:5",
            ".Empty0",
            "wrong type for value; expected string; got interface {}"
        ))
    );
    assert_eq!(
        run_with("{{.Empty0 | up}}", &d, MissingKey::Default),
        Err(exec_err("1:12", "up", "invalid value; expected string"))
    );
}

#[test]
fn len_of_nil_depends_on_how_it_arrives() {
    let d = data();
    assert_eq!(
        run_with("{{len .Empty0}}", &d, MissingKey::Default),
        Err(exec_err(
            "1:2",
            "len .Empty0",
            "error calling len: len of nil pointer"
        ))
    );
    assert_eq!(
        run_with("{{.Empty0 | len}}", &d, MissingKey::Default),
        Err(exec_err(
            "1:12",
            "len",
            "error calling len: reflect: call of reflect.Value.Type on zero Value"
        ))
    );
    assert_eq!(
        run_with("{{len .Missing}}", &d, MissingKey::Zero),
        Err(exec_err(
            "1:2",
            "len .Missing",
            "error calling len: len of nil pointer"
        ))
    );
}

/// A Helm-like template using Go builtins only, in Helm's `missingkey=zero` mode.
#[test]
fn helm_style_chart_snippet() {
    let values = Value::from_json(&serde_json::json!({
        "Values": {
            "replicaCount": 3,
            "image": {"repository": "nginx", "tag": ""},
            "env": {"B": "2", "A": "1"},
            "ports": [80, 443],
            "big": 1000000,
            "bigf": 1000000.0,
        },
        "Release": {"Name": "rel"},
    }));
    let text = r#"{{- define "name" -}}{{ .Release.Name }}-app{{- end -}}
replicas: {{ .Values.replicaCount }}
name: {{ template "name" . }}
image: "{{ .Values.image.repository }}:{{ or .Values.image.tag "latest" }}"
{{- if .Values.missing }}
never
{{- end }}
env:
{{- range $k, $v := .Values.env }}
  - {{ $k }}={{ $v | printf "%q" }}
{{- end }}
ports: {{ range $i, $p := .Values.ports }}{{ if $i }},{{ end }}{{ $p }}{{ end }}
big: {{ .Values.big }} {{ .Values.bigf }}
missing: {{ .Values.nothing }}
"#;
    let want = "replicas: 3\nname: rel-app\nimage: \"nginx:latest\"\nenv:\n  - A=\"1\"\n  - B=\"2\"\nports: 80,443\nbig: 1000000 1e+06\nmissing: <no value>\n";
    let mut t = Template::new("gotpl");
    t.missing_key(MissingKey::Zero);
    t.parse("chart/templates/x.yaml", text).unwrap();
    assert_eq!(t.execute("chart/templates/x.yaml", &values).unwrap(), want);
    let err = {
        let mut t2 = t.clone();
        t2.parse("chart/templates/y.yaml", "a\n  {{ .Values.image.nope.x }}")
            .unwrap();
        t2.execute("chart/templates/y.yaml", &values).unwrap_err()
    };
    assert_eq!(
        err.to_string(),
        "template: chart/templates/y.yaml:2:12: executing \"chart/templates/y.yaml\" at <.Values.image.nope.x>: nil pointer evaluating interface {}.x"
    );
}

#[test]
fn maximum_nesting_executes_within_a_small_stack() {
    let n = parse::MAX_PARSE_DEPTH - 1;
    let text = format!(
        "{}x{}",
        "{{if 1}}{{with 2}}".repeat(n / 2),
        "{{end}}{{end}}".repeat(n / 2)
    );
    assert_eq!(run(&text), Ok("x".to_string()));
    let parens = format!(
        "{{{{print {}1{}}}}}",
        "(print ".repeat(n - 1),
        ")".repeat(n - 1)
    );
    assert_eq!(run(&parens), Ok("1".to_string()));
    // Run on a thread with a 1 MiB stack to leave margin below the usual 2 MiB test threads.
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || run(&text).is_ok() && run(&parens).is_ok())
        .unwrap();
    assert!(handle.join().unwrap());
}

#[test]
fn pseudo_random_templates_never_panic() {
    let atoms = [
        "{{", "}}", "{{-", "-}}", " ", ".X", ".MSI", ".SI", "$", "$x", ":=", "=", "|", "(", ")",
        "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
        "\"s\"", "`r`", "1", "-2", "1.5", "'c'", "nil", "true", "index", "len", "printf", "eq",
        "and", "or", "not", "slice", "print", "/*", "*/", "\n", "x", ",", ".",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let d = data();
    for _ in 0..3000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len)
            .map(|_| atoms[(next() % atoms.len() as u64) as usize])
            .collect();
        let _ = run_with(&text, &d, MissingKey::Zero);
    }
}

/// Helm's `tpl`: clone the set, parse text under the current template's name, execute it with
/// shared limits.
#[test]
fn tpl_like_function_through_call_context() {
    let mut f = FuncMap::new();
    f.register("tpl", Arity::Exact(2), |ctx, a| {
        let text = ctx.string_arg(a, 0)?.to_string();
        let name = ctx.template_name().to_string();
        let mut clone = ctx.template().clone();
        clone
            .parse(&name, &text)
            .map_err(|e| FuncError::Call(e.to_string()))?;
        ctx.execute_in(&clone, &name, &a[1])
            .map(Value::String)
            .map_err(|e| FuncError::Call(e.to_string()))
    });
    let mut t = Template::new("gotpl");
    t.funcs(&f);
    t.parse("main", "{{define \"h\"}}H{{.}}{{end}}{{tpl \"{{template `h` .X}}-{{.X}}\" .}}|{{template \"h\" 1}}")
        .unwrap();
    let d = Value::from_json(&serde_json::json!({"X": 5}));
    assert_eq!(t.execute("main", &d).unwrap(), "H5-5|H1");
    // Parse errors inside tpl surface as function errors.
    let mut t = Template::new("gotpl");
    t.funcs(&f);
    t.parse("main", "{{tpl \"{{\" .}}").unwrap();
    assert_eq!(
        t.execute("main", &d).unwrap_err().to_string(),
        "template: main:1:2: executing \"main\" at <tpl \"{{\" .>: error calling tpl: template: main:1: unclosed action"
    );
}

#[test]
fn eq_on_composites_follows_go() {
    check(&[
        (
            "{{eq .Obj .Obj}} {{eq nil .MSI}} {{eq .MSI nil}} {{eq .Missing .Missing}}",
            Ok("true false false true"),
        ),
        (
            "{{eq .MSI .MSI}}",
            Err(&exec_err(
                "1:2",
                "eq .MSI .MSI",
                "error calling eq: non-comparable type map[one:%!s(int=1) three:%!s(int=3) two:%!s(int=2)]: map[string]interface {}",
            )),
        ),
        (
            "{{eq .SI .MSIEmpty}}",
            Err(&exec_err(
                "1:2",
                "eq .SI .MSIEmpty",
                "error calling eq: non-comparable types [%!s(int=3) %!s(int=4) %!s(int=5)]: []interface {}, map[string]interface {}: map[]",
            )),
        ),
        (
            "{{eq 1 .SI}}",
            Err(&exec_err(
                "1:2",
                "eq 1 .SI",
                "error calling eq: incompatible types for comparison: int and []interface {}",
            )),
        ),
        ("{{eq .I (1 | printf \"%d\" | len)}}", Ok("false")),
    ]);
}

#[test]
fn large_renders_scale_linearly() {
    let d = Value::from_json(
        &serde_json::json!({"items": (0..20000).collect::<Vec<i64>>(), "m": {"k": "v"}}),
    );
    let start = std::time::Instant::now();
    let out = run_with(
        "{{range $i, $e := .items}}{{if gt $e 10}}{{$.m.k}}{{printf \"%d\" $i}}{{end}}{{end}}",
        &d,
        MissingKey::Zero,
    )
    .unwrap();
    assert!(out.len() > 80_000);
    // Generous bound for debug builds on a shared machine; catches accidental quadratic work.
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn deeply_nested_values_drop_without_recursion() {
    fn render() -> Result<String, String> {
        let mut f = FuncMap::new();
        f.register("wrap", Arity::Exact(1), |_, a| {
            Ok(Value::list(vec![a[0].clone()]))
        });
        f.register("wrapm", Arity::Exact(1), |_, a| {
            let m = Value::new_map();
            if let Some(mm) = m.as_map() {
                mm.borrow_mut().insert("k".into(), a[0].clone());
            }
            Ok(m)
        });
        let mut t = Template::new("t");
        t.funcs(&f);
        t.parse(
            "t",
            "{{$x := 1}}{{range 200000}}{{$x = wrap $x}}{{$x = wrapm $x}}{{end}}done",
        )
        .map_err(|e| e.to_string())?;
        t.execute("t", &Value::Nil).map_err(|e| e.to_string())
    }
    // A small stack: recursive drops of 400k levels would overflow it.
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(render)
        .unwrap();
    assert_eq!(handle.join().unwrap(), Ok("done".to_string()));
}

#[test]
fn deep_template_recursion_with_nested_control_fits_small_stacks() {
    // 1000 template levels, each inside if/with: the stack grows on demand instead of
    // overflowing a 256 KiB thread stack.
    let r = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let mut t = Template::new("t");
            t.parse(
                "t",
                "{{define \"r\"}}{{if .}}{{with .}}{{template \"r\" .}}{{end}}{{end}}{{end}}{{template \"r\" 1}}",
            )
            .map_err(|e| e.to_string())?;
            t.execute("t", &Value::Nil).map_err(|e| e.to_string())
        })
        .unwrap()
        .join()
        .unwrap();
    let e = r.unwrap_err();
    assert!(e.ends_with("exceeded maximum template depth (1000)"), "{e}");
}

#[test]
fn constant_operands_are_checked_by_kind() {
    check(&[
        (
            "{{printf nil}}",
            Err(&exec_err("1:9", "nil", "cannot assign nil to string")),
        ),
        (
            "{{printf true}}",
            Err(&exec_err("1:9", "true", "expected string; found true")),
        ),
    ]);
    // Non-constant operands still go through Go's validateType wording.
    let err = run("{{ $x := 1 }}{{printf $x}}").unwrap_err();
    assert!(
        err.ends_with("at <$x>: wrong type for value; expected string; got int"),
        "{err}"
    );
}

/// A Go map type with methods, like Helm's `.Files`.
#[derive(Debug)]
struct MapLike;

impl Object for MapLike {
    fn type_name(&self) -> String {
        "pkg.mapLike".into()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn format_v(&self) -> String {
        "map[a:1 b:2]".into()
    }
    fn length(&self) -> Option<usize> {
        Some(2)
    }
    fn map_entries(&self) -> Option<Vec<(String, Value)>> {
        Some(vec![
            ("a".into(), Value::Int(1)),
            ("b".into(), Value::Int(2)),
        ])
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[test]
fn range_over_map_like_objects() {
    let mut t = Template::new("test");
    t.parse("test", "{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}")
        .unwrap();
    let out = t
        .execute("test", &Value::Object(std::rc::Rc::new(MapLike)))
        .unwrap();
    assert_eq!(out, "a=1;b=2;");
}

/// A named map type with a method, like Helm's `common.Values`.
#[derive(Debug)]
struct NamedMap(MapRef);

impl Object for NamedMap {
    fn type_name(&self) -> String {
        "pkg.Named".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.0.borrow().get(name).cloned()
    }
    fn has_method(&self, name: &str) -> bool {
        name == "M"
    }
    fn call_method(&self, _name: &str, _args: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::from("method"))
    }
    fn format_v(&self) -> String {
        super::gofmt::format_v(&Value::Map(self.0.clone()))
    }
    fn as_map(&self) -> Option<&MapRef> {
        Some(&self.0)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[test]
fn map_typed_objects_behave_as_maps_with_methods() {
    let m = Value::from_json(&serde_json::json!({"a": 1, "M": "shadowed", "n": {"x": 2}}));
    let obj = Value::Object(Rc::new(NamedMap(m.as_map().unwrap().clone())));
    let mut t = Template::new("test");
    t.funcs(&test_funcs()).missing_key(MissingKey::Zero);
    t.parse(
        "test",
        "{{ .a }} {{ .M }} {{ .n.x }} {{ index . \"a\" }} {{ range $k, $v := . }}{{ $k }};{{ end }} {{ printf \"%T\" . }}",
    )
    .unwrap();
    assert_eq!(
        t.execute("test", &obj).unwrap(),
        "1 method 2 1 M;a;n; pkg.Named"
    );
    t.parse("missing", "{{ .nope.x }}").unwrap();
    assert!(
        t.execute("missing", &obj)
            .unwrap_err()
            .to_string()
            .ends_with("nil pointer evaluating interface {}.x")
    );
    assert_eq!(obj.to_json(), m.to_json());
}

/// Crash found by `cargo fuzz run exec`: precisions above u16::MAX made Rust's formatter
/// panic ("Formatting argument out of range"). Go prints every requested digit.
#[test]
fn fuzz_regression_huge_float_precision() {
    let out = run(
        "{{ printf \"%J %.2f %83.1415914.14159 3.1415.1fKeyw|\" 3.14259 3.14159 3.14159 3.14159 }}",
    )
    .expect("renders");
    assert!(
        out.starts_with("%!J(float64=3.14259) 3.14 "),
        "{}",
        &out[..40]
    );
    let f = run("{{ printf \"%.70000f\" 1.5 }}").expect("renders");
    assert_eq!(f.len(), 70002);
    assert!(f.starts_with("1.5000") && f.ends_with("000"));
    let e = run("{{ printf \"%.70000e\" -2.5 }}").expect("renders");
    assert!(
        e.starts_with("-2.5000") && e.ends_with("e+00"),
        "{}",
        &e[e.len() - 10..]
    );
    let g = run("{{ printf \"%.70000g\" 0.1 }}").expect("renders");
    assert!(
        g.starts_with("0.1000000000000000055511151231257827"),
        "{}",
        &g[..40]
    );
}

/// Crash found by the differential fuzzer: a `*` width of i64::MAX tried to allocate that
/// many padding bytes; Go reports `%!(BADWIDTH)` beyond ±1e6.
#[test]
fn fuzz_regression_huge_star_width() {
    assert_eq!(
        run("{{ printf \"%*d|\" 9223372036854775807 5 }}"),
        Ok("%!(BADWIDTH)5|".into())
    );
}

/// Bounds: template recursion depth, output size and steps end with clear errors.
#[test]
fn limits_end_with_clear_errors() {
    let mut t = Template::new("test");
    t.parse(
        "test",
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
    )
    .expect("parse");
    let e = t.execute("test", &Value::Nil).expect_err("depth");
    assert!(
        e.to_string()
            .ends_with("exceeded maximum template depth (1000)"),
        "{e}"
    );

    let mut t = Template::new("test");
    t.options_mut().max_output = 1000;
    t.parse("test", "{{ range 100000 }}0123456789{{ end }}")
        .expect("parse");
    let e = t.execute("test", &Value::Nil).expect_err("output");
    assert!(
        e.to_string()
            .contains("output exceeded the limit of 1000 bytes"),
        "{e}"
    );

    let mut t = Template::new("test");
    t.options_mut().max_steps = 1000;
    t.parse("test", "{{ range 100000 }}{{ end }}")
        .expect("parse");
    let e = t.execute("test", &Value::Nil).expect_err("steps");
    assert!(
        e.to_string()
            .contains("execution exceeded the limit of 1000 steps"),
        "{e}"
    );
}

/// Timeout found by `cargo fuzz run exec`: zero-filling an integer to a huge precision was
/// quadratic.
#[test]
fn fuzz_regression_huge_int_precision_is_linear() {
    let start = std::time::Instant::now();
    let out = run("{{ printf \"%83.1415159d|\" 9 }}").expect("renders");
    assert_eq!(out.len(), 1_415_160);
    assert!(out.ends_with("09|"));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// Memoised template calls run a template once per (template, data) until a map they could
/// have seen changes; calls of impure functions, or changes of older maps, are not kept.
#[test]
fn memoised_calls_rerun_when_seen_maps_change() {
    let runs = Rc::new(std::cell::Cell::new(0));
    let counter = runs.clone();
    let mut f = FuncMap::new();
    f.register("call_t", Arity::Exact(2), |ctx, a| {
        let name = ctx.string_arg(a, 0)?;
        ctx.execute_template_memoized(name, &a[1], 1000)
            .map(Value::String)
            .map_err(|e| FuncError::Call(e.to_string()))
    });
    f.register("count", Arity::Exact(0), move |_, _| {
        counter.set(counter.get() + 1);
        Ok(Value::String(String::new()))
    });
    f.register("poke", Arity::Exact(0), |_, _| {
        Ok(Value::String(String::new()))
    });
    f.register("impure_inside", Arity::Exact(0), |_, _| {
        Ok(Value::String("i".into()))
    });
    f.register("mk", Arity::Exact(0), |_, _| Ok(Value::new_map()));
    f.register("setx", Arity::Exact(2), |ctx, a| {
        let Value::Map(m) = &a[0] else {
            return Err(FuncError::Call("not a map".into()));
        };
        ctx.changed_map_born(m.born());
        m.borrow_mut().insert("x".into(), a[1].clone());
        Ok(Value::String(String::new()))
    });
    f.mark_impure(&["poke", "impure_inside"]);
    let mut t = Template::new("m");
    t.funcs(&f);
    t.parse("c", "{{ count }}{{ .x }}").expect("parses");
    t.parse("d", "{{ count }}{{ impure_inside }}")
        .expect("parses");
    t.parse("e", "{{ count }}{{ . }}").expect("parses");
    // Changes only a map younger than the call.
    t.parse("f", "{{ count }}{{ $m := mk }}{{ setx $m 1 }}{{ .x }}")
        .expect("parses");
    // Changes its data.
    t.parse("g", "{{ count }}{{ .x }}{{ setx . \"G\" }}")
        .expect("parses");
    let run = |text: &str| {
        let mut t = t.clone();
        t.parse("main", text).expect("parses");
        runs.set(0);
        let data = Value::from_json_go(&serde_json::json!({"x": "X", "y": {"x": "Y"}}));
        let out = t.execute("main", &data).expect("runs");
        (out, runs.get())
    };
    assert_eq!(
        run("{{ call_t \"c\" . }}{{ call_t \"c\" . }}{{ call_t \"c\" .y }}{{ call_t \"c\" . }}"),
        ("XXYX".to_string(), 2)
    );
    // Impure calls outside a kept call do not matter; a change to its data does.
    assert_eq!(
        run("{{ call_t \"c\" . }}{{ poke }}{{ call_t \"c\" . }}"),
        ("XX".to_string(), 1)
    );
    assert_eq!(
        run(
            "{{ call_t \"c\" . }}{{ setx . \"Z\" }}{{ call_t \"c\" . }}{{ call_t \"c\" .y }}{{ setx . \"W\" }}{{ call_t \"c\" .y }}"
        ),
        // `.y` is reused only until `.` (older than the call) changes.
        ("XZYY".to_string(), 4)
    );
    assert_eq!(
        run("{{ call_t \"f\" . }}{{ call_t \"f\" . }}"),
        ("XX".to_string(), 1)
    );
    assert_eq!(
        run("{{ call_t \"g\" . }}{{ call_t \"g\" . }}"),
        ("XG".to_string(), 2)
    );
    assert_eq!(
        run("{{ call_t \"d\" . }}{{ call_t \"d\" . }}"),
        ("ii".to_string(), 2)
    );
    assert_eq!(
        run("{{ call_t \"e\" \"s\" }}{{ call_t \"e\" \"s\" }}{{ call_t \"e\" \"t\" }}"),
        ("sst".to_string(), 2)
    );
}
