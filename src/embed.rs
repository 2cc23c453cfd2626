//! The embedded CPython: which Python a run uses and loading its library, starting the
//! interpreter, the native module the shipped Python calls, and values across the boundary.

pub(crate) mod convert;
pub(crate) mod interpreter;
pub(crate) mod lib_link;
pub(crate) mod libpython;
pub(crate) mod native;
pub(crate) mod python_env;
pub(crate) mod relaunch;
