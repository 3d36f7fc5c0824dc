//! A small QR code encoder (ISO/IEC 18004) for the presentation bar: byte mode, error correction level L,
//! versions 1–20 (up to 858 bytes; longer links get no code). A general QR crate costs about 13 KB gzip in the
//! page; this is the part the page needs. Tests compare every module with the `qrcode` crate.

/// Per version 1–20 at level L: (EC codewords per block, blocks in group 1, data codewords per block in group 1,
/// blocks in group 2 — each with one more data codeword).
const BLOCKS_L: [(usize, usize, usize, usize); 20] = [
    (7, 1, 19, 0),
    (10, 1, 34, 0),
    (15, 1, 55, 0),
    (20, 1, 80, 0),
    (26, 1, 108, 0),
    (18, 2, 68, 0),
    (20, 2, 78, 0),
    (24, 2, 97, 0),
    (30, 2, 116, 0),
    (18, 2, 68, 2),
    (20, 4, 81, 0),
    (24, 2, 92, 2),
    (26, 4, 107, 0),
    (30, 3, 115, 1),
    (22, 5, 87, 1),
    (24, 5, 98, 1),
    (28, 1, 107, 5),
    (30, 5, 120, 1),
    (28, 3, 113, 4),
    (28, 3, 107, 5),
];

/// Alignment pattern centres per version 1–20.
const ALIGN: [&[usize]; 20] = [
    &[],
    &[6, 18],
    &[6, 22],
    &[6, 26],
    &[6, 30],
    &[6, 34],
    &[6, 22, 38],
    &[6, 24, 42],
    &[6, 26, 46],
    &[6, 28, 50],
    &[6, 30, 54],
    &[6, 32, 58],
    &[6, 34, 62],
    &[6, 26, 46, 66],
    &[6, 26, 48, 70],
    &[6, 26, 50, 74],
    &[6, 30, 54, 78],
    &[6, 30, 56, 82],
    &[6, 30, 58, 86],
    &[6, 34, 62, 90],
];

/// A QR code: `width × width` modules, row by row, `true` for dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    /// Modules per side.
    pub width: usize,
    /// The modules, row by row.
    pub dark: Vec<bool>,
}

impl Qr {
    /// Whether the module at column `x`, row `y` is dark.
    pub fn get(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }
}

fn data_capacity(v: usize) -> usize {
    let (_, g1, d1, g2) = BLOCKS_L[v - 1];
    g1 * d1 + g2 * (d1 + 1)
}

/// The data codewords: mode, count, bytes, terminator, padding.
fn data_codewords(data: &[u8], v: usize) -> Vec<u8> {
    let cap = data_capacity(v);
    let mut bits: Vec<bool> = Vec::with_capacity(cap * 8);
    let mut push = |value: usize, n: usize| (0..n).rev().for_each(|i| bits.push(value >> i & 1 == 1));
    push(0b0100, 4);
    push(data.len(), if v < 10 { 8 } else { 16 });
    for &b in data {
        push(b as usize, 8);
    }
    let room = cap * 8 - bits.len();
    bits.extend(std::iter::repeat_n(false, room.min(4)));
    while !bits.len().is_multiple_of(8) {
        bits.push(false);
    }
    let mut out: Vec<u8> = bits.chunks(8).map(|c| c.iter().fold(0u8, |a, &b| a << 1 | u8::from(b))).collect();
    let mut pad = [0xEC, 0x11].into_iter().cycle();
    while out.len() < cap {
        out.push(pad.next().unwrap_or(0xEC));
    }
    out
}

/// GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1.
fn gf_mul(a: u8, b: u8) -> u8 {
    let (mut a, mut b, mut r) = (a as u16, b, 0u16);
    while b != 0 {
        if b & 1 == 1 {
            r ^= a;
        }
        a <<= 1;
        if a & 0x100 != 0 {
            a ^= 0x11D;
        }
        b >>= 1;
    }
    r as u8
}

/// Reed–Solomon error correction codewords for one block.
fn ec_codewords(data: &[u8], n: usize) -> Vec<u8> {
    // Generator polynomial ∏ (x − αⁱ), i < n, highest coefficient first (implicit 1).
    let mut generator = vec![1u8];
    let mut alpha = 1u8;
    for _ in 0..n {
        let mut next = vec![0u8; generator.len() + 1];
        for (i, &c) in generator.iter().enumerate() {
            next[i] ^= c;
            next[i + 1] ^= gf_mul(c, alpha);
        }
        generator = next;
        alpha = gf_mul(alpha, 2);
    }
    let mut rem = vec![0u8; n];
    for &d in data {
        let factor = d ^ rem[0];
        rem.rotate_left(1);
        rem[n - 1] = 0;
        for (r, &g) in rem.iter_mut().zip(&generator[1..]) {
            *r ^= gf_mul(g, factor);
        }
    }
    rem
}

/// Data and EC codewords interleaved across blocks, as placed in the symbol.
fn codewords(data: &[u8], v: usize) -> Vec<u8> {
    let (ec, g1, d1, g2) = BLOCKS_L[v - 1];
    let mut blocks = Vec::new();
    let mut rest = data;
    for i in 0..g1 + g2 {
        let len = if i < g1 { d1 } else { d1 + 1 };
        let (block, tail) = rest.split_at(len);
        rest = tail;
        blocks.push((block, ec_codewords(block, ec)));
    }
    let mut out = Vec::new();
    for i in 0..=d1 {
        out.extend(blocks.iter().filter_map(|(d, _)| d.get(i)));
    }
    for i in 0..ec {
        out.extend(blocks.iter().map(|(_, e)| e[i]));
    }
    out
}

/// 15-bit format information for level L and a mask (BCH(15,5), masked with 0x5412).
fn format_bits(mask: usize) -> u32 {
    let data = (0b01 << 3 | mask as u32) << 10;
    let mut rem = data;
    for i in (10..15).rev() {
        if rem >> i & 1 == 1 {
            rem ^= 0x537 << (i - 10);
        }
    }
    (data | rem) ^ 0x5412
}

/// 18-bit version information (BCH(18,6)), versions 7 and up.
fn version_bits(v: usize) -> u32 {
    let data = (v as u32) << 12;
    let mut rem = data;
    for i in (12..18).rev() {
        if rem >> i & 1 == 1 {
            rem ^= 0x1F25 << (i - 12);
        }
    }
    data | rem
}

/// The eight mask conditions, written as the standard writes them.
#[allow(clippy::manual_is_multiple_of)]
fn mask_applies(mask: usize, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (x + y) % 3 == 0,
        4 => (y / 2 + x / 3) % 2 == 0,
        5 => (x * y) % 2 + (x * y) % 3 == 0,
        6 => ((x * y) % 2 + (x * y) % 3) % 2 == 0,
        _ => ((x + y) % 2 + (x * y) % 3) % 2 == 0,
    }
}

struct Grid {
    w: usize,
    dark: Vec<bool>,
    function: Vec<bool>,
}

impl Grid {
    fn set(&mut self, x: usize, y: usize, dark: bool) {
        self.dark[y * self.w + x] = dark;
        self.function[y * self.w + x] = true;
    }

    fn functional_patterns(&mut self, v: usize) {
        let w = self.w;
        for (cx, cy) in [(3, 3), (w - 4, 3), (3, w - 4)] {
            for dy in -4i32..=4 {
                for dx in -4i32..=4 {
                    let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                    if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < w {
                        let d = dx.abs().max(dy.abs());
                        self.set(x as usize, y as usize, d != 2 && d != 4);
                    }
                }
            }
        }
        for i in 8..w - 8 {
            self.set(i, 6, i.is_multiple_of(2));
            self.set(6, i, i.is_multiple_of(2));
        }
        let centres = ALIGN[v - 1];
        for &cy in centres {
            for &cx in centres {
                let on_finder = (cx == 6 && (cy == 6 || cy == w - 7)) || (cx == w - 7 && cy == 6);
                if on_finder {
                    continue;
                }
                for dy in -2i32..=2 {
                    for dx in -2i32..=2 {
                        let d = dx.abs().max(dy.abs());
                        self.set((cx as i32 + dx) as usize, (cy as i32 + dy) as usize, d != 1);
                    }
                }
            }
        }
        // Format areas (written after masking) and the dark module.
        for i in (0..9).filter(|&i| i != 6) {
            self.set(8, i, false);
            self.set(i, 8, false);
        }
        for i in 0..8 {
            self.set(w - 1 - i, 8, false);
            self.set(8, w - 1 - i, false);
        }
        self.set(8, w - 8, true);
        if v >= 7 {
            let bits = version_bits(v);
            for i in 0..18 {
                let dark = bits >> i & 1 == 1;
                let (a, b) = (w - 11 + i % 3, i / 3);
                self.set(a, b, dark);
                self.set(b, a, dark);
            }
        }
    }

    fn place(&mut self, codewords: &[u8]) {
        let w = self.w;
        let mut bits = codewords.iter().flat_map(|&c| (0..8).rev().map(move |i| c >> i & 1 == 1));
        let mut right = w as i32 - 1;
        let mut upward = true;
        while right > 0 {
            if right == 6 {
                right = 5;
            }
            for k in 0..w {
                let y = if upward { w - 1 - k } else { k };
                for dx in 0..2 {
                    let x = right as usize - dx;
                    if !self.function[y * w + x] {
                        self.dark[y * w + x] = bits.next().unwrap_or(false);
                    }
                }
            }
            upward = !upward;
            right -= 2;
        }
    }

    fn masked(&self, mask: usize) -> Vec<bool> {
        let w = self.w;
        let mut out = self.dark.clone();
        for y in 0..w {
            for x in 0..w {
                if !self.function[y * w + x] && mask_applies(mask, x, y) {
                    out[y * w + x] = !out[y * w + x];
                }
            }
        }
        let f = format_bits(mask);
        for i in 0..15 {
            let dark = f >> i & 1 == 1;
            // Around the top-left finder.
            let (x, y) = match i {
                0..=5 => (8, i),
                6 => (8, 7),
                7 => (8, 8),
                8 => (7, 8),
                _ => (14 - i, 8),
            };
            out[y * w + x] = dark;
            // Split between the other two finders.
            let (x, y) = if i < 8 { (w - 1 - i, 8) } else { (8, w - 15 + i) };
            out[y * w + x] = dark;
        }
        out
    }
}

/// The ISO penalty of a masked symbol (lower is easier to read).
fn penalty(w: usize, m: &[bool]) -> usize {
    let at = |x: usize, y: usize| m[y * w + x];
    let mut score = 0;
    // N1: runs of five or more in a row or column; N3: finder-like 1:1:3:1:1 with four light modules on a side.
    for transpose in [false, true] {
        let get = |i: usize, j: usize| if transpose { at(i, j) } else { at(j, i) };
        for i in 0..w {
            let mut run = 1;
            for j in 1..w {
                if get(i, j) == get(i, j - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += run - 2;
                    }
                    run = 1;
                }
            }
            if run >= 5 {
                score += run - 2;
            }
            for j in 0..w.saturating_sub(6) {
                let core = [true, false, true, true, true, false, true];
                if (0..7).all(|k| get(i, j + k) == core[k]) {
                    let light = |from: i32| (from..from + 4).all(|k| k < 0 || k >= w as i32 || !get(i, k as usize));
                    if light(j as i32 - 4) || light(j as i32 + 7) {
                        score += 40;
                    }
                }
            }
        }
    }
    // N2: 2×2 blocks of one colour.
    for y in 0..w - 1 {
        for x in 0..w - 1 {
            let c = at(x, y);
            if c == at(x + 1, y) && c == at(x, y + 1) && c == at(x + 1, y + 1) {
                score += 3;
            }
        }
    }
    // N4: how far the dark share is from 50 %.
    let dark = m.iter().filter(|&&d| d).count();
    let total = w * w;
    let k = (dark * 20).abs_diff(total * 10) / total;
    score + k * 10
}

/// Encodes bytes at level L in the smallest version that holds them; `None` above version 20.
pub fn encode(data: &[u8]) -> Option<Qr> {
    let v = (1..=20).find(|&v| 4 + if v < 10 { 8 } else { 16 } + data.len() * 8 <= data_capacity(v) * 8)?;
    Some(encode_with(data, v, None))
}

/// Encodes at a given version, with a given mask or the best one.
pub fn encode_with(data: &[u8], v: usize, mask: Option<usize>) -> Qr {
    let w = 17 + 4 * v;
    let mut g = Grid { w, dark: vec![false; w * w], function: vec![false; w * w] };
    g.functional_patterns(v);
    g.place(&codewords(&data_codewords(data, v), v));
    let dark = match mask {
        Some(m) => g.masked(m),
        None => (0..8).map(|m| g.masked(m)).min_by_key(|m| penalty(w, m)).unwrap_or_default(),
    };
    Qr { width: w, dark }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::bits::Bits;
    use qrcode::canvas::{Canvas, MaskPattern};
    use qrcode::{EcLevel, Version};

    const MASKS: [MaskPattern; 8] = [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ];

    /// The `qrcode` crate's symbol for the same bytes in byte mode at the same version and mask.
    fn oracle(data: &[u8], v: usize, mask: Option<usize>) -> Vec<bool> {
        let version = Version::Normal(v as i16);
        let mut bits = Bits::new(version);
        bits.push_byte_data(data).unwrap();
        bits.push_terminator(EcLevel::L).unwrap();
        let (data_cw, ec_cw) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::L).unwrap();
        let mut canvas = Canvas::new(version, EcLevel::L);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data_cw, &ec_cw);
        let canvas = match mask {
            Some(m) => {
                canvas.apply_mask(MASKS[m]);
                canvas
            }
            None => canvas.apply_best_mask(),
        };
        canvas.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect()
    }

    /// The modules that differ, as (x, y).
    fn diff(w: usize, a: &[bool], b: &[bool]) -> Vec<(usize, usize)> {
        (0..a.len()).filter(|&i| a[i] != b[i]).map(|i| (i % w, i / w)).collect()
    }

    fn sample(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..len)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (x >> 33) as u8
            })
            .collect()
    }

    #[test]
    fn every_version_and_mask_matches_the_qrcode_crate() {
        for v in 1..=20 {
            let len = (data_capacity(v) - 3).min(300);
            let data = sample(len, v as u64);
            for mask in 0..8 {
                let ours = encode_with(&data, v, Some(mask));
                let d = diff(ours.width, &ours.dark, &oracle(&data, v, Some(mask)));
                assert!(d.is_empty(), "version {v} mask {mask}: modules differ at {d:?}");
            }
        }
    }

    #[test]
    fn links_match_the_qrcode_crate_including_the_mask_choice() {
        for (i, len) in [1usize, 17, 40, 77, 120, 200, 333, 500, 790].into_iter().enumerate() {
            let mut link = b"http://127.0.0.1:8080/#v1;p=outlook-express;s=12;message.subject=".to_vec();
            link.extend(sample(len, i as u64).iter().map(|b| b'a' + b % 26));
            let qr = encode(&link).unwrap();
            let v = (qr.width - 17) / 4;
            let d = diff(qr.width, &qr.dark, &oracle(&link, v, None));
            assert!(d.is_empty(), "{} bytes: modules differ at {d:?}", link.len());
        }
        assert!(encode(&[b'x'; 859]).is_none(), "longer than version 20 holds");
    }
}
