//! The simulated clock: seconds since the scenario starts, and the dates mail headers print.

use core::fmt;

/// Seconds since the scenario's first event.
pub type Secs = u32;

/// One minute, hour and day in seconds.
pub const MINUTE: Secs = 60;
/// One hour in seconds.
pub const HOUR: Secs = 3600;
/// One day in seconds.
pub const DAY: Secs = 86_400;

/// When every scenario starts: Monday 2 March 2026, 09:00:00 UTC (Unix time).
pub const EPOCH: i64 = 1_772_442_000;

/// A civil date and time in UTC, from Unix seconds (Howard Hinnant's days-from-civil algorithm, inverted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month 1–12.
    pub month: u32,
    /// Day of month 1–31.
    pub day: u32,
    /// Hour 0–23.
    pub hour: u32,
    /// Minute 0–59.
    pub minute: u32,
    /// Second 0–59.
    pub second: u32,
    /// Day of week, 0 = Monday.
    pub weekday: u32,
}

impl DateTime {
    /// The date `t` seconds after [`EPOCH`].
    pub fn at(t: Secs) -> Self {
        Self::from_unix(EPOCH + i64::from(t))
    }

    /// The civil date of Unix time `unix`.
    pub fn from_unix(unix: i64) -> Self {
        let days = unix.div_euclid(86_400);
        let rem = unix.rem_euclid(86_400) as u32;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        DateTime {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            // 1970-01-01 was a Thursday (3 when Monday is 0).
            weekday: (days + 3).rem_euclid(7) as u32,
        }
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// RFC 5322 date as Postfix writes it: `Mon, 2 Mar 2026 09:00:00 +0000 (UTC)`.
impl DateTime {
    /// The date as Sendmail writes it (its `arpadate()`): the zone as `GMT` when the offset is zero, as a real
    /// Sendmail 8.17.1.9 in UTC wrote `Mon, 2 Mar 2026 09:00:00 GMT` in its banner and `Received:` line.
    pub fn sendmail(&self) -> String {
        let full = self.to_string();
        full.strip_suffix(" +0000 (UTC)").map_or_else(|| full.clone(), |d| format!("{d} GMT"))
    }

    /// The date as Exim writes it in its banner (`tod_full`): a two-digit day and no zone comment,
    /// `Mon, 02 Mar 2026 09:00:00 +0000`.
    pub fn exim(&self) -> String {
        format!(
            "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
            WEEKDAYS[self.weekday as usize],
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} {} {} {:02}:{:02}:{:02} +0000 (UTC)",
            WEEKDAYS[self.weekday as usize],
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }
}

/// A short human duration: `45 s`, `5 min`, `2 h 30 min`, `5 d`.
pub fn human(secs: Secs) -> String {
    let (d, h, m, s) = (secs / DAY, secs % DAY / HOUR, secs % HOUR / MINUTE, secs % MINUTE);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 && d == 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 && d == 0 && h == 0 {
        parts.push(format!("{s} s"));
    }
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

/// The clock as shown beside events: `+0:00:05`, `+1 d 2:03:04`.
pub fn offset(t: Secs) -> String {
    let (d, rest) = (t / DAY, t % DAY);
    let clock = format!("{}:{:02}:{:02}", rest / HOUR, rest % HOUR / MINUTE, rest % MINUTE);
    if d > 0 {
        format!("+{d} d {clock}")
    } else {
        format!("+{clock}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_monday_morning() {
        assert_eq!(DateTime::at(0).to_string(), "Mon, 2 Mar 2026 09:00:00 +0000 (UTC)");
    }

    #[test]
    fn known_dates() {
        assert_eq!(DateTime::from_unix(0).to_string(), "Thu, 1 Jan 1970 00:00:00 +0000 (UTC)");
        // Postfix's reference bounce: Sat, 28 Nov 2026 09:57:22.
        assert_eq!(DateTime::from_unix(1_795_859_842).to_string(), "Sat, 28 Nov 2026 09:57:22 +0000 (UTC)");
        assert_eq!(DateTime::from_unix(951_782_400).day, 29); // 2000-02-29
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(45), "45 s");
        assert_eq!(human(300), "5 min");
        assert_eq!(human(2 * HOUR + 30 * MINUTE), "2 h 30 min");
        assert_eq!(human(5 * DAY), "5 d");
        assert_eq!(offset(3 * DAY + 62), "+3 d 0:01:02");
    }
}
