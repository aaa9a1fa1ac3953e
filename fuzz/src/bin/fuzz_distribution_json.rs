//! AFL++ entry point for [`hpo_fuzz::distribution_json`]: `cargo afl build -p hpo-fuzz --features afl`, then
//! `cargo afl fuzz -i fuzz/corpus/distribution_json -o OUT target/debug/fuzz_distribution_json`.

fn main() {
    afl::fuzz!(|data: &[u8]| hpo_fuzz::distribution_json(data));
}
