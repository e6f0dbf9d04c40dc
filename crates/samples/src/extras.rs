//! Entities beside an element's body that issue 21's rules read: property sets written per
//! element, and insulation coverings (`IfcCovering` with a material layer set, related to the
//! element it covers by `IfcRelCoversBldgElements`).

use crate::build::{Ctx, Placed};
use crate::guid::Key;
use crate::step::Id;

/// A property value, written with its IFC type.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value<'a> {
    /// `IFCLABEL('…')`.
    Label(&'a str),
    /// `IFCPOSITIVELENGTHMEASURE(…)`, given in millimetres and written in the file's metres.
    LengthMm(i64),
}

/// Writes a property set `pset` holding `props` and assigns it to `target`.
pub(crate) fn props(ctx: &mut Ctx, target: Id, key: Key, pset: &str, props: &[(&str, Value<'_>)]) {
    let (w, oh) = ctx.writer();
    let ids: Vec<Id> = props
        .iter()
        .map(|(name, v)| {
            let a = &mut w.ent("IFCPROPERTYSINGLEVALUE");
            a.s(name).null();
            match *v {
                Value::Label(text) => a.typed_s("IFCLABEL", text),
                Value::LengthMm(mm) => {
                    let mut text = String::from("IFCPOSITIVELENGTHMEASURE(");
                    crate::step::push_mm(&mut text, mm);
                    text.push(')');
                    a.raw(&text)
                }
            };
            a.null().end()
        })
        .collect();
    let g = key.s("pset").s(pset).guid();
    let set = w.ent("IFCPROPERTYSET").s(g.as_str()).r(oh).s(pset).null().refs(&ids).end();
    let g = key.s("pset-rel").s(pset).guid();
    w.ent("IFCRELDEFINESBYPROPERTIES").s(g.as_str()).r(oh).null().null().refs(&[target]).r(set).end();
}

/// Wraps `host` in an insulation covering `thickness_mm` thick: an `IfcCovering` of type
/// INSULATION without a body of its own (the rules grow the host by it), with a one-layer
/// material layer set, related to the host by `IfcRelCoversBldgElements`.
pub(crate) fn insulate(ctx: &mut Ctx, host: &Placed, key: Key, name: &str, thickness_mm: i64) {
    let (w, oh) = ctx.writer();
    let g = key.s("covering").guid();
    let covering = w
        .ent("IFCCOVERING")
        .s(g.as_str())
        .r(oh)
        .s(name)
        .null()
        .null()
        .null()
        .null()
        .null()
        .e("INSULATION")
        .end();
    let material = w.ent("IFCMATERIAL").s("Mineral wool").null().null().end();
    let layer =
        w.ent("IFCMATERIALLAYER").r(material).mm(thickness_mm).null().null().null().null().null().end();
    let set = w.ent("IFCMATERIALLAYERSET").refs(&[layer]).s(name).null().end();
    let g = key.s("covering-material").guid();
    w.ent("IFCRELASSOCIATESMATERIAL").s(g.as_str()).r(oh).null().null().refs(&[covering]).r(set).end();
    let g = key.s("covers").guid();
    w.ent("IFCRELCOVERSBLDGELEMENTS").s(g.as_str()).r(oh).null().null().r(host.id).refs(&[covering]).end();
}
