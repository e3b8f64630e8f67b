//! HEIC photos, which no pure-Rust decoder reads: their Exif and XMP items are overwritten with
//! zeros where they lie, and the file is otherwise kept byte for byte.
//!
//! A HEIC file is a sequence of ISOBMFF boxes. Its `meta` box lists the items (`iinf`: one
//! `infe` per item, with the item's type) and where each item's bytes lie (`iloc`: extents, as
//! offsets into the file or into the `meta` box's own `idat`). The Exif item (type `Exif`, which
//! holds the GPS position of a phone photo) and XMP (an item of type `mime` with content type
//! `application/rdf+xml`) are found there and their bytes zeroed. No box changes size, so every
//! offset in the file stays valid, and readers ignore an Exif item they cannot parse (HEIF
//! takes the orientation from its own `irot`/`imir` properties, not from Exif).
//!
//! A file whose boxes do not add up, or whose metadata cannot be located, is refused as damaged:
//! the relay never serves a HEIC it could not clean. Image sequences (a `moov` box, whose tracks
//! may carry metadata elsewhere) are refused as an unsupported type.

use super::Refusal;

/// Major brands of a HEIC still image.
const HEIC_BRANDS: [&[u8; 4]; 4] = [b"heic", b"heix", b"heim", b"heis"];

/// General HEIF brands, accepted when a HEIC brand is among the compatible ones (a `mif1` file
/// may just as well be AVIF, which is not accepted).
const HEIF_BRANDS: [&[u8; 4]; 2] = [b"mif1", b"msf1"];

/// Whether the first bytes are the `ftyp` box of a HEIC still image.
pub(super) fn is_heic_head(head: &[u8]) -> bool {
    if head.len() < 16 || &head[4..8] != b"ftyp" {
        return false;
    }
    let major = &head[8..12];
    if HEIC_BRANDS.iter().any(|brand| major == *brand) {
        return true;
    }
    if !HEIF_BRANDS.iter().any(|brand| major == *brand) {
        return false;
    }
    let size = read_u32(head, 0).unwrap_or(0) as usize;
    let end = size.min(head.len());
    // After the major brand and the minor version come the compatible brands.
    (16..end)
        .step_by(4)
        .filter_map(|offset| head.get(offset..offset + 4))
        .any(|brand| HEIC_BRANDS.iter().any(|heic| brand == *heic))
}

/// The file with the bytes of its Exif and XMP items overwritten with zeros.
pub(super) fn strip_metadata(mut bytes: Vec<u8>) -> Result<Vec<u8>, Refusal> {
    let top = boxes(&bytes, 0, bytes.len())?;
    if top.iter().any(|found| &found.kind == b"moov") {
        return Err(Refusal::UnsupportedType);
    }
    let mut metas = top.iter().filter(|found| &found.kind == b"meta");
    let meta = metas.next().ok_or(Refusal::Damaged)?;
    if metas.next().is_some() {
        return Err(Refusal::Damaged);
    }
    // `meta` is a full box: a version and flags come before its children.
    let children = boxes(&bytes, meta.payload + 4, meta.end)?;
    let find = |kind: &[u8; 4]| children.iter().find(|found| &found.kind == kind);
    let iinf = find(b"iinf").ok_or(Refusal::Damaged)?;
    let iloc = find(b"iloc").ok_or(Refusal::Damaged)?;
    let idat = find(b"idat").map(|found| (found.payload, found.end));
    let metadata_items = metadata_items(&bytes, iinf)?;
    let ranges = item_ranges(&bytes, iloc, &metadata_items, idat)?;
    for (start, end) in ranges {
        bytes[start..end].fill(0);
    }
    // Belt and braces: an Exif block or an XMP packet still present anywhere (an item whose
    // type or location was mislabelled, a box the walk above does not read) means the file
    // cannot be cleaned as it is.
    if METADATA_SIGNATURES.iter().any(|signature| {
        bytes
            .windows(signature.len())
            .any(|window| window == *signature)
    }) {
        return Err(Refusal::Damaged);
    }
    Ok(bytes)
}

/// How Exif blocks (either byte order) and XMP packets begin.
const METADATA_SIGNATURES: [&[u8]; 4] = [
    b"Exif\0\0MM\0\x2a",
    b"Exif\0\0II\x2a\0",
    b"<x:xmpmeta",
    b"http://ns.adobe.com/xap/1.0/",
];

/// One box: its four-character type, where its payload starts and where it ends.
#[derive(Debug)]
struct Span {
    kind: [u8; 4],
    payload: usize,
    end: usize,
}

/// The boxes that exactly fill `start..end`.
fn boxes(bytes: &[u8], start: usize, end: usize) -> Result<Vec<Span>, Refusal> {
    let mut found = Vec::new();
    let mut position = start;
    while position < end {
        let size = read_u32(bytes, position)?;
        let kind: [u8; 4] = bytes
            .get(position + 4..position + 8)
            .and_then(|kind| kind.try_into().ok())
            .ok_or(Refusal::Damaged)?;
        let (header, size) = match size {
            // The box runs to the end of its parent.
            0 => (8, (end - position) as u64),
            // A 64-bit size follows the type.
            1 => (16, read_u64(bytes, position + 8)?),
            size => (8, u64::from(size)),
        };
        let box_end = usize::try_from(size)
            .ok()
            .and_then(|size| position.checked_add(size))
            .filter(|box_end| *box_end <= end && size >= header as u64)
            .ok_or(Refusal::Damaged)?;
        found.push(Span {
            kind,
            payload: position + header,
            end: box_end,
        });
        position = box_end;
    }
    Ok(found)
}

/// The ids of the items that are metadata: type `Exif`, or `mime` with an XMP content type.
fn metadata_items(bytes: &[u8], iinf: &Span) -> Result<Vec<u32>, Refusal> {
    let version = *bytes.get(iinf.payload).ok_or(Refusal::Damaged)?;
    // After version and flags, the entry count: 16 bits in version 0, 32 after.
    let entries_start = iinf.payload + 4 + if version == 0 { 2 } else { 4 };
    let mut items = Vec::new();
    for entry in boxes(bytes, entries_start, iinf.end)? {
        if &entry.kind != b"infe" {
            continue;
        }
        let mut reader = Reader::new(&bytes[..entry.end], entry.payload);
        let version = reader.u8()?;
        reader.skip(3)?;
        if version < 2 {
            // Versions 0 and 1 have no item type: an id, a protection index, a name and a
            // content type.
            let id = u32::from(reader.u16()?);
            reader.skip(2)?;
            reader.string()?;
            if is_xmp(reader.string()?) {
                items.push(id);
            }
            continue;
        }
        let id = if version == 2 {
            u32::from(reader.u16()?)
        } else {
            reader.u32()?
        };
        reader.skip(2)?;
        let item_type = reader.take(4)?;
        if item_type == b"Exif" {
            items.push(id);
        } else if item_type == b"mime" {
            reader.string()?;
            if is_xmp(reader.string()?) {
                items.push(id);
            }
        }
    }
    Ok(items)
}

fn is_xmp(content_type: &[u8]) -> bool {
    content_type.eq_ignore_ascii_case(b"application/rdf+xml")
}

/// Where the bytes of `items` lie in the file, from the `iloc` box; extents in `idat` (if any)
/// are resolved against its payload.
fn item_ranges(
    bytes: &[u8],
    iloc: &Span,
    items: &[u32],
    idat: Option<(usize, usize)>,
) -> Result<Vec<(usize, usize)>, Refusal> {
    let mut reader = Reader::new(&bytes[..iloc.end], iloc.payload);
    let version = reader.u8()?;
    if version > 2 {
        return Err(Refusal::Damaged);
    }
    reader.skip(3)?;
    let sizes = reader.u8()?;
    let (offset_size, length_size) = (sizes >> 4, sizes & 0x0f);
    let sizes = reader.u8()?;
    let base_offset_size = sizes >> 4;
    let index_size = if version == 0 { 0 } else { sizes & 0x0f };
    let count = if version < 2 {
        u32::from(reader.u16()?)
    } else {
        reader.u32()?
    };
    let mut ranges = Vec::new();
    let mut located = Vec::new();
    for _ in 0..count {
        let id = if version < 2 {
            u32::from(reader.u16()?)
        } else {
            reader.u32()?
        };
        let construction_method = if version == 0 {
            0
        } else {
            reader.u16()? & 0x0f
        };
        let data_reference = reader.u16()?;
        let base_offset = reader.sized(base_offset_size)?;
        let extent_count = reader.u16()?;
        let wanted = items.contains(&id);
        if wanted {
            located.push(id);
        }
        // Where offsets count from, and where the referenced data ends.
        let (origin, limit) = match construction_method {
            0 => (0, bytes.len()),
            1 => idat.ok_or(Refusal::Damaged)?,
            // Offsets into another item: not resolvable here, so not cleanable.
            _ if wanted => return Err(Refusal::Damaged),
            _ => (0, 0),
        };
        for _ in 0..extent_count {
            reader.sized(index_size)?;
            let offset = reader.sized(offset_size)?;
            let length = reader.sized(length_size)?;
            // Data in another file (a data reference other than "this file") is not here.
            if !wanted || data_reference != 0 {
                continue;
            }
            let start = base_offset
                .checked_add(offset)
                .and_then(|relative| usize::try_from(relative).ok())
                .and_then(|relative| origin.checked_add(relative))
                .ok_or(Refusal::Damaged)?;
            let end = if length == 0 {
                // A length of zero means the rest of the referenced data.
                limit
            } else {
                usize::try_from(length)
                    .ok()
                    .and_then(|length| start.checked_add(length))
                    .ok_or(Refusal::Damaged)?
            };
            if start > end || end > limit {
                return Err(Refusal::Damaged);
            }
            ranges.push((start, end));
        }
    }
    // A metadata item the locations do not mention may still lie somewhere in the file.
    if items.iter().any(|id| !located.contains(id)) {
        return Err(Refusal::Damaged);
    }
    Ok(ranges)
}

/// Big-endian fields from a slice, every read bounds-checked (an overrun means a damaged file).
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], position: usize) -> Reader<'a> {
        Reader { bytes, position }
    }

    fn take(&mut self, length: usize) -> Result<&'a [u8], Refusal> {
        let end = self.position.checked_add(length).ok_or(Refusal::Damaged)?;
        let taken = self.bytes.get(self.position..end).ok_or(Refusal::Damaged)?;
        self.position = end;
        Ok(taken)
    }

    fn skip(&mut self, length: usize) -> Result<(), Refusal> {
        self.take(length).map(|_| ())
    }

    fn u8(&mut self) -> Result<u8, Refusal> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Refusal> {
        Ok(u16::from_be_bytes([self.u8()?, self.u8()?]))
    }

    fn u32(&mut self) -> Result<u32, Refusal> {
        read_u32(self.take(4)?, 0)
    }

    /// A field of 0, 4 or 8 bytes, as `iloc` declares its sizes.
    fn sized(&mut self, size: u8) -> Result<u64, Refusal> {
        match size {
            0 => Ok(0),
            4 => self.u32().map(u64::from),
            8 => read_u64(self.take(8)?, 0),
            _ => Err(Refusal::Damaged),
        }
    }

    /// A NUL-terminated string, without its NUL.
    fn string(&mut self) -> Result<&'a [u8], Refusal> {
        let rest = self.bytes.get(self.position..).ok_or(Refusal::Damaged)?;
        let length = rest
            .iter()
            .position(|byte| *byte == 0)
            .ok_or(Refusal::Damaged)?;
        let text = &rest[..length];
        self.position += length + 1;
        Ok(text)
    }
}

fn read_u32(bytes: &[u8], at: usize) -> Result<u32, Refusal> {
    bytes
        .get(at..at + 4)
        .and_then(|field| field.try_into().ok())
        .map(u32::from_be_bytes)
        .ok_or(Refusal::Damaged)
}

fn read_u64(bytes: &[u8], at: usize) -> Result<u64, Refusal> {
    bytes
        .get(at..at + 8)
        .and_then(|field| field.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or(Refusal::Damaged)
}
