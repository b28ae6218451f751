//! Fingerprints: stable identities for findings that do not depend on line numbers and do
//! not reveal the secret they concern.

use crate::finding::Finding;
use crate::source::SourceFile;

/// 64-bit FNV-1a; stable across versions and platforms (fingerprints are stored in
/// baselines, so this function must never change).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // Separator so that ("ab", "c") and ("a", "bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Rule code, path, the finding's anchor (key path or instruction) and a salted hash of
/// the flagged text. Two independent hashes make 128 bits.
pub fn fingerprint(finding: &Finding, file: &SourceFile) -> String {
    fingerprint_at(finding, file, &file.display)
}

/// [`fingerprint`] with the file's path written as `path` (a baseline stores paths
/// relative to itself, so that it matches from any folder).
pub fn fingerprint_at(finding: &Finding, file: &SourceFile, path: &str) -> String {
    let text = file.slice(finding.span);
    let value_hash = fnv1a(&[b"stowaway-value-salt-v1", text.trim().as_bytes()]).to_le_bytes();
    let parts: [&[u8]; 4] = [
        finding.code.as_bytes(),
        path.as_bytes(),
        finding.anchor.as_bytes(),
        &value_hash,
    ];
    let a = fnv1a(&parts);
    let mut salted = vec![b"stowaway-fp-v1".as_slice()];
    salted.extend(parts);
    let b = fnv1a(&salted);
    format!("{a:016x}{b:016x}")
}
