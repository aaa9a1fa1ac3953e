//! PostgresStorage against the real server (postgresql://postgres@127.0.0.1:5432/test, or
//! HPO_POSTGRES_URL): replay across connections, concurrent writers, bad input, and (ignored
//! unless HPO_PYTHON names a Python with optuna 5.0 and psycopg) interop with Optuna both ways.
//! Study names are unique per run and every test deletes its studies.

use std::sync::Arc;

use hpo_core::Storage;
use hpo_storage::PostgresStorage;

mod server;

fn url() -> String {
    server::url_from_env(
        "HPO_POSTGRES_URL",
        "postgresql://postgres@127.0.0.1:5432/test",
    )
}

/// A connection to the test server; fails loudly (never skips) without one.
fn storage() -> Arc<dyn Storage> {
    server::connect(
        PostgresStorage::open,
        &url(),
        "PostgreSQL",
        "HPO_POSTGRES_URL",
    )
}

server::shared_server_tests! {
    storage: storage,
    url: url,
    open_url: |url| Arc::new(PostgresStorage::open(url).unwrap()),
    proxied: url(),
    port: 5432,
    ignore: "needs Python with optuna 5.0 and psycopg: set HPO_PYTHON (.ci/run does)",
    to_optuna: optuna_reads_what_hpo_writes_to_postgresql,
    from_optuna: hpo_reads_what_optuna_writes_to_postgresql_and_both_optimize_one_study,
}

#[test]
fn bad_input_is_a_clear_error_and_loses_nothing() {
    server::bad_values_are_clear_errors_and_lose_nothing(storage);

    // A database that does not exist, and a role that does not exist.
    // (An unreachable server has a test of its own.)
    let server = url();
    server::assert_missing_database_named(PostgresStorage::open, &server);
    let no_role = server.replacen("postgres@", "hpo_no_such_role:hunter2@", 1);
    if no_role != server {
        let err = PostgresStorage::open(&no_role).unwrap_err().to_string();
        assert!(
            err.contains("hpo_no_such_role") && !err.contains("hunter2"),
            "{err}"
        );
    }
}

/// A fresh database `hpo_{purpose}_{pid}`, so that what a test does to it touches no other
/// test: an admin connection (to drop it with), its name and its URL.
fn own_database(purpose: &str) -> (postgres::Client, String, String) {
    let admin = url();
    let (db, url) = server::own_database_name(&admin, purpose);
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    (client, db, url)
}

#[test]
fn a_schema_of_another_version_is_refused() {
    // A database of its own, so other tests never see the changed version.
    let (mut client, db, url) = own_database("schema");
    drop(PostgresStorage::open(&url).unwrap());
    let mut inside = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    inside
        .batch_execute("UPDATE version_info SET schema_version = 11")
        .unwrap();
    drop(inside);
    let err = PostgresStorage::open(&url).unwrap_err().to_string();
    client
        .batch_execute(&format!("DROP DATABASE {db}"))
        .unwrap();
    assert!(err.contains("schema version 11"), "{err}");
}

#[test]
fn an_unreachable_server_is_an_error_in_words_naming_it() {
    // Nothing listens on port 1.
    server::assert_unreachable_server_named(
        PostgresStorage::open,
        "postgresql://someone:hunter2@127.0.0.1:1/test",
        "PostgreSQL postgresql://someone:***@127.0.0.1:1/test: cannot connect: ",
        &["kind:"],
    );
}

/// A terminated connection is replaced and the read retried; with retrying turned off, the
/// error names the server and the operation, as text.
#[test]
fn a_lost_connection_is_replaced_or_an_error_naming_the_server_and_the_operation() {
    // A database of its own, so that closing its connections touches no other test.
    let (mut client, db, url) = own_database("lost");
    let terminate = || {
        client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                &[&db],
            )
            .unwrap();
    };
    let (study, err) =
        server::lost_connection_error(PostgresStorage::open(&url).unwrap(), terminate);
    client
        .batch_execute(&format!("DROP DATABASE {db}"))
        .unwrap();
    server::assert_in_words(
        &err,
        &format!("PostgreSQL {url}: cannot read study {study}: "),
        &["kind:"],
    );
}
