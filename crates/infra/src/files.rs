//! `FileStore` on the local file system, under one directory:
//! `tmp/KEY.part` while an upload arrives, `objects/KE/KEY` once it is
//! whole. An upload is synced, then renamed into place (and the directory
//! synced), so a stored file is always complete; one dropped unfinished
//! removes its part file.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use async_trait::async_trait;
use prospects_domain::{Content, FileKey, FileStore, StorageError, StoredFile, Upload};
use sha2::{Digest, Sha256};
use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How much of a file one read hands out.
const CHUNK_BYTES: usize = 64 * 1024;

/// Files under `root`.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    /// Creates `root` and its two directories when missing.
    pub fn open(root: &Path) -> anyhow::Result<Self> {
        for dir in ["tmp", "objects"] {
            std::fs::create_dir_all(root.join(dir))
                .with_context(|| format!("cannot create {}", root.join(dir).display()))?;
        }
        Ok(Self {
            root: root.to_owned(),
        })
    }

    fn part_path(&self, key: &str) -> PathBuf {
        self.root.join("tmp").join(format!("{key}.part"))
    }

    /// Where a stored file lives; `None` for a key this store never makes
    /// (a key is 32 lowercase hex digits, so never a path of its own).
    fn object_path(&self, key: &FileKey) -> Option<PathBuf> {
        let valid = key.0.len() == 32
            && key
                .0
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| self.root.join("objects").join(&key.0[..2]).join(&key.0))
    }
}

fn io(error: std::io::Error, what: &str, path: &Path) -> StorageError {
    StorageError::Io(anyhow::Error::new(error).context(format!("{what} {}", path.display())))
}

/// Syncs a directory, so a rename or removal in it survives a crash.
async fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    let target = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&target)?.sync_all())
        .await
        .map_err(|e| StorageError::Io(e.into()))?
        .map_err(|e| io(e, "cannot sync", dir))
}

#[async_trait]
impl FileStore for LocalFiles {
    async fn begin(&self) -> Result<Box<dyn Upload>, StorageError> {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let path = self.part_path(&key);
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| io(e, "cannot create", &path))?;
        Ok(Box::new(LocalUpload {
            store: self.clone(),
            key,
            part: Some(path),
            file,
            hasher: Sha256::new(),
            size: 0,
        }))
    }

    async fn open(&self, key: &FileKey) -> Result<Box<dyn Content>, StorageError> {
        let path = self.object_path(key).ok_or(StorageError::Missing)?;
        let file = match fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StorageError::Missing);
            }
            Err(e) => return Err(io(e, "cannot open", &path)),
        };
        let size = file
            .metadata()
            .await
            .map_err(|e| io(e, "cannot read the size of", &path))?
            .len();
        Ok(Box::new(LocalContent { file, size }))
    }

    async fn remove(&self, key: &FileKey) -> Result<(), StorageError> {
        let Some(path) = self.object_path(key) else {
            return Ok(());
        };
        match fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e, "cannot remove", &path)),
        }
    }

    async fn stored_before(&self, age: Duration) -> Result<Vec<FileKey>, StorageError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.scan(age))
            .await
            .map_err(|e| StorageError::Io(e.into()))?
            .map_err(StorageError::Io)
    }
}

impl LocalFiles {
    /// Removes part files older than `age`; answers the stored files older
    /// than `age`.
    fn scan(&self, age: Duration) -> anyhow::Result<Vec<FileKey>> {
        let cutoff = SystemTime::now() - age;
        let older = |entry: &std::fs::DirEntry| -> bool {
            entry
                .metadata()
                .and_then(|meta| meta.modified())
                .is_ok_and(|modified| modified < cutoff)
        };
        for entry in std::fs::read_dir(self.root.join("tmp"))? {
            let entry = entry?;
            if older(&entry) {
                std::fs::remove_file(entry.path())?;
            }
        }
        let mut stored = Vec::new();
        for shard in std::fs::read_dir(self.root.join("objects"))? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(shard.path())? {
                let entry = entry?;
                let key = FileKey(entry.file_name().to_string_lossy().into_owned());
                if older(&entry) && self.object_path(&key).is_some() {
                    stored.push(key);
                }
            }
        }
        Ok(stored)
    }
}

struct LocalUpload {
    store: LocalFiles,
    key: String,
    /// The part file, until it is renamed into place.
    part: Option<PathBuf>,
    file: fs::File,
    hasher: Sha256,
    size: u64,
}

#[async_trait]
impl Upload for LocalUpload {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), StorageError> {
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| io(e, "cannot write", Path::new(&self.key)))?;
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<StoredFile, StorageError> {
        let key = FileKey(self.key.clone());
        let target = self
            .store
            .object_path(&key)
            .ok_or_else(|| StorageError::Io(anyhow::anyhow!("a malformed key {key:?}")))?;
        self.file
            .sync_all()
            .await
            .map_err(|e| io(e, "cannot sync", &target))?;
        let shard = target.parent().unwrap_or(&self.store.root).to_owned();
        fs::create_dir_all(&shard)
            .await
            .map_err(|e| io(e, "cannot create", &shard))?;
        if let Some(part) = &self.part {
            fs::rename(part, &target)
                .await
                .map_err(|e| io(e, "cannot store", &target))?;
        }
        self.part = None;
        sync_dir(&shard).await?;
        Ok(StoredFile {
            key,
            size_bytes: i64::try_from(self.size).unwrap_or(i64::MAX),
            sha256: hex::encode(self.hasher.clone().finalize()),
        })
    }
}

impl Drop for LocalUpload {
    fn drop(&mut self) {
        // Unfinished (an error, a client gone, a refused request): nothing stays.
        if let Some(part) = self.part.take() {
            let _ = std::fs::remove_file(part);
        }
    }
}

struct LocalContent {
    file: fs::File,
    size: u64,
}

#[async_trait]
impl Content for LocalContent {
    fn size_bytes(&self) -> u64 {
        self.size
    }

    async fn next_chunk(&mut self) -> Result<Vec<u8>, StorageError> {
        let mut chunk = vec![0; CHUNK_BYTES];
        let read = self
            .file
            .read(&mut chunk)
            .await
            .map_err(|e| io(e, "cannot read", Path::new("a stored file")))?;
        chunk.truncate(read);
        Ok(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "prospects-files-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&root).expect("temp dir");
        root
    }

    fn count(dir: PathBuf) -> usize {
        walk(&dir)
    }

    fn walk(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn a_finished_upload_is_stored_whole_with_its_digest() {
        let root = temp_root("finish");
        let files = LocalFiles::open(&root).expect("open");
        let mut upload = files.begin().await.expect("begin");
        upload.write(b"ab").await.expect("write");
        upload.write(b"c").await.expect("write");
        let stored = upload.finish().await.expect("finish");
        assert_eq!(stored.size_bytes, 3);
        assert_eq!(
            stored.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(count(root.join("tmp")), 0);
        let mut content = files.open(&stored.key).await.expect("open");
        assert_eq!(content.size_bytes(), 3);
        assert_eq!(content.next_chunk().await.expect("read"), b"abc");
        assert!(content.next_chunk().await.expect("end").is_empty());
        files.remove(&stored.key).await.expect("remove");
        files
            .remove(&stored.key)
            .await
            .expect("removing twice is fine");
        assert!(matches!(
            files.open(&stored.key).await,
            Err(StorageError::Missing)
        ));
        let _ = std::fs::remove_dir_all(root);
    }

    #[tokio::test]
    async fn an_abandoned_upload_leaves_nothing() {
        let root = temp_root("drop");
        let files = LocalFiles::open(&root).expect("open");
        let mut upload = files.begin().await.expect("begin");
        upload.write(b"partial").await.expect("write");
        assert_eq!(count(root.join("tmp")), 1);
        drop(upload);
        assert_eq!(count(root.clone()), 0);
        let _ = std::fs::remove_dir_all(root);
    }

    #[tokio::test]
    async fn a_scan_lists_old_files_and_clears_old_parts() {
        let root = temp_root("scan");
        let files = LocalFiles::open(&root).expect("open");
        let stored = files
            .begin()
            .await
            .expect("begin")
            .finish()
            .await
            .expect("finish");
        std::fs::write(root.join("tmp").join("left.part"), b"x").expect("part");
        assert!(
            files
                .stored_before(ORPHAN_PROOF)
                .await
                .expect("scan")
                .is_empty()
        );
        let old = files.stored_before(Duration::ZERO).await.expect("scan");
        assert_eq!(old, vec![stored.key]);
        assert_eq!(count(root.join("tmp")), 0);
        let _ = std::fs::remove_dir_all(root);
    }

    const ORPHAN_PROOF: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn keys_never_name_paths() {
        let root = temp_root("keys");
        let files = LocalFiles::open(&root).expect("open");
        for key in ["../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789"] {
            let key = FileKey(key.to_owned());
            assert!(matches!(files.open(&key).await, Err(StorageError::Missing)));
            files.remove(&key).await.expect("nothing to remove");
        }
        let _ = std::fs::remove_dir_all(root);
    }
}
