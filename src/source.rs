//! Source files and positions: byte spans, and the conversion between byte offsets and
//! line/column pairs (1-based, columns counted in Unicode scalar values or UTF-16 units).

use std::ops::Range;
use std::path::PathBuf;

/// Index of a file in [`Files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A half-open byte range `start..end` inside one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
    /// Shift a span found in a substring that starts at `base`.
    pub fn offset(self, base: usize) -> Span {
        Span::new(self.start + base, self.end + base)
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One file read from disk (or stdin), with its line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to the user: relative to the working directory, `/` separators.
    pub display: String,
    /// Path used to reach the file (absolute or relative to the working directory).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(display: String, path: PathBuf, text: String) -> SourceFile {
        let line_starts = line_starts(&text);
        SourceFile {
            display,
            path,
            text,
            line_starts,
        }
    }

    /// Number of lines (a trailing newline does not start a new counted line of content,
    /// but it is a valid position).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where the 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    /// The 1-based line holding `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i.max(1),
        }
    }

    /// Text of a 1-based line without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Byte offset to line and column. Offsets inside a multi-byte character or past the
    /// end are clamped to the previous character boundary.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line).unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        LineCol { line, column }
    }

    /// Column of `offset` counted in UTF-16 code units (1-based), for LSP-style consumers.
    pub fn utf16_column(&self, offset: usize) -> usize {
        let offset = floor_char_boundary(&self.text, offset);
        let start = self.line_start(self.line_of(offset)).unwrap_or(0);
        self.text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count())
            + 1
    }

    /// Line and column (both 1-based, column in characters) to a byte offset.
    pub fn offset_of(&self, pos: LineCol) -> Option<usize> {
        let start = self.line_start(pos.line)?;
        let end = self.line_start(pos.line + 1).unwrap_or(self.text.len());
        let line = self.text.get(start..end)?;
        let want = pos.column.checked_sub(1)?;
        if want == 0 {
            return Some(start);
        }
        let mut seen = 0;
        for (i, _) in line.char_indices() {
            if seen == want {
                return Some(start + i);
            }
            seen += 1;
        }
        (seen == want).then_some(end)
    }

    /// The source text of a span ("" when the span is not valid in this file).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// The largest char boundary `<= offset` (clamped to the text length).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every file loaded in a run. Files are added once and never removed.
#[derive(Debug, Default)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("t".into(), "t".into(), text.into())
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let f = file("a: é\nb: 💥x\n");
        let x = f.text.find('x').unwrap();
        assert_eq!(f.line_col(x), LineCol { line: 2, column: 5 });
        assert_eq!(f.utf16_column(x), 6);
        assert_eq!(f.offset_of(LineCol { line: 2, column: 5 }), Some(x));
        assert_eq!(f.line_text(2), "b: 💥x");
    }

    #[test]
    fn offsets_inside_a_character_clamp_to_its_start() {
        let f = file("é");
        assert_eq!(f.line_col(1), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 2 });
    }

    #[test]
    fn crlf_lines() {
        let f = file("a\r\nbb\r\n");
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_text(1), "a");
    }

    proptest! {
        #[test]
        fn offset_and_line_col_round_trip(text in "(?s).{0,200}", pick in 0usize..400) {
            let f = file(&text);
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let offset = boundaries[pick % boundaries.len()];
            let pos = f.line_col(offset);
            prop_assert_eq!(f.offset_of(pos), Some(offset));
        }

        #[test]
        fn any_offset_maps_to_a_valid_position(text in "(?s).{0,100}", offset in 0usize..300) {
            let f = file(&text);
            let pos = f.line_col(offset);
            prop_assert!(pos.line >= 1 && pos.line <= f.line_count());
            prop_assert!(f.offset_of(pos).is_some());
        }
    }
}
