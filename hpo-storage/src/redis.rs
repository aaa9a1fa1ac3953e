//! The journal in Redis, with Optuna's key layout (`JournalRedisBackend`): `<prefix>:log_number`
//! holds the number of the last record, `<prefix>:log:<n>` record `n` as JSON.

use std::time::{Duration, Instant};

use hpo_core::Result;
use hpo_core::storage::{JournalBackend, JournalStorage, LockGuard};
use parking_lot::Mutex;

use crate::place::Place;
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
/// A log that went backwards (its keys deleted with `FLUSHDB` or `DEL`, or a replica that lags
/// behind what this storage already read) or that lost a record is an error naming the server
/// and the prefix: such a log can no longer be replayed, and appending to it would never succeed.
pub struct RedisBackend {
    /// The server (password masked) and the prefix, for messages.
    place: Place,
    prefix: String,
    connection: Mutex<redis::Connection>,
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("place", &self.place.to_string())
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

/// The driver's message, with any URL in it stripped of its password.
fn why(e: &redis::RedisError) -> String {
    redact(&e.to_string())
}

impl RedisBackend {
    /// Connects to the server at `url` (`redis://[user:password@]host[:port][/db]`), keys
    /// prefixed with `prefix` (Optuna's default: the empty string). An unreachable server or a
    /// refused password is an error naming the server, never the password.
    pub fn connect(url: &str, prefix: &str) -> Result<Self> {
        let place = Place::url("Redis", url).with(format_args!("prefix `{prefix}`"));
        let fail = |e: redis::RedisError| place.error(format_args!("connect"), why(&e));
        let client = redis::Client::open(url).map_err(fail)?;
        let mut connection = client
            .get_connection_with_timeout(Duration::from_secs(10))
            .map_err(fail)?;
        // Authentication and database selection happen on connect; PING proves the server answers.
        redis::cmd("PING")
            .query::<String>(&mut connection)
            .map_err(fail)?;
        Ok(RedisBackend {
            place,
            prefix: prefix.to_owned(),
            connection: Mutex::new(connection),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Deletes this journal's keys (`<prefix>:*`, found with `SCAN`, so the server is never
    /// blocked), every study in it included; returns how many keys were deleted. A storage
    /// already open on this journal must not be used afterwards: its replay no longer matches,
    /// and its next operation fails saying so.
    pub fn clear(&self) -> Result<u64> {
        let fail = |e: redis::RedisError| {
            self.place
                .error(format_args!("delete the journal"), why(&e))
        };
        let mut con = self.connection.lock();
        let pattern = format!("{}:*", self.prefix);
        let mut cursor = 0u64;
        let mut deleted = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query(&mut *con)
                .map_err(fail)?;
            if !keys.is_empty() {
                deleted += redis::cmd("DEL")
                    .arg(&keys)
                    .query::<u64>(&mut *con)
                    .map_err(fail)?;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    fn counter(&self) -> String {
        format!("{}:log_number", self.prefix)
    }

    fn record_key(&self, n: u64) -> String {
        format!("{}:log:{n}", self.prefix)
    }

    /// Reads record `n`, whose number is taken but which was missing a moment ago, until it
    /// appears or [`MISSING_RECORD_GRACE`] has passed (then the log is damaged: an error).
    fn wait_for_record(&self, con: &mut redis::Connection, n: u64, end: u64) -> Result<String> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            std::thread::sleep(pause);
            let record: Option<String> = redis::cmd("GET")
                .arg(self.record_key(n))
                .query(con)
                .map_err(|e| self.place.error(format_args!("read the journal"), why(&e)))?;
            if let Some(record) = record {
                return Ok(record);
            }
            if started.elapsed() >= MISSING_RECORD_GRACE {
                return Err(self.place.error(
                    format_args!("read the journal"),
                    format_args!(
                        "record {n} of the {end} the log counts is missing (its keys were \
                         deleted, or the server lost them); the study cannot be replayed"
                    ),
                ));
            }
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }
}

impl JournalBackend for RedisBackend {
    fn read_from(&self, from: u64) -> Result<(Vec<String>, u64)> {
        let fail =
            |e: redis::RedisError| self.place.error(format_args!("read the journal"), why(&e));
        let mut con = self.connection.lock();
        let last: Option<i64> = redis::cmd("GET")
            .arg(self.counter())
            .query(&mut *con)
            .map_err(fail)?;
        // The counter holds the last record's number; missing (or Optuna's initial -1): none.
        let end = last.filter(|l| *l >= 0).map_or(0, |l| l as u64 + 1);
        if end < from {
            return Err(self.place.error(
                format_args!("read the journal"),
                format_args!(
                    "the log holds {end} records, but this storage has already applied {from}: \
                     the log went backwards (its keys were deleted, e.g. by FLUSHDB or DEL, or \
                     the server is a replica that lags behind); open the storage again to start \
                     over from what the server holds"
                ),
            ));
        }
        let mut records = Vec::new();
        let mut next = from;
        while next < end {
            let upto = end.min(next + BATCH);
            let keys: Vec<String> = (next..upto).map(|n| self.record_key(n)).collect();
            let got: Vec<Option<String>> = redis::cmd("MGET")
                .arg(&keys)
                .query(&mut *con)
                .map_err(fail)?;
            for record in got {
                let record = match record {
                    Some(record) => record,
                    None => self.wait_for_record(&mut con, next, end)?,
                };
                records.push(record);
                next += 1;
            }
        }
        Ok((records, next))
    }

    fn lock(&self) -> Result<Option<LockGuard<'_>>> {
        Ok(None)
    }

    fn append_at(&self, at: u64, record: &str) -> Result<Option<u64>> {
        let mut con = self.connection.lock();
        let n: i64 = redis::cmd("EVAL")
            .arg(APPEND)
            .arg(1)
            .arg(self.counter())
            .arg(at)
            .arg(format!("{}:log:", self.prefix))
            .arg(record)
            .query(&mut *con)
            .map_err(|e| {
                self.place
                    .error(format_args!("append to the journal"), why(&e))
            })?;
        Ok((n >= 0).then(|| n as u64 + 1))
    }
}
