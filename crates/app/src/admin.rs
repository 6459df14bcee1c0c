//! Admin commands on the same binary: create users, issue, attenuate and
//! revoke tokens, manage reference data.

use std::io::Read;

use anyhow::{Context, bail};
use prospects_domain::auth::normalize_email;
use prospects_domain::{
    Actor, Patch, ReferenceDataError, ReferenceDataService, ReferenceInput, ReferenceKind, User,
    UserDraft, UserError, UserInput, UserQuery, UserService, ValidationErrors,
};

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
        (password_from_stdin()?, false)
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
    crate::say!(
        "created user {} <{}> with role {}",
        user.id.0,
        user.email,
        role
    );
    if generated {
        crate::say!("password: {password}");
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
    crate::say!("{}", services.tokens.issue(user.id, ttl)?);
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
    crate::say!("revoked");
    Ok(())
}

/// Prints the token on stdin narrowed to reading and/or a shorter life.
/// Needs no key and no database: any holder can do this offline.
pub fn attenuate_token(read_only: bool, ttl: Option<std::time::Duration>) -> anyhow::Result<()> {
    if !read_only && ttl.is_none() {
        bail!("say how to narrow the token: --read-only, --ttl, or both");
    }
    crate::say!(
        "{}",
        prospects_infra::attenuate(&token_from_stdin()?, read_only, ttl)?
    );
    Ok(())
}

/// A kind of reference data, as the command line names it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReferenceKindArg {
    Brand,
    Sector,
    Cluster,
    Batch,
    ProspectionCode,
}

impl From<ReferenceKindArg> for ReferenceKind {
    fn from(kind: ReferenceKindArg) -> Self {
        match kind {
            ReferenceKindArg::Brand => ReferenceKind::Brand,
            ReferenceKindArg::Sector => ReferenceKind::Sector,
            ReferenceKindArg::Cluster => ReferenceKind::Cluster,
            ReferenceKindArg::Batch => ReferenceKind::Batch,
            ReferenceKindArg::ProspectionCode => ReferenceKind::ProspectionCode,
        }
    }
}

/// Prints one entry per line: id, name (and a stage's position), tab-separated.
pub async fn list_references(
    references: &ReferenceDataService,
    kind: ReferenceKindArg,
) -> anyhow::Result<()> {
    for entry in references
        .list(kind.into())
        .await
        .map_err(reference_error)?
    {
        match entry.position {
            Some(position) => crate::say!("{}\t{}\t{position}", entry.id, entry.name),
            None => crate::say!("{}\t{}", entry.id, entry.name),
        }
    }
    Ok(())
}

/// Adds an entry, validated as the API validates it.
pub async fn add_reference(
    references: &ReferenceDataService,
    kind: ReferenceKindArg,
    name: &str,
    position: Option<i64>,
) -> anyhow::Result<()> {
    let kind = ReferenceKind::from(kind);
    let input = ReferenceInput {
        name: Patch::text(name),
        position: position.map_or(Patch::Absent, Patch::Set),
    };
    let entry = references
        .create(&Actor::operator(), kind, input)
        .await
        .map_err(reference_error)?;
    crate::say!("added {} {} \"{}\"", kind.noun(), entry.id, entry.name);
    Ok(())
}

/// Deletes an entry; one still in use is kept, with a non-zero exit.
pub async fn delete_reference(
    references: &ReferenceDataService,
    kind: ReferenceKindArg,
    id: i64,
) -> anyhow::Result<()> {
    let kind = ReferenceKind::from(kind);
    references
        .delete(&Actor::operator(), kind, id)
        .await
        .map_err(reference_error)?;
    crate::say!("deleted {} {id}", kind.noun());
    Ok(())
}

fn reference_error(error: ReferenceDataError) -> anyhow::Error {
    match error {
        ReferenceDataError::Invalid(errors) => invalid(&errors),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Every message of a refused input, one per line.
fn invalid(errors: &ValidationErrors) -> anyhow::Error {
    let messages: Vec<String> = errors
        .fields()
        .into_iter()
        .flat_map(|(_, messages)| messages)
        .collect();
    anyhow::anyhow!("{}", messages.join("\n  "))
}

/// Reads a password from stdin, without its trailing newline.
pub fn password_from_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from stdin")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

fn user_line(user: &User) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}",
        user.id.0,
        user.email,
        user.role.level(),
        if user.active { "active" } else { "inactive" },
        user.name
    )
}

/// Prints every user, one per line.
pub async fn list_users(users: &UserService) -> anyhow::Result<()> {
    let mut page = 1;
    loop {
        let query = UserQuery {
            name: None,
            email: None,
            page,
            per_page: 100,
        };
        let found = users.list(&query).await.map_err(user_error)?;
        for user in &found.items {
            crate::say!("{}", user_line(user));
        }
        if found.items.len() < 100 {
            return Ok(());
        }
        page += 1;
    }
}

/// Prints one user.
pub async fn show_user(users: &UserService, email: &str) -> anyhow::Result<()> {
    let user = find(users, email).await?;
    crate::say!("{}", user_line(&user));
    Ok(())
}

/// Applies one change to the user with this email, validated as the API
/// validates it; every refusal is a message and a non-zero exit.
pub async fn change_user(
    users: &UserService,
    email: &str,
    change: UserInput,
) -> anyhow::Result<()> {
    let user = find(users, email).await?;
    let user = users
        .update(&Actor::operator(), user.id, change)
        .await
        .map_err(user_error)?;
    crate::say!("{}", user_line(&user));
    Ok(())
}

/// Deletes the user with this email.
pub async fn delete_user(users: &UserService, email: &str) -> anyhow::Result<()> {
    let user = find(users, email).await?;
    users
        .delete(&Actor::operator(), user.id)
        .await
        .map_err(user_error)?;
    crate::say!("deleted user {} <{}>", user.id.0, user.email);
    Ok(())
}

async fn find(users: &UserService, email: &str) -> anyhow::Result<User> {
    users
        .find_by_email(email)
        .await
        .map_err(user_error)?
        .ok_or_else(|| anyhow::anyhow!("no user has the email {email}"))
}

fn user_error(error: UserError) -> anyhow::Error {
    match error {
        UserError::Invalid(errors) => invalid(&errors),
        other => anyhow::anyhow!("{other}"),
    }
}

/// `prospects check`: everything a start needs, without serving. The
/// settings parse (clap has refused anything malformed by now), the
/// addresses resolve, the keys and the documents directory are usable and
/// the database answers (with its migrations applied, as a start would).
pub async fn check(config: &crate::Config) -> anyhow::Result<()> {
    use prospects_domain::HealthCheck;
    use std::net::ToSocketAddrs;

    let resolve = |setting: &str, address: &str| {
        address
            .to_socket_addrs()
            .ok()
            .and_then(|mut found| found.next())
            .with_context(|| format!("{setting}={address:?} is not a HOST:PORT address"))
    };
    resolve("PROSPECTS_BIND", &config.bind)?;
    if let Some(metrics) = config.metrics_address() {
        resolve("PROSPECTS_METRICS_BIND", metrics)?;
    }
    let services = crate::wiring::build(config).await?;
    services
        .store
        .ping()
        .await
        .context("the database does not answer")?;
    crate::say!(
        "database: {} (reachable, migrations applied)",
        services.store.backend().name()
    );
    crate::say!("documents: {}", config.documents_path().display());
    crate::say!(
        "listens on {} (metrics: {})",
        config.bind,
        config.metrics_address().unwrap_or("off")
    );
    crate::say!("ok");
    Ok(())
}
