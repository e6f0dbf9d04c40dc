//! Every label the reports write, in English and Simplified Chinese, in one table: a label is
//! translated here and nowhere else, and a test checks that each one has both languages and
//! that a Chinese report shows none of the English ones.
//!
//! Labels with `{0}`, `{1}`… are templates ([`Label::fill`]): Chinese orders a sentence
//! differently from English, so whole sentences are translated, never words glued together.
//! Chinese units follow the clash explanations (`毫米`, `米`), so that a label and the
//! explanation beside it read alike. Clash kinds and zones use the words of Navisworks' Chinese
//! interface (硬碰撞, 间隙, 重复项), which coordinators in China already know; statuses come from
//! [`Status::as_zh`], their one translation, shared with the viewer.

use crate::portfolio::{Discipline, SiteOutcome};
use crate::Lang;
use plumbline_clash::{ClashKind, Zone};
use plumbline_review::{Status, Text};

/// One label: its English and its Chinese text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Label {
    pub(crate) en: &'static str,
    pub(crate) zh: &'static str,
}

impl Label {
    /// Both languages, as a [`Text`].
    pub(crate) fn text(self) -> Text {
        Text { en: self.en.to_string(), zh: self.zh.to_string() }
    }

    /// The label in `lang`: one language, or both as `en / zh`.
    pub(crate) fn pick(self, lang: Lang) -> String {
        lang.pick(self.en, self.zh)
    }

    /// The template with `{i}` replaced by `args[i]`, each language by its own text.
    pub(crate) fn fill(self, args: &[Text]) -> Text {
        let mut out = self.text();
        for (i, arg) in args.iter().enumerate() {
            let key = format!("{{{i}}}");
            out.en = out.en.replace(&key, &arg.en);
            out.zh = out.zh.replace(&key, &arg.zh);
        }
        out
    }
}

/// Text that is the same in both languages: numbers, model data, rule names.
pub(crate) fn same(text: impl Into<String>) -> Text {
    let text = text.into();
    Text { en: text.clone(), zh: text }
}

/// `text` in `lang`, both languages joined by `separator`.
pub(crate) fn join(lang: Lang, text: &Text, separator: &str) -> String {
    match lang {
        Lang::En => text.en.clone(),
        Lang::Zh => text.zh.clone(),
        Lang::Both => format!("{}{separator}{}", text.en, text.zh),
    }
}

/// `text` in `lang`, both as `en / zh` (as [`Lang::pick`]).
pub(crate) fn pick(lang: Lang, text: &Text) -> String {
    join(lang, text, " / ")
}

/// `1 clash`, `2 clashes`; Chinese has one form for both.
pub(crate) fn count(n: usize, one: Label, many: Label) -> Text {
    let label = if n == 1 { one } else { many };
    label.fill(&[same(n.to_string())])
}

/// A status's name: the machine name in English (as JSON and the command line write it), the
/// Chinese of [`Status::as_zh`].
pub(crate) fn status(s: Status) -> Text {
    Text { en: s.as_str().to_string(), zh: s.as_zh().to_string() }
}

/// A clash kind's name: the machine name in English, the Navisworks term in Chinese.
pub(crate) fn kind(k: ClashKind) -> Label {
    match k {
        ClashKind::Hard => KIND_HARD,
        ClashKind::Clearance => KIND_CLEARANCE,
        ClashKind::Duplicate => KIND_DUPLICATE,
        ClashKind::Time => KIND_TIME,
        ClashKind::Touch => KIND_TOUCH,
    }
}

/// The side of an element a clearance zone covers.
pub(crate) fn zone(z: Zone) -> Label {
    match z {
        Zone::Above => ZONE_ABOVE,
        Zone::Below => ZONE_BELOW,
        Zone::Front => ZONE_FRONT,
        Zone::FrontAndBack => ZONE_FRONT_AND_BACK,
        Zone::Swing => ZONE_SWING,
        Zone::Beside => ZONE_BESIDE,
    }
}

/// A discipline's name (the portfolio reports; `by_discipline` keys stay English words).
pub(crate) fn discipline(d: Discipline) -> Label {
    match d {
        Discipline::Structure => DISCIPLINE_STRUCTURE,
        Discipline::Architecture => DISCIPLINE_ARCHITECTURE,
        Discipline::Hvac => DISCIPLINE_HVAC,
        Discipline::Plumbing => DISCIPLINE_PLUMBING,
        Discipline::Electrical => DISCIPLINE_ELECTRICAL,
        Discipline::FireProtection => DISCIPLINE_FIRE_PROTECTION,
        Discipline::Other => DISCIPLINE_OTHER,
    }
}

/// How a site's run ended, as the portfolio reports name it.
pub(crate) fn outcome(o: SiteOutcome) -> Label {
    match o {
        SiteOutcome::Ok => OUTCOME_OK,
        SiteOutcome::Incomplete => OUTCOME_INCOMPLETE,
        SiteOutcome::Failed => OUTCOME_FAILED,
    }
}

/// Defines each label as a constant and lists them all in [`ALL`], so that the tests see every
/// label and none can be added without them.
macro_rules! labels {
    ($($(#[$doc:meta])* $name:ident = $en:literal, $zh:literal;)*) => {
        $($(#[$doc])* pub(crate) const $name: Label = Label { en: $en, zh: $zh };)*
        /// Every label above, for the tests.
        #[cfg_attr(not(test), allow(dead_code, reason = "read by the tests only"))]
        pub(crate) const ALL: &[Label] = &[$($name),*];
    };
}

labels! {
    // Titles and the page's frame.
    REPORT_TITLE = "Plumbline clash report", "碰撞检查报告";
    // The colon is part of the label: Chinese writes a full-width one.
    MODELS_COLON = "Models:", "模型：";
    GROUPING_COLON = "Grouping:", "分组方式：";
    MODELS = "Models", "模型";
    SUMMARY = "Summary", "汇总";
    FOOTER = "Written by Plumbline.", "由 Plumbline 生成。";

    // Grouping modes.
    BY_ELEMENT = "by element", "按构件";
    BY_STOREY_GROUPING = "by storey", "按楼层";
    BY_TYPE_PAIR = "by type pair", "按类型组合";
    /// `{0}`: the distance in metres.
    BY_PROXIMITY = "by proximity ({0} m)", "按邻近（{0} 米）";

    // Counts. `{0}`: the number.
    CLASH_ONE = "{0} clash", "{0} 处碰撞";
    CLASH_MANY = "{0} clashes", "{0} 处碰撞";
    GROUP_ONE = "{0} group", "{0} 组";
    GROUP_MANY = "{0} groups", "{0} 组";
    TEST_ONE = "{0} test", "{0} 条规则";
    TEST_MANY = "{0} tests", "{0} 条规则";
    /// `{0}` clashes, `{1}` groups, `{2}` tests (the counts above).
    SUMMARY_SENTENCE = "{0} in {1} from {2}.", "{2}共发现 {0}，分为 {1}。";
    /// `{0}` clashes in `{1}` groups, for one test.
    CLASHES_IN_GROUPS = "{0} in {1}", "共 {0}，分为 {1}";

    // Charts and count tables.
    CHART_BY_STATUS = "By status", "按状态";
    CHART_BY_TEST = "By test", "按规则";
    CHART_BY_STOREY = "By storey", "按楼层";
    NO_CLASHES = "no clashes", "无碰撞";
    TEST = "Test", "规则";
    STOREY = "Storey", "楼层";
    NO_STOREY = "(no storey)", "（无楼层）";
    TOTAL = "Total", "合计";
    CLASHES = "Clashes", "碰撞";
    GROUPS = "Groups", "分组";
    BY_TEST_TABLE = "Clashes by test and status", "按规则和状态统计碰撞";
    BY_STOREY_TABLE = "Clashes by storey and status", "按楼层和状态统计碰撞";

    // The line under each test's heading.
    /// `{0}`: the clash kind.
    MODE = "mode {0}", "类型：{0}";
    /// `{0}`: millimetres.
    TOLERANCE = "tolerance {0} mm", "容差 {0} 毫米";
    /// `{0}`: millimetres.
    CLEARANCE = "clearance {0} mm", "净距 {0} 毫米";
    /// `{0}`, `{1}`: millimetres above the floor.
    REACH_RANGE = "reach range {0}–{1} mm above the floor", "可及高度范围：距地面 {0}–{1} 毫米";
    ELEMENTS_A = "{0} A elements", "A 组构件 {0} 个";
    ELEMENTS_B = "{0} B elements", "B 组构件 {0} 个";
    CANDIDATE_PAIRS = "{0} candidate pairs", "候选构件对 {0} 个";
    NO_GROUP = "Clashes in no group", "未分组的碰撞";

    // Clash kinds and clearance zones.
    KIND_HARD = "hard", "硬碰撞";
    KIND_CLEARANCE = "clearance", "间隙";
    KIND_DUPLICATE = "duplicate", "重复项";
    KIND_TIME = "time", "4D 时间碰撞";
    KIND_TOUCH = "touch", "接触";
    KIND_REACH = "reach range", "可及范围";
    ZONE_ABOVE = "above", "上方";
    ZONE_BELOW = "below", "下方";
    ZONE_FRONT = "front", "前方";
    ZONE_FRONT_AND_BACK = "front and back", "前后";
    ZONE_SWING = "door swing", "门扇开启范围";
    ZONE_BESIDE = "beside and below", "侧下方";

    // A clash's fields in the HTML report.
    KIND = "Kind", "类型";
    DISTANCE = "Distance", "距离";
    /// `{0}`: millimetres.
    DISTANCE_MM = "{0} mm", "{0} 毫米";
    ESTIMATE = " (estimate)", "（估算）";
    A_RED = "A (red)", "A（红色）";
    B_GREEN = "B (green)", "B（绿色）";
    POINT_M = "Point (m)", "位置（米）";
    NEEDED_BY = "Needed by", "需解决日期";
    NEEDED_BY_VALUE = "{0} ({1} days; task {2})", "{0}（{1} 天；任务 {2}）";
    NO_SNAPSHOT = "no snapshot", "无快照";
    /// `{0}`: the clash's id.
    SNAPSHOT_ALT = "Snapshot of clash {0}: A red, B green", "碰撞 {0} 的快照：A 红色，B 绿色";

    // Column headers of the CSV file and the XLSX clash sheet. The English ones are the
    // machine names scripts already read, so an English CSV keeps its header.
    COL_NUMBER = "number", "编号";
    COL_TEST = "test", "规则";
    COL_ID = "id", "碰撞标识";
    COL_KIND = "kind", "类型";
    COL_STATUS = "status", "状态";
    COL_DISTANCE_MM = "distance_mm", "距离（毫米）";
    COL_OVERLAP_VOLUME_M3 = "overlap_volume_m3", "重叠体积（立方米）";
    COL_NEEDED_BY = "needed_by", "需解决日期";
    COL_DAYS_TO_NEEDED = "days_to_needed", "距需解决天数";
    COL_NEEDED_BY_TASK = "needed_by_task", "需解决任务";
    COL_GROUP = "group", "分组";
    COL_STOREY = "storey", "楼层";
    COL_A_GLOBAL_ID = "a_global_id", "A 构件 GlobalId";
    COL_A_CLASS = "a_class", "A 构件类型";
    COL_A_NAME = "a_name", "A 构件名称";
    COL_A_FILE = "a_file", "A 模型文件";
    COL_B_GLOBAL_ID = "b_global_id", "B 构件 GlobalId";
    COL_B_CLASS = "b_class", "B 构件类型";
    COL_B_NAME = "b_name", "B 构件名称";
    COL_B_FILE = "b_file", "B 模型文件";
    COL_POINT_X = "point_x_m", "位置 X（米）";
    COL_POINT_Y = "point_y_m", "位置 Y（米）";
    COL_POINT_Z = "point_z_m", "位置 Z（米）";
    COL_EXPLANATION_EN = "explanation_en", "说明（英文）";
    COL_EXPLANATION_ZH = "explanation_zh", "说明";

    // The portfolio reports (`plumbline batch`). "Open" counts the clashes not yet accepted or
    // fixed: 未解决, so that it reads as the opposite of 已解决 (resolved); "new" is the status
    // name of the site reports (新建), so that both read alike.
    PORTFOLIO_TITLE = "Portfolio clash report", "项目组合碰撞报告";
    PORTFOLIO = "Portfolio", "项目组合";
    GENERATED = "Generated", "生成时间";
    SITES = "Sites", "站点";
    SITES_RAN = "Ran", "已运行";
    OPEN = "Open", "未解决";
    NEW = "New", "新建";
    RESOLVED = "Resolved", "已解决";
    /// `{0}`: the portfolio's `needed_within_days`.
    NEEDED_WITHIN = "Needed within {0} days", "{0} 天内需解决";
    /// `{0}`: as [`NEEDED_WITHIN`]; the part of an "open" bar that is needed soon.
    OF_WHICH_NEEDED = "of which needed within {0} days", "其中 {0} 天内需解决";
    FIRST_NEEDED_BY = "First needed by", "最早需解决日期";
    SITE = "Site", "站点";
    REGION = "Region", "区域";
    NO_REGION = "(no region)", "（无区域）";
    DISCIPLINE = "Discipline", "专业";
    OUTCOME = "Outcome", "运行结果";
    OUTCOME_OK = "OK", "正常";
    OUTCOME_INCOMPLETE = "Incomplete", "不完整";
    OUTCOME_FAILED = "Failed", "失败";
    TREND_OPEN = "Trend (open)", "趋势（未解决）";
    TREND = "Trend", "趋势";
    THIS_RUN = "This run", "本次";
    PREVIOUS_RUN = "Previous run", "上一次";
    /// `{0}`: how many runs before this one (2 or more).
    RUNS_AGO = "{0} runs ago", "前第 {0} 次";
    REPORTS = "Reports", "报告";
    RANK = "Rank", "排名";
    PROJECT = "Project", "项目";
    ERROR = "Error", "错误";
    NO_SCHEDULE = "no schedule", "无进度计划";
    /// `{0}`: how many sites the chart shows.
    CHART_WORST_SITES = "The {0} worst sites: open clashes", "最需关注的 {0} 个站点：未解决碰撞";
    CHART_BY_DISCIPLINE = "Open clashes by discipline", "按专业统计未解决碰撞";
    CHART_BY_REGION = "Open clashes by region", "按区域统计未解决碰撞";
    SITES_TABLE = "Sites, worst first", "站点（按严重程度排序）";
    /// `{0}`: as [`NEEDED_WITHIN`].
    ORDER_NOTE = "Failed sites come first, then the sites with the most clashes needed within {0} days, the most open and the most new.",
        "失败的站点排在最前，其余按 {0} 天内需解决、未解决、新建的碰撞数从多到少排列。";
    /// `{0}`: as [`NEEDED_WITHIN`].
    NEEDED_NOTE = "Needed within {0} days: open clashes whose elements the 4D schedule starts building within {0} days, late ones included.",
        "{0} 天内需解决：4D 进度计划在 {0} 天内开始施工其构件的未解决碰撞（含已逾期的）。";
    INCOMPLETE_NOTE = "Incomplete: the site ran but skipped part of its input, so its counts may be low.",
        "不完整：站点已运行，但跳过了部分输入，计数可能偏低。";
    FAILED_NOTE = "Failed: the site could not run and has no counts; its error says why.",
        "失败：站点未能运行，没有计数；原因见错误信息。";
    DISCIPLINE_NOTE = "A clash between two disciplines counts under both.", "两个专业之间的碰撞在两个专业下各计一次。";
    DISCIPLINE_STRUCTURE = "Structure", "结构";
    DISCIPLINE_ARCHITECTURE = "Architecture", "建筑";
    DISCIPLINE_HVAC = "HVAC", "暖通";
    DISCIPLINE_PLUMBING = "Plumbing", "给排水";
    DISCIPLINE_ELECTRICAL = "Electrical", "电气";
    DISCIPLINE_FIRE_PROTECTION = "Fire protection", "消防";
    DISCIPLINE_OTHER = "Other", "其他";
}
