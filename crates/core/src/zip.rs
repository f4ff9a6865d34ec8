//! ZIP archives: the bundle written as one download, byte for byte the same in the browser
//! and the CLI, and archives a user drops in read back for the rules.
//!
//! The container format (PKWARE's APPNOTE) is a few fixed headers, written here so that every
//! field is decided on purpose: entries in bundle order, a fixed timestamp (1980-01-01, the
//! format's epoch), UTF-8 names, regular-file permissions, no extra fields. Compression is raw
//! DEFLATE from [`crate::deflate`], which has no levels or platform differences, so the same
//! settings give the same bytes everywhere.
//!
//! Reading is bounded: at most [`MAX_ENTRIES`] entries, [`MAX_FILE_BYTES`] per file and
//! [`MAX_TOTAL_BYTES`] in all once inflated, so a "zip bomb" is refused instead of filling the
//! tab's memory. Encrypted and ZIP64 archives are refused with a message.

use std::fmt;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_DIRECTORY: u32 = 0x0605_4b50;
/// Version 2.0: DEFLATE and folders.
const VERSION_NEEDED: u16 = 20;
/// Made on Unix (3), spec version 2.0, so the permissions below are read.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
/// Bit 11: names are UTF-8.
const FLAG_UTF8: u16 = 1 << 11;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// 1980-01-01 00:00:00 in MS-DOS date and time.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// A regular file, rw-r--r--.
const FILE_MODE: u32 = 0o100_644;

pub const MAX_ENTRIES: usize = 10_000;
pub const MAX_FILE_BYTES: usize = 4 << 20;
pub const MAX_TOTAL_BYTES: usize = 64 << 20;

/// Writes `files` (path inside the archive, contents) as a ZIP archive, in the order given.
pub fn write<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    let mut count: u16 = 0;
    for (name, contents) in files {
        let crc = crc32(contents);
        let deflated = crate::deflate::compress(contents);
        // Tiny files can grow when deflated: store those as they are.
        let (method, data) = if deflated.len() < contents.len() {
            (DEFLATED, deflated.as_slice())
        } else {
            (STORED, contents)
        };
        let offset = len32(out.len());
        let name = name.as_bytes();

        put32(&mut out, LOCAL_HEADER);
        put16(&mut out, VERSION_NEEDED);
        put16(&mut out, FLAG_UTF8);
        put16(&mut out, method);
        put16(&mut out, DOS_TIME);
        put16(&mut out, DOS_DATE);
        put32(&mut out, crc);
        put32(&mut out, len32(data.len()));
        put32(&mut out, len32(contents.len()));
        put16(&mut out, len16(name.len()));
        put16(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(data);

        put32(&mut directory, CENTRAL_HEADER);
        put16(&mut directory, VERSION_MADE_BY);
        put16(&mut directory, VERSION_NEEDED);
        put16(&mut directory, FLAG_UTF8);
        put16(&mut directory, method);
        put16(&mut directory, DOS_TIME);
        put16(&mut directory, DOS_DATE);
        put32(&mut directory, crc);
        put32(&mut directory, len32(data.len()));
        put32(&mut directory, len32(contents.len()));
        put16(&mut directory, len16(name.len()));
        put16(&mut directory, 0); // extra field
        put16(&mut directory, 0); // comment
        put16(&mut directory, 0); // disk number
        put16(&mut directory, 0); // internal attributes
        put32(&mut directory, FILE_MODE << 16);
        put32(&mut directory, offset);
        directory.extend_from_slice(name);
        count += 1;
    }
    let directory_offset = len32(out.len());
    out.extend_from_slice(&directory);
    put32(&mut out, END_OF_DIRECTORY);
    put16(&mut out, 0); // this disk
    put16(&mut out, 0); // the directory's disk
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, len32(directory.len()));
    put32(&mut out, directory_offset);
    put16(&mut out, 0); // comment
    out
}

/// The bundle as the download: every file under a folder named after the project.
pub fn bundle(bundle: &crate::Bundle, folder: &str) -> Vec<u8> {
    let named: Vec<(String, &[u8])> = bundle
        .files()
        .iter()
        .map(|f| (format!("{folder}/{}", f.path), f.contents.as_bytes()))
        .collect();
    write(named.iter().map(|(name, bytes)| (name.as_str(), *bytes)))
}

/// One file read from an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub contents: Vec<u8>,
}

/// Why an archive, or one entry of it, could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipError(pub String);

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What reading an archive gave: the files `wanted` asked for, and a note for each entry that
/// was wanted but could not be read (the rest of the archive is still read).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Read {
    pub entries: Vec<Entry>,
    pub problems: Vec<String>,
}

fn fail<T>(message: impl Into<String>) -> Result<T, ZipError> {
    Err(ZipError(message.into()))
}

/// Reads the files of a ZIP archive whose names `wanted` accepts (folders are skipped).
pub fn read(bytes: &[u8], wanted: impl Fn(&str) -> bool) -> Result<Read, ZipError> {
    read_within(bytes, wanted, MAX_FILE_BYTES, MAX_TOTAL_BYTES)
}

fn read_within(
    bytes: &[u8],
    wanted: impl Fn(&str) -> bool,
    max_file: usize,
    max_total: usize,
) -> Result<Read, ZipError> {
    let end = find_end(bytes)?;
    let count = usize::from(u16_at(bytes, end + 10)?);
    let directory_size = u32_at(bytes, end + 12)? as usize;
    let directory_offset = u32_at(bytes, end + 16)? as usize;
    if count == 0xFFFF || directory_offset == 0xFFFF_FFFF {
        return fail(
            "This is a ZIP64 archive, which is not read here; zip the files again without ZIP64.",
        );
    }
    if count > MAX_ENTRIES {
        return fail(format!(
            "The archive has {count} entries; at most {MAX_ENTRIES} are read."
        ));
    }
    if directory_offset
        .checked_add(directory_size)
        .is_none_or(|e| e > end)
    {
        return fail("The archive's directory points outside the file: it is damaged.");
    }
    let mut read = Read::default();
    let mut total = 0usize;
    let mut at = directory_offset;
    for _ in 0..count {
        if u32_at(bytes, at)? != CENTRAL_HEADER {
            return fail("An entry of the archive's directory is damaged.");
        }
        let flags = u16_at(bytes, at + 8)?;
        let method = u16_at(bytes, at + 10)?;
        let crc = u32_at(bytes, at + 16)?;
        let compressed = u32_at(bytes, at + 20)? as usize;
        let size = u32_at(bytes, at + 24)? as usize;
        let name_len = usize::from(u16_at(bytes, at + 28)?);
        let extra_len = usize::from(u16_at(bytes, at + 30)?);
        let comment_len = usize::from(u16_at(bytes, at + 32)?);
        let local = u32_at(bytes, at + 42)? as usize;
        let name_bytes = slice(bytes, at + 46, name_len)?;
        at += 46 + name_len + extra_len + comment_len;

        let name = String::from_utf8_lossy(name_bytes).into_owned();
        if name.ends_with('/') || !wanted(&name) {
            continue;
        }
        let problem = |message: String| format!("{name}: {message}");
        if flags & 1 != 0 {
            read.problems.push(problem("encrypted; not read.".into()));
            continue;
        }
        if size > max_file {
            read.problems.push(problem(format!(
                "{} KiB once unpacked; files over {} KiB are not read.",
                size >> 10,
                max_file >> 10
            )));
            continue;
        }
        total += size;
        if total > max_total {
            return fail(format!(
                "The files unpack to more than {} KiB; the archive is not read.",
                max_total >> 10
            ));
        }
        if u32_at(bytes, local)? != LOCAL_HEADER {
            read.problems.push(problem("its header is damaged.".into()));
            continue;
        }
        let local_name = usize::from(u16_at(bytes, local + 26)?);
        let local_extra = usize::from(u16_at(bytes, local + 28)?);
        let data = slice(bytes, local + 30 + local_name + local_extra, compressed)?;
        let contents = match method {
            STORED => data.to_vec(),
            DEFLATED => match crate::deflate::decompress(data, size.max(1)) {
                Ok(contents) => contents,
                Err(_) => {
                    read.problems
                        .push(problem("its compressed data is damaged.".into()));
                    continue;
                }
            },
            other => {
                read.problems.push(problem(format!(
                    "compressed with method {other}; only stored and DEFLATE are read."
                )));
                continue;
            }
        };
        if contents.len() != size || crc32(&contents) != crc {
            read.problems.push(problem(
                "its checksum does not match: the file is damaged.".into(),
            ));
            continue;
        }
        read.entries.push(Entry { name, contents });
    }
    Ok(read)
}

/// The offset of the end-of-directory record: the last one, within the final 64 KiB comment.
fn find_end(bytes: &[u8]) -> Result<usize, ZipError> {
    if bytes.len() < 22 {
        return fail("This is not a ZIP archive (too short).");
    }
    let lowest = bytes.len().saturating_sub(22 + 0xFFFF);
    (lowest..=bytes.len() - 22)
        .rev()
        .find(|&at| bytes[at..at + 4] == END_OF_DIRECTORY.to_le_bytes())
        .map_or_else(
            || fail("This is not a ZIP archive (no directory at its end)."),
            Ok,
        )
}

fn slice(bytes: &[u8], at: usize, len: usize) -> Result<&[u8], ZipError> {
    at.checked_add(len)
        .and_then(|end| bytes.get(at..end))
        .map_or_else(
            || fail("The archive ends in the middle of an entry: it is cut short."),
            Ok,
        )
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, ZipError> {
    let b = slice(bytes, at, 2)?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, ZipError> {
    let b = slice(bytes, at, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// Sizes in a bundle are far below 4 GiB; past that the ZIP64 format would be needed.
fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("a bundle is far below 4 GiB")
}

fn len16(len: usize) -> u16 {
    u16::try_from(len).expect("a path is shorter than 64 KiB")
}

/// CRC-32 (IEEE 802.3, reflected, as ZIP and gzip use it).
pub fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut n = 0;
        while n < 256 {
            let mut c = n as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[n] = c;
            n += 1;
        }
        table
    };
    !bytes.iter().fold(!0u32, |crc, &b| {
        TABLE[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn what_is_written_reads_back() {
        let files: Vec<(&str, &[u8])> = vec![
            ("p/Dockerfile", b"FROM alpine:3.22\n"),
            (
                "p/k8s/a.yaml",
                "kind: x\n".repeat(200).as_bytes().to_vec().leak(),
            ),
            ("p/empty", b""),
            ("p/ünïcode.txt", "✓".as_bytes()),
        ];
        let archive = write(files.iter().copied());
        let read = read(&archive, |_| true).unwrap();
        assert_eq!(read.problems, Vec::<String>::new());
        let back: Vec<(&str, &[u8])> = read
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.contents.as_slice()))
            .collect();
        assert_eq!(back, files);
    }

    #[test]
    fn the_same_files_give_the_same_bytes() {
        let project = crate::model::preset("go-api").unwrap().project();
        let one = bundle(&crate::generate(&project), "catalog");
        let two = bundle(&crate::generate(&project), "catalog");
        assert_eq!(one, two);
        assert!(
            one.len() < 100_000,
            "{} bytes: is it compressed?",
            one.len()
        );
    }

    #[test]
    fn damaged_archives_are_refused_with_a_reason() {
        assert!(read(b"", |_| true).unwrap_err().0.contains("not a ZIP"));
        assert!(read(&[0u8; 100], |_| true).is_err());
        let archive = write([("a.yaml", b"kind: x\n".as_slice())]);
        // Cut short: the directory points past the end.
        let cut = &archive[..archive.len() - 30];
        assert!(read(cut, |_| true).is_err());
        // A flipped data byte fails the checksum, and the note names the file.
        let mut flipped = archive.clone();
        flipped[30 + "a.yaml".len()] ^= 0xFF;
        let read = read(&flipped, |_| true).unwrap();
        assert!(read.entries.is_empty());
        assert!(
            read.problems[0].starts_with("a.yaml:"),
            "{:?}",
            read.problems
        );
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        // Zeros compress a thousandfold: small archives, large files. With limits of 100 KiB
        // per file and 250 KiB in all (the real ones are 4 and 64 MiB):
        let zeros = vec![0u8; 90 << 10];
        let names: Vec<String> = (0..3).map(|i| format!("{i}.yaml")).collect();
        let archive = write(names.iter().map(|n| (n.as_str(), zeros.as_slice())));
        assert!(archive.len() < 2_000, "{}", archive.len());
        let error = read_within(&archive, |_| true, 100 << 10, 250 << 10).unwrap_err();
        assert!(error.0.contains("more than 250 KiB"), "{error}");
        // One file over the per-file limit is skipped with a note; the rest is read.
        let read = read_within(&archive, |_| true, 80 << 10, 250 << 10).unwrap();
        assert!(read.entries.is_empty());
        assert_eq!(read.problems.len(), 3);
        assert!(
            read.problems[0].contains("over 80 KiB"),
            "{:?}",
            read.problems
        );
    }

    #[test]
    fn only_wanted_files_are_unpacked() {
        let archive = write([
            ("a.yaml", b"kind: x\n".as_slice()),
            ("logo.png", &[0x89, b'P', b'N', b'G']),
        ]);
        let read = read(&archive, |name| name.ends_with(".yaml")).unwrap();
        assert_eq!(read.entries.len(), 1);
        assert_eq!(read.entries[0].name, "a.yaml");
    }
}
