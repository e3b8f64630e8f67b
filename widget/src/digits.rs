//! Numbers written as text without `core::fmt`: the formatting machinery `format!` brings in
//! (padding, `Display` for each integer kind, the argument templates) costs every visitor bytes.
//! Text is joined with `concat`.

/// `n` in decimal.
pub fn decimal(mut n: u64) -> String {
    let mut out = String::new();
    loop {
        out.insert(0, char::from(b'0' + (n % 10) as u8));
        n /= 10;
        if n == 0 {
            return out;
        }
    }
}

/// `n` in decimal, at least two digits ("07").
pub fn two_digits(n: u64) -> String {
    let digits = decimal(n);
    if n < 10 {
        ["0", &digits].concat()
    } else {
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_decimal_text() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(7), "7");
        assert_eq!(decimal(10), "10");
        assert_eq!(decimal(1_800_000_000_123), "1800000000123");
        assert_eq!(decimal(u64::MAX), u64::MAX.to_string());
        assert_eq!(two_digits(0), "00");
        assert_eq!(two_digits(9), "09");
        assert_eq!(two_digits(10), "10");
        assert_eq!(two_digits(59), "59");
    }
}
