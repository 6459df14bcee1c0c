//! `application/x-www-form-urlencoded` text (form bodies and query strings),
//! decoded strictly: percent-escapes that do not spell UTF-8 are refused,
//! never replaced with U+FFFD, so what is stored is what was sent.

use std::borrow::Cow;

use percent_encoding::percent_decode;

/// The text is not UTF-8 once its percent-escapes are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8;

/// The `key=value` pairs in order, `+` read as a space. Empty segments are
/// skipped and a segment without `=` has an empty value, as browsers and
/// `url::form_urlencoded` have it.
pub fn pairs(text: &[u8]) -> Result<Vec<(String, String)>, NotUtf8> {
    text.split(|b| *b == b'&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (key, value) = match segment.iter().position(|b| *b == b'=') {
                Some(at) => (&segment[..at], &segment[at + 1..]),
                None => (segment, &[][..]),
            };
            Ok((decode(key)?, decode(value)?))
        })
        .collect()
}

fn decode(part: &[u8]) -> Result<String, NotUtf8> {
    let spaced: Cow<[u8]> = if part.contains(&b'+') {
        Cow::Owned(
            part.iter()
                .map(|b| if *b == b'+' { b' ' } else { *b })
                .collect(),
        )
    } else {
        Cow::Borrowed(part)
    };
    percent_decode(&spaced)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn decodes_like_a_browser_form() {
        assert_eq!(
            pairs(b"name=Soci%C3%A9t%C3%A9+G&&flag&filter%5Bid%5D=1,2&e=").expect("utf-8"),
            owned(&[
                ("name", "Société G"),
                ("flag", ""),
                ("filter[id]", "1,2"),
                ("e", "")
            ])
        );
        assert_eq!(
            pairs(b"a=%2B%25&b=x=y").expect("utf-8"),
            owned(&[("a", "+%"), ("b", "x=y")])
        );
    }

    #[test]
    fn agrees_with_the_url_crate_on_valid_text() {
        let text = b"a=1&b=%20%7E+x&&c&d==&%E2%82%AC=%F0%9F%98%80&bad%zz=%4";
        let expected: Vec<(String, String)> = url::form_urlencoded::parse(text)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(pairs(text).expect("utf-8"), expected);
    }

    #[test]
    fn escapes_that_are_not_utf8_are_refused() {
        for text in [
            &b"name=Bad%FF%FEForm"[..],
            b"%C3=1",
            b"a=%ED%A0%80",
            b"a=\xff",
        ] {
            assert_eq!(pairs(text), Err(NotUtf8), "{text:?}");
        }
    }
}
