//! `strings.render_template` beyond the OPA corpus: the resource bounds
//! (recursion, nesting, output, work) end in clear errors within small
//! thread stacks, and arbitrary input never panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use regowasm_builtins::{BuiltinError, EvalContext, Registry, Value};

const NAME: &str = "strings.render_template";

fn render(template: &str, vars: &str) -> Result<Option<Value>, BuiltinError> {
    let reg = Registry::with_defaults();
    let ctx = EvalContext::with_clock(0, 1);
    let vars = Value::from_json_str(vars).expect("vars json");
    reg.call(&ctx, NAME, &[Value::from(template), vars])
}

fn ok(template: &str, vars: &str) -> String {
    match render(template, vars) {
        Ok(Some(Value::String(s))) => s.to_string(),
        other => panic!("{template}: {other:?}"),
    }
}

fn err(template: &str, vars: &str) -> BuiltinError {
    match render(template, vars) {
        Err(e) => e,
        other => panic!("{template}: expected an error, got {other:?}"),
    }
}

/// Run `f` on a thread with a 2 MiB stack (the default for spawned
/// threads), as an evaluation may.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow")
}

#[test]
fn renders_like_opa() {
    assert_eq!(
        ok(
            r#"{{.a}} x {{range .l}}<{{.}}>{{end}}"#,
            r#"{"a": 1, "l": [1, "b"]}"#
        ),
        "1 x <1><b>"
    );
    assert_eq!(ok("{{.missing}}", "{}"), "<undefined>");
    assert_eq!(
        ok("{{.n}} {{.f}}", r#"{"n": 1.0, "f": 1e+100}"#),
        "1.0 1e+100"
    );
}

#[test]
fn unbounded_template_recursion_is_go_depth_error() {
    let e = on_small_stack(|| {
        err(
            r#"{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}"#,
            "{}",
        )
    });
    assert_eq!(
        e.opa_message(),
        "strings.render_template: template: template:1:25: executing \"x\" at \
         <{{template \"x\" .}}>: exceeded maximum template depth (100000)"
    );
    assert!(!e.is_fatal());
}

#[test]
fn deepest_accepted_nesting_fits_a_small_stack() {
    on_small_stack(|| {
        let n = 100;
        let ifs = format!("{}x{}", "{{if 1}}".repeat(n), "{{end}}".repeat(n));
        assert_eq!(ok(&ifs, "{}"), "x");
        let parens = format!("{{{{{}1{}}}}}", "(".repeat(n), ")".repeat(n));
        assert_eq!(ok(&parens, "{}"), "1");
        // An else-if chain is not nesting: any length.
        let chain: String = (0..5000)
            .map(|i| format!("{{{{else if eq {i} -1}}}}"))
            .collect();
        assert_eq!(
            ok(
                &format!("{{{{if false}}}}{chain}{{{{else}}}}e{{{{end}}}}"),
                "{}"
            ),
            "e"
        );
        let rec =
            r#"{{define "r"}}{{if .}}.{{template "r" slice . 1}}{{end}}{{end}}{{template "r" .l}}"#;
        let l: Vec<String> = (0..60).map(|i| i.to_string()).collect();
        assert_eq!(
            ok(rec, &format!(r#"{{"l": [{}]}}"#, l.join(","))),
            ".".repeat(60)
        );
    });
}

#[test]
fn nesting_bounds_are_errors() {
    on_small_stack(|| {
        let n = 101;
        let ifs = format!("{}x{}", "{{if 1}}".repeat(n), "{{end}}".repeat(n));
        assert!(matches!(err(&ifs, "{}"), BuiltinError::Limit { .. }));
        let parens = format!("{{{{{}1{}}}}}", "(".repeat(n), ")".repeat(n));
        assert_eq!(
            err(&parens, "{}").opa_message(),
            "strings.render_template: template: template:1: max expression depth exceeded"
        );
        let huge = format!("{}x", "{{if 1}}".repeat(100_000));
        assert!(render(&huge, "{}").is_err());
        // Nesting through template calls: template + if per level.
        let rec =
            r#"{{define "r"}}{{if .}}.{{template "r" slice . 1}}{{end}}{{end}}{{template "r" .l}}"#;
        let l: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let e = err(rec, &format!(r#"{{"l": [{}]}}"#, l.join(",")));
        assert!(
            e.opa_message()
                .ends_with("exceeded maximum template depth (100000)")
        );
        // Parentheses inside nested ifs inside template calls.
        let deep = format!(
            r#"{{{{define "p"}}}}{}{{{{{}1{}}}}}{}{{{{end}}}}{}{{{{template "p"}}}}{}"#,
            "{{if 1}}".repeat(60),
            "(".repeat(60),
            ")".repeat(60),
            "{{end}}".repeat(60),
            "{{if 1}}".repeat(40),
            "{{end}}".repeat(40),
        );
        assert!(matches!(err(&deep, "{}"), BuiltinError::Limit { .. }));
    });
}

#[test]
fn output_and_work_are_bounded() {
    let e = err("{{range 100000000}}xxxxxxxxxx{{end}}", "{}");
    assert!(matches!(e, BuiltinError::Limit { .. }), "{e:?}");
    assert!(e.is_fatal());
    let e = err("{{range 100000}}{{range 100000}}{{end}}{{end}}", "{}");
    assert!(matches!(e, BuiltinError::Limit { .. }), "{e:?}");
    let e = err(
        r#"{{range 1000}}{{$x := printf "%1000000d" 1}}{{end}}"#,
        "{}",
    );
    assert!(matches!(e, BuiltinError::Limit { .. }), "{e:?}");
}

/// A small deterministic generator (no external crates).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap() % n
    }
}

#[test]
fn arbitrary_templates_never_panic() {
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{- ",
        " -}}",
        " ",
        ".a",
        ".b.c",
        "$x",
        "$",
        ":=",
        "=",
        "|",
        "(",
        ")",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "\"s\"",
        "`r`",
        "1",
        "-1.5e3",
        "0x1p-3",
        "'c'",
        "'\\u00e9'",
        "1+2i",
        "nil",
        "true",
        "len",
        "index",
        "slice",
        "print",
        "printf",
        "\"%v %d %5.2q %[2]*x\"",
        "eq",
        "lt",
        "and",
        "or",
        "not",
        "html",
        "js",
        "urlquery",
        "call",
        "\n",
        "é",
        "/*",
        "*/",
        ",",
        "\"\\xff\"",
        "{{end}}",
        "{{else}}",
        "{{range .l}}",
        "{{.}}",
        "{{template \"t\" .}}",
        "{{define \"t\"}}",
        "9999999999999999999999",
        "\u{0}",
        "}",
    ];
    let vars = r#"{"a": 1, "b": {"c": [1, "x", null]}, "l": [1, 2.5, "s", true, null, {"k": []}]}"#;
    let mut rng = Lcg(7);
    on_small_stack(move || {
        for _ in 0..3000 {
            let n = 1 + rng.next(20);
            let t: String = (0..n).map(|_| PIECES[rng.next(PIECES.len())]).collect();
            let _ = render(&t, vars);
        }
    });
}
