//! Domain vocabulary shared by every layer: slate dates and the season calendar, player and game identity,
//! run keys and typed run outcomes, and the generic table row.
//!
//! Invariants: a [`SlateDate`] is always the NBA game date in America/New_York; nothing here reads the wall
//! clock (time enters through the `Clock` port).

pub mod backup_schedule;
pub mod entities;
pub mod identity;
pub mod names;
pub mod row;
pub mod run;
pub mod season;
pub mod slate;
pub mod teams;

pub use identity::player_lookup;
pub use names::{Aliases, NameResolver, Resolution};
pub use row::{Row, RowExt};
pub use run::{Phase, RunKey, RunMode, RunOutcome, RunState};
pub use slate::SlateDate;
pub use teams::team_abbr;
