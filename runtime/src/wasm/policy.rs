//! [`WasmPolicy`]: load once, evaluate from many threads.

use super::bundle::{self, Bundle, BundleLimits, Manifest};
use super::instance::{
    BuiltinSlot, EvalPath, ModuleShared, WarmInstance, check_imports, json_text,
};
use super::module::{self, PAGE, pages_for};
use super::{LimitKind, WasmError, engine};
use crate::policy::{EngineKind, Evaluation, Limits, PolicyOptions};
use parking_lot::{Mutex, RwLock};
use regowasm_builtins::{Registry, Served, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::{ExternType, Module};

/// Options for loading a Wasm policy.
#[derive(Debug, Clone)]
pub struct WasmOptions {
    /// Per-evaluation limits (see [`Limits`] for defaults).
    pub limits: Limits,
    /// A builtin error fails the evaluation (OPA's `strict-builtin-errors`)
    /// instead of making the call undefined. Default: off.
    pub strict_builtin_errors: bool,
    /// The builtins served to modules.
    pub registry: Registry,
    /// Load modules that need builtins the registry cannot serve (calls
    /// to them then fail the evaluation). Default: off — loading fails and
    /// names the missing builtins.
    pub allow_missing_builtins: bool,
    /// Most idle warm instances kept per module. Default: twice the
    /// available parallelism, between 2 and 64.
    pub max_idle_instances: usize,
    /// Bundle size limits (default: 256 MiB a member, 1 GiB in total).
    pub bundle_limits: BundleLimits,
}

impl Default for WasmOptions {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        WasmOptions {
            limits: Limits::default(),
            strict_builtin_errors: false,
            registry: Registry::with_defaults(),
            allow_missing_builtins: false,
            max_idle_instances: (cpus * 2).clamp(2, 64),
            bundle_limits: BundleLimits::default(),
        }
    }
}

impl From<&PolicyOptions> for WasmOptions {
    fn from(p: &PolicyOptions) -> Self {
        WasmOptions {
            limits: p.limits.clone(),
            strict_builtin_errors: p.strict_builtin_errors,
            registry: p.registry.clone(),
            ..WasmOptions::default()
        }
    }
}

/// How a builtin the module needs is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinInfo {
    /// The builtin's name.
    pub name: String,
    /// Its id in the module's `builtins` map.
    pub id: i32,
    /// How the host serves it; `None` when it cannot.
    pub served: Option<Served>,
}

/// The OPA Wasm ABI version a module declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbiVersion {
    /// `opa_wasm_abi_version` (1 when absent).
    pub major: i64,
    /// `opa_wasm_abi_minor_version` (0 when absent).
    pub minor: i64,
    /// Whether the module exports the version globals at all.
    pub declared: bool,
}

impl std::fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if !self.declared {
            f.write_str(" (no version globals; assumed)")?;
        }
        Ok(())
    }
}

/// What a loaded module is (for `regowasm inspect`).
#[derive(Debug, Clone)]
pub struct ModuleInfo {
    /// Path inside the bundle, or `policy.wasm` for a bare module.
    pub path: String,
    /// Module size in bytes.
    pub size_bytes: usize,
    /// ABI version.
    pub abi: AbiVersion,
    /// How evaluations run.
    pub eval_path: EvalPath,
    /// Entrypoints (name, id); `None` when the module has no `entrypoints`
    /// export (one entrypoint, id 0).
    pub entrypoints: Option<Vec<(String, i32)>>,
    /// Builtins the module leaves to the host.
    pub host_builtins: Vec<BuiltinInfo>,
    /// `opa_*` functions compiled into the module (from its name section):
    /// the builtins and runtime it implements natively.
    pub native_functions: Vec<String>,
    /// Initial memory in pages (import minimum raised to fit the data
    /// segments).
    pub initial_pages: u64,
    /// Pages the memory import declares as minimum.
    pub declared_min_pages: u64,
}

/// What a loaded policy is.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    /// Its modules.
    pub modules: Vec<ModuleInfo>,
    /// The bundle manifest, if loaded from a bundle that has one.
    pub manifest: Option<Manifest>,
}

impl PolicyInfo {
    /// Builtins needed by some module that the registry cannot serve.
    pub fn missing_builtins(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .modules
            .iter()
            .flat_map(|m| m.host_builtins.iter())
            .filter(|b| b.served.is_none())
            .map(|b| b.name.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

struct DataDoc {
    generation: u64,
    value: Value,
    text: Arc<str>,
    value_text: bool,
}

impl DataDoc {
    fn new(value: Value, generation: u64) -> DataDoc {
        let plain = json_text(&value);
        let value_text = plain != value.to_text();
        let text: Arc<str> = if value_text {
            value.to_text().into()
        } else {
            plain.into()
        };
        DataDoc {
            generation,
            value,
            text,
            value_text,
        }
    }
}

struct ModulePool {
    shared: ModuleShared,
    idle: Mutex<Vec<WarmInstance>>,
    max_idle: usize,
}

/// Snapshot of one idle instance (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceStats {
    /// Linear memory size in bytes.
    pub memory_bytes: usize,
    /// Heap pointer evaluations start from (right after the data).
    pub data_heap_ptr: i32,
    /// The module's heap pointer now.
    pub heap_ptr: Option<i32>,
}

/// An OPA-compiled Wasm policy: one or more modules (a bundle may hold
/// several), their entrypoints, the data document and a pool of warm
/// instances per module. `Send + Sync`: evaluate from many threads at once.
pub struct WasmPolicy {
    modules: Vec<ModulePool>,
    /// Entrypoint name → (module index, id).
    entrypoints: BTreeMap<String, (usize, i32)>,
    data: RwLock<Arc<DataDoc>>,
    generation: AtomicU64,
    max_input_bytes: usize,
    info: PolicyInfo,
}

impl std::fmt::Debug for WasmPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmPolicy")
            .field("modules", &self.info.modules.len())
            .field("entrypoints", &self.entrypoints.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// What [`WasmPolicy::load`] was given, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A bare `.wasm` module (`\0asm`).
    Module,
    /// A gzip-compressed OPA bundle.
    Bundle,
}

impl SourceKind {
    /// Detect a module or bundle; `None` if neither.
    pub fn detect(bytes: &[u8]) -> Option<SourceKind> {
        if bytes.starts_with(b"\0asm") {
            Some(SourceKind::Module)
        } else if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(SourceKind::Bundle)
        } else {
            None
        }
    }
}

/// A compiled module's pool, its facts, and its entrypoints (name, id)
/// when the module lists them.
type LoadedModule = (ModulePool, ModuleInfo, Option<Vec<(String, i32)>>);

fn load_module_pool(
    path: &str,
    bytes: &[u8],
    opts: &WasmOptions,
) -> Result<LoadedModule, WasmError> {
    if !bytes.starts_with(b"\0asm") {
        return Err(WasmError::InvalidModule(format!(
            "{path}: does not start with the Wasm magic bytes"
        )));
    }
    let engine = engine::shared(opts.limits.fuel.is_some())?;
    let module = Module::new(&engine.engine, bytes)
        .map_err(|e| WasmError::InvalidModule(format!("{path}: {e:#}")))?;
    let imported_globals = module
        .imports()
        .filter(|i| matches!(i.ty(), ExternType::Global(_)))
        .count();
    let facts = module::analyze(bytes, u32::try_from(imported_globals).unwrap_or(u32::MAX))?;
    let abi = AbiVersion {
        major: facts.abi_major.unwrap_or(1),
        minor: facts.abi_minor.unwrap_or(0),
        declared: facts.abi_major.is_some(),
    };
    if abi.major != 1 || !(0..=3).contains(&abi.minor) {
        return Err(WasmError::UnsupportedAbi {
            major: abi.major,
            minor: abi.minor,
        });
    }
    // Foreign imports first: a module built for another host (WASI, say) is
    // told apart from one that merely lacks OPA's exports.
    check_imports(&module)?;
    // Required exports.
    let exports: Vec<String> = module.exports().map(|e| e.name().to_string()).collect();
    let has = |n: &str| exports.iter().any(|e| e == n);
    let path_kind = if abi.minor >= 2 && has("opa_eval") {
        EvalPath::OpaEval
    } else {
        EvalPath::EvalContext
    };
    let mut required = vec![
        "opa_malloc",
        "opa_json_parse",
        "opa_json_dump",
        "opa_heap_ptr_get",
        "opa_heap_ptr_set",
    ];
    if path_kind == EvalPath::EvalContext {
        required.extend([
            "eval",
            "opa_eval_ctx_new",
            "opa_eval_ctx_set_input",
            "opa_eval_ctx_set_data",
            "opa_eval_ctx_get_result",
        ]);
    }
    let missing: Vec<String> = required
        .into_iter()
        .filter(|n| !has(n))
        .map(String::from)
        .collect();
    if !missing.is_empty() {
        return Err(WasmError::NotOpaModule { missing });
    }
    let (declared_min, import_max) = module
        .imports()
        .find_map(|i| match i.ty() {
            ExternType::Memory(m) => Some((m.minimum(), m.maximum())),
            _ => None,
        })
        .unwrap_or((0, None));
    let min_pages = declared_min.max(pages_for(facts.data_end)).max(1);
    if let Some(max) = import_max
        && min_pages > max
    {
        return Err(WasmError::Instantiate(format!(
            "{path}: data segments need {min_pages} pages but the memory import allows at most {max}"
        )));
    }
    let needed = min_pages.saturating_mul(PAGE);
    if needed > opts.limits.max_memory_bytes as u64 {
        return Err(WasmError::InitialMemoryTooLarge {
            needed,
            limit: opts.limits.max_memory_bytes,
        });
    }
    let mut shared = ModuleShared {
        module,
        engine,
        path: path_kind,
        min_pages,
        import_max_pages: import_max,
        max_memory_bytes: opts.limits.max_memory_bytes,
        builtins: Arc::new(HashMap::new()),
        strict_builtin_errors: opts.strict_builtin_errors,
        timeout: opts.limits.timeout,
        fuel: opts.limits.fuel,
    };
    let mut first = WarmInstance::new(&shared)?;
    let (builtin_map, entry_map) = first.read_maps(&shared)?;
    let mut host_builtins = Vec::with_capacity(builtin_map.len());
    let mut slots = HashMap::with_capacity(builtin_map.len());
    for (name, id) in &builtin_map {
        let b = opts.registry.get(name).cloned();
        host_builtins.push(BuiltinInfo {
            name: name.clone(),
            id: *id,
            served: b.as_ref().map(|b| b.served()),
        });
        slots.insert(
            *id,
            BuiltinSlot {
                name: name.clone(),
                builtin: b,
            },
        );
    }
    host_builtins.sort_by(|a, b| a.name.cmp(&b.name));
    shared.builtins = Arc::new(slots);
    first.set_builtins(shared.builtins.clone());
    let mut native: Vec<String> = facts
        .function_names
        .iter()
        .filter(|n| n.starts_with("opa_"))
        .cloned()
        .collect();
    native.sort();
    native.dedup();
    let info = ModuleInfo {
        path: path.to_string(),
        size_bytes: bytes.len(),
        abi,
        eval_path: path_kind,
        entrypoints: entry_map.clone(),
        host_builtins,
        native_functions: native,
        initial_pages: min_pages,
        declared_min_pages: declared_min,
    };
    let pool = ModulePool {
        shared,
        idle: Mutex::new(vec![first]),
        max_idle: opts.max_idle_instances.max(1),
    };
    Ok((pool, info, entry_map))
}

/// Normalise an entrypoint spelling: `data.a.b` → `a/b`, `a.b` → `a/b`.
fn entrypoint_spellings(name: &str) -> Vec<String> {
    let name = name.trim();
    let mut out = vec![name.to_string()];
    let stripped = name.strip_prefix("data.").unwrap_or(name);
    let stripped = stripped.strip_prefix('/').unwrap_or(stripped);
    out.push(stripped.to_string());
    if !stripped.contains('/') {
        out.push(stripped.replace('.', "/"));
    }
    out
}

impl WasmPolicy {
    /// Load a bare `.wasm` module or an OPA bundle (`.tar.gz`), detected by
    /// its first bytes.
    pub fn load(bytes: &[u8], options: &WasmOptions) -> Result<WasmPolicy, WasmError> {
        match SourceKind::detect(bytes) {
            Some(SourceKind::Module) => WasmPolicy::load_module(bytes, options),
            Some(SourceKind::Bundle) => WasmPolicy::load_bundle(bytes, options),
            None => Err(WasmError::InvalidModule(
                "neither a Wasm module (\\0asm) nor a gzip-compressed OPA bundle".into(),
            )),
        }
    }

    /// Load a bare `.wasm` module with empty data.
    pub fn load_module(bytes: &[u8], options: &WasmOptions) -> Result<WasmPolicy, WasmError> {
        WasmPolicy::assemble(
            vec![("policy.wasm".to_string(), bytes.to_vec())],
            Value::object(Vec::new()),
            None,
            options,
        )
    }

    /// Load an OPA bundle: `/policy.wasm` and every module the manifest
    /// names, with the bundle's merged data.
    pub fn load_bundle(bytes: &[u8], options: &WasmOptions) -> Result<WasmPolicy, WasmError> {
        let b = bundle::read_bundle(bytes, options.bundle_limits)?;
        WasmPolicy::from_bundle(b, options)
    }

    /// Load from an already-read [`Bundle`].
    pub fn from_bundle(b: Bundle, options: &WasmOptions) -> Result<WasmPolicy, WasmError> {
        let Bundle {
            manifest,
            mut modules,
            data,
            ..
        } = b;
        let mut selected: Vec<(String, Vec<u8>)> = Vec::new();
        if let Some(m) = &manifest {
            for entry in &m.wasm {
                let key = bundle::normalize_path(&entry.module)?.join("/");
                if selected.iter().any(|(p, _)| *p == key) {
                    continue;
                }
                let bytes = modules
                    .remove(&key)
                    .ok_or_else(|| super::BundleError::MissingModule(entry.module.clone()))?;
                selected.push((key, bytes));
            }
        }
        if let Some(bytes) = modules.remove("policy.wasm") {
            selected.push(("policy.wasm".into(), bytes));
        }
        for other in modules.keys() {
            tracing::debug!(module = %other, "bundle module not named in the manifest; ignored");
        }
        if selected.is_empty() {
            return Err(super::BundleError::NoModule.into());
        }
        WasmPolicy::assemble(selected, data, manifest, options)
    }

    fn assemble(
        sources: Vec<(String, Vec<u8>)>,
        data: Value,
        manifest: Option<Manifest>,
        options: &WasmOptions,
    ) -> Result<WasmPolicy, WasmError> {
        let mut modules = Vec::new();
        let mut infos = Vec::new();
        let mut entrypoints = BTreeMap::new();
        for (idx, (path, bytes)) in sources.iter().enumerate() {
            let (pool, info, entry_map) = load_module_pool(path, bytes, options)?;
            // Manifest entries route an entrypoint to its module first.
            if let Some(m) = &manifest {
                for e in m.wasm.iter() {
                    let key = bundle::normalize_path(&e.module)?.join("/");
                    if key != *path {
                        continue;
                    }
                    let id = entry_map
                        .as_ref()
                        .and_then(|em| em.iter().find(|(n, _)| *n == e.entrypoint))
                        .map(|(_, id)| *id);
                    match id {
                        Some(id) => {
                            entrypoints.insert(e.entrypoint.clone(), (idx, id));
                        }
                        None if entry_map.is_none() => {
                            entrypoints.insert(e.entrypoint.clone(), (idx, 0));
                        }
                        None => tracing::warn!(
                            entrypoint = %e.entrypoint, module = %path,
                            "manifest names an entrypoint the module does not export"
                        ),
                    }
                }
            }
            for (name, id) in entry_map.iter().flatten() {
                entrypoints.entry(name.clone()).or_insert((idx, *id));
            }
            modules.push(pool);
            infos.push(info);
        }
        let info = PolicyInfo {
            modules: infos,
            manifest,
        };
        let missing = info.missing_builtins();
        if !missing.is_empty() && !options.allow_missing_builtins {
            return Err(WasmError::MissingBuiltins { names: missing });
        }
        let policy = WasmPolicy {
            modules,
            entrypoints,
            data: RwLock::new(Arc::new(DataDoc::new(data, 0))),
            generation: AtomicU64::new(0),
            max_input_bytes: options.limits.max_input_bytes,
            info,
        };
        // Load the data into the first instance now: bad data fails here.
        for pool in &policy.modules {
            let inst = policy.take(pool)?;
            policy.give(pool, inst);
        }
        Ok(policy)
    }

    /// What the policy is: ABI versions, entrypoints, builtins.
    pub fn info(&self) -> &PolicyInfo {
        &self.info
    }

    /// Entrypoint names, sorted. A module without an `entrypoints` export
    /// contributes none (evaluate it by id `0`).
    pub fn entrypoints(&self) -> Vec<String> {
        self.entrypoints.keys().cloned().collect()
    }

    /// The current data document.
    pub fn data(&self) -> Value {
        self.data.read().value.clone()
    }

    /// Replace the data document. Warm instances re-parse it on their next
    /// use; the module is not reloaded.
    pub fn set_data(&self, data: Value) -> Result<(), WasmError> {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let doc = Arc::new(DataDoc::new(data, generation));
        *self.data.write() = doc;
        // Validate now on one instance per module so a bad document
        // surfaces here rather than at the next evaluation.
        for pool in &self.modules {
            let inst = self.take(pool)?;
            self.give(pool, inst);
        }
        Ok(())
    }

    /// Resolve an entrypoint: a name (`a/b`, `data.a.b`) or a numeric id.
    fn resolve(&self, entrypoint: &str) -> Result<(usize, i32), WasmError> {
        for s in entrypoint_spellings(entrypoint) {
            if let Some(found) = self.entrypoints.get(&s) {
                return Ok(*found);
            }
        }
        let no_export = self.info.modules.iter().all(|m| m.entrypoints.is_none());
        if let Ok(id) = entrypoint.trim().parse::<i32>() {
            if self.modules.len() == 1 {
                let known = match &self
                    .info
                    .modules
                    .first()
                    .and_then(|m| m.entrypoints.as_ref())
                {
                    Some(list) => list.iter().any(|(_, i)| *i == id),
                    None => id == 0,
                };
                if known {
                    return Ok((0, id));
                }
            }
        } else if no_export && self.modules.len() == 1 {
            // Old modules have a single, unnamed entrypoint.
            return Ok((0, 0));
        }
        Err(WasmError::UnknownEntrypoint {
            name: entrypoint.to_string(),
            available: if no_export {
                vec!["0".into()]
            } else {
                self.entrypoints()
            },
        })
    }

    /// Evaluate an entrypoint (`a/b`, `data.a.b` or an id) on an input.
    pub fn eval(&self, entrypoint: &str, input: &Value) -> Result<Evaluation, WasmError> {
        let text = json_text(input);
        self.eval_json(entrypoint, Some(text.as_bytes()))
    }

    /// Evaluate with the input given as JSON text (`None`: no input, so
    /// `input` is undefined in the policy).
    pub fn eval_json(
        &self,
        entrypoint: &str,
        input: Option<&[u8]>,
    ) -> Result<Evaluation, WasmError> {
        let (idx, id) = self.resolve(entrypoint)?;
        if let Some(i) = input
            && i.len() > self.max_input_bytes
        {
            return Err(WasmError::LimitExceeded(LimitKind::InputSize(
                self.max_input_bytes,
            )));
        }
        let pool = self
            .modules
            .get(idx)
            .ok_or_else(|| WasmError::UnknownEntrypoint {
                name: entrypoint.to_string(),
                available: self.entrypoints(),
            })?;
        let mut inst = self.take(pool)?;
        // On error the instance is dropped, never returned to the pool.
        let (text, prints) = inst.eval(id, input, &pool.shared)?;
        self.give(pool, inst);
        let parsed = Value::from_json_str(&text)
            .map_err(|e| WasmError::Abi(format!("result set is not JSON: {e}")))?;
        let results = match parsed {
            Value::Array(items) => items.as_ref().clone(),
            Value::Set(items) => items.iter().cloned().collect(),
            other => {
                return Err(WasmError::Abi(format!(
                    "result set is a {}, not an array",
                    other.type_name()
                )));
            }
        };
        Ok(Evaluation {
            results,
            prints,
            engine: EngineKind::Wasm,
        })
    }

    /// A warm instance with the current data loaded.
    fn take(&self, pool: &ModulePool) -> Result<WarmInstance, WasmError> {
        let doc = self.data.read().clone();
        let mut inst = match pool.idle.lock().pop() {
            Some(i) => i,
            None => WarmInstance::new(&pool.shared)?,
        };
        if inst.data_generation != doc.generation {
            inst.load_data(&doc.text, doc.value_text, doc.generation, &pool.shared)?;
        }
        Ok(inst)
    }

    fn give(&self, pool: &ModulePool, inst: WarmInstance) {
        let mut idle = pool.idle.lock();
        if idle.len() < pool.max_idle {
            idle.push(inst);
        }
    }

    /// Statistics of the idle instances of module `index` (memory size,
    /// heap pointers).
    pub fn idle_instance_stats(&self, index: usize) -> Vec<InstanceStats> {
        let Some(pool) = self.modules.get(index) else {
            return Vec::new();
        };
        pool.idle
            .lock()
            .iter_mut()
            .map(|i| InstanceStats {
                memory_bytes: i.memory_bytes(),
                data_heap_ptr: i.data_heap(),
                heap_ptr: i.heap_ptr(),
            })
            .collect()
    }
}
