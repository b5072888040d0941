//! Embedded `Landing`: raw objects as files under a root directory.
//!
//! Role: the default landing zone, where scrapers put raw payloads and Phase 2 reads them back by path.
//!
//! Invariants:
//! - an object path is relative, `/`-separated, with no empty, `.` or `..` segment, no `\` and no NUL, and
//!   does not start with the reserved `.hoopflow/` directory; anything else is `PortError::Invalid`, so no
//!   path escapes the root;
//! - `put` writes the data to a temp file (fsynced), then renames it over the object: a reader sees the old
//!   or the new object, never a torn one;
//! - generations live in sidecar files under `<root>/.hoopflow/gen/<path>` (temp files under
//!   `<root>/.hoopflow/tmp/`), never listed; each `put` bumps the generation by one, and the sidecar is
//!   written before the data, so a generation number never names two different contents; an object found
//!   without a sidecar (copied in by hand) has generation 1;
//! - generation bump and rename happen under one lock per `DirLanding`, and `get` reads data and generation
//!   under the same lock: use one `DirLanding` per root in a process;
//! - a path cannot be both an object and a prefix directory of other objects (a filesystem limit that GCS
//!   does not have): such a `put` is `PortError::Invalid`;
//! - file I/O runs on tokio's blocking pool.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;

use crate::backends::{LandedObject, Landing, PortError, PortResult};

/// Reserved top-level directory for generations and temp files.
const META_DIR: &str = ".hoopflow";

/// A directory of raw objects.
pub struct DirLanding {
    inner: Arc<Inner>,
    bucket: String,
}

struct Inner {
    root: PathBuf,
    /// Serialises generation bumps with renames, and reads of (data, generation) pairs.
    commit: Mutex<()>,
    tmp_seq: AtomicU64,
}

impl DirLanding {
    /// Open (creating if needed) the landing directory `root`, named `bucket_name` in `gs://` style paths.
    /// Temp files left behind by a killed process are removed.
    pub fn open(root: impl AsRef<Path>, bucket_name: impl Into<String>) -> PortResult<Self> {
        let root = root.as_ref().to_path_buf();
        let tmp = root.join(META_DIR).join("tmp");
        fs::create_dir_all(&tmp).map_err(|e| io_err("create", &tmp, e))?;
        fs::create_dir_all(root.join(META_DIR).join("gen")).map_err(|e| io_err("create", &root, e))?;
        let stale = fs::read_dir(&tmp).map_err(|e| io_err("read", &tmp, e))?;
        for entry in stale.flatten() {
            if let Err(e) = fs::remove_file(entry.path()) {
                tracing::warn!(path = %entry.path().display(), error = %e, "cannot remove stale landing temp file");
            }
        }
        let bucket = bucket_name.into();
        tracing::debug!(root = %root.display(), bucket = %bucket, "landing opened");
        Ok(DirLanding { inner: Arc::new(Inner { root, commit: Mutex::new(()), tmp_seq: AtomicU64::new(0) }), bucket })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }
}

fn io_err(op: &str, path: &Path, e: std::io::Error) -> PortError {
    match e.kind() {
        ErrorKind::NotFound => PortError::NotFound(path.display().to_string()),
        _ => PortError::Storage(format!("cannot {op} {}: {e}", path.display())),
    }
}

fn invalid(path: &str, why: &str) -> PortError {
    PortError::Invalid(format!("landing path {path:?} {why}"))
}

fn check_chars(path: &str) -> PortResult<()> {
    if path.starts_with('/') {
        return Err(invalid(path, "must be relative"));
    }
    if path.contains('\\') || path.contains('\0') {
        return Err(invalid(path, "must not contain '\\' or NUL"));
    }
    if path.split('/').next() == Some(META_DIR) {
        return Err(invalid(path, "uses the reserved .hoopflow directory"));
    }
    Ok(())
}

fn bad_segment(seg: &str) -> bool {
    seg.is_empty() || seg == "." || seg == ".."
}

/// Validate an object path.
fn check_path(path: &str) -> PortResult<()> {
    if path.is_empty() {
        return Err(invalid(path, "must not be empty"));
    }
    check_chars(path)?;
    if path.split('/').any(bad_segment) {
        return Err(invalid(path, "must not have empty, '.' or '..' segments"));
    }
    Ok(())
}

/// Validate a list prefix: like a path, but it may be empty and its last segment may be empty or partial.
fn check_prefix(prefix: &str) -> PortResult<()> {
    if prefix.is_empty() {
        return Ok(());
    }
    check_chars(prefix)?;
    let segs: Vec<&str> = prefix.split('/').collect();
    let (last, dirs) = segs.split_last().map_or(("", &[][..]), |(l, d)| (*l, d));
    if dirs.iter().any(|s| bad_segment(s)) || last == "." || last == ".." {
        return Err(invalid(prefix, "must not have empty, '.' or '..' segments"));
    }
    Ok(())
}

/// Run blocking file I/O off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> PortResult<T> + Send + 'static) -> PortResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| PortError::Storage(format!("landing i/o task failed: {e}")))?
}

impl Inner {
    fn gen_file(&self, path: &str) -> PathBuf {
        self.root.join(META_DIR).join("gen").join(path)
    }

    fn tmp_file(&self) -> PathBuf {
        let seq = self.tmp_seq.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}-{seq}-{:016x}", std::process::id(), rand::random::<u64>());
        self.root.join(META_DIR).join("tmp").join(name)
    }

    /// The recorded generation of `path`: its sidecar, else 1 if the object exists, else 0.
    fn generation(&self, path: &str, target: &Path) -> PortResult<i64> {
        let side = self.gen_file(path);
        match fs::read_to_string(&side) {
            Ok(s) => {
                s.trim().parse().map_err(|e| PortError::Storage(format!("bad generation file {}: {e}", side.display())))
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(i64::from(target.is_file())),
            Err(e) => Err(io_err("read", &side, e)),
        }
    }

    fn write_tmp(&self, data: &[u8]) -> PortResult<PathBuf> {
        let tmp = self.tmp_file();
        let written = fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(data)?;
            f.sync_all()
        });
        match written {
            Ok(()) => Ok(tmp),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(io_err("write", &tmp, e))
            }
        }
    }

    fn put(&self, path: &str, data: &[u8]) -> PortResult<i64> {
        let target = self.root.join(path);
        if target.is_dir() {
            return Err(invalid(path, "is a prefix of other objects"));
        }
        if let Some(parent) = target.parent() {
            if let Err(e) = fs::create_dir_all(parent) {
                let under_object = parent.ancestors().take_while(|a| *a != self.root).any(Path::is_file);
                return Err(if under_object {
                    invalid(path, "lies under an existing object")
                } else {
                    io_err("create", parent, e)
                });
            }
        }
        let tmp = self.write_tmp(data)?;
        let result = self.commit(path, &target, &tmp);
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn commit(&self, path: &str, target: &Path, tmp: &Path) -> PortResult<i64> {
        let _guard = self.commit.lock();
        let generation = self.generation(path, target)? + 1;
        let side = self.gen_file(path);
        if let Some(parent) = side.parent() {
            fs::create_dir_all(parent).map_err(|e| io_err("create", parent, e))?;
        }
        let side_tmp = self.tmp_file();
        fs::write(&side_tmp, generation.to_string()).map_err(|e| io_err("write", &side_tmp, e))?;
        if let Err(e) = fs::rename(&side_tmp, &side) {
            let _ = fs::remove_file(&side_tmp);
            return Err(io_err("rename", &side, e));
        }
        fs::rename(tmp, target).map_err(|e| io_err("rename", target, e))?;
        Ok(generation)
    }

    fn get(&self, path: &str) -> PortResult<LandedObject> {
        let target = self.root.join(path);
        let _guard = self.commit.lock();
        let data = match fs::read(&target) {
            Ok(d) => d,
            Err(e) if e.kind() == ErrorKind::NotFound || !target.is_file() => {
                return Err(PortError::NotFound(format!("landing object {path}")))
            }
            Err(e) => return Err(io_err("read", &target, e)),
        };
        let generation = self.generation(path, &target)?;
        Ok(LandedObject { path: path.to_string(), generation, data })
    }

    fn list(&self, prefix: &str) -> PortResult<Vec<String>> {
        // Start at the deepest directory the prefix names in full; a missing directory lists nothing.
        let dir_part = prefix.rfind('/').map_or("", |i| &prefix[..i]);
        let start = if dir_part.is_empty() { self.root.clone() } else { self.root.join(dir_part) };
        let mut out = Vec::new();
        if start.is_dir() {
            self.walk(&start, dir_part, prefix, &mut out)?;
        }
        out.sort();
        Ok(out)
    }

    fn walk(&self, dir: &Path, rel: &str, prefix: &str, out: &mut Vec<String>) -> PortResult<()> {
        let entries = fs::read_dir(dir).map_err(|e| io_err("read", dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_err("read", dir, e))?;
            let Some(name) = entry.file_name().to_str().map(String::from) else {
                tracing::debug!(path = %entry.path().display(), "skipping non utf-8 landing file name");
                continue;
            };
            if rel.is_empty() && name == META_DIR {
                continue;
            }
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let ty = entry.file_type().map_err(|e| io_err("stat", &entry.path(), e))?;
            if ty.is_dir() {
                // Descend only where the prefix can still match.
                if path.starts_with(prefix) || prefix.starts_with(&format!("{path}/")) {
                    self.walk(&entry.path(), &path, prefix, out)?;
                }
            } else if (ty.is_file() || entry.path().is_file()) && path.starts_with(prefix) {
                out.push(path);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Landing for DirLanding {
    async fn put(&self, path: &str, data: &[u8]) -> PortResult<i64> {
        check_path(path)?;
        let (inner, owned, data) = (self.inner.clone(), path.to_string(), data.to_vec());
        let generation = blocking(move || inner.put(&owned, &data)).await?;
        tracing::debug!(path, generation, "landing object written");
        Ok(generation)
    }

    async fn get(&self, path: &str) -> PortResult<LandedObject> {
        check_path(path)?;
        let (inner, path) = (self.inner.clone(), path.to_string());
        blocking(move || inner.get(&path)).await
    }

    async fn list(&self, prefix: &str) -> PortResult<Vec<String>> {
        check_prefix(prefix)?;
        let (inner, prefix) = (self.inner.clone(), prefix.to_string());
        blocking(move || inner.list(&prefix)).await
    }

    fn bucket(&self) -> &str {
        &self.bucket
    }
}
