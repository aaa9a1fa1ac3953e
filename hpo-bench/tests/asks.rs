//! `hpo-bench asks`: TPE's next proposal on a fixed history, once per seed. The history is
//! written here by hpo itself (Optuna writes it in `bench/compare.sh asks`; the journal format is
//! the same), and must come out unchanged.

use std::path::Path;
use std::process::Command;

use hpo::{Study, TpeSampler};
use serde_json::Value;

/// `hpo-bench asks` on branin's history in `storage`, `seeds` proposals into `out`.
fn asks(storage: &Path, seeds: u32, out: &Path) -> std::process::Output {
    asks_on("branin", storage, seeds, out)
}

/// `hpo-bench asks` on `problem`'s history in `storage`.
fn asks_on(problem: &str, storage: &Path, seeds: u32, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hpo-bench"))
        .args(["asks", "--problem", problem, "--seeds", &seeds.to_string()])
        .arg("--storage")
        .arg(storage)
        .arg("--out")
        .arg(out)
        .env_remove("HPO_VERBOSITY")
        .output()
        .expect("hpo-bench runs")
}

/// The proposals `hpo-bench asks` wrote to `out`, once `run` has succeeded.
fn proposals_of(run: std::process::Output, out: &Path) -> Value {
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out).expect("out")).expect("json");
    json["proposals"].clone()
}

fn history(dir: &std::path::Path) -> std::path::PathBuf {
    hpo::logging::set_verbosity(hpo::logging::Verbosity::Warning);
    let path = dir.join("history.log");
    let storage = hpo::open_storage(&format!("journal:{}", path.display())).expect("journal");
    let study = Study::builder()
        .name("history")
        .storage_arc(storage)
        .sampler(TpeSampler::with_seed(1))
        .build()
        .expect("study");
    study
        .optimize(30, |t| {
            let x = t.suggest_float("x0", -5.0, 10.0)?;
            let y = t.suggest_float("x1", 0.0, 15.0)?;
            Ok((x - 3.0).powi(2) + (y - 2.0).powi(2))
        })
        .expect("history");
    path
}

#[test]
fn one_proposal_per_seed_and_the_history_unchanged() {
    let dir = std::env::temp_dir().join(format!("hpo-bench-asks-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = history(&dir);
    let before = std::fs::read(&path).expect("history bytes");
    let out = dir.join("asks.json");
    let json = proposals_of(asks(&path, 12, &out), &out);
    let proposals = json.as_array().expect("proposals");
    assert_eq!(proposals.len(), 12);
    for p in proposals {
        let x0 = p["x0"].as_f64().expect("x0");
        let x1 = p["x1"].as_f64().expect("x1");
        assert!(
            (-5.0..=10.0).contains(&x0) && (0.0..=15.0).contains(&x1),
            "{p}"
        );
    }
    // Different seeds, different proposals; the same history for each (the file is untouched).
    assert!(proposals.windows(2).any(|w| w[0] != w[1]));
    assert_eq!(std::fs::read(&path).expect("history bytes"), before);
    // Seeded: a second run proposes the same.
    let again = dir.join("again.json");
    assert_eq!(proposals_of(asks(&path, 12, &again), &again), json);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_study_or_file_is_named() {
    let dir = std::env::temp_dir().join(format!("hpo-bench-asks-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("x.json");
    let missing = dir.join("nothing.log");
    let run = asks(&missing, 3, &out);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("nothing.log"), "{err}");
    // A journal without a study named `history`.
    let other = dir.join("other.log");
    let storage = hpo::open_storage(&format!("journal:{}", other.display())).expect("journal");
    Study::builder()
        .name("other")
        .storage_arc(storage)
        .build()
        .expect("study");
    let run = asks(&other, 3, &out);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("history"), "{err}");
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A two-objective history (ZDT1's 30 variables): the proposals come from multi-objective TPE.
#[test]
fn a_two_objective_history() {
    hpo::logging::set_verbosity(hpo::logging::Verbosity::Warning);
    let dir = std::env::temp_dir().join(format!("hpo-bench-asks-zdt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("zdt1.log");
    let storage = hpo::open_storage(&format!("journal:{}", path.display())).expect("journal");
    let study = Study::builder()
        .name("history")
        .directions([hpo::StudyDirection::Minimize; 2])
        .storage_arc(storage)
        .sampler(TpeSampler::with_seed(2))
        .build()
        .expect("study");
    study
        .optimize(20, |t| {
            let x: Vec<f64> = (0..30)
                .map(|i| t.suggest_float(&format!("x{i}"), 0.0, 1.0))
                .collect::<Result<_, _>>()?;
            let g = 1.0 + 9.0 * x[1..].iter().sum::<f64>() / 29.0;
            Ok(vec![x[0], g * (1.0 - (x[0] / g).sqrt())])
        })
        .expect("history");
    let out = dir.join("asks.json");
    let json = proposals_of(asks_on("zdt1", &path, 4, &out), &out);
    let proposals = json.as_array().expect("proposals");
    assert_eq!(proposals.len(), 4);
    for p in proposals {
        let p = p.as_object().expect("params");
        assert_eq!(p.len(), 30);
        assert!(
            p.values()
                .all(|v| (0.0..=1.0).contains(&v.as_f64().expect("float")))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
