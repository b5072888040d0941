//! Shot zones from play-by-play (spec §2.3–2.5): the one place that turns the two play-by-play tables into
//! per-player and per-team zone tallies for the three game summaries.
//!
//! Invariants:
//! - **source per game**: BigDataBall (`nba_raw.bigdataball_play_by_play`) when it holds at least one `shot`
//!   event of the game, else NBA.com (`nba_raw.nbac_play_by_play`) when it holds a field goal of the game, else
//!   none (the zone columns are NULL, not 0); a game's shots never mix the two sources;
//! - **field-goal attempts only**: a BigDataBall `event_type = 'shot'` or an NBA.com `shot_type` `2PT`/`3PT`.
//!   Free throws are never zone attempts;
//! - **zones**: BigDataBall — three if the subtype or shot type says 3pt (a corner three is 22 ft, so the
//!   subtype decides) or `shot_distance ≥ 23.75`, else paint if `≤ 8` ft, else mid-range. NBA.com — three if
//!   `3PT`; `2PT` paint if `≤ 8` ft, mid-range if `> 8`. A two without a distance has no zone: it stays an
//!   attempt (`unzoned_*`, so the FGA check sees it) but is in no zone;
//! - a **make is assisted** when the shot names a player with role `assist`; a **blocked** shot names one with
//!   role `block`. Blocks are tallied on the shooter's side by the zone of the blocked shot (`blocked_*`): the
//!   defence's `blocks_<zone>` are its opponent's blocked shots;
//! - **team tallies** count every shot of the shooting team (BigDataBall `event_team_abbr`, NBA.com
//!   `team_abbr`); **player tallies** count the shots matched to a box-score player of the game, so team sums
//!   equal the players' sums exactly when every shot is matched (`PlayerTallies::unmatched` says otherwise);
//! - **player matching** (never a guess between two): NBA.com person id = box `nba_player_id`, then
//!   `player_lookup`, then the project's resolver (alias / generational suffix), then — NBA.com writes
//!   abbreviated names (`T. Maxey`, whose lookup `tmaxey` matches nobody) — the unique player of the shooting
//!   team whose lookup starts with the initial and ends with the surname;
//! - pure and total: a shot row without `game_id` is `BadInput` naming the table; any other gap (no team, no
//!   distance, no result) is tolerated and shows up in the tallies (`unzoned_*`, the FGA check), never a panic.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{json, Value};

use super::lines::{get_bool, get_f64, get_i64, get_str, rows_of, PlayerLine};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::names::strip_suffix;
use crate::domain::{player_lookup, Aliases, NameResolver, Row};
use crate::processors::{ProcessorError, ProcessorInput};

pub const BDB_PBP: &str = "nba_raw.bigdataball_play_by_play";
pub const NBAC_PBP: &str = "nba_raw.nbac_play_by_play";

/// The paint: a two at most this far from the rim (feet).
pub const PAINT_MAX_FT: f64 = 8.0;
/// The arc at the top of the key (feet); corner threes are shorter and are told by their subtype.
pub const THREE_MIN_FT: f64 = 23.75;

/// The columns the summaries read of each play-by-play table (the host reads only these: a season backfill
/// reads hundreds of thousands of events).
const BDB_COLUMNS: [&str; 13] = [
    "game_id",
    "game_date",
    "event_type",
    "event_subtype",
    "event_team_abbr",
    "player_1_name",
    "player_1_lookup",
    "player_1_team_abbr",
    "player_2_role",
    "player_3_role",
    "shot_made",
    "shot_type",
    "shot_distance",
];
const NBAC_COLUMNS: [&str; 12] = [
    "game_id",
    "game_date",
    "team_abbr",
    "player_1_id",
    "player_1_name",
    "player_1_lookup",
    "player_1_team_abbr",
    "player_2_role",
    "player_3_role",
    "shot_made",
    "shot_type",
    "shot_distance",
];

/// `Processor::input_columns` of the three summaries: a projection of the play-by-play tables only.
pub fn input_columns(table: &str) -> Option<Vec<String>> {
    let cols: &[&str] = match table {
        BDB_PBP => &BDB_COLUMNS,
        NBAC_PBP => &NBAC_COLUMNS,
        _ => return None,
    };
    Some(cols.iter().map(|c| c.to_string()).collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Zone {
    Paint,
    MidRange,
    Three,
}

/// The play-by-play a game's zones came from (`shot_zones_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneSource {
    BigDataBall,
    NbacPbp,
}

impl ZoneSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneSource::BigDataBall => "bigdataball",
            ZoneSource::NbacPbp => "nbac_pbp",
        }
    }
}

/// The zone of a BigDataBall shot (see the module invariants); `None` for a two without a distance.
pub fn bdb_zone(subtype: Option<&str>, shot_type: Option<&str>, distance: Option<f64>) -> Option<Zone> {
    let says_three = subtype.is_some_and(|s| s.to_ascii_lowercase().contains("3pt"))
        || shot_type.is_some_and(|t| t.eq_ignore_ascii_case("3PT"));
    if says_three || distance.is_some_and(|d| d >= THREE_MIN_FT) {
        return Some(Zone::Three);
    }
    let d = distance.filter(|d| *d >= 0.0)?;
    Some(if d <= PAINT_MAX_FT { Zone::Paint } else { Zone::MidRange })
}

/// The zone of an NBA.com field goal (`2PT`/`3PT`); `None` for another shot type or a two without a distance.
pub fn nbac_zone(shot_type: &str, distance: Option<f64>) -> Option<Zone> {
    match shot_type {
        "3PT" => Some(Zone::Three),
        "2PT" => {
            let d = distance.filter(|d| *d >= 0.0)?;
            Some(if d <= PAINT_MAX_FT { Zone::Paint } else { Zone::MidRange })
        }
        _ => None,
    }
}

/// One field-goal attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Shot {
    pub team: Option<String>,
    pub player_id: Option<i64>,
    pub player_lookup: Option<String>,
    pub player_name: Option<String>,
    pub zone: Option<Zone>,
    pub made: bool,
    pub assisted: bool,
    pub blocked: bool,
}

/// Zone counts of a player or a team in one game.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub paint_att: i64,
    pub paint_made: i64,
    pub mid_att: i64,
    pub mid_made: i64,
    pub three_att: i64,
    pub three_made: i64,
    pub unzoned_att: i64,
    pub unzoned_made: i64,
    pub assisted: i64,
    pub blocked_paint: i64,
    pub blocked_mid: i64,
    pub blocked_three: i64,
}

impl Tally {
    pub fn add(&mut self, s: &Shot) {
        let made = i64::from(s.made);
        let (att, mk, blk) = match s.zone {
            Some(Zone::Paint) => (&mut self.paint_att, &mut self.paint_made, Some(&mut self.blocked_paint)),
            Some(Zone::MidRange) => (&mut self.mid_att, &mut self.mid_made, Some(&mut self.blocked_mid)),
            Some(Zone::Three) => (&mut self.three_att, &mut self.three_made, Some(&mut self.blocked_three)),
            None => (&mut self.unzoned_att, &mut self.unzoned_made, None),
        };
        *att += 1;
        *mk += made;
        if let (true, Some(b)) = (s.blocked, blk) {
            *b += 1;
        }
        self.assisted += i64::from(s.made && s.assisted);
    }
    /// Attempts placed in a zone: what must equal the box score's FGA.
    pub fn zoned_fga(&self) -> i64 {
        self.paint_att + self.mid_att + self.three_att
    }
    pub fn fgm(&self) -> i64 {
        self.paint_made + self.mid_made + self.three_made + self.unzoned_made
    }
    pub fn unassisted(&self) -> i64 {
        self.fgm() - self.assisted
    }
    /// Points from made paint field goals (all twos; free throws are not paint points).
    pub fn points_in_paint(&self) -> i64 {
        2 * self.paint_made
    }
    /// Whether the tally accounts for exactly `fga` box-score attempts (unknown FGA: nothing to check).
    pub fn matches_fga(&self, fga: Option<i64>) -> bool {
        fga.is_none_or(|f| f == self.zoned_fga() && self.unzoned_att == 0)
    }
}

const ROLES: [&str; 2] = ["player_2_role", "player_3_role"];

fn has_role(r: &Row, role: &str) -> bool {
    ROLES.iter().any(|c| get_str(r, c) == Some(role))
}

fn text(r: &Row, k: &str) -> Option<String> {
    get_str(r, k).map(str::to_string)
}

fn bdb_shot(r: &Row) -> Option<Shot> {
    if get_str(r, "event_type") != Some("shot") {
        return None;
    }
    let made = get_bool(r, "shot_made") == Some(true);
    Some(Shot {
        team: text(r, "event_team_abbr").or_else(|| text(r, "player_1_team_abbr")),
        player_id: None,
        player_lookup: text(r, "player_1_lookup"),
        player_name: text(r, "player_1_name"),
        zone: bdb_zone(get_str(r, "event_subtype"), get_str(r, "shot_type"), get_f64(r, "shot_distance")),
        made,
        assisted: has_role(r, "assist"),
        blocked: has_role(r, "block"),
    })
}

fn nbac_shot(r: &Row) -> Option<Shot> {
    let kind = get_str(r, "shot_type").filter(|t| *t == "2PT" || *t == "3PT")?;
    Some(Shot {
        team: text(r, "team_abbr").or_else(|| text(r, "player_1_team_abbr")),
        player_id: get_i64(r, "player_1_id").filter(|p| *p > 0),
        player_lookup: text(r, "player_1_lookup"),
        player_name: text(r, "player_1_name"),
        zone: nbac_zone(kind, get_f64(r, "shot_distance")),
        made: get_bool(r, "shot_made") == Some(true),
        assisted: has_role(r, "assist"),
        blocked: has_role(r, "block"),
    })
}

/// The field-goal attempts of one game from its chosen play-by-play.
#[derive(Debug, Clone, PartialEq)]
pub struct GameShots {
    pub source: ZoneSource,
    pub shots: Vec<Shot>,
}

/// Per-player tallies of one game: every box-score player of the game (zeros when they took no shot), by
/// (team, player_lookup), and the shots no box-score player could be matched to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlayerTallies {
    pub by_player: BTreeMap<(String, String), Tally>,
    pub unmatched: i64,
}

impl GameShots {
    /// All shots of `team`.
    pub fn team_tally(&self, team: &str) -> Tally {
        let mut t = Tally::default();
        self.shots.iter().filter(|s| s.team.as_deref() == Some(team)).for_each(|s| t.add(s));
        t
    }

    /// Each box-score player's shots (see the matching rules in the module invariants).
    pub fn player_tallies(&self, roster: &[PlayerLine]) -> PlayerTallies {
        let mut out = PlayerTallies {
            by_player: roster.iter().map(|l| ((l.team.clone(), l.player_lookup.clone()), Tally::default())).collect(),
            unmatched: 0,
        };
        let resolver = NameResolver::new(aliases().clone(), roster.iter().map(|l| l.player_lookup.clone()));
        for s in &self.shots {
            match match_player(roster, &resolver, s)
                .and_then(|l| out.by_player.get_mut(&(l.team.clone(), l.player_lookup.clone())))
            {
                Some(t) => t.add(s),
                None => out.unmatched += 1,
            }
        }
        out
    }
}

fn aliases() -> &'static Aliases {
    static ALIASES: OnceLock<Aliases> = OnceLock::new();
    ALIASES.get_or_init(Aliases::builtin)
}

/// The only element of an iterator, `None` for none or several.
fn unique<'a>(mut it: impl Iterator<Item = &'a PlayerLine>) -> Option<&'a PlayerLine> {
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

fn match_player<'a>(roster: &'a [PlayerLine], resolver: &NameResolver, s: &Shot) -> Option<&'a PlayerLine> {
    let team_ok = |l: &PlayerLine| s.team.as_deref().is_none_or(|t| t == l.team);
    if let Some(id) = s.player_id {
        if let Some(l) = unique(roster.iter().filter(|l| l.nba_player_id == Some(id))) {
            return Some(l);
        }
    }
    if let Some(lookup) = s.player_lookup.as_deref() {
        let by = |k: &str| unique(roster.iter().filter(|l| l.player_lookup == k && team_ok(l)));
        if let Some(l) = by(lookup) {
            return Some(l);
        }
        let resolved = resolver.resolve_lookup(lookup);
        if resolved.is_resolved() {
            if let Some(l) = by(resolved.lookup()) {
                return Some(l);
            }
        }
    }
    // NBA.com's abbreviated "T. Maxey": the initial and the surname.
    let (initial, surname) = s.player_name.as_deref()?.split_once('.')?;
    let initial = player_lookup(initial);
    let surname = player_lookup(surname);
    if initial.is_empty() || initial.len() > 2 || surname.len() < 2 {
        return None;
    }
    let fits = |l: &PlayerLine| {
        let k = l.player_lookup.as_str();
        k.starts_with(&initial) && (k.ends_with(&surname) || strip_suffix(k).ends_with(strip_suffix(&surname)))
    };
    unique(roster.iter().filter(|l| team_ok(l) && fits(l)))
}

/// Every game of the date with play-by-play shots, from its chosen source (see the module invariants).
pub fn shots_by_game(input: &ProcessorInput) -> Result<BTreeMap<String, GameShots>, ProcessorError> {
    type Parse = fn(&Row) -> Option<Shot>;
    let chain: [(&str, ZoneSource, Parse); 2] =
        [(BDB_PBP, ZoneSource::BigDataBall, bdb_shot), (NBAC_PBP, ZoneSource::NbacPbp, nbac_shot)];
    let mut out: BTreeMap<String, GameShots> = BTreeMap::new();
    for (table, source, parse) in chain {
        let mut found: BTreeMap<String, Vec<Shot>> = BTreeMap::new();
        for r in rows_of(input, table) {
            let Some(shot) = parse(r) else { continue };
            let game = get_str(r, "game_id").ok_or_else(|| ProcessorError::BadInput {
                what: table.into(),
                detail: "a shot row has no valid game_id".into(),
            })?;
            found.entry(game.to_string()).or_default().push(shot);
        }
        for (game, shots) in found {
            out.entry(game).or_insert(GameShots { source, shots });
        }
    }
    Ok(out)
}

// ─── the summaries' zone columns ──────────────────────────────────────────────────────────────────────────────

/// The issue recorded where the play-by-play does not account for the box score's field-goal attempts.
pub const FGA_MISMATCH: &str = "pbp_fga_mismatch";

fn cols(s: TableSchema, names: &[&str]) -> TableSchema {
    names.iter().fold(s, |s, c| s.col(c, T::Int64))
}

const PLAYER_COLUMNS: [&str; 6] = [
    "paint_attempts",
    "paint_makes",
    "mid_range_attempts",
    "mid_range_makes",
    "assisted_fg_makes",
    "unassisted_fg_makes",
];
const OFFENSE_COLUMNS: [&str; 5] = [
    "team_paint_attempts",
    "team_paint_makes",
    "team_mid_range_attempts",
    "team_mid_range_makes",
    "points_in_paint_scored",
];
const DEFENSE_COLUMNS: [&str; 8] = [
    "opp_paint_attempts",
    "opp_paint_makes",
    "opp_mid_range_attempts",
    "opp_mid_range_makes",
    "points_in_paint_allowed",
    "blocks_paint",
    "blocks_mid_range",
    "blocks_three_pt",
];

/// The player summary's zone columns (all nullable).
pub fn player_schema(s: TableSchema) -> TableSchema {
    cols(s, &PLAYER_COLUMNS).col("shot_zones_source", T::String)
}
/// The offence summary's zone columns (`shot_zones_available` is declared by the summary itself).
pub fn offense_schema(s: TableSchema) -> TableSchema {
    cols(s, &OFFENSE_COLUMNS).col("shot_zones_source", T::String)
}
/// The defence summary's zone columns.
pub fn defense_schema(s: TableSchema) -> TableSchema {
    cols(s, &DEFENSE_COLUMNS).required("shot_zones_available", T::Bool).col("shot_zones_source", T::String)
}

fn put(r: &mut Row, names: &[&str], values: Option<Vec<i64>>) {
    for (i, c) in names.iter().enumerate() {
        r.insert((*c).into(), values.as_ref().and_then(|v| v.get(i)).map_or(Value::Null, |v| json!(v)));
    }
}

fn source_value(z: Option<(ZoneSource, &Tally)>) -> Value {
    z.map_or(Value::Null, |(s, _)| json!(s.as_str()))
}

/// Fill a player row's zone columns; `true` when the tally disagrees with the box score's `fga`.
pub fn put_player(r: &mut Row, z: Option<(ZoneSource, &Tally)>, fga: Option<i64>) -> bool {
    let v = z.map(|(_, t)| vec![t.paint_att, t.paint_made, t.mid_att, t.mid_made, t.assisted, t.unassisted()]);
    put(r, &PLAYER_COLUMNS, v);
    r.insert("shot_zones_source".into(), source_value(z));
    z.is_some_and(|(_, t)| !t.matches_fga(fga))
}

/// Fill a team offence row's zone columns; `true` when the tally disagrees with the team's `fga`.
pub fn put_offense(r: &mut Row, z: Option<(ZoneSource, &Tally)>, fga: Option<i64>) -> bool {
    let v = z.map(|(_, t)| vec![t.paint_att, t.paint_made, t.mid_att, t.mid_made, t.points_in_paint()]);
    put(r, &OFFENSE_COLUMNS, v);
    r.insert("shot_zones_available".into(), json!(z.is_some()));
    r.insert("shot_zones_source".into(), source_value(z));
    z.is_some_and(|(_, t)| !t.matches_fga(fga))
}

/// Fill a team defence row's zone columns from the **opponent's** tally; `true` when it disagrees with the
/// opponent's `fga`.
pub fn put_defense(r: &mut Row, opp: Option<(ZoneSource, &Tally)>, opp_fga: Option<i64>) -> bool {
    let v = opp.map(|(_, t)| {
        vec![
            t.paint_att,
            t.paint_made,
            t.mid_att,
            t.mid_made,
            t.points_in_paint(),
            t.blocked_paint,
            t.blocked_mid,
            t.blocked_three,
        ]
    });
    put(r, &DEFENSE_COLUMNS, v);
    r.insert("shot_zones_available".into(), json!(opp.is_some()));
    r.insert("shot_zones_source".into(), source_value(opp));
    opp.is_some_and(|(_, t)| !t.matches_fga(opp_fga))
}

#[cfg(test)]
#[path = "zones_tests.rs"]
mod tests;
