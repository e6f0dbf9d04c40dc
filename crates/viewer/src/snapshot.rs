//! Snapshots of the 3D view: a window capture cropped to the view's rectangle and encoded as
//! PNG, as BCF topics carry them (a clash group's, a saved view's). Everything egui paints over
//! the view in that frame, redlines included, is in the picture.

use crate::state::camera::ViewRect;
use bevy::prelude::*;

/// The view's rectangle in physical pixels, for a window of this scale factor.
pub fn view_crop(rect: &ViewRect, scale_factor: f32) -> Option<(Vec2, Vec2)> {
    rect.0.map(|r| (r.min * scale_factor, r.max * scale_factor))
}

/// The captured window as PNG bytes, cropped to `crop` (physical pixels) when given.
pub fn encode_png(image: &Image, crop: Option<(Vec2, Vec2)>) -> Result<Vec<u8>, String> {
    let dynamic = image.clone().try_into_dynamic().map_err(|e| e.to_string())?;
    let rgb = image::DynamicImage::ImageRgb8(dynamic.to_rgb8());
    let cropped = match crop {
        Some((min, max)) => {
            let x = min.x.max(0.0) as u32;
            let y = min.y.max(0.0) as u32;
            let w = (max.x - min.x).max(1.0) as u32;
            let h = (max.y - min.y).max(1.0) as u32;
            rgb.crop_imm(x, y, w.min(rgb.width().saturating_sub(x)), h.min(rgb.height().saturating_sub(y)))
        }
        None => rgb,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    cropped.write_to(&mut out, image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
