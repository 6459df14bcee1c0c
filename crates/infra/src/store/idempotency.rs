//! `IdempotencyRepository`, one code base for both backends, and
//! [`keep_response!`], which a creating write runs in its own transaction.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use prospects_domain::{
    Claim, Fingerprint, IdempotencyKey, IdempotencyRepository, IdempotencySettings, Lease, Replay,
    RepositoryError,
};

use super::{IdempotencyKeys, with_conn};
use crate::errors::from_diesel;
use crate::rows::now;
use crate::schema::idempotency_keys as keys;

/// Stores the response `$receipt` (an `Option<Receipt<_>>`) renders for
/// `$created`, under its lease; when a retry took the key over meanwhile,
/// fails the enclosing transaction with `InFlight`, so the record is not
/// written twice.
macro_rules! keep_response {
    ($c:expr, $receipt:expr, $created:expr) => {
        if let Some(receipt) = &$receipt {
            use $crate::schema::idempotency_keys as keys;
            let replay = receipt.render($created);
            let lease = &receipt.lease;
            let kept = diesel::update(
                keys::table
                    .find((lease.key.user.0, &lease.key.key))
                    .filter(keys::holder.eq(&lease.holder))
                    .filter(keys::status.is_null()),
            )
            .set((
                keys::status.eq(i32::from(replay.status)),
                keys::headers.eq($crate::store::idempotency::encode_headers(&replay.headers)),
                keys::body.eq(&replay.body),
            ))
            .execute($c)
            .await?;
            if kept == 0 {
                return Err($crate::errors::StoreError::Domain(
                    prospects_domain::RepositoryError::InFlight,
                ));
            }
        }
    };
}
pub(super) use keep_response;

/// One header per line: header values hold no line breaks.
pub(crate) fn encode_headers(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect()
}

fn decode_headers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

type KeyRow = (
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    Option<i32>,
    Option<String>,
    Option<String>,
);

fn before(at: NaiveDateTime, span: Duration) -> NaiveDateTime {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|span| at.checked_sub_signed(span))
        .unwrap_or(NaiveDateTime::MIN)
}

fn after(at: NaiveDateTime, span: Duration) -> NaiveDateTime {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|span| at.checked_add_signed(span))
        .unwrap_or(NaiveDateTime::MAX)
}

#[async_trait]
impl IdempotencyRepository for IdempotencyKeys {
    async fn claim(
        &self,
        key: &IdempotencyKey,
        fingerprint: &Fingerprint,
        settings: IdempotencySettings,
    ) -> Result<Claim, RepositoryError> {
        self.0
            .bounded(async {
                let at = now();
                let lease = Lease {
                    key: key.clone(),
                    holder: uuid::Uuid::new_v4().to_string(),
                };
                let leased_until = after(at, settings.lease);
                let this_key = keys::table.find((key.user.0, &key.key));
                let mut conn = self.0.conn().await?;
                with_conn!(&mut conn, |c| {
                    async {
                        // Of two claims at once, the database lets one insert
                        // (PostgreSQL makes the other wait for it to commit).
                        let inserted = diesel::insert_into(keys::table)
                            .values((
                                keys::user_id.eq(key.user.0),
                                keys::idempotency_key.eq(&key.key),
                                keys::fingerprint.eq(&fingerprint.0),
                                keys::holder.eq(&lease.holder),
                                keys::leased_until.eq(leased_until),
                                keys::created_at.eq(at),
                            ))
                            .on_conflict_do_nothing()
                            .execute(c)
                            .await?;
                        if inserted == 1 {
                            return Ok(Claim::Leased(lease));
                        }
                        let found: Option<KeyRow> = this_key
                            .select((
                                keys::fingerprint,
                                keys::holder,
                                keys::leased_until,
                                keys::created_at,
                                keys::status,
                                keys::headers,
                                keys::body,
                            ))
                            .first(c)
                            .await
                            .optional()?;
                        // Released or purged in between: let the client retry.
                        let Some((stored, holder, until, created, status, headers, body)) = found
                        else {
                            return Ok(Claim::InFlight);
                        };
                        let expired = created < before(at, settings.retention);
                        if !expired {
                            if stored != fingerprint.0 {
                                return Ok(Claim::Mismatch);
                            }
                            if let (Some(status), Some(headers), Some(body)) =
                                (status, headers, body)
                            {
                                return Ok(Claim::Completed(Replay {
                                    status: u16::try_from(status).unwrap_or(500),
                                    headers: decode_headers(&headers),
                                    body,
                                }));
                            }
                            if until > at {
                                return Ok(Claim::InFlight);
                            }
                        }
                        // Expired, or its request died: taken over, unless
                        // another claim got there first.
                        let taken = diesel::update(this_key.filter(keys::holder.eq(&holder)))
                            .set((
                                keys::fingerprint.eq(&fingerprint.0),
                                keys::holder.eq(&lease.holder),
                                keys::leased_until.eq(leased_until),
                                keys::created_at.eq(at),
                                keys::status.eq(None::<i32>),
                                keys::headers.eq(None::<String>),
                                keys::body.eq(None::<String>),
                            ))
                            .execute(c)
                            .await?;
                        Ok(match taken {
                            1 => Claim::Leased(lease),
                            _ => Claim::InFlight,
                        })
                    }
                    .await
                })
                .map_err(from_diesel)
            })
            .await
    }

    async fn release(&self, lease: &Lease) -> Result<(), RepositoryError> {
        self.0
            .bounded(async {
                let mut conn = self.0.conn().await?;
                with_conn!(&mut conn, |c| {
                    diesel::delete(
                        keys::table
                            .find((lease.key.user.0, &lease.key.key))
                            .filter(keys::holder.eq(&lease.holder))
                            .filter(keys::status.is_null()),
                    )
                    .execute(c)
                    .await
                })
                .map(|_| ())
                .map_err(from_diesel)
            })
            .await
    }

    async fn purge(&self, retention: Duration) -> Result<u64, RepositoryError> {
        self.0
            .bounded(async {
                let oldest_kept = before(now(), retention);
                let mut conn = self.0.conn().await?;
                let purged = with_conn!(&mut conn, |c| {
                    diesel::delete(keys::table.filter(keys::created_at.lt(oldest_kept)))
                        .execute(c)
                        .await
                })
                .map_err(from_diesel)?;
                Ok(u64::try_from(purged).unwrap_or_default())
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_survive_storage() {
        let headers = vec![
            ("ETag".to_owned(), "\"1\"".to_owned()),
            (
                "Location".to_owned(),
                "http://h/api/v1/prospects/1?a=b: c".to_owned(),
            ),
        ];
        assert_eq!(decode_headers(&encode_headers(&headers)), headers);
    }
}
