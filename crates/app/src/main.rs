//! The `prospects` binary: serves the API, or runs an admin command.

use std::time::Duration;

use clap::{Parser, Subcommand};
use prospects_app::{Config, admin, server, wiring};

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

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .json()
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(cli.config).await,
        Command::Keys(KeysCommand::Generate { id }) => {
            let key = prospects_infra::RootKey::generate();
            println!("{id}:{}", key.to_hex());
            eprintln!("public key: {id}:{}", key.public_hex());
            Ok(())
        }
        Command::Keys(KeysCommand::Public) => {
            let (id, key) = wiring::root_key(&cli.config)?;
            println!("{id}:{}", key.public_hex());
            Ok(())
        }
        Command::Openapi => {
            print!("{}", prospects_http::openapi::document_json());
            Ok(())
        }
        Command::Users(UsersCommand::Create {
            email,
            name,
            role,
            password_stdin,
        }) => {
            let services = wiring::build(&cli.config).await?;
            admin::create_user(&services, &email, &name, role, password_stdin).await
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
