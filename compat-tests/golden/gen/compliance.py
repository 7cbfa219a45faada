"""Turn builtin calls with literal arguments in OPA's compliance cases into
golden cases: `python3 compliance.py <family> <prefix>... > appended`.

Finds `<builtin>(args...)` in the cases' modules, evaluates the argument
list on OPA (dropping a trailing output variable) and records OPA's answer
for the call. Calls whose arguments are not closed terms are skipped.
"""
import glob
import json
import re
import sys

import yaml

import oracle

ROOT = "/work/shared/opa-compliance"


def calls_in(src, prefixes):
    out = []
    for m in re.finditer(r"(?<![\w.])((?:%s)[\w.]*)\(" % "|".join(re.escape(p) for p in prefixes), src):
        name = m.group(1)
        i = m.end()
        depth, j, instr = 1, i, False
        while j < len(src) and depth:
            c = src[j]
            if instr:
                if c == "\\":
                    j += 1
                elif c == '"':
                    instr = False
            elif c == '"':
                instr = True
            elif c == "`":
                k = src.find("`", j + 1)
                j = k if k > 0 else len(src)
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            j += 1
        out.append((name, src[i:j - 1]))
    return out


def strip_last(text):
    """The argument text without its last top-level argument."""
    depth, instr, last, j = 0, False, -1, 0
    while j < len(text):
        c = text[j]
        if instr:
            if c == "\\":
                j += 1
            elif c == '"':
                instr = False
        elif c == '"':
            instr = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            last = j
        j += 1
    return text[:last] if last > 0 else None


def main():
    family, out_path, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
    files = sorted(glob.glob(ROOT + "/v1*/*/*.yaml"))
    seen, cases = set(), []
    for f in files:
        doc = yaml.safe_load(open(f))
        for c in doc.get("cases") or []:
            for mod in c.get("modules") or []:
                for name, argtext in calls_in(mod, prefixes):
                    rs = None
                    for text in (argtext, strip_last(argtext)):
                        if text is None:
                            continue
                        try:
                            rs = oracle._engine.eval_query("__a := [%s]" % text)
                        except Exception:
                            rs = None
                        if rs:
                            break
                    if not rs:
                        continue
                    args = rs[0]["__a"]
                    # drop a trailing output variable: OPA's arity tells us
                    for n in (len(args), len(args) - 1):
                        res = oracle.call(name, args[:n])
                        if "rego_type_error" in res.get("error", "") or "arity" in res.get("error", ""):
                            continue
                        key = json.dumps([name, args[:n]], sort_keys=True)
                        if key not in seen:
                            seen.add(key)
                            cases.append((name, args[:n]))
                        break
    oracle.write(family, cases, out_path)


if __name__ == "__main__":
    main()
