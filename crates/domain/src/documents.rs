//! Documents kept for an account: the metadata row in the database, the
//! bytes behind a [`FileStore`]. A file is written whole (and synced) under
//! a fresh key before its row is committed; a row's file is removed after
//! the row goes. What a crash leaves between the two (a file with no row)
//! is found and removed by [`DocumentService::sweep`].

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::owned::{OwnedError, Record};
use crate::validation::{Rule, ValidationErrors};
use crate::{Actor, Owner, Receipt, RepositoryError, Scope, UserId};

/// The longest document name, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// The MIME type of content sent without a usable one.
pub const DEFAULT_MIME_TYPE: &str = "application/octet-stream";

/// Where a file's bytes are stored: an opaque name the [`FileStore`] chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileKey(pub String);

/// A file written whole and synced, not yet claimed by a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub key: FileKey,
    pub size_bytes: i64,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
}

/// A stored document's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: i64,
    pub owner: Owner,
    pub name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub key: FileKey,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new document's row: valid name and MIME type, and its stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub name: String,
    pub mime_type: String,
    pub file: StoredFile,
}

/// Why the bytes could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The stored file is missing (removed behind the service's back).
    #[error("the stored file is missing")]
    Missing,
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

/// An upload in progress. Dropped unfinished, it leaves nothing behind.
#[async_trait]
pub trait Upload: Send {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), StorageError>;

    /// Syncs the bytes and stores them under their key.
    async fn finish(self: Box<Self>) -> Result<StoredFile, StorageError>;
}

/// A stored file being read.
#[async_trait]
pub trait Content: Send {
    fn size_bytes(&self) -> u64;

    /// The next bytes; empty at the end.
    async fn next_chunk(&mut self) -> Result<Vec<u8>, StorageError>;
}

/// Where documents' bytes live.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait FileStore: Send + Sync {
    /// A new upload under a fresh key.
    async fn begin(&self) -> Result<Box<dyn Upload>, StorageError>;

    async fn open(&self, key: &FileKey) -> Result<Box<dyn Content>, StorageError>;

    /// Removes the file; a file already gone is not an error.
    async fn remove(&self, key: &FileKey) -> Result<(), StorageError>;

    /// Files stored longer ago than `age`, and removes unfinished uploads
    /// begun longer ago than `age`.
    async fn stored_before(&self, age: Duration) -> Result<Vec<FileKey>, StorageError>;
}

/// Storage of documents' metadata. Writes lock the account first, as
/// every write on what an account owns does.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait DocumentRepository: Send + Sync {
    /// The account's documents, oldest first. `NotFound`, `OutOfScope`.
    async fn list(&self, owner: Owner, scope: Scope) -> Result<Vec<Document>, RepositoryError>;

    /// The document and its account's representative. `NotFound`.
    async fn find(&self, id: i64) -> Result<(Document, Option<UserId>), RepositoryError>;

    /// Whether a document may be added now (no lock): `NotFound`,
    /// `OutOfScope`, `Converted`.
    async fn check_writable(&self, owner: Owner, scope: Scope) -> Result<(), RepositoryError>;

    /// `NotFound`, `OutOfScope`, `Converted`, decided under the account's
    /// lock; `InFlight`. The `receipt`'s response is stored in the same
    /// transaction.
    async fn create(
        &self,
        owner: Owner,
        by: &Actor,
        document: NewDocument,
        receipt: Option<Receipt<Document>>,
    ) -> Result<Document, RepositoryError>;

    /// Deletes the row and answers it, so its file can go. `NotFound`,
    /// `OutOfScope`, `Converted`.
    async fn delete(&self, id: i64, by: &Actor) -> Result<Document, RepositoryError>;

    /// Which of `keys` a row holds.
    async fn held(&self, keys: &[FileKey]) -> Result<HashSet<FileKey>, RepositoryError>;
}

/// What an upload says about its file, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentInput {
    /// The `name` field, when sent.
    pub name: Option<String>,
    /// The file name the client gave the file, when any.
    pub file_name: Option<String>,
    /// The declared MIME type, unparsed.
    pub mime_type: Option<String>,
}

/// The name of a document sent with neither a `name` nor a usable file name.
pub const DEFAULT_NAME: &str = "document";

impl DocumentInput {
    /// The document's name and MIME type. The name is the `name` field
    /// (trimmed; 1 to [`MAX_NAME_CHARS`] characters, no control characters:
    /// 422 otherwise), else the file name's last path segment when it would
    /// pass the same rules, else [`DEFAULT_NAME`]. The MIME type is a valid
    /// `type/subtype`, lowercase, its parameters dropped; else
    /// [`DEFAULT_MIME_TYPE`].
    pub fn validate(self) -> Result<(String, String), ValidationErrors> {
        let name = match self.name {
            Some(name) => {
                let name = name.trim().to_owned();
                let mut errors = ValidationErrors::new();
                if let Some(rule) = name_rule(&name) {
                    errors.add("name", rule);
                }
                errors.into_result()?;
                name
            }
            None => self
                .file_name
                .as_deref()
                .map(|file_name| file_name.rsplit(['/', '\\']).next().unwrap_or("").trim())
                .filter(|file_name| name_rule(file_name).is_none())
                .unwrap_or(DEFAULT_NAME)
                .to_owned(),
        };
        let mime_type = self
            .mime_type
            .as_deref()
            .and_then(mime_type_essence)
            .unwrap_or_else(|| DEFAULT_MIME_TYPE.to_owned());
        Ok((name, mime_type))
    }
}

/// The rule a trimmed name breaks, if any.
fn name_rule(name: &str) -> Option<Rule> {
    if name.is_empty() {
        Some(Rule::Required)
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(Rule::MaxChars(MAX_NAME_CHARS))
    } else if name.chars().any(char::is_control) {
        Some(Rule::NoControl)
    } else {
        None
    }
}

/// `type/subtype`, lowercase, when `declared` starts with one made of
/// RFC 6838 name characters.
fn mime_type_essence(declared: &str) -> Option<String> {
    let essence = declared.split(';').next()?.trim();
    let (kind, subtype) = essence.split_once('/')?;
    let valid = |part: &str| {
        (1..=127).contains(&part.len())
            && part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    (valid(kind) && valid(subtype)).then(|| essence.to_ascii_lowercase())
}

/// How long a file may sit without a row before it counts as left over: far
/// longer than any upload may take.
pub const ORPHAN_AGE: Duration = Duration::from_secs(3600);

/// Lists, stores, reads and deletes documents on behalf of an [`Actor`].
pub struct DocumentService {
    documents: Arc<dyn DocumentRepository>,
    files: Arc<dyn FileStore>,
}

impl DocumentService {
    pub fn new(documents: Arc<dyn DocumentRepository>, files: Arc<dyn FileStore>) -> Self {
        Self { documents, files }
    }

    pub async fn list(&self, actor: &Actor, owner: Owner) -> Result<Vec<Document>, OwnedError> {
        self.documents
            .list(owner, actor.scope())
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::owner_missing(owner), e))
    }

    /// One document's metadata: 404, then 403.
    pub async fn show(&self, actor: &Actor, id: i64) -> Result<Document, OwnedError> {
        let (document, representative) = self.documents.find(id).await.map_err(|e| {
            OwnedError::from_repository(OwnedError::NotFound(Record::Document, id), e)
        })?;
        if !actor.scope().contains(representative) {
            return Err(OwnedError::Forbidden);
        }
        Ok(document)
    }

    /// A document's metadata and its bytes, to stream.
    pub async fn content(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Document, Box<dyn Content>), OwnedError> {
        let document = self.show(actor, id).await?;
        match self.files.open(&document.key).await {
            Ok(content) => Ok((document, content)),
            Err(StorageError::Missing) => Err(OwnedError::Unknown(anyhow::anyhow!(
                "document {id}'s file {:?} is missing",
                document.key
            ))),
            Err(StorageError::Io(cause)) => Err(OwnedError::Unavailable(cause)),
        }
    }

    /// Whether the actor may add a document to `owner` now: checked before
    /// the bytes are received, so that nobody uploads for nothing.
    pub async fn check_writable(&self, actor: &Actor, owner: Owner) -> Result<(), OwnedError> {
        self.documents
            .check_writable(owner, actor.scope())
            .await
            .map_err(|e| OwnedError::from_repository(OwnedError::owner_missing(owner), e))
    }

    /// A new upload, to be handed back to [`DocumentService::create`].
    pub async fn begin_upload(&self) -> Result<Box<dyn Upload>, OwnedError> {
        self.files.begin().await.map_err(storage_error)
    }

    /// Records an uploaded file as `owner`'s document: 422 (its name), then
    /// 404, 403, 409 under the account's lock. Whatever fails, the file goes.
    pub async fn create(
        &self,
        actor: &Actor,
        owner: Owner,
        input: DocumentInput,
        file: StoredFile,
        receipt: Option<Receipt<Document>>,
    ) -> Result<Document, OwnedError> {
        let key = file.key.clone();
        let result = match input.validate() {
            Ok((name, mime_type)) => self
                .documents
                .create(
                    owner,
                    actor,
                    NewDocument {
                        name,
                        mime_type,
                        file,
                    },
                    receipt,
                )
                .await
                .map_err(|e| OwnedError::from_repository(OwnedError::owner_missing(owner), e)),
            Err(errors) => Err(OwnedError::Invalid(errors)),
        };
        if result.is_err() {
            // Left behind, the sweep would find it; removed now, it never lingers.
            let _ = self.files.remove(&key).await;
        }
        result
    }

    /// Deletes the document, then its file.
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<(), OwnedError> {
        let document = self.documents.delete(id, actor).await.map_err(|e| {
            OwnedError::from_repository(OwnedError::NotFound(Record::Document, id), e)
        })?;
        self.remove_files(&[document.key]).await;
        Ok(())
    }

    /// Removes the files of rows already deleted (an account's, say). A file
    /// that cannot be removed now is left to [`DocumentService::sweep`].
    pub async fn remove_files(&self, keys: &[FileKey]) {
        for key in keys {
            let _ = self.files.remove(key).await;
        }
    }

    /// Removes files older than `age` that no row holds (a process killed
    /// between storing a file and committing its row, or before removing a
    /// deleted row's file), and unfinished uploads. Answers how many files
    /// it removed.
    pub async fn sweep(&self, age: Duration) -> Result<usize, OwnedError> {
        let stored = self.files.stored_before(age).await.map_err(storage_error)?;
        let mut removed = 0;
        for batch in stored.chunks(500) {
            let held = self
                .documents
                .held(batch)
                .await
                .map_err(OwnedError::failure)?;
            for key in batch.iter().filter(|key| !held.contains(key)) {
                self.files.remove(key).await.map_err(storage_error)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn storage_error(error: StorageError) -> OwnedError {
    match error {
        StorageError::Missing => OwnedError::Unknown(anyhow::anyhow!("a stored file is missing")),
        StorageError::Io(cause) => OwnedError::Unavailable(cause),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountId, AccountKind, Role};

    fn owner() -> Owner {
        Owner {
            kind: AccountKind::Prospect,
            id: AccountId(3),
        }
    }

    fn stored(key: &str) -> StoredFile {
        StoredFile {
            key: FileKey(key.to_owned()),
            size_bytes: 3,
            sha256: "ab".repeat(32),
        }
    }

    fn sales_user() -> Actor {
        Actor::new(UserId(7), Role::new(5))
    }

    #[test]
    fn a_name_comes_from_the_field_then_the_file_and_a_mime_type_is_read_leniently() {
        let input = |name: Option<&str>, file_name: Option<&str>, mime_type: Option<&str>| {
            DocumentInput {
                name: name.map(str::to_owned),
                file_name: file_name.map(str::to_owned),
                mime_type: mime_type.map(str::to_owned),
            }
            .validate()
        };
        assert_eq!(
            input(Some(" Offer "), Some("a.pdf"), Some("Application/PDF; q=1")),
            Ok(("Offer".to_owned(), "application/pdf".to_owned()))
        );
        let named = |file_name: &str| input(None, Some(file_name), None).expect("valid").0;
        assert_eq!(named("C:\\Users\\me\\offer.pdf"), "offer.pdf");
        assert_eq!(named("../../etc/passwd"), "passwd");
        assert_eq!(named("a\nb"), DEFAULT_NAME);
        assert_eq!(named(&"é".repeat(MAX_NAME_CHARS + 1)), DEFAULT_NAME);
        for declared in [None, Some("pdf"), Some("text/"), Some("a/b\r\nX: y")] {
            let (_, mime_type) = input(None, None, declared).expect("valid");
            assert_eq!(mime_type, DEFAULT_MIME_TYPE, "{declared:?}");
        }
        let summary = |name: &str| input(Some(name), None, None).expect_err(name).summary();
        assert_eq!(summary("  "), "The name field is required.");
        assert!(summary(&"é".repeat(MAX_NAME_CHARS + 1)).contains("255"));
        assert!(summary("a\tb").contains("control"));
    }

    #[tokio::test]
    async fn a_refused_document_leaves_no_file() {
        let mut documents = MockDocumentRepository::new();
        documents
            .expect_create()
            .returning(|_, _, _, _| Err(RepositoryError::Converted));
        let mut files = MockFileStore::new();
        files
            .expect_remove()
            .withf(|key| key.0 == "k1")
            .times(1)
            .returning(|_| Ok(()));
        let service = DocumentService::new(Arc::new(documents), Arc::new(files));
        let input = DocumentInput {
            name: Some("offer.pdf".to_owned()),
            ..DocumentInput::default()
        };
        let result = service
            .create(&sales_user(), owner(), input, stored("k1"), None)
            .await;
        assert!(matches!(result, Err(OwnedError::Converted)));
    }

    #[tokio::test]
    async fn the_sweep_removes_only_files_no_row_holds() {
        let mut documents = MockDocumentRepository::new();
        documents
            .expect_held()
            .returning(|_| Ok(HashSet::from([FileKey("held".to_owned())])));
        let mut files = MockFileStore::new();
        files.expect_stored_before().returning(|_| {
            Ok(vec![
                FileKey("held".to_owned()),
                FileKey("orphan".to_owned()),
            ])
        });
        files
            .expect_remove()
            .withf(|key| key.0 == "orphan")
            .times(1)
            .returning(|_| Ok(()));
        let service = DocumentService::new(Arc::new(documents), Arc::new(files));
        assert_eq!(service.sweep(ORPHAN_AGE).await.expect("swept"), 1);
    }

    #[tokio::test]
    async fn another_representatives_document_is_forbidden() {
        let mut documents = MockDocumentRepository::new();
        documents.expect_find().returning(|id| {
            Ok((
                Document {
                    id,
                    owner: owner(),
                    name: "offer.pdf".to_owned(),
                    mime_type: DEFAULT_MIME_TYPE.to_owned(),
                    size_bytes: 3,
                    sha256: "ab".repeat(32),
                    key: FileKey("k".to_owned()),
                    created_at: Utc::now(),
                    updated_at: Utc::now(),
                },
                Some(UserId(8)),
            ))
        });
        let mut files = MockFileStore::new();
        files.expect_open().never();
        let service = DocumentService::new(Arc::new(documents), Arc::new(files));
        let result = service.content(&sales_user(), 4).await;
        assert!(matches!(result, Err(OwnedError::Forbidden)));
    }
}
