//! Schedule files in the code pages Windows tools write (GBK, Big5, Shift_JIS, UTF-16), and
//! the Chinese words that give a task its type.

use plumbline_schedule::{read_schedule_bytes, TaskType};
use std::path::Path;

fn encoded(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{text} fits {}", encoding.name());
    bytes.into_owned()
}

#[test]
fn a_gbk_csv_imports_with_its_chinese_names_and_says_so() {
    let text = "编号,名称,开始,结束,前置任务\n\
                T1,拆除原柜台,2025-03-03,2025-03-05,\n\
                T2,搭设脚手架,2025-03-03,2025-03-04,\n\
                T3,新建服务台,2025-03-06,2025-03-10,T1\n";
    let bytes = encoded(text, encoding_rs::GBK);
    assert!(std::str::from_utf8(&bytes).is_err(), "the test file is not UTF-8");
    let s = read_schedule_bytes(Path::new("计划.csv"), &bytes).expect("imports");
    let names: Vec<&str> = s.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["拆除原柜台", "搭设脚手架", "新建服务台"]);
    let types: Vec<TaskType> = s.tasks.iter().map(|t| t.task_type).collect();
    assert_eq!(types, [TaskType::Demolish, TaskType::Temporary, TaskType::Construct]);
    assert_eq!(s.dependencies.len(), 1);
    assert!(s.warnings.iter().any(|w| w.contains("read as GBK")), "{:?}", s.warnings);
}

#[test]
fn big5_shift_jis_and_utf16_files_import() {
    let big5 =
        "id,name,start,finish\nT1,拆除舊櫃檯,2025-03-03,2025-03-05\nT2,搭設鷹架,2025-03-06,2025-03-10\n";
    let s = read_schedule_bytes(Path::new("plan.csv"), &encoded(big5, encoding_rs::BIG5)).expect("imports");
    assert_eq!(s.tasks[0].name, "拆除舊櫃檯");
    assert_eq!(s.tasks[1].task_type, TaskType::Temporary);
    assert!(s.warnings.iter().any(|w| w.contains("read as Big5")), "{:?}", s.warnings);

    let sjis = "id,name,start,finish\nT1,既存カウンターの撤去工事,2025-03-03,2025-03-05\nT2,外部足場の組立て,2025-03-06,2025-03-10\n";
    let s =
        read_schedule_bytes(Path::new("plan.csv"), &encoded(sjis, encoding_rs::SHIFT_JIS)).expect("imports");
    assert_eq!(s.tasks[0].name, "既存カウンターの撤去工事");
    assert!(s.warnings.iter().any(|w| w.contains("read as Shift_JIS")), "{:?}", s.warnings);

    // P6 on Chinese Windows: an XER in UTF-16 with its byte-order mark.
    let xer = "ERMHDR\t19.12\n%T\tPROJECT\n%F\tproj_id\tproj_short_name\n%R\t1\t酒店\n\
               %T\tTASK\n%F\ttask_id\tproj_id\ttask_code\ttask_name\n%R\t10\t1\tA100\t拆除原柜台\n%E\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in xer.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let s = read_schedule_bytes(Path::new("hotel.xer"), &utf16).expect("an XER once decoded");
    assert_eq!((s.tasks[0].name.as_str(), s.tasks[0].task_type), ("拆除原柜台", TaskType::Demolish));
    assert!(s.warnings.iter().any(|w| w.contains("read as UTF-16LE")), "{:?}", s.warnings);
}

#[test]
fn chinese_demolition_words() {
    for name in
        ["拆除原柜台", "拆吊顶", "凿除地面找平层", "破除混凝土", "拆卸旧风管", "拆除腳手架", "鑿除舊磚牆"]
    {
        assert_eq!(TaskType::from_names([name]), TaskType::Demolish, "{name}");
    }
    assert_eq!(TaskType::parse("拆除"), Some(TaskType::Demolish));
}

#[test]
fn chinese_temporary_works_words() {
    for name in [
        "搭设脚手架",
        "外墙脚手架",
        "临时用电",
        "施工围挡",
        "临设搭建",
        "基坑支撑",
        "搭設鷹架",
        "臨時圍擋",
        "模板安装",
    ] {
        assert_eq!(TaskType::from_names([name]), TaskType::Temporary, "{name}");
    }
    // Under a temporary-works WBS heading, too.
    assert_eq!(TaskType::from_names(["安装", "临时设施"]), TaskType::Temporary);
    assert_eq!(TaskType::parse("临时"), Some(TaskType::Temporary));
    assert_eq!(TaskType::parse("其他"), Some(TaskType::Other));
    assert_eq!(TaskType::from_names(["砌筑隔墙"]), TaskType::Construct);
}
