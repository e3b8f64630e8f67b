//! What an uploaded file is, and how it is made safe to serve.
//!
//! The kind of a file is decided from its bytes (magic numbers), never from its name or the
//! content type the client declared. Images (JPEG, PNG, WebP, GIF) are decoded and re-encoded, so
//! that nothing but pixels survives: EXIF with its GPS position, XMP, comments and every other
//! chunk are dropped, and the EXIF orientation is applied to the pixels first so that a phone
//! photo stays upright. Their dimensions are checked from the header before any pixel is decoded
//! (a decompression bomb is a tiny file claiming a huge image), and the decoder itself carries
//! allocation limits as a second guard. HEIC cannot be decoded in pure Rust; its Exif and XMP
//! items are overwritten with zeros in place ([`heic`]) and it is served as a file. PDFs and plain
//! text are checked for their shape and kept as they came; they are served as attachments.
//!
//! Everything here is pure and blocking: [`prepare`] is CPU-heavy and callers run it off the
//! runtime (`chat::files` keeps a thread per core for it).

#[cfg(any(test, feature = "test-fixtures"))]
pub mod fixtures;
mod heic;
mod raster;
#[cfg(test)]
mod tests;

use unicode_normalization::UnicodeNormalization;

/// The kinds of file the relay accepts; the default set is all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Gif,
    Heic,
    Pdf,
    Text,
}

impl Kind {
    /// Every kind, in the order flags and documentation list them.
    pub const ALL: [Kind; 7] = [
        Kind::Jpeg,
        Kind::Png,
        Kind::Webp,
        Kind::Gif,
        Kind::Heic,
        Kind::Pdf,
        Kind::Text,
    ];

    /// The content type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
            Kind::Gif => "image/gif",
            Kind::Heic => "image/heic",
            Kind::Pdf => "application/pdf",
            Kind::Text => "text/plain; charset=utf-8",
        }
    }

    /// The extension a file of this kind gets when its name has none that fits.
    pub fn extension(self) -> &'static str {
        self.extensions()[0]
    }

    /// Every extension (lower case) a name of this kind may keep; the first is
    /// [`Kind::extension`]. For text only extensions that no program opens as anything but text
    /// are kept, so that `page.html` becomes `page.html.txt` and is never opened as a web page
    /// after it is downloaded.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Kind::Png => &["png"],
            Kind::Webp => &["webp"],
            Kind::Gif => &["gif"],
            Kind::Heic => &["heic", "heif", "hif"],
            Kind::Pdf => &["pdf"],
            Kind::Text => &["txt", "text", "log", "csv", "md"],
        }
    }

    /// Whether files of this kind are shown inline (with a thumbnail). HEIC is not: no browser
    /// but Safari shows it and the relay cannot decode it to make a thumbnail.
    pub fn is_image(self) -> bool {
        matches!(self, Kind::Jpeg | Kind::Png | Kind::Webp | Kind::Gif)
    }

    /// The kind's name in flags and configuration: "jpeg", "png", "webp", "gif", "heic", "pdf",
    /// "text".
    pub fn name(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpeg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Gif => "gif",
            Kind::Heic => "heic",
            Kind::Pdf => "pdf",
            Kind::Text => "text",
        }
    }

    /// The kind with this flag name ([`Kind::name`]), case-insensitively.
    pub fn from_name(name: &str) -> Option<Kind> {
        let name = name.trim();
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))
    }
}

/// Why a file is refused; each maps to an error code the client sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Code "unsupported_type": not one of the accepted kinds, judged from the bytes (or a name
    /// that claims another kind than the bytes show).
    UnsupportedType,
    /// Code "damaged_file": does not decode as what its bytes claim.
    Damaged,
    /// Code "file_too_large": image dimensions or pixels beyond the limits (a decompression
    /// bomb).
    TooLarge,
}

impl Refusal {
    /// The error code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::UnsupportedType => "unsupported_type",
            Refusal::Damaged => "damaged_file",
            Refusal::TooLarge => "file_too_large",
        }
    }

    /// The human-readable message beside the code (clients translate by the code).
    pub fn message(self) -> &'static str {
        match self {
            Refusal::UnsupportedType => "This type of file is not accepted.",
            Refusal::Damaged => "The file is damaged: it does not open as what it claims to be.",
            Refusal::TooLarge => "The image is too large: it has too many pixels.",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.message())
    }
}

impl std::error::Error for Refusal {}

/// How large an image may be, and how large its thumbnail is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Width times height; 40 megapixels by default (the largest phone cameras give 50 Mpx only
    /// in a special mode; their default photos are 12 to 24 Mpx).
    pub max_pixels: u64,
    /// Width and height each; 12,000 by default (a panorama is long but not that long).
    pub max_side: u32,
    /// The thumbnail fits in a square of this side; 320 by default.
    pub thumbnail_side: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pixels: 40_000_000,
            max_side: 12_000,
            thumbnail_side: 320,
        }
    }
}

/// A file made safe to store and serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// What the bytes are (and what the file is served as).
    pub kind: Kind,
    /// What is stored and served: the re-encoded image, the HEIC with its metadata zeroed, or
    /// the PDF or text as it came.
    pub bytes: Vec<u8>,
    /// Images only: a JPEG (or a PNG for images with transparency) fitting in
    /// `thumbnail_side` × `thumbnail_side`, never larger than the image.
    pub thumbnail: Option<Vec<u8>>,
    /// The thumbnail's content type, "image/jpeg" or "image/png".
    pub thumbnail_type: Option<&'static str>,
    /// Images only: the width as shown, after the EXIF orientation was applied.
    pub width: Option<u32>,
    /// Images only: the height as shown, after the EXIF orientation was applied.
    pub height: Option<u32>,
}

impl Prepared {
    /// A file served as it came (or with bytes overwritten in place): no thumbnail, no size.
    fn file(kind: Kind, bytes: Vec<u8>) -> Prepared {
        Prepared {
            kind,
            bytes,
            thumbnail: None,
            thumbnail_type: None,
            width: None,
            height: None,
        }
    }
}

/// The kind the first bytes show (magic numbers), before reading the rest; None when no kind.
///
/// A few hundred bytes are plenty; text is recognised from whatever prefix is given (a UTF-8
/// sequence cut at the end of `head` does not count against it), so [`prepare`] still checks
/// the whole file.
pub fn sniff(head: &[u8]) -> Option<Kind> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if head.starts_with(b"\xff\xd8\xff") {
        Some(Kind::Jpeg)
    } else if head.starts_with(PNG) {
        Some(Kind::Png)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(Kind::Webp)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(Kind::Gif)
    } else if heic::is_heic_head(head) {
        Some(Kind::Heic)
    } else if head.starts_with(b"%PDF-") {
        // Only at the very start: the PDF format tolerates leading bytes, but a file that begins
        // as something else and turns into a PDF later is a polyglot, and nobody's real invoice
        // looks like that.
        Some(Kind::Pdf)
    } else if looks_like_text(head) {
        Some(Kind::Text)
    } else {
        None
    }
}

/// Decides the file's kind from its bytes, refuses kinds not in `accepted`, and for images
/// decodes and re-encodes them (dropping EXIF and every other metadata, applying the EXIF
/// orientation first so a phone photo stays upright) and makes the thumbnail.
/// CPU-heavy and blocking: callers run it off the runtime.
///
/// This does not see the file's name; [`prepare_named`] also refuses a name that claims another
/// kind than the bytes show (an HTML page renamed `.jpg`).
pub fn prepare(bytes: Vec<u8>, accepted: &[Kind], limits: &Limits) -> Result<Prepared, Refusal> {
    let kind = sniff(&bytes).ok_or(Refusal::UnsupportedType)?;
    if !accepted.contains(&kind) {
        return Err(Refusal::UnsupportedType);
    }
    match kind {
        Kind::Jpeg | Kind::Png | Kind::Webp | Kind::Gif => {
            // The decoders face hostile bytes; should one of them panic on some input it has
            // not seen before, that input did not decode, and the upload is refused like any
            // other damaged file instead of failing as an internal error.
            std::panic::catch_unwind(|| raster::prepare(kind, &bytes, limits)).unwrap_or_else(
                |_| {
                    tracing::warn!(kind = kind.name(), "an image decoder panicked on an upload");
                    Err(Refusal::Damaged)
                },
            )
        }
        Kind::Heic => heic::strip_metadata(bytes).map(|bytes| Prepared::file(Kind::Heic, bytes)),
        Kind::Pdf => check_pdf(&bytes).map(|()| Prepared::file(Kind::Pdf, bytes)),
        // The sniff forgives a UTF-8 sequence cut at the end of what it saw; a whole file must
        // be whole text.
        Kind::Text if is_text(&bytes) => Ok(Prepared::file(Kind::Text, bytes)),
        Kind::Text => Err(Refusal::UnsupportedType),
    }
}

/// [`prepare`], after refusing (as `UnsupportedType`) a name whose extension names another
/// kind than the bytes show ([`name_agrees`]); the check comes before any decoding.
pub fn prepare_named(
    name: &str,
    bytes: Vec<u8>,
    accepted: &[Kind],
    limits: &Limits,
) -> Result<Prepared, Refusal> {
    if let Some(kind) = sniff(&bytes)
        && !name_agrees(name, kind)
    {
        return Err(Refusal::UnsupportedType);
    }
    prepare(bytes, accepted, limits)
}

/// Whether a file name agrees with the kind its bytes show: its extension is one of the kind's
/// ([`Kind::extensions`]), or it names no kind at all (no extension, or one like `.html` that
/// [`safe_name`] then follows with the kind's own). A name ending in another kind's extension
/// (`parcel.jpg` holding a web page or a PNG) disagrees: the type is decided from the bytes and
/// a mismatch is refused.
pub fn name_agrees(name: &str, kind: Kind) -> bool {
    match extension_of(&last_path_part(name).to_lowercase()) {
        None => true,
        Some(extension) => {
            kind.extensions().contains(&extension)
                || !Kind::ALL
                    .iter()
                    .any(|other| other.extensions().contains(&extension))
        }
    }
}

/// A file name safe to show and to put in Content-Disposition: no path parts, no control or
/// bidi characters, trimmed, at most 120 characters, with the kind's extension when missing;
/// "file.EXT" when nothing is left.
///
/// Double quotes become single ones (so the name can sit in a quoted header parameter), leading
/// and trailing dots and spaces go (no hidden files, nothing Windows refuses), and the result is
/// in Unicode normal form C so that its length means what it says.
pub fn safe_name(name: &str, kind: Kind) -> String {
    const MAX_CHARS: usize = 120;
    let cleaned: String = last_path_part(name)
        .nfc()
        .filter(|character| !character.is_control() && !is_bidi_control(*character))
        .map(|character| if character == '"' { '\'' } else { character })
        .collect();
    let trimmed =
        cleaned.trim_matches(|character: char| character.is_whitespace() || character == '.');
    let extension = kind.extension();
    if trimmed.is_empty() {
        return format!("file.{extension}");
    }
    let keeps_extension =
        extension_of(&trimmed.to_lowercase()).is_some_and(|own| kind.extensions().contains(&own));
    let (stem, suffix) = if keeps_extension {
        let dot = trimmed.rfind('.').unwrap_or(trimmed.len());
        (&trimmed[..dot], &trimmed[dot..])
    } else {
        (trimmed, "")
    };
    let suffix = if keeps_extension {
        suffix.to_owned()
    } else {
        format!(".{extension}")
    };
    let room = MAX_CHARS - suffix.chars().count();
    let stem: String = stem.chars().take(room).collect();
    let stem =
        stem.trim_end_matches(|character: char| character.is_whitespace() || character == '.');
    if stem.is_empty() {
        format!("file{suffix}")
    } else {
        format!("{stem}{suffix}")
    }
}

/// The part of a name after its last `/` or `\` (browsers send bare names, but old ones and
/// hand-made requests send paths).
fn last_path_part(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// The extension of a (lower-cased) name: what follows its last dot, if anything does and the
/// dot is not the first character.
fn extension_of(name: &str) -> Option<&str> {
    let name = name.trim_end();
    let dot = name.rfind('.')?;
    let extension = &name[dot + 1..];
    (dot > 0 && !extension.is_empty()).then_some(extension)
}

/// The characters that reorder text around them (the "Trojan source" and `gpj.exe` tricks):
/// marks, embeddings, overrides and isolates.
fn is_bidi_control(character: char) -> bool {
    matches!(
        character,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether the whole file is text: valid UTF-8, not empty, and no control characters but tab,
/// line feed and carriage return (so no NUL, no escape sequences).
///
/// HTML and scripts are text too. That is safe because text is served as
/// `text/plain; charset=utf-8` with `X-Content-Type-Options: nosniff`,
/// `Content-Security-Policy: sandbox` and `Content-Disposition: attachment`: no browser renders
/// or runs it, and [`safe_name`] makes sure the saved copy ends in `.txt`.
fn is_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && std::str::from_utf8(bytes).is_ok_and(|text| text.chars().all(is_allowed_text_character))
}

/// [`is_text`] for a prefix: a UTF-8 sequence cut at its end is allowed.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        // `error_len` is None when the input ended inside a sequence that could still be valid.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !head.is_empty() && valid.chars().all(is_allowed_text_character)
}

fn is_allowed_text_character(character: char) -> bool {
    !character.is_control() || matches!(character, '\t' | '\n' | '\r')
}

/// How far from the end `%%EOF` may sit: writers append newlines and sometimes a little junk,
/// and readers look this far back too.
const PDF_TAIL: usize = 1024;

/// A PDF has its header (checked by [`sniff`]) and its end-of-file marker near the end; one cut
/// off in the middle of an upload or a download has no `%%EOF`.
fn check_pdf(bytes: &[u8]) -> Result<(), Refusal> {
    let tail = &bytes[bytes.len().saturating_sub(PDF_TAIL)..];
    if tail.windows(5).any(|window| window == b"%%EOF") {
        Ok(())
    } else {
        Err(Refusal::Damaged)
    }
}
