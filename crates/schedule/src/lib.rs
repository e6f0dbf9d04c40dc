//! 4D schedules (being written).
