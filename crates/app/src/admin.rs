//! Admin commands on the same binary: create users, issue, attenuate and revoke tokens.

use std::io::Read;

use anyhow::{Context, bail};
use prospects_domain::auth::normalize_email;
use prospects_domain::{UserDraft, UserError};

use crate::wiring::Services;

/// Creates a user; the password comes from stdin when asked, else a random
/// one is generated and printed once (never logged). Every invalid field is
/// reported at once, with a non-zero exit.
pub async fn create_user(
    services: &Services,
    email: &str,
    name: &str,
    role: i32,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let (password, generated) = if password_stdin {
        let mut password = String::new();
        std::io::stdin()
            .read_to_string(&mut password)
            .context("cannot read the password from stdin")?;
        (password.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (uuid::Uuid::new_v4().simple().to_string(), true)
    };
    let draft = UserDraft {
        name: name.to_owned(),
        email: email.to_owned(),
        role,
        password: password.clone(),
    };
    let user = match services.user_service.create(draft).await {
        Ok(user) => user,
        Err(UserError::Invalid(errors)) => {
            let messages: Vec<String> = errors
                .fields()
                .into_iter()
                .flat_map(|(_, messages)| messages)
                .collect();
            bail!("the user was not created:\n  {}", messages.join("\n  "));
        }
        Err(error) => return Err(anyhow::anyhow!("the user was not created: {error}")),
    };
    println!(
        "created user {} <{}> with role {}",
        user.id.0, user.email, role
    );
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

/// Prints a token for the user alone on stdout, for scripts to capture.
pub async fn issue_token(
    services: &Services,
    email: &str,
    ttl: std::time::Duration,
) -> anyhow::Result<()> {
    let (user, _) = services
        .users
        .find_with_password(&normalize_email(email))
        .await
        .map_err(anyhow::Error::from)?
        .with_context(|| format!("no user with email {email}"))?;
    println!("{}", services.tokens.issue(user.id, ttl)?);
    Ok(())
}

/// Reads a token from stdin, as scripts pipe it (never from an argument,
/// which would land in shell history and process lists).
pub fn token_from_stdin() -> anyhow::Result<String> {
    let mut token = String::new();
    std::io::stdin()
        .read_to_string(&mut token)
        .context("cannot read the token from stdin")?;
    let token = token.trim().to_owned();
    if token.is_empty() {
        bail!("no token on stdin");
    }
    Ok(token)
}

/// Revokes the token on stdin and every token derived from it.
pub async fn revoke_token(services: &Services) -> anyhow::Result<()> {
    services
        .auth
        .revoke(&token_from_stdin()?)
        .await
        .map_err(|e| anyhow::anyhow!("cannot revoke: {e}"))?;
    println!("revoked");
    Ok(())
}

/// Prints the token on stdin narrowed to reading and/or a shorter life.
/// Needs no key and no database: any holder can do this offline.
pub fn attenuate_token(read_only: bool, ttl: Option<std::time::Duration>) -> anyhow::Result<()> {
    if !read_only && ttl.is_none() {
        bail!("say how to narrow the token: --read-only, --ttl, or both");
    }
    println!(
        "{}",
        prospects_infra::attenuate(&token_from_stdin()?, read_only, ttl)?
    );
    Ok(())
}
