//! Sprig function tests, with expectations taken from Sprig's documented behaviour.

use super::super::{MissingKey, Template, Value};

fn data() -> Value {
    Value::from_json(&serde_json::json!({
        "X": "x",
        "I": 17,
        "F": 1.5,
        "SI": [3, 4, 5],
        "SIEmpty": [],
        "M": {"b": 2, "a": 1},
        "Null": null,
    }))
}

fn run(text: &str) -> Result<String, String> {
    let mut t = Template::new("test");
    t.funcs(&super::funcs()).missing_key(MissingKey::Zero);
    t.parse("test", text).map_err(|e| e.to_string())?;
    t.execute("test", &data()).map_err(|e| e.to_string())
}

fn check(cases: &[(&str, Result<&str, &str>)]) {
    for (text, want) in cases {
        let want = want.map(str::to_string).map_err(str::to_string);
        assert_eq!(run(text), want, "template {text:?}");
    }
}

fn err(loc: &str, ctx: &str, msg: &str) -> String {
    format!("template: test:{loc}: executing \"test\" at <{ctx}>: {msg}")
}

#[test]
fn strings() {
    check(&[
        (
            "{{ \"hello\" | upper }} {{ lower \"HeLLo\" }} {{ title \"hello wide world\" }}",
            Ok("HELLO hello Hello Wide World"),
        ),
        ("{{ untitle \"Hello World\" }}", Ok("hello world")),
        (
            "[{{ trim \"  a b \\n\" }}] {{ trimAll \"$\" \"$5.00$\" }} {{ trimSuffix \"-\" \"hello-\" }} {{ trimPrefix \"-\" \"-hello\" }}",
            Ok("[a b] 5.00 hello hello"),
        ),
        (
            "{{ contains \"cat\" \"catch\" }} {{ hasPrefix \"cat\" \"catch\" }} {{ hasSuffix \"ch\" \"catch\" }} {{ contains \"dog\" \"catch\" }}",
            Ok("true true true false"),
        ),
        (
            "{{ \"I Am Henry VIII\" | replace \" \" \"-\" }} {{ replace \"\" \"-\" \"ab\" }}",
            Ok("I-Am-Henry-VIII -a-b-"),
        ),
        (
            "{{ repeat 3 \"hello\" }}|{{ repeat 0 \"x\" }}",
            Ok("hellohellohello|"),
        ),
        (
            "{{ repeat -1 \"x\" }}",
            Err(&err(
                "1:3",
                "repeat -1 \"x\"",
                "error calling repeat: strings: negative Repeat count",
            )),
        ),
        (
            "{{ indent 2 \"a\\nb\" }}|{{ nindent 2 \"a\" }}|{{ \"x\" | indent 1 }}",
            Ok("  a\n  b|\n  a| x"),
        ),
        (
            "{{ trunc 3 \"abcdef\" }} {{ trunc -3 \"abcdef\" }} {{ trunc 10 \"ab\" }} {{ trunc -10 \"ab\" }}",
            Ok("abc def ab ab"),
        ),
        (
            "{{ substr 0 5 \"hello world\" }}|{{ substr 6 -1 \"hello world\" }}|{{ substr -1 2 \"hello\" }}",
            Ok("hello|world|he"),
        ),
        (
            "{{ substr 3 1 \"hello\" }}",
            Err(&err(
                "1:3",
                "substr 3 1 \"hello\"",
                "error calling substr: runtime error: slice bounds out of range [3:1]",
            )),
        ),
        ("{{ nospace \"a b\\tc\" }}", Ok("abc")),
        (
            "{{ join \",\" (list 1 2 nil 3) }} {{ join \"-\" \"abc\" }} {{ join \"-\" .SIEmpty }}",
            Ok("1,2,3 abc "),
        ),
        (
            "{{ splitList \",\" \"a,b,,c\" }} {{ typeOf (splitList \",\" \"a\") }}",
            Ok("[a b  c] []string"),
        ),
        (
            "{{ $p := split \"$\" \"a$b\" }}{{ $p._1 }} {{ $p }}",
            Ok("b map[_0:a _1:b]"),
        ),
        ("{{ cat \"a\" 1 nil \"b\" }}", Ok("a 1 b")),
        (
            "{{ upper 1 }}",
            Err(&err("1:9", "1", "expected string; found 1")),
        ),
        (
            "{{ upper .Missing }}",
            Err(&err(
                "1:9",
                ".Missing",
                "wrong type for value; expected string; got interface {}",
            )),
        ),
        (
            "{{ .Missing | upper }}",
            Err(&err("1:14", "upper", "invalid value; expected string")),
        ),
        (
            "{{ indent .F \"x\" }}",
            Err(&err(
                "1:10",
                ".F",
                "wrong type for value; expected int; got float64",
            )),
        ),
        (
            "{{ fail \"boom\" }}",
            Err(&err("1:3", "fail \"boom\"", "error calling fail: boom")),
        ),
    ]);
}

#[test]
fn quoting() {
    check(&[
        (
            "{{ quote \"a\" }} {{ quote 1 2.5 }} {{ quote \"a\\\"b\" }}",
            Ok("\"a\" \"1\" \"2.5\" \"a\\\"b\""),
        ),
        (
            "[{{ quote .Missing }}] [{{ .Null | quote }}] [{{ quote nil \"x\" }}]",
            Ok("[] [] [\"x\"]"),
        ),
        (
            "{{ squote \"a\" }} {{ squote 1 true }}",
            Ok("'a' '1' 'true'"),
        ),
        (
            "{{ .SI | quote }} {{ .M | squote }}",
            Ok("\"[3 4 5]\" 'map[a:1 b:2]'"),
        ),
    ]);
}

#[test]
fn defaults() {
    check(&[
        (
            "{{ default \"foo\" .Missing }} {{ .Missing | default \"foo\" }} {{ default \"foo\" \"bar\" }}",
            Ok("foo foo bar"),
        ),
        (
            "{{ default \"foo\" 0 }} {{ default \"foo\" false }} {{ default \"foo\" .SIEmpty }} {{ default \"foo\" .F }}",
            Ok("foo foo foo 1.5"),
        ),
        ("{{ default \"foo\" }}", Ok("foo")),
        (
            "{{ empty \"\" }} {{ empty 0 }} {{ empty .SI }} {{ empty .Missing }} {{ empty .M }} {{ empty 0.0 }}",
            Ok("true true false true false true"),
        ),
        (
            "{{ coalesce 0 \"\" \"x\" }} {{ coalesce .Missing .X }} {{ coalesce 0 }}",
            Ok("x x <no value>"),
        ),
        (
            "{{ all 1 \"a\" }} {{ all 1 0 }} {{ any 0 \"\" }} {{ any 0 1 }}",
            Ok("true false false true"),
        ),
        (
            "{{ ternary \"a\" \"b\" true }} {{ true | ternary \"a\" \"b\" }} {{ ternary \"a\" \"b\" false }}",
            Ok("a a b"),
        ),
        (
            "{{ ternary \"a\" \"b\" 1 }}",
            Err(&err("1:19", "1", "expected bool; found 1")),
        ),
    ]);
}

#[test]
fn lists() {
    check(&[
        ("{{ list 1 \"a\" 2.5 nil }}", Ok("[1 a 2.5 <nil>]")),
        (
            "{{ first .SI }} {{ last .SI }} {{ rest .SI }} {{ initial .SI }}",
            Ok("3 5 [4 5] [3 4]"),
        ),
        ("{{ first .SIEmpty }}", Ok("<no value>")),
        (
            "{{ first .Missing }}",
            Err(&err(
                "1:3",
                "first .Missing",
                "error calling first: runtime error: invalid memory address or nil pointer dereference",
            )),
        ),
        (
            "{{ first \"abc\" }}",
            Err(&err(
                "1:3",
                "first \"abc\"",
                "error calling first: Cannot find first on type string",
            )),
        ),
        (
            "{{ has 4 .SI }} {{ has 9 .SI }} {{ has 4.0 .SI }} {{ has 1 .Missing }}",
            Ok("true false false false"),
        ),
        (
            "{{ has \"a\" \"abc\" }}",
            Err(&err(
                "1:3",
                "has \"a\" \"abc\"",
                "error calling has: Cannot find has on type string",
            )),
        ),
        (
            "{{ append .SI 6 }} {{ push (list) 1 }} {{ prepend .SI 2 }} {{ .SI }}",
            Ok("[3 4 5 6] [1] [2 3 4 5] [3 4 5]"),
        ),
        (
            "{{ reverse .SI }} {{ compact (list 1 0 \"\" \"a\" nil) }} {{ uniq (list 1 1 2 1) }}",
            Ok("[5 4 3] [1 a] [1 2]"),
        ),
        (
            "{{ without .SI 4 }} {{ concat .SI (list 6) .SIEmpty }}",
            Ok("[3 5] [3 4 5 6]"),
        ),
        ("{{ sortAlpha (list \"b\" \"a\" 10 2) }}", Ok("[10 2 a b]")),
        (
            "{{ until 3 }} {{ untilStep 1 10 3 }} {{ until -2 }} {{ untilStep 0 5 0 }}",
            Ok("[0 1 2] [1 4 7] [0 -1] []"),
        ),
        (
            "{{ range $i, $e := list \"a\" \"b\" }}{{ $i }}{{ $e }}{{ end }}",
            Ok("0a1b"),
        ),
    ]);
}

#[test]
fn dicts() {
    check(&[
        ("{{ $d := dict \"a\" 1 \"b\" }}{{ $d }}", Ok("map[a:1 b:]")),
        ("{{ dict 1 2 }} {{ dict }}", Ok("map[1:2] map[]")),
        (
            "{{ $d := dict \"a\" 1 }}{{ get $d \"a\" }}|{{ get $d \"z\" }}|{{ get nil \"a\" }}",
            Ok("1||"),
        ),
        // A missing key is a nil interface{}, which Go does not assign to a map parameter.
        (
            "{{ get .Missing \"a\" }}",
            Err(&err(
                "1:7",
                ".Missing",
                "wrong type for value; expected map[string]interface {}; got interface {}",
            )),
        ),
        (
            "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"c\" 3 }}{{ $d.c }} {{ hasKey $d \"c\" }} {{ hasKey $d \"z\" }}",
            Ok("3 true false"),
        ),
        ("{{ $_ := set .M \"c\" 3 }}{{ .M }}", Ok("map[a:1 b:2 c:3]")),
        (
            "{{ $_ := unset .M \"a\" }}{{ .M }} {{ unset nil \"a\" }}",
            Ok("map[b:2] map[]"),
        ),
        (
            "{{ set nil \"a\" 1 }}",
            Err(&err(
                "1:3",
                "set nil \"a\" 1",
                "error calling set: assignment to entry in nil map (set)",
            )),
        ),
        (
            "{{ set .Missing \"a\" 1 }}",
            Err(&err(
                "1:7",
                ".Missing",
                "wrong type for value; expected map[string]interface {}; got interface {}",
            )),
        ),
        (
            "{{ keys .M }} {{ keys .M (dict \"c\" 1) | sortAlpha }} {{ typeOf (keys .M) }}",
            Ok("[a b] [a b c] []string"),
        ),
        (
            "{{ values .M }} {{ pluck \"a\" .M (dict \"a\" 9) (dict) }}",
            Ok("[1 2] [1 9]"),
        ),
        (
            "{{ get .X \"a\" }}",
            Err(&err(
                "1:7",
                ".X",
                "wrong type for value; expected map[string]interface {}; got string",
            )),
        ),
        (
            "{{ range $k, $v := dict \"z\" 1 \"y\" 2 }}{{ $k }}{{ $v }}{{ end }}",
            Ok("y2z1"),
        ),
    ]);
}

#[test]
fn types_and_conversions() {
    check(&[
        (
            "{{ typeOf 1 }} {{ typeOf .F }} {{ typeOf .I }} {{ typeOf (list) }} {{ typeOf .M }} {{ typeOf nil }} {{ typeOf \"s\" }}",
            Ok("int float64 int []interface {} map[string]interface {} <nil> string"),
        ),
        (
            "{{ kindOf (dict) }} {{ kindOf .Missing }} {{ kindOf .SI }} {{ kindOf 1 }} {{ kindOf (int64 1) }}",
            Ok("map invalid slice int int64"),
        ),
        (
            "{{ typeIs \"int\" 1 }} {{ kindIs \"map\" .M }} {{ kindIs \"int\" .F }}",
            Ok("true true false"),
        ),
        (
            "{{ toString 1.5 }} {{ toString .Missing }} {{ toStrings (list 1 nil \"a\") }}",
            Ok("1.5 <nil> [1 a]"),
        ),
        (
            "{{ int \"12\" }} {{ int 3.9 }} {{ int64 \"0x10\" }} {{ float64 \"1.5\" }} {{ atoi \"42\" }} {{ int \"x\" }} {{ int .Missing }}",
            Ok("12 3 16 1.5 42 0 0"),
        ),
        (
            "{{ nosuchfunc 1 }}",
            Err("template: test:1: function \"nosuchfunc\" not defined"),
        ),
        (
            "{{ deepEqual .SI (list 3 4 5) }} {{ deepEqual (list 1) (list 1.0) }}",
            Ok("true false"),
        ),
    ]);
}

#[test]
fn math_and_encoding() {
    check(&[
        (
            "{{ add 1 2 3 }} {{ add1 .I }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}",
            Ok("6 18 -2 24 3 1"),
        ),
        (
            "{{ add \"2\" 1.9 }} {{ typeOf (add 1 1) }} {{ max 1 7 3 }} {{ min 4 2 8 }} {{ biggest .F 0 }}",
            Ok("3 int64 7 2 1"),
        ),
        (
            "{{ div 1 0 }}",
            Err(&err(
                "1:3",
                "div 1 0",
                "error calling div: runtime error: integer divide by zero",
            )),
        ),
        (
            "{{ floor 1.7 }} {{ ceil 1.2 }} {{ round 2.555 2 }} {{ round 1.4 0 }} {{ round 1.5 0 }} {{ round 3.4 0 0.3 }}",
            Ok("1 2 2.56 1 2 4"),
        ),
        (
            "{{ b64enc \"hello\" }} {{ b64dec \"aGVsbG8=\" }} {{ b64dec \"%%%\" }}",
            Ok("aGVsbG8= hello illegal base64 data at input byte 0"),
        ),
        (
            "{{ sha256sum \"abc\" }}",
            Ok("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ),
    ]);
}

#[test]
fn json_and_dict_helpers() {
    check(&[
        (
            "{{ toJson .M }} {{ toJson .SI }} {{ toJson .F }} {{ toJson \"<x>\" }} {{ toRawJson \"<x>\" }}",
            Ok("{\"a\":1,\"b\":2} [3,4,5] 1.5 \"\\u003cx\\u003e\" \"<x>\""),
        ),
        (
            "{{ toPrettyJson (dict \"a\" (list 1)) }}",
            Ok("{\n  \"a\": [\n    1\n  ]\n}"),
        ),
        (
            "{{ toJson .Missing }} {{ toJson (dict) }} {{ toJson (list) }}",
            Ok("null {} []"),
        ),
        (
            "{{ pick .M \"a\" \"z\" }} {{ omit .M \"a\" }} {{ pick nil \"a\" }}",
            Ok("map[a:1] map[b:2] map[]"),
        ),
        (
            "{{ dig \"a\" \"b\" \"dflt\" (dict \"a\" (dict \"b\" 7)) }} {{ dig \"a\" \"x\" \"dflt\" (dict \"a\" (dict)) }} {{ dig \"z\" 0 .M }}",
            Ok("7 dflt 0"),
        ),
        (
            "{{ dig \"a\" \"b\" 0 .M }}",
            Err(&err(
                "1:3",
                "dig \"a\" \"b\" 0 .M",
                "error calling dig: interface conversion: interface {} is int, not map[string]interface {}",
            )),
        ),
        (
            "{{ dig \"a\" 0 .Missing }}",
            Err(&err(
                "1:3",
                "dig \"a\" 0 .Missing",
                "error calling dig: interface conversion: interface {} is nil, not map[string]interface {}",
            )),
        ),
        (
            "{{ dig 1 0 .M }}",
            Err(&err(
                "1:3",
                "dig 1 0 .M",
                "error calling dig: interface conversion: interface {} is int, not string",
            )),
        ),
    ]);
}

#[test]
fn more_strings_lists_paths() {
    check(&[
        (
            "{{ trimall \"-\" \"-a-\" }} {{ abbrev 5 \"hello world\" }} {{ abbrev 3 \"hello\" }} {{ abbrev 20 \"hi\" }}",
            Ok("a he... hello hi"),
        ),
        (
            "{{ plural \"one\" \"many\" 1 }} {{ plural \"one\" \"many\" 2 }}",
            Ok("one many"),
        ),
        (
            "{{ splitn \"$\" 2 \"a$b$c\" }} {{ splitn \",\" -1 \"a,b\" }}",
            Ok("map[_0:a _1:b$c] map[_0:a _1:b]"),
        ),
        (
            "{{ tuple 1 2 }} {{ slice .SI 1 }} {{ slice .SI 1 2 }} {{ slice .SIEmpty 0 }}",
            Ok("[1 2] [4 5] [4] <no value>"),
        ),
        (
            "{{ slice \"abc\" 1 }}",
            Err(&err(
                "1:3",
                "slice \"abc\" 1",
                "error calling slice: list should be type of slice or array but string",
            )),
        ),
        (
            "{{ slice .SI 2 9 }}",
            Err(&err(
                "1:3",
                "slice .SI 2 9",
                "error calling slice: reflect.Value.Slice: slice index out of bounds",
            )),
        ),
        (
            "{{ base \"a/b.txt\" }} {{ dir \"a/b.txt\" }} {{ ext \"a/b.txt\" }} {{ clean \"a//b/../c\" }} {{ isAbs \"/x\" }}",
            Ok("b.txt a .txt a/c true"),
        ),
    ]);
}

fn run_json(text: &str, data: serde_json::Value) -> Result<String, String> {
    let mut t = Template::new("test");
    t.funcs(&super::funcs()).missing_key(MissingKey::Zero);
    t.parse("test", text).map_err(|e| e.to_string())?;
    t.execute("test", &Value::from_json(&data))
        .map_err(|e| e.to_string())
}

#[test]
fn merge_follows_mergo() {
    let data = serde_json::json!({
        "dst": {"a": 1, "b": "", "c": {"x": 1}, "l": [1], "e": [], "s": "keep", "n": null, "z": 0},
        "src": {"a": 2, "b": "filled", "c": {"x": 2, "y": 3}, "l": [9], "e": [5], "s": {"m": 1}, "n": 7, "z": 4, "new": {"k": true}, "nil": null},
    });
    assert_eq!(
        run_json("{{ $_ := merge .dst .src }}{{ toJson .dst }}", data.clone()),
        Ok(r#"{"a":1,"b":"filled","c":{"x":1,"y":3},"e":[5],"l":[1],"n":7,"new":{"k":true},"s":"keep","z":4}"#.into())
    );
    assert_eq!(
        run_json("{{ $_ := mergeOverwrite .dst .src }}{{ toJson .dst }}", data.clone()),
        Ok(r#"{"a":2,"b":"filled","c":{"x":2,"y":3},"e":[5],"l":[9],"n":7,"new":{"k":true},"nil":null,"s":"keep","z":4}"#.into())
    );
    assert_eq!(
        run_json(
            "{{ toJson (mergeOverwrite (dict \"a\" 1) (dict \"a\" \"\")) }} {{ toJson (merge nil (dict \"a\" 1)) }} {{ merge nil }}",
            data.clone()
        ),
        Ok(r#"{"a":""} {"a":1} map[]"#.into())
    );
    assert_eq!(
        run_json(
            "{{ $c := deepCopy .dst }}{{ $_ := set $c.c \"x\" 9 }}{{ .dst.c.x }} {{ $c.c.x }}",
            data
        ),
        Ok("1 9".into())
    );
}

#[test]
fn semver_compare() {
    check(&[
        (
            "{{ semverCompare \">=1.19-0\" \"v1.28.3-eks-4f4795d\" }} {{ semverCompare \"<1.19\" \"1.28.0\" }}",
            Ok("true false"),
        ),
        (
            "{{ semverCompare \"^2\" \"nope\" }}",
            Err(&err(
                "1:3",
                "semverCompare \"^2\" \"nope\"",
                "error calling semverCompare: invalid semantic version",
            )),
        ),
        (
            "{{ semverCompare \"> > 1\" \"1.0.0\" }}",
            Err(&err(
                "1:3",
                "semverCompare \"> > 1\" \"1.0.0\"",
                "error calling semverCompare: improper constraint: > > 1",
            )),
        ),
    ]);
}

#[test]
fn must_variants() {
    check(&[
        (
            "{{ mustFirst .SI }} {{ mustLast .SI }} {{ mustHas 3 .SI }} {{ mustToJson .M }}",
            Ok("3 5 true {\"a\":1,\"b\":2}"),
        ),
        (
            "{{ mustFirst \"x\" }}",
            Err(&err(
                "1:3",
                "mustFirst \"x\"",
                "error calling mustFirst: Cannot find first on type string",
            )),
        ),
        (
            "{{ toJson (list (float64 \"NaN\")) }}|{{ mustToJson (div 1 1 | float64 | mul 0 | float64) }}",
            Ok("|0"),
        ),
    ]);
}

#[test]
fn regex_functions() {
    check(&[
        (
            "{{ regexMatch \"^[a-z]+$\" \"abc\" }} {{ regexMatch \"(\" \"x\" }} {{ regexFind \"[0-9]+\" \"ab12cd34\" }}",
            Ok("true false 12"),
        ),
        (
            "{{ regexFindAll \"[0-9]\" \"a1b2c3\" 2 }} {{ regexFindAll \"z\" \"abc\" -1 }}",
            Ok("[1 2] []"),
        ),
        (
            "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }} {{ regexReplaceAllLiteral \"a(x*)b\" \"-ab-\" \"$1\" }}",
            Ok("-W-xxW- -$1-"),
        ),
        (
            "{{ regexSplit \"z+\" \"pizza\" -1 }} {{ regexQuoteMeta \"a.b\" }}",
            Ok("[pi a] a\\.b"),
        ),
        (
            "{{ regexFind \"(\" \"x\" }}",
            Err(&err(
                "1:3",
                "regexFind \"(\" \"x\"",
                "error calling regexFind: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`",
            )),
        ),
    ]);
}

#[test]
fn helm_case_table_error_texts() {
    let call = |ctx: &str, msg: &str| Err(err("1:3", ctx, &format!("error calling {msg}")));
    let cases: Vec<(&str, Result<String, String>)> = vec![
        ("{{ hello }}", Ok("Hello!".into())),
        (
            "{{ kindOf now }} {{ kindOf (semver \"1.0.0\") }} {{ kindIs \"struct\" (genCAWithKey \"x\" 1 (genPrivateKey \"ecdsa\")) }}",
            Ok("struct ptr true".into()),
        ),
        ("{{ upper \"straße é\" }}", Ok("STRAßE É".into())),
        (
            "{{ append \"abc\" \"x\" }}",
            call("append \"abc\" \"x\"", "append: Cannot push on type string"),
        ),
        (
            "{{ prepend \"x\" 0 }}",
            call("prepend \"x\" 0", "prepend: Cannot prepend on type string"),
        ),
        (
            "{{ concat (list 1) \"x\" }}",
            call(
                "concat (list 1) \"x\"",
                "concat: Cannot concat type string as list",
            ),
        ),
        (
            "{{ substr 4 2 \"abcdef\" }}",
            call(
                "substr 4 2 \"abcdef\"",
                "substr: runtime error: slice bounds out of range [4:2]",
            ),
        ),
        (
            "{{ substr -1 -1 \"abc\" }}",
            call(
                "substr -1 -1 \"abc\"",
                "substr: runtime error: slice bounds out of range [:-1]",
            ),
        ),
        (
            "{{ substr 5 -1 \"abc\" }}",
            call(
                "substr 5 -1 \"abc\"",
                "substr: runtime error: slice bounds out of range [5:3]",
            ),
        ),
        (
            "{{ deepCopy .Null }}",
            call(
                "deepCopy .Null",
                "deepCopy: reflect: call of reflect.Value.Type on zero Value",
            ),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(run(text), want, "template {text:?}");
    }
}
