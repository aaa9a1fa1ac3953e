//! What the dashboard's tests share: a minimal HTTP client (no client library: a request is a
//! few lines over a TCP stream), a storage that can be made to fail, and study fixtures.

#![allow(dead_code)] // each test file uses part of this

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hpo_core::storage::{FinishedSince, StudyId, StudyRecord, TrialId};
use hpo_core::{
    Attrs, Distribution, Error, FrozenTrial, InMemoryStorage, Result, Storage, StudyDirection,
    TrialState,
};
use serde_json::Value;

pub mod webdriver;

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body as text (a compressed body comes out garbled).
    pub body: String,
}

impl Reply {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request and reads the whole answer (`Connection: close`).
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut s = TcpStream::connect(addr).expect("the dashboard accepts connections");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "GET" {
        let kind = if body.starts_with('{') {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        req.push_str(&format!(
            "Content-Type: {kind}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    // Read the head, then as much body as Content-Length says (a server may keep the
    // connection open whatever the request asked), or to the end of the stream.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "the connection closed before an HTTP head");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut payload = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    match length {
        Some(len) => {
            while payload.len() < len {
                let n = s.read(&mut buf).unwrap();
                assert!(n > 0, "the connection closed inside a body");
                payload.extend_from_slice(&buf[..n]);
            }
            payload.truncate(len);
        }
        None => {
            s.read_to_end(&mut payload).unwrap();
        }
    }
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        payload = dechunk(&payload);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&payload).into_owned(),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

/// `GET path`.
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, &[], "")
}

/// A POST of the form `body` to `path`, with `headers`.
pub fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    request(addr, "POST", path, headers, body)
}

/// The token of the first write form on `page`.
pub fn token_in(page: &str) -> String {
    let at = page
        .find("name=\"token\" value=\"")
        .expect("a write form with a token");
    let rest = &page[at + "name=\"token\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A storage over an in-memory one that fails every call while `down` is set, as a database
/// server that went away would.
#[derive(Debug, Default)]
pub struct Flaky {
    inner: InMemoryStorage,
    /// While set, every call fails with a storage error.
    pub down: AtomicBool,
}

impl Flaky {
    fn check(&self) -> Result<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(Error::Storage(
                "connection refused (the test took the server down)".into(),
            ))
        } else {
            Ok(())
        }
    }
}

macro_rules! forward {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $( fn $name(&self $(, $arg: $ty)*) -> $ret {
            self.check()?;
            self.inner.$name($($arg),*)
        } )*
    };
}

impl Storage for Flaky {
    forward! {
        fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId>;
        fn delete_study(&self, study_id: StudyId) -> Result<()>;
        fn set_study_user_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()>;
        fn set_study_system_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()>;
        fn get_study_id_from_name(&self, name: &str) -> Result<StudyId>;
        fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String>;
        fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>>;
        fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs>;
        fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs>;
        fn get_all_studies(&self) -> Result<Vec<StudyRecord>>;
        fn create_new_trial(&self, study_id: StudyId, template: Option<&FrozenTrial>) -> Result<Arc<FrozenTrial>>;
        fn set_trial_param(&self, trial_id: TrialId, name: &str, internal: f64, distribution: &Distribution) -> Result<()>;
        fn get_trial_id_from_study_id_trial_number(&self, study_id: StudyId, number: u64) -> Result<TrialId>;
        fn set_trial_state_values(&self, trial_id: TrialId, state: TrialState, values: Option<&[f64]>) -> Result<bool>;
        fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()>;
        fn set_trial_user_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()>;
        fn set_trial_system_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()>;
        fn get_trial(&self, trial_id: TrialId) -> Result<Arc<FrozenTrial>>;
        fn get_all_trials(&self, study_id: StudyId, states: Option<&[TrialState]>) -> Result<Vec<Arc<FrozenTrial>>>;
        fn finished_trials_since(&self, study_id: StudyId, cursor: usize) -> Result<FinishedSince>;
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

/// The hostile strings: a study, a parameter, choices and attributes full of markup.
pub const SCRIPT: &str = "<script>alert('xss')</script>";

/// Writes to `storage`: a study `plain` (40 trials: pruned, failed and complete, with
/// intermediate values and user attributes) and a study named [`SCRIPT`] whose parameter
/// names, choices, attributes and fail reason hold markup too. Returns their ids.
pub fn fill(storage: Arc<dyn Storage>) -> (StudyId, StudyId) {
    use hpo_core::{MedianPruner, OptimizeOptions, RandomSampler, Study, TrialError};
    let plain = Study::builder()
        .name("plain")
        .storage_arc(storage.clone())
        .sampler(RandomSampler::with_seed(3))
        .pruner(MedianPruner::new())
        .build()
        .unwrap();
    plain
        .optimize_with(OptimizeOptions::new().n_trials(40).catch(true), |trial| {
            let x = trial.suggest_float("x", -4.0, 4.0)?;
            let lr = trial.suggest_float_log("lr", 1e-4, 1e-1)?;
            let opt = trial.suggest_categorical("optimizer", &["adam", "sgd"])?;
            trial.set_user_attr("note", format!("trial {}", trial.number()))?;
            if trial.number() % 11 == 5 {
                return Err(TrialError::msg("diverged"));
            }
            let base = (x - 1.0).powi(2) + (lr.log10() + 2.0).abs();
            for step in 0..5u64 {
                let v = base + 2.0 / (step as f64 + 1.0) + if opt == "sgd" { 0.3 } else { 0.0 };
                trial.report_and_check(v, step)?;
            }
            Ok(base)
        })
        .unwrap();
    let evil = Study::builder()
        .name(SCRIPT)
        .storage_arc(storage.clone())
        .sampler(RandomSampler::with_seed(4))
        .build()
        .unwrap();
    evil.set_user_attr(SCRIPT, SCRIPT).unwrap();
    evil.optimize_with(OptimizeOptions::new().n_trials(6).catch(true), |trial| {
        let x = trial.suggest_float(SCRIPT, 0.0, 1.0)?;
        let c = trial.suggest_categorical("choice", &[SCRIPT, "<img src=x onerror=alert(2)>"])?;
        trial.set_user_attr(SCRIPT, SCRIPT)?;
        if trial.number() == 2 {
            return Err(TrialError::msg(SCRIPT));
        }
        Ok(x + c.len() as f64)
    })
    .unwrap();
    (plain.study_id(), evil.study_id())
}
