//! AFL++ entry point for [`hpo_fuzz::journal`]: `cargo afl build -p hpo-fuzz --features afl`, then
//! `cargo afl fuzz -i fuzz/corpus/journal -o OUT target/debug/fuzz_journal`.

fn main() {
    afl::fuzz!(|data: &[u8]| hpo_fuzz::journal(data));
}
