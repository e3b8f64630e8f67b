//! The images the relay decodes and re-encodes: JPEG, PNG, WebP and GIF.
//!
//! Re-encoding keeps the pixels and nothing else, so no metadata chunk of the original (EXIF
//! with GPS, XMP, comments, text chunks) can reach anyone. Each kind is re-encoded as itself:
//! JPEG at quality 85, PNG lossless, WebP lossless (the only WebP encoder in pure Rust; a lossy
//! WebP photo grows), GIF with every frame of its animation (re-quantised; the loop is set to
//! repeat forever, as browsers play nearly every animated GIF). Animated WebP keeps its first
//! frame only.

use super::{Kind, Limits, Prepared, Refusal};
use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};
use std::io::Cursor;

/// JPEG quality of re-encoded photos: visually the same as a phone's own, about as heavy.
const JPEG_QUALITY: u8 = 85;

/// JPEG quality of thumbnails, which are small and shown small.
const THUMBNAIL_QUALITY: u8 = 80;

/// The GIF quantiser's speed (1 best and slowest, 30 fastest); 10 is the codec's own default.
const GIF_SPEED: i32 = 10;

/// The decoder may allocate the largest accepted image in its widest pixel format (16-bit RGBA,
/// 8 bytes a pixel) plus this margin for its own tables.
const ALLOCATION_MARGIN: u64 = 64 << 20;

/// Whatever the limits say, no decoder allocates more than this: the guard behind the header
/// check, should limits be configured far too high.
const ALLOCATION_CEILING: u64 = 1 << 30;

/// Decodes, checks, re-encodes and makes the thumbnail of an image of `kind`.
pub(super) fn prepare(kind: Kind, bytes: &[u8], limits: &Limits) -> Result<Prepared, Refusal> {
    let format = match kind {
        Kind::Jpeg => ImageFormat::Jpeg,
        Kind::Png => ImageFormat::Png,
        Kind::Webp => ImageFormat::WebP,
        Kind::Gif => return prepare_gif(bytes, limits),
        Kind::Heic | Kind::Pdf | Kind::Text => return Err(Refusal::UnsupportedType),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Only the allocation guard while the header is read, so that the dimensions are judged by
    // `check_dimensions` below, with the relay's own limits.
    let mut header_limits = decoder_limits(limits);
    header_limits.max_image_width = None;
    header_limits.max_image_height = None;
    reader.limits(header_limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    let mut guard = decoder_limits(limits);
    decoder.set_limits(guard.clone()).map_err(refusal)?;
    // `from_decoder` allocates the whole image at once without asking the limits; ask them here.
    guard.reserve(decoder.total_bytes()).map_err(refusal)?;
    // A malformed EXIF block is no reason to refuse the pixels; it is dropped either way.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    image.apply_orientation(orientation);
    let bytes = encode(kind, &image)?;
    let (thumbnail, thumbnail_type) = thumbnail(&image, limits.thumbnail_side)?;
    Ok(Prepared {
        kind,
        bytes,
        thumbnail: Some(thumbnail),
        thumbnail_type: Some(thumbnail_type),
        width: Some(image.width()),
        height: Some(image.height()),
    })
}

/// A GIF keeps its animation: frame by frame, each decoded onto the canvas and encoded again
/// before the next is decoded, so memory holds about one frame. Every frame counts its canvas
/// towards `max_pixels`, so a GIF of ten thousand frames is refused like one huge image.
fn prepare_gif(bytes: &[u8], limits: &Limits) -> Result<Prepared, Refusal> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    decoder
        .set_limits(decoder_limits(limits))
        .map_err(refusal)?;
    let frame_pixels = u64::from(width) * u64::from(height);
    let mut output = Vec::new();
    let mut first = None;
    {
        let mut encoder = GifEncoder::new_with_speed(&mut output, GIF_SPEED);
        encoder.set_repeat(Repeat::Infinite).map_err(refusal)?;
        let mut total_pixels = 0_u64;
        for frame in decoder.into_frames() {
            let frame = frame.map_err(refusal)?;
            total_pixels = total_pixels.saturating_add(frame_pixels);
            if total_pixels > limits.max_pixels {
                return Err(Refusal::TooLarge);
            }
            if first.is_none() {
                first = Some(DynamicImage::ImageRgba8(frame.buffer().clone()));
            }
            encoder.encode_frame(frame).map_err(refusal)?;
        }
    }
    let first = first.ok_or(Refusal::Damaged)?;
    let (thumbnail, thumbnail_type) = thumbnail(&first, limits.thumbnail_side)?;
    Ok(Prepared {
        kind: Kind::Gif,
        bytes: output,
        thumbnail: Some(thumbnail),
        thumbnail_type: Some(thumbnail_type),
        width: Some(width),
        height: Some(height),
    })
}

/// The header's dimensions against the relay's limits, before a single pixel is decoded.
pub(super) fn check_dimensions(width: u32, height: u32, limits: &Limits) -> Result<(), Refusal> {
    if width == 0 || height == 0 {
        return Err(Refusal::Damaged);
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(Refusal::TooLarge);
    }
    Ok(())
}

/// The limits the decoder itself enforces, the second guard behind [`check_dimensions`].
fn decoder_limits(limits: &Limits) -> image::Limits {
    let mut guard = image::Limits::default();
    guard.max_image_width = Some(limits.max_side);
    guard.max_image_height = Some(limits.max_side);
    guard.max_alloc = Some(
        limits
            .max_pixels
            .saturating_mul(8)
            .saturating_add(ALLOCATION_MARGIN)
            .min(ALLOCATION_CEILING),
    );
    guard
}

/// A decoder's error as the client sees it: a limit is "too large", anything else means the
/// bytes are not the image they claim to be.
fn refusal(error: ImageError) -> Refusal {
    match error {
        ImageError::Limits(_) => Refusal::TooLarge,
        _ => Refusal::Damaged,
    }
}

/// The image's pixels, encoded again as `kind`.
fn encode(kind: Kind, image: &DynamicImage) -> Result<Vec<u8>, Refusal> {
    let mut output = Vec::new();
    let written = match kind {
        // Pixel formats the encoder takes are written as they are; converting copies the whole
        // image, which for a 40-megapixel photo is another 120 MB.
        Kind::Jpeg => {
            let encoder = JpegEncoder::new_with_quality(&mut output, JPEG_QUALITY);
            match image {
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageLuma8(_) => {
                    image.write_with_encoder(encoder)
                }
                _ if image.color().has_color() => image.to_rgb8().write_with_encoder(encoder),
                _ => image.to_luma8().write_with_encoder(encoder),
            }
        }
        Kind::Png => {
            let encoder = PngEncoder::new_with_quality(
                &mut output,
                CompressionType::Default,
                FilterType::Adaptive,
            );
            match image {
                DynamicImage::ImageLuma8(_)
                | DynamicImage::ImageLumaA8(_)
                | DynamicImage::ImageRgb8(_)
                | DynamicImage::ImageRgba8(_)
                | DynamicImage::ImageLuma16(_)
                | DynamicImage::ImageLumaA16(_)
                | DynamicImage::ImageRgb16(_)
                | DynamicImage::ImageRgba16(_) => image.write_with_encoder(encoder),
                _ => image.to_rgba8().write_with_encoder(encoder),
            }
        }
        Kind::Webp => {
            let encoder = WebPEncoder::new_lossless(&mut output);
            match image {
                DynamicImage::ImageRgb8(_)
                | DynamicImage::ImageRgba8(_)
                | DynamicImage::ImageLuma8(_)
                | DynamicImage::ImageLumaA8(_) => image.write_with_encoder(encoder),
                _ if image.color().has_alpha() => image.to_rgba8().write_with_encoder(encoder),
                _ => image.to_rgb8().write_with_encoder(encoder),
            }
        }
        Kind::Gif | Kind::Heic | Kind::Pdf | Kind::Text => return Err(Refusal::UnsupportedType),
    };
    written.map_err(refusal)?;
    Ok(output)
}

/// The thumbnail and its content type: the image scaled to fit in `side` × `side` keeping its
/// aspect ratio (never enlarged), as a JPEG, or as a PNG when some pixel is not opaque.
fn thumbnail(image: &DynamicImage, side: u32) -> Result<(Vec<u8>, &'static str), Refusal> {
    let side = side.max(1);
    let small = if image.width() <= side && image.height() <= side {
        image.clone()
    } else {
        image.thumbnail(side, side)
    };
    let mut output = Vec::new();
    let rgba = small.to_rgba8();
    if small.color().has_alpha() && rgba.pixels().any(|pixel| pixel.0[3] < u8::MAX) {
        let encoder = PngEncoder::new_with_quality(
            &mut output,
            CompressionType::Default,
            FilterType::Adaptive,
        );
        rgba.write_with_encoder(encoder).map_err(refusal)?;
        Ok((output, "image/png"))
    } else {
        let encoder = JpegEncoder::new_with_quality(&mut output, THUMBNAIL_QUALITY);
        small
            .to_rgb8()
            .write_with_encoder(encoder)
            .map_err(refusal)?;
        Ok((output, "image/jpeg"))
    }
}
