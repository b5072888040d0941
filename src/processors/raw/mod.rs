//! Phase 2 raw processors: one landed object → rows of `nba_raw.*` tables (spec §1.3).
//!
//! Every processor here is pure: it parses the bytes of the object it is given ([`common::RawFile`]) and
//! returns the writes. Shared invariants (see `docs/decisions.md`, "Raw processors"):
//! - idempotent writes keyed on what the file is authoritative for: a whole date (`ReplacePartition`), one
//!   game (`ReplaceSlice` on `game_id`), or — for time series such as odds snapshots and injury reports —
//!   the rows of this very object (`ReplaceSlice` on `source_file_path`), so reloading a file never
//!   duplicates and later files of the same date are loaded, not skipped;
//! - every row carries `source_file_path`, `source_generation` and `data_hash`;
//! - `output_table` is written without the dataset prefix by the host; teams are canonical tricodes;
//!   players go through `player_lookup` and, where a source spells names differently, the alias resolver;
//! - bad input (truncated, mutated, empty, wrong schema) is a `ProcessorError::BadInput` naming the object;
//!   nothing is written.

use std::sync::Arc;

use super::ProcessorRegistry;

pub mod common;
pub mod nbac_play_by_play;
pub mod nbac_player_boxscore;
pub mod nbac_player_list;
pub mod nbac_player_movement;
pub mod nbac_referee;
pub mod nbac_schedule;
pub mod nbac_scoreboard_v2;
pub mod nbac_team_boxscore;

/// Register every raw processor of this build.
pub fn register(reg: &mut ProcessorRegistry) {
    reg.register(Arc::new(nbac_player_boxscore::NbacPlayerBoxscore));
    reg.register(Arc::new(nbac_play_by_play::NbacPlayByPlay));
    reg.register(Arc::new(nbac_player_list::NbacPlayerList));
    reg.register(Arc::new(nbac_player_movement::NbacPlayerMovement));
    reg.register(Arc::new(nbac_referee::NbacReferee));
    reg.register(Arc::new(nbac_schedule::NbacSchedule));
    reg.register(Arc::new(nbac_scoreboard_v2::NbacScoreboardV2));
    reg.register(Arc::new(nbac_team_boxscore::NbacTeamBoxscore));
}
