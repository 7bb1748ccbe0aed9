//! Writing results for other tools: member files ([`members`], the one path behind every audience and member
//! table, over the CSV and XLSX writers of [`activation`] that mask, hash and neutralise), the loaded data as
//! normalised tables ([`tables`]) and the tag pack as warehouse SQL ([`sql`]).

pub mod activation;
pub mod members;
pub mod sql;
pub mod tables;
