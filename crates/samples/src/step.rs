//! ISO-10303-21 text helpers: string escaping, fixed-point number formatting and a tiny
//! entity writer that appends straight into one `String`.
//!
//! The writer never allocates per entity: a million-element model is several hundred
//! megabytes of text, so every value is pushed directly into the output buffer.

/// Escapes `s` for use inside a STEP string literal (the surrounding quotes are not added).
///
/// `'` becomes `''`, `\` becomes `\\`, printable ASCII is kept, and every other character
/// (non-ASCII text such as Chinese names, and ASCII control characters) is written as
/// UTF-16 code units in `\X2\....\X0\` runs.  Characters outside the Basic Multilingual
/// Plane are written as UCS-4 in `\X4\........\X0\` runs, as ISO 10303-21 prescribes,
/// because `\X2\` is defined over UCS-2 and some readers reject surrogates there.
pub fn step_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_escaped(&mut out, s);
    out
}

/// Decodes the content of a STEP string literal (without the surrounding quotes) back to
/// text; the inverse of [`step_string`].  Returns `None` for malformed escapes.
///
/// Besides `\X2\` and `\X4\` runs this also accepts UTF-16 surrogate pairs inside `\X2\`
/// (which other writers emit) and the 8-bit `\X\hh` escape, so that it can read files
/// other than our own.
pub fn decode_step_string(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                // A lone quote would have ended the literal, so only the doubled form is valid.
                if b.get(i + 1) != Some(&b'\'') {
                    return None;
                }
                out.push('\'');
                i += 2;
            }
            b'\\' => {
                let rest = &s[i..];
                if rest.starts_with("\\\\") {
                    out.push('\\');
                    i += 2;
                } else if let Some(body) = rest.strip_prefix("\\X2\\") {
                    let end = body.find("\\X0\\")?;
                    let units: Vec<u16> = hex_units(&body[..end], 4)?.into_iter().map(|u| u as u16).collect();
                    for c in char::decode_utf16(units) {
                        out.push(c.ok()?);
                    }
                    i += 4 + end + 4;
                } else if let Some(body) = rest.strip_prefix("\\X4\\") {
                    let end = body.find("\\X0\\")?;
                    for u in hex_units(&body[..end], 8)? {
                        out.push(char::from_u32(u)?);
                    }
                    i += 4 + end + 4;
                } else if let Some(body) = rest.strip_prefix("\\X\\") {
                    let hex = body.get(..2)?;
                    let v = u32::from_str_radix(hex, 16).ok()?;
                    out.push(char::from_u32(v)?);
                    i += 5;
                } else {
                    return None;
                }
            }
            c if (0x20..0x7f).contains(&c) => {
                out.push(c as char);
                i += 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Splits a run of hexadecimal digits into code units of `width` digits each.
fn hex_units(hex: &str, width: usize) -> Option<Vec<u32>> {
    if hex.is_empty() || hex.len() / width * width != hex.len() {
        return None;
    }
    (0..hex.len() / width).map(|k| u32::from_str_radix(&hex[k * width..(k + 1) * width], 16).ok()).collect()
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends the escaped form of `s` (see [`step_string`]) to `out`.
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    // Tracks which hexadecimal run is open so consecutive characters share one run.
    #[derive(PartialEq)]
    enum Run {
        None,
        X2,
        X4,
    }
    let mut run = Run::None;
    for c in s.chars() {
        let printable = (' '..='~').contains(&c);
        let want = if printable {
            Run::None
        } else if (c as u32) < 0x1_0000 {
            Run::X2
        } else {
            Run::X4
        };
        if want != run {
            if run != Run::None {
                out.push_str("\\X0\\");
            }
            match want {
                Run::X2 => out.push_str("\\X2\\"),
                Run::X4 => out.push_str("\\X4\\"),
                Run::None => {}
            }
            run = want;
        }
        match run {
            Run::None => match c {
                '\'' => out.push_str("''"),
                '\\' => out.push_str("\\\\"),
                _ => out.push(c),
            },
            Run::X2 => push_hex(out, c as u32, 4),
            Run::X4 => push_hex(out, c as u32, 8),
        }
    }
    if run != Run::None {
        out.push_str("\\X0\\");
    }
}

fn push_hex(out: &mut String, v: u32, digits: u32) {
    for k in (0..digits).rev() {
        out.push(HEX[((v >> (4 * k)) & 0xf) as usize] as char);
    }
}

/// Appends an unsigned integer in decimal without going through `core::fmt`, which is
/// measurably slower for the tens of millions of numbers a large model contains.
pub(crate) fn push_u64(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        out.push(d as char);
    }
}

/// Appends `v * 10^-decimals` as a STEP REAL: always with a decimal point, no exponent,
/// trailing zeros trimmed.  Integer input keeps the output exact and deterministic.
pub(crate) fn push_fixed(out: &mut String, v: i64, decimals: u32) {
    let scale = 10u64.pow(decimals);
    if v < 0 {
        out.push('-');
    }
    let a = v.unsigned_abs();
    push_u64(out, a / scale);
    out.push('.');
    let frac = a % scale;
    if frac == 0 {
        return;
    }
    // Write all `decimals` digits, zero-padded, then drop the trailing zeros.
    let mut buf = [b'0'; 20];
    let mut f = frac;
    for slot in buf[..decimals as usize].iter_mut().rev() {
        *slot = b'0' + (f % 10) as u8;
        f /= 10;
    }
    let mut len = decimals as usize;
    while buf[len - 1] == b'0' {
        len -= 1;
    }
    for &d in &buf[..len] {
        out.push(d as char);
    }
}

/// Appends a length given in millimetres as metres.
pub(crate) fn push_mm(out: &mut String, mm: i64) {
    push_fixed(out, mm, 3);
}

/// Appends a length given in half millimetres as metres; placement points sit at box
/// centres, which are half-millimetre values when a dimension is odd.
pub(crate) fn push_half_mm(out: &mut String, half_mm: i64) {
    push_fixed(out, half_mm * 5, 4);
}

/// An entity instance name (`#n`).
pub(crate) type Id = u32;

/// Appends entities to the DATA section, numbering them consecutively from 1.
#[derive(Debug)]
pub(crate) struct Writer {
    pub(crate) out: String,
    next: Id,
}

impl Writer {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { out: String::with_capacity(capacity), next: 1 }
    }

    /// Starts entity `name` (upper case, e.g. `IFCWALL`) and returns an argument writer;
    /// call [`Args::end`] to close it and get its id.
    pub(crate) fn ent(&mut self, name: &str) -> Args<'_> {
        let id = self.next;
        self.next += 1;
        self.out.push('#');
        push_u64(&mut self.out, u64::from(id));
        self.out.push('=');
        self.out.push_str(name);
        self.out.push('(');
        Args { out: &mut self.out, first: true, id }
    }

    /// The number of entities written so far.
    #[cfg(test)]
    pub(crate) fn count(&self) -> u32 {
        self.next - 1
    }
}

/// Writes the comma-separated attribute list of one entity (or one nested list).
#[derive(Debug)]
pub(crate) struct Args<'a> {
    out: &'a mut String,
    first: bool,
    id: Id,
}

impl Args<'_> {
    fn sep(&mut self) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out
    }

    /// A reference `#n`.
    pub(crate) fn r(&mut self, id: Id) -> &mut Self {
        let o = self.sep();
        o.push('#');
        push_u64(o, u64::from(id));
        self
    }

    /// A string literal, escaped.
    pub(crate) fn s(&mut self, text: &str) -> &mut Self {
        let o = self.sep();
        o.push('\'');
        push_escaped(o, text);
        o.push('\'');
        self
    }

    /// An optional string literal: `$` when absent.
    pub(crate) fn so(&mut self, text: Option<&str>) -> &mut Self {
        match text {
            Some(t) => self.s(t),
            None => self.null(),
        }
    }

    /// A typed string value such as `IFCLABEL('A')`, escaped.
    pub(crate) fn typed_s(&mut self, ty: &str, text: &str) -> &mut Self {
        let o = self.sep();
        o.push_str(ty);
        o.push_str("('");
        push_escaped(o, text);
        o.push_str("')");
        self
    }

    /// The unset marker `$`.
    pub(crate) fn null(&mut self) -> &mut Self {
        self.sep().push('$');
        self
    }

    /// The derived-attribute marker `*`.
    pub(crate) fn star(&mut self) -> &mut Self {
        self.sep().push('*');
        self
    }

    /// An enumeration value; `e` is given without the dots.
    pub(crate) fn e(&mut self, e: &str) -> &mut Self {
        let o = self.sep();
        o.push('.');
        o.push_str(e);
        o.push('.');
        self
    }

    /// A boolean.
    pub(crate) fn b(&mut self, v: bool) -> &mut Self {
        self.sep().push_str(if v { ".T." } else { ".F." });
        self
    }

    /// An integer.
    pub(crate) fn int(&mut self, v: u64) -> &mut Self {
        push_u64(self.sep(), v);
        self
    }

    /// A length in millimetres, written in metres.
    pub(crate) fn mm(&mut self, v: i64) -> &mut Self {
        push_mm(self.sep(), v);
        self
    }

    /// A length in half millimetres, written in metres.
    pub(crate) fn half_mm(&mut self, v: i64) -> &mut Self {
        push_half_mm(self.sep(), v);
        self
    }

    /// Text written verbatim (a literal such as `1.E-05` or a typed value).
    pub(crate) fn raw(&mut self, text: &str) -> &mut Self {
        self.sep().push_str(text);
        self
    }

    /// A nested list whose items are written by `f`.
    pub(crate) fn list(&mut self, f: impl FnOnce(&mut Args<'_>)) -> &mut Self {
        let id = self.id;
        let o = self.sep();
        o.push('(');
        let mut inner = Args { out: o, first: true, id };
        f(&mut inner);
        inner.out.push(')');
        self
    }

    /// A list of references.
    pub(crate) fn refs(&mut self, ids: &[Id]) -> &mut Self {
        self.list(|l| {
            for &id in ids {
                l.r(id);
            }
        })
    }

    /// Closes the entity and returns its id.
    pub(crate) fn end(&mut self) -> Id {
        self.out.push_str(");\n");
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_string_ascii_and_specials() {
        assert_eq!(step_string("Rack A-01"), "Rack A-01");
        assert_eq!(step_string("O'Brien"), "O''Brien");
        assert_eq!(step_string(r"C:\path"), r"C:\\path");
        assert_eq!(step_string(""), "");
    }

    #[test]
    fn step_string_chinese_uses_one_x2_run() {
        assert_eq!(step_string("一层"), "\\X2\\4E005C42\\X0\\");
        assert_eq!(step_string("机房 1"), "\\X2\\673A623F\\X0\\ 1");
        assert_eq!(step_string("金库'"), "\\X2\\91D15E93\\X0\\''");
    }

    #[test]
    fn step_string_non_bmp_and_control_characters() {
        assert_eq!(step_string("\u{1F600}"), "\\X4\\0001F600\\X0\\");
        assert_eq!(step_string("a\nb"), "a\\X2\\000A\\X0\\b");
        assert_eq!(step_string("营\u{1F600}"), "\\X2\\8425\\X0\\\\X4\\0001F600\\X0\\");
    }

    #[test]
    fn step_string_round_trips() {
        for s in [
            "plain",
            "it's",
            "back\\slash",
            "''\\\\",
            "营业厅",
            "金库 B1 'A'",
            "mixed 机房\\1 ok",
            "\u{1F600}x\u{10FFFF}",
            "tab\tnew\nline",
            "é ü ß",
        ] {
            let enc = step_string(s);
            assert!(enc.bytes().all(|b| (0x20..0x7f).contains(&b)), "{enc}");
            assert_eq!(decode_step_string(&enc).as_deref(), Some(s), "{enc}");
        }
    }

    #[test]
    fn decode_accepts_surrogates_in_x2_and_rejects_garbage() {
        assert_eq!(decode_step_string("\\X2\\D83DDE00\\X0\\").as_deref(), Some("\u{1F600}"));
        assert_eq!(decode_step_string("\\X\\E9").as_deref(), Some("é"));
        assert_eq!(decode_step_string("a'b"), None);
        assert_eq!(decode_step_string("\\X2\\12\\X0\\"), None);
        assert_eq!(decode_step_string("\\Q"), None);
    }

    #[test]
    fn fixed_point_formatting() {
        let f = |v, d| {
            let mut s = String::new();
            push_fixed(&mut s, v, d);
            s
        };
        assert_eq!(f(0, 3), "0.");
        assert_eq!(f(6400, 3), "6.4");
        assert_eq!(f(-250, 3), "-0.25");
        assert_eq!(f(50, 3), "0.05");
        assert_eq!(f(5, 3), "0.005");
        assert_eq!(f(1005, 3), "1.005");
        assert_eq!(f(-1, 4), "-0.0001");
        assert_eq!(f(123_456_789, 3), "123456.789");
        let mut s = String::new();
        push_half_mm(&mut s, 3);
        assert_eq!(s, "0.0015");
    }

    #[test]
    fn writer_numbers_entities_and_separates_arguments() {
        let mut w = Writer::new(0);
        let a = w
            .ent("IFCCARTESIANPOINT")
            .list(|l| {
                l.mm(0).mm(1500).mm(-20);
            })
            .end();
        let b = w.ent("IFCAXIS2PLACEMENT3D").r(a).null().null().end();
        assert_eq!((a, b), (1, 2));
        assert_eq!(w.out, "#1=IFCCARTESIANPOINT((0.,1.5,-0.02));\n#2=IFCAXIS2PLACEMENT3D(#1,$,$);\n");
        assert_eq!(w.count(), 2);
    }
}
