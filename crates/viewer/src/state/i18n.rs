//! UI language: English and Simplified Chinese.
//!
//! Every UI string is a field of [`Strings`], so a string missing in one language is a compile
//! error rather than a blank label. The default language follows the system locale
//! (`LC_ALL`, `LC_MESSAGES`, `LANG`, the POSIX precedence); `--lang` overrides it (the
//! [`Lang`] resource is set from both when the app is built).

use bevy::prelude::*;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Resource)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Parses `en`, `zh`, `zh_CN.UTF-8` and the like.
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") || t == "c" || t == "posix" || t.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a locale as the environment gives it: the first non-empty of
    /// `LC_ALL`, `LC_MESSAGES`, `LANG`; Chinese for `zh*`, English otherwise.
    pub fn from_locale_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"].iter().filter_map(|k| get(k)).find(|v| !v.trim().is_empty()).map_or(
            Lang::En,
            |v| if v.trim().to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En },
        )
    }

    /// The system locale's language.
    pub fn from_system() -> Lang {
        Lang::from_locale_vars(|k| std::env::var(k).ok())
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// Every text of the UI, in one language.
#[derive(Debug)]
pub struct Strings {
    pub language: &'static str,
    pub view: &'static str,
    pub fit_all: &'static str,
    pub fit_selection: &'static str,
    pub xray: &'static str,
    pub clear_selection: &'static str,
    pub loading: &'static str,
    pub stage_meshes: &'static str,
    pub stage_schedule: &'static str,
    pub stage_clashes: &'static str,
    pub loaded: &'static str,
    pub load_failed: &'static str,
    pub no_model: &'static str,
    pub elements: &'static str,
    pub files: &'static str,
    pub seconds: &'static str,
    pub model_tree: &'static str,
    pub storeys: &'static str,
    pub classes: &'static str,
    pub no_storey: &'static str,
    pub show_all: &'static str,
    pub isolate: &'static str,
    pub isolate_hint: &'static str,
    pub properties: &'static str,
    pub nothing_selected: &'static str,
    pub global_id: &'static str,
    pub class: &'static str,
    pub name: &'static str,
    pub storey: &'static str,
    pub file: &'static str,
    pub type_object: &'static str,
    pub materials: &'static str,
    pub property_sets: &'static str,
    pub quantities: &'static str,
    pub clashes: &'static str,
    pub no_clashes_loaded: &'static str,
    pub clash: &'static str,
    pub status: &'static str,
    pub distance: &'static str,
    pub explanation: &'static str,
    pub element_a: &'static str,
    pub element_b: &'static str,
    pub not_in_model: &'static str,
    pub leave_clash: &'static str,
    pub timeline: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    pub speed_days_per_sec: &'static str,
    pub date: &'static str,
    pub planned: &'static str,
    pub actual: &'static str,
    pub show_4d: &'static str,
    pub active_tasks: &'static str,
    pub state_not_started: &'static str,
    pub state_in_progress: &'static str,
    pub state_complete: &'static str,
    pub state_temporary: &'static str,
    pub state_demolishing: &'static str,
    pub state_demolished: &'static str,
    pub state_unscheduled: &'static str,
    pub late: &'static str,
    pub model_files: &'static str,
    pub section_box: &'static str,
    pub section_to_selection: &'static str,
    pub section_reset: &'static str,
    pub open: &'static str,
    pub open_hint: &'static str,
    pub open_button: &'static str,
    pub browse: &'static str,
    pub dialog_title: &'static str,
    pub filter_all: &'static str,
    pub filter_models: &'static str,
    pub filter_reports: &'static str,
    pub filter_schedules: &'static str,
    pub results_from: &'static str,
    pub tests_run_on_load: &'static str,
    pub open_in_history: &'static str,
    pub comment: &'static str,
    pub save_review: &'static str,
    pub review_history: &'static str,
    pub export_bcf: &'static str,
    pub no_history: &'static str,
    pub gantt: &'static str,
    pub critical_path: &'static str,
    pub highlight_late: &'static str,
    pub days_late: &'static str,
    pub task: &'static str,
    pub linked_elements: &'static str,
    pub no_cpm: &'static str,
    pub view_top: &'static str,
    pub view_front: &'static str,
    pub view_back: &'static str,
    pub view_left: &'static str,
    pub view_right: &'static str,
    pub view_iso: &'static str,
    pub errors: &'static str,
    pub help: &'static str,
}

pub static EN: Strings = Strings {
    language: "Language",
    view: "View",
    fit_all: "Fit all",
    fit_selection: "Fit selection",
    xray: "X-ray",
    clear_selection: "Clear selection",
    loading: "Loading",
    stage_meshes: "Preparing the 3D view",
    stage_schedule: "Reading the schedule",
    stage_clashes: "Reading or running the clash tests",
    loaded: "Loaded",
    load_failed: "Could not load",
    no_model: "No model loaded. Pass IFC files on the command line.",
    elements: "elements",
    files: "files",
    seconds: "s",
    model_tree: "Model",
    storeys: "Storeys",
    classes: "Classes",
    no_storey: "(no storey)",
    show_all: "Show all",
    isolate: "Isolate",
    isolate_hint: "Show only this one",
    properties: "Properties",
    nothing_selected: "Click an element to see its properties.",
    global_id: "GlobalId",
    class: "Class",
    name: "Name",
    storey: "Storey",
    file: "File",
    type_object: "Type",
    materials: "Materials",
    property_sets: "Property sets",
    quantities: "Quantities",
    clashes: "Clashes",
    no_clashes_loaded: "No clash report loaded (--clashes FILE.json).",
    clash: "Clash",
    status: "Status",
    distance: "Distance",
    explanation: "Explanation",
    element_a: "A (red)",
    element_b: "B (green)",
    not_in_model: "not in the loaded models",
    leave_clash: "Back to the model",
    timeline: "4D timeline",
    play: "Play",
    pause: "Pause",
    speed_days_per_sec: "days/s",
    date: "Date",
    planned: "Planned",
    actual: "Actual",
    show_4d: "Show 4D",
    active_tasks: "Running tasks",
    state_not_started: "Not started",
    state_in_progress: "In progress",
    state_complete: "Complete",
    state_temporary: "Temporary",
    state_demolishing: "Demolishing",
    state_demolished: "Demolished",
    state_unscheduled: "Unscheduled",
    late: "late",
    model_files: "Files",
    section_box: "Section box",
    section_to_selection: "Around selection",
    section_reset: "Whole model",
    open: "Open…",
    open_hint:
        "Paste a file path (IFC, clash report .json, history .db, schedule), or drop files on the window",
    open_button: "Open",
    browse: "Browse…",
    dialog_title: "Open models, clash results or a schedule",
    filter_all: "Everything Plumbline opens",
    filter_models: "IFC models",
    filter_reports: "Clash report, rules or history",
    filter_schedules: "Schedules",
    results_from: "Results",
    tests_run_on_load: "tests run on the loaded models",
    open_in_history: "clashes open in the history",
    comment: "Comment",
    save_review: "Save to history",
    review_history: "History",
    export_bcf: "Export group to BCF",
    no_history: "Start the viewer with --db to record statuses and comments",
    gantt: "Gantt chart",
    critical_path: "Critical path",
    highlight_late: "Highlight late work",
    days_late: "d late",
    task: "Task",
    linked_elements: "Linked elements",
    no_cpm: "Critical path not computed",
    view_top: "Top",
    view_front: "Front",
    view_back: "Back",
    view_left: "Left",
    view_right: "Right",
    view_iso: "Iso",
    errors: "Errors",
    help: "Left drag: orbit · right drag: pan · wheel: zoom · F: fit · Esc: clear",
};

pub static ZH: Strings = Strings {
    language: "语言",
    view: "视图",
    fit_all: "全部显示",
    fit_selection: "缩放到选择",
    xray: "X 光",
    clear_selection: "取消选择",
    loading: "正在加载",
    stage_meshes: "正在准备三维视图",
    stage_schedule: "正在读取进度计划",
    stage_clashes: "正在读取或运行碰撞检测",
    loaded: "已加载",
    load_failed: "无法加载",
    no_model: "未加载模型。请在命令行中指定 IFC 文件。",
    elements: "个构件",
    files: "个文件",
    seconds: "秒",
    model_tree: "模型",
    storeys: "楼层",
    classes: "类别",
    no_storey: "（无楼层）",
    show_all: "全部显示",
    isolate: "单独显示",
    isolate_hint: "只显示此项",
    properties: "属性",
    nothing_selected: "点击构件以查看其属性。",
    global_id: "全局 ID",
    class: "类别",
    name: "名称",
    storey: "楼层",
    file: "文件",
    type_object: "类型",
    materials: "材料",
    property_sets: "属性集",
    quantities: "工程量",
    clashes: "碰撞",
    no_clashes_loaded: "未加载碰撞报告（--clashes FILE.json）。",
    clash: "碰撞",
    status: "状态",
    distance: "距离",
    explanation: "说明",
    element_a: "A（红）",
    element_b: "B（绿）",
    not_in_model: "不在已加载的模型中",
    leave_clash: "返回模型",
    timeline: "4D 进度",
    play: "播放",
    pause: "暂停",
    speed_days_per_sec: "天/秒",
    date: "日期",
    planned: "计划",
    actual: "实际",
    show_4d: "显示 4D",
    active_tasks: "进行中的任务",
    state_not_started: "未开始",
    state_in_progress: "施工中",
    state_complete: "已完成",
    state_temporary: "临时设施",
    state_demolishing: "拆除中",
    state_demolished: "已拆除",
    state_unscheduled: "未排期",
    late: "延误",
    model_files: "文件",
    section_box: "剖切框",
    section_to_selection: "围绕所选",
    section_reset: "整个模型",
    open: "打开…",
    open_hint: "粘贴文件路径（IFC、碰撞报告 .json、历史 .db、进度计划），或将文件拖到窗口中",
    open_button: "打开",
    browse: "浏览…",
    dialog_title: "打开模型、碰撞结果或进度计划",
    filter_all: "Plumbline 可打开的全部文件",
    filter_models: "IFC 模型",
    filter_reports: "碰撞报告、规则或历史",
    filter_schedules: "进度计划",
    results_from: "结果",
    tests_run_on_load: "对已载入模型运行的测试",
    open_in_history: "历史中未关闭的碰撞",
    comment: "备注",
    save_review: "保存到历史",
    review_history: "历史",
    export_bcf: "导出该组为 BCF",
    no_history: "使用 --db 启动查看器以记录状态和备注",
    gantt: "甘特图",
    critical_path: "关键路径",
    highlight_late: "高亮延误工作",
    days_late: "天延误",
    task: "任务",
    linked_elements: "关联构件",
    no_cpm: "未计算关键路径",
    view_top: "顶视图",
    view_front: "前视图",
    view_back: "后视图",
    view_left: "左视图",
    view_right: "右视图",
    view_iso: "等轴测",
    errors: "错误",
    help: "左键拖动：旋转 · 右键拖动：平移 · 滚轮：缩放 · F：缩放到选择 · Esc：取消",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_follows_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(Lang::from_locale_vars(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "en_US.UTF-8")])),
            Lang::En
        );
        assert_eq!(Lang::from_locale_vars(env(&[("LC_ALL", ""), ("LANG", "zh_TW")])), Lang::Zh);
        assert_eq!(Lang::from_locale_vars(env(&[])), Lang::En);
        assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
    }
}
