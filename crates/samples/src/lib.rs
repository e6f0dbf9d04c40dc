//! Sample model generator (being written).
