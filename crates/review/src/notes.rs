//! What reviewers recorded on a clash in the clash history, as exports carry it: who is to fix
//! it, how urgent it is, by when, labels, and the discussion (comments and people's status
//! decisions). The history fills it in; a run without a history has none.

use serde::{Deserialize, Serialize};

/// The review of one clash.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewNotes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// ISO 8601 date (`2027-01-15`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Note>,
}

impl ReviewNotes {
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self == &ReviewNotes::default()
    }
}

/// One entry of a clash's discussion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub author: String,
    /// RFC 3339 with the offset it was written at (`2026-11-02T17:00:00+08:00`): a comment
    /// written in Shanghai reads as 17:00 there, not 09:00 UTC.
    pub date: String,
    pub text: String,
}
