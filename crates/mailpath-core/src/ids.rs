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
        // The message id part of an envelope id: eight hex digits.
        Flavour::OpenSmtpd => pick(rng, b"0123456789abcdef", 8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_flavours_shape() {
        let mut rng = Rng::new(9);
        let id = queue_id(Flavour::Postfix, &mut rng, 0);
        assert_eq!(id.len(), 10);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        let exim = queue_id(Flavour::Exim, &mut rng, 0);
        let parts: Vec<&str> = exim.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [6, 6, 2], "{exim}");
        let qmail = queue_id(Flavour::Qmail, &mut rng, 1_726_092_354);
        assert!(qmail.starts_with("1726092354 qp ") && qmail[14..].parse::<u32>().is_ok(), "{qmail}");
        let exchange = queue_id(Flavour::Exchange, &mut rng, 0);
        assert_eq!(exchange.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{exchange}");
        // The same seed gives the same ids; ids of one run differ.
        let ids = |seed| (0..50).map(|_| queue_id(Flavour::Postfix, &mut Rng::new(seed), 0)).collect::<Vec<_>>();
        assert_eq!(ids(3), ids(3));
        let mut one = Rng::new(4);
        let run: std::collections::BTreeSet<String> =
            (0..50).map(|_| queue_id(Flavour::Postfix, &mut one, 0)).collect();
        assert_eq!(run.len(), 50);
    }
}
