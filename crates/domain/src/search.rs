//! Case- and accent-insensitive matching, computed once when a prospect is
//! written so that both backends search the same precomputed text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_script::{Script, UnicodeScript};

use crate::{AccountNumber, ProspectFields};

/// The version of [`fold`]'s rules. Stored columns were folded by some
/// version; the store re-folds them when this one is newer, so bump it
/// whenever the rules change.
pub const FOLDING_VERSION: i32 = 2;

/// Lower-cases, strips accents and spells out Latin ligatures and letters
/// that Unicode does not decompose: `Société Générale` → `societe generale`,
/// `Œnologie` → `oenologie`, `Straße` → `strasse`. Other scripts keep their
/// letters (lower-cased, without marks): no transliteration across scripts.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        match deunicode::deunicode_char(c) {
            Some(ascii) if !c.is_ascii() && c.script() == Script::Latin => {
                folded.extend(ascii.chars().flat_map(char::to_lowercase));
            }
            _ => folded.push(c),
        }
    }
    folded
}

/// The words of `text` after folding; anything not a letter or digit separates words.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The text `filter[name]` matches against: the folded name, untokenized.
pub fn name_key(name: &str) -> String {
    fold(name)
}

/// The searchable words of a prospect's fields, each surrounded by single
/// spaces (` acme corp paris `) so that a word can be matched whole
/// (` word `) or as a prefix (` word`). Written with the row by its INSERT;
/// the account number, which the database derives from the id, is not in it
/// but is searched as well (see [`searched_text`]).
pub fn document(fields: &ProspectFields) -> String {
    let phones = [&fields.phone, &fields.mobile_phone];
    let texts = [
        Some(fields.name.as_str()),
        fields.email_address.as_deref(),
        fields.account_email_address.as_deref(),
        fields.main_contact_first_name.as_deref(),
        fields.main_contact_last_name.as_deref(),
        fields.phone.as_deref(),
        fields.mobile_phone.as_deref(),
        fields.main_address_postal_code.as_deref(),
        fields.main_address_city.as_deref(),
        fields.registration_number.as_deref(),
        fields.tax_registration_number.as_deref(),
    ];
    let mut all: Vec<String> = texts.into_iter().flatten().flat_map(words).collect();
    // A phone number is also searchable with its digits run together.
    for phone in phones.into_iter().flatten() {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            all.push(digits);
        }
    }
    format!(" {} ", all.join(" "))
}

/// What a term is matched against: the account number as a word, then the
/// stored [`document`]. The adapters build the same text in SQL
/// (`' ' || lower(customer_account) || search_document`).
pub fn searched_text(account: &AccountNumber, document: &str) -> String {
    format!(" {}{document}", fold(account.as_str()))
}

/// A parsed `filter[term_match]`: every word must match a whole word of the
/// document, except the last, which may match the start of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    whole: Vec<String>,
    prefix: String,
}

impl SearchTerm {
    /// `None` when the term holds no word at all (such a filter is skipped).
    pub fn parse(raw: &str) -> Option<Self> {
        let mut all = words(raw);
        let prefix = all.pop()?;
        Some(Self { whole: all, prefix })
    }

    /// How many words the term holds.
    pub fn len(&self) -> usize {
        self.whole.len() + 1
    }

    /// Never true: a term holds at least one word.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Words that must appear whole.
    pub fn whole_words(&self) -> &[String] {
        &self.whole
    }

    /// The word that may be the beginning of a longer one.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The whole term, folded, words separated by one space (for relevance).
    pub fn phrase(&self) -> String {
        let mut all = self.whole.clone();
        all.push(self.prefix.clone());
        all.join(" ")
    }

    /// Whether a [`searched_text`] matches; the adapters' SQL must agree.
    pub fn matches(&self, document: &str) -> bool {
        self.whole
            .iter()
            .all(|word| document.contains(&format!(" {word} ")))
            && document.contains(&format!(" {}", self.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccountKind;

    fn doc(name: &str) -> String {
        searched_text(
            &AccountNumber::for_id(AccountKind::Prospect, 42),
            &document(&ProspectFields::named(name.to_owned())),
        )
    }

    #[test]
    fn folding_removes_case_and_accents() {
        assert_eq!(fold("Société Générale"), "societe generale");
        assert_eq!(fold("ÉLÈVE Œuvre"), "eleve oeuvre");
    }

    #[test]
    fn folding_spells_out_latin_ligatures_and_undecomposed_letters() {
        assert_eq!(
            fold("Bœuf Æther Straße Øre Łódź"),
            "boeuf aether strasse ore lodz"
        );
        assert_eq!(fold("ﬁnance"), "finance");
        // Other scripts are not transliterated.
        assert_eq!(fold("Москва Αθήνα"), "москва αθηνα");
    }

    #[test]
    fn ligatures_are_found_from_their_letters() {
        assert!(
            SearchTerm::parse("boeuf")
                .expect("a word")
                .matches(&doc("Au Bœuf Couronné"))
        );
        assert!(
            SearchTerm::parse("oeno")
                .expect("a word")
                .matches(&doc("Œnologie Dupont"))
        );
        assert!(
            SearchTerm::parse("bœuf")
                .expect("a word")
                .matches(&doc("Boeuf & Co"))
        );
    }

    #[test]
    fn the_last_word_matches_as_a_prefix() {
        let term = SearchTerm::parse("acm").expect("a word");
        assert!(term.matches(&doc("Acme Corp")));
        assert!(!term.matches(&doc("Bacme")));
    }

    #[test]
    fn every_word_must_match_and_earlier_words_match_whole() {
        let term = SearchTerm::parse("societe generale").expect("words");
        assert!(term.matches(&doc("Société Générale")));
        assert!(!term.matches(&doc("Société Anonyme")));
        let term = SearchTerm::parse("soc generale").expect("words");
        assert!(!term.matches(&doc("Société Générale")));
    }

    #[test]
    fn account_numbers_and_phone_digits_are_searchable() {
        assert!(
            SearchTerm::parse("PR0000")
                .expect("word")
                .matches(&doc("Acme"))
        );
        let mut fields = ProspectFields::named("Acme".to_owned());
        fields.phone = Some("+33 1 23 45 67 89".to_owned());
        let document = searched_text(
            &AccountNumber::for_id(AccountKind::Prospect, 1),
            &document(&fields),
        );
        assert!(
            SearchTerm::parse("3312345")
                .expect("word")
                .matches(&document)
        );
        assert!(
            SearchTerm::parse("23 45")
                .expect("words")
                .matches(&document)
        );
    }

    #[test]
    fn a_term_without_words_is_no_term() {
        assert_eq!(SearchTerm::parse("  -- "), None);
    }
}
