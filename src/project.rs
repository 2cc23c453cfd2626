//! What every command starts from: the MOSS file, the project's configuration, and the context
//! file kept between runs.

pub(crate) mod config;
pub mod context;
pub(crate) mod moss_file;
