//! AFL++ entry point for [`hpo_fuzz::storage_url`]: `cargo afl build -p hpo-fuzz --features afl`, then
//! `cargo afl fuzz -i fuzz/corpus/storage_url -o OUT target/debug/fuzz_storage_url`.

fn main() {
    afl::fuzz!(|data: &[u8]| hpo_fuzz::storage_url(data));
}
