//! Realistic prospects, the same for a given row number on every run: French
//! company names and cities, a share of accented names and ligatures, phone
//! numbers, and a few common words at known rates, so that the scenarios'
//! searches match as many rows as they would in a real pipeline.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use prospects_domain::ProspectFields;

/// A small, fast, seedable generator (SplitMix64): the data must be the
/// same on every run, and nothing here needs cryptographic randomness.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// True with probability `per_10000` / 10,000.
    pub fn chance(&mut self, per_10000: u64) -> bool {
        self.next_u64() % 10_000 < per_10000
    }

    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next_u64() % from.len() as u64) as usize]
    }
}

/// The common word in names: about 1.7 % of them, as in the data.
pub const COMMON_NAME_WORD: &str = "acme";
/// The common city: about 2.5 % of prospects.
pub const COMMON_CITY: &str = "paris";
/// A word in one name in 100,000 (and in row 7, so small runs have one).
pub const RARE_WORD: &str = "zephyrin";

const ACTIVITIES: &[&str] = &[
    "Boulangerie",
    "Transports",
    "Cabinet",
    "Garage",
    "Société",
    "Atelier",
    "Pharmacie",
    "Hôtel",
    "Café",
    "Imprimerie",
    "Menuiserie",
    "Plomberie",
    "Électricité",
    "Librairie",
    "Fromagerie",
    "Brasserie",
    "Clinique",
    "Études",
    "Œnologie",
    "Maçonnerie",
];

const FAMILIES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Légaré",
    "Bœuf",
    "Müller",
    "Château",
    "Gauthier",
    "Perrin",
    "Chevalier",
    "Noël",
    "Hébert",
    "Brûlé",
];

const SUFFIXES: &[&str] = &[
    "SARL",
    "SAS",
    "& Fils",
    "Industries",
    "Conseil",
    "Services",
    "Frères",
    "et Associés",
    "Distribution",
    "Group",
];

const FIRST_NAMES: &[&str] = &[
    "Jean",
    "Marie",
    "Pierre",
    "Anne",
    "Luc",
    "Sophie",
    "Élodie",
    "Jérôme",
    "Chloé",
    "Hélène",
    "Nicolas",
    "Julie",
    "François",
    "Inès",
    "Zoé",
    "Mathieu",
];

const CITIES: &[(&str, &str)] = &[
    ("Lyon", "69"),
    ("Marseille", "13"),
    ("Toulouse", "31"),
    ("Nice", "06"),
    ("Nantes", "44"),
    ("Strasbourg", "67"),
    ("Montpellier", "34"),
    ("Bordeaux", "33"),
    ("Lille", "59"),
    ("Rennes", "35"),
    ("Reims", "51"),
    ("Saint-Étienne", "42"),
    ("Le Havre", "76"),
    ("Toulon", "83"),
    ("Grenoble", "38"),
    ("Dijon", "21"),
    ("Angers", "49"),
    ("Nîmes", "30"),
    ("Villeurbanne", "69"),
    ("Clermont-Ferrand", "63"),
    ("Aix-en-Provence", "13"),
    ("Brest", "29"),
    ("Limoges", "87"),
    ("Tours", "37"),
    ("Amiens", "80"),
    ("Perpignan", "66"),
    ("Metz", "57"),
    ("Besançon", "25"),
    ("Orléans", "45"),
    ("Rouen", "76"),
    ("Mulhouse", "68"),
    ("Caen", "14"),
    ("Nancy", "54"),
    ("Argenteuil", "95"),
    ("Montreuil", "93"),
    ("Roubaix", "59"),
    ("Avignon", "84"),
    ("Créteil", "94"),
    ("Poitiers", "86"),
    ("Versailles", "78"),
    ("Pau", "64"),
    ("La Rochelle", "17"),
    ("Colmar", "68"),
    ("Annecy", "74"),
    ("Chambéry", "73"),
    ("Béziers", "34"),
    ("Valence", "26"),
    ("Quimper", "29"),
    ("Évreux", "27"),
];

/// The prospect of row `row` (0-based), owned by one of `representatives`
/// in turn, created at a time that grows with the row over three years.
pub fn prospect(row: u64, rows: u64, representatives: &[i64]) -> (ProspectFields, NaiveDateTime) {
    let mut rng = Rng::new(row);
    let family = rng.pick(FAMILIES);
    let name = if row == 7 || (row % 100_000 == 99_999) {
        format!("Zéphyrin {family}")
    } else if rng.chance(170) {
        format!("Acme {}", rng.pick(SUFFIXES))
    } else {
        match rng.between(0, 2) {
            0 => format!("{} {family}", rng.pick(ACTIVITIES)),
            1 => format!("{family} {}", rng.pick(SUFFIXES)),
            _ => format!("{} {family} {}", rng.pick(ACTIVITIES), rng.pick(SUFFIXES)),
        }
    };
    let (city, department) = if rng.chance(250) {
        ("Paris", "75")
    } else {
        CITIES[(rng.next_u64() % CITIES.len() as u64) as usize]
    };
    let slug: String = prospects_domain::search::fold(family)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let mut fields = ProspectFields::named(name);
    fields.representative_id = Some(representatives[(row % representatives.len() as u64) as usize]);
    fields.main_address_city = Some(city.to_owned());
    fields.main_address_postal_code = Some(format!("{department}{:03}", rng.between(0, 999)));
    fields.main_address_line1 = Some(format!(
        "{} rue {}",
        rng.between(1, 200),
        rng.pick(FAMILIES)
    ));
    fields.phone = Some(format!(
        "0{} {:02} {:02} {:02} {:02}",
        rng.between(1, 5),
        rng.between(0, 99),
        rng.between(0, 99),
        rng.between(0, 99),
        rng.between(0, 99)
    ));
    if rng.chance(6_000) {
        fields.mobile_phone = Some(format!(
            "+33 6 {:02} {:02} {:02} {:02}",
            rng.between(0, 99),
            rng.between(0, 99),
            rng.between(0, 99),
            rng.between(0, 99)
        ));
    }
    fields.email_address = Some(format!("contact{row}@{slug}.example"));
    fields.main_contact_first_name = Some(rng.pick(FIRST_NAMES).to_owned());
    fields.main_contact_last_name = Some(rng.pick(FAMILIES).to_owned());
    fields.registration_number = Some(format!("{:09}", rng.between(0, 999_999_999)));
    let start = NaiveDate::from_ymd_opt(2023, 1, 1)
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let span = Duration::days(3 * 365).num_seconds() as u64;
    let jitter = rng.between(0, 86_400);
    let offset = row.saturating_mul(span) / rows.max(1) + jitter;
    let created_at = start + Duration::seconds(i64::try_from(offset).unwrap_or(i64::MAX));
    (fields, created_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prospects_domain::search::fold;

    #[test]
    fn rows_are_the_same_on_every_run_and_common_words_come_at_their_rates() {
        let reps = [1, 2, 3];
        assert_eq!(prospect(42, 1000, &reps), prospect(42, 1000, &reps));
        let rows = 20_000;
        let all: Vec<_> = (0..rows).map(|row| prospect(row, rows, &reps).0).collect();
        let named = all
            .iter()
            .filter(|f| fold(&f.name).contains(COMMON_NAME_WORD))
            .count();
        let in_paris = all
            .iter()
            .filter(|f| f.main_address_city.as_deref() == Some("Paris"))
            .count();
        assert!((250..450).contains(&named), "{named} acme names");
        assert!((400..600).contains(&in_paris), "{in_paris} in Paris");
        assert!(fold(&all[7].name).contains(RARE_WORD));
        assert!(
            all.iter()
                .any(|f| f.name.contains('œ') || f.name.contains('Œ'))
        );
    }
}
