//! One warm instance of a module: its store, host functions and the ABI
//! calls of one evaluation.

use super::error::HostTrap;
use super::module::{PAGE, pages_for};
use super::{LimitKind, WasmError, engine};
use regowasm_builtins::{BuiltinError, EvalContext, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::{
    Caller, Extern, ExternType, Func, Instance, Memory, MemoryType, Module, ResourceLimiter, Store,
    Trap, TypedFunc,
};

/// How results are obtained from the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalPath {
    /// One call to `opa_eval` (ABI 1.2+).
    OpaEval,
    /// `opa_eval_ctx_new`, `opa_eval_ctx_set_*`, `eval`,
    /// `opa_eval_ctx_get_result`, `opa_json_dump` (ABI 1.0+).
    EvalContext,
}

impl std::fmt::Display for EvalPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EvalPath::OpaEval => "opa_eval (fast path)",
            EvalPath::EvalContext => "eval context (opa_eval_ctx_* + eval)",
        })
    }
}

/// A builtin the module delegates to the host, by id.
#[derive(Clone)]
pub(crate) struct BuiltinSlot {
    pub name: String,
    pub builtin: Option<regowasm_builtins::Builtin>,
}

/// Everything shared by the instances of one module.
pub(crate) struct ModuleShared {
    pub module: Module,
    pub engine: &'static engine::SharedEngine,
    pub path: EvalPath,
    /// Initial memory size in pages (import minimum, data segments).
    pub min_pages: u64,
    /// Maximum pages declared by the memory import, if any.
    pub import_max_pages: Option<u64>,
    /// Memory cap in bytes.
    pub max_memory_bytes: usize,
    /// Builtins by id (filled after the first instance reads `builtins`).
    pub builtins: Arc<HashMap<i32, BuiltinSlot>>,
    pub strict_builtin_errors: bool,
    pub timeout: Duration,
    pub fuel: Option<u64>,
}

/// The memory cap, enforced when any memory grows.
pub(crate) struct MemLimiter {
    cap: usize,
    hit: bool,
}

impl ResourceLimiter for MemLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.cap {
            self.hit = true;
            return Err(wasmtime::Error::new(HostTrap::MemoryLimit(self.cap)));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

/// The ABI exports the host calls.
#[derive(Clone)]
pub(crate) struct AbiFuncs {
    malloc: TypedFunc<i32, i32>,
    free: Option<TypedFunc<i32, ()>>,
    json_parse: TypedFunc<(i32, i32), i32>,
    value_parse: Option<TypedFunc<(i32, i32), i32>>,
    json_dump: TypedFunc<i32, i32>,
    value_dump: Option<TypedFunc<i32, i32>>,
    heap_get: TypedFunc<(), i32>,
    heap_set: TypedFunc<i32, ()>,
    builtins: Option<TypedFunc<(), i32>>,
    entrypoints: Option<TypedFunc<(), i32>>,
    opa_eval: Option<OpaEvalFunc>,
    ctx: Option<CtxFuncs>,
}

/// `opa_eval(reserved, entrypoint, data, input, input_len, heap, format)`.
type OpaEvalFunc = TypedFunc<(i32, i32, i32, i32, i32, i32, i32), i32>;

#[derive(Clone)]
struct CtxFuncs {
    new: TypedFunc<(), i32>,
    set_input: TypedFunc<(i32, i32), ()>,
    set_data: TypedFunc<(i32, i32), ()>,
    set_entrypoint: Option<TypedFunc<(i32, i32), ()>>,
    eval: TypedFunc<i32, i32>,
    get_result: TypedFunc<i32, i32>,
}

/// Per-store state seen by host functions.
pub(crate) struct HostState {
    limiter: MemLimiter,
    memory: Option<Memory>,
    funcs: Option<AbiFuncs>,
    builtins: Arc<HashMap<i32, BuiltinSlot>>,
    ctx: EvalContext,
    strict: bool,
    prints: Vec<String>,
}

/// A warm instance with data loaded.
pub(crate) struct WarmInstance {
    store: Store<HostState>,
    funcs: AbiFuncs,
    memory: Memory,
    base_heap: i32,
    data_addr: i32,
    data_heap: i32,
    /// The data generation loaded into this instance.
    pub data_generation: u64,
}

/// Time allowed for loading data and reading the module's maps.
fn setup_timeout(eval_timeout: Duration) -> Duration {
    eval_timeout.max(Duration::from_secs(30))
}

fn to_i32(n: usize, what: &str) -> Result<i32, WasmError> {
    i32::try_from(n).map_err(|_| WasmError::Document(format!("{what} is too large ({n} bytes)")))
}

fn abi_err(msg: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::new(HostTrap::Abi(msg.into()))
}

/// Read a NUL-terminated UTF-8 string from memory.
fn read_cstr(mem: &[u8], addr: i32) -> Result<String, String> {
    let start = usize::try_from(addr).map_err(|_| format!("negative string address {addr}"))?;
    let tail = mem
        .get(start..)
        .ok_or_else(|| format!("string address {addr} is outside memory"))?;
    let len = tail
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| format!("string at {addr} is not NUL-terminated"))?;
    let bytes = tail.get(..len).unwrap_or_default();
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("string at {addr} is not valid UTF-8"))
}

fn write_bytes(mem: &mut [u8], addr: i32, bytes: &[u8]) -> Result<(), String> {
    let start = usize::try_from(addr).map_err(|_| format!("negative buffer address {addr}"))?;
    let end = start
        .checked_add(bytes.len())
        .ok_or_else(|| "buffer end overflows".to_string())?;
    let dst = mem
        .get_mut(start..end)
        .ok_or_else(|| format!("buffer {addr}..{end} is outside memory"))?;
    dst.copy_from_slice(bytes);
    Ok(())
}

/// Whether a value survives plain JSON unchanged.
fn is_plain_json(v: &Value) -> bool {
    match v {
        Value::Set(_) => false,
        Value::Array(a) => a.iter().all(is_plain_json),
        Value::Object(o) => o
            .iter()
            .all(|(k, v)| matches!(k, Value::String(_)) && is_plain_json(v)),
        _ => true,
    }
}

/// JSON text of a value (sets become arrays, non-string keys strings).
pub(crate) fn json_text(v: &Value) -> String {
    if is_plain_json(v) {
        v.to_text()
    } else {
        v.to_json().to_string()
    }
}

// ---- host functions -------------------------------------------------------

fn host_memory(caller: &Caller<'_, HostState>) -> wasmtime::Result<Memory> {
    caller
        .data()
        .memory
        .ok_or_else(|| abi_err("no memory is attached to the instance"))
}

fn host_cstr(caller: &mut Caller<'_, HostState>, addr: i32) -> wasmtime::Result<String> {
    let mem = host_memory(caller)?;
    read_cstr(mem.data(&*caller), addr).map_err(abi_err)
}

fn host_funcs(caller: &Caller<'_, HostState>) -> wasmtime::Result<AbiFuncs> {
    caller
        .data()
        .funcs
        .clone()
        .ok_or_else(|| abi_err("a builtin was called before the instance was ready"))
}

/// Read a module value as a Rego value: `opa_value_dump` (sets, non-string
/// keys), falling back to `opa_json_dump`.
fn host_read_value(
    caller: &mut Caller<'_, HostState>,
    funcs: &AbiFuncs,
    addr: i32,
) -> wasmtime::Result<Value> {
    if let Some(dump) = &funcs.value_dump {
        let s = dump.call(&mut *caller, addr)?;
        let text = host_cstr(caller, s)?;
        if let Some(free) = &funcs.free {
            free.call(&mut *caller, s)?;
        }
        match Value::parse_text(&text) {
            Ok(v) => return Ok(v),
            Err(e) => tracing::debug!(error = %e, "value dump not parsed; falling back to JSON"),
        }
    }
    let s = funcs.json_dump.call(&mut *caller, addr)?;
    let text = host_cstr(caller, s)?;
    if let Some(free) = &funcs.free {
        free.call(&mut *caller, s)?;
    }
    Value::from_json_str(&text).map_err(|e| abi_err(format!("builtin argument: {e}")))
}

/// Write a Rego value into the module: `opa_value_parse` when exported
/// (keeps sets and non-string keys), else `opa_json_parse`.
fn host_write_value(
    caller: &mut Caller<'_, HostState>,
    funcs: &AbiFuncs,
    v: &Value,
) -> wasmtime::Result<i32> {
    let (text, parse) = match &funcs.value_parse {
        Some(p) => (v.to_text(), p),
        None => (json_text(v), &funcs.json_parse),
    };
    let len = i32::try_from(text.len()).map_err(|_| abi_err("builtin result is too large"))?;
    let ptr = funcs.malloc.call(&mut *caller, len)?;
    let mem = host_memory(caller)?;
    write_bytes(mem.data_mut(&mut *caller), ptr, text.as_bytes()).map_err(abi_err)?;
    let addr = parse.call(&mut *caller, (ptr, len))?;
    if addr == 0 {
        return Err(abi_err(format!(
            "the module could not parse a builtin result: {}",
            truncate(&text, 200)
        )));
    }
    Ok(addr)
}

fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s.get(..end).unwrap_or_default())
}

fn host_builtin(
    caller: &mut Caller<'_, HostState>,
    id: i32,
    args: &[i32],
) -> wasmtime::Result<i32> {
    let slot = caller.data().builtins.get(&id).cloned();
    let Some(slot) = slot else {
        return Err(abi_err(format!(
            "opa_builtin{} called with unknown builtin id {id}",
            args.len()
        )));
    };
    let funcs = host_funcs(caller)?;
    let mut values = Vec::with_capacity(args.len());
    for &a in args {
        values.push(host_read_value(caller, &funcs, a)?);
    }
    let outcome = match &slot.builtin {
        Some(b) => b.call(&caller.data().ctx, &values),
        None => Err(BuiltinError::NotAvailable(slot.name.clone())),
    };
    match outcome {
        Ok(Some(v)) => host_write_value(caller, &funcs, &v),
        Ok(None) => Ok(0),
        Err(e) => {
            if caller.data().strict || e.is_fatal() {
                Err(wasmtime::Error::new(HostTrap::Builtin {
                    name: slot.name.clone(),
                    message: e.opa_message(),
                }))
            } else {
                tracing::debug!(builtin = %slot.name, error = %e, "builtin error: undefined");
                Ok(0)
            }
        }
    }
}

fn host_func(store: &mut Store<HostState>, name: &str) -> Option<Func> {
    Some(match name {
        "opa_abort" => Func::wrap(
            &mut *store,
            |mut caller: Caller<'_, HostState>, addr: i32| -> wasmtime::Result<()> {
                let msg = host_cstr(&mut caller, addr)
                    .unwrap_or_else(|e| format!("(unreadable abort message: {e})"));
                Err(wasmtime::Error::new(HostTrap::Abort(msg)))
            },
        ),
        "opa_println" => Func::wrap(
            &mut *store,
            |mut caller: Caller<'_, HostState>, addr: i32| -> wasmtime::Result<()> {
                let line = host_cstr(&mut caller, addr)?;
                tracing::info!(target: "regowasm::print", "{line}");
                caller.data_mut().prints.push(line);
                Ok(())
            },
        ),
        "opa_builtin0" => Func::wrap(
            &mut *store,
            |mut c: Caller<'_, HostState>, id: i32, _ctx: i32| host_builtin(&mut c, id, &[]),
        ),
        "opa_builtin1" => Func::wrap(
            &mut *store,
            |mut c: Caller<'_, HostState>, id: i32, _ctx: i32, a: i32| {
                host_builtin(&mut c, id, &[a])
            },
        ),
        "opa_builtin2" => Func::wrap(
            &mut *store,
            |mut c: Caller<'_, HostState>, id: i32, _ctx: i32, a: i32, b: i32| {
                host_builtin(&mut c, id, &[a, b])
            },
        ),
        "opa_builtin3" => Func::wrap(
            &mut *store,
            |mut c: Caller<'_, HostState>, id: i32, _ctx: i32, a: i32, b: i32, d: i32| {
                host_builtin(&mut c, id, &[a, b, d])
            },
        ),
        "opa_builtin4" => Func::wrap(
            &mut *store,
            |mut c: Caller<'_, HostState>, id: i32, _ctx: i32, a: i32, b: i32, d: i32, e: i32| {
                host_builtin(&mut c, id, &[a, b, d, e])
            },
        ),
        _ => return None,
    })
}

/// Check the imports against what the host provides.
pub(crate) fn check_imports(module: &Module) -> Result<(), WasmError> {
    for import in module.imports() {
        let ok = import.module() == "env"
            && match import.ty() {
                ExternType::Memory(_) => import.name() == "memory",
                ExternType::Func(_) => matches!(
                    import.name(),
                    "opa_abort"
                        | "opa_println"
                        | "opa_builtin0"
                        | "opa_builtin1"
                        | "opa_builtin2"
                        | "opa_builtin3"
                        | "opa_builtin4"
                ),
                _ => false,
            };
        if !ok {
            let kind = match import.ty() {
                ExternType::Memory(_) => "memory",
                ExternType::Func(_) => "function",
                ExternType::Global(_) => "global",
                ExternType::Table(_) => "table",
                _ => "other",
            };
            return Err(WasmError::UnsupportedImport {
                module: import.module().to_string(),
                name: import.name().to_string(),
                kind: kind.to_string(),
            });
        }
    }
    Ok(())
}

/// Map an error from a Wasm call to a [`WasmError`].
fn map_trap(e: wasmtime::Error, state: &HostState, shared: &ModuleShared) -> WasmError {
    if let Some(h) = e.downcast_ref::<HostTrap>() {
        return match h {
            HostTrap::Abort(m) => WasmError::Abort(m.clone()),
            HostTrap::MemoryLimit(cap) => WasmError::LimitExceeded(LimitKind::Memory(*cap)),
            HostTrap::Builtin { name, message } => WasmError::Builtin {
                name: name.clone(),
                message: message.clone(),
            },
            HostTrap::Abi(m) => WasmError::Abi(m.clone()),
        };
    }
    if state.limiter.hit {
        return WasmError::LimitExceeded(LimitKind::Memory(state.limiter.cap));
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => WasmError::LimitExceeded(LimitKind::Timeout(shared.timeout)),
        Some(Trap::OutOfFuel) => {
            WasmError::LimitExceeded(LimitKind::Fuel(shared.fuel.unwrap_or(0)))
        }
        Some(t) => WasmError::Trap(t.to_string()),
        None => WasmError::Trap(format!("{e:#}")),
    }
}

fn get_typed<P, R>(
    instance: &Instance,
    store: &mut Store<HostState>,
    name: &str,
) -> Result<Option<TypedFunc<P, R>>, WasmError>
where
    P: wasmtime::WasmParams,
    R: wasmtime::WasmResults,
{
    if instance.get_func(&mut *store, name).is_none() {
        return Ok(None);
    }
    instance
        .get_typed_func::<P, R>(&mut *store, name)
        .map(Some)
        .map_err(|e| WasmError::Abi(format!("export {name} has the wrong signature: {e:#}")))
}

fn need<T>(v: Option<T>, name: &str) -> Result<T, WasmError> {
    v.ok_or_else(|| WasmError::NotOpaModule {
        missing: vec![name.to_string()],
    })
}

impl WarmInstance {
    /// Instantiate the module: memory sized to what it needs, host
    /// functions bound, ABI exports resolved. No data is loaded yet.
    pub(crate) fn new(shared: &ModuleShared) -> Result<WarmInstance, WasmError> {
        let state = HostState {
            limiter: MemLimiter {
                cap: shared.max_memory_bytes,
                hit: false,
            },
            memory: None,
            funcs: None,
            builtins: shared.builtins.clone(),
            ctx: EvalContext::new(),
            strict: shared.strict_builtin_errors,
            prints: Vec::new(),
        };
        let mut store = Store::new(&shared.engine.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(engine::ticks_for(setup_timeout(shared.timeout)));
        if shared.fuel.is_some() {
            store
                .set_fuel(u64::MAX)
                .map_err(|e| WasmError::Instantiate(format!("{e:#}")))?;
        }
        let mut imports = Vec::new();
        let mut memory = None;
        for import in shared.module.imports() {
            match import.ty() {
                ExternType::Memory(_) => {
                    let ty = MemoryType::new(
                        u32::try_from(shared.min_pages).unwrap_or(u32::MAX),
                        shared
                            .import_max_pages
                            .map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
                    );
                    let mem = Memory::new(&mut store, ty).map_err(|e| {
                        match e.downcast_ref::<HostTrap>() {
                            Some(HostTrap::MemoryLimit(_)) => WasmError::InitialMemoryTooLarge {
                                needed: shared.min_pages.saturating_mul(PAGE),
                                limit: shared.max_memory_bytes,
                            },
                            _ => WasmError::Instantiate(format!("cannot create memory: {e:#}")),
                        }
                    })?;
                    memory = Some(mem);
                    imports.push(Extern::Memory(mem));
                }
                ExternType::Func(_) => {
                    let f = host_func(&mut store, import.name()).ok_or_else(|| {
                        WasmError::UnsupportedImport {
                            module: import.module().to_string(),
                            name: import.name().to_string(),
                            kind: "function".into(),
                        }
                    })?;
                    imports.push(Extern::Func(f));
                }
                _ => {
                    return Err(WasmError::UnsupportedImport {
                        module: import.module().to_string(),
                        name: import.name().to_string(),
                        kind: "non-function".into(),
                    });
                }
            }
        }
        let instance = Instance::new(&mut store, &shared.module, &imports).map_err(|e| {
            let state = store.data();
            match map_trap(e, state, shared) {
                WasmError::Trap(m) => WasmError::Instantiate(m),
                other => other,
            }
        })?;
        let memory = match memory {
            Some(m) => m,
            None => instance.get_memory(&mut store, "memory").ok_or_else(|| {
                WasmError::NotOpaModule {
                    missing: vec!["memory (import env.memory or export memory)".into()],
                }
            })?,
        };
        let i = &instance;
        let s = &mut store;
        let ctx = if shared.path == EvalPath::EvalContext {
            Some(CtxFuncs {
                new: need(get_typed(i, s, "opa_eval_ctx_new")?, "opa_eval_ctx_new")?,
                set_input: need(
                    get_typed(i, s, "opa_eval_ctx_set_input")?,
                    "opa_eval_ctx_set_input",
                )?,
                set_data: need(
                    get_typed(i, s, "opa_eval_ctx_set_data")?,
                    "opa_eval_ctx_set_data",
                )?,
                set_entrypoint: get_typed(i, s, "opa_eval_ctx_set_entrypoint")?,
                eval: need(get_typed(i, s, "eval")?, "eval")?,
                get_result: need(
                    get_typed(i, s, "opa_eval_ctx_get_result")?,
                    "opa_eval_ctx_get_result",
                )?,
            })
        } else {
            None
        };
        let funcs = AbiFuncs {
            malloc: need(get_typed(i, s, "opa_malloc")?, "opa_malloc")?,
            free: get_typed(i, s, "opa_free")?,
            json_parse: need(get_typed(i, s, "opa_json_parse")?, "opa_json_parse")?,
            value_parse: get_typed(i, s, "opa_value_parse")?,
            json_dump: need(get_typed(i, s, "opa_json_dump")?, "opa_json_dump")?,
            value_dump: get_typed(i, s, "opa_value_dump")?,
            heap_get: need(get_typed(i, s, "opa_heap_ptr_get")?, "opa_heap_ptr_get")?,
            heap_set: need(get_typed(i, s, "opa_heap_ptr_set")?, "opa_heap_ptr_set")?,
            builtins: get_typed(i, s, "builtins")?,
            entrypoints: get_typed(i, s, "entrypoints")?,
            opa_eval: if shared.path == EvalPath::OpaEval {
                Some(need(get_typed(i, s, "opa_eval")?, "opa_eval")?)
            } else {
                None
            },
            ctx,
        };
        store.data_mut().memory = Some(memory);
        store.data_mut().funcs = Some(funcs.clone());
        let base_heap = funcs
            .heap_get
            .call(&mut store, ())
            .map_err(|e| map_trap(e, store.data(), shared))?;
        Ok(WarmInstance {
            store,
            funcs,
            memory,
            base_heap,
            data_addr: 0,
            data_heap: base_heap,
            data_generation: u64::MAX,
        })
    }

    fn call_err(&self, e: wasmtime::Error, shared: &ModuleShared) -> WasmError {
        map_trap(e, self.store.data(), shared)
    }

    /// Dump a module value as JSON text.
    fn dump_json(&mut self, addr: i32, shared: &ModuleShared) -> Result<String, WasmError> {
        let s = self
            .funcs
            .json_dump
            .call(&mut self.store, addr)
            .map_err(|e| self.call_err(e, shared))?;
        read_cstr(self.memory.data(&self.store), s).map_err(WasmError::Abi)
    }

    /// Call a `() -> value_addr` map export (`builtins`, `entrypoints`) and
    /// read it as a name → id object. `None` when the export is absent.
    fn read_map(
        &mut self,
        which: &str,
        shared: &ModuleShared,
    ) -> Result<Option<Vec<(String, i32)>>, WasmError> {
        let f = match which {
            "builtins" => self.funcs.builtins.clone(),
            _ => self.funcs.entrypoints.clone(),
        };
        let Some(f) = f else {
            return Ok(None);
        };
        let addr = f
            .call(&mut self.store, ())
            .map_err(|e| self.call_err(e, shared))?;
        let text = self.dump_json(addr, shared)?;
        self.reset_heap(self.base_heap, shared)?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| WasmError::Abi(format!("`{which}` did not return JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| WasmError::Abi(format!("`{which}` did not return an object")))?;
        let mut out = Vec::with_capacity(obj.len());
        for (k, v) in obj {
            let id = v
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| WasmError::Abi(format!("`{which}`: id of {k:?} is not an i32")))?;
            out.push((k.clone(), id));
        }
        Ok(Some(out))
    }

    /// The `builtins` and `entrypoints` maps.
    #[allow(clippy::type_complexity)]
    pub(crate) fn read_maps(
        &mut self,
        shared: &ModuleShared,
    ) -> Result<(Vec<(String, i32)>, Option<Vec<(String, i32)>>), WasmError> {
        let builtins = self.read_map("builtins", shared)?.unwrap_or_default();
        let entrypoints = self.read_map("entrypoints", shared)?;
        Ok((builtins, entrypoints))
    }

    fn reset_heap(&mut self, ptr: i32, shared: &ModuleShared) -> Result<(), WasmError> {
        self.funcs
            .heap_set
            .call(&mut self.store, ptr)
            .map_err(|e| self.call_err(e, shared))
    }

    /// Make sure memory covers `end` bytes, growing it (within the cap).
    fn ensure_memory(&mut self, end: u64, shared: &ModuleShared) -> Result<(), WasmError> {
        let have = self.memory.data_size(&self.store) as u64;
        if end <= have {
            return Ok(());
        }
        let extra = pages_for(end - have);
        self.memory
            .grow(&mut self.store, extra)
            .map(|_| ())
            .map_err(|e| match e.downcast_ref::<HostTrap>() {
                Some(HostTrap::MemoryLimit(cap)) => {
                    WasmError::LimitExceeded(LimitKind::Memory(*cap))
                }
                _ if self.store.data().limiter.hit => {
                    WasmError::LimitExceeded(LimitKind::Memory(shared.max_memory_bytes))
                }
                _ => WasmError::Instantiate(format!("cannot grow memory: {e:#}")),
            })
    }

    /// Copy bytes into the module via `opa_malloc`.
    fn alloc_bytes(&mut self, bytes: &[u8], shared: &ModuleShared) -> Result<i32, WasmError> {
        let len = to_i32(bytes.len(), "document")?;
        let ptr = self
            .funcs
            .malloc
            .call(&mut self.store, len)
            .map_err(|e| self.call_err(e, shared))?;
        write_bytes(self.memory.data_mut(&mut self.store), ptr, bytes).map_err(WasmError::Abi)?;
        Ok(ptr)
    }

    /// Parse `data` (JSON text, or value text when `value_text`) into the
    /// instance, right after the module's initial heap. Remembers the heap
    /// pointer after it, which every evaluation starts from.
    pub(crate) fn load_data(
        &mut self,
        text: &str,
        value_text: bool,
        generation: u64,
        shared: &ModuleShared,
    ) -> Result<(), WasmError> {
        self.store
            .set_epoch_deadline(engine::ticks_for(setup_timeout(shared.timeout)));
        self.data_generation = u64::MAX;
        if shared.fuel.is_some() {
            self.store
                .set_fuel(u64::MAX)
                .map_err(|e| WasmError::Instantiate(format!("{e:#}")))?;
        }
        self.reset_heap(self.base_heap, shared)?;
        let ptr = self.alloc_bytes(text.as_bytes(), shared)?;
        let len = to_i32(text.len(), "data")?;
        let parse = match (&self.funcs.value_parse, value_text) {
            (Some(p), true) => p.clone(),
            _ => self.funcs.json_parse.clone(),
        };
        let addr = parse
            .call(&mut self.store, (ptr, len))
            .map_err(|e| self.call_err(e, shared))?;
        if addr == 0 {
            return Err(WasmError::Document(
                "the module could not parse the data document".into(),
            ));
        }
        self.data_heap = self
            .funcs
            .heap_get
            .call(&mut self.store, ())
            .map_err(|e| self.call_err(e, shared))?;
        self.data_addr = addr;
        self.data_generation = generation;
        Ok(())
    }

    /// Evaluate entrypoint `id` on `input` (JSON text; `None`: no input).
    /// Returns the result set as JSON text and the printed lines.
    pub(crate) fn eval(
        &mut self,
        id: i32,
        input: Option<&[u8]>,
        shared: &ModuleShared,
    ) -> Result<(String, Vec<String>), WasmError> {
        {
            let st = self.store.data_mut();
            st.prints.clear();
            let mut ctx = EvalContext::new();
            ctx.set_strict(shared.strict_builtin_errors);
            st.ctx = ctx;
        }
        self.store
            .set_epoch_deadline(engine::ticks_for(shared.timeout));
        if let Some(fuel) = shared.fuel {
            self.store
                .set_fuel(fuel)
                .map_err(|e| WasmError::Instantiate(format!("{e:#}")))?;
        }
        let text = match shared.path {
            EvalPath::OpaEval => self.eval_fast(id, input, shared)?,
            EvalPath::EvalContext => self.eval_ctx(id, input, shared)?,
        };
        let st = self.store.data_mut();
        let mut prints = std::mem::take(&mut st.prints);
        prints.extend(st.ctx.take_prints());
        Ok((text, prints))
    }

    fn eval_fast(
        &mut self,
        id: i32,
        input: Option<&[u8]>,
        shared: &ModuleShared,
    ) -> Result<String, WasmError> {
        let f = self
            .funcs
            .opa_eval
            .clone()
            .ok_or_else(|| WasmError::NotOpaModule {
                missing: vec!["opa_eval".into()],
            })?;
        let input = input.unwrap_or_default();
        let heap = u64::try_from(self.data_heap)
            .map_err(|_| WasmError::Abi("negative heap pointer".into()))?;
        let input_end = heap + input.len() as u64;
        // Input sits at the heap pointer; the heap continues after it
        // (8-byte aligned). Leave one page of headroom for the first
        // allocations; the module's allocator grows memory beyond that.
        let next_heap = input_end.div_ceil(8) * 8;
        self.ensure_memory(next_heap + PAGE, shared)?;
        write_bytes(self.memory.data_mut(&mut self.store), self.data_heap, input)
            .map_err(WasmError::Abi)?;
        let len = to_i32(input.len(), "input")?;
        let next = i32::try_from(next_heap)
            .map_err(|_| WasmError::LimitExceeded(LimitKind::Memory(shared.max_memory_bytes)))?;
        let s = f
            .call(
                &mut self.store,
                (0, id, self.data_addr, self.data_heap, len, next, 0),
            )
            .map_err(|e| self.call_err(e, shared))?;
        if s == 0 {
            return Err(WasmError::Abi("opa_eval returned a null result".into()));
        }
        read_cstr(self.memory.data(&self.store), s).map_err(WasmError::Abi)
    }

    fn eval_ctx(
        &mut self,
        id: i32,
        input: Option<&[u8]>,
        shared: &ModuleShared,
    ) -> Result<String, WasmError> {
        let c = self
            .funcs
            .ctx
            .clone()
            .ok_or_else(|| WasmError::NotOpaModule {
                missing: vec!["opa_eval_ctx_new".into()],
            })?;
        self.reset_heap(self.data_heap, shared)?;
        let ctx = c
            .new
            .call(&mut self.store, ())
            .map_err(|e| self.call_err(e, shared))?;
        if let Some(input) = input {
            let ptr = self.alloc_bytes(input, shared)?;
            let len = to_i32(input.len(), "input")?;
            let v = self
                .funcs
                .json_parse
                .call(&mut self.store, (ptr, len))
                .map_err(|e| self.call_err(e, shared))?;
            if v == 0 {
                return Err(WasmError::Document(
                    "the module could not parse the input document".into(),
                ));
            }
            c.set_input
                .call(&mut self.store, (ctx, v))
                .map_err(|e| self.call_err(e, shared))?;
        }
        c.set_data
            .call(&mut self.store, (ctx, self.data_addr))
            .map_err(|e| self.call_err(e, shared))?;
        match &c.set_entrypoint {
            Some(set) => set
                .call(&mut self.store, (ctx, id))
                .map_err(|e| self.call_err(e, shared))?,
            None if id != 0 => {
                return Err(WasmError::NotOpaModule {
                    missing: vec!["opa_eval_ctx_set_entrypoint".into()],
                });
            }
            None => {}
        }
        c.eval
            .call(&mut self.store, ctx)
            .map_err(|e| self.call_err(e, shared))?;
        let r = c
            .get_result
            .call(&mut self.store, ctx)
            .map_err(|e| self.call_err(e, shared))?;
        if r == 0 {
            return Ok("[]".into());
        }
        self.dump_json(r, shared)
    }

    /// Linear memory size in bytes.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    /// The heap pointer evaluations start from (after data).
    pub(crate) fn data_heap(&self) -> i32 {
        self.data_heap
    }

    /// The module's current heap pointer.
    pub(crate) fn heap_ptr(&mut self) -> Option<i32> {
        self.store
            .set_epoch_deadline(engine::ticks_for(Duration::from_secs(1)));
        if self.store.get_fuel().is_ok() {
            self.store.set_fuel(u64::MAX).ok()?;
        }
        self.funcs.heap_get.call(&mut self.store, ()).ok()
    }

    /// Install the builtin table (known only after reading `builtins`).
    pub(crate) fn set_builtins(&mut self, builtins: Arc<HashMap<i32, BuiltinSlot>>) {
        self.store.data_mut().builtins = builtins;
    }
}
