//! `hpo dashboard`: serves the storage given positionally or with --storage, prints its address
//! on stdout, and never shows a storage password.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use common::{Env, KINDS, hpo};

/// A running `hpo dashboard`, killed on drop, and the address it printed.
struct Served {
    child: Child,
    url: String,
    first_line: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(hpo())
        .arg("dashboard")
        .args(args)
        .args(["--port", "0"])
        .env_remove("HPO_STORAGE")
        .env_remove("OPTUNA_STORAGE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hpo dashboard");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("no address in `{line}`; stderr: {err}")
        })
        .to_owned();
    Served {
        child,
        url,
        first_line: line,
    }
}

/// `GET url` (an absolute `http://host:port/path`): status line and body.
fn fetch(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn serves_the_storage_given_positionally_or_with_storage() {
    for kind in KINDS {
        let env = Env::with_study(kind, "seen-in-browser", &[]);
        for args in [vec![env.url.as_str()], vec!["--storage", env.url.as_str()]] {
            let served = serve(&args);
            assert!(
                served.first_line.contains("(read-only)"),
                "{}",
                served.first_line
            );
            assert!(
                served.url.starts_with("http://127.0.0.1:"),
                "binds to 127.0.0.1 by default"
            );
            let (status, body) = fetch(&served.url);
            assert!(status.contains("200"), "{status}");
            assert!(
                body.contains(">seen-in-browser</a>"),
                "{kind:?} {args:?}: {body}"
            );
        }
    }
}

#[test]
fn a_storage_that_cannot_be_opened_is_an_error_naming_it() {
    let out = Command::new(hpo())
        .args([
            "dashboard",
            "mysql://nobody@127.0.0.1:1/none",
            "--port",
            "0",
        ])
        .env_remove("HPO_STORAGE")
        .env_remove("OPTUNA_STORAGE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open storage `mysql://nobody@127.0.0.1:1/none`"),
        "{err}"
    );
}

#[test]
fn the_storage_password_never_appears_in_pages_or_output() {
    // Needs the PostgreSQL server of the test environment (127.0.0.1:5432, trust
    // authentication: any password is accepted, so one can be put in the URL).
    if TcpStream::connect("127.0.0.1:5432").is_err() {
        panic!("this test needs PostgreSQL on 127.0.0.1:5432 (database `test`, trust auth)");
    }
    let url = "postgresql://postgres:s3cret-pw@127.0.0.1:5432/test";
    let served = serve(&[url, "--allow-writes"]);
    assert!(
        served.first_line.contains("postgres:***@127.0.0.1"),
        "{}",
        served.first_line
    );
    assert!(served.first_line.contains("(writes allowed)"));
    let (_, body) = fetch(&served.url);
    assert!(
        body.contains("postgres:***@127.0.0.1"),
        "the header names the storage"
    );
    for line in [&served.first_line, &body] {
        assert!(!line.contains("s3cret-pw"), "password shown: {line}");
    }
    let (status, _) = fetch(&format!("{}studies/987654321", served.url));
    assert!(status.contains("404"));
}
