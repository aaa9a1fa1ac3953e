//! AFL++ entry point for [`hpo_fuzz::search_space_json`]: `cargo afl build -p hpo-fuzz --features afl`, then
//! `cargo afl fuzz -i fuzz/corpus/search_space_json -o OUT target/debug/fuzz_search_space_json`.

fn main() {
    afl::fuzz!(|data: &[u8]| hpo_fuzz::search_space_json(data));
}
