//! The rule language: tags, audiences and metrics written as text, checked with diagnostics, evaluated to bitmaps.
//!
//! Text goes through [`lexer`] and [`parser`] into an [`ast::Program`]; [`check`] resolves every name against a
//! [`check::Schema`] (metrics, member attributes, other definitions) and types every expression; the engine's
//! evaluator then turns each definition into column operations over dense member indices. Nothing here panics on
//! any input, and every problem is a [`Diagnostic`] with a span and a message in Chinese and English.

pub mod ast;
pub mod check;
pub mod diagnostic;
pub mod eval;
pub mod lexer;
pub mod names;
pub mod parser;

pub use diagnostic::{Diagnostic, Location, Severity, Span};
