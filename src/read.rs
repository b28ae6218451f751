//! Reading files from disk with the limits every input gets.

use std::io::Read;
use std::path::Path;

/// Files larger than this are skipped with an error: no compose file, Dockerfile or env
/// file comes near it, and it keeps a run on a stray dump or binary bounded.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Read a text file, refusing what is not a regular file, too large, or not UTF-8.
pub fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_message(&e))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if !meta.is_file() {
        return Err("not a regular file (FIFO, socket or device); skipped".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} bytes, more than the {} MiB limit; skipped",
            meta.len(),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| io_message(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_message(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "file is larger than the {} MiB limit; skipped",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    decode(bytes)
}

/// Bytes to text, with a message naming the first invalid position.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.contains(&0) && std::str::from_utf8(&bytes).is_err() {
        return Err("binary file (not UTF-8 text); skipped".into());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!("invalid UTF-8 at line {line} (byte {at}); skipped")
    })
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
