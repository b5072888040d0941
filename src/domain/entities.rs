//! Entity kinds of the analytics and precompute tables, for change tracking: which players or teams a run
//! touched (`entities_changed`), and how a tracker buckets them.
//!
//! Invariant: the kind of a table comes from this explicit table map, never from a processor's name (the
//! original bucketed on `'Player' in processor_name`, which never matched its snake_case keys, so its merged
//! sets were always empty; spec §5.3).

use super::{Row, RowExt};

/// What a table's rows are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntityKind {
    Player,
    Team,
}

impl EntityKind {
    /// The bucket name in `entities_changed` (`players`, `teams`).
    pub fn bucket(self) -> &'static str {
        match self {
            EntityKind::Player => "players",
            EntityKind::Team => "teams",
        }
    }
}

/// The kind of a table, by bare or dataset-qualified name; `None` for tables not tracked by entity.
pub fn entity_kind(table: &str) -> Option<EntityKind> {
    let bare = table.rsplit('.').next().unwrap_or(table);
    match bare {
        "player_game_summary"
        | "upcoming_player_game_context"
        | "player_shot_zone_analysis"
        | "player_daily_cache"
        | "player_composite_factors"
        | "ml_feature_store_v2" => Some(EntityKind::Player),
        "team_offense_game_summary"
        | "team_defense_game_summary"
        | "upcoming_team_game_context"
        | "team_defense_zone_analysis" => Some(EntityKind::Team),
        _ => None,
    }
}

/// The entity a row of a table of `kind` is about.
pub fn entity_of(kind: EntityKind, row: &Row) -> Option<&str> {
    match kind {
        EntityKind::Player => row.str_of("player_lookup"),
        EntityKind::Team => row.str_of("team_abbr").or_else(|| row.str_of("defending_team_abbr")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_table_not_the_name() {
        assert_eq!(entity_kind("nba_analytics.player_game_summary"), Some(EntityKind::Player));
        assert_eq!(entity_kind("team_defense_game_summary"), Some(EntityKind::Team));
        assert_eq!(entity_kind("nba_analytics.upcoming_team_game_context"), Some(EntityKind::Team));
        assert_eq!(entity_kind("nba_raw.nbac_player_boxscores"), None);
        let row = serde_json::json!({"defending_team_abbr": "BOS"}).as_object().cloned().unwrap();
        assert_eq!(entity_of(EntityKind::Team, &row), Some("BOS"));
        assert_eq!(entity_of(EntityKind::Player, &row), None);
    }
}
