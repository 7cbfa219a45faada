//! What a module declares, read before instantiation: ABI version globals,
//! the extent of its data segments, function names, imports and exports.

use super::WasmError;
use wasmparser::{DataKind, ExternalKind, KnownCustom, Name, Operator, Parser, Payload};

/// Bytes per Wasm page.
pub(crate) const PAGE: u64 = 65_536;

/// Facts gathered from the module binary.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleFacts {
    /// `(opa_wasm_abi_version, opa_wasm_abi_minor_version)` when exported
    /// as constant globals.
    pub abi_major: Option<i64>,
    /// The minor version global, when exported.
    pub abi_minor: Option<i64>,
    /// One past the highest byte written by an active data segment into
    /// memory 0.
    pub data_end: u64,
    /// Function names from the `name` custom section.
    pub function_names: Vec<String>,
}

fn const_i64(expr: &wasmparser::ConstExpr<'_>) -> Option<i64> {
    let mut ops = expr.get_operators_reader();
    match ops.read().ok()? {
        Operator::I32Const { value } => Some(i64::from(value)),
        Operator::I64Const { value } => Some(value),
        _ => None,
    }
}

/// Read the facts from a (validated) module. `imported_globals` is the
/// number of imported globals, which precede defined ones in the index
/// space.
pub(crate) fn analyze(bytes: &[u8], imported_globals: u32) -> Result<ModuleFacts, WasmError> {
    let bad = |e: wasmparser::BinaryReaderError| WasmError::InvalidModule(e.to_string());
    let mut facts = ModuleFacts::default();
    let mut global_values: Vec<Option<i64>> = Vec::new();
    let mut global_exports: Vec<(String, u32)> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(bad)? {
            Payload::GlobalSection(reader) => {
                for g in reader {
                    let g = g.map_err(bad)?;
                    global_values.push(const_i64(&g.init_expr));
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e.map_err(bad)?;
                    if e.kind == ExternalKind::Global {
                        global_exports.push((e.name.to_string(), e.index));
                    }
                }
            }
            Payload::DataSection(reader) => {
                for d in reader {
                    let d = d.map_err(bad)?;
                    if let DataKind::Active {
                        memory_index: 0,
                        offset_expr,
                    } = d.kind
                    {
                        // Offsets are i32 in memory32: reinterpret as unsigned.
                        let offset = const_i64(&offset_expr).map(|v| u64::from(v as u32));
                        if let Some(offset) = offset {
                            let end = offset.saturating_add(d.data.len() as u64);
                            facts.data_end = facts.data_end.max(end);
                        }
                    }
                }
            }
            Payload::CustomSection(reader) => {
                if let KnownCustom::Name(names) = reader.as_known() {
                    for name in names.into_iter().flatten() {
                        if let Name::Function(map) = name {
                            for naming in map.into_iter().flatten() {
                                facts.function_names.push(naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (name, index) in global_exports {
        let Some(local) = index.checked_sub(imported_globals) else {
            continue;
        };
        let value = global_values.get(local as usize).copied().flatten();
        match name.as_str() {
            "opa_wasm_abi_version" => facts.abi_major = value,
            "opa_wasm_abi_minor_version" => facts.abi_minor = value,
            _ => {}
        }
    }
    Ok(facts)
}

/// Pages needed to hold `bytes` bytes.
pub(crate) fn pages_for(bytes: u64) -> u64 {
    bytes.div_ceil(PAGE)
}
