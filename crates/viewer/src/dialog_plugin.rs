//! The native *Open* dialog (Windows and macOS file pickers, the XDG desktop portal or zenity on
//! Linux, through `rfd`). The dialog runs on a thread of its own so the window keeps drawing;
//! the files it returns go the way dropped files go ([`OpenFiles`]). The tool bar's Open row
//! (a path box with *Browse…*) is drawn here too.
//!
//! Where no dialog can be shown (a Linux session without portal or zenity, as under Xvfb), rfd
//! answers as if the user had cancelled: the Open row's path box stays the way in.

use crate::state::i18n::Lang;
use crate::state::load::{BrowseFiles, OpenFiles, CLASH_EXTENSIONS, MODEL_EXTENSIONS, SCHEDULE_EXTENSIONS};
use crate::state::ui::{register_panel, OpenRow, PanelSlot};
use bevy::prelude::*;
use bevy_egui::egui;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver};
use std::sync::Mutex;

/// The dialog on screen, if one is: its answer arrives on the receiver (`None` = cancelled or
/// no dialog available).
#[derive(Resource, Debug, Default)]
pub struct FileDialog {
    pending: Option<Mutex<Receiver<Option<Vec<PathBuf>>>>>,
}

impl FileDialog {
    /// Whether a dialog is open (a second request is ignored until it closes).
    pub fn is_open(&self) -> bool {
        self.pending.is_some()
    }

    /// Waits for answers from `answers`, as if a dialog had been opened; for tests and for
    /// other pickers.
    pub fn waiting_on(answers: Receiver<Option<Vec<PathBuf>>>) -> Self {
        FileDialog { pending: Some(Mutex::new(answers)) }
    }
}

/// The native Open dialog, and the Open row under the tool bar.
#[derive(Debug, Default)]
pub struct FileDialogPlugin;

impl Plugin for FileDialogPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<FileDialog>()
            .add_message::<BrowseFiles>()
            .add_message::<OpenFiles>()
            .add_systems(Update, (show_dialog, receive_files).chain());
        register_panel(app, PanelSlot::OpenRow, open_row_panel);
    }
}

fn show_dialog(mut requests: MessageReader<BrowseFiles>, mut dialog: ResMut<FileDialog>, lang: Res<Lang>) {
    if requests.read().count() == 0 || dialog.is_open() {
        return;
    }
    let t = lang.strings();
    let all: Vec<&str> =
        MODEL_EXTENSIONS.iter().chain(CLASH_EXTENSIONS).chain(SCHEDULE_EXTENSIONS).copied().collect();
    let picker = rfd::AsyncFileDialog::new()
        .set_title(t.dialog_title)
        .add_filter(t.filter_all, &all)
        .add_filter(t.filter_models, MODEL_EXTENSIONS)
        .add_filter(t.filter_reports, CLASH_EXTENSIONS)
        .add_filter(t.filter_schedules, SCHEDULE_EXTENSIONS);
    let (tx, rx) = channel();
    // The dialog blocks until the user answers: wait for it off the main thread. On macOS rfd
    // itself hands the dialog to the main thread's run loop, which winit keeps turning.
    let spawned = std::thread::Builder::new().name("open-dialog".into()).spawn(move || {
        let picked = bevy::tasks::block_on(picker.pick_files());
        let _ = tx.send(picked.map(|files| files.iter().map(|f| f.path().to_path_buf()).collect()));
    });
    match spawned {
        Ok(_) => dialog.pending = Some(Mutex::new(rx)),
        Err(e) => warn!("cannot start the Open dialog: {e}"),
    }
}

fn receive_files(mut dialog: ResMut<FileDialog>, mut open: MessageWriter<OpenFiles>) {
    let Some(pending) = &dialog.pending else { return };
    let answer = match pending.lock() {
        Ok(rx) => match rx.try_recv() {
            Ok(answer) => answer,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            // The dialog's thread ended without an answer: nothing was picked.
            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
        },
        Err(_) => None,
    };
    dialog.pending = None;
    if let Some(files) = answer.filter(|f| !f.is_empty()) {
        open.write(OpenFiles(files));
    }
}

/// The Open row, while the tool bar's *Open…* shows it: *Browse…* shows the dialog again, and
/// the path box takes a typed or pasted path (the way in where the system has no dialog).
fn open_row_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    dialog: Res<FileDialog>,
    mut row: ResMut<OpenRow>,
    mut typed: Local<String>,
    mut browse: MessageWriter<BrowseFiles>,
    mut files: MessageWriter<OpenFiles>,
) {
    if !row.shown {
        return;
    }
    let t = lang.strings();
    ui.horizontal(|ui| {
        if ui.add_enabled(!dialog.is_open(), egui::Button::new(t.browse)).clicked() {
            browse.write(BrowseFiles);
        }
        let field =
            ui.add(egui::TextEdit::singleline(&mut *typed).hint_text(t.open_hint).desired_width(720.0));
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button(t.open_button).clicked() || enter) && !typed.trim().is_empty() {
            let path = PathBuf::from(typed.trim());
            files.write(OpenFiles(vec![path]));
            typed.clear();
            row.shown = false;
        }
    });
}
