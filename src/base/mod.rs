//! The bottom layer: the vocabulary every other module shares and none of it depends on — cell values (dates,
//! amounts, width folding, trimming) and their formatting, civil dates, interned text dictionaries and the stable
//! hashes and row keys built on them, identifier kinds and their normal forms, file kinds and column roles, and the seeded random generator.
//! Nothing here names another module of the crate but [`crate::error`].

pub mod binary;
pub mod date;
pub mod dict;
pub mod ids;
pub mod mask;
pub mod random;
pub mod roles;
pub mod suggest;
pub mod values;
