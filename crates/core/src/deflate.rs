//! Raw DEFLATE (RFC 1951), both ways: the zip download and share links are compressed here,
//! and dropped archives and share links are read back here.
//!
//! Written for this crate instead of taking a general library, which cost about 27 KB of the
//! WebAssembly bundle for options nothing here uses. It is one compressor with no levels:
//! LZ77 over the full 32 KiB window (hash chains, one step of lazy matching), then each block
//! is written with the smallest of three encodings: Huffman codes made for the block
//! (optimal within the 15-bit limit, by package-merge), the fixed codes, or stored as is. The
//! same input always gives the same bytes.
//!
//! The reader takes any valid stream (other tools' archives, links made by earlier versions),
//! checks everything the RFC requires, and stops with an error rather than hand out more than
//! the caller's limit of bytes, so a small hostile stream cannot fill the tab's memory.

/// Why a stream could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not valid DEFLATE: cut short, damaged, or never DEFLATE at all.
    Damaged,
    /// Valid so far, but it unpacks to more than the limit the caller gave.
    TooLarge,
}

/// The shortest match DEFLATE can code.
const MIN_MATCH: usize = 3;
/// The longest match DEFLATE can code.
const MAX_MATCH: usize = 258;
/// How far back a match may reach.
const WINDOW: usize = 1 << 15;
/// Candidates tried per position: more finds a little more for a lot more time.
const MAX_CHAIN: usize = 128;
/// A match this long is taken without looking further, or trying the next position.
const NICE: usize = 128;
/// Past a match this long, the lazy look at the next position tries fewer candidates.
const GOOD: usize = 32;
/// A 3-byte match farther back than this costs more bits than three literals.
const TOO_FAR: usize = 4096;
/// The most hash bits, for inputs of 32 KiB and more; smaller inputs get smaller tables.
const HASH_BITS: u32 = 15;
/// No earlier position (the end of a hash chain).
const NONE: u32 = u32::MAX;
/// Symbols per block: blocks get codes of their own, which follows changes in the text (a
/// Dockerfile then a YAML file in one stream), and bounds the symbols kept in memory.
const BLOCK_SYMBOLS: usize = 1 << 15;
/// A stored block holds at most this many bytes (its length is 16 bits).
const MAX_STORED: usize = 0xFFFF;

/// Length symbols 257..=285: base length and extra bits (RFC 1951, 3.2.5).
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance symbols 0..=29: base distance and extra bits.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order a dynamic block lists the code-length code's lengths in.
const ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];
/// Extra bits after code-length symbols 16, 17 and 18 (repeat, short zeros, long zeros).
const REPEAT_EXTRA: [u32; 3] = [2, 3, 7];
/// The fixed codes' lengths (3.2.6): 288 literal/length symbols, then 32 distance symbols.
/// Both sets are complete codes, so they build like any other; 286, 287, 30 and 31 are then
/// refused when decoded. Always use all of them: the 9-bit codes are numbered after every
/// 8-bit one, 286 and 287 included.
const FIXED: [u8; 320] = {
    let mut lengths = [5u8; 320];
    let mut i = 0;
    while i < 288 {
        lengths[i] = match i {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        };
        i += 1;
    }
    lengths
};

/// `data` compressed as raw DEFLATE (no zlib or gzip wrapper).
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = Writer::default();
    let mut lz = Matcher::new(data.len());
    let mut symbols = Vec::with_capacity(BLOCK_SYMBOLS.min(data.len() + 1));
    let mut block_start = 0;
    let mut pos = 0;
    // Lazy matching: the best match at `pos - 1` is held back (`held`) until `pos` has been
    // searched too; if the match there is longer, the byte at `pos - 1` goes out as a literal.
    let mut held = false;
    let (mut held_len, mut held_dist) = (0, 0);
    while pos < data.len() {
        let (mut len, mut dist) = (0, 0);
        // Every position with three bytes left is recorded, searched or not.
        if let Some(candidate) = lz.insert(data, pos)
            && held_len < NICE
        {
            let chain = if held_len >= GOOD {
                MAX_CHAIN / 4
            } else {
                MAX_CHAIN
            };
            (len, dist) = lz.longest(data, pos, candidate, chain, held_len);
            if len == MIN_MATCH && dist > TOO_FAR {
                len = 0;
            }
        }
        if held_len >= MIN_MATCH && len <= held_len {
            symbols.push((held_dist << 9 | held_len) as u32);
            let end = pos - 1 + held_len;
            for at in pos + 1..end {
                lz.insert(data, at);
            }
            pos = end;
            held = false;
            held_len = 0;
        } else {
            if held {
                symbols.push(u32::from(data[pos - 1]));
            }
            held = true;
            (held_len, held_dist) = (len, dist);
            pos += 1;
        }
        if symbols.len() >= BLOCK_SYMBOLS {
            block_start = out.block(&symbols, data, block_start, false);
            symbols.clear();
        }
    }
    if held {
        // At the last byte nothing is left to match.
        symbols.push(u32::from(data[pos - 1]));
    }
    out.block(&symbols, data, block_start, true);
    out.finish()
}

/// Finds earlier occurrences of the bytes at a position: for each 3-byte hash, the latest
/// position with it (`head`), and from each position the previous one with the same hash
/// (`prev`, a ring over the window).
struct Matcher {
    head: Vec<u32>,
    hash_bits: u32,
    prev: Vec<u32>,
}

impl Matcher {
    /// Tables sized for `len` bytes of input: most inputs are a few KiB, and filling 256 KiB
    /// of tables for each would take longer than compressing them.
    fn new(len: usize) -> Self {
        let hash_bits = (usize::BITS - len.leading_zeros()).clamp(8, HASH_BITS);
        Matcher {
            head: vec![NONE; 1 << hash_bits],
            hash_bits,
            prev: vec![NONE; len.next_power_of_two().min(WINDOW)],
        }
    }

    /// Records `pos` and returns the latest earlier position with the same hash, or None when
    /// fewer than three bytes are left there.
    fn insert(&mut self, data: &[u8], pos: usize) -> Option<u32> {
        let bytes = data.get(pos..pos + MIN_MATCH)?;
        let key = u32::from(bytes[0]) | u32::from(bytes[1]) << 8 | u32::from(bytes[2]) << 16;
        let hash = (key.wrapping_mul(0x9E37_79B1) >> (32 - self.hash_bits)) as usize;
        let candidate = self.head[hash];
        let slot = pos & (self.prev.len() - 1);
        self.prev[slot] = candidate;
        self.head[hash] = pos as u32;
        Some(candidate)
    }

    /// The longest match for `pos` longer than `shorter_than_this`, as (length, distance),
    /// trying at most `chain` candidates from `candidate` back; (0, 0) when there is none.
    fn longest(
        &self,
        data: &[u8],
        pos: usize,
        mut candidate: u32,
        mut chain: usize,
        shorter_than_this: usize,
    ) -> (usize, usize) {
        let here = &data[pos..data.len().min(pos + MAX_MATCH)];
        let mut best = shorter_than_this.max(MIN_MATCH - 1);
        let mut dist = 0;
        if best >= here.len() {
            return (0, 0);
        }
        while chain > 0 && candidate != NONE {
            let at = candidate as usize;
            if pos - at > WINDOW {
                break;
            }
            let there = &data[at..];
            // The byte that would make this match longer than the best is checked first.
            if there.get(best) == here.get(best) {
                let len = common_prefix(there, here);
                if len > best {
                    best = len;
                    dist = pos - at;
                    if len >= NICE || len == here.len() {
                        break;
                    }
                }
            }
            // Links only go back; a link that does not was overwritten by a newer position.
            let next = self.prev[at & (self.prev.len() - 1)];
            if next >= candidate {
                break;
            }
            candidate = next;
            chain -= 1;
        }
        if dist == 0 { (0, 0) } else { (best, dist) }
    }
}

/// How many bytes `a` and `b` start with in common; eight at a time, as most candidates
/// match for a while.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    while let (Some(x), Some(y)) = (a.get(n..n + 8), b.get(n..n + 8)) {
        let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or_default());
        let differ = word(x) ^ word(y);
        if differ != 0 {
            return n + (differ.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    while let (Some(x), Some(y)) = (a.get(n), b.get(n))
        && x == y
    {
        n += 1;
    }
    n
}

/// Bits out, least significant first, as DEFLATE packs them.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    bits: u64,
    count: u32,
}

impl Writer {
    /// Writes the low `count` bits of `value` (at most 32).
    fn put(&mut self, value: u32, count: u32) {
        self.bits |= u64::from(value) << self.count;
        self.count += count;
        if self.count >= 32 {
            self.out
                .extend_from_slice(&(self.bits as u32).to_le_bytes());
            self.bits >>= 32;
            self.count -= 32;
        }
    }

    /// Pads with zero bits to the next byte boundary and writes what is buffered.
    fn align(&mut self) {
        while self.count > 0 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.count = self.count.saturating_sub(8);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.align();
        self.out
    }

    /// Writes one block of `symbols` (literals below 256, else distance << 9 | length), which
    /// stand for `data` from `start`, in the smallest encoding; returns where the next starts.
    fn block(&mut self, symbols: &[u32], data: &[u8], start: usize, last: bool) -> usize {
        let mut lit_freq = [0u32; 286];
        let mut dist_freq = [0u32; 30];
        let mut extra_bits = 0u64;
        let mut len = 0;
        for &symbol in symbols {
            let (length, dist) = ((symbol & 511) as usize, (symbol >> 9) as usize);
            if dist == 0 {
                lit_freq[length] += 1;
                len += 1;
            } else {
                let (l, d) = (length_code(length), dist_code(dist));
                lit_freq[257 + l] += 1;
                dist_freq[d] += 1;
                extra_bits += u64::from(LEN_EXTRA[l] + DIST_EXTRA[d]);
                len += length;
            }
        }
        lit_freq[256] = 1;
        let raw = &data[start..start + len];

        let lit_len = code_lengths(&lit_freq, 15);
        let dist_len = code_lengths(&dist_freq, 15);
        let header = Header::new(&lit_len, &dist_len);
        let cost = |lit: &[u8], dist: &[u8]| {
            let mut bits = extra_bits;
            for (freq, lengths) in [(&lit_freq[..], lit), (&dist_freq[..], dist)] {
                for (i, &f) in freq.iter().enumerate() {
                    bits += u64::from(f) * u64::from(lengths.get(i).copied().unwrap_or(0));
                }
            }
            bits
        };
        // In bits, each with its 3-bit block header.
        let dynamic = 3 + header.bits() + cost(&lit_len, &dist_len);
        let fixed = 3 + cost(&FIXED[..288], &FIXED[288..]);
        // Header, padding to a byte (at most 7 bits), LEN and NLEN for each stored block.
        let stored = (raw.len().div_ceil(MAX_STORED).max(1) * 42 + raw.len() * 8) as u64;

        if stored < dynamic.min(fixed) {
            let mut chunks = raw.chunks(MAX_STORED).peekable();
            loop {
                let chunk = chunks.next().unwrap_or_default();
                let final_chunk = chunks.peek().is_none();
                self.put(u32::from(last && final_chunk), 3);
                self.align();
                let n = chunk.len() as u32;
                self.put(n | (!n & 0xFFFF) << 16, 32);
                self.out.extend_from_slice(chunk);
                if final_chunk {
                    break;
                }
            }
        } else if fixed <= dynamic {
            self.put(u32::from(last) | 1 << 1, 3);
            self.symbols(symbols, &FIXED[..288], &FIXED[288..]);
        } else {
            self.put(u32::from(last) | 2 << 1, 3);
            header.write(self);
            self.symbols(symbols, &lit_len, &dist_len);
        }
        start + len
    }

    /// Writes `symbols` and the end of the block with the codes of the given lengths.
    fn symbols(&mut self, symbols: &[u32], lit_len: &[u8], dist_len: &[u8]) {
        let lit_code = codes(lit_len);
        let dist_code_of = codes(dist_len);
        let code = |codes: &[u16], lengths: &[u8], s: usize| {
            (
                u32::from(codes.get(s).copied().unwrap_or(0)),
                u32::from(lengths.get(s).copied().unwrap_or(0)),
            )
        };
        for &symbol in symbols {
            let (length, dist) = ((symbol & 511) as usize, (symbol >> 9) as usize);
            if dist == 0 {
                let (c, n) = code(&lit_code, lit_len, length);
                self.put(c, n);
            } else {
                let l = length_code(length);
                let (c, n) = code(&lit_code, lit_len, 257 + l);
                self.put(c, n);
                self.put(
                    (length - usize::from(LEN_BASE[l])) as u32,
                    u32::from(LEN_EXTRA[l]),
                );
                let d = dist_code(dist);
                let (c, n) = code(&dist_code_of, dist_len, d);
                self.put(c, n);
                self.put(
                    (dist - usize::from(DIST_BASE[d])) as u32,
                    u32::from(DIST_EXTRA[d]),
                );
            }
        }
        let (c, n) = code(&lit_code, lit_len, 256);
        self.put(c, n);
    }
}

/// The length symbol (less 257) for a match length of 3..=258.
fn length_code(len: usize) -> usize {
    if len == MAX_MATCH {
        return 28;
    }
    let x = len - MIN_MATCH;
    if x < 8 {
        return x;
    }
    // Four symbols per power of two, told apart by the two bits below the top one.
    let top = (usize::BITS - 1 - x.leading_zeros()) as usize;
    4 * (top - 1) + (x >> (top - 2) & 3)
}

/// The distance symbol for a distance of 1..=32768.
fn dist_code(dist: usize) -> usize {
    let x = dist - 1;
    if x < 4 {
        return x;
    }
    // Two symbols per power of two, told apart by the bit below the top one.
    let top = (usize::BITS - 1 - x.leading_zeros()) as usize;
    2 * top + (x >> (top - 1) & 1)
}

/// A dynamic block's header: how many of each code's lengths it lists, those lengths
/// run-length coded (symbols 16, 17, 18), and the code the runs are written in.
struct Header {
    lit_count: usize,
    dist_count: usize,
    runs: Vec<(u8, u8)>,
    run_len: Vec<u8>,
    order_count: usize,
}

impl Header {
    fn new(lit_len: &[u8], dist_len: &[u8]) -> Self {
        // Trailing unused symbols need not be listed.
        let used = |lengths: &[u8], min: usize| {
            lengths
                .iter()
                .rposition(|&l| l != 0)
                .map_or(0, |i| i + 1)
                .max(min)
        };
        let lit_count = used(lit_len, 257);
        let dist_count = used(dist_len, 1);
        let mut all = lit_len[..lit_count].to_vec();
        all.extend_from_slice(&dist_len[..dist_count]);
        let mut runs = Vec::new();
        let mut i = 0;
        while let Some(&value) = all.get(i) {
            let mut run = all[i..].iter().take_while(|&&l| l == value).count();
            i += run;
            if value == 0 {
                while run >= 11 {
                    let n = run.min(138);
                    runs.push((18, (n - 11) as u8));
                    run -= n;
                }
                if run >= 3 {
                    runs.push((17, (run - 3) as u8));
                    run = 0;
                }
            } else {
                runs.push((value, 0));
                run -= 1;
                while run >= 3 {
                    let n = run.min(6);
                    runs.push((16, (n - 3) as u8));
                    run -= n;
                }
            }
            runs.extend(std::iter::repeat_n((value, 0), run));
        }
        let mut freq = [0u32; 19];
        for &(symbol, _) in &runs {
            freq[usize::from(symbol)] += 1;
        }
        let run_len = code_lengths(&freq, 7);
        let order_count = ORDER
            .iter()
            .rposition(|&s| run_len[s] != 0)
            .map_or(0, |i| i + 1)
            .max(4);
        Header {
            lit_count,
            dist_count,
            runs,
            run_len,
            order_count,
        }
    }

    fn bits(&self) -> u64 {
        let mut bits = 14 + 3 * self.order_count as u64;
        for &(symbol, _) in &self.runs {
            let s = usize::from(symbol);
            let extra = REPEAT_EXTRA.get(s.wrapping_sub(16)).copied().unwrap_or(0);
            bits += u64::from(self.run_len[s]) + u64::from(extra);
        }
        bits
    }

    fn write(&self, out: &mut Writer) {
        out.put((self.lit_count - 257) as u32, 5);
        out.put((self.dist_count - 1) as u32, 5);
        out.put((self.order_count - 4) as u32, 4);
        for &symbol in &ORDER[..self.order_count] {
            out.put(u32::from(self.run_len[symbol]), 3);
        }
        let codes = codes(&self.run_len);
        for &(symbol, extra) in &self.runs {
            let s = usize::from(symbol);
            out.put(u32::from(codes[s]), u32::from(self.run_len[s]));
            if let Some(&n) = REPEAT_EXTRA.get(s.wrapping_sub(16)) {
                out.put(u32::from(extra), n);
            }
        }
    }
}

/// Optimal code lengths of at most `limit` bits for symbols of frequencies `freq` (0 for an
/// unused symbol), by package-merge. At least two symbols get a code, as a code of one symbol
/// is one some decoders refuse.
fn code_lengths(freq: &[u32], limit: usize) -> Vec<u8> {
    // Leaves as weight << 9 | symbol (weights stay below 2^23: a block has at most 2^15
    // symbols), in order of weight, then symbol, so the same input gives the same code.
    // Insertion sort: a few hundred symbols at most, and far less code than the
    // library's sorts.
    let mut leaves = Vec::new();
    for (symbol, &f) in freq.iter().enumerate() {
        if f > 0 {
            leaves.push(f << 9 | symbol as u32);
        }
    }
    for filler in 0..2 {
        if leaves.len() < 2 && freq.get(filler) == Some(&0) {
            leaves.push(filler as u32);
        }
    }
    for i in 1..leaves.len() {
        let mut j = i;
        while j > 0 && leaves[j - 1] > leaves[j] {
            leaves.swap(j - 1, j);
            j -= 1;
        }
    }
    // Each level's list is the leaves merged with the previous level's items paired up, in
    // order of weight. Only the first 2n - 2 items of a list are ever used, and of those only
    // how many are leaves, as the leaves come in order: that count is kept for every length
    // of every list (`leaf_counts`, level after level).
    let n = leaves.len();
    let keep = 2 * n - 2;
    let mut weights = Vec::with_capacity(keep);
    let mut leaf_counts = Vec::with_capacity(limit * (keep + 1));
    for k in 0..=keep {
        weights.extend(leaves.get(k).map(|&l| l >> 9));
        leaf_counts.push(k.min(n) as u16);
    }
    let mut merged = Vec::with_capacity(keep);
    for _ in 1..limit {
        let (mut i, mut j) = (0, 0);
        merged.clear();
        leaf_counts.push(0);
        while merged.len() < keep {
            let package = weights.get(2 * j..2 * j + 2).map(|p| p[0] + p[1]);
            let leaf = leaves.get(i).map(|&l| l >> 9);
            let item = match (leaf, package) {
                (Some(l), Some(p)) if l > p => {
                    j += 1;
                    p
                }
                (None, Some(p)) => {
                    j += 1;
                    p
                }
                (Some(l), _) => {
                    i += 1;
                    l
                }
                (None, None) => break,
            };
            merged.push(item);
            leaf_counts.push(i as u16);
        }
        // Early lists can be shorter; their counts are padded to keep every level's alike.
        leaf_counts.resize(leaf_counts.len() + keep - merged.len(), i as u16);
        std::mem::swap(&mut weights, &mut merged);
    }
    // The first 2n - 2 items of the last list make the code; a leaf's length is the number of
    // levels it is taken at, and the packages taken at one level take twice as many items
    // from the level below.
    let mut lengths = vec![0u8; freq.len()];
    let mut take = keep;
    for level in (0..limit).rev() {
        let taken = leaf_counts.get(level * (keep + 1) + take);
        let taken = usize::from(taken.copied().unwrap_or(0));
        for &leaf in leaves.iter().take(taken) {
            lengths[(leaf & 511) as usize] += 1;
        }
        take = 2 * (take - taken);
    }
    lengths
}

/// Canonical codes (3.2.2) for `lengths`, bit-reversed to be written least significant bit
/// first.
fn codes(lengths: &[u8]) -> Vec<u16> {
    let mut count = [0u32; 16];
    for &l in lengths {
        count[usize::from(l & 15)] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    let mut codes = Vec::with_capacity(lengths.len());
    for &l in lengths {
        let l = usize::from(l & 15);
        let code = next[l] as u16;
        next[l] += 1;
        codes.push(if l == 0 {
            0
        } else {
            code.reverse_bits() >> (16 - l)
        });
    }
    codes
}

/// `data`, a raw DEFLATE stream, unpacked; an error when it is not valid or would unpack to
/// more than `limit` bytes. Bytes after the final block are ignored.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    let mut input = Input {
        data,
        pos: 0,
        bits: 0,
        count: 0,
    };
    let mut out = Vec::new();
    loop {
        let last = input.take(1)?;
        match input.take(2)? {
            0 => {
                // Stored: to the byte boundary, LEN and its complement, LEN bytes.
                input.take(input.count % 8)?;
                let len = input.take(16)?;
                if input.take(16)? != !len & 0xFFFF {
                    return Err(Error::Damaged);
                }
                let bytes = input.bytes(len as usize)?;
                room(&mut out, bytes.len(), limit)?;
                out.extend_from_slice(bytes);
            }
            1 => {
                let lit = Huffman::new(&FIXED[..288])?;
                let dist = Huffman::new(&FIXED[288..])?;
                inflate_block(&mut input, &mut out, limit, &lit, &dist)?;
            }
            2 => {
                let (lit, dist) = read_header(&mut input)?;
                inflate_block(&mut input, &mut out, limit, &lit, &dist)?;
            }
            _ => return Err(Error::Damaged),
        }
        if last == 1 {
            return Ok(out);
        }
    }
}

/// Makes room for `more` bytes of output, or refuses when that would pass `limit`. The
/// vector grows by doubling, but never past the limit.
fn room(out: &mut Vec<u8>, more: usize, limit: usize) -> Result<(), Error> {
    let left = limit.saturating_sub(out.len());
    if more > left {
        return Err(Error::TooLarge);
    }
    if out.capacity() - out.len() < more {
        out.reserve_exact(more.max(out.len()).max(1024).min(left));
    }
    Ok(())
}

/// The literals, lengths and distances of one Huffman-coded block, up to its end code.
fn inflate_block(
    input: &mut Input,
    out: &mut Vec<u8>,
    limit: usize,
    lit: &Huffman,
    dist: &Huffman,
) -> Result<(), Error> {
    loop {
        let symbol = lit.decode(input)?;
        if symbol < 256 {
            room(out, 1, limit)?;
            out.push(symbol as u8);
            continue;
        }
        if symbol == 256 {
            return Ok(());
        }
        // Symbols 286 and 287 (only a fixed block can hold them) have no entry: damaged.
        let i = symbol - 257;
        let (base, extra) = LEN_BASE
            .get(i)
            .zip(LEN_EXTRA.get(i))
            .ok_or(Error::Damaged)?;
        let len = usize::from(*base) + input.take(u32::from(*extra))? as usize;
        let d = dist.decode(input)?;
        let (base, extra) = DIST_BASE
            .get(d)
            .zip(DIST_EXTRA.get(d))
            .ok_or(Error::Damaged)?;
        let distance = usize::from(*base) + input.take(u32::from(*extra))? as usize;
        if distance > out.len() {
            return Err(Error::Damaged);
        }
        room(out, len, limit)?;
        // The copy may overlap what it writes (a run); copying from the start in pieces at
        // most as long as what is already there repeats it correctly.
        let start = out.len() - distance;
        let end = out.len() + len;
        while out.len() < end {
            let n = (end - out.len()).min(out.len() - start);
            out.extend_from_within(start..start + n);
        }
    }
}

/// A dynamic block's header: the code-length code, then with it both codes' lengths.
fn read_header(input: &mut Input) -> Result<(Huffman, Huffman), Error> {
    let lit_count = input.take(5)? as usize + 257;
    let dist_count = input.take(5)? as usize + 1;
    let order_count = input.take(4)? as usize + 4;
    if lit_count > 286 || dist_count > 30 {
        return Err(Error::Damaged);
    }
    let mut run_len = [0u8; 19];
    for &symbol in &ORDER[..order_count] {
        run_len[symbol] = input.take(3)? as u8;
    }
    let runs = Huffman::new(&run_len)?;
    if runs.incomplete {
        return Err(Error::Damaged);
    }
    let total = lit_count + dist_count;
    let mut lengths = [0u8; 286 + 30];
    let mut i = 0;
    while i < total {
        let symbol = runs.decode(input)?;
        let (value, repeat) = match symbol {
            0..=15 => (symbol as u8, 1),
            16 => {
                let previous = i.checked_sub(1).ok_or(Error::Damaged)?;
                (lengths[previous], 3 + input.take(2)?)
            }
            17 => (0, 3 + input.take(3)?),
            _ => (0, 11 + input.take(7)?),
        };
        let end = i + repeat as usize;
        lengths
            .get_mut(i..end)
            .filter(|_| end <= total)
            .ok_or(Error::Damaged)?
            .fill(value);
        i = end;
    }
    // A block without an end code could never end.
    if lengths[256] == 0 {
        return Err(Error::Damaged);
    }
    let lit = Huffman::new(&lengths[..lit_count])?;
    let dist = Huffman::new(&lengths[lit_count..total])?;
    // An incomplete code is refused, except the one RFC 1951 allows: a single code of one bit
    // (or, for distances, none at all, for a block of literals only).
    for code in [&lit, &dist] {
        let used: u16 = code.counts.iter().sum();
        if code.incomplete && !(used <= 1 && code.counts[1] == used) {
            return Err(Error::Damaged);
        }
    }
    Ok((lit, dist))
}

/// Bits in, least significant first. Past the end of the data it reads zeros, so a code can
/// be looked up near the end, but taking any of those bits is an error.
struct Input<'a> {
    data: &'a [u8],
    /// The next byte to load; past `data.len()` once zeros are loaded.
    pos: usize,
    bits: u64,
    count: u32,
}

impl<'a> Input<'a> {
    /// Loads bytes until at least 57 bits are buffered.
    fn fill(&mut self) {
        while self.count <= 56 {
            let byte = self.data.get(self.pos).copied().unwrap_or(0);
            self.bits |= u64::from(byte) << self.count;
            self.pos += 1;
            self.count += 8;
        }
    }

    /// Drops `n` bits (at most 57, after `fill`); an error when they were past the end.
    fn drop(&mut self, n: u32) -> Result<(), Error> {
        self.bits >>= n;
        self.count -= n;
        let zeros = self.pos.saturating_sub(self.data.len()) * 8;
        if zeros > self.count as usize {
            return Err(Error::Damaged);
        }
        Ok(())
    }

    /// The next `n` bits (at most 16) as a number.
    fn take(&mut self, n: u32) -> Result<u32, Error> {
        self.fill();
        let value = (self.bits & ((1 << n) - 1)) as u32;
        self.drop(n)?;
        Ok(value)
    }

    /// The next `len` bytes, for a stored block (the input is at a byte boundary).
    fn bytes(&mut self, len: usize) -> Result<&'a [u8], Error> {
        // Hand back the whole bytes still buffered, and read straight from the data.
        let at = self.pos - (self.count / 8) as usize;
        let bytes = self.data.get(at..at + len).ok_or(Error::Damaged)?;
        self.pos = at + len;
        self.bits = 0;
        self.count = 0;
        Ok(bytes)
    }
}

/// Codes up to this long are decoded with one table look-up; longer ones code length by
/// code length. Short codes are the frequent ones.
const FAST_BITS: u32 = 9;

/// A canonical Huffman code, for decoding.
struct Huffman {
    /// How many codes of each length (index 0 unused).
    counts: [u16; 16],
    /// The symbols in code order: by length, then by symbol.
    symbols: [u16; 288],
    /// Indexed by the next FAST_BITS bits: symbol << 4 | length, or 0 for a longer code.
    fast: [u16; 1 << FAST_BITS],
    /// Some bit sequences are no code; only some codes may be so (see `read_header`).
    incomplete: bool,
}

impl Huffman {
    /// The code with the given lengths (0 for an unused symbol); an error when the lengths
    /// ask for more codes than there are (over-subscribed).
    fn new(lengths: &[u8]) -> Result<Self, Error> {
        let mut code = Huffman {
            counts: [0; 16],
            symbols: [0; 288],
            fast: [0; 1 << FAST_BITS],
            incomplete: false,
        };
        for &l in lengths {
            code.counts[usize::from(l & 15)] += 1;
        }
        code.counts[0] = 0;
        let mut offsets = [0u16; 16];
        let mut left = 1i32;
        let mut total = 0;
        for (offset, &count) in offsets.iter_mut().zip(&code.counts).skip(1) {
            left = (left << 1) - i32::from(count);
            if left < 0 {
                return Err(Error::Damaged);
            }
            *offset = total;
            total += count;
        }
        code.incomplete = left > 0;
        for (symbol, &l) in lengths.iter().enumerate() {
            let l = usize::from(l & 15);
            if l != 0 {
                let slot = code.symbols.get_mut(usize::from(offsets[l]));
                *slot.ok_or(Error::Damaged)? = symbol as u16;
                offsets[l] += 1;
            }
        }
        // Canonical codes in order; each short one fills every table entry it begins.
        let (mut next, mut index) = (0u32, 0usize);
        for len in 1..=FAST_BITS {
            for _ in 0..code.counts[len as usize] {
                let symbol = code.symbols[index];
                let reversed = (next as u16).reverse_bits() >> (16 - len);
                for slot in code
                    .fast
                    .iter_mut()
                    .skip(usize::from(reversed))
                    .step_by(1 << len)
                {
                    *slot = symbol << 4 | len as u16;
                }
                next += 1;
                index += 1;
            }
            next <<= 1;
        }
        Ok(code)
    }

    /// The next symbol.
    fn decode(&self, input: &mut Input) -> Result<usize, Error> {
        input.fill();
        let entry = self.fast[(input.bits & ((1 << FAST_BITS) - 1)) as usize];
        if entry != 0 {
            input.drop(u32::from(entry & 15))?;
            return Ok(usize::from(entry >> 4));
        }
        // Code by code length: `first` is the first code of this length, `index` the position
        // of its symbol in `symbols`.
        let (mut code, mut first, mut index) = (0usize, 0usize, 0usize);
        for len in 1..16 {
            code |= (input.bits >> (len - 1)) as usize & 1;
            let count = usize::from(self.counts[len]);
            if code < first + count {
                input.drop(len as u32)?;
                let symbol = self.symbols.get(index + code - first);
                return symbol.map(|&s| usize::from(s)).ok_or(Error::Damaged);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(Error::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PRESETS, preset, to_yaml};

    fn round_trip(data: &[u8]) -> Vec<u8> {
        let packed = compress(data);
        assert_eq!(
            compress(data),
            packed,
            "the same input gives the same bytes"
        );
        assert_eq!(decompress(&packed, data.len()).as_deref(), Ok(data));
        packed
    }

    /// Deterministic noise (xorshift), so a failure can be run again.
    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect()
    }

    fn preset_files(name: &str) -> Vec<(String, String)> {
        let bundle = crate::generate(&preset(name).unwrap().project());
        bundle
            .files()
            .iter()
            .map(|f| (f.path.clone(), f.contents.clone()))
            .collect()
    }

    #[test]
    fn round_trips_empty_input_and_one_byte() {
        assert_eq!(round_trip(b""), [0x03, 0x00]);
        round_trip(b"a");
        round_trip(b"ab");
        round_trip(b"abc");
        round_trip(&[0]);
    }

    /// Streams from zlib (Python's, level 9), which runs on every target, unlike miniz.
    #[test]
    fn reads_and_writes_fixed_blocks_as_zlib_does() {
        // Literals 144..=255 have 9-bit codes, numbered after all 8-bit ones (286 and 287 too).
        assert_eq!(compress("é".as_bytes()), [59, 188, 18, 0]);
        assert_eq!(
            decompress(&[59, 188, 18, 0], 2).as_deref(),
            Ok("é".as_bytes())
        );
        let hello = [203, 72, 205, 201, 201, 87, 200, 64, 39, 1];
        let text = b"hello hello hello hello";
        assert_eq!(decompress(&hello, 100).as_deref(), Ok(&text[..]));
        // zlib matches "hello " twice; one overlapping match of 17 is shorter still.
        assert_eq!(compress(text), [203, 72, 205, 201, 201, 87, 192, 32, 1]);
    }

    #[test]
    fn round_trips_repetitive_input_and_shrinks_it() {
        let runs = vec![b'x'; 100_000];
        assert!(round_trip(&runs).len() < 300);
        let text = "kind: Deployment\nmetadata:\n  name: api\n".repeat(500);
        assert!(round_trip(text.as_bytes()).len() < 300);
        round_trip(b"abcabcabcabcabcabcabcabcabcabcabcabcabcabcab");
    }

    #[test]
    fn round_trips_incompressible_input_stored_with_little_overhead() {
        for len in [1, 100, 65_535, 65_536, 200_000] {
            let data = noise(len, len as u64);
            let packed = round_trip(&data);
            // Stored blocks: five bytes per block of up to 64 KiB.
            assert!(packed.len() <= len + 5 * (len / BLOCK_SYMBOLS + 1), "{len}");
        }
    }

    #[test]
    fn round_trips_input_longer_than_the_window_and_a_block() {
        // A piece repeated at distances just inside and just outside the window, between
        // stretches of text.
        let piece = noise(1000, 7);
        let mut data = Vec::new();
        for gap in [WINDOW - 1000, WINDOW - 999, WINDOW - 1001, WINDOW, 10] {
            data.extend_from_slice(&piece);
            data.extend(noise(gap, gap as u64));
        }
        data.extend_from_slice(&piece);
        data.extend(
            "name: a\nimage: b\n"
                .repeat(20_000)
                .bytes()
                .zip(noise(340_000, 3))
                .map(|(t, n)| if n < 8 { b'#' } else { t }),
        );
        assert!(data.len() > 300_000);
        round_trip(&data);
    }

    #[test]
    fn round_trips_every_presets_files() {
        for p in PRESETS {
            for (path, text) in preset_files(p.name) {
                let packed = round_trip(text.as_bytes());
                // At worst stored: a 5-byte header.
                assert!(packed.len() <= text.len() + 5, "{}: {path}", p.name);
            }
            round_trip(to_yaml(&p.project()).as_bytes());
        }
    }

    #[test]
    fn length_and_distance_symbols_match_the_tables() {
        for len in MIN_MATCH..=MAX_MATCH {
            let c = length_code(len);
            let base = usize::from(LEN_BASE[c]);
            assert!(base <= len && len - base < 1 << LEN_EXTRA[c], "{len}");
        }
        for dist in 1..=WINDOW {
            let c = dist_code(dist);
            let base = usize::from(DIST_BASE[c]);
            assert!(base <= dist && dist - base < 1 << DIST_EXTRA[c], "{dist}");
        }
    }

    #[test]
    fn code_lengths_are_limited_and_complete() {
        // Fibonacci frequencies make the deepest unlimited tree.
        let mut freq = vec![1u32, 1];
        while freq.len() < 30 {
            freq.push(freq[freq.len() - 1] + freq[freq.len() - 2]);
        }
        for limit in [7, 15] {
            let lengths = code_lengths(&freq, limit);
            assert!(lengths.iter().all(|&l| (1..=limit as u8).contains(&l)));
            let kraft: u64 = lengths.iter().map(|&l| 1u64 << (limit as u8 - l)).sum();
            assert_eq!(kraft, 1 << limit, "{lengths:?}");
        }
        assert_eq!(code_lengths(&[0, 0, 0], 15), [1, 1, 0]);
        assert_eq!(code_lengths(&[0, 0, 5], 15), [1, 0, 1]);
        assert_eq!(code_lengths(&[5, 0, 0], 15), [1, 1, 0]);
        assert_eq!(code_lengths(&[1, 1, 2], 15), [2, 2, 1]);
    }

    // proptest builds natively only.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Package-merge against a plain Huffman tree: never more bits than the limit, never
        /// a code set that is over- or under-full, and the optimum whenever the plain tree
        /// fits the limit.
        #[test]
        fn code_lengths_are_optimal_within_the_limit(
            freq in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(0u32),
                    1..4u32,
                    1..70_000u32
                ],
                2..287,
            ),
        ) {
            use std::cmp::Reverse;
            use std::collections::BinaryHeap;
            for (freq, limit) in [(&freq[..], 15), (&freq[..freq.len().min(19)], 7)] {
                let lengths = code_lengths(freq, limit);
                let used = freq.iter().filter(|&&f| f > 0).count();
                let kraft: u64 = lengths
                    .iter()
                    .filter(|&&l| l > 0)
                    .map(|&l| 1u64 << (limit - usize::from(l)))
                    .sum();
                proptest::prop_assert_eq!(kraft, 1 << limit, "{:?}", lengths);
                for (&f, &l) in freq.iter().zip(&lengths) {
                    proptest::prop_assert!(usize::from(l) <= limit);
                    proptest::prop_assert!(f == 0 || l > 0);
                    proptest::prop_assert!(f > 0 || l == 0 || used < 2);
                }
                if used < 2 {
                    continue;
                }
                // The plain tree: merge the two lightest, noting the depth it reaches.
                let mut heap: BinaryHeap<_> = freq
                    .iter()
                    .filter(|&&f| f > 0)
                    .map(|&f| Reverse((u64::from(f), 0u32)))
                    .collect();
                let mut optimum = 0;
                let mut depth = 0;
                while heap.len() > 1 {
                    let (Some(Reverse(a)), Some(Reverse(b))) = (heap.pop(), heap.pop()) else {
                        break;
                    };
                    optimum += a.0 + b.0;
                    depth = a.1.max(b.1) + 1;
                    heap.push(Reverse((a.0 + b.0, depth)));
                }
                let cost: u64 = freq
                    .iter()
                    .zip(&lengths)
                    .map(|(&f, &l)| u64::from(f) * u64::from(l))
                    .sum();
                proptest::prop_assert!(cost >= optimum);
                if depth as usize <= limit {
                    proptest::prop_assert_eq!(cost, optimum);
                }
            }
        }
    }

    #[test]
    fn output_past_the_limit_is_refused() {
        let data = vec![b'a'; 10_000];
        let packed = compress(&data);
        assert_eq!(decompress(&packed, 10_000).map(|d| d.len()), Ok(10_000));
        assert_eq!(decompress(&packed, 9_999), Err(Error::TooLarge));
        assert_eq!(decompress(&packed, 0), Err(Error::TooLarge));
        let stored = compress(&noise(5_000, 1));
        assert_eq!(decompress(&stored, 4_999), Err(Error::TooLarge));
        // A small stream that unpacks a thousandfold stops at the limit, not at its end.
        let bomb = compress(&vec![0; 4 << 20]);
        assert!(bomb.len() < 10_000, "{}", bomb.len());
        assert_eq!(decompress(&bomb, 1 << 20), Err(Error::TooLarge));
    }

    #[test]
    fn damaged_streams_are_errors_not_panics() {
        let text = preset_files("go-api")
            .into_iter()
            .map(|(_, t)| t)
            .collect::<String>();
        let text = &text.as_bytes()[..text.len().min(6_000)];
        let packed = compress(text);
        // Every truncation loses bits the final block needs.
        for len in 0..packed.len() {
            assert!(decompress(&packed[..len], 1 << 20).is_err(), "cut at {len}");
        }
        // A flipped bit may still be valid DEFLATE, but never panics or passes the limit.
        for bit in 0..packed.len() * 8 {
            let mut flipped = packed.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            if let Ok(out) = decompress(&flipped, text.len() + 100) {
                assert!(out.len() <= text.len() + 100);
            }
        }
        let stored = compress(&noise(300, 9));
        for bit in 0..stored.len() * 8 {
            let mut flipped = stored.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let _ = decompress(&flipped, 1 << 20);
        }
        let noise_streams = (0..2000).map(|seed| noise(seed % 64, seed as u64));
        for stream in noise_streams {
            let _ = decompress(&stream, 1 << 16);
        }
    }

    /// Bits written by hand, for headers no compressor writes.
    fn stream(bits: &[(u32, u32)]) -> Vec<u8> {
        let mut w = Writer::default();
        for &(value, count) in bits {
            w.put(value, count);
        }
        w.finish()
    }

    /// A literal/length symbol in the fixed code, as bits for `stream`.
    fn fixed(symbol: usize) -> (u32, u32) {
        let codes = codes(&FIXED[..288]);
        (u32::from(codes[symbol]), u32::from(FIXED[symbol]))
    }

    /// A distance symbol in the fixed code (five bits, most significant first).
    fn fixed_dist(symbol: u16) -> (u32, u32) {
        (u32::from(symbol.reverse_bits() >> 11), 5)
    }

    #[test]
    fn hand_made_bad_streams_are_refused() {
        let damaged = |bytes: &[u8]| assert_eq!(decompress(bytes, 1000), Err(Error::Damaged));
        // Reserved block type 3.
        damaged(&[0b111]);
        damaged(&[0b110]);
        // Stored, LEN and NLEN disagree; then agree but the bytes are missing.
        damaged(&[0b001, 5, 0, 0, 0, b'a']);
        damaged(&[0b001, 5, 0, !5, 0xFF, b'a']);
        assert_eq!(
            decompress(&[0b001, 1, 0, !1, 0xFF, b'a'], 10).as_deref(),
            Ok(&b"a"[..])
        );
        // Fixed block: "ab", then length 3 at distance 2 (fine), or at distance 3 (too far).
        let copy = |dist: u16| {
            let (a, b) = (fixed(97), fixed(98));
            stream(&[(0b011, 3), a, b, fixed(257), fixed_dist(dist), fixed(256)])
        };
        assert_eq!(decompress(&copy(1), 10).as_deref(), Ok(&b"ababa"[..]));
        damaged(&copy(2));
        // A match before any output.
        damaged(&stream(&[
            (0b011, 3),
            fixed(257),
            fixed_dist(0),
            fixed(256),
        ]));
        // Length symbols 286 and 287, distance symbols 30 and 31.
        for bad in [286, 287] {
            damaged(&stream(&[
                (0b011, 3),
                fixed(97),
                fixed(bad),
                fixed_dist(0),
                fixed(256),
            ]));
        }
        for bad in [30, 31] {
            damaged(&stream(&[
                (0b011, 3),
                fixed(97),
                fixed(257),
                fixed_dist(bad),
                fixed(256),
            ]));
        }
        // No final block: the stream just ends.
        damaged(&stream(&[(0b010, 3), fixed(256)]));

        // Dynamic headers: 257 literal/length and 1 distance lengths, 4 code-length lengths
        // (symbols 16, 17, 18, 0) of `lengths`.
        let dynamic = |lengths: [u32; 4], rest: &[(u32, u32)]| {
            let mut bits = vec![(0b101, 3), (0, 5), (0, 5), (0, 4)];
            bits.extend(lengths.map(|l| (l, 3)));
            bits.extend_from_slice(rest);
            stream(&bits)
        };
        // Over-subscribed: four codes of one bit.
        damaged(&dynamic([1, 1, 1, 1], &[]));
        // Incomplete code-length code: one code of two bits.
        damaged(&dynamic([0, 0, 0, 2], &[]));
        // Repeat (16) with no length before it. Both one-bit codes: 0 -> 0b0, 16 -> 0b1.
        damaged(&dynamic([1, 0, 0, 1], &[(1, 1), (0, 2)]));
        // 258 zeros, so no end-of-block code: 18 (11 + 127), 18 (11 + 109). 0 -> 0b0,
        // 18 -> 0b1.
        damaged(&dynamic(
            [0, 0, 1, 1],
            &[(1, 1), (127, 7), (1, 1), (109, 7)],
        ));
        // A run of zeros past the end of the lengths: 18 (11 + 127) twice.
        damaged(&dynamic(
            [0, 0, 1, 1],
            &[(1, 1), (127, 7), (1, 1), (127, 7)],
        ));
        // Too many literal/length (287) or distance (31) codes.
        damaged(&stream(&[(0b101, 3), (30, 5), (0, 5), (0, 4)]));
        damaged(&stream(&[(0b101, 3), (0, 5), (30, 5), (0, 4)]));
    }

    /// What RFC 1951 allows and zlib accepts: a literal/length code of one one-bit code (the
    /// end code) and no distance codes at all.
    #[test]
    fn a_single_one_bit_code_and_no_distance_codes_are_read() {
        // Code-length code: 0 in one bit, 1 and 18 in two.
        let mut run_len = [0u8; 19];
        (run_len[0], run_len[1], run_len[18]) = (1, 2, 2);
        let run_codes = codes(&run_len);
        let mut w = Writer::default();
        w.put(0b101, 3);
        w.put(0, 5);
        w.put(0, 5);
        w.put(14, 4); // 18 code-length lengths listed, up to symbol 1's
        for &symbol in ORDER.iter().take(18) {
            w.put(u32::from(run_len[symbol]), 3);
        }
        let put = |w: &mut Writer, s: usize| w.put(u32::from(run_codes[s]), run_len[s].into());
        // 256 zeros (18: 11 + 127, 18: 11 + 107), 1 for the end code, 0 for the only distance.
        put(&mut w, 18);
        w.put(127, 7);
        put(&mut w, 18);
        w.put(107, 7);
        put(&mut w, 1);
        put(&mut w, 0);
        w.put(0, 1); // the end code
        assert_eq!(decompress(&w.finish(), 10), Ok(Vec::new()));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod against_miniz {
        use super::*;
        use miniz_oxide::deflate::compress_to_vec;
        use miniz_oxide::inflate::decompress_to_vec;
        use proptest::prelude::*;

        /// Text like the files Shipshape writes: words, indents, punctuation, repeated.
        fn text_like() -> impl Strategy<Value = String> {
            let words = prop::sample::select(vec![
                "name",
                "image",
                ":",
                " ",
                "  ",
                "\n",
                "- ",
                "kind",
                "apiVersion",
                "RUN",
                "FROM",
                "\"",
                "8080",
                "true",
                "{{",
                "}}",
                "é",
                "✓",
                "${{ secrets.X }}",
                "#",
            ]);
            prop::collection::vec(words, 0..600).prop_map(|w| w.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

            #[test]
            fn miniz_reads_ours(
                bytes in prop::collection::vec(any::<u8>(), 0..3000),
                text in text_like(),
            ) {
                for data in [&bytes[..], text.as_bytes()] {
                    let back = decompress_to_vec(&compress(data)).ok();
                    prop_assert_eq!(back.as_deref(), Some(data));
                }
            }

            #[test]
            fn we_read_miniz(
                bytes in prop::collection::vec(any::<u8>(), 0..3000),
                text in text_like(),
            ) {
                for data in [&bytes[..], text.as_bytes()] {
                    for level in [0, 1, 6, 9] {
                        let back = decompress(&compress_to_vec(data, level), data.len());
                        prop_assert_eq!(back.as_deref(), Ok(data), "level {}", level);
                    }
                }
            }
        }

        #[test]
        fn miniz_and_we_read_each_other_on_large_inputs() {
            let text = preset_files("fullstack-fastapi-react")
                .into_iter()
                .map(|(_, t)| t)
                .collect::<String>()
                .repeat(4);
            let mut data = text.into_bytes();
            data.extend(noise(100_000, 5));
            assert_eq!(decompress_to_vec(&compress(&data)).ok(), Some(data.clone()));
            for level in [0, 1, 6, 9] {
                let theirs = compress_to_vec(&data, level);
                assert_eq!(decompress(&theirs, data.len()).as_ref(), Ok(&data));
            }
        }

        /// The ratio this module is held to: within 10% of miniz's best level on the files of
        /// the largest preset, zipped one by one, and on a share link's settings.
        #[test]
        fn compresses_within_ten_percent_of_miniz_level_9() {
            let files = preset_files("fullstack-fastapi-react");
            let raw: usize = files.iter().map(|(_, t)| t.len()).sum();
            let size = |f: &dyn Fn(&[u8]) -> Vec<u8>| -> usize {
                files
                    .iter()
                    .map(|(_, t)| f(t.as_bytes()).len().min(t.len()))
                    .sum()
            };
            let ours = size(&|d| compress(d));
            let six = size(&|d| compress_to_vec(d, 6));
            let nine = size(&|d| compress_to_vec(d, 9));
            println!(
                "full-stack: {} files, {raw} bytes -> ours {ours}, miniz 6 {six}, miniz 9 {nine} \
                 ({:+.2}% vs 9)",
                files.len(),
                (ours as f64 / nine as f64 - 1.0) * 100.0
            );
            assert!(ours * 10 <= nine * 11, "{ours} vs {nine}");

            let yaml = to_yaml(&preset("fullstack-fastapi-react").unwrap().project());
            let ours = compress(yaml.as_bytes()).len();
            let six = compress_to_vec(yaml.as_bytes(), 6).len();
            let nine = compress_to_vec(yaml.as_bytes(), 9).len();
            println!(
                "share YAML: {} bytes -> ours {ours}, miniz 6 {six}, miniz 9 {nine} \
                 ({:+.2}% vs 9)",
                yaml.len(),
                (ours as f64 / nine as f64 - 1.0) * 100.0
            );
            assert!(ours * 10 <= nine * 11, "{ours} vs {nine}");
        }
    }
}
