//! MysqlStorage against the real server (MariaDB at mysql+pymysql://root@127.0.0.1:3306/test, or
//! HPO_MYSQL_URL): replay across connections, concurrent writers, bad input, and (ignored unless
//! HPO_PYTHON names a Python with optuna 5.0 and pymysql) interop with Optuna both ways.
//! Study names are unique per run and every test deletes its studies.

use std::sync::Arc;

use hpo_core::Storage;
use hpo_storage::MysqlStorage;
use mysql::prelude::Queryable;

mod server;

fn url() -> String {
    server::url_from_env("HPO_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
}

/// A connection to the test server; fails loudly (never skips) without one.
fn storage() -> Arc<dyn Storage> {
    server::connect(
        MysqlStorage::open,
        &url(),
        "MySQL or MariaDB",
        "HPO_MYSQL_URL",
    )
}

server::shared_server_tests! {
    storage: storage,
    url: url,
    open_url: |url| Arc::new(MysqlStorage::open(url).unwrap()),
    // The driver would otherwise switch from TCP on 127.0.0.1 to the server's Unix socket,
    // around the proxy.
    proxied: format!("{}?prefer_socket=false", url()),
    port: 3306,
    ignore: "needs Python with optuna 5.0 and pymysql: set HPO_PYTHON (.ci/run does)",
    to_optuna: optuna_reads_what_hpo_writes_to_mysql,
    from_optuna: hpo_reads_what_optuna_writes_to_mysql_and_both_optimize_one_study,
}

#[test]
fn bad_input_is_a_clear_error_and_loses_nothing() {
    server::bad_values_are_clear_errors_and_lose_nothing(storage);

    // A database that does not exist, and a wrong password.
    // (An unreachable server has a test of its own.)
    let server = url();
    server::assert_missing_database_named(MysqlStorage::open, &server);
    let wrong = server.replacen("root@", "root:hunter2@", 1);
    if wrong != server {
        let err = MysqlStorage::open(&wrong).unwrap_err().to_string();
        assert!(err.contains("denied") && !err.contains("hunter2"), "{err}");
    }
}

/// A fresh database `hpo_{purpose}_{pid}`, so that what a test does to it touches no other
/// test: an admin connection (to drop it with), its name and its URL.
fn own_database(purpose: &str) -> (mysql::Conn, String, String) {
    let admin = url();
    let (db, url) = server::own_database_name(&admin, purpose);
    let plain = admin.replacen("mysql+pymysql://", "mysql://", 1);
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&plain).unwrap()).unwrap();
    conn.query_drop(format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    conn.query_drop(format!("CREATE DATABASE {db}")).unwrap();
    (conn, db, url)
}

#[test]
fn a_schema_of_another_version_is_refused() {
    // A database of its own, so other tests never see the changed version.
    let (mut conn, db, url) = own_database("schema");
    drop(MysqlStorage::open(&url).unwrap());
    conn.query_drop(format!("UPDATE {db}.version_info SET schema_version = 11"))
        .unwrap();
    let err = MysqlStorage::open(&url).unwrap_err().to_string();
    conn.query_drop(format!("DROP DATABASE {db}")).unwrap();
    assert!(err.contains("schema version 11"), "{err}");
}

#[test]
fn an_unreachable_server_is_an_error_in_words_naming_it() {
    // Nothing listens on port 1.
    server::assert_unreachable_server_named(
        MysqlStorage::open,
        "mysql://someone:hunter2@127.0.0.1:1/test",
        "MySQL mysql://someone:***@127.0.0.1:1/test: cannot connect: ",
        &["IoError", "DriverError"],
    );
}

/// A killed connection is replaced and the read retried; with retrying turned off, the error
/// names the server and the operation, as text.
#[test]
fn a_lost_connection_is_replaced_or_an_error_naming_the_server_and_the_operation() {
    // A database of its own, so that killing its connection touches no other test.
    let (mut conn, db, url) = own_database("lost");
    let kill = || {
        let ids: Vec<u64> = conn
            .exec(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ?",
                (&db,),
            )
            .unwrap();
        assert_eq!(ids.len(), 1, "the storage's connection");
        conn.query_drop(format!("KILL {}", ids[0])).unwrap();
    };
    let (study, err) = server::lost_connection_error(MysqlStorage::open(&url).unwrap(), kill);
    conn.query_drop(format!("DROP DATABASE {db}")).unwrap();
    server::assert_in_words(
        &err,
        &format!("MySQL {url}: cannot read study {study}: "),
        &["IoError", "DriverError"],
    );
}
