//! Character classes every writer and validator agrees on.

/// Zero-width characters and direction marks: they look like nothing but change what a file
/// means to a reader (the "Trojan Source" family). Validators refuse them in names and
/// commands; writers escape them wherever free text is allowed.
pub fn is_invisible_mark(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF)
}

/// Line and paragraph separators that some parsers treat as line breaks and others do not.
pub fn is_unicode_line_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_told_from_ordinary_text() {
        for c in ['\u{202E}', '\u{200B}', '\u{FEFF}', '\u{2066}'] {
            assert!(is_invisible_mark(c), "{c:?}");
        }
        for c in ['a', ' ', 'é', '🚢', '\u{2028}'] {
            assert!(!is_invisible_mark(c), "{c:?}");
        }
        assert!(is_unicode_line_break('\u{2028}'));
    }
}
