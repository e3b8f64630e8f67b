//! Files built in code for the tests of uploads, here and in the end-to-end tests (through
//! the `test-fixtures` feature): a phone's JPEG with an Exif block holding a GPS position, and
//! a PNG whose header claims more pixels than it holds (a decompression bomb).

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// A distinctive string in the GPS block (as its map datum), so a test can scan any output for
/// a trace of it.
pub const GPS_MARKER: &[u8] = b"BESEDA-GPS-49.19N-16.61E";

/// The GPS latitude as it sits in the block: 49/1 11/1 4236/100, big-endian rationals.
pub const GPS_LATITUDE: [u8; 24] = [
    0, 0, 0, 49, 0, 0, 0, 1, 0, 0, 0, 11, 0, 0, 0, 1, 0, 0, 0x10, 0x8c, 0, 0, 0, 100,
];

/// A TIFF block (what an Exif segment holds after "Exif\0\0"): IFD0 with the orientation and a
/// pointer to a GPS IFD with a latitude and the marker.
pub fn exif_tiff(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend(tag.to_be_bytes());
        tiff.extend(kind.to_be_bytes());
        tiff.extend(count.to_be_bytes());
        tiff.extend(value);
    };
    // IFD0 at 8: two entries, then the next-IFD offset; the GPS IFD follows at 38.
    tiff.extend(2_u16.to_be_bytes());
    let [high, low] = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, 3, 1, [high, low, 0, 0]);
    entry(&mut tiff, 0x8825, 4, 1, 38_u32.to_be_bytes());
    tiff.extend(0_u32.to_be_bytes());
    assert_eq!(tiff.len(), 38);
    // GPS IFD: three entries; its data follows at 80 (latitude) and 104 (map datum).
    tiff.extend(3_u16.to_be_bytes());
    entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, 5, 3, 80_u32.to_be_bytes());
    let datum_count = GPS_MARKER.len() as u32 + 1;
    entry(&mut tiff, 0x0012, 2, datum_count, 104_u32.to_be_bytes());
    tiff.extend(0_u32.to_be_bytes());
    assert_eq!(tiff.len(), 80);
    tiff.extend(GPS_LATITUDE);
    tiff.extend(GPS_MARKER);
    tiff.push(0);
    tiff
}

/// A 40 × 20 picture, red on its left half and blue on its right, so that a rotation shows.
pub fn landscape() -> RgbImage {
    RgbImage::from_fn(40, 20, |x, _| {
        if x < 20 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    })
}

pub fn encode_jpeg(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 95))
        .unwrap();
    bytes
}

/// A JPEG from a phone: an APP1 Exif segment (orientation and GPS) right after the start marker.
pub fn jpeg_with_exif(orientation: u16) -> Vec<u8> {
    let jpeg = encode_jpeg(&landscape());
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(exif_tiff(orientation));
    let mut spliced = jpeg[..2].to_vec();
    spliced.extend([0xff, 0xe1]);
    spliced.extend((segment.len() as u16 + 2).to_be_bytes());
    spliced.extend(segment);
    spliced.extend(&jpeg[2..]);
    spliced
}

/// The CRC-32 of PNG chunks (the ISO-HDLC polynomial), bit by bit.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut checked = kind.to_vec();
    checked.extend(data);
    chunk.extend(&checked);
    chunk.extend(crc32(&checked).to_be_bytes());
    chunk
}

/// A PNG whose header claims `width` × `height`, with a few bytes of image data: a bomb when
/// the claim is huge.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend(height.to_be_bytes());
    // 8-bit RGB, deflate, adaptive filtering, no interlacing.
    header.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &header));
    // A zlib stream of a few zero bytes (stored block): far too little for the claimed size.
    png.extend(png_chunk(
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0, 0x04, 0, 0, 0,
        ],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}
