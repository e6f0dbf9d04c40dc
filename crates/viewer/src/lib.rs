//! Plumbline viewer.
