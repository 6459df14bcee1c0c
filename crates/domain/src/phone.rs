//! Phone numbers in E.164 form (`+33611131719`), so that the ways people
//! write one number (`06 11 13 17 19`, `+33 6 11 13 17 19`, `0033611131719`)
//! compare equal. The rules are libphonenumber's, through the `phonenumber`
//! crate.

use phonenumber::country;

/// The country a number written without one (`06 11 13 17 19`) belongs to:
/// the vendor's customers are French.
pub const DEFAULT_REGION: country::Id = country::Id::FR;

/// Longer than any number written by hand, with spaces and an extension.
const MAX_CHARS: usize = 40;

/// The number `text` writes, in E.164 form; `None` when it writes no valid
/// number. Only characters a phone number is written with reach the parser,
/// and only so many of them: it is a complex piece of code fed with
/// anything a client sends.
pub fn e164(text: &str) -> Option<String> {
    let plausible = text.chars().count() <= MAX_CHARS
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
    if !plausible {
        return None;
    }
    let number = phonenumber::parse(Some(DEFAULT_REGION), text).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_written_many_ways_is_one_e164_number() {
        for written in [
            "06 11 13 17 19",
            "+33 6 11 13 17 19",
            "0033611131719",
            "06.11.13.17.19",
            "(0)6-11-13-17-19",
            "+33611131719",
        ] {
            assert_eq!(e164(written).as_deref(), Some("+33611131719"), "{written}");
        }
        assert_eq!(e164("+33 6 11").as_deref(), None, "too short");
        assert_eq!(e164("+44 20 7946 0958").as_deref(), Some("+442079460958"));
    }

    #[test]
    fn what_is_no_number_is_none_and_never_a_panic() {
        for text in ["", "abc", "06 11 13 17 19 x", "  2 22#:", "+", "0", "()"] {
            assert_eq!(e164(text), None, "{text:?}");
        }
        assert_eq!(e164(&"1".repeat(41)), None);
        // Every short string over the accepted alphabet goes through the
        // parser without a panic.
        let alphabet: Vec<char> = "0123456789 +-.()/".chars().collect();
        let mut seed: u64 = 7;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let length = (seed >> 59) as usize + 1;
            let text: String = (0..length)
                .map(|i| alphabet[((seed >> (i * 3 % 48)) as usize) % alphabet.len()])
                .collect();
            let _ = e164(&text);
        }
    }
}
