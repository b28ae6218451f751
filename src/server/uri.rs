//! `file://` URIs ↔ paths, as LSP clients send them (percent-encoded, `/` separators;
//! Windows drive letters as `file:///c%3A/…` or `file:///C:/…`).

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The path a `file://` URI names; `None` for other schemes.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file://host/path`: only the local host is a path here.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if &rest[..i] == "localhost" => &rest[i..],
        _ => return None,
    };
    let decoded = decode(path)?;
    #[cfg(windows)]
    let decoded = decoded.trim_start_matches('/').replace('/', "\\");
    Some(crate::workspace::normalize(Path::new(&decoded)))
}

/// The `file://` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out.parse().ok()
}

fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn paths_round_trip_through_uris() {
        let path = Path::new("/srv/my app/compose.yaml");
        let uri = from_path(path).expect("uri");
        assert_eq!(uri.as_str(), "file:///srv/my%20app/compose.yaml");
        assert_eq!(to_path(&uri).as_deref(), Some(path));
        let other: Uri = "untitled:Untitled-1".parse().expect("uri");
        assert_eq!(to_path(&other), None);
        let host: Uri = "file://localhost/etc/x".parse().expect("uri");
        assert_eq!(to_path(&host).as_deref(), Some(Path::new("/etc/x")));
    }
}
