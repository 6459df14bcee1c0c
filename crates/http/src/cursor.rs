//! `cursor=` values: a list position, opaque to clients and tamper-evident.
//!
//! A cursor is base64url (no padding) of a version byte, the direction, the
//! position's relevance tier, `created_at` and `updated_at` in microseconds
//! and the id (big-endian), then the first 16 bytes of an HMAC-SHA256 over
//! those bytes and the list's filters and sort. So a cursor cannot be forged
//! or edited, nor carried over to a list filtered or sorted otherwise (it
//! would point into another order); `per_page` may change between pages, as
//! with Laravel. The key is derived from the token root key, which every
//! instance shares, so any instance reads any instance's cursors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use prospects_domain::{AccountKind, Direction, ListQuery, Position, Seek};
use sha2::Sha256;

const VERSION: u8 = 1;
const BODY: usize = 3 + 8 + 8 + 8;
const TAG: usize = 16;
/// The encoded length of every cursor of this version.
const ENCODED: usize = (BODY + TAG).div_ceil(3) * 4 - (3 - (BODY + TAG) % 3) % 3;

/// The secret cursors are signed with. `Debug` never shows it.
#[derive(Clone)]
pub struct CursorKey([u8; 32]);

impl CursorKey {
    pub fn new(secret: [u8; 32]) -> Self {
        Self(secret)
    }

    /// A key of this process alone: for tests and tools, whose cursors need
    /// not outlive them.
    pub fn random() -> Self {
        let mut secret = [0; 32];
        secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self(secret)
    }

    fn mac(&self, body: &[u8], list: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(body);
        mac.update(list);
        mac
    }

    /// The cursor for `seek` in the list `kind` and `query` describe.
    pub fn encode(&self, kind: AccountKind, query: &ListQuery, seek: Seek) -> String {
        let body = body(seek);
        let tag = self
            .mac(&body, &describe(kind, query))
            .finalize()
            .into_bytes();
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&tag[..TAG]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The position a cursor holds; `None` when it was not made by this
    /// service (or its key has since changed), or for another list.
    pub fn decode(&self, kind: AccountKind, query: &ListQuery, cursor: &str) -> Option<Seek> {
        // Checked before decoding, so no size of input costs more.
        if cursor.len() != ENCODED {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let (body, tag) = bytes.split_at_checked(BODY)?;
        self.mac(body, &describe(kind, query))
            .verify_truncated_left(tag)
            .ok()?;
        read(body)
    }
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey([redacted])")
    }
}

fn body(seek: Seek) -> [u8; BODY] {
    let mut body = [0; BODY];
    body[0] = VERSION;
    body[1] = match seek.direction {
        Direction::Forward => 0,
        Direction::Backward => 1,
    };
    body[2] = seek.from.relevance;
    body[3..11].copy_from_slice(&seek.from.created_at.timestamp_micros().to_be_bytes());
    body[11..19].copy_from_slice(&seek.from.updated_at.timestamp_micros().to_be_bytes());
    body[19..27].copy_from_slice(&seek.from.id.to_be_bytes());
    body
}

fn read(body: &[u8]) -> Option<Seek> {
    let number = |at: usize| -> Option<i64> {
        Some(i64::from_be_bytes(body.get(at..at + 8)?.try_into().ok()?))
    };
    let time = |at: usize| DateTime::<Utc>::from_timestamp_micros(number(at)?);
    if body.first() != Some(&VERSION) {
        return None;
    }
    let direction = match body.get(1)? {
        0 => Direction::Forward,
        1 => Direction::Backward,
        _ => return None,
    };
    Some(Seek {
        from: Position {
            relevance: *body.get(2)?,
            created_at: time(3)?,
            updated_at: time(11)?,
            id: number(19)?,
        },
        direction,
    })
}

/// What a cursor is bound to: the list's kind, filters and sort, each
/// written unambiguously (lengths before contents).
fn describe(kind: AccountKind, query: &ListQuery) -> Vec<u8> {
    let mut out = Vec::new();
    let mut put = |text: &str| {
        out.extend_from_slice(&text.len().to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    };
    put(kind.as_str());
    put(&query.name_any_of.len().to_string());
    for part in &query.name_any_of {
        put(part);
    }
    match &query.ids {
        None => put("all ids"),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            put(&ids.join(","));
        }
    }
    put(&query
        .term
        .as_ref()
        .map(|term| term.phrase())
        .unwrap_or_default());
    for key in query.order() {
        put(key.field.name());
        put(match key.direction {
            prospects_domain::SortDirection::Ascending => "asc",
            prospects_domain::SortDirection::Descending => "desc",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use prospects_domain::search::SearchTerm;

    use super::*;

    fn seek() -> Seek {
        Seek {
            from: Position {
                relevance: 2,
                created_at: DateTime::from_timestamp_micros(1_765_000_000_123_456).expect("a time"),
                updated_at: DateTime::from_timestamp_micros(1_765_000_100_000_001).expect("a time"),
                id: 424_242,
            },
            direction: Direction::Backward,
        }
    }

    fn searching(term: &str) -> ListQuery {
        ListQuery {
            term: SearchTerm::parse(term),
            ..Default::default()
        }
    }

    #[test]
    fn a_cursor_gives_back_its_position_for_the_same_list() {
        let key = CursorKey::random();
        let query = searching("acme paris");
        let cursor = key.encode(AccountKind::Prospect, &query, seek());
        assert_eq!(cursor.len(), ENCODED);
        assert!(
            cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let other_page_size = ListQuery {
            per_page: 50,
            ..query
        };
        assert_eq!(
            key.decode(AccountKind::Prospect, &other_page_size, &cursor),
            Some(seek())
        );
    }

    #[test]
    fn a_cursor_is_refused_for_another_list_or_key_or_once_edited() {
        let key = CursorKey::random();
        let query = searching("acme");
        let cursor = key.encode(AccountKind::Prospect, &query, seek());
        assert_eq!(key.decode(AccountKind::Customer, &query, &cursor), None);
        assert_eq!(
            key.decode(AccountKind::Prospect, &searching("acmf"), &cursor),
            None
        );
        assert_eq!(
            CursorKey::random().decode(AccountKind::Prospect, &query, &cursor),
            None
        );
        // Every single-character edit is caught.
        for at in 0..cursor.len() {
            let mut edited = cursor.clone().into_bytes();
            edited[at] = if edited[at] == b'A' { b'B' } else { b'A' };
            let edited = String::from_utf8(edited).expect("ASCII");
            assert_eq!(
                key.decode(AccountKind::Prospect, &query, &edited),
                None,
                "{edited}"
            );
        }
        for junk in ["", "x", "%%%", &"A".repeat(ENCODED), &"A".repeat(60_000)] {
            assert_eq!(key.decode(AccountKind::Prospect, &query, junk), None);
        }
    }
}
