//! What can go wrong beneath the pages and the API, with its cause: the store, password
//! hashing, the random source, a mail's template. The web and API error types turn a
//! [`Failure`] into their answer in one place each; [`surface_errors!`] gives them the
//! `From` conversions of every cause, so handlers can use `?` on any of them.

use crate::passwords::HashError;
use crate::photos::PhotoError;
use crate::store::StoreError;
use crate::tokens::RandomError;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error("rendering a mail")]
    Template(#[from] askama::Error),
}

/// What a surface tells the person, for each failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The database cannot be reached or take writes: try again later (503).
    Unavailable,
    /// Too many passwords or photos are waiting: try again shortly (503).
    Busy,
    /// A defect or a broken environment: logged with its cause, answered 500.
    Internal,
}

impl FailureKind {
    /// What `Retry-After` says when this is the answer.
    pub fn retry_after_secs(self) -> u32 {
        match self {
            Self::Unavailable => 30,
            Self::Busy => 5,
            Self::Internal => 0,
        }
    }
}

impl Failure {
    pub fn kind(&self) -> FailureKind {
        match self {
            Self::Store(StoreError::Unavailable(_)) => FailureKind::Unavailable,
            Self::Hash(HashError::Busy) | Self::Photo(PhotoError::Busy) => FailureKind::Busy,
            _ => FailureKind::Internal,
        }
    }

    /// The failure with every cause under it, for the log.
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let line = cause.to_string();
            if !text.ends_with(&line) {
                text.push_str(": ");
                text.push_str(&line);
            }
            source = cause.source();
        }
        text
    }
}

/// `From` every cause of a [`Failure`] for a surface's error type that has `From<Failure>`.
#[macro_export]
macro_rules! surface_errors {
    ($error:ty) => {
        impl From<$crate::store::StoreError> for $error {
            fn from(error: $crate::store::StoreError) -> Self {
                $crate::failure::Failure::from(error).into()
            }
        }
        impl From<$crate::passwords::HashError> for $error {
            fn from(error: $crate::passwords::HashError) -> Self {
                $crate::failure::Failure::from(error).into()
            }
        }
        impl From<$crate::tokens::RandomError> for $error {
            fn from(error: $crate::tokens::RandomError) -> Self {
                $crate::failure::Failure::from(error).into()
            }
        }
        impl From<$crate::photos::PhotoError> for $error {
            fn from(error: $crate::photos::PhotoError) -> Self {
                $crate::failure::Failure::from(error).into()
            }
        }
        impl From<askama::Error> for $error {
            fn from(error: askama::Error) -> Self {
                $crate::failure::Failure::from(error).into()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Fault;

    #[test]
    fn a_report_names_the_step_and_every_cause_once() {
        let cause = std::io::Error::other("disk on fire");
        let failure = Failure::from(StoreError::Internal(Fault::caused_by("migration 3", cause)));
        assert_eq!(failure.report(), "database error: migration 3: disk on fire");
        assert_eq!(failure.kind(), FailureKind::Internal);
        let busy = Failure::from(HashError::Busy);
        assert_eq!(busy.kind(), FailureKind::Busy);
        assert_eq!(busy.kind().retry_after_secs(), 5);
    }
}
