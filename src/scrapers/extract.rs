//! Discovery extractors (a listing → one set of template variables per item) and body transforms.
//!
//! Invariants: extractors are total over untrusted JSON: an item missing a field it needs is skipped (and
//! logged), never a panic; only items of the requested slate date are returned where the listing spans
//! more; the Basketball-Reference transform fails (a typed `Invalid`) on a page without a roster table.

use serde_json::{json, Value};

use super::template::Vars;
use crate::domain::teams::TEAMS;
use crate::domain::{team_abbr, SlateDate};

fn arr<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    v.pointer(ptr).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// NBA.com `scheduleLeagueV2`: the games of `date` → `game_id` (10 digits) and `teams` (`AWAYHOME`, from
/// `gameCode` `YYYYMMDD/AWAYHOME`).
pub fn nba_schedule_games(v: &Value, date: SlateDate) -> Vec<Vars> {
    let us = date.date().format("%m/%d/%Y").to_string();
    let iso = date.to_string();
    let mut out = Vec::new();
    for day in arr(v, "/leagueSchedule/gameDates") {
        let d = day.get("gameDate").and_then(Value::as_str).unwrap_or_default();
        if !d.starts_with(&us) && !d.starts_with(&iso) {
            continue;
        }
        for g in arr(day, "/games") {
            let (Some(id), Some(code)) = (text(g, "gameId"), text(g, "gameCode")) else {
                tracing::warn!(game = %g, "schedule game without gameId/gameCode: skipped");
                continue;
            };
            let mut vars = Vars::default();
            vars.set("game_id", id);
            vars.set("teams", code.rsplit('/').next().unwrap_or_default());
            out.push(vars);
        }
    }
    out
}

/// The Odds API events (a bare list, or the historical `{data: [...]}`), kept when the tip-off's ET date is
/// `date` → `event_id` and `teams` (`AWAYHOME` tricodes).
pub fn odds_events(v: &Value, date: SlateDate) -> Vec<Vars> {
    let list = v.as_array().map(Vec::as_slice).unwrap_or_else(|| arr(v, "/data"));
    let mut out = Vec::new();
    for e in list {
        let commence = e
            .get("commence_time")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| SlateDate::of_instant(t.with_timezone(&chrono::Utc)));
        let teams = (|| {
            let home = team_abbr(e.get("home_team")?.as_str()?)?;
            let away = team_abbr(e.get("away_team")?.as_str()?)?;
            Some(format!("{away}{home}"))
        })();
        match (text(e, "id"), commence, teams) {
            (Some(id), Some(d), Some(teams)) if d == date => {
                let mut vars = Vars::default();
                vars.set("event_id", id);
                vars.set("teams", teams);
                out.push(vars);
            }
            (Some(_), Some(_), Some(_)) => {}
            _ => tracing::warn!(event = %e, "odds event without id, tip-off or known teams: skipped"),
        }
    }
    out
}

/// ESPN scoreboard events → `espn_game_id`.
pub fn espn_events(v: &Value, _date: SlateDate) -> Vec<Vars> {
    arr(v, "/events")
        .iter()
        .filter_map(|e| text(e, "id"))
        .map(|id| {
            let mut vars = Vars::default();
            vars.set("espn_game_id", id);
            vars
        })
        .collect()
}

/// BettingPros events of the date → one item, `bp_event_ids` = the ids joined by `:` (one offers call).
pub fn bettingpros_events(v: &Value, _date: SlateDate) -> Vec<Vars> {
    let ids: Vec<String> = arr(v, "/events").iter().filter_map(|e| text(e, "id")).collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let mut vars = Vars::default();
    vars.set("bp_event_ids", ids.join(":"));
    vec![vars]
}

/// NBA.com `SeasonType`s to try after `Regular Season` for a date from April to June (play-in, playoffs).
pub fn postseason_types(date: SlateDate) -> Vec<Vars> {
    use chrono::Datelike;
    if !(4..=6).contains(&date.date().month()) {
        return Vec::new();
    }
    ["PlayIn", "Playoffs"]
        .iter()
        .map(|t| {
            let mut vars = Vars::default();
            vars.set("season_type", *t);
            vars
        })
        .collect()
}

/// Basketball-Reference's code for an NBA tricode.
fn br_code(team: &str) -> &str {
    match team {
        "BKN" => "BRK",
        "CHA" => "CHO",
        "PHX" => "PHO",
        t => t,
    }
}

/// ESPN's team id for an NBA tricode (`site.api.espn.com/.../nba/teams/{id}`).
fn espn_id(team: &str) -> u32 {
    const IDS: [(&str, u32); 30] = [
        ("ATL", 1),
        ("BOS", 2),
        ("NOP", 3),
        ("CHI", 4),
        ("CLE", 5),
        ("DAL", 6),
        ("DEN", 7),
        ("DET", 8),
        ("GSW", 9),
        ("HOU", 10),
        ("IND", 11),
        ("LAC", 12),
        ("LAL", 13),
        ("MIA", 14),
        ("MIL", 15),
        ("MIN", 16),
        ("BKN", 17),
        ("NYK", 18),
        ("ORL", 19),
        ("PHI", 20),
        ("PHX", 21),
        ("POR", 22),
        ("SAC", 23),
        ("SAS", 24),
        ("OKC", 25),
        ("UTA", 26),
        ("WAS", 27),
        ("TOR", 28),
        ("MEM", 29),
        ("CHA", 30),
    ];
    IDS.iter().find(|(t, _)| *t == team).map_or(0, |(_, id)| *id)
}

/// The 30 teams → `team` (NBA tricode), `br_team` (Basketball-Reference) and `espn_team` (ESPN id).
pub fn teams() -> Vec<Vars> {
    TEAMS
        .iter()
        .map(|(t, ..)| {
            let mut vars = Vars::default();
            vars.set("team", *t);
            vars.set("br_team", br_code(t));
            vars.set("espn_team", espn_id(t).to_string());
            vars
        })
        .collect()
}

/// Text of an HTML fragment: tags dropped, the common entities decoded, space collapsed.
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&nbsp;", " ")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `data-stat` cells of one table row.
fn cells(row: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = row;
    while let Some(i) = rest.find("data-stat=\"") {
        let after = &rest[i + 11..];
        let Some(q) = after.find('"') else { break };
        let stat = after[..q].to_string();
        let Some(open_end) = after.find('>') else { break };
        let body = &after[open_end + 1..];
        let close = ["</td>", "</th>"].iter().filter_map(|t| body.find(t)).min().unwrap_or(body.len());
        out.push((stat, strip_tags(&body[..close])));
        rest = &body[close..];
    }
    out
}

/// A Basketball-Reference season roster page (`table#roster`) → the roster JSON the raw processor reads
/// (`{team_abbrev, season, timestamp, players: [{full_name, last_name, position, jersey_number, height, weight,
/// birth_date, college, experience}]}`).
pub fn br_roster_json(page: &[u8], vars: &Vars) -> Result<Vec<u8>, String> {
    let html = String::from_utf8_lossy(page).replace("<!--", "").replace("-->", "");
    let start = html.find("id=\"roster\"").ok_or("no roster table (table#roster) in the page")?;
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap_or(table.len())];
    let body = table.find("<tbody").map_or(table, |i| &table[i..]);
    let mut players = Vec::new();
    for row in body.split("<tr").skip(1) {
        let c = cells(row);
        let get = |k: &str| c.iter().find(|(s, _)| s == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let name = get("player").trim_end_matches("(TW)").trim().to_string();
        if name.is_empty() {
            continue;
        }
        players.push(json!({
            "full_name": name,
            "last_name": name.rsplit(' ').next().unwrap_or_default(),
            "normalized": name.to_lowercase(),
            "position": get("pos"),
            "jersey_number": get("number"),
            "height": get("height"),
            "weight": get("weight"),
            "birth_date": get("birth_date"),
            "college": get("college"),
            "experience": get("years_experience"),
        }));
    }
    if players.is_empty() {
        return Err("the roster table has no players".into());
    }
    let doc = json!({
        "team_abbrev": vars.get("team").unwrap_or_default(),
        "season": vars.get("season").unwrap_or_default(),
        "timestamp": vars.get("started").unwrap_or_default(),
        "players": players,
    });
    serde_json::to_vec(&doc).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn br_roster_table_parses() {
        let page = r#"<html><table class="stats_table" id="roster"><thead><tr><th data-stat="number">No.</th></tr></thead>
<tbody><tr ><th scope="row" class="center " data-stat="number" >23</th><td class="left " data-stat="player" csk="James,LeBron" ><a href="/players/j/jamesle01.html">LeBron James</a></td><td data-stat="pos" >F</td><td data-stat="height" csk="81">6-9</td><td data-stat="weight" >250</td><td data-stat="birth_date" csk="19841230" >December 30, 1984</td><td data-stat="years_experience" >20</td><td data-stat="college" ></td></tr>
<tr ><th data-stat="number" >1</th><td data-stat="player" ><a href="x">Dalton Knecht</a>&nbsp;(TW)</td><td data-stat="pos" >G</td><td data-stat="years_experience" >R</td><td data-stat="college" ><a href="y">Tennessee</a></td></tr></tbody></table></html>"#;
        let mut vars = Vars::default();
        vars.set("team", "LAL");
        vars.set("season", "2024-25");
        vars.set("started", "2025-01-16T02:00:00Z");
        let out: Value =
            serde_json::from_slice(&br_roster_json(page.as_bytes(), &vars).expect("roster")).expect("json");
        assert_eq!(out["team_abbrev"], "LAL");
        let p = out["players"].as_array().expect("players");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0]["full_name"], "LeBron James");
        assert_eq!(p[0]["jersey_number"], "23");
        assert_eq!(p[0]["birth_date"], "December 30, 1984");
        assert_eq!(p[1]["full_name"], "Dalton Knecht");
        assert_eq!((p[1]["experience"].as_str(), p[1]["college"].as_str()), (Some("R"), Some("Tennessee")));
        assert!(br_roster_json(b"<html></html>", &vars).is_err());
    }

    #[test]
    fn odds_events_live_list_of_the_et_date() {
        let v = json!([
            {"id": "a", "commence_time": "2025-03-10T00:10:00Z", "home_team": "Milwaukee Bucks", "away_team": "Cleveland Cavaliers"},
            {"id": "b", "commence_time": "2025-03-10T23:40:00Z", "home_team": "Atlanta Hawks", "away_team": "Philadelphia 76ers"},
            {"id": "c", "commence_time": "2025-03-09T23:00:00Z", "home_team": "Nowhere Nobodies", "away_team": "Utah Jazz"},
            {"commence_time": "2025-03-09T23:00:00Z"}
        ]);
        let d: SlateDate = "2025-03-09".parse().expect("date");
        let e = odds_events(&v, d);
        assert_eq!(e.len(), 1, "8:10 pm ET on the 9th; the 10th's game and the unknown team are left out");
        assert_eq!((e[0].get("event_id"), e[0].get("teams")), (Some("a"), Some("CLEMIL")));
    }

    #[test]
    fn every_team_has_its_codes() {
        let t = teams();
        assert_eq!(t.len(), 30);
        let ids: std::collections::BTreeSet<&str> = t.iter().filter_map(|v| v.get("espn_team")).collect();
        assert_eq!(ids.len(), 30, "distinct ESPN ids");
        assert!(!ids.contains("0"));
        assert!(t.iter().any(|v| v.get("team") == Some("BKN") && v.get("br_team") == Some("BRK")));
    }

    #[test]
    fn schedule_games_of_a_date() {
        let v = json!({"leagueSchedule": {"gameDates": [
            {"gameDate": "01/15/2025 00:00:00", "games": [{"gameId": "0022400561", "gameCode": "20250115/LALPHI"}, {"gameId": "x"}]},
            {"gameDate": "01/16/2025 00:00:00", "games": [{"gameId": "0022400570", "gameCode": "20250116/BOSNYK"}]}]}});
        let d: SlateDate = "2025-01-15".parse().expect("date");
        let g = nba_schedule_games(&v, d);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].get("game_id"), g[0].get("teams")), (Some("0022400561"), Some("LALPHI")));
    }
}
