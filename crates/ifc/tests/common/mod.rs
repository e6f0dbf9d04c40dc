//! What the IFC tests share: a minimal IFC4 project to put snippets in.

/// A minimal IFC4 project in the given length unit (`.MILLI.` or `$` for metres) around `body`,
/// which may refer to #1 (owner history), #20 (Body context), #21 (the world placement), #22
/// (the origin), #23 (+Z), #24 (+X), #25 (+Y), #26 (-X), #30 (the storey's placement) and #31
/// (the storey, which a `IFCRELCONTAINEDINSPATIALSTRUCTURE` of the body may list elements in).
pub fn ifc4(prefix: &str, body: &str) -> String {
    format!(
        r"ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('t.ifc','2026-01-01T00:00:00',(''),(''),'','','');
FILE_SCHEMA(('IFC4'));
ENDSEC;
DATA;
#1=IFCOWNERHISTORY(#2,#5,$,.ADDED.,$,$,$,0);
#2=IFCPERSONANDORGANIZATION(#3,#4,$);
#3=IFCPERSON($,'Dev',$,$,$,$,$,$);
#4=IFCORGANIZATION($,'Plumbline',$,$,$);
#5=IFCAPPLICATION(#4,'1','t','t');
#10=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',#1,'P',$,$,$,$,(#20),#11);
#11=IFCUNITASSIGNMENT((#12));
#12=IFCSIUNIT(*,.LENGTHUNIT.,{prefix},.METRE.);
#20=IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05,#21,$);
#21=IFCAXIS2PLACEMENT3D(#22,$,$);
#22=IFCCARTESIANPOINT((0.,0.,0.));
#23=IFCDIRECTION((0.,0.,1.));
#24=IFCDIRECTION((1.,0.,0.));
#25=IFCDIRECTION((0.,1.,0.));
#26=IFCDIRECTION((-1.,0.,0.));
#27=IFCSITE('1YvctVUKr0kugbFTf53O9L',#1,'Site',$,$,#28,$,$,.ELEMENT.,$,$,$,$,$);
#28=IFCLOCALPLACEMENT($,#21);
#29=IFCBUILDING('2YvctVUKr0kugbFTf53O9L',#1,'Building',$,$,#32,$,$,.ELEMENT.,$,$,$);
#30=IFCLOCALPLACEMENT(#32,#21);
#31=IFCBUILDINGSTOREY('3YvctVUKr0kugbFTf53O9L',#1,'Level 1',$,$,#30,$,$,.ELEMENT.,0.);
#32=IFCLOCALPLACEMENT(#28,#21);
#33=IFCRELAGGREGATES('4YvctVUKr0kugbFTf53O9L',#1,$,$,#10,(#27));
#34=IFCRELAGGREGATES('5YvctVUKr0kugbFTf53O9L',#1,$,$,#27,(#29));
#35=IFCRELAGGREGATES('6YvctVUKr0kugbFTf53O9L',#1,$,$,#29,(#31));
{body}
ENDSEC;
END-ISO-10303-21;
"
    )
}
