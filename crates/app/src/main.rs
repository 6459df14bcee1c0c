//! The `prospects` binary: serves the API, or runs an admin command.

use std::time::Duration;

use clap::{Parser, Subcommand};
use prospects_app::{Config, admin, server, wiring};
use prospects_domain::{Patch, UserInput};

#[derive(Debug, Parser)]
#[command(
    name = "prospects",
    version,
    about = "The Prospects API: a sales pipeline over REST"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Manage users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Manage the root keys that sign tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage reference data: brands, sectors, clusters, batches and
    /// prospection codes (the pipeline's stages).
    #[command(subcommand)]
    References(ReferencesCommand),
    /// Print the OpenAPI document (as committed in docs/openapi.json).
    Openapi,
    /// Check the configuration and the database connection, then exit
    /// (non-zero, with the reason, when something is wrong).
    Check,
}

#[derive(Debug, Subcommand)]
enum ReferencesCommand {
    /// List the entries of a kind (stages in pipeline order).
    List { kind: admin::ReferenceKindArg },
    /// Add an entry.
    Add {
        kind: admin::ReferenceKindArg,
        name: String,
        /// A stage's place in the pipeline (default: last).
        #[arg(long)]
        position: Option<i64>,
    },
    /// Delete an entry that nothing uses.
    Delete {
        kind: admin::ReferenceKindArg,
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Print a new root key as `ID:PRIVATE_HEX` (for PROSPECTS_ROOT_KEY);
    /// its public half goes to stderr (for PROSPECTS_RETIRED_KEYS once retired).
    Generate {
        /// The id tokens signed with it will carry; use a new one per rotation.
        #[arg(long, default_value_t = 1)]
        id: u32,
    },
    /// Print the current root key's public half as `ID:PUBLIC_HEX` (what
    /// PROSPECTS_RETIRED_KEYS takes once it is rotated out).
    Public,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create a user.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Role level: 5 or below is a sales user who sees only their own prospects.
        #[arg(long)]
        role: i32,
        /// Read the password from stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users: id, email, role, active, name (tab-separated).
    List,
    /// Show one user.
    Show {
        #[arg(long)]
        email: String,
    },
    /// Change a user's role (5 or below: a sales user).
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: i64,
    },
    /// Set a user's password, read from stdin (at least 8 characters).
    SetPassword {
        #[arg(long)]
        email: String,
        /// Required: passwords never go on the command line.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Stop a user from logging in; their tokens stop working at once.
    Deactivate {
        #[arg(long)]
        email: String,
    },
    /// Let a deactivated user log in again.
    Activate {
        #[arg(long)]
        email: String,
    },
    /// Delete a user; the prospects they represent lose their representative.
    Delete {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokensCommand {
    /// Print a token for a user, alone on stdout.
    Issue {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "24h", value_parser = humantime::parse_duration)]
        ttl: Duration,
    },
    /// Revoke the token read from stdin, and every token derived from it.
    Revoke,
    /// Narrow the token read from stdin and print the result (works offline).
    Attenuate {
        /// Allow reading only.
        #[arg(long)]
        read_only: bool,
        /// Expire this long from now (or earlier, if the token already does).
        #[arg(long, value_parser = humantime::parse_duration)]
        ttl: Option<Duration>,
    },
}

/// Returns freed memory to the system (see the workspace manifest).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The causes, on one line; a backtrace only for whoever asks for
            // one by name (`RUST_BACKTRACE` is often set machine-wide).
            let asked = std::env::var_os("PROSPECTS_BACKTRACE").is_some_and(|value| value == "1");
            if asked {
                eprintln!("error: {error:?}");
            } else {
                eprintln!("error: {error:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    prospects_app::telemetry::init_logs();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(cli.config).await,
        Command::Keys(KeysCommand::Generate { id }) => {
            let key = prospects_infra::RootKey::generate();
            prospects_app::say!("{id}:{}", key.to_hex());
            eprintln!("public key: {id}:{}", key.public_hex());
            Ok(())
        }
        Command::Keys(KeysCommand::Public) => {
            let (id, key) = wiring::root_key(&cli.config)?;
            prospects_app::say!("{id}:{}", key.public_hex());
            Ok(())
        }
        Command::Check => admin::check(&cli.config).await,
        Command::Openapi => {
            prospects_app::output::text(&prospects_http::openapi::document_json());
            Ok(())
        }
        Command::Users(command) => {
            let services = wiring::build(&cli.config).await?;
            let users = &services.user_service;
            match command {
                UsersCommand::Create {
                    email,
                    name,
                    role,
                    password_stdin,
                } => admin::create_user(&services, &email, &name, role, password_stdin).await,
                UsersCommand::List => admin::list_users(users).await,
                UsersCommand::Show { email } => admin::show_user(users, &email).await,
                UsersCommand::SetRole { email, role } => {
                    let change = UserInput {
                        role: Patch::Set(role),
                        ..Default::default()
                    };
                    admin::change_user(users, &email, change).await
                }
                UsersCommand::SetPassword { email, .. } => {
                    let change = UserInput {
                        password: Patch::Set(admin::password_from_stdin()?),
                        ..Default::default()
                    };
                    admin::change_user(users, &email, change).await
                }
                UsersCommand::Deactivate { email } => {
                    let change = UserInput {
                        active: Patch::Set(false),
                        ..Default::default()
                    };
                    admin::change_user(users, &email, change).await
                }
                UsersCommand::Activate { email } => {
                    let change = UserInput {
                        active: Patch::Set(true),
                        ..Default::default()
                    };
                    admin::change_user(users, &email, change).await
                }
                UsersCommand::Delete { email } => admin::delete_user(users, &email).await,
            }
        }
        Command::Tokens(TokensCommand::Issue { email, ttl }) => {
            let services = wiring::build(&cli.config).await?;
            admin::issue_token(&services, &email, ttl).await
        }
        Command::Tokens(TokensCommand::Revoke) => {
            let services = wiring::build(&cli.config).await?;
            admin::revoke_token(&services).await
        }
        Command::References(command) => {
            let services = wiring::build(&cli.config).await?;
            let references = &services.state.reference_data;
            match command {
                ReferencesCommand::List { kind } => admin::list_references(references, kind).await,
                ReferencesCommand::Add {
                    kind,
                    name,
                    position,
                } => admin::add_reference(references, kind, &name, position).await,
                ReferencesCommand::Delete { kind, id } => {
                    admin::delete_reference(references, kind, id).await
                }
            }
        }
        Command::Tokens(TokensCommand::Attenuate { read_only, ttl }) => {
            admin::attenuate_token(read_only, ttl)
        }
    }
}
