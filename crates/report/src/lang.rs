//! The language of a report's labels: English, Simplified Chinese, or both side by side.
//! Model data (element names, files, storeys) and rule names stay as written in every language.

/// Which language a report's labels, headers and explanations are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English only.
    En,
    /// Simplified Chinese only.
    Zh,
    /// English and Chinese side by side (the default: one file serves a mixed team).
    #[default]
    Both,
}

impl Lang {
    /// Reads `en`, `zh` or `both` (also `zh-CN`, `zh_CN`, `chinese`, `english`).
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase().replace('_', "-");
        match t.as_str() {
            "en" | "english" | "en-us" | "en-gb" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" | "chinese" | "cn" => Some(Lang::Zh),
            "both" | "en+zh" | "zh+en" => Some(Lang::Both),
            _ => None,
        }
    }

    /// The language a POSIX locale value asks for (`LC_ALL`, `LC_MESSAGES`, `LANG`): Chinese for
    /// `zh_*`, English for any other set locale, `None` when the value is empty.
    pub fn from_locale(value: &str) -> Option<Lang> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        Some(if v.to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::Both => "both",
        }
    }

    /// The label in this language: `en`, `zh`, or both as `en / zh`.
    pub fn pick(self, en: &str, zh: &str) -> String {
        match self {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
            Lang::Both => format!("{en} / {zh}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_locales_read() {
        assert_eq!(Lang::parse("ZH"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh_CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("both"), Some(Lang::Both));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale(""), None);
        assert_eq!(Lang::Both.pick("Status", "状态"), "Status / 状态");
    }
}
