//! First start: with no user at all, create an administrator and write a
//! token for it to `<data dir>/admin.token` (mode 0600), so that a newcomer
//! can call the API at once. The log says where the token is, never what it is.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::time::Duration;

use anyhow::Context;
use prospects_domain::UserDraft;

use crate::config::Config;
use crate::wiring::Services;

pub const ADMIN_EMAIL: &str = "admin@localhost";

/// The first administrator's role level: above every sales and manager level.
const ADMIN_ROLE: i32 = 100;

/// The admin token outlives the default 24 h so that it still works when the
/// newcomer comes back; `prospects tokens issue` makes fresh ones.
const ADMIN_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

pub async fn first_start(config: &Config, services: &Services) -> anyhow::Result<()> {
    if services.users.count().await.map_err(anyhow::Error::from)? > 0 {
        return Ok(());
    }
    // Nobody ever learns this password: the administrator uses the token,
    // and an operator can set up other users with the admin commands.
    let password = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let admin = match services
        .user_service
        .create(UserDraft {
            name: "Administrator".to_owned(),
            email: ADMIN_EMAIL.to_owned(),
            role: ADMIN_ROLE,
            password,
        })
        .await
    {
        Ok(user) => user,
        // Another instance starting at the same moment created it first.
        Err(_) if services.users.count().await.map_err(anyhow::Error::from)? > 0 => return Ok(()),
        Err(error) => {
            return Err(anyhow::Error::from(error).context("cannot create the first administrator"));
        }
    };
    let token = services.tokens.issue(admin.id, ADMIN_TOKEN_LIFETIME)?;
    let path = config.admin_token_path();
    std::fs::create_dir_all(&config.data_dir)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // `mode` applies only to a new file; an old one keeps its bits otherwise.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(token.as_bytes())?;
    file.sync_all()?;
    tracing::info!(
        path = %path.display(),
        email = ADMIN_EMAIL,
        "created the first administrator; its token is in the file at `path`"
    );
    Ok(())
}
