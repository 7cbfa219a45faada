//! The hand-written OPA ABI test module (`runtime/tests/wasm/opa_test.wat`)
//! built in its variants. Shared by the runtime's tests and the compliance
//! runner's (`#[path]`-included), so there is one way to build it.

/// The module's text, with `{MAJOR}`/`{MINOR}` placeholders and optional
/// parts tagged `[opt:TAG]`.
pub const TEMPLATE: &str = include_str!("../wasm/opa_test.wat");

/// Build a variant: ABI `major.minor`, with the lines tagged `[opt:TAG]`
/// for each tag in `drop` removed (`println` drops `opa_println` and keeps
/// its `[opt:noprint]` stand-ins), and each `(from, to)` text replacement
/// applied.
#[allow(dead_code)]
pub fn abi_module_with(major: i64, minor: i64, drop: &[&str], replace: &[(&str, &str)]) -> Vec<u8> {
    let noprint = drop.contains(&"println");
    let text: Vec<&str> = TEMPLATE
        .lines()
        .filter(|l| !drop.iter().any(|t| l.contains(&format!("[opt:{t}]"))))
        .filter(|l| noprint || !l.contains("[opt:noprint]"))
        .collect();
    let mut text = text
        .join("\n")
        .replace("{MAJOR}", &major.to_string())
        .replace("{MINOR}", &minor.to_string());
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    wat::parse_str(&text).expect("test module compiles")
}

/// [`abi_module_with`] without replacements.
#[allow(dead_code)]
pub fn abi_module(major: i64, minor: i64, drop: &[&str]) -> Vec<u8> {
    abi_module_with(major, minor, drop, &[])
}
