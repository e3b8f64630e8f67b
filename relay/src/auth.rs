//! Credentials: signed visitor tokens, operator session tokens and password hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use beseda_protocol::VisitorId;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// `count` random bytes from the operating system.
pub fn random_bytes<const COUNT: usize>() -> [u8; COUNT] {
    let mut bytes = [0u8; COUNT];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    bytes
}

pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 15)] as char);
    }
    text
}

/// The bytes a hex text stands for, if it is hex.
pub(crate) fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

/// Signs and checks visitor tokens: `v1.<visitor id>.<HMAC-SHA256 in hex>`. A token proves which
/// anonymous visitor is speaking; the relay derives their conversation from it, so a visitor can
/// never name somebody else's conversation.
#[derive(Clone)]
pub struct VisitorTokens {
    secret: [u8; 32],
}

impl VisitorTokens {
    pub fn new(secret: [u8; 32]) -> VisitorTokens {
        VisitorTokens { secret }
    }

    fn mac(&self, visitor_id: &str) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(b"v1.");
        mac.update(visitor_id.as_bytes());
        mac
    }

    /// A new visitor and their token.
    pub fn issue(&self) -> (VisitorId, String) {
        let visitor_id = to_hex(&random_bytes::<16>());
        let signature = to_hex(&self.mac(&visitor_id).finalize().into_bytes());
        let token = format!("v1.{visitor_id}.{signature}");
        (VisitorId(visitor_id), token)
    }

    /// The keyed hash an address is blocked by, so that the database never holds the address
    /// itself (the key is the relay's secret; a block's row goes when the block ends).
    pub fn address_hash(&self, address: std::net::IpAddr) -> [u8; 32] {
        let mut mac =
            HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(b"address.");
        match address {
            std::net::IpAddr::V4(v4) => mac.update(&v4.to_ipv6_mapped().octets()),
            std::net::IpAddr::V6(v6) => mac.update(&v6.octets()),
        }
        mac.finalize().into_bytes().into()
    }

    /// The visitor a token names, if this relay signed it and nobody altered it.
    pub fn verify(&self, token: &str) -> Option<VisitorId> {
        let rest = token.strip_prefix("v1.")?;
        let (visitor_id, signature) = rest.split_once('.')?;
        if visitor_id.len() != 32 || !visitor_id.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        let signature = from_hex(signature)?;
        self.mac(visitor_id).verify_slice(&signature).ok()?;
        Some(VisitorId(visitor_id.to_owned()))
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    given
        .iter()
        .zip(expected.iter())
        .fold(0u8, |difference, (a, b)| difference | (a ^ b))
        == 0
}

/// A new operator session token and the hash under which it is stored.
pub fn new_session_token() -> (String, [u8; 32]) {
    let token = to_hex(&random_bytes::<32>());
    let hash = session_token_hash(&token);
    (token, hash)
}

/// Session tokens are stored hashed, so a copy of the database opens no sessions.
pub fn session_token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// An argon2id hash of a password, in the PHC string format.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|error| error.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| error.to_string())
}

/// Whether a password matches a stored hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_token_verifies_and_names_its_visitor() {
        let tokens = VisitorTokens::new([7; 32]);
        let (visitor_id, token) = tokens.issue();
        assert_eq!(tokens.verify(&token), Some(visitor_id));
    }

    #[test]
    fn an_altered_or_foreign_token_is_refused() {
        let tokens = VisitorTokens::new([7; 32]);
        let (_, token) = tokens.issue();
        let (other_visitor, _) = tokens.issue();
        let signature = token.rsplit('.').next().unwrap();
        let forged = format!("v1.{}.{signature}", other_visitor.0);
        assert_eq!(tokens.verify(&forged), None);
        assert_eq!(VisitorTokens::new([8; 32]).verify(&token), None);
        assert_eq!(tokens.verify("v1.zz.zz"), None);
        assert_eq!(tokens.verify(""), None);
    }

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
