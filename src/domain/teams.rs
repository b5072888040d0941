//! NBA teams: the 30 canonical tricodes (NBA.com's), their names, and every source's variant spelling.
//!
//! Invariant: every team a raw processor writes goes through [`team_abbr`], so `team_abbr` columns hold only
//! the 30 NBA.com tricodes; an unknown spelling is `None` and the processor decides (error or flag).

/// (tricode, city, nickname, NBA.com team id)
pub const TEAMS: [(&str, &str, &str, i64); 30] = [
    ("ATL", "Atlanta", "Hawks", 1610612737),
    ("BOS", "Boston", "Celtics", 1610612738),
    ("BKN", "Brooklyn", "Nets", 1610612751),
    ("CHA", "Charlotte", "Hornets", 1610612766),
    ("CHI", "Chicago", "Bulls", 1610612741),
    ("CLE", "Cleveland", "Cavaliers", 1610612739),
    ("DAL", "Dallas", "Mavericks", 1610612742),
    ("DEN", "Denver", "Nuggets", 1610612743),
    ("DET", "Detroit", "Pistons", 1610612765),
    ("GSW", "Golden State", "Warriors", 1610612744),
    ("HOU", "Houston", "Rockets", 1610612745),
    ("IND", "Indiana", "Pacers", 1610612754),
    ("LAC", "LA", "Clippers", 1610612746),
    ("LAL", "Los Angeles", "Lakers", 1610612747),
    ("MEM", "Memphis", "Grizzlies", 1610612763),
    ("MIA", "Miami", "Heat", 1610612748),
    ("MIL", "Milwaukee", "Bucks", 1610612749),
    ("MIN", "Minnesota", "Timberwolves", 1610612750),
    ("NOP", "New Orleans", "Pelicans", 1610612740),
    ("NYK", "New York", "Knicks", 1610612752),
    ("OKC", "Oklahoma City", "Thunder", 1610612760),
    ("ORL", "Orlando", "Magic", 1610612753),
    ("PHI", "Philadelphia", "76ers", 1610612755),
    ("PHX", "Phoenix", "Suns", 1610612756),
    ("POR", "Portland", "Trail Blazers", 1610612757),
    ("SAC", "Sacramento", "Kings", 1610612758),
    ("SAS", "San Antonio", "Spurs", 1610612759),
    ("TOR", "Toronto", "Raptors", 1610612761),
    ("UTA", "Utah", "Jazz", 1610612762),
    ("WAS", "Washington", "Wizards", 1610612764),
];

/// Variant abbreviations used by ESPN, balldontlie, Basketball-Reference and the books.
const VARIANTS: [(&str, &str); 14] = [
    ("GS", "GSW"),
    ("NY", "NYK"),
    ("SA", "SAS"),
    ("NO", "NOP"),
    ("NOR", "NOP"),
    ("UTAH", "UTA"),
    ("WSH", "WAS"),
    ("PHO", "PHX"),
    ("BRK", "BKN"),
    ("BRO", "BKN"),
    ("CHO", "CHA"),
    ("CHH", "CHA"),
    ("NJN", "BKN"),
    ("SEA", "OKC"),
];

/// The canonical tricode of an abbreviation, full name ("Golden State Warriors", "LA Clippers"), nickname or
/// NBA.com team id given as text. Case and surrounding space are ignored.
pub fn team_abbr(s: &str) -> Option<&'static str> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let up = t.to_ascii_uppercase();
    if let Some((code, ..)) = TEAMS.iter().find(|(code, ..)| *code == up) {
        return Some(code);
    }
    if let Some((_, code)) = VARIANTS.iter().find(|(v, _)| *v == up) {
        return Some(code);
    }
    if let Ok(id) = t.parse::<i64>() {
        return TEAMS.iter().find(|(.., tid)| *tid == id).map(|(code, ..)| *code);
    }
    let low = t.to_ascii_lowercase();
    let low = low.replace("los angeles clippers", "la clippers");
    TEAMS
        .iter()
        .find(|(_, city, nick, _)| {
            let full = format!("{city} {nick}").to_ascii_lowercase();
            low == full || low == nick.to_ascii_lowercase()
        })
        .map(|(code, ..)| *code)
}

/// The NBA.com team id of a canonical tricode.
pub fn team_id(abbr: &str) -> Option<i64> {
    TEAMS.iter().find(|(code, ..)| *code == abbr).map(|t| t.3)
}

/// "Golden State Warriors" for "GSW".
pub fn team_name(abbr: &str) -> Option<String> {
    TEAMS.iter().find(|(code, ..)| *code == abbr).map(|(_, city, nick, _)| format!("{city} {nick}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_resolves_to_the_tricode() {
        for (s, want) in [
            ("GS", "GSW"),
            ("gsw", "GSW"),
            ("Golden State Warriors", "GSW"),
            ("LA Clippers", "LAC"),
            ("Los Angeles Clippers", "LAC"),
            ("Los Angeles Lakers", "LAL"),
            ("UTAH", "UTA"),
            ("WSH", "WAS"),
            ("1610612744", "GSW"),
            ("Trail Blazers", "POR"),
            ("Portland Trail Blazers", "POR"),
            ("Philadelphia 76ers", "PHI"),
        ] {
            assert_eq!(team_abbr(s), Some(want), "{s}");
        }
        assert_eq!(team_abbr("XYZ"), None);
        assert_eq!(team_abbr(""), None);
        assert_eq!(team_id("GSW"), Some(1610612744));
        assert_eq!(team_name("LAC").as_deref(), Some("LA Clippers"));
    }
}
