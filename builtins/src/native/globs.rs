//! `regex.globs_match`: whether two "glob-like regexes" share a string.
//!
//! OPA v1.20.2 answers with the Go package
//! `github.com/yashtewari/glob-intersection` (v0.2.0, `NonEmpty`), and this
//! module reproduces that package's answers, not the exact answer of
//! regular-language intersection. What the package understands:
//!
//! - `.` (any character), `[...]` (a class: literal characters and `x-y`
//!   ranges; `^` is an ordinary character, there is no negation), `\`
//!   (escapes the next character), and the flags `+` / `*` after an atom;
//! - every other character is literal (`?`, `(`, `|`, `{`, `^`, `$`, ...);
//! - both globs are anchored at both ends.
//!
//! Its algorithm is a greedy walk that sometimes says "no" where a shared
//! string exists (`.*` against `""`, `a.*` against `a`): those answers are
//! kept, since they are what OPA returns. The walk is a pure function of
//! (which glob leads, position in each glob), so it is evaluated here with
//! memoization and an explicit stack: polynomial time, no recursion depth,
//! and a work bound that fails the call ([`BuiltinError::Limit`]) instead of
//! running away.

use super::native;
use crate::{BuiltinError, Registry, Value, args};
use std::collections::HashMap;

const NAME: &str = "regex.globs_match";

/// Most distinct walk states evaluated for one call (about 16 bytes each).
const MAX_STATES: usize = 1_000_000;

/// Most work units (states plus class comparisons) spent on one call.
const MAX_WORK: u64 = 50_000_000;

/// Register `regex.globs_match`.
pub(crate) fn register(r: &mut Registry) {
    native(r, NAME, 2, |_, a| {
        let lhs = args::string(NAME, a, 0)?;
        let rhs = args::string(NAME, a, 1)?;
        globs_intersect(lhs, rhs).map(|b| Some(Value::Bool(b)))
    });
}

/// The package's `NonEmpty(lhs, rhs)`: parse both globs (the left one's
/// error wins), then walk them.
fn globs_intersect(lhs: &str, rhs: &str) -> Result<bool, BuiltinError> {
    let g1 = parse(lhs).map_err(|m| BuiltinError::failed(NAME, m))?;
    let g2 = parse(rhs).map_err(|m| BuiltinError::failed(NAME, m))?;
    let Some((a, b)) = trim(&g1, &g2) else {
        return Ok(false);
    };
    Walk::new(a, b)?.run()
}

/// A repetition flag after an atom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flag {
    /// Exactly once.
    One,
    /// `+`: one or more.
    Plus,
    /// `*`: zero or more.
    Star,
}

/// What one token stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Atom {
    /// One literal character.
    Char(char),
    /// `.`: any character.
    Dot,
    /// `[...]`: sorted, disjoint, non-adjacent inclusive code point ranges
    /// (so two classes are equal as sets exactly when equal here).
    Class(Vec<(u32, u32)>),
}

/// An atom with its flag.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    atom: Atom,
    flag: Flag,
}

impl Token {
    fn flagged(&self) -> bool {
        self.flag != Flag::One
    }
}

// ---------------------------------------------------------------------------
// Parsing

/// One read position of the lexer.
enum Read {
    /// Past the last character.
    End,
    /// A character (`escaped` when it came after a `\`) and the position
    /// after it.
    Char { c: char, escaped: bool, next: usize },
}

struct Lexer<'a> {
    text: &'a str,
    chars: Vec<char>,
}

impl Lexer<'_> {
    /// The package's error text: the input, the character position and
    /// the reason, wrapped around its "invalid input" error.
    fn invalid(&self, pos: usize, why: &str) -> String {
        format!(
            "input:{}, pos:{pos}, {why}: the input provided is invalid",
            self.text
        )
    }

    fn read(&self, at: usize) -> Result<Read, String> {
        match self.chars.get(at) {
            None => Ok(Read::End),
            Some('\\') => match self.chars.get(at + 1) {
                Some(&c) => Ok(Read::Char {
                    c,
                    escaped: true,
                    next: at + 2,
                }),
                None => Err(self.invalid(at, "input ends with a \\ (escape) character")),
            },
            Some(&c) => Ok(Read::Char {
                c,
                escaped: false,
                next: at + 1,
            }),
        }
    }

    fn tokens(&self) -> Result<Vec<Token>, String> {
        let mut out = Vec::new();
        let mut at = 0;
        loop {
            let (c, escaped, mut next) = match self.read(at)? {
                Read::End => return Ok(out),
                Read::Char { c, escaped, next } => (c, escaped, next),
            };
            let atom = match c {
                _ if escaped => Atom::Char(c),
                '.' => Atom::Dot,
                ']' => return Err(self.invalid(next, "set-close ']' with no preceding '['")),
                '[' => {
                    let (after, ranges) = self.class(next)?;
                    next = after;
                    Atom::Class(ranges)
                }
                '+' | '*' => {
                    return Err(
                        self.invalid(next, &format!("flag '{c}' must be preceded by a non-flag"))
                    );
                }
                _ => Atom::Char(c),
            };
            // A flag directly after the atom (an escaped one is a literal
            // for the next token). A dangling `\` here is an error already.
            let mut flag = Flag::One;
            if let Read::Char {
                c: f,
                escaped: false,
                next: after,
            } = self.read(next)?
            {
                flag = match f {
                    '+' => Flag::Plus,
                    '*' => Flag::Star,
                    _ => Flag::One,
                };
                if flag != Flag::One {
                    next = after;
                }
            }
            out.push(Token { atom, flag });
            at = next;
        }
    }

    /// A class body from `at` (just after its `[`): the position after the
    /// closing `]` and the class's ranges.
    fn class(&self, mut at: usize) -> Result<(usize, Vec<(u32, u32)>), String> {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        // The last single character, which a following `-` starts a range
        // from; a range end does not count.
        let mut prev: Option<char> = None;
        loop {
            let (c, escaped, next) = match self.read(at)? {
                Read::End => return Err(self.invalid(at, "found [ without matching ]")),
                Read::Char { c, escaped, next } => (c, escaped, next),
            };
            if !escaped && c == ']' {
                return Ok((next, normalize(ranges)));
            }
            if !escaped && c == '-' {
                let Some(lo) = prev else {
                    return Err(self.invalid(
                        next,
                        "range character '-' must be preceded by a Unicode character",
                    ));
                };
                // The package wants at least two characters after the `-`.
                let followed = "range character '-' must be followed by a Unicode character";
                if next + 1 >= self.chars.len() {
                    return Err(self.invalid(next, followed));
                }
                let (hi, hi_escaped, after) = match self.read(next)? {
                    Read::End => return Err(self.invalid(next, followed)),
                    Read::Char { c, escaped, next } => (c, escaped, next),
                };
                if !hi_escaped && (hi == ']' || hi == '-') {
                    return Err(self.invalid(
                        after,
                        "range character '-' cannot be followed by a special symbol",
                    ));
                }
                if hi < lo {
                    return Err(self.invalid(
                        after,
                        &format!("range is out of order: '{hi}' comes before '{lo}' in Unicode"),
                    ));
                }
                ranges.push((u32::from(lo), u32::from(hi)));
                prev = None;
                at = after;
                continue;
            }
            ranges.push((u32::from(c), u32::from(c)));
            prev = Some(c);
            at = next;
        }
    }
}

/// Sort and merge ranges (overlapping or touching) into the canonical
/// form [`Atom::Class`] keeps.
fn normalize(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Tokenize, then simplify: a flagged token right after an equal flagged
/// token (flags aside) merges into it, `+` winning over `*` (so `a*a*` is
/// `a*`, and — as in the package — `a+a+` is `a+`).
fn parse(text: &str) -> Result<Vec<Token>, String> {
    let lexer = Lexer {
        text,
        chars: text.chars().collect(),
    };
    let tokens = lexer.tokens()?;
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens {
        if let Some(last) = out.last_mut()
            && t.flagged()
            && last.flagged()
            && last.atom == t.atom
        {
            if t.flag == Flag::Plus {
                last.flag = Flag::Plus;
            }
            continue;
        }
        out.push(t);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Matching single tokens

/// Whether two atoms can stand for the same character (flags ignored).
/// As in the package, `.` matches every class, even the empty `[]`.
/// `work` counts the class ranges compared.
fn atoms_match(x: &Atom, y: &Atom, work: &mut u64) -> bool {
    match (x, y) {
        (Atom::Dot, _) | (_, Atom::Dot) => true,
        (Atom::Char(p), Atom::Char(q)) => p == q,
        (Atom::Char(c), Atom::Class(s)) | (Atom::Class(s), Atom::Char(c)) => {
            let c = u32::from(*c);
            let i = s.partition_point(|&(_, hi)| hi < c);
            s.get(i).is_some_and(|&(lo, _)| lo <= c)
        }
        (Atom::Class(s), Atom::Class(t)) => {
            let (mut i, mut j) = (0, 0);
            while let (Some(&(a0, a1)), Some(&(b0, b1))) = (s.get(i), t.get(j)) {
                *work += 1;
                if a0 <= b1 && b0 <= a1 {
                    return true;
                }
                if a1 < b1 {
                    i += 1;
                } else {
                    j += 1;
                }
            }
            false
        }
    }
}

/// Strip the common unflagged prefix and suffix (one token of each is
/// kept), or `None` when a stripped pair does not match.
fn trim<'a>(a: &'a [Token], b: &'a [Token]) -> Option<(&'a [Token], &'a [Token])> {
    let mut work = 0;
    let mut l = 0;
    while let (Some(x), Some(y)) = (a.get(l), b.get(l)) {
        if x.flagged() || y.flagged() {
            break;
        }
        if !atoms_match(&x.atom, &y.atom, &mut work) {
            return None;
        }
        l += 1;
    }
    l = l.saturating_sub(1);
    // Exclusive ends, moved left together.
    let (mut e1, mut e2) = (a.len(), b.len());
    while e1 > l && e2 > l {
        let (Some(x), Some(y)) = (a.get(e1 - 1), b.get(e2 - 1)) else {
            break;
        };
        if x.flagged() || y.flagged() {
            break;
        }
        if !atoms_match(&x.atom, &y.atom, &mut work) {
            return None;
        }
        e1 -= 1;
        e2 -= 1;
    }
    if e1 < a.len() {
        e1 += 1;
        e2 += 1;
    }
    Some((a.get(l..e1)?, b.get(l..e2)?))
}

// ---------------------------------------------------------------------------
// The walk

/// The package's three mutually recursive steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Step {
    /// Advance both globs token by token until one token is flagged.
    Normal,
    /// The lead glob's token is starred (or a `+` already matched once):
    /// it swallows tokens of the other glob until the rest of the lead
    /// glob takes over.
    Star,
    /// The lead glob's token has `+`: it must match the other glob's
    /// token first.
    Plus,
}

/// One walk state: a step, which glob leads (`swap`: the right one), and
/// the positions in the lead glob (`i`) and in the other one (`j`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct State {
    step: Step,
    swap: bool,
    i: u32,
    j: u32,
}

/// What evaluating a state at some stage asks for.
enum Next {
    /// The state's answer.
    Done(bool),
    /// The answer of another state, then resume at the given stage.
    Ask(State, u8),
}

struct Walk<'a> {
    globs: [&'a [Token]; 2],
    work: u64,
}

fn limit(message: &str) -> BuiltinError {
    BuiltinError::Limit {
        name: NAME.to_string(),
        message: message.to_string(),
    }
}

impl<'a> Walk<'a> {
    fn new(a: &'a [Token], b: &'a [Token]) -> Result<Self, BuiltinError> {
        if u32::try_from(a.len()).is_err() || u32::try_from(b.len()).is_err() {
            return Err(limit("glob too long"));
        }
        Ok(Walk {
            globs: [a, b],
            work: 0,
        })
    }

    /// The lead glob and the other one of a state.
    fn pair(&self, swap: bool) -> (&'a [Token], &'a [Token]) {
        let [a, b] = self.globs;
        if swap { (b, a) } else { (a, b) }
    }

    fn matches(&mut self, x: &Token, y: &Token) -> bool {
        atoms_match(&x.atom, &y.atom, &mut self.work)
    }

    fn run(mut self) -> Result<bool, BuiltinError> {
        let root = State {
            step: Step::Normal,
            swap: false,
            i: 0,
            j: 0,
        };
        let mut memo: HashMap<State, bool> = HashMap::new();
        let mut stack: Vec<(State, u8)> = vec![(root, 0)];
        let mut answer: Option<bool> = None;
        while let Some(&(state, stage)) = stack.last() {
            self.work += 1;
            if self.work > MAX_WORK || memo.len() > MAX_STATES {
                return Err(limit("globs too complex to intersect"));
            }
            match self.eval(state, stage, answer.take()) {
                Next::Done(v) => {
                    memo.insert(state, v);
                    stack.pop();
                    answer = Some(v);
                }
                Next::Ask(sub, resume) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 = resume;
                    }
                    match memo.get(&sub) {
                        Some(&v) => answer = Some(v),
                        None => stack.push((sub, 0)),
                    }
                }
            }
        }
        Ok(answer.unwrap_or(false))
    }

    /// Evaluate `state` at `stage`; `sub` is the answer asked for by the
    /// previous stage.
    fn eval(&mut self, state: State, stage: u8, sub: Option<bool>) -> Next {
        let State { step, swap, i, j } = state;
        let (lead, other) = self.pair(swap);
        let (iu, ju) = (i as usize, j as usize);
        let at = |step, swap, i, j| State { step, swap, i, j };
        match step {
            Step::Normal => {
                if stage > 0 {
                    return Next::Done(sub.unwrap_or(false));
                }
                let (Some(x), Some(y)) = (lead.get(iu), other.get(ju)) else {
                    return Next::Done(iu >= lead.len() && ju >= other.len());
                };
                match (x.flag, y.flag) {
                    (Flag::One, Flag::One) => {
                        if self.matches(x, y) {
                            Next::Ask(at(Step::Normal, swap, i + 1, j + 1), 1)
                        } else {
                            Next::Done(false)
                        }
                    }
                    (Flag::Plus, _) => Next::Ask(at(Step::Plus, swap, i, j), 1),
                    (Flag::Star, _) => Next::Ask(at(Step::Star, swap, i, j), 1),
                    (Flag::One, Flag::Plus) => Next::Ask(at(Step::Plus, !swap, j, i), 1),
                    (Flag::One, Flag::Star) => Next::Ask(at(Step::Star, !swap, j, i), 1),
                }
            }
            Step::Star => {
                let Some(star) = lead.get(iu) else {
                    return Next::Done(false);
                };
                let after = lead.get(iu + 1);
                let Some(t) = other.get(ju) else {
                    // Everything swallowed: fine only if nothing follows.
                    return Next::Done(after.is_none());
                };
                let swallow = |w: &mut Self| {
                    if w.matches(t, star) {
                        Next::Ask(at(Step::Star, swap, i, j + 1), 2)
                    } else {
                        Next::Done(false)
                    }
                };
                match stage {
                    0 => match after {
                        Some(n) if self.matches(t, n) => {
                            Next::Ask(at(Step::Normal, swap, i + 1, j), 1)
                        }
                        _ => swallow(self),
                    },
                    1 if sub == Some(true) => Next::Done(true),
                    1 => swallow(self),
                    _ => Next::Done(sub.unwrap_or(false)),
                }
            }
            Step::Plus => {
                let (Some(x), Some(y)) = (lead.get(iu), other.get(ju)) else {
                    return Next::Done(false);
                };
                match stage {
                    0 if self.matches(x, y) => Next::Ask(at(Step::Star, swap, i, j + 1), 1),
                    0 => Next::Done(false),
                    // The plussed token swallowed `y`; or else a flagged
                    // `y` may swallow the plussed token.
                    1 if sub == Some(true) => Next::Done(true),
                    1 if y.flagged() => Next::Ask(at(Step::Normal, swap, i + 1, j), 2),
                    1 => Next::Done(false),
                    _ => Next::Done(sub.unwrap_or(false)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn m(a: &str, b: &str) -> bool {
        globs_intersect(a, b).unwrap()
    }

    fn err(a: &str, b: &str) -> String {
        globs_intersect(a, b).unwrap_err().to_string()
    }

    #[test]
    fn package_semantics() {
        assert!(!m("a*", "b*"));
        assert!(m("a+b", "ab"));
        assert!(m("", ""));
        assert!(m("[^a]", "a"));
        assert!(!m("[]", "a"));
        assert!(m("[]", "."));
        assert!(!m("[]", "[]"));
        assert!(!m(".*", ""));
        assert!(!m("a.*", "a"));
        assert!(m("a*a", "a"));
        assert!(!m("aa*", "a"));
        assert!(m("a+a+", "a"));
        assert!(m("a+b", "[ab]*"));
        assert!(!m("a?", "a"));
        assert!(!m("(a)", "a"));
        assert!(!m("\\d", "1"));
        assert!(m("a.a.", ".b.b"));
        assert!(!m("[a-z]+", "[0-9]*"));
        assert!(m("é+", "éé"));
        assert!(m("\\*", "\\*"));
        assert!(m("\\*", "."));
        assert!(!m("\\*", "a"));
        assert!(m("[a-c]", "[c-e]"));
        assert!(!m("[a-c]", "[d-e]"));
    }

    #[test]
    fn classes_are_sets() {
        assert_eq!(
            normalize(vec![(5, 6), (1, 2), (3, 3)]),
            vec![(1, 3), (5, 6)]
        );
        let g = parse("[ab]*[a-b]*").unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!(parse("a*a+").unwrap()[0].flag, Flag::Plus);
        assert_eq!(parse("a+a*a").unwrap().len(), 2);
    }

    #[test]
    fn errors() {
        let e = |why: &str, input: &str, pos: usize| {
            format!("{NAME}: input:{input}, pos:{pos}, {why}: the input provided is invalid")
        };
        assert_eq!(
            err("[a-", "x"),
            e(
                "range character '-' must be followed by a Unicode character",
                "[a-",
                3
            )
        );
        assert_eq!(
            err("x", "**"),
            e("flag '*' must be preceded by a non-flag", "**", 1)
        );
        assert_eq!(
            err("a++", "x"),
            e("flag '+' must be preceded by a non-flag", "a++", 3)
        );
        assert_eq!(
            err("\\", "x"),
            e("input ends with a \\ (escape) character", "\\", 0)
        );
        assert_eq!(
            err("a\\", "x"),
            e("input ends with a \\ (escape) character", "a\\", 1)
        );
        assert_eq!(err("[", "x"), e("found [ without matching ]", "[", 1));
        assert_eq!(
            err("]", "x"),
            e("set-close ']' with no preceding '['", "]", 1)
        );
        assert_eq!(
            err("[c-a]", "x"),
            e(
                "range is out of order: 'a' comes before 'c' in Unicode",
                "[c-a]",
                4
            )
        );
        assert_eq!(
            err("[a--]", "x"),
            e(
                "range character '-' cannot be followed by a special symbol",
                "[a--]",
                4
            )
        );
        assert_eq!(
            err("[a-c-e]", "x"),
            e(
                "range character '-' must be preceded by a Unicode character",
                "[a-c-e]",
                5
            )
        );
        // The left operand is parsed first.
        assert!(err("+", "*").contains("input:+,"));
    }

    #[test]
    fn long_globs_stay_bounded() {
        // Answers checked against OPA v1.20.2.
        let stars = "a*".repeat(2500);
        assert!(m(&stars, "a"));
        assert!(m(&stars, &"a".repeat(5000)));
        let lit = "ab".repeat(5000);
        assert!(m(&lit, &lit));
        assert!(m(&format!(".*{lit}"), &format!("{lit}{lit}")));
        assert!(m(&format!(".*{lit}"), &format!("x{lit}")));
        assert!(m(&"[ab]*a*.".repeat(50), &"a*[ab]+b.".repeat(40)));
        assert!(m(&"[\u{0}-\u{10FFFF}]*".repeat(200), &".+x".repeat(200)));
        assert!(m(&".*a".repeat(300), &"a*.".repeat(300)));
        // OPA needs seconds here (its walk is exponential); memoized it is
        // immediate.
        assert!(!m(&"[ab]*a*".repeat(12), &"ab".repeat(12)));
        // Far past what OPA answers: a bounded effort, then a limit error.
        let t = std::time::Instant::now();
        for (a, b) in [
            ("[ab]*a*".repeat(2500), "ab".repeat(2500)),
            ("[a-z]*x".repeat(3000), "[x-z]+[a-c]*".repeat(3000)),
            ("a+b*".repeat(2500), "b*a+".repeat(2500)),
        ] {
            let r = globs_intersect(&a, &b);
            assert!(
                matches!(r, Ok(_) | Err(BuiltinError::Limit { .. })),
                "{r:?}"
            );
        }
        assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
    }
}
