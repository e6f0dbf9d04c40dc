//! The columns of the CSV file and of the XLSX clash sheet: which there are in each language,
//! their headers, and each clash's cells, typed so that the XLSX writes numbers as numbers and
//! leaves missing values as empty cells.

use crate::labels::{self, Label};
use crate::{distance_mm, fixed, storey, Lang};
use plumbline_review::ClashRecord;

/// One column of the clash table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Number,
    Test,
    Id,
    Kind,
    Status,
    DistanceMm,
    OverlapVolumeM3,
    NeededBy,
    DaysToNeeded,
    NeededByTask,
    Group,
    Storey,
    AGlobalId,
    AClass,
    AName,
    AFile,
    BGlobalId,
    BClass,
    BName,
    BFile,
    PointX,
    PointY,
    PointZ,
    ExplanationEn,
    ExplanationZh,
}

/// One cell of the clash table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    /// A number, written with this many decimals where it is written as text.
    Number {
        value: f64,
        decimals: usize,
    },
    /// No value (a clash without a number or a storey): an empty cell, which a spreadsheet's
    /// filter offers as "(Blanks)".
    Empty,
}

/// The columns in `lang`, in order: the clash number first (people sort and name clashes by
/// it), the overlap volume after the distance (empty where the solids do not overlap), the 4D
/// triage (needed-by date, days to it, the task; empty without a schedule), the explanation in
/// the report's language (both in [`Lang::Both`]) last.
pub(crate) fn columns(lang: Lang) -> Vec<Column> {
    use Column::*;
    let mut out = vec![
        Number,
        Test,
        Id,
        Kind,
        Status,
        DistanceMm,
        OverlapVolumeM3,
        NeededBy,
        DaysToNeeded,
        NeededByTask,
        Group,
        Storey,
        AGlobalId,
        AClass,
        AName,
        AFile,
        BGlobalId,
        BClass,
        BName,
        BFile,
        PointX,
        PointY,
        PointZ,
    ];
    match lang {
        Lang::En => out.push(ExplanationEn),
        Lang::Zh => out.push(ExplanationZh),
        Lang::Both => out.extend([ExplanationEn, ExplanationZh]),
    }
    out
}

impl Column {
    /// The header's label.
    pub(crate) fn label(self) -> Label {
        match self {
            Column::Number => labels::COL_NUMBER,
            Column::Test => labels::COL_TEST,
            Column::Id => labels::COL_ID,
            Column::Kind => labels::COL_KIND,
            Column::Status => labels::COL_STATUS,
            Column::DistanceMm => labels::COL_DISTANCE_MM,
            Column::OverlapVolumeM3 => labels::COL_OVERLAP_VOLUME_M3,
            Column::NeededBy => labels::COL_NEEDED_BY,
            Column::DaysToNeeded => labels::COL_DAYS_TO_NEEDED,
            Column::NeededByTask => labels::COL_NEEDED_BY_TASK,
            Column::Group => labels::COL_GROUP,
            Column::Storey => labels::COL_STOREY,
            Column::AGlobalId => labels::COL_A_GLOBAL_ID,
            Column::AClass => labels::COL_A_CLASS,
            Column::AName => labels::COL_A_NAME,
            Column::AFile => labels::COL_A_FILE,
            Column::BGlobalId => labels::COL_B_GLOBAL_ID,
            Column::BClass => labels::COL_B_CLASS,
            Column::BName => labels::COL_B_NAME,
            Column::BFile => labels::COL_B_FILE,
            Column::PointX => labels::COL_POINT_X,
            Column::PointY => labels::COL_POINT_Y,
            Column::PointZ => labels::COL_POINT_Z,
            Column::ExplanationEn => labels::COL_EXPLANATION_EN,
            Column::ExplanationZh => labels::COL_EXPLANATION_ZH,
        }
    }

    /// Whether the column holds numbers (which the XLSX writes as number cells).
    pub(crate) fn is_number(self) -> bool {
        matches!(
            self,
            Column::Number
                | Column::DistanceMm
                | Column::OverlapVolumeM3
                | Column::DaysToNeeded
                | Column::PointX
                | Column::PointY
                | Column::PointZ
        )
    }

    /// Whether the column holds sentences (the explanations), which the XLSX wraps.
    pub(crate) fn is_long_text(self) -> bool {
        matches!(self, Column::ExplanationEn | Column::ExplanationZh)
    }

    /// The header in `lang`.
    pub(crate) fn header(self, lang: Lang) -> String {
        self.label().pick(lang)
    }

    /// The column's width in the XLSX sheet (Excel character units): ids and explanations are
    /// long, numbers short.
    pub(crate) fn width(self) -> f64 {
        match self {
            Column::Number | Column::DaysToNeeded => 8.0,
            Column::NeededBy => 12.0,
            Column::NeededByTask => 24.0,
            Column::Kind | Column::Status => 12.0,
            Column::DistanceMm
            | Column::OverlapVolumeM3
            | Column::PointX
            | Column::PointY
            | Column::PointZ => 12.0,
            Column::Id | Column::Group => 18.0,
            Column::Storey => 16.0,
            Column::Test | Column::AFile | Column::BFile => 22.0,
            Column::AGlobalId | Column::AClass | Column::AName => 24.0,
            Column::BGlobalId | Column::BClass | Column::BName => 24.0,
            Column::ExplanationEn => 60.0,
            Column::ExplanationZh => 50.0,
        }
    }

    /// The clash's cell in this column, with kind and status names in `lang`.
    pub(crate) fn cell(self, c: &ClashRecord, lang: Lang) -> Cell {
        let text = |s: &str| Cell::Text(s.to_string());
        let name = |s: &Option<String>| s.as_deref().map_or(Cell::Empty, text);
        match self {
            Column::Number => c.number.map_or(Cell::Empty, |n| Cell::Number { value: n as f64, decimals: 0 }),
            Column::Test => text(&c.test),
            Column::Id => text(&c.id),
            Column::Kind => Cell::Text(labels::kind(c.kind).pick(lang)),
            Column::Status => Cell::Text(labels::pick(lang, &labels::status(c.status))),
            Column::DistanceMm => Cell::Number { value: distance_mm(c), decimals: 1 },
            // Cubic centimetres still show: slivers are what this column is sorted for.
            Column::OverlapVolumeM3 => {
                c.overlap_volume_m3.map_or(Cell::Empty, |v| Cell::Number { value: v, decimals: 6 })
            }
            // The 4D triage: ISO dates sort as text; the task as "id name".
            Column::NeededBy => c.triage.as_ref().map_or(Cell::Empty, |t| text(&t.needed_by)),
            Column::DaysToNeeded => c
                .triage
                .as_ref()
                .map_or(Cell::Empty, |t| Cell::Number { value: t.days_to_needed as f64, decimals: 0 }),
            Column::NeededByTask => c.triage.as_ref().map_or(Cell::Empty, |t| {
                Cell::Text(format!("{} {}", t.needed_by_task.id, t.needed_by_task.name))
            }),
            Column::Group => text(&c.group),
            Column::Storey => storey(c).map_or(Cell::Empty, text),
            Column::AGlobalId => text(&c.a.global_id),
            Column::AClass => text(&c.a.class),
            Column::AName => name(&c.a.name),
            Column::AFile => text(&c.a.file),
            Column::BGlobalId => text(&c.b.global_id),
            Column::BClass => text(&c.b.class),
            Column::BName => name(&c.b.name),
            Column::BFile => text(&c.b.file),
            Column::PointX => Cell::Number { value: c.point[0], decimals: 3 },
            Column::PointY => Cell::Number { value: c.point[1], decimals: 3 },
            Column::PointZ => Cell::Number { value: c.point[2], decimals: 3 },
            Column::ExplanationEn => text(&c.explanation.en),
            Column::ExplanationZh => text(&c.explanation.zh),
        }
    }
}

impl Cell {
    /// The cell as CSV text: numbers with their fixed decimals, empty cells as nothing.
    pub(crate) fn to_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number { value, decimals } => fixed(*value, *decimals),
            Cell::Empty => String::new(),
        }
    }
}
