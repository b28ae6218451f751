#![no_main]

use libfuzzer_sys::fuzz_target;

// The input is up to three files separated by NUL bytes: compose.yaml, Dockerfile, .env.
// They are written to a scratch folder and checked as a project, rules and renderers
// included.
fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        stowaway_fuzz::project(text);
    }
});
