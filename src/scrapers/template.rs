//! `{name}` templates for URLs and landing paths.
//!
//! Invariant: filling is total: a placeholder without a value is an error naming it, never left in place
//! (an unfilled `{game_id}` in a landing path would misfile an object).

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::SlateDate;

/// The first and last second of `date`'s America/New_York day, in UTC.
pub fn et_day_utc(date: SlateDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |d: SlateDate| {
        let midnight = d.date().and_hms_opt(0, 0, 0).unwrap_or_default();
        chrono_tz::America::New_York
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| midnight.and_utc())
    };
    (at(date), at(date.succ()) - chrono::Duration::seconds(1))
}

/// Template variables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vars(pub BTreeMap<String, String>);

impl Vars {
    /// The variables of a run: `date` (YYYY-MM-DD), `date_compact` (YYYYMMDD), `season` (2024-25),
    /// `season_year` (2024), `season_end` (2025), `ts` (run start, YYYYMMDD_HHMMSS), `snap` (HHMM).
    pub fn for_run(date: SlateDate, started: DateTime<Utc>) -> Self {
        let mut v = Vars::default();
        let y = date.season_year();
        v.set("date", date.to_string());
        v.set("date_compact", date.compact());
        v.set("season", date.season_label());
        v.set("season_year", y.to_string());
        v.set("season_end", (y + 1).to_string());
        v.set("ts", started.format("%Y%m%d_%H%M%S").to_string());
        v.set("snap", started.format("%H%M").to_string());
        v.set("started", started.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        v.set("season_type", "Regular%20Season");
        let (from, to) = et_day_utc(date);
        v.set("et_start_utc", from.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        v.set("et_end_utc", to.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        v.set_report_time(date, 17, None);
        v.set_snapshot(date.date().and_hms_opt(17, 0, 0).map_or(started, |t| t.and_utc()));
        v
    }

    /// The historical snapshot asked of a history endpoint (default 17:00 UTC of the date, before any
    /// tip-off): `snapshot_iso` (`2025-03-09T17:00:00Z`), `snapshot_ts` (`20250309_170000`), `snapshot_snap`
    /// (`1700`).
    pub fn set_snapshot(&mut self, t: DateTime<Utc>) {
        self.set("snapshot_iso", t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        self.set("snapshot_ts", t.format("%Y%m%d_%H%M%S").to_string());
        self.set("snapshot_snap", t.format("%H%M").to_string());
    }

    /// The injury report's file time token for `hour:minute` ET: hourly `05PM` through 2025-12-21, then the
    /// 15-minute `05_30PM` (minute default 00) the NBA has used since 2025-12-22. Sets `report_time` and the
    /// hour variables.
    pub fn set_report_time(&mut self, date: SlateDate, hour: u32, minute: Option<u32>) {
        self.set_hour(hour);
        let h = hour % 24;
        let (h12, ampm) = (if h % 12 == 0 { 12 } else { h % 12 }, if h < 12 { "AM" } else { "PM" });
        let quarter_hourly = SlateDate::from_ymd(2025, 12, 22).is_some_and(|d| date >= d);
        let token = if quarter_hourly || minute.is_some() {
            format!("{h12:02}_{:02}{ampm}", minute.unwrap_or(0) % 60)
        } else {
            format!("{h12:02}{ampm}")
        };
        self.set("report_time", token);
    }

    /// The report hour (America/New_York, 0–23): `hour24` (`17`), `hour12` (`05`), `ampm` (`PM`).
    pub fn set_hour(&mut self, hour: u32) {
        let h = hour % 24;
        let h12 = if h % 12 == 0 { 12 } else { h % 12 };
        self.set("hour24", format!("{h:02}"));
        self.set("hour12", format!("{h12:02}"));
        self.set("ampm", if h < 12 { "AM" } else { "PM" });
    }

    pub fn set(&mut self, k: &str, val: impl Into<String>) {
        self.0.insert(k.to_string(), val.into());
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// These variables overlaid with `other`'s.
    pub fn with(&self, other: &Vars) -> Vars {
        let mut v = self.clone();
        v.0.extend(other.0.iter().map(|(k, x)| (k.clone(), x.clone())));
        v
    }

    /// `template` with every `{name}` replaced; `Err(name)` for the first one without a value.
    pub fn fill(&self, template: &str) -> Result<String, String> {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let end = after.find('}').ok_or_else(|| format!("unclosed brace in {template:?}"))?;
            let name = &after[..end];
            out.push_str(self.get(name).ok_or_else(|| format!("no value for {{{name}}} in {template:?}"))?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_rejects_missing() {
        let d: SlateDate = "2025-01-15".parse().expect("date");
        let t = DateTime::parse_from_rfc3339("2025-01-16T08:05:09Z").expect("ts").with_timezone(&Utc);
        let v = Vars::for_run(d, t);
        assert_eq!(v.fill("a/{date}/{ts}.json").as_deref(), Ok("a/2025-01-15/20250116_080509.json"));
        assert_eq!(v.fill("{season}/{season_year}/{season_end}").as_deref(), Ok("2024-25/2024/2025"));
        assert!(v.fill("x/{game_id}").is_err());
        assert_eq!(v.fill("{et_start_utc}..{et_end_utc}").as_deref(), Ok("2025-01-15T05:00:00Z..2025-01-16T04:59:59Z"));
        assert_eq!(v.fill("{hour24}/{hour12}{ampm}/{report_time}").as_deref(), Ok("17/05PM/05PM"));
        let mut late = Vars::for_run("2026-03-18".parse().expect("date"), t);
        late.set_report_time("2026-03-18".parse().expect("date"), 0, Some(30));
        assert_eq!(late.fill("{hour24} {report_time}").as_deref(), Ok("00 12_30AM"));
        assert!(v.fill("x/{date").is_err());
    }
}
