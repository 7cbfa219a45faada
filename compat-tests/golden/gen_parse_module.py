#!/usr/bin/env python3
"""Generate (or --check) compat-tests/golden/parse_module.json from OPA v1.20.2.

Each case is {"construct", "args": [{"json": filename}, {"json": source}],
"expect": {"value": <AST JSON>} | {"value_text": <exact JSON text>}
| {"error": <message>}}: what `rego.parse_module(filename, source)` returns
in OPA (through the oracle of gen_builtins.py). `value_text` holds the
value when a number in it does not survive a round trip through a
float. `construct` names what the module exercises; the replay
(builtins/tests/parse_module_golden.rs) reports mismatches per construct.

Sources: one module per construct (terms, expressions, rule heads,
default, else, every, some, imports, comments, ...), real-world policies
(regowasm's own policies/ and Gatekeeper library templates from
../shared/gatekeeper-library, rewritten from Rego v0 to v1 syntax by
`v1_syntax` below and kept only when OPA parses them), and syntax
errors.

Usage: gen_parse_module.py [--check | --explore DIR OUT]

--explore writes OUT in the same format from every module of the OPA
compliance YAML files under DIR (for a wider differential run:
PARSE_MODULE_GOLDEN=OUT cargo test -p regowasm-builtins --test
parse_module_golden).
"""
import ctypes, decimal, glob, json, os, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_builtins import HERE, LIB, Oracle  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GATEKEEPER = os.path.normpath(os.path.join(ROOT, "..", "shared", "gatekeeper-library", "src"))
OUT = os.path.join(HERE, "parse_module.json")

P = "package a\n\n"

CONSTRUCTS = [
    # ---- terms
    ("term/scalars", P + 'p := [null, true, false, 1, -1, 1.5, 0.1, 1e3, 1E-2, "s", `raw`, ""]'),
    ("term/number-text", P + "p := [1.0, 1.50, 100000000000000000000000000000, 3.14159265358979323846264338327950288]"),
    ("term/number-negative", P + "p := [-1, - 2, -0.5, -1e10]\nq := 1 - -2"),
    ("term/string-escapes", P + 'p := ["a\\"b", "\\n\\t\\\\", "\\u00e9", "é🙂", `a\\nb`]'),
    ("term/var", P + "p if { x := 1; y := x; y }"),
    ("term/wildcard", P + "p if { _ = 1; input.x[_]; y := _ }\nq := [1 | _ := 1]"),
    ("term/ref-dot", P + "p := input.a.b.c"),
    ("term/ref-brack", P + 'p := input["a"][0][true][null]["b c"]'),
    ("term/ref-var-index", P + "p if { x := input.a[i].b[j]; i > j }"),
    ("term/ref-composite-index", P + 'p := input.a[[1, 2]]\nq := input.a[{"k": 1}]'),
    ("term/ref-data", P + "p := data.x.y\nq := data"),
    ("term/ref-call-head", P + "p := f(1).z\nf(x) := {\"z\": x}"),
    ("term/ref-array-head", P + "p := [1, 2][0]\nq := {\"a\": 1}.a"),
    ("term/array", P + "p := [1, [2, [3]], []]"),
    ("term/object", P + 'p := {"b": 1, "a": 2, 3: 4, "c": {"d": [5]}}'),
    ("term/object-dup-keys", P + 'p := {"a": 1, "a": 2}'),
    ("term/object-nonstring-keys", P + 'p := {1: "a", true: 2, null: 3, [1]: 4, "x": 5}'),
    ("term/object-empty", P + "p := {}"),
    ("term/set", P + 'p := {3, 1, 2, "a", [1], {"b": 1}, null, false}'),
    ("term/set-dup", P + "p := {1, 1, 2, 2.0}"),
    ("term/set-empty", P + "p := set()"),
    ("term/set-of-vars", P + "p if { s := {x, y, 1}; x := 1; y := 2 }"),
    ("term/set-of-refs", P + "p := {input.b, input.a, data.c}"),
    ("term/arraycomprehension", P + "p := [x | some x in input.xs; x > 1]"),
    ("term/setcomprehension", P + "p := {x | some x in input.xs}"),
    ("term/objectcomprehension", P + "p := {k: v | some k, v in input.o}"),
    ("term/comprehension-nested", P + "p := [[y | some y in x] | some x in input.xss]"),
    ("term/call", P + "p := count([1, 2])\nq := sprintf(\"%v\", [1])"),
    ("term/call-dotted", P + 'p := array.concat([1], [2])\nq := io.jwt.decode("x")'),
    ("term/call-nested", P + "p := count(array.concat([1], [upper(\"a\")]))"),
    ("term/call-user", P + "f(x) := x\np := f(f(1))"),
    # ---- operators
    ("op/arith", P + "p := 1 + 2 * 3 - 4 / 5 % 6"),
    ("op/arith-parens", P + "p := (1 + 2) * 3\nq := 1 - (2 - 3)"),
    ("op/arith-left-assoc", P + "p := 1 - 2 - 3\nq := 8 / 4 / 2"),
    ("op/compare", P + "p if { x := 1; x == 1; x != 2; x < 3; x <= 3; x > 0; x >= 0 }"),
    ("op/set-ops", P + "p := {1} | {2} & {3}\nq := ({1} | {2}) & {2}"),
    ("op/unary-minus-var", P + "p if { x := 1; y := -x; z := -input.a; w := -count([1]) }"),
    ("op/unary-minus-expr", P + "p if { x := 1; y := -x + 1; z := -x * 2 }"),
    ("op/compare-in-assign", P + "p if { x := 1 == 1; y := 2 > 1 }"),
    ("op/in", P + "p if { 1 in [1]; \"a\" in {\"a\"}; not 2 in [1] }"),
    ("op/in-key", P + 'p if { 0, 1 in [1]; "k", "v" in {"k": "v"} }'),
    ("op/in-term", P + "p := 1 in [1]\nq := [x | x := 1 in [1]]"),
    # ---- expressions
    ("expr/unify", P + "p if { [x, y] = [1, 2]; x = 1 }"),
    ("expr/assign", P + "p if { x := 1; [a, b] := [1, 2] }"),
    ("expr/term", P + "p if { true; input.x; 1 }"),
    ("expr/call-stmt", P + 'p if { startswith("ab", "a"); count([1]) }'),
    ("expr/not", P + "p if { not input.x; not f(1); not 1 == 2 }\nf(x) if x"),
    ("expr/with", P + "p if { q with input as {\"a\": 1} with data.x as 2 }\nq if input.a"),
    ("expr/with-function", P + "p if { q with count as mock }\nq if count([]) == 7\nmock(_) := 7"),
    ("expr/with-not", P + "p if { not q with input as 1 }\nq if input == 2"),
    ("expr/semicolons", P + "p if { x := 1; y := 2; x < y }"),
    ("expr/newlines", P + "p if {\n\tx := 1\n\n\ty := 2\n\tx < y\n}"),
    ("expr/multiline-call", P + "p if {\n\tx := concat(\n\t\t\",\",\n\t\t[\"a\", \"b\"],\n\t)\n\tx\n}"),
    ("expr/print", P + 'p if { print("x", 1) }'),
    # ---- some / every
    ("some/vars", P + "p if { some x; x := 1 }\nq if { some x, y; x := 1; y := 2 }"),
    ("some/in", P + "p if { some x in input.xs; x }"),
    ("some/in-key", P + "p if { some k, v in input.o; k; v }"),
    ("some/in-wildcard", P + "p if { some _, v in input.o; v }"),
    ("some/in-composite", P + "p if { some [x, y] in [[1, 2]]; x < y }"),
    ("every/value", P + "p if { every x in input.xs { x > 0 } }"),
    ("every/key-value", P + "p if { every k, v in input.o { k != v; v > 0 } }"),
    ("every/nested", P + "p if { every x in input.xs { every y in x { y } } }"),
    ("every/call-domain", P + "p if { every x in numbers.range(1, 3) { x > 0 } }"),
    ("every/with", P + "p if { every x in input.xs { x } with input as {\"xs\": [1]} }"),
    # ---- rule heads
    ("head/constant", P + "p := 1\nq = 2"),
    ("head/if-body", P + "p if { true }\nq := 1 if { true }"),
    ("head/if-literal", P + "p if input.x\nq := 2 if input.y == 1"),
    ("head/value-expr", P + "p := 1 + 2\nq := [1 | true]"),
    ("head/contains", P + 'p contains x if { some x in ["a"] }\nq contains "b"'),
    ("head/contains-object", P + 'deny contains {"msg": msg} if { msg := "no" }'),
    ("head/contains-ref", P + "a.b contains 1\na.c contains x if { x := 2 }"),
    ("head/partial-object", P + 'p[k] := v if { some k, v in {"a": 1} }\nq[x] = 1 if x := "y"'),
    ("head/partial-object-const", P + 'p["a"] := 1\nq["b"] := 2 if true'),
    ("head/brack-if", P + "p[x] if { x := 1 }\nq[[1]] if true"),
    ("head/brack-ref-key", P + "p[input.a] := 1 if true\nq[input.b] if true"),
    ("head/ref-dotted", P + "a.b.c := 1\na.b.d if true\na.e := 2 if true"),
    ("head/ref-dotted-short", P + "a.b := 1"),
    ("head/ref-var-middle", P + "a[x].y := 1 if x := \"k\"\nb[x][y] := 2 if { x := 1; y := 2 }"),
    ("head/ref-number", P + "p[1].q := 2\nr[0] := 1"),
    ("head/function", P + "f(x) := x + 1\ng(x, y) if x == y\nh(x) = y if y := x"),
    ("head/function-const-args", P + 'f(1, "a") := 3\nf(x, y) := 4 if true'),
    ("head/function-wildcard-args", P + "f(_) := 1\ng(_, _) if true"),
    ("head/function-dotted", P + "a.f(x) := x\na.b.g(x) if x"),
    ("head/function-composite-args", P + "f([x, y]) := x + y\ng({\"a\": x}) := x"),
    ("head/function-no-value", P + "f(x) if { x > 1 }"),
    ("head/multiple-definitions", P + "p := 1 if input.a\np := 2 if input.b\nq contains 1\nq contains 2"),
    ("head/multi-body", P + "p if { input.a } { input.b }"),
    ("head/multi-body-function", P + "f(_) if { input.a } { input.b }"),
    ("head/keyword-ref-field", P + "a.if := 1\na.contains := 2"),
    # ---- default / else
    ("default/value", P + "default p := false\ndefault q = 1"),
    ("default/composite", P + 'default p := {"a": [1]}\ndefault q := set()'),
    ("default/function", P + "default f(_) := 1\ndefault g(x, y) := 2"),
    ("default/ref", P + "default a.b := 1"),
    ("else/value", P + "p := 1 if { input.a } else := 2"),
    ("else/chain", P + "p := 1 if { input.a } else := 2 if { input.b } else := 3"),
    ("else/no-value", P + "p := 1 if { input.a } else if { input.b }"),
    ("else/unify", P + "p = 1 if { input.a } else = 2"),
    ("else/function", P + "f(x) := 1 if { x > 1 } else := 2"),
    ("else/function-wildcard", P + "f(_) := 1 if { input.a } else := 2 if { input.b } else := _"),
    ("else/literal-body", P + "p := 1 if input.a else := 2 if input.b"),
    ("else/bool", P + "p if { input.a } else := false"),
    # ---- packages / imports
    ("package/dotted", "package a.b.c\n\np := 1"),
    ("package/brack", 'package a["b-c"].d\n\np := 1'),
    ("package/keyword", "package a.if.contains\n\np := 1"),
    ("package/only", "package a"),
    ("import/data", P + "import data.x.y\nimport data.z as w\n\np := w"),
    ("import/input", P + "import input.a\nimport input\n\np := a"),
    ("import/rego-v1", P + "import rego.v1\n\np if true"),
    ("import/future", P + "import future.keywords\nimport future.keywords.in\nimport future.keywords.if\n\np if 1 in [1]"),
    ("import/brack", P + 'import data.x["y-z"]\n\np := 1'),
    # ---- comments
    ("comment/lines", "# header\npackage a\n\n# about p\np := 1 # trailing\n#nospace\n"),
    ("comment/in-strings", P + 'p := "# not a comment" # yes\nq := `# raw` #\n'),
    ("comment/unicode-column", P + 'p := "üü" # c ü\n'),
    ("comment/tabs-crlf", "package a\r\n\t# tabbed\r\np := 1 # crlf\r\n"),
    ("comment/metadata", "# METADATA\n# title: pkg\npackage a\n\n# METADATA\n# title: rule\n# custom:\n#  x: 1\np := 1\n"),
    ("comment/in-body", P + "p if {\n\t# first\n\tx := 1 # x\n\tx # done\n}\n"),
    # ---- layout
    ("layout/crlf", "package a\r\n\r\np := 1\r\nq if {\r\n\tp\r\n}\r\n"),
    ("layout/tabs", "package a\n\n\tp := 1\n\tq if {\n\t\tp\n\t}\n"),
    ("layout/no-trailing-newline", "package a\np := 1"),
    ("layout/unicode-idents-strings", P + 'p := {"ключ": "значение", "🙂": 1}'),
    ("layout/long-line", P + "p := [" + ", ".join(str(i) for i in range(400)) + "]"),
    ("layout/many-rules", P + "\n".join(f"r{i} := {i}" for i in range(60))),
    ("layout/operator-continuation", P + "p := 1 +\n\t2\nq if {\n\tx := [1,\n\t\t2]\n\tx\n}"),
    ("layout/paren-new-line", P + "p if {\n\tx := 1\n\t(x + 1) > 1\n\tcount([x])\n\t(x) == 1\n}"),
    ("layout/paren-after-keyword", P + "p if {\n\tnot\n\t(1 == 2)\n}"),
    ("layout/semicolon-lines", P + "p if { x := 1;\n\ty := 2; x < y }"),
    # ---- more terms and operators
    ("term/number-extreme", P + "p := [1e400, 1.5e-400, -1e-10, 123456789012345678901234567890.5]"),
    ("term/string-surrogates", P + 'p := ["\\ud83d\\ude00", "\\u0041", "\\/"]'),
    ("term/raw-string-multiline", P + "p := `line1\nline2 \\n`"),
    ("term/set-order-mixed", P + "p := {input.b, x, [1], {\"k\": 1}, \"s\", 10, 9.5, -1, 1e2, false, null, {1}} if x := 1"),
    ("term/object-ref-keys", P + "p := {input.a: 1, x: 2, [1]: 3} if x := \"k\""),
    ("term/set-of-sets", P + "p := {{1}, {2, 1}, set(), {[]}}"),
    ("term/nested-empty", P + "p := [[], {}, set(), [{}], {\"a\": []}]"),
    ("term/ref-multi-wildcard", P + "p if { input.a[_][_].b[_] }"),
    ("term/ref-call-index", P + "p := input.a[count([1])]\nq := input[lower(\"A\")].b"),
    ("term/ref-keyword-fields", P + "p := input.if.contains.in.every.some.not.with.as.default.else"),
    ("term/comprehension-some-object", P + "p := {k: v | some k, v in input.o; v > 1}"),
    ("term/comprehension-every", P + "p := [x | some x in input.xs; every y in x { y }]"),
    ("term/comprehension-with", P + "p := [x | x := input.a with input as {\"a\": 1}]"),
    ("op/in-precedence", P + "p if { x := 1 + 1 in [2]; y := 1 in [1] == true }"),
    ("op/unary-minus-in", P + "p if { x := 1; -x in [-1] }"),
    ("op/unary-minus-after-mul", P + "p if { x := 1; y := 2 * -x + 1 }"),
    ("op/compare-chain", P + "p if { 1 < 2 == true }"),
    ("op/set-ops-vars", P + "p if { a := {1}; b := {2}; c := a | b; d := a & b; e := a - b }"),
    ("expr/not-call-with", P + "p if { not f(1) with input as 1 }\nf(x) if x == input"),
    ("expr/with-many", P + "p if { q with input.a as 1 with input.b as 2 with data.c.d as {1} }\nq if true"),
    ("expr/print-many", P + "p if { print(1, \"a\", [x | x := 1]) }"),
    ("expr/unify-objects", P + "p if { {\"a\": x} = {\"a\": 1}; [_, y] = [1, 2] }"),
    ("head/contains-multi-body", P + "p contains x if { x := 1 } { x := 2 }"),
    ("head/else-ref", P + "a.b := 1 if { input.x } else := 2"),
    ("head/function-else-chain-wildcards", P + "f(_, y) := 1 if { y } else := 2 if { not y } else := 3"),
    ("head/brack-string-if", P + 'p["a-b"] if true\np["c"].d := 1 if true'),
    ("head/value-comprehension", P + "p := {x | some x in input.xs} if true"),
    ("head/function-body-literal", P + "f(x) := y if y := x * 2"),
    ("head/default-and-rules", P + "default allow := false\nallow if input.user == \"admin\"\nallow if { input.method == \"GET\" }"),
    ("import/anywhere", P + "p := 1\nimport data.x\nq := 2 import input.y"),
    ("import/duplicates", P + "import data.x\nimport data.x\nimport rego.v1\nimport rego.v1"),
    ("import/rego-v1-alias", P + "import rego.v1 as r"),
    ("import/future-all", P + "import future.keywords.contains\nimport future.keywords.every\nimport future.keywords.if\nimport future.keywords.in"),
    ("import/multiline", P + "import\n  data.x.y\n\np := 1"),
    ("comment/between-rules", P + "p := 1\n\n# between\n\nq := 2\n# end"),
    ("comment/in-head", P + "p := [ # open\n\t1, # one\n] # close"),
    ("term/template-string", P + 'p := $"a{1}b{input.x}"'),
    ("comment/hash-in-raw-multiline", P + "p := `a\n# not\nb` # yes"),
]

ERRORS = [
    ("error/package-dot", "package foo."),
    ("error/package-missing", "import data.x"),
    ("error/empty", ""),
    ("error/blank", "  \n\t\n"),
    ("error/comment-only", "# only a comment\n"),
    ("error/unclosed-body", "package a\np if {"),
    ("error/unexpected-rbrace", "package a\np if { x := }"),
    ("error/unexpected-rparen", "package a\np if { ) }"),
    ("error/if-required", "package a\np { true }"),
    ("error/if-required-tabs", "package foo.bar\n\n\t\timport data.a\n\n\t\tp { a = true }"),
    ("error/contains-required", "package a\np[x] if { x := 1 }\nq[y]"),
    ("error/unterminated-string", 'package a\nx = "abc'),
    ("error/unterminated-raw", "package a\nx = `abc"),
    ("error/unclosed-array", "package a\np := [1,"),
    ("error/leading-zero", "package a\np := 01"),
    ("error/minus-string", 'package a\np if { x := -"a" }'),
    ("error/minus-paren", "package a\np := -(1)"),
    ("error/double-minus", "package a\np := --1"),
    ("error/missing-value", "package a\np :="),
    ("error/bad-import", "package a\nimport foo.bar"),
    ("error/rule-no-body", "package a\np"),
    ("error/else-no-body", "package a\np := 1 if { true } else"),
    ("error/bad-token", "package a\np := 1 $"),
    ("error/two-errors", "package a\np if { 1 + }\nq if { ) }"),
    ("error/default-body", "package a\ndefault p := 1 if { true }"),
    ("error/some-bad", "package a\np if { some 1 }"),
    ("error/every-no-body", "package a\np if { every x in [1] }"),
    ("error/with-no-as", "package a\np if { q with input }"),
    ("error/unicode-line", 'package a\np := "ü" +'),
    ("error/tabbed-line", "package a\n\tp if {\n\t\tx := ]\n\t}\n"),
    ("error/deep-line", "package a\n\np := 1\nq := 2\nr if {\n\tx := [1, 2\n}\n"),
    ("error/import-bad-root", "package a\nimport foo.x"),
    ("error/import-future-alias", "package a\nimport future.keywords.in as x"),
    ("error/import-future-keyword", "package a\nimport future.keywords.foo"),
    ("error/import-future-bare", "package a\nimport future"),
    ("error/import-rego-v2", "package a\nimport rego.v2"),
    ("error/import-keyword-tail", "package a\nimport data.if"),
    ("error/import-var-brack", "package a\nimport data.x[y]"),
    ("error/import-number-brack", "package a\nimport input.x[1]"),
    ("error/import-dot-eof", "package a\nimport data.x."),
    ("error/import-alias-keyword", "package a\nimport data.x as if"),
    ("error/import-eof", "package a\nimport\n"),
    ("error/continuation-assign", "package a\np := 1 +\nq := 2"),
    ("error/array-missing-comma", "package a\np := [1 2]"),
    ("error/object-missing-colon", 'package a\np := {"a" 1}'),
    ("error/call-unclosed", "package a\np if { f(1, }"),
    ("error/body-missing-newline", "package a\np if { x := 1 y := 2 }"),
    ("error/else-without-if", "package a\np := 1 if { input.x } else { input.y }"),
    ("error/every-missing-in", "package a\np if { every x [1] { x } }"),
    ("error/some-in-no-collection", "package a\np if { some x in }"),
    ("error/default-no-value", "package a\ndefault p"),
    ("error/default-var-value", "package a\ndefault p := x"),
    ("error/rule-head-string", 'package a\n"p" := 1'),
    ("error/function-contains", "package a\nf(x) contains 1"),
    ("error/else-ref-var", "package a\np[x] := 1 if { x := 1 } else := 2"),
    ("error/contains-else", "package a\np contains 1 if { true } else := 2"),
    ("error/package-string", 'package "a"'),
    ("error/package-var-brack", "package a[x]"),
    ("error/string-bad-escape", 'package a\np := "\\q"'),
    ("error/with-literal-target", "package a\np if { q with 1 as 2 }"),
    ("error/unbalanced-rbrace", "package a\n}\np := 1"),
    ("error/keyword-rule-name", "package a\nif := 1"),
    ("error/string-ref-head", 'package a\np := "abc"[0]'),
    ("error/number-dot", "package a\np := 1."),
    ("error/v0-partial-set", 'package a\ndeny[msg] {\n\tmsg := "no"\n}'),
    ("error/v0-function", "package a\nf(x) {\n\tx\n}"),
    ("error/v0-else", "package a\np := 1 if { input.a } else = 2 { input.b }"),
    ("error/call-space", "package a\np := count ([1])"),
    ("error/assign-in-head-ref", "package a\np.q[r := 1] := 1"),
    ("error/colon-eq-typo", "package a\np if { x : = 1 }"),
    ("error/double-equals-head", "package a\np == 1"),
    ("error/every-no-var", "package a\np if { every in [1] { true } }"),
    ("error/empty-body", "package a\np if { }"),
    ("error/empty-else-body", "package a\np := 1 if { input.a } else := 2 if { }"),
    ("error/unclosed-comprehension", "package a\np := [x | x := 1"),
    ("error/unclosed-object", 'package a\np := {"a": 1,'),
    ("error/nested-body-error", "package a\np if {\n\tevery x in [1] {\n\t\tx := )\n\t}\n}"),
    ("error/comprehension-body-error", "package a\np if {\n\ty := [x | x := ]\n}"),
]


def v1_syntax(src):
    """Rewrite a Rego v0 module to v1 syntax: `if` before rule bodies,
    `contains` for partial set rules (`p[x] { ... }`), `if` after `else`.
    Only rules whose body opens at the end of a line are rewritten."""
    out = []
    for line in src.split("\n"):
        stripped = line.rstrip()
        head_line = stripped and not line[0].isspace() and not stripped.startswith(("#", "package", "import", "default"))
        if head_line and stripped.endswith("{") and not stripped.startswith("}"):
            head = stripped[:-1].rstrip()
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$", head)
            if m and not head.endswith(" if"):
                out.append(f"{m.group(1)} contains {m.group(2)} if {{")
                continue
            if not head.endswith(" if") and not head.endswith(":=") and not head.endswith("="):
                out.append(head + " if {")
                continue
        if stripped.startswith("}") and "else" in stripped and stripped.endswith("{") and not stripped.endswith("if {"):
            out.append(stripped[:-1].rstrip() + " if {")
            continue
        out.append(line)
    return "\n".join(out)


def real_world():
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "policies", "**", "*.rego"), recursive=True)):
        rel = os.path.relpath(p, ROOT)
        with open(p) as f:
            out.append((f"real/{rel}", rel, f.read()))
    picks = sorted(glob.glob(os.path.join(GATEKEEPER, "*", "*", "src.rego")))
    # A few tests too: large nested object literals.
    picks += [os.path.join(GATEKEEPER, "general", d, "src_test.rego")
              for d in ["uniqueserviceselector", "storageclass", "verifydeprecatedapi", "requiredprobes"]]
    for p in picks:
        rel = os.path.relpath(p, GATEKEEPER)
        with open(p) as f:
            out.append((f"real/gatekeeper/{rel}", rel, v1_syntax(f.read())))
    return out


def exact_loads(text):
    return json.loads(text, parse_float=decimal.Decimal)


def floats_exact(v):
    if isinstance(v, decimal.Decimal):
        return decimal.Decimal(repr(float(v))) == v
    if isinstance(v, list):
        return all(floats_exact(x) for x in v)
    if isinstance(v, dict):
        return all(floats_exact(x) for x in v.values())
    return True


def plain(v):
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def exact_dumps(v):
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, list):
        return "[" + ",".join(exact_dumps(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + exact_dumps(x) for k, x in sorted(v.items())) + "}"
    return json.dumps(v, ensure_ascii=False)


def call(o, file, src):
    p = o.lib.OpaEvalQuery(o.h, b'x := rego.parse_module(input.f, input.s)',
                           json.dumps({"f": file, "s": src}).encode(), 0, 0)
    text = ctypes.string_at(p).decode()
    o.lib.OpaFreeString(p)
    r = exact_loads(text)
    if "error" in r:
        msg = r["error"]["message"]
        code = "eval_builtin_error: "
        if code in msg:
            return {"error": msg.split(code, 1)[1]}
        code = "eval_type_error: "
        if code in msg:
            return {"error": msg.split(code, 1)[1], "code": "eval_type_error"}
        return {"error": msg, "unexpected": True}
    x = r["result"][0]["bindings"]["x"]
    if floats_exact(x):
        return {"value": plain(x)}
    return {"value_text": exact_dumps(x)}


def build(o):
    cases = []
    for construct, src in CONSTRUCTS + ERRORS:
        cases.append((construct, "x.rego", src))
    for construct, rel, src in real_world():
        got = call(o, rel, src)
        if "error" in got:
            print(f"skipped (OPA does not parse the v1 rewrite): {rel}: {got['error'][:120]}", file=sys.stderr)
            continue
        cases.append((construct, rel, src))
    # Operand types.
    out = []
    for construct, file, src in cases:
        out.append({"construct": construct, "args": [{"json": file}, {"json": src}], "expect": call(o, file, src)})
    for construct, f, s in [("args/filename-number", 1, "package a"), ("args/source-null", "x.rego", None),
                            ("args/source-array", "x.rego", ["package a"])]:
        out.append({"construct": construct, "args": [{"json": f}, {"json": s}], "expect": call(o, f, s)})
    return out


def dump(cases):
    lines = [json.dumps(c, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for c in cases]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def main():
    if not os.path.exists(LIB):
        print(f"oracle library absent: {LIB}", file=sys.stderr)
        return 2
    o = Oracle()
    if "--explore" in sys.argv:
        import yaml
        i = sys.argv.index("--explore")
        root, out_path = sys.argv[i + 1], sys.argv[i + 2]
        seen, out = set(), []
        for p in sorted(glob.glob(os.path.join(root, "**", "*.yaml"), recursive=True)):
            if "/v0/" in p:
                continue
            with open(p) as f:
                doc = yaml.safe_load(f)
            for case in (doc or {}).get("cases", []):
                for k, m in enumerate(case.get("modules") or []):
                    if m in seen:
                        continue
                    seen.add(m)
                    rel = os.path.relpath(p, root)
                    out.append({"construct": f"explore/{rel}#{k}", "args": [{"json": "x.rego"}, {"json": m}],
                                "expect": call(o, "x.rego", m)})
        with open(out_path, "w") as f:
            f.write(dump(out))
        print(f"explore: {len(out)} modules -> {out_path}")
        return 0
    if "--check" in sys.argv:
        # Re-ask OPA about the stored cases (the real-world sources are
        # stored in the corpus, so the check needs no other files).
        with open(OUT) as f:
            stored = json.load(f)
        drift = [c["construct"] for c in stored
                 if exact_loads(json.dumps(c["expect"])) != exact_loads(json.dumps(
                     call(o, c["args"][0]["json"], c["args"][1]["json"])))]
        if drift:
            print(f"parse_module: golden corpus differs from OPA: {drift}", file=sys.stderr)
            return 1
        return 0
    out = build(o)
    text = dump(out)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"parse_module: {len(out)} cases ({sum('error' in c['expect'] for c in out)} errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
