//! Safe event reader over `unsafe-libyaml` (libyaml translated to Rust), the only module of
//! the crate with `unsafe` code.
//!
//! Why libyaml: Docker Compose reads YAML with go-yaml, a port of libyaml, so libyaml's
//! scanner accepts and rejects what Compose does. `saphyr-parser`, used before, follows the
//! YAML 1.2 spec more strictly and refused files Compose reads, e.g. a flow sequence whose
//! closing `]` sits at the parent key's column. `unsafe-libyaml` is the translation
//! `serde_yaml` used; `libyaml-safer` was not taken because it panics on some inputs
//! (`[!tag,x]`) that libyaml accepts.
//!
//! Safety rules kept here: the parser lives in a `Box` that never moves (libyaml stores a
//! pointer to it as its read handler's data); the input is a `&str` borrowed for the
//! parser's whole life; every event is copied into owned Rust values and then freed with
//! `yaml_event_delete`; the parser is freed once, in `Drop`. Marks are converted from
//! libyaml's byte indices (which skip a leading byte order mark) to byte offsets into the
//! text.

use std::ffi::{CStr, c_char};
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use unsafe_libyaml as unsafe_sys;

/// A position in the text: byte offset, and 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mark {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// How a scalar was written, as libyaml reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// One parse event, with owned data.
#[derive(Debug)]
pub(super) enum EventKind {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias {
        anchor: String,
    },
    Scalar {
        value: String,
        style: ScalarStyle,
        anchor: Option<String>,
        tag: Option<String>,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    MappingEnd,
}

#[derive(Debug)]
pub(super) struct Event {
    pub kind: EventKind,
    pub start: Mark,
    pub end: Mark,
}

/// A syntax error as libyaml reports it: what is wrong and where, and optionally the
/// construct being read (e.g. "while parsing a block mapping") and where it started.
#[derive(Debug, Clone)]
pub(super) struct SyntaxError {
    pub problem: String,
    pub mark: Mark,
    pub context: Option<(String, Mark)>,
}

/// Pull parser over one text. After an error or the end of the stream it yields nothing.
pub(super) struct Parser<'a> {
    /// Initialised by `yaml_parser_initialize` in [`Parser::new`]; never moved out.
    raw: Box<MaybeUninit<unsafe_sys::yaml_parser_t>>,
    text: &'a str,
    /// Length of a leading byte order mark, which libyaml's indices do not count.
    bom: usize,
    finished: bool,
    _input: PhantomData<&'a [u8]>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Parser<'a> {
        let mut raw: Box<MaybeUninit<unsafe_sys::yaml_parser_t>> = Box::new(MaybeUninit::uninit());
        // SAFETY: `raw` points to writable memory for a parser; initialisation fills it
        // (it only fails on allocation failure, which aborts in Rust).
        let ok = unsafe { unsafe_sys::yaml_parser_initialize(raw.as_mut_ptr()) }.ok;
        assert!(ok, "libyaml parser initialisation failed");
        // SAFETY: the parser is initialised; `text` outlives the parser (lifetime 'a), and
        // the boxed parser does not move, so the handler data pointer libyaml keeps to it
        // stays valid.
        unsafe {
            unsafe_sys::yaml_parser_set_input_string(
                raw.as_mut_ptr(),
                text.as_ptr(),
                text.len() as _,
            );
        }
        Parser {
            raw,
            text,
            bom: if text.starts_with('\u{feff}') { 3 } else { 0 },
            finished: false,
            _input: PhantomData,
        }
    }

    /// The next event; `Ok(None)` after the stream's end.
    pub(super) fn next_event(&mut self) -> Result<Option<Event>, SyntaxError> {
        if self.finished {
            return Ok(None);
        }
        let mut raw_event: MaybeUninit<unsafe_sys::yaml_event_t> = MaybeUninit::uninit();
        // SAFETY: the parser is initialised and not in use elsewhere; libyaml zeroes the
        // event first and fills it on success.
        let ok =
            unsafe { unsafe_sys::yaml_parser_parse(self.raw.as_mut_ptr(), raw_event.as_mut_ptr()) }
                .ok;
        if !ok {
            self.finished = true;
            return Err(self.error());
        }
        // SAFETY: on success the event is initialised; it is read once here (copying its
        // strings) and freed right after, never used again.
        let event = unsafe {
            let ptr = raw_event.as_mut_ptr();
            let event = self.convert(&*ptr);
            unsafe_sys::yaml_event_delete(ptr);
            event
        };
        if matches!(event.kind, EventKind::StreamEnd) {
            self.finished = true;
        }
        Ok(Some(event))
    }

    fn mark(&self, m: unsafe_sys::yaml_mark_t) -> Mark {
        Mark {
            offset: (m.index as usize)
                .saturating_add(self.bom)
                .min(self.text.len()),
            line: (m.line as usize).saturating_add(1),
            column: (m.column as usize).saturating_add(1),
        }
    }

    /// Copy an event's data into owned values.
    ///
    /// # Safety
    /// `event` must be an event produced by `yaml_parser_parse` and not yet deleted.
    unsafe fn convert(&self, event: &unsafe_sys::yaml_event_t) -> Event {
        let start = self.mark(event.start_mark);
        let end = self.mark(event.end_mark);
        // SAFETY (every union read below): `type_` says which union member libyaml wrote;
        // its pointers are null or point to NUL-terminated strings (the scalar value to
        // `length` bytes) owned by the event.
        let kind = unsafe {
            match event.type_ {
                unsafe_sys::YAML_STREAM_START_EVENT => EventKind::StreamStart,
                unsafe_sys::YAML_STREAM_END_EVENT => EventKind::StreamEnd,
                unsafe_sys::YAML_DOCUMENT_START_EVENT => EventKind::DocumentStart,
                unsafe_sys::YAML_DOCUMENT_END_EVENT => EventKind::DocumentEnd,
                unsafe_sys::YAML_ALIAS_EVENT => EventKind::Alias {
                    anchor: c_string(event.data.alias.anchor).unwrap_or_default(),
                },
                unsafe_sys::YAML_SCALAR_EVENT => {
                    let s = event.data.scalar;
                    let value = if s.value.is_null() {
                        String::new()
                    } else {
                        let bytes = std::slice::from_raw_parts(s.value, s.length as usize);
                        String::from_utf8_lossy(bytes).into_owned()
                    };
                    EventKind::Scalar {
                        value,
                        style: match s.style {
                            unsafe_sys::YAML_SINGLE_QUOTED_SCALAR_STYLE => {
                                ScalarStyle::SingleQuoted
                            }
                            unsafe_sys::YAML_DOUBLE_QUOTED_SCALAR_STYLE => {
                                ScalarStyle::DoubleQuoted
                            }
                            unsafe_sys::YAML_LITERAL_SCALAR_STYLE => ScalarStyle::Literal,
                            unsafe_sys::YAML_FOLDED_SCALAR_STYLE => ScalarStyle::Folded,
                            _ => ScalarStyle::Plain,
                        },
                        anchor: c_string(s.anchor),
                        tag: c_string(s.tag).map(short_tag),
                    }
                }
                unsafe_sys::YAML_SEQUENCE_START_EVENT => EventKind::SequenceStart {
                    anchor: c_string(event.data.sequence_start.anchor),
                    tag: c_string(event.data.sequence_start.tag).map(short_tag),
                },
                unsafe_sys::YAML_SEQUENCE_END_EVENT => EventKind::SequenceEnd,
                unsafe_sys::YAML_MAPPING_START_EVENT => EventKind::MappingStart {
                    anchor: c_string(event.data.mapping_start.anchor),
                    tag: c_string(event.data.mapping_start.tag).map(short_tag),
                },
                unsafe_sys::YAML_MAPPING_END_EVENT => EventKind::MappingEnd,
                // YAML_NO_EVENT: libyaml returns it only once the stream has ended.
                _ => EventKind::StreamEnd,
            }
        };
        Event { kind, start, end }
    }

    /// The parser's error, read after `yaml_parser_parse` failed.
    fn error(&self) -> SyntaxError {
        // SAFETY: the parser is initialised; `problem` and `context` are null or point to
        // static NUL-terminated messages.
        let p = unsafe { &*self.raw.as_ptr() };
        let problem = unsafe { c_static(p.problem) };
        match p.error {
            unsafe_sys::YAML_READER_ERROR => {
                // Reader errors (e.g. a control character) carry a byte offset into the
                // raw input, byte order mark included, and no mark.
                let offset = (p.problem_offset as usize).min(self.text.len());
                SyntaxError {
                    problem: problem.unwrap_or_else(|| "unreadable input".into()),
                    mark: self.mark_at(offset),
                    context: None,
                }
            }
            unsafe_sys::YAML_MEMORY_ERROR => SyntaxError {
                problem: "out of memory".into(),
                mark: self.mark_at(0),
                context: None,
            },
            _ => SyntaxError {
                problem: problem.unwrap_or_else(|| "syntax error".into()),
                mark: self.mark(p.problem_mark),
                context: unsafe { c_static(p.context) }.map(|c| (c, self.mark(p.context_mark))),
            },
        }
    }

    /// Line and column of a byte offset, counted the way libyaml does (characters).
    fn mark_at(&self, offset: usize) -> Mark {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Mark {
            offset,
            line: before.matches('\n').count() + 1,
            column: before.get(line_start..).map_or(0, |l| l.chars().count()) + 1,
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: the parser was initialised in `new` and is deleted only here.
        unsafe { unsafe_sys::yaml_parser_delete(self.raw.as_mut_ptr()) }
    }
}

/// Tags as written: libyaml expands the secondary handle `!!` to `tag:yaml.org,2002:`.
fn short_tag(tag: String) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag,
    }
}

/// # Safety
/// `ptr` is null or points to a NUL-terminated string.
unsafe fn c_string(ptr: *const u8) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: per the function's contract.
    let s = unsafe { CStr::from_ptr(ptr.cast::<c_char>()) };
    Some(String::from_utf8_lossy(s.to_bytes()).into_owned())
}

/// # Safety
/// `ptr` is null or points to a NUL-terminated string.
unsafe fn c_static(ptr: *const c_char) -> Option<String> {
    // SAFETY: per the function's contract.
    unsafe { c_string(ptr.cast::<u8>()) }
}
