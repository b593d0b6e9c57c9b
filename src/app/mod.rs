//! The app: a plain model of the tutorial and `update(state, action) -> effects`. No terminal, no
//! engine: background work reports back as actions.

pub mod action;
pub mod keys;
pub mod layout;
pub mod output;
pub mod state;
mod update;

pub use action::{Action, Effect, RunId};
pub use state::{App, EngineState, Focus, Overlay, RunRecord, RunStatus, StepState};
pub use update::update;
