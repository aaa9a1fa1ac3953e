//! [`Problem`]: why a request could not be answered, as a status and a message the page shows.

use axum::http::StatusCode;

/// A request that cannot be answered: an unknown study or trial (404), a bad parameter (400), a
/// write on a read-only dashboard or from another site (403), or a storage that cannot be read
/// (503). The server keeps serving; the page says what happened.
#[derive(Debug)]
pub(crate) struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// What the page says (plain text; escaped when shown).
    pub message: String,
}

impl Problem {
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::FORBIDDEN,
            message: message.into(),
        }
    }

    /// 503: the storage failed. The message is the storage's error, which names the operation
    /// but never a password (storage errors print URLs with the password masked).
    pub fn storage(error: hpo_core::Error) -> Problem {
        tracing::warn!("dashboard: the storage could not be read: {error}");
        Problem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: format!("the storage could not be read: {error}"),
        }
    }
}
