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

pub mod basketball_ref_roster;
pub mod bdl_active_players;
pub mod bdl_boxscores;
pub mod bdl_injuries;
pub mod bdl_standings;
pub mod betting_props;
pub mod big_data_ball_pbp;
pub mod checked;
pub mod common;
pub mod espn_boxscore;
pub mod espn_scoreboard;
pub mod espn_team_roster;
pub mod nbac_common;
pub mod nbac_gamebook;
pub mod nbac_injury_report;
pub mod nbac_play_by_play;
pub mod nbac_player_boxscore;
pub mod nbac_player_list;
pub mod nbac_player_movement;
pub mod nbac_referee;
pub mod nbac_schedule;
pub mod nbac_scoreboard_v2;
pub mod nbac_team_boxscore;
pub mod odds_api_props;
pub mod odds_game_lines;
pub mod pdf_text;

/// Register every raw processor of this build, each behind the output check of [`checked::Checked`].
pub fn register(reg: &mut ProcessorRegistry) {
    let mut all = ProcessorRegistry::new();
    all.register(Arc::new(nbac_player_boxscore::NbacPlayerBoxscore));
    all.register(Arc::new(odds_api_props::OddsApiProps::default()));
    all.register(Arc::new(bdl_boxscores::BdlBoxscores));
    all.register(Arc::new(bdl_active_players::BdlActivePlayers));
    all.register(Arc::new(bdl_injuries::BdlInjuries));
    all.register(Arc::new(bdl_standings::BdlStandings));
    all.register(Arc::new(espn_boxscore::EspnBoxscore));
    all.register(Arc::new(espn_scoreboard::EspnScoreboard));
    all.register(Arc::new(espn_team_roster::EspnTeamRoster));
    all.register(Arc::new(big_data_ball_pbp::BigDataBallPbp));
    all.register(Arc::new(basketball_ref_roster::BasketballRefRoster));
    all.register(Arc::new(nbac_injury_report::NbacInjuryReport));
    all.register(Arc::new(nbac_gamebook::NbacGamebook));
    all.register(Arc::new(betting_props::BettingProps));
    all.register(Arc::new(odds_game_lines::OddsGameLines));
    all.register(Arc::new(nbac_play_by_play::NbacPlayByPlay));
    all.register(Arc::new(nbac_player_list::NbacPlayerList));
    all.register(Arc::new(nbac_player_movement::NbacPlayerMovement));
    all.register(Arc::new(nbac_referee::NbacReferee));
    all.register(Arc::new(nbac_schedule::NbacSchedule));
    all.register(Arc::new(nbac_scoreboard_v2::NbacScoreboardV2));
    all.register(Arc::new(nbac_team_boxscore::NbacTeamBoxscore));
    for p in all.all() {
        reg.register(Arc::new(checked::Checked::new(p.clone())));
    }
}
