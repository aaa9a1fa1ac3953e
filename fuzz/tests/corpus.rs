//! Replays every file of `fuzz/corpus/<target>/` through its target, so `cargo test -p hpo-fuzz`
//! checks on stable Rust, without AFL, that nothing AFL kept (crashes found and fixed included)
//! panics again.

use std::path::Path;

#[test]
fn every_corpus_file_replays_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, target) in hpo_fuzz::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus folder {}: {e}", dir.display()))
            .map(|entry| entry.expect("a corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(
            files.len() >= 4,
            "target `{name}` has only {} corpus files",
            files.len()
        );
        for file in files {
            let data = std::fs::read(&file).expect("reading a corpus file");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(
                outcome.is_ok(),
                "target `{name}` panics on {}",
                file.display()
            );
        }
    }
}
