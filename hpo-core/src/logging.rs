//! hpo's log lines, as `optuna.logging` shapes Optuna's.
//!
//! Every hpo crate logs through this module. With no setup at all, lines go to stderr in
//! Optuna's format, from `Info` up:
//!
//! ```text
//! [I 2026-12-06 07:20:30,123] Trial 0 finished with value: 4.0 and parameters: {'x': 0.0}. Best is trial 0 with value: 4.0.
//! [W 2026-12-06 07:20:30,125] Trial 1 failed with parameters: {'x': 1.5} because of the following error: ...
//! ```
//!
//! `HPO_VERBOSITY=warning` (or `debug`, ...) in the environment sets the starting verbosity
//! without touching the program. The level letter and time are coloured only when stderr is a terminal and `NO_COLOR` is not
//! set; piped or redirected output has no escape sequences. A write that fails (a closed pipe, a
//! full disk) is dropped: logging never stops an optimization. While a progress bar is shown,
//! lines are printed above it.
//!
//! The switches are Optuna's (process-wide):
//!
//! ```standalone_crate
//! use hpo_core::logging::{self, Verbosity};
//!
//! logging::set_verbosity(Verbosity::Warning); // only warnings and errors
//! assert_eq!(logging::get_verbosity(), Verbosity::Warning);
//! logging::disable_default_handler();         // nothing on stderr
//! logging::enable_propagation();              // hand every line to `tracing` (and `log`)
//! # logging::enable_default_handler();
//! # logging::disable_propagation();
//! # logging::set_verbosity(Verbosity::Info);
//! ```
//!
//! **Routing into the program's own setup.** With propagation on, each line becomes a
//! `tracing` event with target `hpo` at the matching level; a program without a `tracing`
//! subscriber receives them as `log` records instead (so `env_logger` and friends see them).
//! Until [`enable_default_handler`], [`disable_default_handler`], [`enable_propagation`] or
//! [`disable_propagation`] is called, hpo chooses by itself: when the program has installed a
//! global `tracing` subscriber or a `log` logger before the first line, lines go there and not
//! to stderr; otherwise they go to stderr.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use parking_lot::Mutex;

/// How much hpo logs: Optuna's levels, from quietest to most verbose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verbosity {
    /// Only critical errors.
    Critical = 1,
    /// Errors.
    Error = 2,
    /// Warnings and errors (a failed trial is a warning, as in Optuna).
    Warning = 3,
    /// One line per finished trial, study creation, and the above (the default).
    Info = 4,
    /// Everything, including sampler and storage details.
    Debug = 5,
}

impl Verbosity {
    fn from_u8(v: u8) -> Verbosity {
        match v {
            1 => Verbosity::Critical,
            2 => Verbosity::Error,
            3 => Verbosity::Warning,
            5 => Verbosity::Debug,
            _ => Verbosity::Info,
        }
    }

    /// The letter of Optuna's line header: `[I ...]`, `[W ...]`.
    fn letter(self) -> char {
        match self {
            Verbosity::Critical => 'C',
            Verbosity::Error => 'E',
            Verbosity::Warning => 'W',
            Verbosity::Info => 'I',
            Verbosity::Debug => 'D',
        }
    }

    /// colorlog's default colour of each level, as Optuna's coloured header uses it.
    fn color(self) -> &'static str {
        match self {
            Verbosity::Critical => "\x1b[1;31m",
            Verbosity::Error => "\x1b[31m",
            Verbosity::Warning => "\x1b[33m",
            Verbosity::Info => "\x1b[32m",
            Verbosity::Debug => "\x1b[37m",
        }
    }
}

impl fmt::Display for Verbosity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verbosity::Critical => "CRITICAL",
            Verbosity::Error => "ERROR",
            Verbosity::Warning => "WARNING",
            Verbosity::Info => "INFO",
            Verbosity::Debug => "DEBUG",
        })
    }
}

impl std::str::FromStr for Verbosity {
    type Err = crate::Error;

    /// Optuna's level names, any case: `critical` (or `fatal`), `error`, `warning` (or `warn`),
    /// `info`, `debug`.
    fn from_str(s: &str) -> crate::Result<Verbosity> {
        match s.to_ascii_lowercase().as_str() {
            "critical" | "fatal" => Ok(Verbosity::Critical),
            "error" => Ok(Verbosity::Error),
            "warning" | "warn" => Ok(Verbosity::Warning),
            "info" => Ok(Verbosity::Info),
            "debug" => Ok(Verbosity::Debug),
            _ => Err(crate::Error::InvalidArgument(format!(
                "unknown verbosity `{s}` (expected critical, error, warning, info or debug)"
            ))),
        }
    }
}

const AUTO: u8 = 0;
const ON: u8 = 1;
const OFF: u8 = 2;

/// 0 until first read: then `HPO_VERBOSITY` from the environment, else `Info`.
static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static HANDLER: AtomicU8 = AtomicU8::new(AUTO);
static PROPAGATE: AtomicU8 = AtomicU8::new(AUTO);

/// Where the default handler writes when not stderr.
static OUTPUT: Mutex<Option<Box<dyn Write + Send>>> = Mutex::new(None);

/// Sets how much hpo logs (Optuna's `set_verbosity`); `Info` by default.
pub fn set_verbosity(verbosity: Verbosity) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
}

/// How much hpo logs now (Optuna's `get_verbosity`). Until [`set_verbosity`] is called, the
/// `HPO_VERBOSITY` environment variable decides (`warning`, `debug`, ...: the names
/// [`Verbosity`] parses), else `Info`.
pub fn get_verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => {
            let from_env = std::env::var("HPO_VERBOSITY")
                .ok()
                .and_then(|v| v.parse::<Verbosity>().ok())
                .unwrap_or(Verbosity::Info);
            // A concurrent set_verbosity wins over the environment.
            let _ =
                VERBOSITY.compare_exchange(0, from_env as u8, Ordering::Relaxed, Ordering::Relaxed);
            Verbosity::from_u8(VERBOSITY.load(Ordering::Relaxed))
        }
        v => Verbosity::from_u8(v),
    }
}

/// Prints lines on stderr (or the output given to [`set_output`]); the default unless the
/// program has its own `tracing` or `log` setup.
pub fn enable_default_handler() {
    HANDLER.store(ON, Ordering::Relaxed);
}

/// Stops printing lines on stderr (Optuna's `disable_default_handler`). With propagation off
/// too, hpo is silent.
pub fn disable_default_handler() {
    HANDLER.store(OFF, Ordering::Relaxed);
}

/// Hands every line to `tracing` (target `hpo`), or to `log` when no `tracing` subscriber is
/// set (Optuna's `enable_propagation`). Combine with [`disable_default_handler`] to avoid
/// seeing lines twice.
pub fn enable_propagation() {
    PROPAGATE.store(ON, Ordering::Relaxed);
}

/// Stops handing lines to `tracing` / `log` (Optuna's `disable_propagation`).
pub fn disable_propagation() {
    PROPAGATE.store(OFF, Ordering::Relaxed);
}

/// Makes the default handler write to `output` (a file, a buffer) instead of stderr. Lines are
/// never coloured there.
pub fn set_output(output: impl Write + Send + 'static) {
    *OUTPUT.lock() = Some(Box::new(output));
}

/// Makes the default handler write to stderr again (after [`set_output`]).
pub fn reset_output() {
    *OUTPUT.lock() = None;
}

/// Whether a line at `level` would be emitted anywhere (cheap; lets callers skip formatting).
pub fn enabled(level: Verbosity) -> bool {
    level <= get_verbosity() && {
        let (handler, propagate) = routes();
        handler || propagate
    }
}

/// Whether the default handler and propagation are on, resolving "not chosen" from the
/// program's own setup.
fn routes() -> (bool, bool) {
    let handler = HANDLER.load(Ordering::Relaxed);
    let propagate = PROPAGATE.load(Ordering::Relaxed);
    if handler != AUTO && propagate != AUTO {
        return (handler == ON, propagate == ON);
    }
    let program_has_setup =
        tracing::dispatcher::has_been_set() || log::max_level() != log::LevelFilter::Off;
    let resolve = |v: u8, auto: bool| if v == AUTO { auto } else { v == ON };
    (
        resolve(handler, !program_has_setup),
        resolve(propagate, program_has_setup),
    )
}

/// Logs one line at `level`: the entry point of the `log_*` macros. Prefer the macros.
pub fn log(level: Verbosity, args: fmt::Arguments<'_>) {
    if level > get_verbosity() {
        return;
    }
    let (handler, propagate) = routes();
    if propagate {
        match level {
            Verbosity::Critical | Verbosity::Error => {
                tracing::error!(target: "hpo", "{args}")
            }
            Verbosity::Warning => tracing::warn!(target: "hpo", "{args}"),
            Verbosity::Info => tracing::info!(target: "hpo", "{args}"),
            Verbosity::Debug => tracing::debug!(target: "hpo", "{args}"),
        }
    }
    if handler {
        write_line(level, args);
    }
}

/// Optuna's `[I 2026-12-06 07:20:30,123] message` line, written in one call; errors ignored.
fn write_line(level: Verbosity, args: fmt::Arguments<'_>) {
    let time = chrono::Local::now().format("%Y-%m-%d %H:%M:%S,%3f");
    let mut custom = OUTPUT.lock();
    if let Some(out) = custom.as_mut() {
        let line = format!("[{} {time}] {args}\n", level.letter());
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
        return;
    }
    drop(custom);
    let stderr = std::io::stderr();
    let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let line = if color {
        format!(
            "{}[{} {time}]\x1b[0m {args}\n",
            level.color(),
            level.letter()
        )
    } else {
        format!("[{} {time}] {args}\n", level.letter())
    };
    progress::above_bar(|| {
        let _ = stderr.lock().write_all(line.as_bytes());
    });
}

/// Logs at [`Verbosity::Info`] through [`logging`](crate::logging), with `format!` arguments.
#[macro_export]
macro_rules! log_info {
    ($($arg:tt)*) => { $crate::logging::log($crate::logging::Verbosity::Info, format_args!($($arg)*)) };
}

/// Logs at [`Verbosity::Warning`] through [`logging`](crate::logging).
#[macro_export]
macro_rules! log_warn {
    ($($arg:tt)*) => { $crate::logging::log($crate::logging::Verbosity::Warning, format_args!($($arg)*)) };
}

/// Logs at [`Verbosity::Error`] through [`logging`](crate::logging).
#[macro_export]
macro_rules! log_error {
    ($($arg:tt)*) => { $crate::logging::log($crate::logging::Verbosity::Error, format_args!($($arg)*)) };
}

/// Logs at [`Verbosity::Debug`] through [`logging`](crate::logging).
#[macro_export]
macro_rules! log_debug {
    ($($arg:tt)*) => { $crate::logging::log($crate::logging::Verbosity::Debug, format_args!($($arg)*)) };
}

#[cfg(feature = "progress")]
pub(crate) mod progress {
    //! The progress bar currently drawn, so that log lines print above it.

    use parking_lot::Mutex;

    static BAR: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

    /// Registers (or, with `None`, removes) the bar that log lines must not overwrite.
    pub(crate) fn set_bar(bar: Option<indicatif::ProgressBar>) {
        *BAR.lock() = bar;
    }

    /// Runs `write` with the bar (if any) cleared, then redraws it.
    pub(crate) fn above_bar(write: impl FnOnce()) {
        let bar = BAR.lock().clone();
        match bar {
            Some(bar) if !bar.is_finished() => bar.suspend(write),
            _ => write(),
        }
    }
}

#[cfg(not(feature = "progress"))]
pub(crate) mod progress {
    //! Without the `progress` feature there is no bar to keep lines above.

    /// Runs `write`.
    pub(crate) fn above_bar(write: impl FnOnce()) {
        write()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order_as_optuna() {
        assert!(Verbosity::Debug > Verbosity::Info);
        assert!(Verbosity::Warning < Verbosity::Info);
        assert_eq!("WARN".parse::<Verbosity>().unwrap(), Verbosity::Warning);
        assert_eq!("fatal".parse::<Verbosity>().unwrap(), Verbosity::Critical);
        let err = "loud".parse::<Verbosity>().unwrap_err().to_string();
        assert!(err.contains("`loud`"), "{err}");
        for v in [
            Verbosity::Critical,
            Verbosity::Error,
            Verbosity::Warning,
            Verbosity::Info,
            Verbosity::Debug,
        ] {
            assert_eq!(v.to_string().parse::<Verbosity>().unwrap(), v);
            assert_eq!(Verbosity::from_u8(v as u8), v);
        }
    }
}
