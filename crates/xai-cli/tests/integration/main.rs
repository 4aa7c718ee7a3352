//! The CLI's tests (they run the `xai` binary), in one test binary.

mod cli;
mod evaluate;
