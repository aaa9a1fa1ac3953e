//! The journal in Redis, with Optuna's key layout (`JournalRedisBackend`): `<prefix>:log_number`
//! holds the number of the last record, `<prefix>:log:<n>` record `n` as JSON.

use std::time::{Duration, Instant};

use hpo_core::Result;
use hpo_core::storage::{JournalBackend, JournalStorage, LockGuard};
use parking_lot::Mutex;

use crate::place::Place;
use crate::retry::RetryPolicy;
use crate::url::redact;

/// A study storage on a Redis server, in Optuna's journal format and key layout, so Python's
/// `JournalStorage(JournalRedisBackend(url, prefix=...))` and hpo workers share one study. Made
/// the same way as in Python, `JournalStorage::new(RedisBackend::connect(url, prefix)?)`, or
/// from a URL with [`open`](crate::open)`("redis://host:port?prefix=NAME")`.
///
/// ```no_run
/// use hpo_core::{RandomSampler, Study};
/// use hpo_storage::{JournalRedisStorage, RedisBackend};
/// let storage = JournalRedisStorage::new(RedisBackend::connect("redis://127.0.0.1:6379", "")?)?;
/// let study = Study::builder()
///     .name("redis-demo")
///     .storage(storage)
///     .sampler(RandomSampler::with_seed(0))
///     .load_if_exists(true)
///     .build()?;
/// study.optimize(5, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))?;
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub type JournalRedisStorage = JournalStorage<RedisBackend>;

/// Appends records atomically with a Lua script that refuses when the log has moved on (the
/// storage then catches up and tries again), so concurrent writers never act on a stale replay.
/// Records are read in batches with `MGET`.
///
/// A dropped connection or a restarting server does not fail the study: when a command fails
/// because of the connection (an I/O error, a dropped or refused connection, a timeout; every
/// connection gets a 30 s read and write timeout) or because the server is not ready (`LOADING`
/// while it loads its dump, `TRYAGAIN`, `CLUSTERDOWN`, `MASTERDOWN`), the backend drops the
/// connection, waits, reconnects and runs the operation again, with jittered exponential backoff,
/// for up to 60 seconds after the first failure ([`RetryPolicy::default`]; change it with
/// [`retry`](Self::retry), turn it off with [`RetryPolicy::never`]). Then the error names the
/// server, the prefix, the operation and the last cause, and says how many attempts it made. An
/// append whose reply was lost is checked before it is run again, so a record is never written
/// twice. Every other error (a script error, a key of the wrong type, a refused password) is
/// returned at once, and [`connect`](Self::connect) itself never retries: a wrong URL fails at
/// once.
///
/// A log that went backwards (its keys deleted with `FLUSHDB` or `DEL`, or a replica that lags
/// behind what this storage already read) or that lost a record is an error naming the server
/// and the prefix: such a log can no longer be replayed, and appending to it would never succeed.
pub struct RedisBackend {
    /// The server (password masked) and the prefix, for messages.
    place: Place,
    prefix: String,
    /// Makes the connections: the first in `connect`, the next ones after a connection error.
    client: redis::Client,
    /// `None` after a connection error, until the next operation reconnects.
    connection: Mutex<Option<redis::Connection>>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("place", &self.place.to_string())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Compare-and-append: KEYS[1] = the counter, ARGV = (expected next number, key prefix of the
/// records, record). Returns the new record's number, or -1 when the log no longer ends where
/// the writer read it. A missing counter counts as -1 (Optuna sets it so before its first
/// `INCR`), so the first record is number 0.
const APPEND: &str = "\
local n = tonumber(redis.call('get', KEYS[1]) or '-1') \
if n + 1 ~= tonumber(ARGV[1]) then return -1 end \
n = n + 1 \
redis.call('set', KEYS[1], n) \
redis.call('set', ARGV[2] .. n, ARGV[3]) \
return n";

/// How many records one `MGET` fetches.
const BATCH: u64 = 1000;

/// How long a record whose number is taken may stay missing before the log counts as damaged.
/// Optuna's cluster mode numbers a record (`INCR`) before it stores it (`SET`), so a reader may
/// see the number a moment before the record; hpo's and Optuna's other writes are atomic.
const MISSING_RECORD_GRACE: Duration = Duration::from_secs(2);

/// How long making a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one command may wait to be sent or answered before the connection counts as lost
/// (a server that vanished without closing the connection would otherwise block forever).
const IO_TIMEOUT: Duration = Duration::from_secs(30);

const READ: &str = "read the journal";
const APPEND_TO: &str = "append to the journal";
const DELETE: &str = "delete the journal";

/// The driver's message, with any URL in it stripped of its password.
fn why(e: &redis::RedisError) -> String {
    redact(&e.to_string())
}

/// Whether `e` says that the connection or the server failed rather than the command, so that
/// the same command may succeed on a new connection: the driver's own classification of I/O
/// errors (dropped, refused, timed out) and the server's "not ready yet" answers (`LOADING`
/// while it loads its dump after a restart, a cluster or replica set between masters).
fn transient(e: &redis::RedisError) -> bool {
    use redis::{ErrorKind, ServerErrorKind};
    e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_timeout()
        || matches!(
            e.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
            )
        )
}

/// Why one attempt at an operation failed.
enum Failed {
    /// The connection or the server failed, not the command: reconnect and try again.
    Connection(redis::RedisError),
    /// Anything else, returned as it is.
    Final(hpo_core::Error),
}

impl From<hpo_core::Error> for Failed {
    fn from(e: hpo_core::Error) -> Self {
        Failed::Final(e)
    }
}

impl RedisBackend {
    /// Connects to the server at `url` (`redis://[user:password@]host[:port][/db]`), keys
    /// prefixed with `prefix` (Optuna's default: the empty string). An unreachable server or a
    /// refused password is an error naming the server, never the password, returned at once
    /// (only the operations of a connected backend are retried).
    pub fn connect(url: &str, prefix: &str) -> Result<Self> {
        let place = Place::url("Redis", url).with(format_args!("prefix `{prefix}`"));
        let fail = |e: redis::RedisError| place.error(format_args!("connect"), why(&e));
        let client = redis::Client::open(url).map_err(fail)?;
        let mut connection = Self::new_connection(&client).map_err(fail)?;
        // Authentication and database selection happen on connect; PING proves the server answers.
        redis::cmd("PING")
            .query::<String>(&mut connection)
            .map_err(fail)?;
        Ok(RedisBackend {
            place,
            prefix: prefix.to_owned(),
            client,
            connection: Mutex::new(Some(connection)),
            retry: RetryPolicy::default(),
        })
    }

    /// Sets how long, and how often, an operation that lost its connection is retried (by
    /// default [`RetryPolicy::default`]: 60 seconds); [`RetryPolicy::never`] returns the first
    /// connection error.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use hpo_storage::{JournalRedisStorage, RedisBackend, RetryPolicy};
    /// let backend = RedisBackend::connect("redis://127.0.0.1:6379", "")?
    ///     .retry(RetryPolicy::default().window(Duration::from_secs(300)));
    /// let storage = JournalRedisStorage::new(backend)?;
    /// # Ok::<(), hpo_core::Error>(())
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn new_connection(client: &redis::Client) -> redis::RedisResult<redis::Connection> {
        let connection = client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
        connection.set_read_timeout(Some(IO_TIMEOUT))?;
        connection.set_write_timeout(Some(IO_TIMEOUT))?;
        Ok(connection)
    }

    /// `e`, met while trying to `what`, as an attempt's failure.
    fn failed(&self, what: &str, e: redis::RedisError) -> Failed {
        if transient(&e) {
            Failed::Connection(e)
        } else {
            Failed::Final(self.place.error(format_args!("{what}"), why(&e)))
        }
    }

    /// Runs `attempt` on the connection (made anew if the last one failed) until it succeeds,
    /// fails for another reason than the connection, or the retry window is spent. After each
    /// connection failure the connection is dropped, so the next attempt starts on a fresh one
    /// (a connection whose reply was cut off mid-way is never reused). `attempt` must be safe to
    /// run again after it failed at any point; the one that is not by itself (the append)
    /// checks what its lost attempt did first.
    fn run<T>(
        &self,
        what: &str,
        mut attempt: impl FnMut(&mut redis::Connection) -> std::result::Result<T, Failed>,
    ) -> Result<T> {
        let mut slot = self.connection.lock();
        let mut backoff = None;
        loop {
            let result = match &mut *slot {
                Some(connection) => attempt(connection),
                None => match Self::new_connection(&self.client) {
                    Ok(connection) => attempt(slot.insert(connection)),
                    Err(e) => Err(self.failed(what, e)),
                },
            };
            let cause = match result {
                Ok(done) => return Ok(done),
                Err(Failed::Final(e)) => return Err(e),
                Err(Failed::Connection(cause)) => cause,
            };
            *slot = None;
            let backoff = backoff.get_or_insert_with(|| {
                hpo_core::log_warn!(
                    "{}: lost the connection while trying to {what} ({}); reconnecting for up \
                     to {:?}",
                    self.place,
                    why(&cause),
                    self.retry.window_length()
                );
                self.retry.start()
            });
            if !backoff.wait() {
                let n = backoff.failures();
                let window = self.retry.window_length();
                let gave_up = if window.is_zero() {
                    "retrying is off".to_owned()
                } else {
                    format!(
                        "gave up after {n} attempt{} over {window:?}",
                        if n == 1 { "" } else { "s" }
                    )
                };
                return Err(self.place.error(
                    format_args!("{what}"),
                    format_args!("{} ({gave_up})", why(&cause)),
                ));
            }
        }
    }

    /// Deletes this journal's keys (`<prefix>:*`, found with `SCAN`, so the server is never
    /// blocked), every study in it included; returns how many keys were deleted. A storage
    /// already open on this journal must not be used afterwards: its replay no longer matches,
    /// and its next operation fails saying so.
    pub fn clear(&self) -> Result<u64> {
        let pattern = format!("{}:*", self.prefix);
        // Counted across attempts; after a lost connection, a `DEL` whose reply was lost is not
        // counted (the scan starts over and finds its keys gone).
        let mut deleted = 0;
        self.run(DELETE, |con| {
            let mut cursor = 0u64;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query(con)
                    .map_err(|e| self.failed(DELETE, e))?;
                if !keys.is_empty() {
                    deleted += redis::cmd("DEL")
                        .arg(&keys)
                        .query::<u64>(con)
                        .map_err(|e| self.failed(DELETE, e))?;
                }
                if next == 0 {
                    return Ok(deleted);
                }
                cursor = next;
            }
        })
    }

    fn counter(&self) -> String {
        format!("{}:log_number", self.prefix)
    }

    fn record_key(&self, n: u64) -> String {
        format!("{}:log:{n}", self.prefix)
    }

    /// Reads record `n`, whose number is taken but which was missing a moment ago, until it
    /// appears or [`MISSING_RECORD_GRACE`] has passed (then the log is damaged: an error).
    fn wait_for_record(
        &self,
        con: &mut redis::Connection,
        n: u64,
        end: u64,
    ) -> std::result::Result<String, Failed> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            std::thread::sleep(pause);
            let record: Option<String> = redis::cmd("GET")
                .arg(self.record_key(n))
                .query(con)
                .map_err(|e| self.failed(READ, e))?;
            if let Some(record) = record {
                return Ok(record);
            }
            if started.elapsed() >= MISSING_RECORD_GRACE {
                return Err(Failed::Final(self.place.error(
                    format_args!("{READ}"),
                    format_args!(
                        "record {n} of the {end} the log counts is missing (its keys were \
                         deleted, or the server lost them); the study cannot be replayed"
                    ),
                )));
            }
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// What an append of `record` at number `at`, whose outcome is unknown, did, as far as the
    /// log tells: `Some(Some(at + 1))` if record `at` is `record` (it was appended), `Some(None)`
    /// if record `at` is another one (another writer appended first), `None` if there is no
    /// record `at` yet (it was not appended, and cannot be any more: see `append_at`).
    fn appended(
        &self,
        con: &mut redis::Connection,
        at: u64,
        record: &str,
    ) -> std::result::Result<Option<Option<u64>>, Failed> {
        let stored: Option<String> = redis::cmd("GET")
            .arg(self.record_key(at))
            .query(con)
            .map_err(|e| self.failed(APPEND_TO, e))?;
        Ok(stored.map(|stored| (stored == record).then_some(at + 1)))
    }
}

impl JournalBackend for RedisBackend {
    fn read_from(&self, from: u64) -> Result<(Vec<String>, u64)> {
        // Reads change nothing: a read that lost its connection simply starts over.
        self.run(READ, |con| {
            let last: Option<i64> = redis::cmd("GET")
                .arg(self.counter())
                .query(con)
                .map_err(|e| self.failed(READ, e))?;
            // The counter holds the last record's number; missing (or Optuna's initial -1): none.
            let end = last.filter(|l| *l >= 0).map_or(0, |l| l as u64 + 1);
            if end < from {
                return Err(Failed::Final(self.place.error(
                    format_args!("{READ}"),
                    format_args!(
                        "the log holds {end} records, but this storage has already applied \
                         {from}: the log went backwards (its keys were deleted, e.g. by FLUSHDB \
                         or DEL, or the server is a replica that lags behind); open the storage \
                         again to start over from what the server holds"
                    ),
                )));
            }
            let mut records = Vec::new();
            let mut next = from;
            while next < end {
                let upto = end.min(next + BATCH);
                let keys: Vec<String> = (next..upto).map(|n| self.record_key(n)).collect();
                let got: Vec<Option<String>> = redis::cmd("MGET")
                    .arg(&keys)
                    .query(con)
                    .map_err(|e| self.failed(READ, e))?;
                for record in got {
                    let record = match record {
                        Some(record) => record,
                        None => self.wait_for_record(con, next, end)?,
                    };
                    records.push(record);
                    next += 1;
                }
            }
            Ok((records, next))
        })
    }

    fn lock(&self) -> Result<Option<LockGuard<'_>>> {
        Ok(None)
    }

    fn append_at(&self, at: u64, record: &str) -> Result<Option<u64>> {
        // An append is not idempotent: when the connection fails during the EVAL, the server may
        // have run it (the reply was lost) or not (the request was). Running it blindly again
        // would fail the compare (the log now ends after our own record), the journal would
        // catch up, see the record as another writer's and write its change a second time (a
        // duplicate trial). So once an outcome is unknown, each new attempt first reads record
        // `at`: our record means the lost attempt appended it (success, nothing more to write);
        // another record means the log moved on without ours (`None`: the journal catches up and
        // tries again, as after any refusal); no record means nothing was appended at `at`, and
        // the EVAL runs again. Every attempt appends only at `at`, so at most one of them (the
        // lost ones included, should the server run one late) can ever succeed; and if the
        // EVAL is refused after an unknown outcome, record `at` is read again, in case a lost
        // attempt was run between the read and the EVAL.
        let mut unknown = false;
        self.run(APPEND_TO, |con| {
            if unknown && let Some(outcome) = self.appended(con, at, record)? {
                return Ok(outcome);
            }
            let n: i64 = redis::cmd("EVAL")
                .arg(APPEND)
                .arg(1)
                .arg(self.counter())
                .arg(at)
                .arg(format!("{}:log:", self.prefix))
                .arg(record)
                .query(con)
                .map_err(|e| {
                    let failed = self.failed(APPEND_TO, e);
                    unknown |= matches!(failed, Failed::Connection(_));
                    failed
                })?;
            if n < 0
                && unknown
                && let Some(outcome) = self.appended(con, at, record)?
            {
                return Ok(outcome);
            }
            Ok((n >= 0).then(|| n as u64 + 1))
        })
    }
}
