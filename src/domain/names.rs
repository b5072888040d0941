//! Player name resolution across sources.
//!
//! Every source's display name becomes a [`player_lookup`]; this module maps a lookup onto the canonical one
//! (NBA.com's current name) in three steps, in order:
//! 1. exact: the lookup is a known player;
//! 2. alias: `config/player_aliases.csv` maps it (Alex/Alexandre Sarr, Nic/Nicolas Claxton, …);
//! 3. suffix: it matches a known player once a generational suffix (`jr`, `sr`, `ii`, `iii`, `iv`) is added
//!    or removed on either side ("Paul Reed Jr" ↔ "Paul Reed", "Jimmy Butler" ↔ "Jimmy Butler III"), and that
//!    match is unique.
//!
//! Anything else is [`Resolution::Unresolved`]: the caller keeps the row with its own lookup and queues the
//! name for review (it never guesses). Invariants: resolution is deterministic and never changes a known
//! player's lookup; the alias table is validated at load (no alias maps to itself, no chains).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::identity::player_lookup;

/// The built-in alias table.
pub const ALIASES_CSV: &str = include_str!("../../config/player_aliases.csv");

const SUFFIXES: [&str; 5] = ["iii", "ii", "iv", "jr", "sr"];

/// How a name was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Exact(String),
    Alias(String),
    Suffix(String),
    Unresolved(String),
}

impl Resolution {
    /// The lookup to store (the canonical one, or the source's own when unresolved).
    pub fn lookup(&self) -> &str {
        match self {
            Resolution::Exact(s) | Resolution::Alias(s) | Resolution::Suffix(s) | Resolution::Unresolved(s) => s,
        }
    }
    pub fn method(&self) -> &'static str {
        match self {
            Resolution::Exact(_) => "exact",
            Resolution::Alias(_) => "alias",
            Resolution::Suffix(_) => "suffix",
            Resolution::Unresolved(_) => "unresolved",
        }
    }
    pub fn is_resolved(&self) -> bool {
        !matches!(self, Resolution::Unresolved(_))
    }
}

/// The alias table: source lookup → canonical lookup.
#[derive(Debug, Clone, Default)]
pub struct Aliases(BTreeMap<String, String>);

impl Aliases {
    /// The built-in table.
    pub fn builtin() -> Self {
        Self::parse(ALIASES_CSV).unwrap_or_else(|e| panic!("config/player_aliases.csv is invalid: {e}"))
    }

    /// Parse `alias,canonical[,note]` lines (`#` comments and the header skipped).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("alias,") {
                continue;
            }
            let mut parts = line.splitn(3, ',');
            let (a, c) = match (parts.next(), parts.next()) {
                (Some(a), Some(c)) => (player_lookup(a), player_lookup(c)),
                _ => return Err(format!("line {}: expected alias,canonical", i + 1)),
            };
            if a.is_empty() || c.is_empty() || a == c {
                return Err(format!("line {}: alias and canonical must be distinct, non-empty names", i + 1));
            }
            if map.insert(a.clone(), c).is_some() {
                return Err(format!("line {}: {a} is listed twice", i + 1));
            }
        }
        if let Some((a, c)) = map.iter().find(|(_, c)| map.contains_key(*c)) {
            return Err(format!("alias chain: {a} → {c} → {}", map[c]));
        }
        Ok(Aliases(map))
    }

    pub fn get(&self, lookup: &str) -> Option<&str> {
        self.0.get(lookup).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Strip one generational suffix, if any.
pub fn strip_suffix(lookup: &str) -> &str {
    for s in SUFFIXES {
        if let Some(base) = lookup.strip_suffix(s) {
            if base.len() >= 3 {
                return base;
            }
        }
    }
    lookup
}

/// Resolves names against a set of known canonical lookups.
#[derive(Debug, Clone)]
pub struct NameResolver {
    aliases: Aliases,
    known: HashSet<String>,
    by_base: HashMap<String, Vec<String>>,
}

impl NameResolver {
    pub fn new(aliases: Aliases, known: impl IntoIterator<Item = String>) -> Self {
        let known: HashSet<String> = known.into_iter().collect();
        let mut by_base: HashMap<String, Vec<String>> = HashMap::new();
        for k in &known {
            by_base.entry(strip_suffix(k).to_string()).or_default().push(k.clone());
        }
        NameResolver { aliases, known, by_base }
    }

    /// With no known players: aliases only (what a raw processor can do from one file).
    pub fn aliases_only(aliases: Aliases) -> Self {
        Self::new(aliases, std::iter::empty())
    }

    /// Resolve a display name.
    pub fn resolve(&self, name: &str) -> Resolution {
        self.resolve_lookup(&player_lookup(name))
    }

    /// Resolve an already-folded lookup.
    pub fn resolve_lookup(&self, lookup: &str) -> Resolution {
        if self.known.contains(lookup) {
            return Resolution::Exact(lookup.to_string());
        }
        if let Some(c) = self.aliases.get(lookup) {
            return Resolution::Alias(c.to_string());
        }
        if let Some(c) = self.by_base.get(strip_suffix(lookup)) {
            if c.len() == 1 {
                return Resolution::Suffix(c[0].clone());
            }
        }
        if self.known.is_empty() {
            // Nothing to check against: the lookup stands as given.
            return Resolution::Exact(lookup.to_string());
        }
        Resolution::Unresolved(lookup.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> NameResolver {
        let known = ["Alex Sarr", "Nic Claxton", "Paul Reed", "Jimmy Butler III", "Jabari Smith Jr.", "Bub Carrington"];
        NameResolver::new(Aliases::builtin(), known.iter().map(|n| player_lookup(n)))
    }

    #[test]
    fn known_aliases_and_suffixes_resolve() {
        let r = resolver();
        assert_eq!(r.resolve("Alexandre Sarr"), Resolution::Alias("alexsarr".into()));
        assert_eq!(r.resolve("Alex Sarr"), Resolution::Exact("alexsarr".into()));
        assert_eq!(r.resolve("Nicolas Claxton"), Resolution::Alias("nicclaxton".into()));
        assert_eq!(r.resolve("Carlton Carrington"), Resolution::Alias("bubcarrington".into()));
        assert_eq!(r.resolve("Paul Reed Jr"), Resolution::Suffix("paulreed".into()));
        assert_eq!(r.resolve("Jimmy Butler"), Resolution::Suffix("jimmybutleriii".into()));
        assert_eq!(r.resolve("Jabari Smith Jr"), Resolution::Exact("jabarismithjr".into()));
        assert_eq!(r.resolve("Jabari Smith"), Resolution::Suffix("jabarismithjr".into()));
        assert_eq!(r.resolve("Somebody Else"), Resolution::Unresolved("somebodyelse".into()));
    }

    #[test]
    fn an_ambiguous_suffix_match_is_not_guessed() {
        let r = NameResolver::new(Aliases::default(), ["garypayton".to_string(), "garypaytonii".to_string()]);
        assert_eq!(r.resolve("Gary Payton Jr"), Resolution::Unresolved("garypaytonjr".into()));
        assert_eq!(r.resolve("Gary Payton II"), Resolution::Exact("garypaytonii".into()));
    }

    #[test]
    fn the_alias_table_is_validated() {
        assert!(Aliases::builtin().len() >= 5);
        assert!(Aliases::parse("a b,a b").is_err(), "self alias");
        assert!(Aliases::parse("x y,z w\nz w,q r").is_err(), "chain");
        assert!(Aliases::parse("x y,z w\nx y,q r").is_err(), "duplicate");
        assert!(Aliases::parse("only one column").is_err());
    }
}
