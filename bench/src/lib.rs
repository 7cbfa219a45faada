//! Shared fixtures for regowasm's criterion benchmarks.
