//! A file's kind decided from its bytes, and what the relay keeps of it.
//!
//! Stand-in: kinds are recognised by their magic numbers, the bytes are kept as they came and no
//! thumbnail is made. The module that decodes and re-encodes images replaces it.

// Part of the interface (image limits, sizes) is for the real module only.
#![allow(dead_code)]

/// The kinds of file the relay accepts.
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

    /// The extension a sanitised name ends with.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Gif => "gif",
            Kind::Heic => "heic",
            Kind::Pdf => "pdf",
            Kind::Text => "txt",
        }
    }

    /// Whether the file is a picture shown inline.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            Kind::Jpeg | Kind::Png | Kind::Webp | Kind::Gif | Kind::Heic
        )
    }

    /// The kind by its name in `--file-types`.
    pub fn from_name(name: &str) -> Option<Kind> {
        match name {
            "jpeg" => Some(Kind::Jpeg),
            "png" => Some(Kind::Png),
            "webp" => Some(Kind::Webp),
            "gif" => Some(Kind::Gif),
            "heic" => Some(Kind::Heic),
            "pdf" => Some(Kind::Pdf),
            "text" => Some(Kind::Text),
            _ => None,
        }
    }
}

/// Why a file is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    UnsupportedType,
    Damaged,
    TooLarge,
}

/// The bounds of image processing.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_pixels: u64,
    pub max_side: u32,
    pub thumbnail_side: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pixels: 40_000_000,
            max_side: 2048,
            thumbnail_side: 320,
        }
    }
}

/// A file ready to be stored.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub kind: Kind,
    pub bytes: Vec<u8>,
    pub thumbnail: Option<Vec<u8>>,
    pub thumbnail_type: Option<&'static str>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The kind of a file from its first bytes.
pub fn sniff(head: &[u8]) -> Option<Kind> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Kind::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Kind::Png);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(Kind::Webp);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(Kind::Gif);
    }
    if head.len() >= 12
        && &head[4..8] == b"ftyp"
        && matches!(&head[8..12], b"heic" | b"heix" | b"mif1" | b"msf1")
    {
        return Some(Kind::Heic);
    }
    if head.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A multibyte character cut at the end of the head.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return None,
    };
    let markup = text.trim_start().starts_with('<');
    let control = text
        .chars()
        .any(|character| character.is_control() && !matches!(character, '\n' | '\r' | '\t'));
    (!head.is_empty() && !markup && !control).then_some(Kind::Text)
}

/// Checks a file's bytes against the accepted kinds.
pub fn prepare(bytes: Vec<u8>, accepted: &[Kind], _limits: &Limits) -> Result<Prepared, Refusal> {
    let kind = sniff(&bytes[..bytes.len().min(4096)]).ok_or(Refusal::UnsupportedType)?;
    if !accepted.contains(&kind) {
        return Err(Refusal::UnsupportedType);
    }
    if kind == Kind::Text && std::str::from_utf8(&bytes).is_err() {
        return Err(Refusal::Damaged);
    }
    Ok(Prepared {
        kind,
        bytes,
        thumbnail: None,
        thumbnail_type: None,
        width: None,
        height: None,
    })
}

/// A name safe to show and to send in a header: no path, no control characters, the kind's
/// extension.
pub fn safe_name(name: &str, kind: Kind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|character| !character.is_control())
        .take(100)
        .collect();
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, _)) => stem.trim(),
        None => cleaned.trim(),
    };
    let stem = if stem.is_empty() || stem.starts_with('.') {
        "file"
    } else {
        stem
    };
    format!("{stem}.{}", kind.extension())
}
