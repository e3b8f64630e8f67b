//! The media module's tests. Every fixture is built here, in code: images are encoded with the
//! `image` crate and their metadata spliced in by hand, HEIC boxes are assembled byte by byte.

use super::fixtures::*;
use super::*;
use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{AnimationDecoder, DynamicImage, Frame, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A string in an XMP packet, a PNG text chunk or a HEIC item.
const TEXT_MARKER: &[u8] = b"BESEDA-SECRET-CAMERA-OWNER";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Asserts that no trace of the planted metadata is left in `bytes`.
fn assert_clean(bytes: &[u8]) {
    assert!(!contains(bytes, b"Exif\0\0"), "an Exif header is left");
    assert_no_planted_data(bytes);
}

/// Asserts that none of the planted metadata's values is left in `bytes`: the GPS block, the
/// TIFF header that starts an Exif block, the text marker.
fn assert_no_planted_data(bytes: &[u8]) {
    assert!(
        !contains(bytes, b"MM\0\x2a\0\0\0\x08"),
        "a TIFF header is left"
    );
    assert!(!contains(bytes, GPS_MARKER), "the GPS block is left");
    assert!(!contains(bytes, &GPS_LATITUDE), "the GPS latitude is left");
    assert!(!contains(bytes, TEXT_MARKER), "a text or XMP chunk is left");
}

fn encode_png(image: &DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_with_encoder(PngEncoder::new(&mut bytes))
        .unwrap();
    bytes
}

/// A PNG with `chunks` inserted right after its IHDR chunk (signature 8 bytes, IHDR 25).
fn png_with_chunks(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut spliced = png[..33].to_vec();
    for chunk in chunks {
        spliced.extend(chunk);
    }
    spliced.extend(&png[33..]);
    spliced
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = kind.to_vec();
    chunk.extend((data.len() as u32).to_le_bytes());
    chunk.extend(data);
    if data.len() % 2 == 1 {
        chunk.push(0);
    }
    chunk
}

/// A WebP in the extended format: VP8X with the EXIF and XMP flags, the picture, an EXIF chunk
/// (orientation and GPS) and an XMP chunk.
fn webp_with_metadata(orientation: u16) -> Vec<u8> {
    let picture = landscape();
    let mut simple = Vec::new();
    picture
        .write_with_encoder(WebPEncoder::new_lossless(&mut simple))
        .unwrap();
    assert_eq!(&simple[12..16], b"VP8L");
    let mut vp8x = vec![0x08 | 0x04, 0, 0, 0];
    vp8x.extend(&(picture.width() - 1).to_le_bytes()[..3]);
    vp8x.extend(&(picture.height() - 1).to_le_bytes()[..3]);
    let mut xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:Description owner='".to_vec();
    xmp.extend(TEXT_MARKER);
    xmp.extend(b"'/></x:xmpmeta>");
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend(&simple[12..]);
    body.extend(riff_chunk(b"EXIF", &exif_tiff(orientation)));
    body.extend(riff_chunk(b"XMP ", &xmp));
    let mut webp = b"RIFF".to_vec();
    webp.extend((body.len() as u32).to_le_bytes());
    webp.extend(body);
    webp
}

fn decode(bytes: &[u8], format: ImageFormat) -> DynamicImage {
    image::load_from_memory_with_format(bytes, format).expect("the output decodes")
}

/// Whether a pixel is mostly red (the left half of [`landscape`]).
fn is_red(pixel: Rgb<u8>) -> bool {
    pixel.0[0] > 150 && pixel.0[2] < 100
}

/// Orientation 6 means "rotate 90° clockwise to show": the 40 × 20 picture stands 20 × 40 with
/// its red (left) half on top.
fn assert_upright(image: &DynamicImage) {
    assert_eq!((image.width(), image.height()), (20, 40));
    let rgb = image.to_rgb8();
    assert!(is_red(*rgb.get_pixel(10, 5)), "red is on top");
    assert!(!is_red(*rgb.get_pixel(10, 35)), "blue is at the bottom");
}

#[test]
fn sniff_tells_each_kind_by_its_first_bytes() {
    let png = encode_png(&DynamicImage::ImageRgb8(landscape()));
    assert_eq!(sniff(&encode_jpeg(&landscape())[..16]), Some(Kind::Jpeg));
    assert_eq!(sniff(&png[..16]), Some(Kind::Png));
    assert_eq!(sniff(&webp_with_metadata(1)[..16]), Some(Kind::Webp));
    assert_eq!(sniff(b"GIF89a\x01\x00\x01\x00"), Some(Kind::Gif));
    assert_eq!(sniff(&heic_fixture(false).bytes[..32]), Some(Kind::Heic));
    assert_eq!(sniff(b"%PDF-1.7\n"), Some(Kind::Pdf));
    assert_eq!(
        sniff("Dobrý den, balík přišel rozbitý.\n".as_bytes()),
        Some(Kind::Text)
    );
    // A UTF-8 sequence cut by the end of the head is still text.
    assert_eq!(sniff(&"řř".as_bytes()[..3]), Some(Kind::Text));
    assert_eq!(sniff(b"MZ\x90\x00\x03\x00"), None, "a Windows program");
    assert_eq!(sniff(b"PK\x03\x04\x14\x00"), None, "a zip archive");
    assert_eq!(sniff(b"\0\0\0\x20ftypavif\0\0\0\0mif1avif"), None, "AVIF");
    assert_eq!(sniff(b""), None);
}

#[test]
fn a_jpeg_with_exif_gps_comes_out_without_any_exif_and_upright() {
    let original = jpeg_with_exif(6);
    assert!(contains(&original, b"Exif\0\0") && contains(&original, GPS_MARKER));
    let prepared = prepare(original, &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(prepared.kind, Kind::Jpeg);
    assert_clean(&prepared.bytes);
    assert!(
        !prepared
            .bytes
            .windows(2)
            .any(|marker| marker == [0xff, 0xe1]),
        "no APP1 segment at all"
    );
    assert_upright(&decode(&prepared.bytes, ImageFormat::Jpeg));
    assert_eq!((prepared.width, prepared.height), (Some(20), Some(40)));
    let thumbnail = prepared.thumbnail.unwrap();
    assert_eq!(prepared.thumbnail_type, Some("image/jpeg"));
    assert_clean(&thumbnail);
    assert_upright(&decode(&thumbnail, ImageFormat::Jpeg));
}

#[test]
fn png_exif_and_text_chunks_are_dropped_and_the_orientation_applied() {
    let png = encode_png(&DynamicImage::ImageRgb8(landscape()));
    let mut text = b"Comment\0".to_vec();
    text.extend(TEXT_MARKER);
    let original = png_with_chunks(
        &png,
        &[png_chunk(b"eXIf", &exif_tiff(6)), png_chunk(b"tEXt", &text)],
    );
    let prepared = prepare(original, &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(prepared.kind, Kind::Png);
    assert_clean(&prepared.bytes);
    assert!(!contains(&prepared.bytes, b"eXIf") && !contains(&prepared.bytes, b"tEXt"));
    let decoded = decode(&prepared.bytes, ImageFormat::Png);
    assert_upright(&decoded);
    // PNG is lossless: the pixels are exactly the rotated original.
    assert_eq!(decoded.to_rgb8(), image::imageops::rotate90(&landscape()));

    // The other orientations a camera writes: upright, upside down, turned left.
    type Turn = fn(&RgbImage) -> RgbImage;
    let turns: [(u16, Turn); 3] = [
        (1, |image| image.clone()),
        (3, image::imageops::rotate180),
        (8, image::imageops::rotate270),
    ];
    for (orientation, turn) in turns {
        let original = png_with_chunks(&png, &[png_chunk(b"eXIf", &exif_tiff(orientation))]);
        let prepared = prepare(original, &Kind::ALL, &Limits::default()).unwrap();
        let decoded = decode(&prepared.bytes, ImageFormat::Png).to_rgb8();
        assert_eq!(decoded, turn(&landscape()), "orientation {orientation}");
    }
}

#[test]
fn webp_exif_and_xmp_chunks_are_dropped_and_the_orientation_applied() {
    let original = webp_with_metadata(6);
    assert!(contains(&original, b"EXIF") && contains(&original, TEXT_MARKER));
    let prepared = prepare(original, &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(prepared.kind, Kind::Webp);
    assert_clean(&prepared.bytes);
    assert!(!contains(&prepared.bytes, b"EXIF") && !contains(&prepared.bytes, b"XMP "));
    let decoded = decode(&prepared.bytes, ImageFormat::WebP);
    assert_upright(&decoded);
    assert_eq!(decoded.to_rgb8(), image::imageops::rotate90(&landscape()));
}

#[test]
fn a_gif_keeps_its_animation_and_its_thumbnail_is_the_first_frame() {
    let frames = [Rgba([200, 30, 30, 255]), Rgba([30, 30, 200, 255])].map(|colour| {
        Frame::from_parts(
            RgbaImage::from_pixel(30, 10, colour),
            0,
            0,
            image::Delay::from_numer_denom_ms(100, 1),
        )
    });
    let mut original = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut original);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        encoder.encode_frames(frames).unwrap();
    }
    let prepared = prepare(original, &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(prepared.kind, Kind::Gif);
    assert_eq!((prepared.width, prepared.height), (Some(30), Some(10)));
    let decoded: Vec<Frame> = GifDecoder::new(std::io::Cursor::new(&prepared.bytes))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(decoded.len(), 2, "both frames are kept");
    assert!(decoded[0].buffer().get_pixel(5, 5).0[0] > 150);
    assert!(decoded[1].buffer().get_pixel(5, 5).0[2] > 150);
    let thumbnail = decode(&prepared.thumbnail.unwrap(), ImageFormat::Jpeg).to_rgb8();
    assert!(is_red(*thumbnail.get_pixel(5, 5)));

    // A GIF whose frames add up to more pixels than one image may have is a bomb too.
    let tight = Limits {
        max_pixels: 30 * 10 + 1,
        ..Limits::default()
    };
    let mut two_frames = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut two_frames);
        encoder
            .encode_frames((0..2).map(|_| Frame::new(RgbaImage::new(30, 10))))
            .unwrap();
    }
    assert_eq!(
        prepare(two_frames, &Kind::ALL, &tight),
        Err(Refusal::TooLarge)
    );
}

#[test]
fn an_html_page_renamed_jpg_is_refused() {
    let page = b"<!doctype html><html><script>alert(document.cookie)</script></html>".to_vec();
    let images = [Kind::Jpeg, Kind::Png, Kind::Webp, Kind::Gif];
    assert_eq!(
        prepare(page.clone(), &images, &Limits::default()),
        Err(Refusal::UnsupportedType)
    );
    // With text accepted the page is text (served as a plain-text attachment), but not under a
    // name that claims it is a photo.
    assert_eq!(
        prepare_named("parcel.jpg", page.clone(), &Kind::ALL, &Limits::default()),
        Err(Refusal::UnsupportedType)
    );
    let as_text = prepare_named("page.html", page.clone(), &Kind::ALL, &Limits::default());
    assert_eq!(as_text.map(|prepared| prepared.kind), Ok(Kind::Text));
    assert_eq!(safe_name("page.html", Kind::Text), "page.html.txt");
    // A real JPEG named as a PNG disagrees as well; named as itself or without an extension,
    // it agrees.
    let jpeg = encode_jpeg(&landscape());
    let named = |name| prepare_named(name, jpeg.clone(), &Kind::ALL, &Limits::default());
    assert_eq!(named("parcel.png"), Err(Refusal::UnsupportedType));
    assert_eq!(
        named("parcel.JPEG").map(|prepared| prepared.kind),
        Ok(Kind::Jpeg)
    );
    assert_eq!(named("image").map(|prepared| prepared.kind), Ok(Kind::Jpeg));
}

#[test]
fn a_png_header_followed_by_garbage_is_damaged() {
    let mut garbage = b"\x89PNG\r\n\x1a\n".to_vec();
    garbage.extend((0..500_u32).map(|index| (index * 7919 % 251) as u8));
    assert_eq!(
        prepare(garbage, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
    // A good header with image data cut short.
    let png = encode_png(&DynamicImage::ImageRgb8(landscape()));
    let cut = png[..png.len() / 2].to_vec();
    assert_eq!(
        prepare(cut, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
    // A JPEG start marker and nothing a decoder can use.
    let broken_jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0garbage garbage garbage".to_vec();
    assert_eq!(
        prepare(broken_jpeg, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
}

#[test]
fn a_png_bomb_is_refused_from_its_header() {
    let bomb = png_claiming(100_000, 100_000);
    assert!(bomb.len() < 100, "a tiny file");
    assert_eq!(
        prepare(bomb.clone(), &Kind::ALL, &Limits::default()),
        Err(Refusal::TooLarge)
    );
    // Too long on one side, though few pixels.
    assert_eq!(
        prepare(png_claiming(20_000, 10), &Kind::ALL, &Limits::default()),
        Err(Refusal::TooLarge)
    );
    // With the relay's own limits set absurdly high, the decoder's allocation limit (the
    // second guard) still refuses before the 30 GB buffer is allocated.
    let absurd = Limits {
        max_pixels: u64::MAX,
        max_side: u32::MAX,
        ..Limits::default()
    };
    assert_eq!(prepare(bomb, &Kind::ALL, &absurd), Err(Refusal::TooLarge));
    // An image inside the limits but with its data missing is damaged, not too large.
    assert_eq!(
        prepare(png_claiming(100, 100), &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
}

#[test]
fn kinds_that_are_not_accepted_are_refused() {
    let png = encode_png(&DynamicImage::ImageRgb8(landscape()));
    assert_eq!(
        prepare(png.clone(), &[Kind::Jpeg, Kind::Pdf], &Limits::default()),
        Err(Refusal::UnsupportedType)
    );
    assert_eq!(
        prepare(b"hello\n".to_vec(), &[Kind::Pdf], &Limits::default()),
        Err(Refusal::UnsupportedType)
    );
    assert_eq!(
        prepare(b"PK\x03\x04zip".to_vec(), &Kind::ALL, &Limits::default()),
        Err(Refusal::UnsupportedType)
    );
    assert!(prepare(png, &[Kind::Png], &Limits::default()).is_ok());
}

#[test]
fn a_pdf_is_kept_as_it_came_when_it_has_its_end_marker() {
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    pdf.extend(vec![b' '; 5000]);
    pdf.extend(b"trailer << /Root 1 0 R >>\n%%EOF\n");
    let prepared = prepare(pdf.clone(), &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(prepared, Prepared::file(Kind::Pdf, pdf.clone()));
    assert_eq!(prepared.kind.content_type(), "application/pdf");
    assert!(!prepared.kind.is_image());

    let cut = pdf[..pdf.len() - 20].to_vec();
    assert_eq!(
        prepare(cut, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
    // The end marker far from the end does not count: the file was cut or has a tail attached.
    let mut tailed = pdf.clone();
    tailed.extend(vec![0_u8; 4096]);
    assert_eq!(
        prepare(tailed, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
    // The header must be the first thing: leading bytes make it something else.
    let mut led = b"\x00\x01".to_vec();
    led.extend(&pdf);
    assert_eq!(
        prepare(led, &Kind::ALL, &Limits::default()),
        Err(Refusal::UnsupportedType)
    );
}

#[test]
fn text_is_utf8_without_binary_control_characters() {
    let accepted = |bytes: &[u8]| {
        prepare(bytes.to_vec(), &Kind::ALL, &Limits::default()).map(|prepared| prepared.kind)
    };
    let letter = "Objednávka 1042:\r\n\tvelikost 42 → 43\n".as_bytes();
    assert_eq!(accepted(letter), Ok(Kind::Text));
    let prepared = prepare(letter.to_vec(), &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(prepared.bytes, letter, "text is kept as it came");
    assert_eq!(prepared.thumbnail, None);
    assert_eq!(accepted(b"<script>alert(1)</script>"), Ok(Kind::Text));
    assert_eq!(accepted(b"hello\0world"), Err(Refusal::UnsupportedType));
    assert_eq!(
        accepted(b"\x1b[31mred\x1b[0m"),
        Err(Refusal::UnsupportedType)
    );
    assert_eq!(
        accepted(b"caf\xe9"),
        Err(Refusal::UnsupportedType),
        "Latin-1"
    );
    assert_eq!(
        accepted("\u{85}next line".as_bytes()),
        Err(Refusal::UnsupportedType)
    );
    assert_eq!(accepted(b""), Err(Refusal::UnsupportedType));
    // Text in its head, binary further on: the whole file is checked.
    let mut mixed = vec![b'a'; 2000];
    mixed.extend([0, 1, 2, 3]);
    assert_eq!(accepted(&mixed), Err(Refusal::UnsupportedType));
}

#[test]
fn thumbnails_fit_keep_the_aspect_ratio_and_are_never_larger_than_the_image() {
    let sized = |width, height, alpha: bool| {
        let image = if alpha {
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(
                width,
                height,
                Rgba([9, 99, 199, 120]),
            ))
        } else {
            DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([9, 99, 199])))
        };
        let prepared = prepare(encode_png(&image), &Kind::ALL, &Limits::default()).unwrap();
        let kind = prepared.thumbnail_type.unwrap();
        let format = ImageFormat::from_mime_type(kind).unwrap();
        let thumbnail = decode(&prepared.thumbnail.unwrap(), format);
        (thumbnail.width(), thumbnail.height(), kind)
    };
    assert_eq!(sized(1000, 250, false), (320, 80, "image/jpeg"));
    assert_eq!(sized(250, 1000, false), (80, 320, "image/jpeg"));
    assert_eq!(
        sized(100, 50, false),
        (100, 50, "image/jpeg"),
        "never enlarged"
    );
    assert_eq!(
        sized(640, 640, true),
        (320, 320, "image/png"),
        "transparency needs PNG"
    );
    // An alpha channel with every pixel opaque needs no PNG.
    let opaque = DynamicImage::ImageRgba8(RgbaImage::from_pixel(50, 50, Rgba([1, 2, 3, 255])));
    let prepared = prepare(encode_png(&opaque), &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(prepared.thumbnail_type, Some("image/jpeg"));
    let small = Limits {
        thumbnail_side: 16,
        ..Limits::default()
    };
    let prepared = prepare(encode_jpeg(&landscape()), &Kind::ALL, &small).unwrap();
    let thumbnail = decode(&prepared.thumbnail.unwrap(), ImageFormat::Jpeg);
    assert_eq!((thumbnail.width(), thumbnail.height()), (16, 8));
}

/// A minimal HEIC file and where its parts lie.
struct HeicFixture {
    bytes: Vec<u8>,
    /// The picture's bytes (a stand-in for the HEVC data), which must survive untouched.
    picture: std::ops::Range<usize>,
    /// The Exif and XMP items' bytes, which must become zeros.
    metadata: Vec<std::ops::Range<usize>>,
}

fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut bytes = (payload.len() as u32 + 8).to_be_bytes().to_vec();
    bytes.extend(kind);
    bytes.extend(payload);
    bytes
}

fn full_box(kind: &[u8; 4], version: u8, payload: &[u8]) -> Vec<u8> {
    let mut body = vec![version, 0, 0, 0];
    body.extend(payload);
    boxed(kind, &body)
}

/// An `infe` (version 2): id, protection index, type, empty name, and for `mime` a content type.
fn item_info(id: u16, kind: &[u8; 4], content_type: Option<&str>) -> Vec<u8> {
    let mut payload = id.to_be_bytes().to_vec();
    payload.extend([0, 0]);
    payload.extend(kind);
    payload.push(0);
    if let Some(content_type) = content_type {
        payload.extend(content_type.as_bytes());
        payload.push(0);
    }
    full_box(b"infe", 2, &payload)
}

/// A HEIC as a phone writes it, reduced to its structure: `ftyp`, a `meta` box (handler, primary
/// item, item infos, item locations, and when `exif_in_idat` an `idat` holding the Exif item),
/// and an `mdat` holding the picture, the XMP packet and (otherwise) the Exif item.
fn heic_fixture(exif_in_idat: bool) -> HeicFixture {
    let mut ftyp = b"heic\0\0\0\0mif1heic".to_vec();
    ftyp = boxed(b"ftyp", &ftyp);
    let picture = b"\0\0\0\x18(\x01\xaf\x13HEVC-PICTURE-DATA-STAND-IN".to_vec();
    let mut exif = vec![0, 0, 0, 6];
    exif.extend(b"Exif\0\0");
    exif.extend(exif_tiff(6));
    let mut xmp = b"<x:xmpmeta><rdf:Description owner='".to_vec();
    xmp.extend(TEXT_MARKER);
    xmp.extend(b"'/></x:xmpmeta>");

    // The meta box, laid out twice: once to learn its length, once with the real offsets.
    let meta = |mdat_payload: usize, xmp_start: usize| {
        let hdlr = full_box(b"hdlr", 0, b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
        let pitm = full_box(b"pitm", 0, &1_u16.to_be_bytes());
        let mut infos = 3_u16.to_be_bytes().to_vec();
        infos.extend(item_info(1, b"hvc1", None));
        infos.extend(item_info(2, b"Exif", None));
        infos.extend(item_info(3, b"mime", Some("application/rdf+xml")));
        let iinf = full_box(b"iinf", 0, &infos);
        // Version 1, so that an item may live in `idat` (construction method 1); offsets and
        // lengths of 4 bytes, a base offset of 4 bytes, no index.
        let mut locations = vec![0x44, 0x40];
        locations.extend(3_u16.to_be_bytes());
        let mut location = |id: u16, method: u16, base: usize, offset: usize, length: usize| {
            locations.extend(id.to_be_bytes());
            locations.extend(method.to_be_bytes());
            locations.extend(0_u16.to_be_bytes());
            locations.extend((base as u32).to_be_bytes());
            locations.extend(1_u16.to_be_bytes());
            locations.extend((offset as u32).to_be_bytes());
            locations.extend((length as u32).to_be_bytes());
        };
        location(1, 0, mdat_payload, 0, picture.len());
        if exif_in_idat {
            location(2, 1, 0, 0, exif.len());
        } else {
            location(2, 0, mdat_payload, picture.len(), exif.len());
        }
        location(3, 0, xmp_start, 0, xmp.len());
        let iloc = full_box(b"iloc", 1, &locations);
        let mut children = [hdlr, pitm, iinf, iloc].concat();
        if exif_in_idat {
            children.extend(boxed(b"idat", &exif));
        }
        full_box(b"meta", 0, &children)
    };
    let meta_length = meta(0, 0).len();
    let mdat_payload = ftyp.len() + meta_length + 8;
    let mut mdat_body = picture.clone();
    let mut metadata = Vec::new();
    if !exif_in_idat {
        let exif_start = mdat_payload + mdat_body.len();
        metadata.push(exif_start..exif_start + exif.len());
        mdat_body.extend(&exif);
    }
    let xmp_start = mdat_payload + mdat_body.len();
    metadata.push(xmp_start..xmp_start + xmp.len());
    mdat_body.extend(&xmp);
    let meta_box = meta(mdat_payload, xmp_start);
    assert_eq!(meta_box.len(), meta_length);
    if exif_in_idat {
        let idat_payload = ftyp.len() + find_box(&meta_box, b"idat") + 8;
        metadata.push(idat_payload..idat_payload + exif.len());
    }
    let bytes = [ftyp, meta_box, boxed(b"mdat", &mdat_body)].concat();
    HeicFixture {
        bytes,
        picture: mdat_payload..mdat_payload + picture.len(),
        metadata,
    }
}

/// Where a box of `kind` starts in `bytes` (its size field).
fn find_box(bytes: &[u8], kind: &[u8; 4]) -> usize {
    bytes.windows(4).position(|window| window == kind).unwrap() - 4
}

#[test]
fn heic_exif_and_xmp_items_are_zeroed_and_everything_else_kept() {
    for exif_in_idat in [false, true] {
        let fixture = heic_fixture(exif_in_idat);
        assert!(contains(&fixture.bytes, GPS_MARKER) && contains(&fixture.bytes, TEXT_MARKER));
        let prepared = prepare(fixture.bytes.clone(), &Kind::ALL, &Limits::default()).unwrap();
        assert_eq!(prepared.kind, Kind::Heic);
        assert_eq!((prepared.thumbnail, prepared.width), (None, None));
        // The item's type "Exif" stays in its `infe` entry; its bytes are gone.
        assert_no_planted_data(&prepared.bytes);
        assert_eq!(prepared.bytes.len(), fixture.bytes.len(), "no offset moves");
        for (index, (before, after)) in fixture.bytes.iter().zip(&prepared.bytes).enumerate() {
            if fixture.metadata.iter().any(|range| range.contains(&index)) {
                assert_eq!(*after, 0, "metadata byte {index} is zeroed");
            } else {
                assert_eq!(before, after, "byte {index} is kept");
            }
        }
        assert_eq!(
            prepared.bytes[fixture.picture.clone()],
            fixture.bytes[fixture.picture.clone()]
        );
    }
}

#[test]
fn a_heic_whose_structure_does_not_add_up_is_damaged() {
    let fixture = heic_fixture(false);
    // A box claiming to run past the end of the file.
    let mut overrun = fixture.bytes.clone();
    let mdat = find_box(&overrun, b"mdat");
    overrun[mdat..mdat + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        prepare(overrun, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
    // Cut off inside its metadata: the Exif item's extent points past the end.
    let cut = fixture.bytes[..fixture.metadata[0].start + 4].to_vec();
    assert_eq!(
        prepare(cut, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
    // No meta box at all.
    let bare = [
        boxed(b"ftyp", b"heic\0\0\0\0mif1heic"),
        boxed(b"mdat", b"data"),
    ]
    .concat();
    assert_eq!(
        prepare(bare, &Kind::ALL, &Limits::default()),
        Err(Refusal::Damaged)
    );
    // An image sequence (a `moov` box) is not accepted.
    let mut sequence = fixture.bytes.clone();
    sequence.extend(boxed(b"moov", b""));
    assert_eq!(
        prepare(sequence, &Kind::ALL, &Limits::default()),
        Err(Refusal::UnsupportedType)
    );
}

#[test]
fn safe_names_have_no_paths_controls_or_wrong_extensions() {
    assert_eq!(safe_name("faktura.pdf", Kind::Pdf), "faktura.pdf");
    assert_eq!(safe_name("IMG_0042.JPEG", Kind::Jpeg), "IMG_0042.JPEG");
    assert_eq!(safe_name("../../etc/passwd", Kind::Text), "passwd.txt");
    assert_eq!(
        safe_name("C:\\Users\\eva\\Desktop\\účet.pdf", Kind::Pdf),
        "účet.pdf"
    );
    assert_eq!(safe_name("scan", Kind::Pdf), "scan.pdf");
    assert_eq!(safe_name("program.exe", Kind::Pdf), "program.exe.pdf");
    // The right-to-left override that shows "invoice\u{202e}fdp.exe" as "invoiceexe.pdf".
    assert_eq!(
        safe_name("invoice\u{202e}fdp.exe", Kind::Pdf),
        "invoicefdp.exe.pdf"
    );
    assert_eq!(safe_name("a\u{0}b\r\nc\u{7}.txt", Kind::Text), "abc.txt");
    assert_eq!(safe_name("  .hidden.  ", Kind::Text), "hidden.txt");
    assert_eq!(safe_name("say \"hi\".txt", Kind::Text), "say 'hi'.txt");
    assert_eq!(safe_name("", Kind::Png), "file.png");
    assert_eq!(safe_name("///", Kind::Gif), "file.gif");
    assert_eq!(safe_name("..", Kind::Webp), "file.webp");
    assert_eq!(safe_name(" \u{202e} ", Kind::Heic), "file.heic");
    // Composed and decomposed accents give the same name.
    assert_eq!(safe_name("c\u{30c}aj.txt", Kind::Text), "čaj.txt");

    let long = format!("{}.pdf", "ž".repeat(300));
    let shortened = safe_name(&long, Kind::Pdf);
    assert_eq!(shortened.chars().count(), 120);
    assert!(shortened.ends_with("žž.pdf"));
    let long_without = "x".repeat(300);
    let shortened = safe_name(&long_without, Kind::Jpeg);
    assert_eq!(shortened.chars().count(), 120);
    assert!(shortened.ends_with("xx.jpg"));
}

#[test]
fn kinds_and_refusals_have_their_names() {
    for kind in Kind::ALL {
        assert_eq!(Kind::from_name(kind.name()), Some(kind));
        assert!(kind.extensions().contains(&kind.extension()));
    }
    assert_eq!(Kind::from_name(" JPEG "), Some(Kind::Jpeg));
    assert_eq!(Kind::from_name("svg"), None);
    let types: Vec<_> = Kind::ALL.map(Kind::content_type).to_vec();
    assert_eq!(
        types,
        [
            "image/jpeg",
            "image/png",
            "image/webp",
            "image/gif",
            "image/heic",
            "application/pdf",
            "text/plain; charset=utf-8"
        ]
    );
    let images: Vec<_> = Kind::ALL
        .into_iter()
        .filter(|kind| kind.is_image())
        .collect();
    assert_eq!(images, [Kind::Jpeg, Kind::Png, Kind::Webp, Kind::Gif]);
    assert_eq!(
        [
            Refusal::UnsupportedType,
            Refusal::Damaged,
            Refusal::TooLarge
        ]
        .map(Refusal::code),
        ["unsupported_type", "damaged_file", "file_too_large"]
    );
    assert_eq!(
        beseda_protocol::ErrorCode::from_name(Refusal::Damaged.code()).map(|code| code.as_str()),
        Some("damaged_file")
    );
}

#[test]
fn cut_or_altered_files_are_refused_or_cleaned_never_a_panic() {
    let heic = heic_fixture(true).bytes;
    let images = [
        jpeg_with_exif(6),
        png_with_chunks(
            &encode_png(&DynamicImage::ImageRgb8(landscape())),
            &[png_chunk(b"eXIf", &exif_tiff(6))],
        ),
        webp_with_metadata(6),
    ];
    for original in images.iter().chain([&heic]) {
        for length in 0..original.len() {
            let _ = prepare(original[..length].to_vec(), &Kind::ALL, &Limits::default());
        }
    }
    // Every byte of the HEIC set to 0xff in turn: refused, or cleaned. An Exif item whose type
    // or id is altered is no longer found as one, and the last scan for Exif and XMP
    // signatures refuses the file.
    for index in 0..heic.len() {
        let mut altered = heic.clone();
        altered[index] = 0xff;
        if let Ok(prepared) = prepare(altered, &Kind::ALL, &Limits::default()) {
            assert_eq!(prepared.bytes.len(), heic.len());
            assert_no_planted_data(&prepared.bytes);
        }
    }
}

#[test]
fn grey_and_sixteen_bit_images_keep_their_pixel_format() {
    let grey = image::GrayImage::from_fn(30, 20, |x, _| image::Luma([(x * 8) as u8]));
    let mut jpeg = Vec::new();
    grey.write_with_encoder(JpegEncoder::new_with_quality(&mut jpeg, 95))
        .unwrap();
    let prepared = prepare(jpeg, &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(
        decode(&prepared.bytes, ImageFormat::Jpeg).color(),
        image::ColorType::L8
    );

    let deep = image::ImageBuffer::from_fn(30, 20, |x, y| {
        Rgba([
            (x * 2000) as u16,
            (y * 3000) as u16,
            40_000,
            65_535 - (x * 100) as u16,
        ])
    });
    let deep = DynamicImage::ImageRgba16(deep);
    let prepared = prepare(encode_png(&deep), &Kind::ALL, &Limits::default()).unwrap();
    assert_eq!(
        decode(&prepared.bytes, ImageFormat::Png),
        deep,
        "lossless, still 16-bit"
    );
    assert_eq!(
        prepared.thumbnail_type,
        Some("image/png"),
        "it has transparency"
    );
}

#[test]
fn jpeg_gif_and_webp_bombs_are_refused_from_their_headers() {
    // A JPEG whose frame header (SOF0: marker, length, precision, height, width) claims
    // 60,000 × 60,000.
    let mut jpeg = encode_jpeg(&landscape());
    let frame = jpeg
        .windows(2)
        .position(|marker| marker == [0xff, 0xc0])
        .unwrap();
    jpeg[frame + 5..frame + 9].copy_from_slice(&[0xea, 0x60, 0xea, 0x60]);
    assert_eq!(
        prepare(jpeg, &Kind::ALL, &Limits::default()),
        Err(Refusal::TooLarge)
    );

    // A GIF whose logical screen claims 65,535 × 65,535.
    let mut gif = Vec::new();
    GifEncoder::new(&mut gif)
        .encode_frame(Frame::new(RgbaImage::new(4, 4)))
        .unwrap();
    gif[6..10].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    assert_eq!(
        prepare(gif, &Kind::ALL, &Limits::default()),
        Err(Refusal::TooLarge)
    );

    // A WebP whose VP8L header claims 16,383 × 16,383 (its 14-bit fields hold the side less
    // one).
    let mut webp = Vec::new();
    landscape()
        .write_with_encoder(WebPEncoder::new_lossless(&mut webp))
        .unwrap();
    // After the signature byte 0x2f: width - 1 and height - 1 in 14 bits each, then alpha and
    // version bits; keep those.
    let fields = u32::from_le_bytes(webp[21..25].try_into().unwrap());
    let fields = (fields & 0xf000_0000) | (0x3ffe << 14) | 0x3ffe;
    webp[21..25].copy_from_slice(&fields.to_le_bytes());
    assert_eq!(
        prepare(webp, &Kind::ALL, &Limits::default()),
        Err(Refusal::TooLarge)
    );
}
