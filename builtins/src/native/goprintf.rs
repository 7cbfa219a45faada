//! Go's `fmt.Printf` directive walk (`doPrintf`): flags, argument indexes
//! (`%[2]d`), `*` widths and precisions, and the `%!verb(BADINDEX)`,
//! `%!verb(MISSING)`, `%!(NOVERB)`, `%!(EXTRA …)` reports. The printers
//! that format one operand — OPA's `sprintf` over Rego values and the
//! template printer over Go values — implement [`GoPrintf`] and share it.

/// Go `fmt` flags of one verb.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Flags {
    pub(crate) sharp: bool,
    pub(crate) zero: bool,
    pub(crate) plus: bool,
    pub(crate) minus: bool,
    pub(crate) space: bool,
    pub(crate) sharp_v: bool,
    pub(crate) plus_v: bool,
    pub(crate) wid: Option<usize>,
    pub(crate) prec: Option<usize>,
}

/// Go's `tooLarge` bound on widths and precisions.
pub(crate) const TOO_LARGE: usize = 1_000_000;

/// Go's `parsenum`: digits at `s[start..end]`.
pub(crate) fn parsenum(s: &[u8], start: usize, end: usize) -> (Option<usize>, usize) {
    if start >= end {
        return (None, end);
    }
    let mut num: usize = 0;
    let mut isnum = false;
    let mut i = start;
    while i < end {
        let Some(c) = s.get(i).copied().filter(u8::is_ascii_digit) else {
            break;
        };
        if num > TOO_LARGE {
            return (None, end);
        }
        num = num * 10 + usize::from(c - b'0');
        isnum = true;
        i += 1;
    }
    (isnum.then_some(num), i)
}

/// Go's `parseArgNumber` on `s` starting at `[`: (index, width, ok).
pub(crate) fn parse_arg_number(s: &[u8]) -> (usize, usize, bool) {
    if s.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..s.len() {
        if s.get(i) == Some(&b']') {
            let (n, newi) = parsenum(s, 1, i);
            return match n {
                Some(n) if newi == i => (n.wrapping_sub(1), i + 1, n >= 1),
                _ => (0, i + 1, false),
            };
        }
    }
    (0, 1, false)
}

/// A printer of one operand at a time, driven by [`printf`].
pub(crate) trait GoPrintf {
    /// One operand.
    type Arg;
    /// The flags of the verb being printed.
    fn flags(&mut self) -> &mut Flags;
    /// Append raw output.
    fn put(&mut self, s: &[u8]);
    /// The operand as a `*` width or precision (Go: an `int`), if it is one.
    fn int_arg(arg: &Self::Arg) -> Option<i64>;
    /// Print `arg` for `verb` with the current flags.
    fn print(&mut self, arg: &Self::Arg, verb: char);
    /// One entry of `%!(EXTRA …)`: `type=value`.
    fn extra(&mut self, arg: &Self::Arg);
    /// Verbs that take `#`/`+` as `%#v` / `%+v` (Go: `v`, and `w` where
    /// the printer knows it).
    fn is_v(verb: char) -> bool {
        verb == 'v'
    }
}

/// Go's `intFromArg`: (value, is_int, next argument index).
fn int_from_arg<P: GoPrintf>(args: &[P::Arg], arg_num: usize) -> (i64, bool, usize) {
    let Some(arg) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    match P::int_arg(arg) {
        Some(n) if n.unsigned_abs() <= TOO_LARGE as u64 => (n, true, arg_num + 1),
        _ => (0, false, arg_num + 1),
    }
}

fn set_v_flags(f: &mut Flags) {
    f.sharp_v = f.sharp;
    f.sharp = false;
    f.plus_v = f.plus;
    f.plus = false;
}

/// The argument-index state of one `printf` call.
struct Indexing {
    reordered: bool,
    good_arg_num: bool,
}

impl Indexing {
    /// Go's `argNumber`.
    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &[u8],
        i: usize,
        n: usize,
    ) -> (usize, usize, bool) {
        if format.get(i) != Some(&b'[') {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(format.get(i..).unwrap_or_default());
        if ok && index < n {
            return (index, i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }
}

/// The rune at the start of `b` (U+FFFD for invalid UTF-8) and its width.
fn first_rune(b: &[u8]) -> (char, usize) {
    let len = match b.first() {
        None => return ('\u{FFFD}', 1),
        Some(&c) if c < 0x80 => 1,
        Some(&c) if c >> 5 == 0b110 => 2,
        Some(&c) if c >> 4 == 0b1110 => 3,
        Some(&c) if c >> 3 == 0b11110 => 4,
        Some(_) => 1,
    };
    match b.get(..len).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next().unwrap_or('\u{FFFD}'), len),
        None => ('\u{FFFD}', 1),
    }
}

/// Go's `doPrintf` over `format` and `args`.
pub(crate) fn printf<P: GoPrintf>(p: &mut P, format: &[u8], args: &[P::Arg]) {
    let end = format.len();
    let mut arg_num = 0usize;
    let mut after_index;
    let mut ix = Indexing {
        reordered: false,
        good_arg_num: true,
    };
    let mut i = 0usize;
    'outer: while i < end {
        ix.good_arg_num = true;
        let lasti = i;
        while i < end && format.get(i) != Some(&b'%') {
            i += 1;
        }
        if i > lasti {
            p.put(format.get(lasti..i).unwrap_or_default());
        }
        if i >= end {
            break;
        }
        i += 1; // the '%'
        *p.flags() = Flags::default();
        // Flags, and the fast path for a simple verb.
        while i < end {
            let c = format.get(i).copied().unwrap_or(0);
            let f = p.flags();
            match c {
                b'#' => f.sharp = true,
                b'0' => f.zero = !f.minus, // only pad with zeros on the left
                b'+' => f.plus = true,
                b'-' => {
                    f.minus = true;
                    f.zero = false;
                }
                b' ' => f.space = true,
                _ => {
                    if c.is_ascii_lowercase() && arg_num < args.len() {
                        let verb = char::from(c);
                        if P::is_v(verb) {
                            set_v_flags(f);
                        }
                        if let Some(a) = args.get(arg_num) {
                            p.print(a, verb);
                        }
                        arg_num += 1;
                        i += 1;
                        continue 'outer;
                    }
                    break;
                }
            }
            i += 1;
        }

        // Argument index, then width.
        (arg_num, i, after_index) = ix.arg_number(arg_num, format, i, args.len());
        if format.get(i) == Some(&b'*') {
            i += 1;
            let (w, ok, n) = int_from_arg::<P>(args, arg_num);
            arg_num = n;
            if !ok {
                p.put(b"%!(BADWIDTH)");
            }
            let f = p.flags();
            if !ok {
                f.wid = None;
            } else if w < 0 {
                f.wid = usize::try_from(w.unsigned_abs()).ok();
                f.minus = true;
                f.zero = false;
            } else {
                f.wid = usize::try_from(w).ok();
            }
            after_index = false;
        } else {
            let (w, ni) = parsenum(format, i, end);
            p.flags().wid = w;
            i = ni;
            if after_index && w.is_some() {
                ix.good_arg_num = false;
            }
        }

        // Precision.
        if i + 1 < end && format.get(i) == Some(&b'.') {
            i += 1;
            if after_index {
                ix.good_arg_num = false;
            }
            (arg_num, i, after_index) = ix.arg_number(arg_num, format, i, args.len());
            if format.get(i) == Some(&b'*') {
                i += 1;
                let (prec, ok, n) = int_from_arg::<P>(args, arg_num);
                arg_num = n;
                // A negative precision argument counts as a bad one.
                let ok = ok && prec >= 0;
                p.flags().prec = if ok { usize::try_from(prec).ok() } else { None };
                if !ok {
                    p.put(b"%!(BADPREC)");
                }
                after_index = false;
            } else {
                let (prec, ni) = parsenum(format, i, end);
                i = ni;
                p.flags().prec = Some(prec.unwrap_or(0));
            }
        }

        if !after_index {
            (arg_num, i, _) = ix.arg_number(arg_num, format, i, args.len());
        }
        if i >= end {
            p.put(b"%!(NOVERB)");
            break;
        }
        let (verb, size) = first_rune(format.get(i..).unwrap_or_default());
        i += size;
        if verb == '%' {
            p.put(b"%");
        } else if !ix.good_arg_num {
            p.put(format!("%!{verb}(BADINDEX)").as_bytes());
        } else if arg_num >= args.len() {
            p.put(format!("%!{verb}(MISSING)").as_bytes());
        } else {
            if P::is_v(verb) {
                set_v_flags(p.flags());
            }
            if let Some(a) = args.get(arg_num) {
                p.print(a, verb);
            }
            arg_num += 1;
        }
    }

    if !ix.reordered && arg_num < args.len() {
        *p.flags() = Flags::default();
        p.put(b"%!(EXTRA ");
        for (k, a) in args.iter().skip(arg_num).enumerate() {
            if k > 0 {
                p.put(b", ");
            }
            p.extra(a);
        }
        p.put(b")");
    }
}
