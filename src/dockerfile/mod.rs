//! Hand-written Dockerfile parser with exact byte spans.

pub mod ast;
mod json;
mod kinds;
mod lex;
pub mod mapped;
pub mod parser;

pub use ast::{
    ArgDecl, CommandForm, Copy, Directive, Dockerfile, Flag, Heredoc, Instruction, KeyValue, Kind,
    Mount, MountOption, ParseError, Run, Stage, Word,
};
pub use mapped::MappedText;
pub use parser::parse;
