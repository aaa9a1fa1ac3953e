//! Every misuse of `#[derive(SearchSpace)]` is a compile error at the offending attribute or
//! field (snapshots in `tests/ui/*.stderr`, pinned to the Rust 1.95 toolchain used here;
//! regenerate with `TRYBUILD=overwrite cargo test -p hpo --test compile_fail`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
