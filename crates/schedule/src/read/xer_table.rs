//! One table of an XER file (`%T`, its `%F` field names and `%R` rows with their line numbers),
//! shared by the schedule reader (`xer`) and the CPM facts reader (`xer_plan`) so that neither
//! imports the other.

use std::collections::HashMap;

pub(super) struct Table<'a> {
    pub(super) fields: HashMap<&'a str, usize>,
    pub(super) rows: Vec<(usize, Vec<&'a str>)>,
}

impl<'a> Table<'a> {
    /// The trimmed value of `field` in `row`; empty when the table has no such field.
    pub(super) fn get(&self, row: &[&'a str], field: &str) -> &'a str {
        self.fields.get(field).and_then(|&i| row.get(i)).map_or("", |v| v.trim())
    }
}
