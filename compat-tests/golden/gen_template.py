#!/usr/bin/env python3
"""Generate (or --check) compat-tests/golden/template.json from OPA v1.20.2.

Uses the oracle of gen_builtins.py (imported from it). Every case is
`strings.render_template(template, vars)`; the corpus entries have the
shape of the other corpora ({"name", "args", "expect"}), with each arg as
exact text so numbers keep their literal form (OPA prints `1.0` and
`1e+100` as written):
  {"json_text": "..."}  passed through `input` (JSON), or
  {"rego_text": "..."}  a Rego literal in the query (vars holding sets).
The cases are hand-picked (each text/template feature, each error class,
OPA's conversion of vars) plus seeded random compositions of template
fragments over random vars.

Usage: gen_template.py [--check]
"""
import ctypes, json, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_builtins import LIB, Oracle, write_or_check  # noqa: E402

NAME = "strings.render_template"


class Rego(str):
    """Vars given as a Rego literal (may contain sets)."""


class Raw(str):
    """Vars given as exact JSON text."""


def arg_text(v):
    if isinstance(v, (Rego, Raw)):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def run(o, template, vars_):
    t_text = json.dumps(template, ensure_ascii=False)
    v_text = arg_text(vars_)
    if isinstance(vars_, Rego):
        q = f"x := {NAME}(input.t, {v_text}); t := type_name(x)"
        inp = '{"t": %s}' % t_text
        args = [{"json_text": t_text}, {"rego_text": v_text}]
    else:
        q = f"x := {NAME}(input.t, input.v); t := type_name(x)"
        inp = '{"t": %s, "v": %s}' % (t_text, v_text)
        args = [{"json_text": t_text}, {"json_text": v_text}]
    p = o.lib.OpaEvalQuery(o.h, q.encode(), inp.encode(), 0, 0)
    s = ctypes.string_at(p).decode()
    o.lib.OpaFreeString(p)
    r = json.loads(s)
    if "error" in r:
        msg = r["error"]["message"]
        for code in ("eval_builtin_error: ", "eval_type_error: "):
            if code in msg:
                return args, {"error": msg.split(code, 1)[1]}
        return args, {"error": msg, "unexpected": True}
    rs = r["result"]
    if not rs:
        return args, {"undefined": True}
    b = rs[0]["bindings"]
    return args, {"value": b["x"], "type": b["t"]}


# ---------------------------------------------------------------- hand-picked

DATA = {
    "a": 1, "f": 1.5, "big": 12345678901234567890123, "e": 1e100, "neg": -7, "zero": 0,
    "s": "héllo <b>&'\"", "empty": "", "t": True, "no": False, "nil": None,
    "l": [1, "two", None, True, {"k": "v"}, [3, 4]], "el": [], "em": {},
    "m": {"b": 2, "a": 1, "z": {"deep": ["x", "y"]}, "n": None},
    "names": ["alice", "bob", "carol"], "u": "\u00e9\U0001F600<>&'=\u2028\u00ad",
}

HAND = [
    # text, comments, trimming
    ("", {}), ("plain text", {}), ("a {{/* comment */}} b", {}), ("a {{- /* c */ -}} b", {}),
    ("x  {{- .a -}}  y", DATA), ("x\n\t {{- .a}}", DATA), ("{{.a -}}\n\n z", DATA),
    ("{{- 3}}", {}), ("{{3 -}}", {}), ("{{-3}}", {}), ("a{{- \n .a \n -}}b", DATA),
    ("{{/* a\nb */}}{{.a}}", DATA), ("{{/*x*/ }}", {}), ("{{ /* x */}}", {}),
    ("{{/* unclosed", {}), ("line1\nline2\n{{/*\n\n*/}}{{end}}", {}),
    # fields and dot
    ("{{.}}", DATA), ("{{.a}} {{.f}} {{.big}} {{.e}} {{.neg}} {{.zero}}", DATA),
    ("{{.s}}|{{.empty}}|{{.t}}|{{.no}}|{{.nil}}", DATA), ("{{.l}}|{{.el}}|{{.em}}", DATA),
    ("{{.m}}", DATA), ("{{.m.z.deep}}", DATA), ("{{.m.missing}}", DATA), ("{{.missing}}", DATA),
    ("{{.missing.deeper}}", DATA), ("{{.a.b}}", DATA), ("{{.nil.b}}", DATA), ("{{.m.n.x}}", DATA),
    ("{{.l.x}}", DATA), ("{{.s.x}}", DATA), ("{{.a 1}}", DATA), ("{{.missing 1}}", DATA),
    ("{{.a.String}}", DATA), ("{{.é}}", {"é": "unicode key"}), ("{{.a_b1}}", {"a_b1": 2}),
    ("{{.u}}", DATA), ("<no value>{{.x}}", {}), ("{{\"<no value>\"}}", {}),
    ("{{index . \"a-b\"}}", {"a-b": 1}), ("{{$}}|{{$.a}}", DATA), ("{{$.m.b}}", DATA),
    # numbers and literals
    ("{{1}} {{-1}} {{+5}} {{1.5}} {{.5}} {{1e3}} {{1E-2}} {{0x1F}} {{0o17}} {{017}} {{0b101}}", {}),
    ("{{1_000}} {{0x_1F}} {{1i}} {{1+2i}} {{2.5e-1i}} {{'a'}} {{'\\n'}} {{'é'}} {{'\\x41'}} {{'\\u00e9'}}", {}),
    ("{{0x1p4}} {{0x1.8p1}} {{1.0}} {{-0}} {{-0.0}} {{1e-400}}", {}),
    ("{{true}} {{false}} {{\"str\"}} {{`raw\\n`}} {{\"esc\\t\\x41\\u00e9\\101\"}}", {}),
    ("{{nil}}", {}), ("{{08}}", {}), ("{{99999999999999999999}}", {}), ("{{18446744073709551615}}", {}),
    ("{{1e500}}", {}), ("{{0x1G}}", {}), ("{{1.2.3}}", {}), ("{{'ab'}}", {}), ("{{''}}", {}),
    ("{{'\\q'}}", {}), ("{{\"\\q\"}}", {}), ("{{\"abc}}", {}), ("{{'a}}", {}), ("{{`abc}}", {}),
    ("{{\"\\xff\"}}", {}), ("{{printf \"%q\" \"\\xff\"}}", {}), ("{{1+2}}", {}), ("{{0x}}", {}),
    ("{{\"a\".b}}", {}), ("{{1.x}}", {}), ("{{true.x}}", {}), ("{{nil.x}}", {}), ("{{..a}}", {}),
    # variables
    ("{{$x := 1}}{{$x}}", {}), ("{{$x := .a}}{{$x = 2}}{{$x}}", DATA), ("{{$x}}", {}),
    ("{{$y = 2}}", {}), ("{{$x := 1}}{{$x := 2}}{{$x}}", {}), ("{{if 1}}{{$x := 1}}{{end}}{{$x}}", {}),
    ("{{$x := .m}}{{$x.b}} {{$x.z.deep}}", DATA), ("{{$x := .a}}{{$x.y}}", DATA),
    ("{{$x := 1}}{{$x 2}}", {}), ("{{$ := 5}}{{$}}", {}), ("{{$x := 1}}{{if true}}{{$x = 3}}{{end}}{{$x}}", {}),
    ("{{with $x := .m}}{{$x.b}}{{end}}", DATA), ("{{$a, $b := 1}}", {}), ("{{$x := 1 | print}}{{$x}}", {}),
    # pipelines
    ("{{.a | print}}", DATA), ("{{\"a\" | print | print \"b\" | html}}", {}), ("{{1 | printf \"%d %d\" 2}}", {}),
    ("{{.a | 1}}", DATA), ("{{.l | len}}", DATA), ("{{.l | len 1}}", DATA), ("{{. | len}}", DATA),
    ("{{(1)}} {{(print 1 2)}} {{(.m).b}} {{print (.m).b}}", DATA), ("{{(1).x}}", {}), ("{{(print 1).x}}", {}),
    ("{{(.m.z).deep}}", DATA), ("{{(1) 2}}", {}), ("{{1 2}}", {}), ("{{. 2}}", DATA), ("{{\"a\" 1}}", {}),
    ("{{(}}", {}), ("{{)}}", {}), ("{{(1}}", {}), ("{{.a)}}", DATA), ("{{ .a $ }}", DATA), ("{{#}}", {}),
    ("{{é}}", {}), ("{{.a!}}", DATA), ("{{ | }}", {}), ("{{}}", {}), ("{{ }}", {}), ("{{.a | }}", DATA),
    ("{{:}}", {}), ("{{\x01}}", {}), ("{{.a\n}}", DATA), ("a{{.x\n\n", {}), ("{{.a", DATA), ("{{.a}", DATA),
    ("{{foo}}", {}), ("{{print}}", {}), ("{{len}}", {}), ("{{print len}}", {}), ("{{index}}", {}),
    # if / else / with
    ("{{if .t}}yes{{end}}", DATA), ("{{if .no}}yes{{else}}no{{end}}", DATA),
    ("{{if .missing}}y{{else if .a}}a{{else}}n{{end}}", DATA),
    ("{{if .el}}1{{else if .em}}2{{else if .empty}}3{{else if .zero}}4{{else}}5{{end}}", DATA),
    ("{{if .nil}}1{{else}}0{{end}}{{if .l}}L{{end}}{{if .m}}M{{end}}{{if 0.0}}F{{end}}{{if 0i}}C{{end}}", DATA),
    ("{{with .m}}{{.b}}{{end}}|{{with .missing}}x{{else}}none{{end}}", DATA),
    ("{{with .missing}}x{{else with .m}}{{.b}}{{end}}", DATA), ("{{with .a}}{{.}}{{else if .b}}z{{end}}", DATA),
    ("{{if .a}}x", DATA), ("{{if .a}}x{{else}}y{{else}}z{{end}}", DATA), ("{{end}}", {}), ("{{else}}", {}),
    ("a\nb\n{{if .a}}\nx", DATA), ("{{if}}{{end}}", {}), ("{{with}}{{end}}", {}), ("{{if .a}}{{end x}}", DATA),
    ("{{if .a}}{{else x}}{{end}}", DATA), ("{{if and .a (not .no)}}yes{{end}}", DATA),
    ("{{if eq .s \"x\"}}a{{else if eq .a 1}}b{{end}}", DATA),
    # range
    ("{{range .names}}<{{.}}>{{end}}", DATA), ("{{range $i, $n := .names}}{{$i}}:{{$n}} {{end}}", DATA),
    ("{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", DATA), ("{{range .m}}{{.}};{{end}}", DATA),
    ("{{range .el}}x{{else}}empty{{end}}", DATA), ("{{range .em}}x{{else}}empty{{end}}", DATA),
    ("{{range .missing}}x{{else}}none{{end}}", DATA), ("{{range .nil}}x{{else}}none{{end}}", DATA),
    ("{{range .a}}x{{end}}", DATA), ("{{range .s}}x{{end}}", DATA), ("{{range .t}}x{{end}}", DATA),
    ("{{range 3}}{{.}}{{end}}", {}), ("{{range $i := 3}}{{$i}}{{end}}", {}), ("{{range $i, $e := 3}}{{end}}", {}),
    ("{{range 0}}x{{else}}none{{end}}", {}), ("{{range -2}}x{{else}}neg{{end}}", {}),
    ("{{range (index \"a\" 0 | len)}}{{end}}", {}), ("{{range 1.5}}{{end}}", {}),
    ("{{range .l}}[{{.}}]{{end}}", DATA), ("{{range .l}}{{if not .}}{{continue}}{{end}}{{.}},{{end}}", DATA),
    ("{{range .names}}{{if eq . \"bob\"}}{{break}}{{end}}{{.}}{{end}}", DATA),
    ("{{range .names}}{{if eq . \"bob\"}}{{continue}}{{end}}{{.}}{{end}}", DATA),
    ("{{range $i, $e := .names}}{{range $.names}}{{$i}}{{.}}{{end}}|{{end}}", DATA),
    ("{{$x := 0}}{{range .names}}{{$x = .}}{{end}}{{$x}}", DATA),
    ("{{range $i, $v = .names}}{{end}}", DATA), ("{{$i := 0}}{{$v := 0}}{{range $i, $v = .names}}{{end}}{{$i}}{{$v}}", DATA),
    ("{{$v := 0}}{{range $v = .names}}{{end}}{{$v}}", DATA),
    ("{{range $i, $v, $w := .l}}{{end}}", DATA), ("{{range $i, 1 := .l}}{{end}}", DATA), ("{{range $i, }}{{end}}", DATA),
    ("{{with $x, $y := .l}}{{end}}", DATA), ("{{break}}", {}), ("{{range .l}}{{end}}{{continue}}", DATA),
    ("{{range .l}}{{break 1}}{{end}}", DATA), ("{{range .l}}{{else}}{{break}}{{end}}", DATA),
    ("{{range .l}}{{else if .a}}{{end}}", DATA), ("{{range .l}}{{define \"x\"}}{{end}}{{end}}", DATA),
    ("{{range .names}}{{.}}{{end", DATA), ("{{range .m.z.deep}}{{.}}{{end}}", DATA),
    # define / template / block
    ("{{define \"x\"}}X{{.}}{{end}}{{template \"x\" .a}}", DATA), ("{{define \"x\"}}X{{end}}{{template \"x\"}}", DATA),
    ("{{template \"x\" .m}}{{define \"x\"}}[{{.b}}]{{end}}", DATA), ("{{template \"nope\"}}", {}),
    ("{{define \"x\"}}{{template \"x\" .}}{{end}}{{template \"x\" .}}", {}),
    ("{{define \"r\"}}{{if .}}{{len .}}{{template \"r\" slice . 1}}{{end}}{{end}}{{template \"r\" .names}}", DATA),
    ("{{block \"b\" .a}}B{{.}}{{end}}", DATA), ("{{block \"b\" .}}x{{else}}y{{end}}", {}),
    ("{{define \"b\"}}D{{end}}{{block \"b\" .}}B{{end}}", {}), ("x{{define \"t\"}}{{.}}{{end}}", {}),
    ("{{define \"template\"}}X{{end}}Y", {}), ("{{define \"template\"}}X{{end}}", {}),
    ("{{define \"a\"}}{{end}}{{define \"a\"}}x{{end}}", {}), ("{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}", {}),
    ("{{define \"a\"}}x{{end}}{{define \"a\"}} {{end}}{{template \"a\"}}", {}), ("{{template .a}}", DATA),
    ("{{define x}}{{end}}", {}), ("{{define \"x\" 1}}{{end}}", {}), ("{{define \"x\"}}{{else}}{{end}}", {}),
    ("{{define \"x\"}}", {}), ("{{template \"x\" 1 2}}{{define \"x\"}}{{.}}{{end}}", {}),
    ("{{define \"x\"}}{{$}}{{end}}{{$y := 1}}{{template \"x\" .a}}", DATA), ("{{define \"x\"}}{{$y}}{{end}}", {}),
    ("{{define `q`}}{{.}}{{end}}{{template `q` 5}}", {}), ("{{define \"\\q\"}}{{end}}", {}),
    ("{{define \"x\"}}{{.nope.x}}{{end}}{{template \"x\" .a}}", DATA),
    ("{{define \"x%d\"}}{{.a.b}}{{end}}{{template \"x%d\" .}}", DATA),
    # functions: and / or / not
    ("{{and 1 0 2}}|{{or 0 \"\" .x}}|{{and 1 2}}|{{or 0 3}}|{{and .missing 1}}", {}), ("{{and}}", {}),
    ("{{or}}", {}), ("{{and 1 .x | not}}|{{0 | or 0}}|{{1 | and 1}}", {}), ("{{not .el}}|{{not 0}}|{{not .x}}", DATA),
    ("{{not}}", {}), ("{{not 1 2}}", {}), ("{{or .nil .l}}", DATA),
    # len / index / slice
    ("{{len .names}} {{len .m}} {{len .s}} {{len .a}} {{len .em}}", DATA), ("{{len .x}}", {}),
    ("{{len .nil}}", DATA), ("{{len 3}}", {}), ("{{len .t}}", DATA), ("{{len nil}}", {}),
    ("{{index .names 1}} {{index .m \"b\"}} {{index .m \"z\" \"deep\" 1}} {{index .s 0}} {{index .a 0}}", DATA),
    ("{{index .names 3}}", DATA), ("{{index .names 5}}", DATA), ("{{index .names -1}}", DATA),
    ("{{index .names 1.5}}", DATA), ("{{index .names \"a\"}}", DATA), ("{{index .names .a}}", DATA),
    ("{{index .m 1}}", DATA), ("{{index .m .a}}", DATA), ("{{index .m \"zz\"}}", DATA), ("{{index .m nil}}", DATA),
    ("{{index .m .x}}", DATA), ("{{index .s 20}}", DATA), ("{{index .t 0}}", DATA), ("{{index .z 0}}", DATA),
    ("{{index .m \"n\" \"x\"}}", DATA), ("{{index .names nil}}", DATA), ("{{index .names (index \"a\" 0)}}", DATA),
    ("{{index .}}", DATA), ("{{index nil}}", {}), ("{{index 1}}", {}), ("{{index .l 4 \"k\"}}", DATA),
    ("{{slice .names 1}} {{slice .names 1 2}} {{slice .names 0 1 2}} {{slice .s 1 3}} {{slice .names}}", DATA),
    ("{{slice .names 2 1}}", DATA), ("{{slice .names 0 4}}", DATA), ("{{slice .names 0 5}}", DATA),
    ("{{slice .names 0 1 4}}", DATA), ("{{slice .names 0 2 1}}", DATA), ("{{slice .names 0 0 0 0}}", DATA),
    ("{{slice .s 0 0 0}}", DATA), ("{{slice .el 0 1}}", DATA), ("{{slice .s 1 2}}", DATA), ("{{slice .a 0 1}}", DATA),
    ("{{slice .m 0}}", DATA), ("{{slice nil}}", {}), ("{{slice .x}}", {}), ("{{slice .names \"1\"}}", DATA),
    ("{{printf \"%T %v\" (slice .a 0 1) (slice .a 0 1)}}", DATA), ("{{len (slice .names 0 4)}}", DATA),
    # comparisons
    ("{{eq 1 1}} {{eq 1 2}} {{eq 1 2 1}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 1}}", {}),
    ("{{eq .s .s}} {{eq .a .a}} {{eq .a \"1\"}} {{lt .a .f}} {{lt \"10\" \"9\"}} {{eq .t true}}", DATA),
    ("{{eq .a 1}}", DATA), ("{{lt .a 2}}", DATA), ("{{.a | eq 1}}", DATA), ("{{3 | eq 1 2}}", {}),
    ("{{lt .t .no}}", DATA), ("{{lt .l .l}}", DATA), ("{{eq .l .l}}", DATA), ("{{eq .m .m}}", DATA),
    ("{{eq .l .m}}", DATA), ("{{eq .m 1}}", DATA), ("{{eq .x .y}}", {}), ("{{eq .nil .x}}", DATA),
    ("{{eq .x 1}}", {}), ("{{eq 1}}", {}), ("{{ne 1 2 3}}", {}), ("{{lt 1}}", {}), ("{{lt .x 1}}", {}),
    ("{{eq 1.5 1.5}} {{lt 1.5 2.5}} {{eq 1i 1i}} {{lt 'a' 98}} {{eq (index \"a\" 0) 97}}", {}),
    ("{{lt (index \"a\" 0) 98}} {{gt 200 (index \"a\" 0)}} {{lt -1 (index \"a\" 0)}}", {}),
    ("{{lt 1i 2i}}", {}), ("{{eq true 1}}", {}), ("{{ge 1 1.0}}", {}), ("{{le .nil .nil}}", DATA),
    # print family
    ("{{print .a .f .s}}|{{print 1 2 \"x\" \"y\" 3}}|{{print}}|{{print nil}}", DATA),
    ("{{println .a 1}}|{{println}}", DATA), ("{{print .l .m .nil .x}}", DATA),
    ("{{printf \"%d|%s|%v|%q|%x|%X|%T\" 42 \"s\" .l \"q\" 255 \"hi\" .m}}", DATA),
    ("{{printf \"%5.2f|%-6d|%06d|%+d|% d|%o|%O|%b|%c|%U|%#U|%e|%E|%g|%G\" 3.14159 7 42 5 5 8 8 5 65 233 233 1234.5 1234.5 1e21 1e-7}}", {}),
    ("{{printf \"%05s|%-5s|%5.1s|%x|% x|%#x|%q|%+q|%#q|%#q\" \"ab\" \"cd\" \"ef\" \"hi\" \"hi\" \"hi\" \"é\\n\" \"é\" \"a`b\" \"ab\"}}", {}),
    ("{{printf \"%v %d %t %s\" true true true true}}", {}), ("{{printf \"%v|%d|%s|%T|%x|%q|%5v|%-5v|\" .f .f .f .f .f .f .f .f}}", DATA),
    ("{{printf \"%[2]d %[1]d %d\" 1 2}}", {}), ("{{printf \"%*d|%.*f|%-*d|\" 5 1 2 3.14159 3 7}}", {}),
    ("{{printf \"%d\" 1 2}}", {}), ("{{printf \"%!\"}}", {}), ("{{printf \"%\"}}", {}), ("{{printf \"%v %d\" nil nil}}", {}),
    ("{{printf \"%T %T %T %T %T %T %T\" 1 1.5 \"a\" true 1i (index \"a\" 0) nil}}", {}),
    ("{{printf \"%v %v\" .el .em}}", DATA), ("{{printf \"%x %X %q %d\" .l .m .l .l}}", DATA),
    ("{{printf \"%#v|%#v|%#v|%#v|%#v|%#v\" .l 1 1.5 \"s\" true .m}}", DATA),
    ("{{printf \"%#v %#v %#v %#v %+v\" (index \"a\" 0) 2.0 nil 1i .m}}", DATA),
    ("{{printf 1}}", {}), ("{{printf .a}}", DATA), ("{{printf .fmt 1}}", {"fmt": "%d!"}), ("{{printf .x}}", {}),
    ("{{printf nil}}", {}), ("{{printf .nil}}", DATA), ("{{printf .l}}", DATA), ("{{printf true}}", {}),
    ("{{\"%d\" | printf}}", {}), ("{{printf \"%s\" .u}}", DATA), ("{{printf \"%[3]d %d\" 1}}", {}),
    ("{{printf \"%[0]d|%[x]d|%[1]*d|%.[2]d\" 1 2}}", {}), ("{{printf \"%*d\" \"x\" 1}}", {}), ("{{printf \"%.*d\" -1 1}}", {}),
    ("{{printf \"%w|%w\" 1 .nil}}", DATA), ("{{printf \"%z|%.3q|%10.3x|%-8q|\" 1 \"abcdef\" \"abcdef\" 97}}", {}),
    ("{{printf \"%v\" .u}} {{printf \"%q %+q %x\" .u .u .u}}", DATA), ("{{printf \"%08.3f|%+.2e|%#g|%#.3x\" -3.14159 12345.678 1.0 1.0}}", {}),
    ("{{printf \"%d %d\" .big .e}}", DATA), ("{{printf \"%s\" (slice .s 1 2)}}", DATA), ("{{printf \"%6.2v|%-8s|\" .l .m}}", DATA),
    ("{{printf \"%c%c%c\" 72 105 0x1F600}}", {}), ("{{printf \"%v\" 0x110000}} {{printf \"%c|%q\" 0x110000 0xD800}}", {}),
    ("{{printf \"%s\" \"\\xff\"}}", {}), ("{{printf \"%x\\xff%d\" 1 2}}", {}),
    # html / js / urlquery
    ("{{html \"<a href='x'>&\\\"\"}}|{{html .s}}|{{html .a .s}}|{{html .x}}|{{html nil 1}}|{{html}}", DATA),
    ("{{js \"<a='x'>&\\\"\\\\\\u2028é\\n\\t\\x01\"}}|{{js .u}}|{{js .l}}", DATA),
    ("{{urlquery \"a b&c=d/é?x#y~_.-\"}}|{{urlquery .a .f}}|{{urlquery .m}}", DATA),
    ("{{html \"\\x00\"}}|{{js \"\\x00\\xff\"}}", {}), ("{{.s | html | urlquery}}", DATA),
    # call
    ("{{call .a}}", DATA), ("{{call .x}}", {}), ("{{call .nil}}", DATA), ("{{call print 1}}", {}), ("{{call}}", {}),
    ("{{call nil}}", {}), ("{{call 1}}", {}), ("{{call \"x\"}}", {}), ("{{call .}}", DATA), ("{{.a | call}}", DATA),
    ("{{.m | call}}", DATA), ("{{call .l 1 2}}", DATA), ("{{call (len .l)}}", DATA),
]

# OPA's conversion of vars (sets, non-string keys and escapes fail in the
# JSON decoder).
CONVERSION = [
    ("{{.a}}", Rego('{"a": {1, 2}}')), ("{{.a}}", Rego('{"a": set()}')), ("{{.a}}", Rego('{"a": {"x"}}')),
    ("{{.a}}", Rego('{"a": {"x", "y"}}')), ("{{.a}}", Rego('{"a": {null, 1}}')), ("{{.a}}", Rego('{"a": {true}}')),
    ("{{.a}}", Rego('{"a": {[1]}}')), ("{{.a}}", Rego('{"a": {{"k": 1}}}')), ("{{.a}}", Rego('{"a": {set()}}')),
    ("{{.a}}", Rego('{"a": {-1}}')), ("{{.a}}", Rego('{"a": [{"b": {1}}]}')), ("{{.a}}", Rego('{"a": {"\\u0007"}}')),
    ("{{.a}}", Rego('{"a": 1, "b": set()}')), ("{{.a}}", Rego('{"a": "\\u0007", "b": set()}')),
    ("{{.a}}", {"a": "\u0007b"}), ("{{.a}}", {"a": "x\u0000y"}), ("{{.a}}", {"a": "\u000b"}), ("{{.a}}", {"a": "\u007f"}),
    ("{{.a}}", {"a": "\u0008\u000c\n\r\t\"\\"}), ("{{.a}}", {"a": "\u2028b\u00ad"}), ("{{.a}}", {"a": "\U000E0001"}),
    ("{{.a}}", {"a": "\U0001F600"}), ("{{.a}}", {"a": "\U0010FFFF"}), ("{{.a}}", {"\u0007": 1}),
    ("{{.a}}", {"a": ["ok", "\u0001"]}), ("{{.a}}", {"a": {"k\u000b": 1}}), ("{{.a}}", {"a": "\ufeff\u200b"}),
    ("{{.a}} {{.b}} {{.c}}", Raw('{"a": 1.0, "b": 1E5, "c": 1e-7}')), ("{{.a}} {{.b}}", Raw('{"a": 100000000000000000000000000000, "b": -0.50}')),
    ("{{printf \"%v %s %d %T\" .a .a .a .a}}", Raw('{"a": 2.50}')), ("{{.a}}", Raw('{"a": 1.5e400}')),
    ("{{lt .a .b}} {{eq .a .b}} {{eq .a .c}}", Raw('{"a": 10, "b": 9, "c": 10.0}')),
    ("{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", Raw('{"b": 1, "a": 2, "B": 3, "é": 4, "_": 5, "": 6}')),
    ("{{.}}", Rego('{"a": {"y": 1, "x": [true, null]}}')),
    ("{{.a}}|{{printf \"%v\" .a}}", Raw('{"a": -0}')), ("{{.a}}|{{.b}}|{{.c}}", Raw('{"a": -0.0, "b": 0.0, "c": 1.0e2}')),
    ("{{.a}}|{{.b}}", Raw('{"a": 123456789012345678901234567890.5, "b": -1}')),
]

# ---------------------------------------------------------------- random

KEYS = ["a", "b", "c", "name", "items", "n", "m", "s"]
STRINGS = ["", "x", "héllo", "<b>&amp;'\"", "a b", "%d", "😀", "tab\there", "multi\nline", "<no value>",
           "{{.a}}", "\\", "ünï cödé", "1", "true"]


def rand_scalar(rnd):
    return rnd.choice([
        lambda: rnd.randint(-5, 100), lambda: rnd.choice([0, 1, -1, 1.5, 0.25, 1e100, 12345678901234567890123, 2.0]),
        lambda: rnd.choice(STRINGS), lambda: rnd.choice([True, False]), lambda: None,
    ])()


def rand_value(rnd, depth=0):
    r = rnd.random()
    if depth < 2 and r < 0.2:
        return [rand_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    if depth < 2 and r < 0.35:
        return {k: rand_value(rnd, depth + 1) for k in rnd.sample(KEYS, rnd.randint(0, 3))}
    return rand_scalar(rnd)


def rand_vars(rnd):
    v = {k: rand_value(rnd) for k in rnd.sample(KEYS, rnd.randint(2, 6))}
    if rnd.random() < 0.4:
        v["items"] = [rand_value(rnd, 1) for _ in range(rnd.randint(0, 5))]
    if rnd.random() < 0.3:
        v["m"] = {k: rand_scalar(rnd) for k in rnd.sample(KEYS, rnd.randint(1, 4))}
    return v


FRAGMENTS = [
    "{{.K}}", "{{.K.J}}", "{{range .K}}[{{.}}]{{end}}", "{{range $i, $v := .K}}{{$i}}={{$v}};{{end}}",
    "{{range .K}}{{.}}{{else}}empty{{end}}", "{{if .K}}T{{else}}F{{end}}", "{{with .K}}<{{.}}>{{end}}",
    "{{len .K}}", "{{index .K I}}", "{{index .K \"J\"}}", "{{printf \"%v|%s|%q|%d|%x\" .K .K .K .K .K}}",
    "{{html .K}}", "{{js .K}}", "{{urlquery .K}}", "{{eq .K .J}}", "{{ne .K .J}}", "{{lt .K .J}}",
    "{{le .K .J}}", "{{.K | print}}", "{{slice .K I}}", "{{not .K}}", "{{and .K .J}}", "{{or .K .J}}",
    "{{print .K .J}}", "{{println .K}}", " {{- .K -}} ", " text ", "{{/* c */}}", "{{$x := .K}}{{$x}}",
    "{{printf \"%T\" .K}}", "{{printf \"%5.2v|%-4v|%+v|%#v\" .K .K .K .K}}", "{{index . \"K\"}}",
    "{{eq .K \"x\"}}", "{{if eq (len .K) I}}len{{end}}", "{{range $k, $v := .K}}{{$k}}:{{$v}} {{end}}",
    "{{with $x := .K}}{{$x}}{{end}}", "{{.K.J.K}}", "{{printf \"%s-%s\" .K .J}}", "{{$.K}}", "\n",
    "{{if .K}}{{if .J}}both{{end}}{{end}}", "{{range .K}}{{if eq . I}}{{break}}{{end}}{{.}}{{end}}",
    "{{template \"T\" .K}}", "{{block \"B\" .K}}b{{.}}{{end}}", "{{print (index .K I) .J}}",
]


def rand_template(rnd):
    parts = []
    uses_t = False
    for _ in range(rnd.randint(1, 5)):
        f = rnd.choice(FRAGMENTS)
        uses_t |= "template \"T\"" in f
        f = f.replace("K", rnd.choice(KEYS)).replace("J", rnd.choice(KEYS)).replace("I", str(rnd.randint(0, 3)))
        parts.append(f)
    t = "".join(parts)
    if uses_t or rnd.random() < 0.1:
        t += "{{define \"T\"}}(" + rnd.choice(["{{.}}", "{{len .}}", "{{.a}}", "{{range .}}{{.}}{{end}}"]) + "){{end}}"
    return t


# Token soup: parser and lexer error paths, line numbers.
TOKENS = ["{{", "}}", "{{- ", " -}}", " ", ".a", ".b.c", ".m", "$x", "$", ":=", "=", "|", "(", ")", "if", "else",
          "end", "range", "with", "define", "template", "block", "break", "continue", "\"s\"", "`r`", "1", "1.5",
          "'c'", "nil", "true", "len", "index", "print", "eq", "and", "\n", "text", "/*", "*/", ",", "#", "é",
          "\t", "{{end}}", "{{else}}", "{{if .a}}", "{{range .l}}", "{{with .m}}", "{{.a}}", "{{$x := 1}}", "-"]
SOUP_VARS = {"a": 1, "b": {"c": "x"}, "m": {"k": [1, 2]}, "l": [1, "s", None]}

# printf formats and literal operands of every type.
PF_ARGS = ["1", "-7", "255", "1.5", "-0.001", "1e21", "1i", "'x'", "\"s\"", "\"héllo\"", "nil", "true", ".a", ".f",
           ".s", ".l", ".m", ".n", ".x", ".u", "(index \"a\" 0)", "(slice .s 1 2)", "0x10", "(len .l)"]
PF_VARS = {"a": 12, "f": 2.5, "s": "héllo\t\"q\"", "l": [1, "x", None, {"k": [True]}], "m": {"b": None, "a": "z"},
           "n": None, "u": "\u00ad\u2028😀é"}


def rand_format(rnd):
    out = []
    for _ in range(rnd.randint(1, 4)):
        if rnd.random() < 0.3:
            out.append(rnd.choice(["x", " ", "|", "%%", "é"]))
            continue
        f = "%" + "".join(rnd.choice("#0+- ") for _ in range(rnd.choice([0, 0, 1, 2])))
        if rnd.random() < 0.15:
            f += rnd.choice(["[1]", "[2]", "[3]", "[0]"])
        if rnd.random() < 0.4:
            f += rnd.choice(["3", "8", "*", "0"])
        if rnd.random() < 0.3:
            f += "." + rnd.choice(["0", "2", "5", "*", ""])
        out.append(f + rnd.choice("vvvdsqxXobcUeEfgGtT!"))
    return "".join(out).replace('"', '\\"')


def cases():
    cs = list(HAND) + list(CONVERSION)
    rnd = random.Random(20261203)
    for _ in range(700):
        cs.append((rand_template(rnd), rand_vars(rnd)))
    for _ in range(250):
        cs.append(("".join(rnd.choice(TOKENS) for _ in range(rnd.randint(2, 14))), SOUP_VARS))
    for _ in range(250):
        fn = rnd.choice(["printf"] * 6 + ["print", "println", "html", "js", "urlquery"])
        operands = " ".join(rnd.choice(PF_ARGS) for _ in range(rnd.randint(0, 4)))
        if fn == "printf":
            cs.append(("{{printf \"%s\" %s}}" % (rand_format(rnd), operands), PF_VARS))
        else:
            cs.append(("{{%s %s}}" % (fn, operands), PF_VARS))
    # Random vars rendered whole and through every printing path.
    for _ in range(60):
        cs.append(("{{.}}|{{printf \"%v|%+v|%#v|%s|%q|%x\" . . . . . .}}|{{range $k, $v := .}}{{$k}}{{$v}}{{end}}",
                   rand_vars(rnd)))
    return cs


def main():
    check = "--check" in sys.argv
    if not os.path.exists(LIB):
        print(f"oracle library absent: {LIB}", file=sys.stderr)
        return 2
    o = Oracle()
    out = []
    for template, vars_ in cases():
        args, expect = run(o, template, vars_)
        out.append({"name": NAME, "args": args, "expect": expect})
    return write_or_check("template", out, len(out), check)


if __name__ == "__main__":
    sys.exit(main())
