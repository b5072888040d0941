//! Player and game identity.
//!
//! Invariant: every source's player name goes through [`player_lookup`] (lowercase, diacritics stripped, only
//! `[a-z0-9]` kept); suffixes are *kept* (the original injury-report suffix stripping is a known defect).

/// Normalise a display name into the cross-source `player_lookup` key.
pub fn player_lookup(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let base = fold_diacritic(c);
        for b in base.chars() {
            let l = b.to_ascii_lowercase();
            if l.is_ascii_lowercase() || l.is_ascii_digit() {
                out.push(l);
            }
        }
    }
    out
}

/// The standard game id `YYYYMMDD_AWAY_HOME`.
pub fn standard_game_id(date: crate::domain::SlateDate, away: &str, home: &str) -> String {
    format!("{}_{}_{}", date.compact(), away, home)
}

/// Fold a Latin letter with a diacritic into its base letter(s). Covers Latin-1, Latin Extended-A and the
/// letters seen in NBA rosters; anything else passes through and is dropped by the `[a-z0-9]` filter.
fn fold_diacritic(c: char) -> &'static str {
    if c.is_ascii() {
        // Safe: ASCII chars map to themselves via a small static table.
        return ASCII[c as usize];
    }
    match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' | 'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => {
            "a"
        }
        'Æ' | 'æ' => "ae",
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' | 'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'Ď' | 'Đ' | 'ď' | 'đ' | 'Ð' | 'ð' => "d",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' | 'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => {
            "e"
        }
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' | 'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'Ĥ' | 'Ħ' | 'ĥ' | 'ħ' => "h",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' | 'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => {
            "i"
        }
        'Ĵ' | 'ĵ' => "j",
        'Ķ' | 'ķ' => "k",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' | 'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' | 'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' | 'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => {
            "o"
        }
        'Œ' | 'œ' => "oe",
        'Ŕ' | 'Ŗ' | 'Ř' | 'ŕ' | 'ŗ' | 'ř' => "r",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'ś' | 'ŝ' | 'ş' | 'š' | 'Ș' | 'ș' => "s",
        'ß' => "ss",
        'Ţ' | 'Ť' | 'Ŧ' | 'ţ' | 'ť' | 'ŧ' | 'Ț' | 'ț' => "t",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' | 'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů'
        | 'ű' | 'ų' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ý' | 'Ÿ' | 'Ŷ' | 'ý' | 'ÿ' | 'ŷ' => "y",
        'Ź' | 'Ż' | 'Ž' | 'ź' | 'ż' | 'ž' => "z",
        'Þ' | 'þ' => "th",
        _ => "",
    }
}

static ASCII: [&str; 128] = {
    const S: [&str; 128] = [
        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
        "", "", "", "", " ", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/", "0", "1", "2",
        "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?", "@", "A", "B", "C", "D", "E", "F", "G", "H",
        "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "[", "\\", "]", "^",
        "_", "`", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
        "u", "v", "w", "x", "y", "z", "{", "|", "}", "~", "",
    ];
    S
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_examples_from_the_spec() {
        assert_eq!(player_lookup("LeBron James Jr."), "lebronjamesjr");
        assert_eq!(player_lookup("Dāvis Bertāns"), "davisbertans");
        assert_eq!(player_lookup("Nikola Jokić"), "nikolajokic");
        assert_eq!(player_lookup("Luka Dončić"), "lukadoncic");
        assert_eq!(player_lookup("D'Angelo Russell"), "dangelorussell");
        assert_eq!(player_lookup("Karl-Anthony Towns"), "karlanthonytowns");
        assert_eq!(player_lookup("Jaren Jackson Jr"), "jarenjacksonjr");
        assert_eq!(player_lookup("Kristaps Porziņģis"), "kristapsporzingis");
    }
}
