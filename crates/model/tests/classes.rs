//! Class queries on elements: subtypes answer for their supertypes, and an IFC2X3 element
//! answers for the IFC4 class its type object names.

use plumbline_model::ClassQuery;
use plumbline_testkit::{class_table, element};

#[test]
fn supertype_query_finds_subtypes() {
    let t =
        class_table(&[("IfcDuctSegment", &["IfcFlowSegment", "IfcDistributionFlowElement", "IfcElement"])]);
    let duct = element("IfcDuctSegment", "g").build();
    assert!(t.element_matches(&duct, &ClassQuery::new(["IfcFlowSegment"])));
    assert!(t.element_matches(&duct, &ClassQuery::new(["ifcductsegment"])));
    assert!(!t.element_matches(&duct, &ClassQuery::new(["IfcPipeSegment"])));
}

#[test]
fn ifc2x3_type_object_answers_for_the_ifc4_class() {
    let t = class_table(&[
        ("IfcFlowSegment", &["IfcDistributionFlowElement", "IfcElement"]),
        ("IfcDuctSegmentType", &["IfcFlowSegmentType", "IfcTypeProduct"]),
    ]);
    let seg = element("IfcFlowSegment", "g").type_class("IfcDuctSegmentType").build();
    assert!(t.element_matches(&seg, &ClassQuery::new(["IfcDuctSegment"])));
    assert!(t.element_matches(&seg, &ClassQuery::new(["IfcFlowSegment"])));
    assert!(!t.element_matches(&seg, &ClassQuery::new(["IfcPipeSegment"])));
}
