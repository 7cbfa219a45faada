//! One module per subcommand: `Args` (clap) and `run`.

pub mod builtins;
pub mod compliance;
pub mod eval;
pub mod inspect;
pub mod serve;
pub mod test;
pub mod verify;
