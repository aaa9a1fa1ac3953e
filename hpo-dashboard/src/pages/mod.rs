//! The pages, each as functions that write HTML from a storage read.

pub(crate) mod list;
pub(crate) mod study;
pub(crate) mod table;
pub(crate) mod trial;
