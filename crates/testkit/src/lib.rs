//! Test support shared by Plumbline's crates, as a dev-dependency only (never published, never
//! a normal dependency): where the test inputs are ([`corpus`]: the committed sample models and
//! the shared corpora behind one environment-variable scheme) and builders for the model types
//! ([`builders`]: an element with a box mesh, a model, a model set, a class table; [`records`]:
//! the review records a report holds), so that the crates' tests stop carrying copies of both.

pub mod builders;
pub mod corpus;
pub mod records;

pub use builders::{class_table, element, model, model_set, ElementBuilder, ModelBuilder};
pub use corpus::{
    bcf_dir, bcf_file, ifc_dir, ifc_file, ifc_files, reference_dir, reference_file, sample_model,
    schedule_file, schedules_dir, shared_dir, shared_file, workspace_dir, workspace_path, CORPUS_VAR,
    SHARED_VAR,
};
pub use records::{element_info, hard_clash};
