//! Phase 3 context processors: what is known about each upcoming game and player before tip-off
//! (`upcoming_player_game_context`, `upcoming_team_game_context`). Pure, like every processor; the invariant
//! they share is no look-ahead (see [`history`]).

use std::sync::Arc;

use super::raw::checked::Checked;
use super::ProcessorRegistry;

pub mod history;
pub mod upcoming_player;
pub mod upcoming_team;

/// Register the context processors (behind the same output check as the raw ones).
pub fn register(reg: &mut ProcessorRegistry) {
    reg.register(Arc::new(Checked::new(Arc::new(upcoming_player::UpcomingPlayerGameContext))));
    reg.register(Arc::new(Checked::new(Arc::new(upcoming_team::UpcomingTeamGameContext))));
}
