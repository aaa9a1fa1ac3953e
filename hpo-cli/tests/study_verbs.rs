//! create-study, studies, study-names, study set-user-attr, delete-study, storage errors.

mod common;

use common::{Env, KINDS, hpo};
use std::process::Command;

#[test]
fn create_list_and_delete_studies() {
    for kind in KINDS {
        let env = Env::new(kind);
        env.create("alpha", &[]);
        env.create("beta", &["--direction", "maximize"]);
        env.create("mo", &["--directions", "minimize", "maximize"]);

        // study-names: one per line by default (Optuna's `value` format).
        let names = env.ok(&["study-names"]);
        assert_eq!(
            names.lines().collect::<Vec<_>>(),
            ["alpha", "beta", "mo"],
            "{kind:?}"
        );
        let json = env.json(&["study-names", "-f", "json"]);
        assert_eq!(
            json,
            serde_json::json!([{"name": "alpha"}, {"name": "beta"}, {"name": "mo"}])
        );

        // studies: Optuna's columns.
        let table = env.ok(&["studies"]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("+-"), "{table}");
        assert!(
            lines[1].contains("name")
                && lines[1].contains("direction")
                && lines[1].contains("n_trials")
                && lines[1].contains("datetime_start"),
            "{table}"
        );
        assert!(table.contains("('MINIMIZE', 'MAXIMIZE')"), "{table}");
        assert!(table.contains("('MAXIMIZE',)"), "{table}");
        let studies = env.json(&["studies", "-f", "json"]);
        assert_eq!(studies.as_array().unwrap().len(), 3);
        assert_eq!(
            studies[2]["direction"],
            serde_json::json!(["MINIMIZE", "MAXIMIZE"])
        );
        assert_eq!(studies[0]["n_trials"], 0);
        let flat = env.json(&["studies", "-f", "json", "--flatten"]);
        assert_eq!(flat[2]["direction_1"], "MAXIMIZE");
        let yaml = env.ok(&["studies", "-f", "yaml"]);
        assert!(
            yaml.contains("- datetime_start: null\n  direction:\n  - MINIMIZE"),
            "{yaml}"
        );
        assert!(yaml.contains("  name: alpha"), "{yaml}");

        // set-user-attr adds the user_attrs column.
        env.ok(&[
            "study",
            "set-user-attr",
            "--study",
            "alpha",
            "-k",
            "owner",
            "--value",
            "bob",
        ]);
        let studies = env.json(&["studies", "-f", "json"]);
        assert_eq!(
            studies[0]["user_attrs"],
            serde_json::json!({"owner": "bob"})
        );
        assert_eq!(studies[1]["user_attrs"], serde_json::json!({}));

        // Duplicates: an error, unless --skip-if-exists.
        let err = env.fails(&["create-study", "--study", "alpha"]);
        assert!(
            err.contains("already exists") && err.contains("--skip-if-exists"),
            "{err}"
        );
        let out = env.ok(&["create-study", "--study", "alpha", "--skip-if-exists"]);
        assert_eq!(out.trim(), "alpha");

        // Deleting.
        env.ok(&["delete-study", "--study", "beta"]);
        assert_eq!(
            env.ok(&["study-names"]).lines().collect::<Vec<_>>(),
            ["alpha", "mo"]
        );
        let err = env.fails(&["delete-study", "--study", "beta"]);
        assert!(
            err.contains("no study named `beta`") && err.contains("alpha, mo"),
            "{err}"
        );

        // --study-name is Optuna's spelling.
        env.ok(&["delete-study", "--study-name", "alpha"]);
        assert_eq!(env.ok(&["study-names"]).trim(), "mo");
    }
}

#[test]
fn a_study_without_a_name_gets_one() {
    let env = Env::new(common::Kind::Sqlite);
    let name = env.ok(&["create-study"]);
    assert!(name.trim().starts_with("no-name-"), "{name}");
    // With one study in the storage, --study may be left out.
    let trials = env.ok(&["trials", "-f", "json"]);
    assert_eq!(trials.trim(), "[]");
}

#[test]
fn unknown_studies_list_what_exists() {
    for kind in KINDS {
        let env = Env::new(kind);
        let err = env.fails(&["trials", "--study", "ghost"]);
        assert!(
            err.contains("no study named `ghost`") && err.contains("holds no study"),
            "{err}"
        );
        env.create("real", &[]);
        env.create("other", &[]);
        for verb in ["trials", "best-trial", "best-trials", "export"] {
            let err = env.fails(&[verb, "--study", "ghost"]);
            assert!(
                err.contains("no study named `ghost`") && err.contains("real, other"),
                "{verb}: {err}"
            );
        }
        let err = env.fails(&["trials"]);
        assert!(
            err.contains("--study") && err.contains("real, other"),
            "{err}"
        );
    }
}

#[test]
fn storage_errors_say_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    // `hpo LINE` (split at white space) in the directory, with `envs` set.
    let run = |line: &str, envs: &[(&str, &str)]| {
        let mut cmd = Command::new(hpo());
        cmd.args(line.split_whitespace())
            .current_dir(dir.path())
            .env_remove("HPO_STORAGE")
            .env_remove("OPTUNA_STORAGE");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // `studies --storage <storage>` fails; its error.
    let refused = |storage: &str| {
        let out = run(&format!("studies --storage {storage}"), &[]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{err}");
        err
    };
    let out = run("studies", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--storage") && err.contains("sqlite:///") && err.contains("journal:"),
        "{err}"
    );
    // A missing file with no SQLite or journal extension: which storage is unknown.
    let err = refused("nothing-here");
    assert!(err.contains("journal:nothing-here"), "{err}");
    let err = refused("ftp://host/x");
    assert!(err.contains("ftp://"), "{err}");
    // The shared grammar's hints reach the command line.
    let err = refused("sqlite://x.db");
    assert!(err.contains("did you mean sqlite:///x.db?"), "{err}");
    let err = refused("no_such_dir/x.db");
    assert!(
        err.contains("its directory no_such_dir does not exist"),
        "{err}"
    );

    // HPO_STORAGE, then OPTUNA_STORAGE; a bare .db path is SQLite.
    let out = run("create-study --study e -q", &[("HPO_STORAGE", "env.db")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run("study-names", &[("OPTUNA_STORAGE", "sqlite:///env.db")]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "e");
    // An existing journal file is found by its path alone.
    let out = run("create-study --study j --storage journal:j.log -q", &[]);
    assert!(out.status.success());
    let out = run("study-names --storage j.log", &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "j");
    let out = run(
        "study-names --storage j.log --storage-class JournalFileBackend",
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "j");
}

#[test]
fn logs_go_to_stderr_and_quiet_silences_them() {
    let env = Env::new(common::Kind::Sqlite);
    let out = Command::new(hpo())
        .args(["create-study", "--study", "s", "--storage", &env.url])
        .env_remove("HPO_VERBOSITY")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "s\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("[I ") && err.contains("s"), "{err}");
    let out = Command::new(hpo())
        .args(["delete-study", "--study", "s", "--storage", &env.url, "-q"])
        .env_remove("HPO_VERBOSITY")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
