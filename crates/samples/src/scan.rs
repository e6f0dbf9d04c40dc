//! A minimal STEP reader for the tests: it parses the DATA section back into entities and
//! evaluates placements and swept solids, so the tests can check the written geometry
//! against the generator's own records without trusting the writer.

use std::collections::BTreeMap;

/// A parsed attribute value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Ref(u32),
    Str(String),
    Num(f64),
    Enum(String),
    Null,
    Star,
    List(Vec<Val>),
    Typed(String, Box<Val>),
}

impl Val {
    pub(crate) fn as_ref(&self) -> Option<u32> {
        match self {
            Val::Ref(r) => Some(*r),
            _ => None,
        }
    }

    pub(crate) fn as_num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_list(&self) -> &[Val] {
        match self {
            Val::List(v) => v,
            _ => &[],
        }
    }
}

/// One entity instance.
#[derive(Debug, Clone)]
pub(crate) struct Ent {
    pub(crate) name: String,
    pub(crate) args: Vec<Val>,
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    fn list(&mut self) -> Result<Vec<Val>, String> {
        if self.peek() != b'(' {
            return Err(format!("expected ( at {}", self.i));
        }
        self.i += 1;
        let mut v = Vec::new();
        if self.peek() == b')' {
            self.i += 1;
            return Ok(v);
        }
        loop {
            v.push(self.value()?);
            match self.peek() {
                b',' => self.i += 1,
                b')' => {
                    self.i += 1;
                    return Ok(v);
                }
                c => return Err(format!("unexpected {:?} at {}", c as char, self.i)),
            }
        }
    }

    fn value(&mut self) -> Result<Val, String> {
        let c = self.peek();
        match c {
            b'#' => {
                self.i += 1;
                let s = self.i;
                while self.peek().is_ascii_digit() {
                    self.i += 1;
                }
                let n = std::str::from_utf8(&self.b[s..self.i]).map_err(|e| e.to_string())?;
                Ok(Val::Ref(n.parse().map_err(|e| format!("{e} at {s}"))?))
            }
            b'\'' => {
                self.i += 1;
                let s = self.i;
                loop {
                    match self.peek() {
                        b'\'' if self.b.get(self.i + 1) == Some(&b'\'') => self.i += 2,
                        b'\'' => break,
                        0 => return Err("unterminated string".into()),
                        _ => self.i += 1,
                    }
                }
                let raw = std::str::from_utf8(&self.b[s..self.i]).map_err(|e| e.to_string())?;
                self.i += 1;
                Ok(Val::Str(crate::decode_step_string(raw).ok_or_else(|| format!("bad string {raw}"))?))
            }
            b'.' => {
                self.i += 1;
                let s = self.i;
                while self.peek() != b'.' {
                    if self.peek() == 0 {
                        return Err("unterminated enum".into());
                    }
                    self.i += 1;
                }
                let e = String::from_utf8_lossy(&self.b[s..self.i]).into_owned();
                self.i += 1;
                Ok(Val::Enum(e))
            }
            b'$' => {
                self.i += 1;
                Ok(Val::Null)
            }
            b'*' => {
                self.i += 1;
                Ok(Val::Star)
            }
            b'(' => Ok(Val::List(self.list()?)),
            b'-' | b'+' | b'0'..=b'9' => {
                let s = self.i;
                self.i += 1;
                while matches!(self.peek(), b'0'..=b'9' | b'.' | b'E' | b'e' | b'-' | b'+') {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.b[s..self.i]).map_err(|e| e.to_string())?;
                Ok(Val::Num(t.parse().map_err(|e| format!("{e}: {t}"))?))
            }
            b'A'..=b'Z' => {
                let s = self.i;
                while self.peek().is_ascii_alphanumeric() || self.peek() == b'_' {
                    self.i += 1;
                }
                let name = String::from_utf8_lossy(&self.b[s..self.i]).into_owned();
                let mut inner = self.list()?;
                if inner.len() != 1 {
                    return Err(format!("typed value {name} with {} values", inner.len()));
                }
                Ok(Val::Typed(name, Box::new(inner.remove(0))))
            }
            c => Err(format!("unexpected {:?} at {}", c as char, self.i)),
        }
    }
}

/// Parses the DATA section.  Every entity must sit on its own line, as the writer emits.
pub(crate) fn parse(text: &str) -> Result<BTreeMap<u32, Ent>, String> {
    let data = text.split("DATA;\n").nth(1).ok_or("no DATA section")?;
    let data = data.split("ENDSEC;").next().ok_or("no ENDSEC")?;
    let mut out = BTreeMap::new();
    for line in data.lines() {
        let line = line.strip_suffix(';').ok_or_else(|| format!("no ; in {line}"))?;
        let (id, rest) = line.split_once('=').ok_or_else(|| format!("no = in {line}"))?;
        let id: u32 = id.strip_prefix('#').ok_or("no #")?.parse().map_err(|e| format!("{e}"))?;
        let open = rest.find('(').ok_or("no (")?;
        let name = rest[..open].to_owned();
        let mut p = Parser { b: &rest.as_bytes()[open..], i: 0 };
        let args = p.list()?;
        if p.i != p.b.len() {
            return Err(format!("trailing text in #{id}"));
        }
        if out.insert(id, Ent { name, args }).is_some() {
            return Err(format!("#{id} defined twice"));
        }
    }
    Ok(out)
}

type V3 = [f64; 3];

/// A rigid transform: `p' = o + r * p`, with `r` given by its columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tf {
    pub(crate) o: V3,
    pub(crate) r: [V3; 3],
}

impl Tf {
    const ID: Tf = Tf { o: [0.0; 3], r: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]] };

    fn apply(&self, p: V3) -> V3 {
        let mut q = self.o;
        for (k, col) in self.r.iter().enumerate() {
            for (qi, ci) in q.iter_mut().zip(col) {
                *qi += ci * p[k];
            }
        }
        q
    }

    fn dir(&self, d: V3) -> V3 {
        let mut q = [0.0; 3];
        for (k, col) in self.r.iter().enumerate() {
            for (qi, ci) in q.iter_mut().zip(col) {
                *qi += ci * d[k];
            }
        }
        q
    }

    fn then(&self, inner: &Tf) -> Tf {
        Tf { o: self.apply(inner.o), r: [self.dir(inner.r[0]), self.dir(inner.r[1]), self.dir(inner.r[2])] }
    }
}

fn cross(a: V3, b: V3) -> V3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

fn norm(a: V3) -> V3 {
    let l = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
    [a[0] / l, a[1] / l, a[2] / l]
}

/// Evaluates placements and solids of a parsed file.
pub(crate) struct Model {
    pub(crate) ents: BTreeMap<u32, Ent>,
}

impl Model {
    pub(crate) fn ent(&self, id: u32) -> Result<&Ent, String> {
        self.ents.get(&id).ok_or_else(|| format!("#{id} is not defined"))
    }

    fn coords(&self, id: u32) -> Result<Vec<f64>, String> {
        let e = self.ent(id)?;
        e.args[0].as_list().iter().map(|v| v.as_num().ok_or_else(|| "bad coordinate".to_owned())).collect()
    }

    fn v3(&self, id: u32) -> Result<V3, String> {
        let c = self.coords(id)?;
        Ok([c[0], c[1], *c.get(2).unwrap_or(&0.0)])
    }

    fn axis2(&self, id: u32) -> Result<Tf, String> {
        let e = self.ent(id)?;
        let o = self.v3(e.args[0].as_ref().ok_or("no location")?)?;
        let (z, x) = if e.name == "IFCAXIS2PLACEMENT2D" {
            ([0.0, 0.0, 1.0], e.args[1].as_ref().map(|r| self.v3(r)).transpose()?.unwrap_or([1.0, 0.0, 0.0]))
        } else {
            (
                e.args[1].as_ref().map(|r| self.v3(r)).transpose()?.unwrap_or([0.0, 0.0, 1.0]),
                e.args[2].as_ref().map(|r| self.v3(r)).transpose()?.unwrap_or([1.0, 0.0, 0.0]),
            )
        };
        let z = norm(z);
        let d = x[0] * z[0] + x[1] * z[1] + x[2] * z[2];
        let x = norm([x[0] - d * z[0], x[1] - d * z[1], x[2] - d * z[2]]);
        Ok(Tf { o, r: [x, cross(z, x), z] })
    }

    /// The world transform of an `IfcLocalPlacement`.
    pub(crate) fn placement(&self, id: u32) -> Result<Tf, String> {
        let e = self.ent(id)?;
        let local = self.axis2(e.args[1].as_ref().ok_or("no relative placement")?)?;
        match e.args[0].as_ref() {
            Some(parent) => Ok(self.placement(parent)?.then(&local)),
            None => Ok(local),
        }
    }

    /// The corners of an item's bounding box in its representation's coordinates, plus a
    /// short tag for the kind of solid.
    fn item(&self, id: u32) -> Result<(Vec<V3>, String), String> {
        let e = self.ent(id)?;
        match e.name.as_str() {
            "IFCEXTRUDEDAREASOLID" => {
                let prof = self.ent(e.args[0].as_ref().ok_or("no profile")?)?;
                let (hx, hy, tag) = match prof.name.as_str() {
                    "IFCRECTANGLEPROFILEDEF" => {
                        (num(&prof.args[3])? / 2.0, num(&prof.args[4])? / 2.0, "rect")
                    }
                    "IFCCIRCLEPROFILEDEF" => (num(&prof.args[3])?, num(&prof.args[3])?, "circle"),
                    "IFCISHAPEPROFILEDEF" => (num(&prof.args[3])? / 2.0, num(&prof.args[4])? / 2.0, "ishape"),
                    other => return Err(format!("unsupported profile {other}")),
                };
                let ppos = match prof.args[2].as_ref() {
                    Some(p) => self.axis2(p)?,
                    None => Tf::ID,
                };
                let spos = match e.args[1].as_ref() {
                    Some(p) => self.axis2(p)?,
                    None => Tf::ID,
                };
                let dir = self.v3(e.args[2].as_ref().ok_or("no direction")?)?;
                let depth = num(&e.args[3])?;
                let mut pts = Vec::new();
                for (sx, sy) in [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)] {
                    let p = ppos.apply([sx * hx, sy * hy, 0.0]);
                    for t in [0.0, depth] {
                        pts.push(spos.apply([p[0] + dir[0] * t, p[1] + dir[1] * t, p[2] + dir[2] * t]));
                    }
                }
                Ok((pts, tag.to_owned()))
            }
            "IFCMAPPEDITEM" => {
                let map = self.ent(e.args[0].as_ref().ok_or("no map")?)?;
                let origin = self.axis2(map.args[0].as_ref().ok_or("no map origin")?)?;
                let op = self.ent(e.args[1].as_ref().ok_or("no operator")?)?;
                let opo = self.v3(op.args[2].as_ref().ok_or("no operator origin")?)?;
                let x = op.args[0].as_ref().map(|r| self.v3(r)).transpose()?.unwrap_or([1.0, 0.0, 0.0]);
                let y = op.args[1].as_ref().map(|r| self.v3(r)).transpose()?.unwrap_or([0.0, 1.0, 0.0]);
                let z = op.args[4].as_ref().map(|r| self.v3(r)).transpose()?.unwrap_or([0.0, 0.0, 1.0]);
                let tf = Tf { o: opo, r: [x, y, z] }.then(&origin);
                let (pts, tag) = self.shape_rep(map.args[1].as_ref().ok_or("no mapped rep")?)?;
                Ok((pts.into_iter().map(|p| tf.apply(p)).collect(), format!("mapped-{tag}")))
            }
            other => Err(format!("unsupported item {other}")),
        }
    }

    fn shape_rep(&self, id: u32) -> Result<(Vec<V3>, String), String> {
        let rep = self.ent(id)?;
        let mut pts = Vec::new();
        let mut tag = String::new();
        for item in rep.args[3].as_list() {
            let (p, t) = self.item(item.as_ref().ok_or("bad item")?)?;
            pts.extend(p);
            tag = t;
        }
        Ok((pts, tag))
    }

    /// The world bounding box (mm, rounded) and solid kind of a product with
    /// `ObjectPlacement` at `args[5]` and `Representation` at `args[6]`.
    pub(crate) fn product_box(&self, e: &Ent) -> Result<([i64; 3], [i64; 3], String, Tf), String> {
        let tf = self.placement(e.args[5].as_ref().ok_or("no placement")?)?;
        let pds = self.ent(e.args[6].as_ref().ok_or("no representation")?)?;
        let mut pts = Vec::new();
        let mut tag = String::new();
        for rep in pds.args[2].as_list() {
            let (p, t) = self.shape_rep(rep.as_ref().ok_or("bad rep")?)?;
            pts.extend(p);
            tag = t;
        }
        let mut min = [i64::MAX; 3];
        let mut max = [i64::MIN; 3];
        for p in pts {
            let w = tf.apply(p);
            for k in 0..3 {
                let mm = (w[k] * 1000.0).round() as i64;
                min[k] = min[k].min(mm);
                max[k] = max[k].max(mm);
            }
        }
        Ok((min, max, tag, tf))
    }
}

fn num(v: &Val) -> Result<f64, String> {
    v.as_num().ok_or_else(|| format!("expected a number, got {v:?}"))
}

/// Every `#n` reference in the text, to check that each points to a defined entity.
pub(crate) fn references(text: &str) -> impl Iterator<Item = u32> + '_ {
    let data = text.split("DATA;\n").nth(1).unwrap_or("");
    data.lines().flat_map(|line| {
        let body = line.split_once('=').map_or("", |(_, b)| b);
        let mut refs = Vec::new();
        let mut in_str = false;
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\'' => in_str = !in_str,
                b'#' if !in_str => {
                    let s = i + 1;
                    let mut e = s;
                    while e < b.len() && b[e].is_ascii_digit() {
                        e += 1;
                    }
                    if let Ok(n) = body[s..e].parse() {
                        refs.push(n);
                    }
                    i = e;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        refs
    })
}
