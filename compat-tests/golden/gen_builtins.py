#!/usr/bin/env python3
"""Generate (or --check) the builtin golden corpora from OPA v1.20.2.

Loads compat-tests/oracle/lib/libopabridge.so (OPA's evaluator from the
opa-golib-python-bindings wheel) through ctypes, evaluates
`x := <name>(<args>)` for every case below and writes
compat-tests/golden/<family>.json: a list of
  {"name", "args": [<arg>], "expect": {"value": <json>, "type": <type>}
                                    | {"undefined": true}
                                    | {"error": <message>}}
An <arg> is {"json": v} (passed through `input`, so OPA sees it only at
run time, like a Wasm host does) or {"set": [v...]} (a set built with
cast_set). Seeded random cases use a fixed seed, so the corpus is stable.

Usage: gen_builtins.py [--check] [FAMILY...]  (default: every family)
"""
import ctypes, json, os, random, sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "..", "oracle", "lib", "libopabridge.so")


class Oracle:
    def __init__(self):
        self.lib = ctypes.CDLL(LIB)
        self.lib.OpaNew.restype = ctypes.c_uint64
        self.lib.OpaEvalQuery.restype = ctypes.c_void_p
        self.lib.OpaEvalQuery.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        self.lib.OpaFreeString.argtypes = [ctypes.c_void_p]
        self.h = self.lib.OpaNew()

    def query(self, q, inp):
        p = self.lib.OpaEvalQuery(self.h, q.encode(), json.dumps(inp).encode(), 0, 0)
        s = ctypes.string_at(p).decode()
        self.lib.OpaFreeString(p)
        return json.loads(s)

    def call(self, name, args):
        exprs = []
        for i, a in enumerate(args):
            if "set" in a:
                exprs.append(f"cast_set(input.args[{i}])")
            else:
                exprs.append(f"input.args[{i}]")
        inp = {"args": [a.get("json", a.get("set")) for a in args]}
        q = f"x := {name}({', '.join(exprs)}); t := type_name(x)"
        r = self.query(q, inp)
        if "error" in r:
            msg = r["error"]["message"]
            for code in ("eval_builtin_error: ", "eval_type_error: "):
                if code in msg:
                    return {"error": msg.split(code, 1)[1]}
            return {"error": msg, "unexpected": True}
        rs = r["result"]
        if not rs:
            return {"undefined": True}
        b = rs[0]["bindings"]
        if _too_big(b["x"]):
            # Beyond f64: kept as text (the replay needs exact numbers).
            return {"value_text": json.dumps(b["x"]), "type": b["t"]}
        return {"value": b["x"], "type": b["t"]}


def _too_big(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return abs(v) > 1e300
    if isinstance(v, list):
        return any(_too_big(x) for x in v)
    if isinstance(v, dict):
        return any(_too_big(x) for x in v.values())
    return False



def yaml_documents():
    """YAML texts for yaml.unmarshal / yaml.is_valid: YAML 1.1 resolution
    (plain vs quoted), tags, block and flow styles, anchors and merge keys,
    multi-documents, tabs, unicode, non-string keys, limits and errors."""
    docs = ["a: 1", "a: [1, 2]", "- x\n- y", "a: b: c", "", "{", "a: yes", "1.5", "x: 0x10",
            "a: !!str 1", "~", "[1, 2", "a:\n  b: 1\n  c: [x]"]
    # YAML 1.1 plain scalars, and the same text quoted.
    plains = ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
              "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "yEs", "tRue", "~", "null", "Null", "NULL",
              "nULL", "0", "-0", "+1", "017", "08", "0o17", "0O17", "0x1F", "0X1f", "-0x1F", "+0x10", "0b101",
              "0B11", "-0b11", "1_000", "0_1", "1__2", "0x", "0b", "0b2", "1.5", "-.5", ".5", "1.", "1e3", "1E+3",
              "1e-7", "6.02e23", "1e400", "-1e400", "1e-400", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "._5",
              "190:20:30", "1:20", "-1:20", "1:60", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
              "2001-12-14 21:59:43.10", "2002-1-2", "2002-13-40", "20021214", "9223372036854775807",
              "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
              "18446744073709551616", "99999999999999999999999", "0xFFFFFFFFFFFFFFFFFF", "<<", "x y", "é"]
    docs.append("\n".join(f"k{i}: {p}" for i, p in enumerate(plains)))
    docs.append("[" + ", ".join(f"'{p}'" for p in plains) + "]")
    for p in ["yes", "off", "~", "", "0x1F", "1e3", ".inf", ".nan", "2001-12-14", "190:20:30", "<<", "-.inf"]:
        docs.append(f"a: {p}")
        docs.append(f'a: "{p}"')
    docs.append("a: |\n  yes\nb: >-\n  0x10\n")
    # Tags.
    for t in ["!!str 1", "!!str yes", "!!int \"3\"", "!!int 0x10", "!!int 1.5", "!!int abc", "!!int 2001-12-14",
              "!!float 1", "!!float \"2.5\"", "!!float .inf", "!!float abc", "!!float 18446744073709551615",
              "!!bool yes", "!!bool \"true\"", "!!bool 1", "!!null ~", "!!null \"\"", "!!null x",
              "!!timestamp 2001-12-14", "!!timestamp x", "!!binary aGVsbG8=", "!!binary aGk", "!!binary 4oI=",
              "!!binary /w==", "!!binary 4oKsYQ==", "!!binary \"aGk=\"", "!!binary a Gk=", "!!binary |\n  aGVs\n  bG8=\n",
              "!!merge <<", "!!int <<", "! 3", "! yes", "!foo bar", "!foo 3", "!<tag:yaml.org,2002:int> 3",
              "!<!bar> x", "!e!x y", "!!str", "!!null", "!!map {a: 1}", "!!seq [1]", "!!str [1]", "!!set {a, b}"]:
        docs.append(f"a: {t}")
    docs += ["%TAG !e! tag:example.com,2000:\n---\na: !e!foo bar\n",
             "%TAG !! tag:example.com,2000:\n---\na: !!int 3\n",
             "%YAML 1.1\n---\na: 1\n", "%YAML 1.2\n---\na: 1\n", "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
             "%FOO bar\n--- a\n", "%TAG !e! x\n%TAG !e! y\n--- a\n"]
    # Block and flow styles, nesting, comments.
    docs += ["a: |\n  line1\n  line2\n\n  line4\nb: >\n  folded\n  text\n\n  para\nc: |+\n  keep\n\n\nd: |-\n  strip\n",
             "a: >-\n   more indented\n  less\n", "a: |2\n   two\n  one\n", "a: |0\n x", "a: |x",
             "\"multi\n  line\n\n  quoted\"", "'single\n\n  folded'", "plain\n  multi\n\n  line",
             "a: \"\\u00e9\\x41\\U0001F600\\N\\_\\L\\P\\t\\0\"", "a: \"\\q\"", "a: \"\\xZZ\"",
             "a: \"\\uD800\"", "a: \"x\\\n  y\"", "a: 'it''s'", "a: 'x'y", "a: \"x\" y",
             "? - a\n  - b\n: c\n", "? a\n? b\n: c\n", "? |\n  block key\n: v\n", "{a, b: c, ? d}", "[a: 1, b: 2, ? c : d]",
             "a:\n- b\n-   c: 1\n    d: 2\n", "- - - x\n    - y\n  - z\n", "- [a, {b: c}, [d]]\n",
             "a: [1,\n  2,\n 3]\n", "a: {b: 1,\nc: 2}\n", "a: 1 # comment\n# full\nb: 2", "a: b#c", "a: b #c",
             "key with spaces: value with spaces", "a:\n", "a:\nb:\n", "-\n-\n", "- 1\n- 2\n-", "? \n: ",
             "{a: 1, a: 2}", "a: 1\na: 2", "[,]", "{,}", "[a,,b]", "[a]: b", "[]: x", "{}: x", "[[]]: x",
             "a: [b]: c", "'a': 'b': c", "a: - b", "a: ? b", "- a: b\n  - c", "- a\n - b", "a: b\n c: d",
             "a:\n  b: c\n d: e", "a: 1\n b", "a: [1, 2]]", "a: {b: 1", "a: 'x", "a: \"x", "a: @x", "a: `x",
             "a: 'x\n...\ny'", "a: \"x\n---\ny\"", "..."]
    # Anchors, aliases, merge keys.
    docs += ["a: &x 1\nb: *x", "base: &base\n  a: 1\n  b: 2\nderived:\n  <<: *base\n  b: 3\n",
             "x: &a [1, 2]\ny: *a\nz: [*a, *a]\n", "- &a {x: 1}\n- &b {q: 2}\n- <<: [*a, *b]\n  z: 3\n",
             "<<: [{a: 1}, {a: 2, b: 2}]\n", "a: 1\n<<: {a: 2}", "<<: {a: 2}\na: 1", "\"<<\": {a: 2}",
             "<<: 1", "<<: [1]", "- &s x\n- <<: *s", "a: *x", "a: &x [*x]", "a: &x\n  b: *x\n", "a: *b\nb: &b 1",
             "a: &b 1\na: &b 2\nc: *b", "a: &x\nb: *x", "&a a: *a", "*a: 1", "a: &a.b 1", "&x [*x]",
             "a: &a [1]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]"]
    laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    for p, c in zip("bcdefghi", "abcdefgh"):
        laughs += f"{p}: &{p} [*{c},*{c},*{c},*{c},*{c},*{c},*{c},*{c},*{c}]\n"
    docs.append(laughs)
    # Documents.
    docs += ["a: 1\n---\nb: 2", "---\na: 1\n...\n---\nb: 2\n", "a: 1\n---\n[", "---\n", "# only a comment",
             "--- |\n  text\n", "--- !!str\n", "---\n- a\n...\n", "a: x\n---\n", "--- a\n--- b"]
    # Tabs.
    docs += ["\ta: 1", "a:\tb", "a: \tb", "a: b\t# c", "-\tx", "- \tx", "a:\n\t- 1", "a:\n  b: 1\n\tc: 2",
             "[\t1,\t2]", "{a:\t1}", "a: |\n\tx", "a: |\n  x\n\ty", "a: 'x\n\ty'", "a: x\n\t y", "? a\n:\tb",
             "- a\n-\tb", "key: value\n\tother: x", "a: 1\n\t", "a: b\n*v\n\tc", "a: b\n*v\nc"]
    # Unicode, line breaks, byte-order marks, control characters.
    docs += ["x: \"é中😀\"", "é: 中", "\ufeffa: 1", "\ufeff\ufeffa: 1\nb: 2", "\ufeffa: 1\n\ufeffb: 2",
             "a: 1\r\nb: 2\r\n", "a: 1\rb: 2", "a: x\u2028y", "a: \"\u0085\"", "\u0001", "a: \"\u0007\"",
             "a: 1\n" * 120 + "b: \u0007"]
    # Keys that are not strings; NaN and infinities. (Not keys that become
    # the same string, like `1` and `1.0`: which one wins depends on Go's
    # map order.)
    docs += ["1: a\n2.5: b\ntrue: c\nno: d", "0.1: a\n1e20: b\n1e5: c\n1.5e-7: d\n123456789: e\n3.14159265358979: f",
             ".inf: a\n-.inf: b\n.nan: c", "0x10: a\n017: b", "2001-12-14: d", "~: d", "null: a\nb: 1",
             "18446744073709551615: a", "[1, 2]: x", "{a: 1}: x", "? {a: 1}\n: b", "[1.5, 1000000.0, 1e21, 1.0, 1e-5]: x",
             "[~, 18446744073709551615, 'q', yes]: x", "~: [1, {a: ~}]", "a: .nan", "a: .inf", "a: [-.inf]", "b: 1\na: .nan\nc: .inf"]
    # Kubernetes manifests.
    docs += ["apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\n  labels:\n    app: web\n    tier: \"frontend\"\n"
             "spec:\n  containers:\n  - name: nginx\n    image: nginx:1.14.2\n    ports:\n    - containerPort: 80\n"
             "    env:\n    - name: DEBUG\n      value: \"true\"\n    - name: ENABLED\n      value: yes\n",
             "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    note: |\n      multi\n      line\n"
             "spec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
             "    spec:\n      containers:\n      - name: web\n        image: \"web:1.0\"\n        resources:\n"
             "          limits: {cpu: 500m, memory: 128Mi}\n        args: [\"--port\", \"8080\", --verbose]\n---\nkind: Service\n",
             "apiVersion: v1\nkind: ConfigMap\ndata:\n  enabled: \"on\"\n  count: \"3\"\n  raw: off\n  version: 1.10\n"]
    # Limits: nesting beyond go-yaml's 10,000 levels, long simple keys.
    docs += ["[" * 10001, "- " * 10001 + "x", "k" * 1025 + ": v", "k" * 1000 + ": v", "[" + "k" * 1100 + ": v]"]
    return list(dict.fromkeys(docs))

D4 = "http://json-schema.org/draft-04/schema#"
D6 = "http://json-schema.org/draft-06/schema#"
D7 = "http://json-schema.org/draft-07/schema#"


def schema_match_cases():
    """json.match_schema: every keyword failing and passing, field paths,
    several errors at once (only where gojsonschema's order is fixed: it
    walks Go maps for properties, so one failing key per object), drafts,
    $ref, invalid schemas, string operands."""
    cs = []
    kw = [
        ({"type": "integer"}, ["1", "1.0", "1.5", "\"a\"", "null", "true", "[]", "{}"]),
        ({"type": "number"}, ["1", "2.5", "\"a\"", "false"]),
        ({"type": ["string", "null"]}, ["\"a\"", "null", "1", "[1]"]),
        ({"type": "boolean"}, ["true", "0"]),
        ({"type": "null"}, ["null", "{}"]),
        ({"type": "array"}, ["[]", "{}"]),
        ({"enum": [1, "a", None, {"b": [1.50]}, [1, 2]]}, ["1", "1.0", "\"a\"", "\"b\"", "{\"b\":[1.5]}", "[2,1]", "null"]),
        ({"enum": []}, ["1"]),
        ({"enum": ["<a&b>"]}, ["\"x\""]),
        ({"const": 1e2}, ["100", "100.0", "1"]),
        ({"const": {"a": [1, 2.5, "x"]}}, ["{\"a\":[1,2.5,\"x\"]}", "{\"a\":[]}"]),
        ({"const": None}, ["null", "0"]),
        ({"minimum": 10.25}, ["10.25", "10", "-3"]),
        ({"maximum": 1e30}, ["1e31", "5"]),
        ({"maximum": 0.000001}, ["1"]),
        ({"minimum": 12345678.5}, ["1"]),
        ({"minimum": 1000000}, ["1"]),
        ({"minimum": 100000}, ["1"]),
        ({"maximum": -1e-5}, ["1"]),
        ({"maximum": 0.0001}, ["1"]),
        ({"exclusiveMinimum": 10}, ["10", "11"]),
        ({"exclusiveMaximum": 1}, ["1", "0.5"]),
        ({"multipleOf": 0.1}, ["5.5", "5.55"]),
        ({"multipleOf": 3}, ["9", "10", "9.0"]),
        ({"multipleOf": 1e-7}, ["5", "0.00000015"]),
        ({"multipleOf": 2, "maximum": 1, "minimum": 10}, ["5.5"]),
        ({"exclusiveMinimum": 10, "exclusiveMaximum": 1}, ["5"]),
        ({"minLength": 3}, ["\"ab\"", "\"abc\"", "\"éé\"", "5"]),
        ({"maxLength": 2}, ["\"abc\"", "\"ab\""]),
        ({"minLength": 5, "pattern": "^x"}, ["\"abc\"", "\"xabcd\""]),
        ({"pattern": "[0-9]+"}, ["\"abc\"", "\"a1\"", "12"]),
        ({"format": "date-time"}, ["\"abc\"", "\"2020-01-01T00:00:00Z\"", "5"]),
        ({"format": "email"}, ["\"abc\"", "\"a@b.com\""]),
        ({"format": "ipv4"}, ["\"1.2.3\"", "\"1.2.3.4\""]),
        ({"format": "ipv6"}, ["\"::1\"", "\"1.2.3.4\""]),
        ({"format": "date"}, ["\"2020-13-01\"", "\"2020-01-31\""]),
        ({"format": "uuid"}, ["\"x\"", "\"123e4567-e89b-12d3-a456-426614174000\""]),
        ({"format": "no-such-format"}, ["\"x\""]),
        ({"minItems": 2}, ["[1]", "[1,2]"]),
        ({"maxItems": 0}, ["[1]", "[]"]),
        ({"uniqueItems": True}, ["[1,1]", "[1,1,1]", "[1,1.0]", "[{\"a\":1},{\"a\":1}]", "[1,2]"]),
        ({"uniqueItems": True, "minItems": 10}, ["[1,1,{\"a\":1},{\"a\":1}]"]),
        ({"items": {"type": "integer"}}, ["[1,\"x\",2,\"y\"]", "[1,2]"]),
        ({"items": [{"type": "integer"}, {"type": "string"}]}, ["[1,2]", "[\"a\"]", "[1,\"a\",true]"]),
        ({"items": [{"type": "integer"}], "additionalItems": False}, ["[1,2,3]", "[1]"]),
        ({"items": [{"type": "integer"}], "additionalItems": {"type": "integer"}}, ["[1,\"a\"]", "[1,2]"]),
        ({"contains": {"type": "string"}}, ["[1]", "[1,\"a\"]", "[]"]),
        ({"contains": {"minimum": 5, "type": "integer"}}, ["[\"a\",1]", "[1,\"a\"]"]),
        ({"maxItems": 0, "contains": {"type": "string"}}, ["[1]"]),
        ({"minProperties": 1, "required": ["a", "b"]}, ["{}", "{\"a\":1,\"b\":2}"]),
        ({"maxProperties": 1}, ["{\"a\":1,\"b\":2}"]),
        ({"required": ["id"], "properties": {"id": {"type": "integer"}}}, ["{\"id\":\"foo\"}", "{}", "{\"id\":5}"]),
        ({"additionalProperties": False, "properties": {"a": {}}}, ["{\"a\":1,\"b\":2}", "{\"a\":1}"]),
        ({"additionalProperties": {"type": "string"}}, ["{\"a\":1}", "{\"a\":\"x\"}"]),
        ({"patternProperties": {"^a": {"type": "string"}}}, ["{\"ab\":1}", "{\"ba\":1}"]),
        ({"patternProperties": {"^a": {"type": "string"}}, "additionalProperties": False}, ["{\"ab\":\"x\",\"b\":1}"]),
        ({"propertyNames": {"maxLength": 1}}, ["{\"ab\":1}", "{\"a\":1}"]),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, ["{\"A\":1}"]),
        ({"dependencies": {"a": ["b", "c"]}}, ["{\"a\":1}", "{\"a\":1,\"b\":1,\"c\":1}", "{\"b\":1}"]),
        ({"dependencies": {"a": {"required": ["z"]}}}, ["{\"a\":1}", "{\"a\":1,\"z\":1}"]),
        ({"anyOf": [{"type": "string"}, {"type": "boolean"}]}, ["1", "true"]),
        ({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 5}]}, ["1", "\"a\"", "true"]),
        ({"anyOf": [{"type": "object", "required": ["a"]}, {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string"}}}]}, ["{\"a\":1}", "{}"]),
        ({"oneOf": [{"type": "string"}, {"type": "boolean", "minimum": 1}]}, ["1"]),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, ["1", "-1", "1.5"]),
        ({"allOf": [{"type": "string"}, {"maximum": 0}]}, ["1", "-1"]),
        ({"allOf": [{"minimum": 0}, {"maximum": 10}]}, ["5", "20"]),
        ({"not": {"type": "integer"}}, ["1", "\"a\""]),
        ({"not": {"type": "integer", "minimum": 3}}, ["5", "1"]),
        ({"if": {"type": "integer"}, "then": {"maximum": 0}}, ["1", "-1", "\"x\""]),
        ({"if": {"type": "integer"}, "else": {"minLength": 3}}, ["\"x\"", "\"xyz\"", "5"]),
        ({"if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}, "else": {"required": ["y"]}}, ["{\"k\":\"a\"}", "{\"k\":\"b\"}"]),
        ({"properties": {"a": False}}, ["{\"a\":1}", "{}"]),
        ({"items": False}, ["[1]", "[]"]),
        # nesting: field paths
        ({"properties": {"a": {"properties": {"b": {"items": {"type": "integer"}}}}}}, ["{\"a\":{\"b\":[1,\"x\"]}}"]),
        ({"properties": {"a": {"required": ["q"], "properties": {"b": {"enum": [1]}}}}}, ["{\"a\":{\"b\":2}}"]),
        ({"items": {"properties": {"n": {"type": "string"}}, "required": ["n"]}}, ["[{\"n\":1},{},{\"n\":\"x\"}]"]),
        ({"properties": {"a.b": {"type": "string"}}}, ["{\"a.b\":1}"]),
        ({"properties": {"a": {"const": 5}}}, ["{\"a\":4}"]),
        ({"properties": {"a": {"items": {"enum": ["x"]}}}}, ["{\"a\":[\"y\"]}"]),
        # several errors at once
        ({"type": "object", "minProperties": 3, "required": ["a"], "additionalProperties": False, "not": {}}, ["{\"b\":1}"]),
        ({"type": "string", "minLength": 5, "pattern": "^a", "enum": ["abcdef"], "format": "email"}, ["\"b\""]),
        ({"anyOf": [{"minimum": 5}], "allOf": [{"maximum": 0}], "not": {"type": "integer"}, "multipleOf": 2}, ["3"]),
        # drafts
        ({"$schema": D4, "minimum": 10, "exclusiveMinimum": True, "maximum": 1, "exclusiveMaximum": True}, ["5", "10"]),
        ({"$schema": D4, "const": 1, "contains": {"type": "string"}}, ["2", "[1]"]),
        ({"$schema": D4, "exclusiveMinimum": 10}, ["5"]),
        ({"$schema": D6, "exclusiveMinimum": 10, "const": 1}, ["5"]),
        ({"$schema": D6, "if": {"type": "integer"}, "then": {"maximum": 0}}, ["5"]),
        ({"$schema": D7, "if": {"type": "integer"}, "then": {"maximum": 0}}, ["5"]),
        ({"$schema": D7, "exclusiveMaximum": True}, ["5"]),
        ({"$schema": D6, "properties": {"a": True, "b": False}}, ["{\"a\":1,\"b\":1}"]),
        ({"$schema": D4, "properties": {"a": True}}, ["{\"a\":1}"]),
        ({"minimum": 10, "exclusiveMinimum": True}, ["10"]),
        ({"maximum": 10, "exclusiveMaximum": False}, ["10", "11"]),
        # $ref
        ({"definitions": {"pos": {"type": "integer", "minimum": 1}}, "properties": {"n": {"$ref": "#/definitions/pos"}}}, ["{\"n\":0}", "{\"n\":\"x\"}", "{\"n\":3}"]),
        ({"definitions": {"node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}, "v": {"type": "integer"}}}}, "$ref": "#/definitions/node"}, ["{\"next\":{\"next\":{\"v\":\"x\"}}}"]),
        ({"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}, "required": ["name"]}, ["{\"name\":1,\"kids\":[{}]}"]),
        ({"$ref": "#/definitions/a", "type": "string", "definitions": {"a": {"type": "integer"}}}, ["\"x\"", "1"]),
        ({"definitions": {"a~b": {"type": "integer"}, "c/d": {"type": "string"}}, "items": [{"$ref": "#/definitions/a~0b"}, {"$ref": "#/definitions/c~1d"}]}, ["[\"x\",1]"]),
        ({"items": [{"type": "integer"}], "properties": {"x": {"$ref": "#/items/0"}}}, ["{\"x\":\"s\"}"]),
    ]
    for sch, docs in kw:
        for d in docs:
            cs.append((d, sch))
    # Documents as objects / arrays, schemas as strings.
    cs += [
        ({"id": "foo"}, {"properties": {"id": {"type": "integer"}}}),
        ({"id": 5}, "{\"properties\": {\"id\": {\"type\": \"integer\"}}}"),
        ([1, "a"], {"items": {"type": "integer"}}),
        ([1, 2], "{\"items\": {\"type\": \"integer\"}}"),
        ("{\"a\": 1", {"type": "object"}),
        ({"a": 1}, "{\"type\": "),
        ("1", "true"),
        ("1", "false"),
        ({"a": 1}, "false"),
        ("1", "[1]"),
        ("1", "5"),
        ("1", [1]),
        (5, {"type": "integer"}),
        (True, {"type": "integer"}),
        (None, {"type": "integer"}),
        ({"a": 1}, 5),
        ({"a": 1}, None),
        ("\"x\"", "{\"type\": \"integer\"}"),
        ({"a": {"b": 1.5}}, {"properties": {"a": {"properties": {"b": {"type": "integer"}}}}}),
    ]
    # Invalid schemas (match_schema raises the loader's message).
    for sch in schema_verify_cases():
        if isinstance(sch, dict) and sch not in ({"type": "object"},):
            cs.append(("1", sch))
    return cs


def schema_verify_cases():
    """json.verify_schema: valid schemas and every schema-loading error."""
    return [
        {"type": "object"}, {"type": ["string", "null"]}, {}, {"$schema": D4}, {"$schema": D7, "if": True},
        {"type": "unknown"}, {"type": "unknown_type"}, {"type": ["string", "string"]}, {"type": ["string", 5]},
        {"type": 5}, {"properties": {"a": 5}}, {"properties": 5}, {"properties": {"a": {"type": "x"}}},
        {"$ref": "#/definitions/x"}, {"$ref": "#/definitions/x", "definitions": {}},
        {"$ref": "#/items/5", "items": [{}]}, {"$ref": "#/x~2"}, {"$ref": "other.json"}, {"$ref": 5},
        {"$ref": "#/definitions/a", "definitions": {"a": {"type": "integer"}}},
        {"$ref": "#/definitions/a", "definitions": {"a": 5}}, {"definitions": {"a": 5}}, {"definitions": 5},
        {"definitions": {"a": {"minimum": "x"}}},
        {"multipleOf": 0}, {"multipleOf": -1}, {"multipleOf": "x"}, {"minimum": "x"}, {"maximum": "x"},
        {"minLength": -1}, {"minLength": 1.5}, {"minLength": "a"}, {"maxLength": -2}, {"maxItems": "a"},
        {"minItems": -1}, {"minLength": 5, "maxLength": 1}, {"minProperties": 3, "maxProperties": 1},
        {"minProperties": "a"}, {"maxProperties": -1},
        {"required": [1]}, {"required": ["a", "a"]}, {"required": "a"}, {"uniqueItems": 1},
        {"enum": [1, 1]}, {"enum": [1, 1.0]}, {"enum": 5}, {"anyOf": 5}, {"anyOf": [5]}, {"oneOf": {}},
        {"allOf": [{"type": 1}]}, {"not": 5}, {"not": {"type": "nope"}}, {"if": 5}, {"then": 5}, {"else": "x"},
        {"items": 5}, {"items": [5]}, {"items": {"type": "q"}}, {"additionalItems": 5},
        {"additionalProperties": 5}, {"additionalProperties": {"type": "q"}},
        {"patternProperties": {"([": {}}}, {"patternProperties": 5}, {"patternProperties": {"^a": 5}},
        {"propertyNames": 5}, {"dependencies": {"a": [1]}}, {"dependencies": {"a": 5}}, {"dependencies": 5},
        {"dependencies": {"a": {"type": "q"}}},
        {"exclusiveMinimum": "x"}, {"exclusiveMinimum": True}, {"exclusiveMaximum": False},
        {"$schema": D4, "exclusiveMinimum": 5}, {"$schema": D4, "minimum": 1, "exclusiveMinimum": 5},
        {"$schema": D6, "exclusiveMinimum": True}, {"$schema": D7, "exclusiveMaximum": "x"},
        {"$schema": D4, "properties": {"a": True}}, {"$schema": D6, "properties": {"a": True}},
        {"$schema": D6, "if": 5}, {"$schema": D4, "contains": 5}, {"$schema": 5},
        {"$schema": "http://example.com/x"}, {"$schema": "https://json-schema.org/draft-04/schema"},
        {"title": 5}, {"description": []}, {"format": 5}, {"pattern": 5}, {"pattern": "(["}, {"pattern": "^[a-z]+$"},
        {"$id": 5}, {"id": 5}, {"$schema": D4, "$id": 5}, {"contains": 5}, {"contains": {"type": "q"}},
        {"const": {"a": 1}}, {"minimum": 1.5, "maximum": 1e300},
        [1], "[1]", "5", "true", "false", "{\"type\": \"object\"}", "{\"type\": 5}", "{", 1, None,
    ]


def J(*vals):
    return [{"json": v} for v in vals]


def S(vals):
    return {"set": vals}


def globs_cases():
    """regex.globs_match (glob-intersection semantics): hand-picked edge
    cases, then seeded random globs. Its own RNG, so the other families'
    random cases do not move."""
    g = []
    for a, b in [
        ("", ""), ("", "a"), ("a", ""), ("", "a*"), ("a*", ""), (".*", ""), ("", ".+"),
        ("a*", "b*"), ("a+b", "ab"), ("a+b", "[ab]*"), ("a.*", "a"), ("a*a", "a"), ("aa*", "a"),
        ("a+a+", "a"), ("a+a*", "a"), ("a*a+", "aa"), ("a.a.", ".b.b"), ("[a-z]+", "[0-9]*"),
        ("[^a]", "a"), ("[^a]", "^"), ("[]", "a"), ("[]", "."), ("[]", "[]"), ("[]*", ""), ("[]*x", "x"),
        ("a?", "a"), ("a?", "a?"), ("(a)", "a"), ("(a)", "(a)"), ("a|b", "a"), ("a{2}", "aa"),
        ("\\d", "1"), ("\\d", "d"), ("\\.", "."), ("\\.", "a"), ("\\*", "*"), ("\\*", "\\*"),
        ("\\*", "a*"), ("\\+", "+"), ("\\\\", "\\\\"), ("\\[", "["), ("\\]", "\\]"),
        ("[a-c]", "b"), ("[a-c]", "d"), ("[a-c]", "[c-e]"), ("[a-c]", "[d-f]"), ("[a-c]+", "[d-f]*"),
        ("[a\\-c]", "-"), ("[a\\-c]", "b"), ("[\\]]", "]"), ("[.]", "a"), ("[.]", "."), ("[*]", "*"),
        ("[a-]", "a"), ("[a-", "a"), ("[-a]", "a"), ("[a-b-c]", "a"), ("[a--]", "a"), ("[a-\\-]", "a"),
        ("[c-a]", "b"), ("[a-\\]]", "]"), ("[", "a"), ("]", "a"), ("a]", "a"), ("[[]", "["),
        ("**", "a"), ("+", "a"), ("a++", "a"), ("a**", "a"), ("a*+", "a"), ("\\", "a"), ("a\\", "a"),
        ("[\\", "a"), ("a", "\\"), ("a", "**"), ("+", "*"), ("é", "é"), ("é+", "éé"), ("[à-ï]", "é"),
        ("[à-ï]*", "[a-z]*"), ("🙂.", ".🙂"), ("[🙂-🙃]", "🙃"), ("😀*", "\\😀"), ("\u0000", "."), ("\u0000*", "\u0000"), ("\\u0000", "u0000"),
        (".", "[]"), (".+", "a+b+c+"), (".*", ".*"), (".*a", "b*"), (".*a", "b*a"), ("a.*b", "a.*c"),
        ("a.*b.*c", "abc"), ("a.*b.*c", "a.c"), ("a*b*c*", "abc"), ("a*b*c*", "cba"), ("x*y", "x*y*"),
        ("[ab]*", "a*b*"), ("[ab]+a", "b+[ab]"), (".+.+", "a"), ("a+", "a+a+a+"), ("aaa", "a+"),
        ("a" * 60, "a*"), ("a" * 60, "a+" + "a" * 59), ("ab" * 40, "[ab]*"), ("ab" * 40 + "c", "[ab]*"),
        ("a*" * 200, "a"), ("a*" * 200, "b"), ("[ab]*a*" * 8, "ab" * 8), ("a*[ab]*" * 8, "ba" * 8 + "a"), (".*" * 100, "x"),
    ]:
        g.append(("regex.globs_match", J(a, b)))
    for a, b in [(1, "a"), ("a", None), ([], {}), ("*", 1)]:
        g.append(("regex.globs_match", J(a, b)))
    rnd = random.Random(7_0301)
    atoms = ["a", "b", "c", ".", "[ab]", "[a-c]", "[b]", "[bc]", "[]", "\\.", "\\*", "é", "[^a]",
             "[a\\-]", "[.]", "^", "?"]
    flags = ["", "", "", "*", "+"]

    def glob():
        return "".join(rnd.choice(atoms) + rnd.choice(flags) for _ in range(rnd.randint(0, 6)))

    def word(gl):
        # A string the glob (read as a regex) matches, written as a glob.
        out = []
        i = 0
        while i < len(gl):
            if gl[i] == "\\":
                out.append(gl[i:i + 2])
                i += 2
                continue
            if gl[i] == "[":
                j = gl.index("]", i)
                body = gl[i + 1:j].replace("\\-", "-")
                c = "a" if body == "^a" else (body[0] if body else "z")
                out.append("\\" + c if c in ".*+[]\\-" else c)
                i = j + 1
                continue
            if gl[i] in "*+":
                i += 1
                continue
            out.append("x" if gl[i] == "." else gl[i])
            i += 1
        return "".join(out)

    for _ in range(260):
        g.append(("regex.globs_match", J(glob(), glob())))
    for _ in range(120):
        a = glob()
        g.append(("regex.globs_match", J(a, word(a)) if rnd.random() < 0.5 else J(word(a), a)))
    raw = ["a", "b", ".", "*", "+", "[ab]", "[a-c]", "\\", "(", ")", "?", "^", "-", "[", "]", "é"]
    for _ in range(160):
        a = "".join(rnd.choice(raw) for _ in range(rnd.randint(0, 6)))
        b = "".join(rnd.choice(raw) for _ in range(rnd.randint(0, 6)))
        g.append(("regex.globs_match", J(a, b)))
    return g


def cases():
    rnd = random.Random(20261127)
    fam = {}
    odd_strings = ["", "é", "🙂", "a b", "\"q\"", "\\", "\u0000x", "%zz", "  ", "x" * 200]

    # ---- time
    t = []
    for layout, value in [
        ("2006-01-02", "2020-13-01"), ("2006-01-02", "2020-02-29"), ("2006-01-02", "2021-02-29"),
        ("2006-01-02 15:04:05", "2020-02-03 1:00:00"), ("Jan _2 2006", "feb  3 2020"),
        ("2006 002", "2020 060"), ("2006-01-02", "2020-01-02junk"), ("15:04:05", "10:00:00.123"),
        ("", ""), ("2006 MST", "2020 GMT+3"), ("2006 -07", "2020 +05"), ("RFC3339", "x"),
        ("RFC3339", "2020-01-01T00:00:00.5+01:00"), ("RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"),
        ("2006-01-02T15:04:05Z07:00", "2020-01-01T00:00:00+25:00"), ("2006", "9999"),
        ("2006", "\"xé"), ("Monday, 02-Jan-06 3:04PM", "Tuesday, 03-Mar-20 4:05AM"),
        ("01/02/2006 .000", "03/04/2020 .123"), ("01/02/2006 .000", "03/04/2020 .12"),
        ("2006-01-02T15:04:05.999999999", "2020-01-01T00:00:00.123456789123"),
        ("Jan 2", "Feb 30"), ("__2 2006", "366 2020"), ("__2 2006", "366 2021"),
    ]:
        t.append(("time.parse_ns", J(layout, value)))
    for v in ["2020-01-01T00:00:00Z", "2020-01-01t00:00:00Z", "2020-01-01T24:00:00Z",
              "2262-04-12T00:00:00Z", "1677-09-21T00:12:44Z", "2020-01-01T00:00:00.123456789123+01:00",
              "2020-01-01T00:00:00+01:00x", "", "2020-02-30T00:00:00Z", 1]:
        t.append(("time.parse_rfc3339_ns", J(v)))
    for v in ["1.5h", "1", "0", "-1m30s", "9999999999h", "1x", "", "1µs", "1μs", ".5s", "5.s",
              "1h2m3s4ms5us6ns", "-", "+3s", "2562047h", "2562048h", "1.0000000000000000001s"]:
        t.append(("time.parse_duration_ns", J(v)))
    ns_vals = [0, -1, 1.5, 1e18, 1000000000000000000, 1700000000123456789, -9000000000000000000, "x"]
    tzs = ["", "UTC", "Local", "Europe/Berlin", "America/St_Johns", "Asia/Dubai", "Asia/Kolkata",
           "Australia/Lord_Howe", "Foo/Bar", "../etc", "America/New_York"]
    layouts = ["Mon Jan 2 15:04:05.999999999 -0700 -07 -07:00:00 -070000 Z07 Z0700 PM pm 3 03 1 01 4 5 06 2006 ,000 ,999 .9",
               "Z07:00:00 -07:00 MST Januaryx Janet Monx Mondays", "ANSIC", "UnixDate", "RubyDate",
               "RFC822", "RFC822Z", "RFC850", "RFC1123", "RFC1123Z", "RFC3339", "RFC3339Nano", "Kitchen",
               "__2 002 _2 2 Jan January", ""]
    for ns in ns_vals:
        for fn in ["time.format", "time.date", "time.clock", "time.weekday"]:
            t.append((fn, J(ns)))
    for _ in range(60):
        ns = rnd.randint(-9000000000000000000, 9000000000000000000)
        tz = rnd.choice(tzs)
        lay = rnd.choice(layouts)
        t.append(("time.format", J([ns, tz, lay])))
        t.append((rnd.choice(["time.date", "time.clock", "time.weekday"]), J([ns, tz])))
    for args in [[0, 0, 1, 31], [1580000000000000000, -1, -14, 400], [0, 300, 0, 0], [1.5, 0, 0, 0],
                 [0, 0, 0, 1.5], [1700000000000000000, 1, 1, 1], [-1, 0, 0, -1], ["x", 0, 0, 0]]:
        t.append(("time.add_date", J(*args)))
    for a, b in [(0, 1e18), (1e18, 0), ([0, "Europe/Berlin"], [1000000000000000000, "Asia/Tokyo"]),
                 (1709251200000000000, 1711929600000000000), (0, 0), (1.5, 0), ("x", 0)]:
        t.append(("time.diff", J(a, b)))
    for _ in range(30):
        a = rnd.randint(-5000000000000000000, 5000000000000000000)
        b = rnd.randint(-5000000000000000000, 5000000000000000000)
        t.append(("time.diff", J(a, b)))
    # Far-future daylight saving (chrono-tz's tables end with 2099; Go keeps
    # applying the zone's rule): summer and winter instants, and add_date
    # across the year 2100.
    for zone in ["Europe/Berlin", "America/New_York", "America/St_Johns", "Australia/Sydney", "Asia/Tokyo"]:
        for secs in [4102444800 + 86400 * 180, 4102444800 + 86400 * 10, 5680281600 + 86400 * 200, 7258118400 + 86400 * 90,
                     4133980799, 4099766400 + 86400 * 87]:
            t.append(("time.clock", J([secs * 10**9, zone])))
            t.append(("time.date", J([secs * 10**9, zone])))
        t.append(("time.format", J([(5680281600 + 86400 * 200) * 10**9, zone, "2006-01-02T15:04:05 MST -0700"])))
    for ns, y, m, d in [(4099766400 * 10**9, 1, 6, 3), (4099766400 * 10**9, 150, 0, 0), (7258118400 * 10**9, -1, -1, -1)]:
        t.append(("time.add_date", J(ns, y, m, d)))
    fam["time"] = t

    # ---- units
    u = []
    for s in ["1m", "1M", "1Mi", "1mi", "1.5K", "1k", "1Ki", "1ki", "", "K", "1 K", "\"1K\"", "-1.5G",
              "1e3", "1E", "1Ei", "1000Ei", "1x", ".5", "5.", "0.1m", "1/3", "0x10", "+3", "1_000",
              "0.00000000001", "123.123456789012345", "0.00000000005", "-0.00000000005", "1e-5m",
              "1e1234567", "e5", "1.2.3", "1KB", "1éX", "-", ".", "٣", "1MI", "1e400", "12345678901234567890123"]:
        u.append(("units.parse", J(s)))
    for s in ["0.3kb", "1.1kb", "-1.9", "1000eib", "1x", "", "1.2.3", "12345678901234567890123",
              "1e400", "0.1e1kb", "1KIB", "1 kb", "٣", "1e1234567", "5MB", "5mib", "1.5gb", "2TiB",
              "1pb", "1PiB", "0.5", "\"10KB\"", "10 KB", "kb"]:
        u.append(("units.parse_bytes", J(s)))
    for _ in range(40):
        n = rnd.choice([str(rnd.randint(0, 10**6)), f"{rnd.random()*1000:.{rnd.randint(0,6)}f}"])
        unit = rnd.choice(["", "k", "K", "m", "M", "Mi", "mi", "G", "gi", "T", "ti", "P", "pi", "E", "ei", "Ki"])
        u.append(("units.parse", J(n + unit)))
        u.append(("units.parse_bytes", J(n + unit.lower() + rnd.choice(["", "b"]))))
    fam["units"] = u

    # ---- semver
    sv = []
    versions = ["01.1.1", "1.1.1-01", "v1.1.1", "1.1", "1.1.1-", "1.1.1+", "1.1.1.1", "-1.1.1", " 1.1.1",
                "vv1.1.1", "1.1.1-a..b", "1.1.1-é", "1.1.1+a+b", "1.1.1-a-b", "1.1.1-+a", "1.0.0-alpha.1",
                "1.0.0-alpha.beta", "1.0.0", "1.0.0-1", "1.0.0-a", "10.0.0", "9.0.0", "1.0.0-B",
                "9223372036854775808.0.0", "1.0.0-01", "1.0.0+build.1", 1, None]
    for v in versions:
        sv.append(("semver.is_valid", J(v)))
    valid = [v for v in versions if isinstance(v, str)]
    for _ in range(60):
        sv.append(("semver.compare", J(rnd.choice(valid), rnd.choice(valid))))
    fam["semver"] = sv

    # ---- encoding
    e = []
    for s in odd_strings + ["hello", "6869", "6g", "686", "68z", "É", "ff00"]:
        e.append(("hex.encode", J(s)))
        e.append(("hex.decode", J(s)))
        e.append(("base64url.encode_no_pad", J(s)))
        e.append(("urlquery.encode", J(s)))
        e.append(("urlquery.decode", J(s)))
    for s in ["a=1&b=2&a=3&&c", "a=1;b=2", "a=%zz", "%20=%20", "a+b=c+d", "", "=", "a=b=c"]:
        e.append(("urlquery.decode_object", J(s)))
    for o in [{"a": "1", "b": ["x", "y z"]}, {"é": "&"}, {}, {"a": 1}, {"a": [1]}, {"a": []}]:
        e.append(("urlquery.encode_object", J(o)))
    e.append(("urlquery.encode_object", [{"json": {"a": ["z", "y"]}}]))
    fam["encoding"] = e

    # ---- crypto
    c = []
    for s in odd_strings + ["abc"]:
        for fn in ["crypto.md5", "crypto.sha1", "crypto.sha256"]:
            c.append((fn, J(s)))
        for fn in ["crypto.hmac.md5", "crypto.hmac.sha1", "crypto.hmac.sha256", "crypto.hmac.sha512"]:
            c.append((fn, J(s, "key" * rnd.randint(0, 60))))
        c.append(("crypto.hmac.equal", J(s, s)))
        c.append(("crypto.hmac.equal", J(s, s + "x")))
    fam["crypto"] = c

    # ---- regex / strings
    r = []
    pats = ["(", "a)", "[a", "a**", "*", "\\q", "[z-a]", "x{2,1}", "a\\", "(?P<>a)", "(?z)", "a*", "",
            "\\d", "\\w+", "\\s", "\\bfoo\\b", "[\\d]", "(?i)AB", "\\Qa.b\\E", "é+", "(a)(b)?", "^", "$"]
    subjects = ["", "abc", "baaac", "a1b٣c", "foo bar foobar", "a.b a.b", "AbaB", "ééx", "aaaa"]
    for p in pats:
        for s in rnd.sample(subjects, 3):
            r.append(("regex.split", J(p, s)))
            r.append(("regex.find_n", J(p, s, rnd.choice([-1, 0, 1, 2]))))
            r.append(("regex.replace", J(s, p, rnd.choice(["-", "[$1]", "${1}x", "$$", "$x", "$"]))))
    for tpl, s, a, b in [("urn:foo:{.*}", "urn:foo:bar:baz", "{", "}"), ("urn:foo:{.*", "urn:foo:bar", "{", "}"),
                         ("urn:foo:{.*}", "x", "{{", "}"), ("urn:foo:{.*}", "x", "{", "}}"),
                         ("a<[0-9]+>b", "a12b", "<", ">"), ("a<[0-9]+>b", "axb", "<", ">"),
                         ("{(}", "x", "{", "}"), ("{a}.{b}", "a.b", "{", "}"), ("", "", "{", "}")]:
        r.append(("regex.template_match", J(tpl, s, a, b)))
    for s in odd_strings + ["a,b*?[]{}\\"]:
        r.append(("glob.quote_meta", J(s)))
        r.append(("strings.reverse", J(s)))
    for s, sub in [("aaa", ""), ("ééé", ""), ("aaaa", "aa"), ("abcabc", "bc"), ("", ""), ("", "a")]:
        r.append(("strings.count", J(s, sub)))
        r.append(("indexof_n", J(s, sub)))
    r.extend(globs_cases())
    fam["regex"] = r

    # ---- json / yaml / object
    j = []
    docs = [{"a": "<&>", "b": [1, {"c": []}]}, {"a": 1}, [], {}, "x", 1.5, None, [1, [2, [3]]],
            {"z": 1, "a": {"é": "\u2028"}}]
    for d in docs:
        for o in [{"pretty": True}, {"indent": "\t", "prefix": "P"}, {"prefix": "P"}, {}, {"x": 1},
                  {"pretty": False, "indent": "  "}, {"indent": "--"}]:
            j.append(("json.marshal_with_options", J(d, o)))
    for s in ["{", "{}", "[1,2", "1", "\"x\"", "", "nul", "{\"a\":1,\"a\":2}", 5]:
        j.append(("json.is_valid", J(s)))
    for sup, sub in [([1, 2, 3], [1, 3]), ([1, 2, 3], [2, 3]), ({"a": [1, 2, 3]}, {"a": [1, 2]}),
                     ([1, 2, 1, 2, 3], [1, 2, 3]), ({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}}),
                     ({"a": 1}, {"a": 2}), ({"a": 1}, {}), ([], []), (1, 1), ({"a": 1}, [1])]:
        j.append(("object.subset", J(sup, sub)))
    j.append(("object.subset", [S([1, 2]), {"json": [1]}]))
    j.append(("object.subset", [S([1, 2]), S([2])]))
    for arr in [[{"a": 1}, {"a": {"b": 2}}], [{"a": {"b": 2}}, {"a": 4}, {"a": {"c": 3}}], [], [1], [{"a": 1}, "x"]]:
        j.append(("object.union_n", J(arr)))
    for tgt, ops in [
        ({"a": 1}, [{"op": "add", "path": "/b", "value": 2}]),
        ({"a": 1}, [{"op": "remove", "path": "/b"}]),
        ({"a": [1]}, [{"op": "add", "path": "/a/-", "value": 2}]),
        ({"a": [1]}, [{"op": "add", "path": "/a/0", "value": 0}]),
        ({"a": [1]}, [{"op": "bogus", "path": "/a"}]),
        ({"a": [1]}, [{"op": "test", "path": "/a", "value": [1]}]),
        ({"a": [1]}, [{"path": "/a"}]),
        ({"a": [1]}, [{"op": "add"}]),
        ({"a": {"b": 1}}, [{"op": "move", "from": "/a/b", "path": "/c"}]),
        ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}]),
        ({"a": {"b": 1}}, [{"op": "replace", "path": "/a/b", "value": 5}]),
        ({"a": {"b": 1}}, [{"op": "replace", "path": "", "value": 5}]),
        ({"a~b": 1, "c/d": 2}, [{"op": "remove", "path": "/a~0b"}, {"op": "remove", "path": "/c~1d"}]),
        ({"a": [1, 2]}, [{"op": "remove", "path": ["a", 1]}]),
        ([1, 2], [{"op": "remove", "path": "/0"}]),
        ({"a": 1}, [1]),
    ]:
        j.append(("json.patch", J(tgt, ops)))
    for d, sch in [({"a": 1}, {"type": "object"}), ("{\"a\": 1}", "{\"type\": \"object\"}"),
                   ({"a": 1}, {"type": "array"}), ({"a": 1}, "{"), (1, {"type": "object"})]:
        j.append(("json.match_schema", J(d, sch)))
    for sch in [{"type": "object"}, "{\"type\": \"object\"}", "{", {"type": 5}, 1]:
        j.append(("json.verify_schema", J(sch)))
    for d, sch in schema_match_cases():
        j.append(("json.match_schema", J(d, sch)))
    for sch in schema_verify_cases():
        j.append(("json.verify_schema", J(sch)))
    ystrings = ["yes", "1", "", "null", "a: b", "x\ny", "- x", "é", "~", "0x1", "1e3", "#c", "  lead",
                "trail ", "it's", "\"q\"", "@a", "`b", "on", "Y", "1.0", ".inf", "2020-01-01", "a #b",
                "%x", "!x", "*x", "&x", "{x", "[x", "|", ">", "?", ":", "-", "a\tb", "1:20", "0o17", "017",
                "x\n", "x\n\n", "\nx", " x\ny", "word " * 30, "'" + "long " * 25, "1_000"]
    j.append(("yaml.marshal", J({"a": ystrings, "b": {"c": 1.5, "d": True, "e": None, "f": {}, "g": []},
                                 "n": 12345678901234567890, "z": [[1, 2], {"k": "v", "l": [1]}],
                                 "f": [1234567.5, 0.000012, 1e21, 100.25, 1e100]})))
    for s in ystrings:
        j.append(("yaml.marshal", J({s: s})))
    for s in yaml_documents():
        j.append(("yaml.unmarshal", J(s)))
        j.append(("yaml.is_valid", J(s)))
    fam["json"] = j

    # ---- net
    n = []
    for arr in [["10.0.0.1"], ["192.168.1.5", "192.168.1.0/24"], ["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"],
                ["::1"], ["x"], ["2001:db8::/33", "2001:db8:8000::/33", "10.0.0.0/8"], ["10.0.0.1/24"],
                ["224.0.0.1"], ["1.2.3.4/32", "1.2.3.5/32"], [], ["0.0.0.0/0", "::/0"], ["::ffff:1.2.3.4/128"],
                ["10.0.0.0/8", "10.0.0.0/8"], ["1.2.3.0/24", "1.2.4.0/24"], ["1.2.3.4/32", "1.2.3.6/32"], [1]]:
        n.append(("net.cidr_merge", J(arr)))
    for _ in range(20):
        arr = []
        for _ in range(rnd.randint(1, 6)):
            arr.append(f"10.{rnd.randint(0, 3)}.{rnd.randint(0, 255)}.0/{rnd.choice([22, 23, 24, 25])}")
        n.append(("net.cidr_merge", J(arr)))
    for s in ["10.0.0.1/30", "::/126", "x", "10.0.0.0/33", "10.0.0.0/32", "2001:db8::1/127", "010.0.0.0/30",
              "10.0.0.0/+8", "10.0.0.0/", "fe80::1%eth0/128", "::ffff:10.0.0.0/126"]:
        n.append(("net.cidr_expand", J(s)))
        n.append(("net.cidr_is_valid", J(s)))
    for a, b in [(["10.0.0.0/8", ["192.168.0.0/16", "x"]], {"a": "10.1.1.1", "b": ["192.168.1.1"]}),
                 ("10.0.0.0/8", "x"), ([[]], "x"), ("10.0.0.0/8", "10.0.0.0/16"), ("10.0.0.0/16", "10.0.0.0/8"),
                 ("x", "10.0.0.1"), ("2001:db8::/32", ["2001:db8::1", "::1"]), ("0.0.0.0/0", "::ffff:1.2.3.4")]:
        n.append(("net.cidr_contains_matches", J(a, b)))
    nets = ["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8", "0.0.0.0/0", "::/0", "::ffff:10.0.0.0/104",
            "::ffff:0.0.0.0/80", "::ffff:0.0.0.0/96", "fd00::/8", "fd00:1::/32", "2001:db8::/127", "10.0.0.1/32",
            "10.0.0.0", "x", "", "10.0.0.0/33"]
    addrs = ["10.0.0.1", "10.1.2.3", "11.0.0.1", "::1", "::ffff:10.0.0.1", "fd00:1::5", "0.0.0.0", "x", "10.0.0.0/24"]
    for a in nets:
        for b in nets:
            n.append(("net.cidr_intersects", J(a, b)))
        for b in addrs + nets[:6]:
            n.append(("net.cidr_contains", J(a, b)))
    for a, b in [(1, "10.0.0.0/8"), ("10.0.0.0/8", None), (["10.0.0.0/8"], "10.0.0.1")]:
        n.append(("net.cidr_intersects", J(a, b)))
        n.append(("net.cidr_contains", J(a, b)))
    fam["net"] = n

    # ---- misc
    m = []
    for s in ["6ba7b810-9dad-11d1-80b4-00c04fd430c8", "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
              "urn:uuid:6ba7b810-9dad-41d1-80b4-00c04fd430c8", "6ba7b8109dad41d180b400c04fd430c8",
              "00000000-0000-0000-0000-000000000000", "6ba7b810-9dad-31d1-c0b4-01c04fd430c8",
              "6ba7b810-9dad-21d1-e0b4-03c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430c", "x",
              "6ba7b810x9dad-11d1-80b4-00c04fd430c8", "URN:UUID:6ba7b810-9dad-41d1-80b4-00c04fd430c8"]:
        m.append(("uuid.parse", J(s)))
    for s in ["https://user:pw@Host.com:8080/p%20a/th?q=1&r=a+b#frag", "mailto:a@b", "::", "", "/rel?x",
              "http://[::1]:80/", "http://a/b%2Fc", "http://a:x/", "http://[::1/", "a b", "/x#%zz",
              "HTTP://A/?", "//host/p", "1http://x", "http://a/%zz"]:
        m.append(("uri.parse", J(s)))
        m.append(("uri.is_valid", J(s)))
    for x in [[1, 2], {"a": 1}, "x", 1, None, True]:
        m.append(("cast_array", J(x)))
        m.append(("cast_set", J(x)))
        m.append(("cast_string", J(x)))
        m.append(("cast_boolean", J(x)))
        m.append(("cast_null", J(x)))
        m.append(("cast_object", J(x)))
    m.append(("cast_array", [S([3, 1, 2])]))
    for g, init in [({"a": ["b"], "b": ["c"], "c": []}, ["a"]), ({"a": ["b"], "b": ["a"]}, ["a"]),
                    ({"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}, ["a"]),
                    ({"a": ["b", "c"], "b": [], "c": []}, ["a", "b", "x"]), ({"a": "b"}, ["a"]),
                    ({"a": ["a"]}, ["a"]), ({}, []), ({"a": ["b"]}, "a")]:
        m.append(("graph.reachable_paths", J(g, init)))
    for x, c in [(1, [1]), (1, {"a": 1}), ("a", {"a": 1}), (1, "1"), (None, [None])]:
        m.append(("internal.member_2", J(x, c)))
    for k, v, c in [(0, 1, [1]), ("a", 1, {"a": 1}), (1, 1, [1]), (0.0, 1, [1]), ("0", 1, [1])]:
        m.append(("internal.member_3", J(k, v, c)))
    for a in [[1, 2, 3], [], "x"]:
        m.append(("array.reverse", J(a)))
    for o in [{"a": 1, "b": 2}, {}, "x"]:
        m.append(("object.keys", J(o)))
    for args in [[1, 10, 3], [10, 1, 3], [1, 10, 0], [1.5, 10, 3], [1, 1, 1], [-5, 5, 5], [0, 0, -1]]:
        m.append(("numbers.range_step", J(*args)))
    m.append(("opa.runtime", []))
    for a, b in [("abc", ["a", "x"]), ("abc", ["x"]), ("abc", []), ("", [""]), ("abc", "ab"), (["abc", "xyz"], ["x"]),
                 (["abc"], ["c"]), ("héllo", ["hé"]), ("abc", [1]), (1, ["a"]), ("abc", ["bc"]), ("abc", "c")]:
        m.append(("strings.any_prefix_match", J(a, b)))
        m.append(("strings.any_suffix_match", J(a, b)))
    m.append(("strings.any_prefix_match", [{"set": ["x", "ab"]}, {"set": ["a"]}]))
    m.append(("strings.any_suffix_match", [{"set": ["x", "ab"]}, {"set": ["b"]}]))
    for a, sep, n in [("a,b,c", ",", 2), ("a,b,c", ",", -1), ("a,b,c", ",", 0), ("a,b,c", ",", 10), ("abc", "", 2),
                      ("", ",", 3), ("a,b", ",", 1.5), ("a,b", 1, 2), ("ä,ö,ü", ",", 2), ("a,,b", ",", 3)]:
        m.append(("strings.split_n", J(a, sep, n)))
    for seed, n in [("a", 0), ("a", 1), ("b", -1), ("a", 1.5), ("a", "x"), (1, 5)]:
        m.append(("rand.intn", J(seed, n)))
    for t in ["hi", "", 1]:
        m.append(("trace", J(t)))
    for req in [{"method": "get", "url": "https://examplebucket.s3.amazonaws.com/test.txt", "headers": {"range": "bytes=0-9"}},
                {"method": "PUT", "url": "https://example.com/a?b=1&a=2", "body": "hello"},
                {"method": "post", "url": "https://example.com/", "body": {"x": 1}}]:
        for creds in [{"aws_access_key": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                       "aws_service": "s3", "aws_region": "us-east-1"},
                      {"aws_access_key": "AKID", "aws_secret_access_key": "s", "aws_service": "execute-api", "aws_region": "eu-west-1",
                       "aws_session_token": "tok"},
                      {"aws_access_key": "AKID", "aws_region": "eu-west-1"}]:
            m.append(("providers.aws.sign_req", J(req, creds, 1369353600000000000)))
    m.append(("providers.aws.sign_req", J({"url": "https://x"}, {}, 0)))
    fam["misc"] = m
    return fam


def main():
    check = "--check" in sys.argv
    if not os.path.exists(LIB):
        print(f"oracle library absent: {LIB}", file=sys.stderr)
        return 2
    o = Oracle()
    drift = 0
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    for family, cs in cases().items():
        if only and family not in only:
            continue
        out = [{"name": name, "args": args, "expect": o.call(name, args)} for name, args in cs]
        drift += write_or_check(family, out, len(out), check)
    return 1 if drift else 0


def write_or_check(family, out, count, check, text=None):
    """Write compat-tests/golden/<family>.json (`text`, or `out` as
    indented JSON), or with `check` compare the stored corpus with `out`.
    Returns 1 when the stored corpus differs from OPA's answers, else 0."""
    path = os.path.join(HERE, f"{family}.json")
    if check:
        with open(path) as f:
            old = json.load(f)
        if old != out:
            print(f"{family}: golden corpus differs from OPA", file=sys.stderr)
            return 1
        return 0
    with open(path, "w") as f:
        if text is None:
            json.dump(out, f, indent=1, ensure_ascii=False, sort_keys=True)
            f.write("\n")
        else:
            f.write(text)
    print(f"{family}: {count} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
