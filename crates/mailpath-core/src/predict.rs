//! Predict, then reveal: the decisive moments of a run — each server's gate at `RCPT TO`, a connection that
//! fails, a refusal before any recipient — with the answer the run gives, for the app to ask before it shows
//! them. Grading compares the learner's choice with the run itself.

use crate::actor::HostId;
use crate::named::Named;
use crate::named_enum;
use crate::scenario::{Scenario, Sender};
use crate::trace::{EventKind, Trace, Verdict, Why};

named_enum! {
    /// What a server will answer.
    pub enum Answer {
        /// It takes the recipient.
        Accept = "accept" / "Accept",
        /// A relay request, refused.
        RelayDenied = "relay-denied" / "Relay denied",
        /// No such mailbox.
        UnknownUser = "unknown-user" / "Unknown user",
        /// Refused for now: try again later.
        TryLater = "try-later" / "Try again later",
        /// The connection never gets an answer.
        NoAnswer = "no-answer" / "No answer at all",
        /// Refused for another reason.
        Other = "other" / "Refused for another reason",
    }
}

named_enum! {
    /// Who tells the sender that the mail did not go, and how.
    pub enum Teller {
        /// The mail program shows an error at once.
        Dialog = "dialog" / "An error dialog now",
        /// A server that took the message writes a bounce.
        Bounce = "bounce" / "A bounce later",
        /// Nobody yet: a server keeps the message and tries again.
        Nobody = "nobody" / "Nobody yet",
    }
}

/// A moment to ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// The event that answers (play stops on the event before it).
    pub step: usize,
    /// The server that answers (or that the connection was for).
    pub host: HostId,
    /// What it answers.
    pub answer: Answer,
    /// For Alice's mail: who tells her (nobody yet, for an accept).
    pub teller: Option<Teller>,
    /// The reason, for the reveal.
    pub why: Why,
}

fn answer(verdict: Verdict, why: Why) -> Answer {
    match (verdict, why) {
        (Verdict::Accept, _) => Answer::Accept,
        (_, Why::RelayDenied | Why::RelayDeferred | Why::SenderRouting) => Answer::RelayDenied,
        (_, Why::UserUnknown) => Answer::UnknownUser,
        (Verdict::Defer, _) | (_, Why::Greylisted | Why::TempFail | Why::DnsTempFail) => Answer::TryLater,
        _ => Answer::Other,
    }
}

/// Who tells the sender about a refusal on a connection from `from`.
/// Asked of Alice's mail only (a spammer's tool tells nobody); for an accept the answer is "nobody yet", so the
/// question itself gives nothing away.
fn teller(s: &Scenario, from: HostId, answer: Answer) -> Option<Teller> {
    if s.sender != Sender::Alice {
        return None;
    }
    match answer {
        Answer::Accept => Some(Teller::Nobody),
        _ if from == HostId::Alice => Some(Teller::Dialog),
        _ if matches!(from, HostId::Alice | HostId::Mallory | HostId::Tester) => None,
        Answer::TryLater | Answer::NoAnswer => Some(Teller::Nobody),
        _ => Some(Teller::Bounce),
    }
}

/// The decisive moments of a run, in order: the first decision on each connection, each failed connection,
/// and the first refusal on a connection that has no decision (at `MAIL FROM`, `AUTH`, the end of the data).
pub fn moments(s: &Scenario, t: &Trace) -> Vec<Moment> {
    let mut out: Vec<Moment> = Vec::new();
    let mut decided = vec![false; t.hops.len()];
    for e in &t.events {
        if let (EventKind::Decision(_), Some(h)) = (&e.kind, e.hop) {
            if let Some(d) = decided.get_mut(h) {
                *d = true;
            }
        }
    }
    let mut asked = vec![false; t.hops.len()];
    for (i, e) in t.events.iter().enumerate() {
        let Some(h) = e.hop.filter(|h| *h < t.hops.len()) else { continue };
        let hop = &t.hops[h];
        let moment = match &e.kind {
            EventKind::Decision(d) if !asked[h] => {
                let a = answer(d.verdict, d.why);
                Some(Moment { step: i, host: e.actor, answer: a, teller: teller(s, hop.from, a), why: d.why })
            }
            EventKind::ConnectFailed { .. } => Some(Moment {
                step: i,
                host: hop.to,
                answer: Answer::NoAnswer,
                teller: teller(s, hop.from, Answer::NoAnswer),
                why: e.why.unwrap_or(Why::ConnectionRefused),
            }),
            EventKind::Reply(r) if !decided[h] && !asked[h] && !r.is_positive() => {
                let why = e.why.unwrap_or(t.outcome.why);
                let verdict = if r.code < 500 { Verdict::Defer } else { Verdict::Refuse };
                let a = answer(verdict, why);
                Some(Moment { step: i, host: hop.to, answer: a, teller: teller(s, hop.from, a), why })
            }
            _ => None,
        };
        if let Some(m) = moment {
            asked[h] = true;
            out.push(m);
        }
    }
    out
}

/// The question for a moment: `What will mx1.corp-b.example answer?`.
pub fn question(s: &Scenario, m: &Moment) -> String {
    format!("What will {} answer?", crate::world::host(m.host, s).name)
}

/// What a reveal says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    /// The answer was right.
    pub answer_right: bool,
    /// The teller was right (true when it was not asked).
    pub teller_right: bool,
    /// What happens and why, with the facts the server checked.
    pub text: String,
}

impl Reveal {
    /// Everything asked was right.
    pub fn right(&self) -> bool {
        self.answer_right && self.teller_right
    }
}

/// Grades a prediction against the run and says why.
pub fn reveal(s: &Scenario, t: &Trace, m: &Moment, answer: Answer, teller: Option<Teller>) -> Reveal {
    let name = crate::world::host(m.host, s).name;
    let mut text = format!("{name}: {}.", m.answer.label());
    if let Some(EventKind::Decision(d)) = t.events.get(m.step).map(|e| &e.kind) {
        text.push(' ');
        text.push_str(&crate::explain::decision(d, name.as_ref()));
    }
    text.push(' ');
    text.push_str(crate::explain::why(m.why));
    if let Some(tell) = m.teller {
        text.push(' ');
        text.push_str(match tell {
            Teller::Nobody if m.answer == Answer::Accept => {
                "Nothing went wrong here, so nobody has anything to tell Alice."
            }
            Teller::Dialog => {
                "The refusal reaches Alice's mail program during the conversation: it shows an error now."
            }
            Teller::Bounce => {
                "A server had already taken the message, so that server writes a bounce back to the sender."
            }
            Teller::Nobody => "The sending server keeps the message and tries again later: nobody is told yet.",
        });
    }
    Reveal { answer_right: answer == m.answer, teller_right: m.teller.is_none() || teller == m.teller, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    fn of(slug: &str) -> (Scenario, Trace, Vec<Moment>) {
        let s = presets::get(slug).unwrap().scenario();
        let t = crate::run(&s);
        let m = moments(&s, &t);
        (s, t, m)
    }

    #[test]
    fn the_article_asks_at_the_providers_gate() {
        let (s, t, m) = of("outlook-express");
        let last = m.last().unwrap();
        assert_eq!(
            (last.host, last.answer, last.teller),
            (HostId::Provider, Answer::RelayDenied, Some(Teller::Dialog))
        );
        assert_eq!(question(&s, last), "What will smtp.isp-a.example answer?");
        let r = reveal(&s, &t, last, Answer::RelayDenied, Some(Teller::Dialog));
        assert!(r.right() && r.text.contains("authenticated? no"), "{}", r.text);
        assert!(!reveal(&s, &t, last, Answer::Accept, Some(Teller::Dialog)).right());
        assert!(!reveal(&s, &t, last, Answer::RelayDenied, Some(Teller::Bounce)).right());
    }

    #[test]
    fn a_misconfigured_recipient_refuses_after_the_provider_accepts() {
        let (_, _, m) = of("recipient-misconfigured");
        let got: Vec<_> = m.iter().map(|m| (m.host, m.answer, m.teller)).collect();
        assert_eq!(
            got[..2],
            [
                (HostId::Provider, Answer::Accept, Some(Teller::Nobody)),
                (HostId::Mx, Answer::RelayDenied, Some(Teller::Bounce))
            ]
        );
        let (_, _, m) = of("open-relay-abused");
        assert!(m.iter().all(|m| m.teller.is_none()), "a spammer's tool tells nobody: {m:?}");
    }

    #[test]
    fn greylisting_and_blocked_ports_have_their_own_answers() {
        let (_, _, m) = of("greylisting");
        assert!(m.iter().any(|m| m.answer == Answer::TryLater && m.teller == Some(Teller::Nobody)), "{m:?}");
        let (_, _, m) = of("hotel-port25-blocked");
        assert_eq!((m[0].answer, m[0].teller), (Answer::NoAnswer, Some(Teller::Dialog)));
        let (_, _, m) = of("unknown-user");
        assert!(m.iter().any(|m| m.answer == Answer::UnknownUser && m.teller == Some(Teller::Bounce)), "{m:?}");
    }

    /// Predict mode works in every preset: each has a moment, and the moments are in order inside the trace.
    #[test]
    fn every_preset_has_moments_in_order() {
        for p in presets::ALL {
            let (s, t, m) = of(p.slug);
            assert!(!m.is_empty(), "{}", p.slug);
            assert!(m.windows(2).all(|w| w[0].step < w[1].step), "{}", p.slug);
            assert!(m.iter().all(|m| m.step > 0 && m.step < t.events.len()), "{}", p.slug);
            for x in &m {
                assert!(reveal(&s, &t, x, x.answer, x.teller).right(), "{}", p.slug);
            }
        }
    }
}
