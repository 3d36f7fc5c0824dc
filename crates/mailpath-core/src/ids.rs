//! Queue ids in each flavour's own shape, minted from the run's seeded generator.

use crate::rng::Rng;
use crate::scenario::Flavour;

const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn pick(rng: &mut Rng, alphabet: &[u8], n: usize) -> String {
    (0..n).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char).collect()
}

/// A new queue id as `flavour` writes them (`5EE27CC902`, `1Pwyrg-00074n-5S`, …) at Unix time `unix`.
pub fn queue_id(flavour: Flavour, rng: &mut Rng, unix: i64) -> String {
    match flavour {
        Flavour::Postfix => pick(rng, b"0123456789ABCDEF", 10),
        Flavour::Sendmail => format!("{}{:06}", pick(rng, B62, 8), rng.below(1_000_000)),
        Flavour::Exim => format!("{}-{}-{}", pick(rng, B62, 6), pick(rng, B62, 6), pick(rng, B62, 2)),
        Flavour::Exchange | Flavour::Exchange2010 => {
            let h = |rng: &mut Rng, n| pick(rng, b"0123456789abcdef", n);
            format!("{}-{}-{}-{}-{}", h(rng, 8), h(rng, 4), h(rng, 4), h(rng, 4), h(rng, 12))
        }
        Flavour::Qmail => format!("{unix} qp {}", 1000 + rng.below(60_000)),
        Flavour::Stalwart => pick(rng, b"0123456789abcdef", 16),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::Named;

    #[test]
    fn ids_have_their_flavours_shape() {
        let mut rng = Rng::new(9);
        let id = queue_id(Flavour::Postfix, &mut rng, 0);
        assert_eq!(id.len(), 10);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        assert_eq!(queue_id(Flavour::Exim, &mut rng, 0).len(), 16);
        for f in Flavour::ALL {
            assert!(!queue_id(*f, &mut rng, 1).is_empty());
        }
    }
}
